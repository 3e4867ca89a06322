// The live scorecard across a restart: recovery from a snapshot (scorecard
// restored, the tail replayed into it) gives the same scorecard as a full
// replay of the journal, and keeps the order→ack latencies measured live.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, renameSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../gateway/index.ts';
import { defaultConfig } from '../gateway/config.ts';
import { scorecardOf } from '../gateway/scorecard/live.ts';
import { scorecardView } from '../gateway/scorecard/view.ts';
import { orderLatencyOf } from '../gateway/scorecard/latency.ts';
import { Side } from '../engine/types.ts';
import { Rng } from '../sim/rng.ts';

test('a restart from a snapshot has the same scorecard as a full replay, and keeps the live order→ack latencies', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mb-journal-scorecard-'));
  let now = 1_800_000_000_000_000;
  const start = (): Promise<RunningServer> =>
    startServer({ config: defaultConfig(), clock: { now: () => now } as never, journal: { dir, fsync: 'off', snapshots: { every: 0 } } });
  const rng = new Rng(5);
  const drive = (s: RunningServer, n: number): void => {
    const x = s.exchange;
    const accounts = x.engine.accountIds();
    for (let i = 0; i < n; i++) {
      now += rng.int(1, 400_000); // markout horizons (100 ms … 5 min) come due along the way
      const account = accounts[rng.int(0, accounts.length - 1)];
      const side = rng.next() < 0.5 ? Side.BUY : Side.SELL;
      const r = rng.next();
      if (r < 0.7) x.newOrder({ account, symbol: 'BTC-USD', side, price: 30_000 + rng.int(-15, 15), qty: rng.int(1, 20), clOrdId: `c${i}` });
      else if (r < 0.9) x.cancel({ account, symbol: 'BTC-USD', orderId: x.engine.nextOrderIdPreview() - rng.int(1, 30) });
      else x.massCancelOrders(account, `m${i}`, 'BTC-USD');
    }
  };
  const view = (s: RunningServer): unknown => {
    const sc = scorecardOf(s.exchange)?.sc;
    assert.ok(sc);
    return scorecardView(sc);
  };
  try {
    let s = await start();
    drive(s, 1500);
    const latency = orderLatencyOf(s.exchange);
    for (let i = 0; i < 300; i++) latency.record(1 + (i % 3), 50 + i);
    const liveLatency = [1, 2, 3].map((a) => latency.view(a));
    const snap = (await (await fetch(`${s.url}/api/v1/admin/journal/snapshot`, { method: 'POST', headers: { 'x-admin-token': s.adminToken } })).json()) as { seq: number };
    drive(s, 700);
    await new Promise<void>((r) => s.exchange.whenDurable(r));
    await s.close();

    // restart from the snapshot: the scorecard restored, the 700 records after it replayed into it
    s = await start();
    assert.equal(s.recovery?.snapshot?.seq, snap?.seq, 'recovered from the snapshot');
    assert.ok((s.recovery?.records ?? 0) >= 700);
    const fromSnapshot = view(s);
    assert.deepEqual([1, 2, 3].map((a) => orderLatencyOf(s.exchange).view(a)), liveLatency, 'latencies measured live survive');
    await s.close();

    // the same journal replayed in full (no snapshot)
    const away = join(dir, 'away');
    mkdirSync(away);
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.snapshot'))) renameSync(join(dir, f), join(away, f));
    s = await start();
    assert.equal(s.recovery?.snapshot, null, 'replayed in full');
    const full = view(s);
    await s.close();
    assert.ok(Array.isArray(full) && full.length >= 3, 'cards of every account');
    // a full replay has no live sockets to measure: apart from the latencies, every figure is the same
    const noLatency = (v: unknown): unknown => (v as Record<string, unknown>[]).map(({ order_ack_latency: _l, ...rest }) => rest);
    assert.ok((fromSnapshot as { order_ack_latency: unknown }[]).some((c) => c.order_ack_latency !== null));
    assert.deepEqual(noLatency(fromSnapshot), noLatency(full));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
