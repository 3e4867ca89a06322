// Market data on the client side: the LocalBook's U/u rule on its own, then
// MarketDataClient against a real /ws/md — after a seeded random order flow
// its book equals the exchange's depth (engine and REST), and an update lost
// on the way (dropped by a proxy) is detected as a gap and repaired by a
// resync from a fresh snapshot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket, { WebSocketServer, type RawData } from 'ws';
import type { AddressInfo } from 'node:net';
import { LocalBook } from '../client/local-book.ts';
import { MarketDataClient } from '../client/market-data.ts';
import { ClientError } from '../client/errors.ts';
import { toUnits } from '../client/decimal.ts';
import type { RunningServer } from '../gateway/index.ts';
import { decodeEnvelope } from '../gateway/wire.ts';
import { OrdType, Side } from '../engine/types.ts';
import { collect, prng, waitFor, withServer } from './client-test-helpers.ts';

const SYM = 'BTC-USD';
const lvl = (price: number, qty: number, count = 1): { price: number; qty: number; count: number } => ({ price, qty, count });

test('local book: snapshot, then incrementals by the U/u rule; stale dropped, a gap detected and the book marked unsynced', () => {
  const b = new LocalBook(SYM);
  assert.equal(b.apply({ first_update_id: 1, last_update_id: 1, bids: [], asks: [] }), 'gap', 'nothing applies before a snapshot');
  b.loadSnapshot({ last_update_id: 10, bids: [lvl(100, 5), lvl(99, 1)], asks: [lvl(102, 2)] });
  assert.equal(b.apply({ first_update_id: 8, last_update_id: 10, bids: [lvl(100, 0)], asks: [] }), 'stale');
  assert.equal(b.bestBid()?.price, 100, 'a stale update changes nothing');
  // the first one after the snapshot may overlap it: U ≤ 11 ≤ u
  assert.equal(b.apply({ first_update_id: 9, last_update_id: 11, bids: [lvl(101, 3)], asks: [lvl(102, 0), lvl(103, 4)] }), 'applied');
  assert.equal(b.apply({ first_update_id: 12, last_update_id: 12, bids: [lvl(99, 0)], asks: [] }), 'applied');
  assert.deepEqual(b.bids(), [lvl(101, 3), lvl(100, 5)]);
  assert.deepEqual(b.asks(), [lvl(103, 4)]);
  assert.equal(b.mid(), 102);
  assert.equal(b.apply({ first_update_id: 14, last_update_id: 14, bids: [lvl(98, 1)], asks: [] }), 'gap');
  assert.equal(b.synced, false);
  assert.equal(b.lastUpdateId, 12);
  assert.equal(b.bestBid()?.price, 101, 'a gapped update is not applied');
});

interface Flow {
  step(): void;
}

/** A seeded random order flow straight into the exchange: limits around a price, cancels, amends, market orders. */
function orderFlow(s: RunningServer, seed: number): Flow {
  const rnd = prng(seed);
  const accounts = ['alice-key-1-0123456', 'bob-key-01-01234567', 'carol-key-1-0123456'].map((k) => (s.exchange.authenticate(k) as { id: number }).id);
  const live: { account: number; orderId: number }[] = [];
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  return {
    step() {
      const r = rnd();
      const account = accounts[int(0, accounts.length - 1)];
      const side = rnd() < 0.5 ? Side.BUY : Side.SELL;
      if (r < 0.6 || live.length === 0) {
        // buys below 1_000_000, sells above, with some overlap so orders also trade
        const price = side === Side.BUY ? int(999_960, 1_000_005) : int(999_995, 1_000_040);
        const orderId = s.exchange.newOrder({ account, symbol: SYM, side, price, qty: int(1, 5000), clOrdId: `f${rnd().toString(36).slice(2, 10)}` });
        if (orderId) live.push({ account, orderId });
      } else if (r < 0.8) {
        const [o] = live.splice(int(0, live.length - 1), 1);
        s.exchange.cancel({ account: o.account, symbol: SYM, orderId: o.orderId });
      } else if (r < 0.9) {
        const o = live[int(0, live.length - 1)];
        const cur = s.exchange.engine.order(o.orderId);
        if (cur) s.exchange.replace({ account: o.account, symbol: SYM, orderId: o.orderId, price: cur.price, qty: Math.max(cur.cum + 1, cur.qty - int(0, cur.qty)) });
      } else {
        s.exchange.newOrder({ account, symbol: SYM, side, ordType: OrdType.MARKET, qty: int(1, 3000) });
      }
    },
  };
}

/** Resolves once the client's book is at the exchange's current update id. */
async function caughtUp(md: MarketDataClient, s: RunningServer): Promise<void> {
  const target = s.exchange.updateId(SYM);
  if (md.book.synced && md.book.lastUpdateId === target) return;
  await waitFor(md, 'update', () => md.book.synced && md.book.lastUpdateId === target, 3000);
}

async function assertSameAsExchange(md: MarketDataClient, s: RunningServer): Promise<void> {
  const depth = s.exchange.engine.depth(SYM, Number.MAX_SAFE_INTEGER);
  assert.ok(depth);
  assert.deepEqual(md.bids(), depth.bids);
  assert.deepEqual(md.asks(), depth.asks);
  const res = await fetch(`${s.url}/api/v1/depth/${SYM}?levels=5000`);
  const rest = (await res.json()) as { last_update_id: number; bids: string[][]; asks: string[][] };
  assert.equal(rest.last_update_id, md.book.lastUpdateId);
  // REST shows decimal strings: back to units with the instrument's scales
  const inst = s.exchange.instrument(SYM);
  assert.ok(inst);
  const units = (l: string[]): number[] => [toUnits(l[0], inst.priceScale), toUnits(l[1], inst.qtyScale)];
  assert.deepEqual(md.bids().map((l) => [l.price, l.qty]), rest.bids.map(units));
  assert.deepEqual(md.asks().map((l) => [l.price, l.qty]), rest.asks.map(units));
}

test('local book equals the exchange\'s depth after a random flow (subscribed before and during it)', () => withServer(async (s) => {
  const early = await MarketDataClient.connect(s.url, SYM, { reconnect: false });
  const flow = orderFlow(s, 7);
  try {
    const trades = collect(early, 'trade');
    for (let i = 0; i < 400; i++) flow.step();
    const late = await MarketDataClient.connect(s.url, SYM, { reconnect: false });
    try {
      for (let i = 0; i < 400; i++) flow.step();
      await caughtUp(early, s);
      await caughtUp(late, s);
      assert.ok(early.bids().length > 5 && early.asks().length > 5, 'the flow left a real book');
      await assertSameAsExchange(early, s);
      await assertSameAsExchange(late, s);
      assert.equal(early.instrument?.priceScale, 1, 'scales come from the SecurityList on /ws/md');
      // every trade of the tape reached the client once, in order
      const tape = s.exchange.trades(SYM);
      assert.ok(tape.length > 0);
      assert.deepEqual(trades.map((t) => t.tradeId), tape.map((t) => t.trade_id));
      assert.equal(early.stats.resyncs, 0);
    } finally {
      late.close();
    }
  } finally {
    early.close();
  }
}));

/** A /ws/md proxy that forwards everything except the incrementals `drop` picks. */
async function droppingProxy(upstream: string, drop: (n: number) => boolean): Promise<{ url: string; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  let incrementals = 0;
  wss.on('connection', (down) => {
    const up = new WebSocket(upstream.replace(/^http/, 'ws') + '/ws/md');
    const queued: RawData[] = [];
    up.on('open', () => queued.splice(0).forEach((d) => up.send(d)));
    down.on('message', (d) => (up.readyState === WebSocket.OPEN ? up.send(d) : queued.push(d)));
    up.on('message', (d: Buffer) => {
      const env = decodeEnvelope(d);
      if (env.ok && env.env.body === 'market_data_incremental_refresh' && drop(++incrementals)) return;
      down.send(d);
    });
    down.on('close', () => up.close());
    up.on('close', () => down.close());
  });
  return {
    url: `http://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    close: () => new Promise((r) => {
      for (const c of wss.clients) c.terminate();
      wss.close(() => r());
    }),
  };
}

test('a lost incremental is a gap: the client resyncs from a fresh snapshot by itself', () => withServer(async (s) => {
  const proxy = await droppingProxy(s.url, (n) => n === 30);
  const md = await MarketDataClient.connect(proxy.url, SYM, { reconnect: false });
  try {
    const resyncs = collect(md, 'resync');
    const flow = orderFlow(s, 11);
    for (let i = 0; i < 200; i++) flow.step();
    await caughtUp(md, s);
    assert.equal(md.stats.gaps, 1);
    assert.deepEqual(resyncs, ['gap']);
    await assertSameAsExchange(md, s);
  } finally {
    md.close();
    await proxy.close();
  }
}));

test('a subscription the exchange refuses fails connect with the reason', () => withServer(async (s) => {
  await assert.rejects(MarketDataClient.connect(s.url, 'NOPE', { reconnect: false }), (e: ClientError) => e.code === 'invalid_argument' && /unknown symbol/.test(e.message));
}));
