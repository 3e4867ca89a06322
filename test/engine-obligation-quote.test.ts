// A programme member's quote is kept incrementally (engine/obligations/quote-book.ts): random
// seeded command streams — limits, icebergs, post-only slides, market orders, stops and pegs held
// off the book, amends, cancels, mass cancels, mass quotes, self-trade prevention, halts, kill
// switch, GTD expiry — checked at every step against a full walk of the member's orders (the
// reference below), and the obligation figures against an engine measuring with that walk. Plus
// the cost: folding one order in must not depend on how many orders the member has resting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Account } from '../engine/account.ts';
import { Engine } from '../engine/engine.ts';
import { RecordingSink } from '../engine/events.ts';
import type { InstrumentConfig } from '../engine/instrument.ts';
import type { Market } from '../engine/market.ts';
import type { ProgrammeConfig } from '../engine/obligations/config.ts';
import { depthBand } from '../engine/obligations/compliance.ts';
import type { Membership } from '../engine/obligations/programme.ts';
import type { QuoteSide } from '../engine/obligations/quote-book.ts';
import type { QuoteState } from '../engine/obligations/types.ts';
import { captureGraph, ENGINE_SNAPSHOT_POLICY, restoreGraph, type GraphSnapshot } from '../engine/snapshot.ts';
import { OrdType, Side, StpMode, TimeInForce, TradingPhase } from '../engine/types.ts';
import { prng } from './prng.ts';

const S = 1_000_000;
const DAY = 20_000 * 86_400 * S;

const inst = (symbol: string): InstrumentConfig => ({
  symbol, price_scale: 0, qty_scale: 0, tick_size: 1, lot: 1, min_qty: 1, max_qty: 1000, max_price: 100_000,
  maker_fee_bp: -1, taker_fee_bp: 2,
});

const PROGRAMMES: ProgrammeConfig[] = [
  { name: 'depth', members: ['m1'], status_interval_ms: 1000, instruments: { X: { max_spread_bp: 200, min_size_notional: 2000, depth_bp: 30, presence_pct: 50 } as never } },
  { name: 'best', members: ['m1', 'm2'], status_interval_ms: 1000, instruments: { Y: { max_spread_ticks: 4, min_size_qty: 10, time_at_best_pct: 10, presence_pct: 50 } as never } },
];

interface Internals { accounts: Account[]; market: Market; programmes: { members: Membership[]; quoteOf(m: Membership): QuoteState } }
const internals = (e: Engine) => e as unknown as Internals;

/** The member's quote by walking all its live orders (what the programmes did before the quote book). */
function walk(acct: Account, ii: number): { bids: Map<number, number>; asks: Map<number, number> } {
  const bids = new Map<number, number>();
  const asks = new Map<number, number>();
  for (const o of acct.liveOrders()) {
    if (o.instrument !== ii || o.parked !== 0 || o.price === 0) continue; // held stops and pegs, unpriced orders: no quote
    const m = o.side === Side.BUY ? bids : asks;
    m.set(o.price, (m.get(o.price) ?? 0) + o.leaves);
  }
  return { bids, asks };
}

/** Programmes.quoteOf as a full walk: the reference the engine's figures must equal. */
function walkQuoteOf(market: Market, phaseOf: (ii: number) => TradingPhase, stressed: boolean[], q: QuoteState, m: Membership): QuoteState {
  const ii = m.inst.index;
  q.bidPx = q.bidQty = q.askPx = q.askQty = 0;
  q.bidNotional = q.askNotional = undefined;
  for (const o of m.acct.liveOrders()) {
    if (o.instrument !== ii || o.parked !== 0 || o.price === 0) continue;
    if (o.side === Side.BUY) {
      if (o.price > q.bidPx) { q.bidPx = o.price; q.bidQty = 0; }
      if (o.price === q.bidPx) q.bidQty += o.leaves;
    } else {
      if (q.askPx === 0 || o.price < q.askPx) { q.askPx = o.price; q.askQty = 0; }
      if (o.price === q.askPx) q.askQty += o.leaves;
    }
  }
  const book = market.books[ii];
  const bb = book.bids.best();
  const ba = book.asks.best();
  if (m.cfg.depthCentiBp > 0 && bb !== null && ba !== null) {
    const band = depthBand(m.cfg, bb.price, ba.price);
    let bq = 0, aq = 0, bn = 0, an = 0;
    for (const o of m.acct.liveOrders()) {
      if (o.instrument !== ii || o.parked !== 0 || o.price === 0) continue;
      if (o.side === Side.BUY && o.price >= band.minBid) { bq += o.leaves; bn += o.price * o.leaves * m.inst.notionalMultiplier; }
      if (o.side === Side.SELL && o.price <= band.maxAsk) { aq += o.leaves; an += o.price * o.leaves * m.inst.notionalMultiplier; }
    }
    [q.bidQty, q.askQty, q.bidNotional, q.askNotional] = [bq, aq, bn, an];
  }
  q.bookBid = m.cfg.timeAtBestPpm > 0 ? bb?.price ?? 0 : 0;
  q.bookAsk = m.cfg.timeAtBestPpm > 0 ? ba?.price ?? 0 : 0;
  q.measured = phaseOf(ii) === TradingPhase.CONTINUOUS;
  q.stressed = stressed[ii];
  return q;
}

function venue(reference: boolean): { e: Engine; sink: RecordingSink } {
  const sink = new RecordingSink();
  const e = new Engine({ instruments: [inst('X'), inst('Y')], sink, programmes: PROGRAMMES });
  for (const name of ['m1', 'm2', 't1', 't2']) e.addAccount({ name, stp: name === 'm1' ? StpMode.NONE : StpMode.CANCEL_MAKER });
  if (reference) {
    const p = internals(e).programmes as unknown as { quoteOf(m: Membership): QuoteState; phaseOf(ii: number): TradingPhase; stressed: boolean[]; q: QuoteState };
    p.quoteOf = (m) => walkQuoteOf(internals(e).market, p.phaseOf, p.stressed, p.q, m);
  }
  return { e, sink };
}

/** One random command; the same `rnd` stream gives the same command on every engine. */
function step(e: Engine, rnd: () => number, t: number): void {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const account = pick([1, 1, 1, 2, 3, 4]);
  const symbol = pick(['X', 'Y']);
  const side = pick([Side.BUY, Side.SELL]);
  const px = 100 + Math.floor(rnd() * 21) - (side === Side.BUY ? 8 : -8) + (rnd() < 0.2 ? (side === Side.BUY ? 10 : -10) : 0);
  const qty = 1 + Math.floor(rnd() * 40);
  const r = rnd();
  const ref = () => {
    const live: number[] = [];
    for (const o of internals(e).accounts[account - 1].liveOrders()) if (o.instrument === (symbol === 'X' ? 0 : 1)) live.push(o.id);
    return { time: t, account, symbol, orderId: live.length === 0 || rnd() < 0.05 ? 1 + Math.floor(rnd() * internals(e).market.nextOrderId) : pick(live) };
  };
  if (r < 0.35) {
    const postOnly = rnd() < 0.1;
    e.newOrder({ time: t, account, symbol, side, price: px, qty, postOnly, postOnlySlide: postOnly && rnd() < 0.5, displayQty: rnd() < 0.1 ? 5 : 0,
      tif: rnd() < 0.05 ? TimeInForce.GTD : undefined, expireTime: t + Math.floor(rnd() * 20) * S, stp: pick([undefined, StpMode.DECREMENT, StpMode.CANCEL_BOTH]) });
  } else if (r < 0.4) e.newOrder({ time: t, account, symbol, side, ordType: OrdType.MARKET, qty });
  else if (r < 0.45) e.newOrder({ time: t, account, symbol, side, ordType: pick([OrdType.STOP, OrdType.STOP_LIMIT]), price: px, stopPx: px + (side === Side.BUY ? 2 : -2), qty });
  else if (r < 0.5) e.newOrder({ time: t, account, symbol, side, ordType: OrdType.MIDPOINT_PEG, qty, price: rnd() < 0.5 ? px : 0 });
  else if (r < 0.62) e.cancel(ref());
  else if (r < 0.74) e.replace({ ...ref(), price: px, qty });
  else if (r < 0.84) e.massQuote({ time: t, account, symbol, bidPx: px - 3, bidSize: qty, offerPx: px + 3 + Math.floor(rnd() * 3), offerSize: rnd() < 0.1 ? 0 : qty });
  else if (r < 0.87) e.massCancel({ time: t, account, symbol: rnd() < 0.5 ? symbol : undefined, side: rnd() < 0.5 ? side : undefined });
  else if (r < 0.9) e.quoteCancel({ time: t, account, symbol });
  else if (r < 0.92) e.setPhase({ time: t, symbol, phase: e.phaseOf(symbol) === TradingPhase.CONTINUOUS ? TradingPhase.HALTED : TradingPhase.CONTINUOUS });
  else if (r < 0.95) e.setStress({ time: t, symbol, on: rnd() < 0.5 });
  else if (r < 0.96) e.killSwitch({ time: t, account, on: rnd() < 0.1 });
  else e.advanceTime(t);
}

const levels = (s: QuoteSide) => new Map(s.prices.map((p, i) => [p, s.qtys[i]]));
const sorted = (m: Map<number, number>, sign: number) => [...m.keys()].sort((a, b) => (a - b) * sign);

test('the kept quote equals a walk of the member\'s orders after every command (random streams, 4 seeds)', () => {
  for (const seed of [1, 2, 3, 4]) {
    const rnd = prng(seed);
    const { e } = venue(false);
    const { accounts } = internals(e);
    for (let i = 0; i < 3000; i++) {
      step(e, rnd, DAY + i * 50_000);
      for (const acct of accounts.slice(0, 2)) {
        for (const ii of [0, 1]) {
          if (acct.quotes?.sides[ii] === null) continue;
          const [bids, asks] = acct.quotes!.read(ii);
          const want = walk(acct, ii);
          const at = `seed ${seed} step ${i} ${acct.name} ${ii}`;
          assert.deepEqual(levels(bids), want.bids, at);
          assert.deepEqual(levels(asks), want.asks, at);
          assert.deepEqual(bids.prices, sorted(want.bids, 1), at);
          assert.deepEqual(asks.prices, sorted(want.asks, -1), at);
        }
      }
    }
    // the stream did reach the cases that matter
    const m1 = accounts[0];
    assert.ok(m1.quotes !== null && m1.quotes.sides[0] !== null && m1.quotes.sides[1] !== null);
    assert.equal(accounts[2].quotes, null, 'a non-member keeps no quote');
  }
});

test('obligation figures and events are the same as measured by walking all orders', () => {
  for (const seed of [7, 8]) {
    const engines = [venue(false), venue(true)];
    const streams = [prng(seed), prng(seed)];
    for (let i = 0; i < 3000; i++) engines.forEach(({ e }, k) => step(e, streams[k], DAY + i * 50_000));
    engines.forEach(({ e }) => e.advanceTime(DAY + 3001 * 50_000));
    const [a, b] = engines;
    const obligations = (sink: RecordingSink) => sink.events.filter((x) => x.type === 'obligation');
    assert.ok(obligations(a.sink).length > 100, 'the members were measured');
    assert.deepEqual(obligations(a.sink), obligations(b.sink), `seed ${seed}`);
    assert.deepEqual(a.e.obligationViews({}), b.e.obligationViews({}), `seed ${seed}`);
    assert.ok(a.e.obligationViews({}).some((v) => v.current.compliantUs > 0 && v.current.compliantUs < v.current.measuredUs), 'compliant and not, both');
  }
});

test('an order costs about the same whether the member has 0 or 20,000 orders resting', () => {
  // with a walk of the member's orders after each of its commands, 20,000 resting orders made each
  // order ~20,000 node visits (hundreds of times slower); now a few map and list operations
  const Z: InstrumentConfig = { ...inst('Z'), max_price: 1_000_000 };
  const perOrder = (resting: number): number => {
    const e = new Engine({ instruments: [Z], sink: new RecordingSink(), programmes: [{ name: 'p', members: ['m'], instruments: { Z: { max_spread_bp: 100, min_size_notional: 1, depth_bp: 50, presence_pct: 50 } as never } }] });
    e.addAccount({ name: 'm', maxOpenOrders: 100_000 });
    // one price level each, like bench:md-snapshots' maker
    for (let i = 0; i < resting; i++) e.newOrder({ time: DAY, account: 1, symbol: 'Z', side: Side.BUY, price: 400_000 - i, qty: 1 });
    e.newOrder({ time: DAY, account: 1, symbol: 'Z', side: Side.SELL, price: 600_000, qty: 1 });
    let best = Infinity;
    for (let round = 0; round < 5; round++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < 400; i++) {
        const id = e.newOrder({ time: DAY + i, account: 1, symbol: 'Z', side: Side.BUY, price: 450_000 + (i % 100), qty: 1 });
        e.cancel({ time: DAY + i, account: 1, symbol: 'Z', orderId: id });
      }
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / 800);
    }
    return best;
  };
  perOrder(2000); // warm up
  const few = perOrder(0);
  const many = perOrder(20_000);
  assert.ok(many < few * 5 + 2000, `per command: ${few.toFixed(0)} ns with 0 resting, ${many.toFixed(0)} ns with 20,000`);
});

test('a snapshot restores the kept quote: after it, the same quotes and obligation events as without', () => {
  const [ra, rc] = [prng(11), prng(11)];
  const a = venue(false);
  const c = venue(false);
  for (let i = 0; i < 1500; i++) { step(a.e, ra, DAY + i * 50_000); step(c.e, rc, DAY + i * 50_000); }
  const snap: GraphSnapshot = structuredClone(captureGraph(a.e, ENGINE_SNAPSHOT_POLICY));
  const b = venue(false);
  restoreGraph(b.e, snap, ENGINE_SNAPSHOT_POLICY);
  const mark = c.sink.events.length;
  for (let i = 1500; i < 3000; i++) {
    step(b.e, ra, DAY + i * 50_000);
    step(c.e, rc, DAY + i * 50_000);
    const m1 = internals(b.e).accounts[0];
    const [bids, asks] = m1.quotes!.read(0);
    const want = walk(m1, 0);
    assert.deepEqual([levels(bids), levels(asks)], [want.bids, want.asks], `step ${i}`);
  }
  const obligations = (events: RecordingSink['events']) => events.filter((x) => x.type === 'obligation');
  assert.ok(obligations(b.sink.events).length > 50);
  assert.deepEqual(obligations(b.sink.events), obligations(c.sink.events.slice(mark)));
  assert.deepEqual(b.e.obligationViews({}), c.e.obligationViews({}));
});
