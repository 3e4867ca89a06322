// npm run bench:engine [-- --data-dir DIR] [--compare] [--passes N] [--warmup N] [--scenario NAME] [--canonical-dir DIR] [--cold]
// Replays the five flash1 workloads (from ../shared/flash1 beside the
// repository, or --data-dir DIR) through the engine, checks each report
// stream's SHA-256 against the published hash and reports throughput. Each
// scenario runs in its own child process so that peak RSS and JIT state are
// its own. Only message processing (events and reports included) is timed.
// Before timing, the JIT is warmed up, as in any JIT benchmark, by untimed
// passes of the same workload through throwaway engines (`--warmup N`,
// default 1; the textbook gets the same number); then PASSES timed
// passes each run on a fresh engine, every one hash-checked, and the median is
// reported (this host's run-to-run noise is ±20 %). `--cold` instead times the
// very first pass alone (JIT compilation included). Each line also gives the
// rate per second of the process's CPU time (cpu_msgs_per_s), steadier than wall
// time on a shared machine. `--compare` also replays
// each workload through a textbook price-time FIFO (flash1/textbook.ts) in the
// same process, its passes interleaved with the engine's (alternating which
// goes first), hash-checked the same way, so both figures share the machine's
// minute.
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadWorkload, publishedHashes, SCENARIOS, sharedDir, workloadFile, type Scenario } from './flash1/workload.ts';
import { replay } from './flash1/replay.ts';
import { replayTextbook } from './flash1/textbook.ts';
import { ReportLog } from './flash1/reports.ts';

/** One contender's result on one scenario: median wall and CPU seconds of its passes, all hash-checked. */
interface Timing { ok: boolean; seconds: number; cpuSeconds: number }
interface Line extends Timing { scenario: string; msgs: number; peakRssMb: number; textbook?: Timing }

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];

interface Options { dataDir: string; cold: boolean; compare: boolean; passes: number; warmup: number; canonicalDir?: string }

async function runOne(scenario: Scenario, opts: Options): Promise<Line> {
  const { cold, compare, canonicalDir } = opts;
  const w = loadWorkload(scenario, opts.dataDir);
  const expected = publishedHashes().get(scenario);
  // One report log for every pass of both contenders, each pass hash-checked before the next
  // clears it: its memory is committed once, outside any timed pass.
  const log = new ReportLog(w.count * 2);
  if (!cold) {
    for (let i = 0; i < opts.warmup; i++) {
      replay(w, undefined, w.count, log);
      if (compare) replayTextbook(w, w.count, log);
    }
  }
  const times: number[] = [];
  const cpuTimes: number[] = [];
  const textbookTimes: number[] = [];
  const textbookCpuTimes: number[] = [];
  let ok = true;
  let textbookOk = true;
  const textbookPass = (): void => {
    const t = replayTextbook(w, w.count, log);
    textbookOk &&= log.sha256() === expected;
    textbookTimes.push(t.seconds);
    textbookCpuTimes.push(t.cpuSeconds);
  };
  const passes = cold ? 1 : opts.passes;
  for (let i = 0; i < passes; i++) {
    // Interleaved: the textbook runs before the engine on odd passes, after it on even ones.
    if (compare && i % 2 === 1) textbookPass();
    const r = replay(w, undefined, w.count, log);
    ok &&= log.sha256() === expected;
    times.push(r.seconds);
    cpuTimes.push(r.cpuSeconds);
    if (compare && i % 2 === 0) textbookPass();
  }
  const seconds = median(times);
  if (canonicalDir) {
    mkdirSync(canonicalDir, { recursive: true });
    const out = createWriteStream(path.join(canonicalDir, `${scenario}.txt`));
    if (compare) replay(w, undefined, w.count, log); // the last pass was the textbook's
    log.render((s) => out.write(s));
    out.end();
    await once(out, 'finish');
  }
  const textbook = compare ? { ok: textbookOk, seconds: median(textbookTimes), cpuSeconds: median(textbookCpuTimes) } : undefined;
  return { scenario, ok, msgs: w.count, seconds, cpuSeconds: median(cpuTimes), peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), textbook };
}

const rate = (msgs: number, t: Timing): number => Math.round(msgs / t.seconds);
/** Messages per second of the process's CPU time: on a shared machine, what the pass cost regardless of how long it waited for a core. */
const cpuRate = (msgs: number, t: Timing): number => Math.round(msgs / t.cpuSeconds);

function print(r: Line): void {
  const tb = r.textbook;
  const vs = tb
    ? ` textbook_hash=${tb.ok ? 'ok' : 'MISMATCH'} textbook_msgs_per_s=${rate(r.msgs, tb)} textbook_cpu_msgs_per_s=${cpuRate(r.msgs, tb)} engine_vs_textbook=${(tb.seconds / r.seconds).toFixed(2)}`
    : '';
  console.log(`scenario=${r.scenario} hash=${r.ok ? 'ok' : 'MISMATCH'} msgs=${r.msgs} seconds=${r.seconds.toFixed(3)} msgs_per_s=${rate(r.msgs, r)} cpu_msgs_per_s=${cpuRate(r.msgs, r)} peak_rss_mb=${r.peakRssMb}${vs}`);
}

async function main(): Promise<void> {
  const one = arg('--one') as Scenario | undefined;
  const canonicalDir = arg('--canonical-dir');
  const cold = process.argv.includes('--cold');
  const dataDir = path.resolve(arg('--data-dir') ?? sharedDir);
  const compare = process.argv.includes('--compare');
  const passes = Number(arg('--passes') ?? 3);
  if (!Number.isSafeInteger(passes) || passes < 1 || passes > 99) throw new Error('--passes: an integer 1-99');
  const warmup = Number(arg('--warmup') ?? 1);
  if (!Number.isSafeInteger(warmup) || warmup < 1 || warmup > 9) throw new Error('--warmup: an integer 1-9');
  if (one) {
    process.stdout.write(JSON.stringify(await runOne(one, { dataDir, cold, compare, passes, warmup, canonicalDir })) + '\n');
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
    const args = [
      ...process.execArgv, self, '--one', s, '--data-dir', dataDir, '--passes', String(passes), '--warmup', String(warmup),
      ...(cold ? ['--cold'] : []), ...(compare ? ['--compare'] : []), ...(canonicalDir ? ['--canonical-dir', canonicalDir] : []),
    ];
    const r = JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 })) as Line;
    lines.push(r);
    print(r);
  }
  const worst = lines.reduce((a, b) => (b.msgs / b.seconds < a.msgs / a.seconds ? b : a));
  const allOk = lines.every((l) => l.ok && (l.textbook?.ok ?? true));
  console.log(`worst_case msgs_per_s=${rate(worst.msgs, worst)} scenario=${worst.scenario} all_hashes=${allOk ? 'ok' : 'MISMATCH'}`);
  if (compare) {
    const tbWorst = lines.reduce((a, b) => (b.msgs / b.textbook!.seconds < a.msgs / a.textbook!.seconds ? b : a));
    const slower = lines.filter((l) => l.seconds >= l.textbook!.seconds).map((l) => l.scenario);
    console.log(`textbook worst_case msgs_per_s=${rate(tbWorst.msgs, tbWorst.textbook!)} scenario=${tbWorst.scenario}; engine faster in ${lines.length - slower.length} of ${lines.length}${slower.length ? ` (not: ${slower.join(', ')})` : ''}`);
  }
  if (!allOk) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
