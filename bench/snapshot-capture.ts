// node --import tsx bench/snapshot-capture.ts [N]: how long capturing the engine's state for a snapshot takes (engine/snapshot.ts), on a book with N resting orders; five captures, objects by kind
import { Clock, Exchange } from '../gateway/exchange.ts';
import { defaultConfig } from '../gateway/config.ts';
import { Side } from '../engine/types.ts';
import { captureGraph, ENGINE_SNAPSHOT_POLICY } from '../engine/snapshot.ts';
const N = Number(process.argv[2] ?? 40000);
let now = 1_800_000_000_000_000;
const x = new Exchange(defaultConfig(), new Clock(() => now));
for (let i = 0; i < N; i++) { now += 10; const side = i & 1 ? Side.BUY : Side.SELL; x.newOrder({ account: 1 + (i % 3), symbol: 'BTC-USD', side, price: side === Side.BUY ? 29_990 - (i % 2000) : 30_010 + (i % 2000), qty: 1, clOrdId: '' }); }
const root = (x as unknown as { engine: object }).engine;
for (let r = 0; r < 5; r++) {
  const t0 = performance.now();
  const g = captureGraph(root, ENGINE_SNAPSHOT_POLICY);
  const ms = performance.now() - t0;
  const kinds = new Map<number, number>(); for (let i = 0; i < g.heads.length; i += 3) kinds.set(g.heads[i], (kinds.get(g.heads[i]) ?? 0) + 1);
  let typedEls = 0; for (let i = 0; i < g.heads.length; i += 3) if (g.heads[i] === 6) typedEls += g.heads[i + 2];
  console.log(JSON.stringify({ ms: ms.toFixed(1), objects: g.heads.length / 3, tags: g.tags.length, vals: g.vals.length, kinds: Object.fromEntries(kinds), typedEls }));
}
