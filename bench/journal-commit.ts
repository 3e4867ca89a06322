// npm run bench:journal-commit -- [--rate 20000] [--seconds 10] [--fsync batch|always|off]
//
// The journal's durability leg alone: records (the size of a new order's) are
// appended at a fixed rate, on a 1 ms timer (a spinning sender would take a
// core from the thread pool that writes), each turn appending the ones due by then, and
// each record's latency runs from its due time to its whenDurable callback —
// the wait an acknowledgement adds under the policy. No sockets and no
// engine, so on a shared machine it measures the disk and the writer rather
// than CPU contention. Also prints the group commits' count and mean size.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'hdr-histogram-js';
import { JournalWriter, type FsyncPolicy } from '../gateway/journal/writer.ts';
import { RecordKind } from '../gateway/journal/codec.ts';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const rate = Number(arg('rate', '20000'));
const seconds = Number(arg('seconds', '10'));
const warmup = Number(arg('warmup', '1'));
const fsync = arg('fsync', 'batch') as FsyncPolicy;
const dir = mkdtempSync(join(process.env.JOURNAL_BENCH_DIR ?? tmpdir(), 'mb-journal-commit-'));

const w = new JournalWriter({ dir, fsync, lastSeq: 0 });
const hist = build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 2 });
let turns = 0;
let appended = 0;
let durableTurns = 0;
const interval = 1000 / rate;
const start = performance.now() + 20;
const from = start + warmup * 1000;
const to = from + seconds * 1000;
let next = start;

await new Promise<void>((resolve) => {
  const step = (): void => {
    const now = performance.now();
    if (next <= now && next < to) {
      const firstDue = next;
      let n = 0;
      for (; next <= now && next < to; next += interval, n++) {
        const e = w.begin(Date.now() * 1000, RecordKind.NEW_ORDER);
        // a new order's fields: account, session, symbol, clOrdId, side, type, tif, price, qty, …
        e.value(3); e.value(7); e.value('BTC-USD'); e.value(`c${appended}`); e.value(1); e.value(2); e.value(1); e.value(30_000 + (appended % 50));
        e.value(5); e.value(undefined); e.value(false); e.value(undefined); e.value(false); e.value(undefined); e.value(undefined); e.value(undefined);
        w.end();
        appended++;
      }
      turns++;
      const dues: number[] = [];
      for (let k = 0; k < n; k++) dues.push(firstDue + k * interval);
      w.whenDurable(() => {
        const t = performance.now();
        durableTurns++;
        for (const d of dues) if (d >= from) hist.recordValue(Math.round((t - d) * 1000));
      });
    }
    if (now >= to) return resolve();
    setTimeout(step, 1);
  };
  setTimeout(step, start - performance.now());
});
await w.close();
const us = (p: number): number => Math.round(hist.getValueAtPercentile(p));
console.log(`journal_commit fsync=${fsync} rate=${rate} records=${hist.totalCount} p50_us=${us(50)} p90_us=${us(90)} p99_us=${us(99)} p999_us=${us(99.9)} max_us=${hist.maxValue} turns=${turns} records_per_turn=${(appended / turns).toFixed(1)}`);
rmSync(dir, { recursive: true, force: true });
