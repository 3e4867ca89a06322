// npm run bench:journal -- [N]: N orders through an Exchange without a journal, then the same with one
// (fsync off: the cost of encoding and writing, not of the disk), then times recovery: a full replay of
// the journal, and a restart from the snapshot taken 10,000 records before the end plus those records.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openJournal, replayInto } from '../gateway/journal/journal.ts';
import { Clock, Exchange } from '../gateway/exchange.ts';
import { defaultConfig } from '../gateway/config.ts';
import { Side } from '../engine/types.ts';

const n = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'mb-journal-bench-'));
let now = 1_800_000_000_000_000;

let i = 0;
/** The workload (`count` more orders): makers rest around 30000, every fourth order crosses; the books stay a few thousand orders deep. */
async function run(x: Exchange, count = n): Promise<number> {
  const t0 = performance.now();
  for (const end = i + count; i < end; i++) {
    now += 10;
    const side = i & 1 ? Side.BUY : Side.SELL;
    const off = (i * 7919) % 50;
    const price = i % 4 === 3 ? (side === Side.BUY ? 30_060 : 29_940) : side === Side.BUY ? 29_990 - off : 30_010 + off;
    x.newOrder({ account: 1 + (i % 3), symbol: 'BTC-USD', side, price, qty: 1 + (i % 5), clOrdId: '' });
    if (i % 1000 === 999) x.massCancelOrders(1 + (i % 3), '', 'BTC-USD');
    if (i % 20_000 === 0) await new Promise<void>((r) => x.whenDurable(r));
  }
  return performance.now() - t0;
}

const bare = await run(new Exchange(defaultConfig(), new Clock(() => now)));
i = 0;
const TAIL = 10_000;
const j = openJournal(defaultConfig(), () => now, { dir, fsync: 'off', snapshots: { every: 0 } });
j.recover();
const live = await run(j.exchange, n - TAIL);
const snap = await j.snapshots.take();
await run(j.exchange, TAIL);
await j.close();
const t1 = performance.now();
const r = replayInto(dir);
const recovery = performance.now() - t1;
const k = openJournal(defaultConfig(), () => now, { dir, fsync: 'off' });
const fromSnapshot = k.recover();
await k.close();
console.log(JSON.stringify({
  orders: n, records: r.scan.records, without_journal_per_s: Math.round(n / (bare / 1000)), with_journal_per_s: Math.round((n - TAIL) / (live / 1000)),
  full_replay_ms: Math.round(recovery),
  snapshot: { seq: snap.seq, bytes: snap.bytes, capture_ms: Math.round(snap.capture_ms), encode_slice_ms: Math.round(snap.encode_slice_ms), write_ms: Math.round(snap.write_ms) },
  snapshot_recovery_ms: Math.round(fromSnapshot?.ms ?? NaN), snapshot_load_ms: Math.round(fromSnapshot?.snapshot?.ms ?? NaN),
  tail_records: fromSnapshot?.records,
}));
rmSync(dir, { recursive: true, force: true });
