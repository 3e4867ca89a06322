// npm run bench:engine [-- --data-dir DIR] [--canonical-dir DIR] [--scenario NAME] [--cold]
// Replays the five flash1 workloads (from ../shared/flash1 beside the
// repository, or --data-dir DIR) through the engine, checks each report
// stream's SHA-256 against the published hash and reports throughput. Each
// scenario runs in its own child process so that peak RSS and JIT state are
// its own. Only message processing (events and reports included) is timed.
// Before timing, the JIT is warmed up, as in any JIT benchmark, by one untimed
// pass of the same workload through a throwaway engine; then PASSES timed
// passes each run on a fresh engine, every one hash-checked, and the median is
// reported (this host's run-to-run noise is ±20 %). `--cold` instead times the
// very first pass alone (JIT compilation included).
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadWorkload, publishedHashes, SCENARIOS, sharedDir, workloadFile, type Scenario } from './flash1/workload.ts';
import { replay } from './flash1/replay.ts';
import type { ReportLog } from './flash1/reports.ts';

interface Line { scenario: string; ok: boolean; msgs: number; seconds: number; peakRssMb: number }

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const PASSES = 3;

async function runOne(scenario: Scenario, dataDir: string, cold: boolean, canonicalDir?: string): Promise<Line> {
  const w = loadWorkload(scenario, dataDir);
  const expected = publishedHashes().get(scenario);
  if (!cold) replay(w);
  const times: number[] = [];
  let ok = true;
  let log: ReportLog | null = null;
  for (let i = 0; i < (cold ? 1 : PASSES); i++) {
    log = null; // let the previous pass's reports be collected
    const r = replay(w);
    ok &&= r.log.sha256() === expected;
    times.push(r.seconds);
    log = r.log;
  }
  const seconds = times.sort((a, b) => a - b)[times.length >> 1];
  if (canonicalDir) {
    mkdirSync(canonicalDir, { recursive: true });
    const out = createWriteStream(path.join(canonicalDir, `${scenario}.txt`));
    log?.render((s) => out.write(s));
    out.end();
    await once(out, 'finish');
  }
  return { scenario, ok, msgs: w.count, seconds, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
}

async function main(): Promise<void> {
  const one = arg('--one') as Scenario | undefined;
  const canonicalDir = arg('--canonical-dir');
  const cold = process.argv.includes('--cold');
  const dataDir = path.resolve(arg('--data-dir') ?? sharedDir);
  if (one) {
    process.stdout.write(JSON.stringify(await runOne(one, dataDir, cold, canonicalDir)) + '\n');
    return;
  }
  const only = arg('--scenario');
  const names = only ? SCENARIOS.filter((s) => s === only) : [...SCENARIOS];
  if (names.length === 0) throw new Error(`unknown scenario ${only}; one of ${SCENARIOS.join(', ')}`);
  const missing = names.filter((s) => !existsSync(workloadFile(s, dataDir)));
  if (missing.length > 0) {
    throw new Error(`${dataDir}: no workload file for ${missing.join(', ')}; pass --data-dir DIR (the repository ships only normal: --scenario normal --data-dir bench/flash1/data)`);
  }
  const self = fileURLToPath(import.meta.url);
  const lines: Line[] = [];
  for (const s of names) {
    const args = [...process.execArgv, self, '--one', s, '--data-dir', dataDir, ...(cold ? ['--cold'] : []), ...(canonicalDir ? ['--canonical-dir', canonicalDir] : [])];
    const r = JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 })) as Line;
    lines.push(r);
    const rate = Math.round(r.msgs / r.seconds);
    console.log(`scenario=${r.scenario} hash=${r.ok ? 'ok' : 'MISMATCH'} msgs=${r.msgs} seconds=${r.seconds.toFixed(3)} msgs_per_s=${rate} peak_rss_mb=${r.peakRssMb}`);
  }
  const worst = lines.reduce((a, b) => (b.msgs / b.seconds < a.msgs / a.seconds ? b : a));
  const allOk = lines.every((l) => l.ok);
  console.log(`worst_case msgs_per_s=${Math.round(worst.msgs / worst.seconds)} scenario=${worst.scenario} all_hashes=${allOk ? 'ok' : 'MISMATCH'}`);
  if (!allOk) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
