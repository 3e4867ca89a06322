// The bots' maths against hand-computed values: Avellaneda–Stoikov
// reservation price, spread and quotes; the rolling horizon; the volatility
// estimate; and placing ideal prices on a tick grid without crossing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asQuotes, optimalSpread, reservationPrice, timeLeft, VolatilityEstimator } from '../client/bots/as-model.ts';
import { placeOnGrid, symmetricQuotes } from '../client/bots/quoting.ts';
import { avellanedaStoikovStrategy } from '../client/bots/avellaneda-stoikov.ts';
import { Instrument } from '../client/instrument.ts';
import { OwnOrders } from '../client/bots/own-orders.ts';
import type { ExecutionReport } from '../client/reports.ts';
import type { BookLevel } from '../client/local-book.ts';

const close = (actual: number, expected: number, eps = 1e-9): void =>
  assert.ok(Math.abs(actual - expected) <= eps, `${actual} ≠ ${expected}`);

test('reservation price: r = s − q·γ·σ²·(T − t)', () => {
  // s = 100, q = 2, γ = 0.1, σ = 2, τ = 0.5: r = 100 − 2·0.1·4·0.5 = 99.6
  close(reservationPrice(100, 2, 0.1, 2, 0.5), 99.6);
  close(reservationPrice(100, -2, 0.1, 2, 0.5), 100.4, 1e-12); // short: quotes move up to buy back
  close(reservationPrice(100, 0, 0.1, 2, 0.5), 100);
  close(reservationPrice(100, 5, 0.1, 2, 0), 100); // no time left, no inventory risk
});

test('optimal spread: δ = γ·σ²·(T − t) + (2/γ)·ln(1 + γ/κ)', () => {
  // γ = 0.1, σ = 2, τ = 0.5, κ = 1.5: 0.2 + 20·ln(16/15) = 0.2 + 1.29077042275… = 1.49077042275…
  close(optimalSpread(0.1, 2, 0.5, 1.5), 1.4907704227514234);
  // the bot's defaults at the start of a 30 s horizon, σ = 1 tick: 1.5 + 40·ln(1.1) = 5.31240719217…
  close(optimalSpread(0.05, 1, 30, 0.5), 5.312407192172994);
  // τ → 0 leaves the liquidity term alone
  close(optimalSpread(0.05, 1, 0, 0.5), 40 * Math.log(1.1));
});

test('quotes r ± δ/2, and a huge γ pushes them out of reach (a withdrawal in effect)', () => {
  const q = asQuotes(100, 2, 2, 0.5, { gamma: 0.1, kappa: 1.5 });
  close(q.reservation, 99.6);
  close(q.spread, 1.4907704227514234);
  close(q.bid, 99.6 - 1.4907704227514234 / 2);
  close(q.ask, 99.6 + 1.4907704227514234 / 2);
  const crisis = asQuotes(100, 0, 2, 0.5, { gamma: 100, kappa: 1.5 });
  assert.ok(crisis.spread > 200);
  assert.throws(() => asQuotes(100, 0, 1, 1, { gamma: 0, kappa: 1 }), RangeError);
});

test('rolling horizon: T − t counts down and restarts', () => {
  assert.equal(timeLeft(1000, 1000, 30), 30);
  assert.equal(timeLeft(1025, 1000, 30), 5);
  assert.equal(timeLeft(1030, 1000, 30), 30);
  assert.equal(timeLeft(1065, 1000, 30), 25);
  assert.equal(timeLeft(990, 1000, 30), 30, 'a clock before the start counts as the start');
});

test('volatility: starts at the prior, learns (Δmid)²/Δt, tolerates uneven sampling', () => {
  const v = new VolatilityEstimator(3, 1, 4);
  assert.equal(v.sigma(), 3);
  // the mid moves 1 per second for a long time: variance per second → 1
  for (let t = 0; t <= 60; t++) v.observe(t, t % 2);
  close(v.sigma(), 1, 1e-9);
  // the same variance sampled every 4 s (moves of 2 per 4 s) keeps σ at 1
  const w = new VolatilityEstimator(3, 1, 4);
  for (let t = 0; t <= 240; t += 4) w.observe(t, (t / 4) % 2 === 0 ? 0 : 2);
  close(w.sigma(), 1, 1e-9);
  // a flat mid decays σ toward 0; samples at the same instant are ignored
  const f = new VolatilityEstimator(1, 1, 1);
  for (let t = 0; t <= 30; t++) f.observe(t, 5);
  f.observe(30, 1e9);
  assert.ok(f.sigma() < 1e-4);
});

/** BTC-USD units: tick 1 (0.1 USD). ACME: tick 5 between 10 and 100 (price_scale 4). */
const grid = (ticks: { from_price: number; tick: number }[]): Instrument => new Instrument({
  symbol: 'T', price_scale: 4, qty_scale: 0, cash_scale: 6, tick_table: ticks, lot: 1, min_qty: 1, max_qty: 1000,
  min_price: 1, max_price: 100_000_000, min_notional: 0, maker_fee_bp: 0, taker_fee_bp: 0, market_protection_bp: 500, trading_phase: 1,
});
const TICK1 = grid([{ from_price: 0, tick: 1 }]);
const BANDED = grid([{ from_price: 0, tick: 1 }, { from_price: 100_000, tick: 5 }, { from_price: 1_000_000, tick: 50 }]);

test('grid placement: bid down, ask up, never crossing the others\' best, at least a tick wide', () => {
  assert.deepEqual(placeOnGrid({ bid: 1000.7, ask: 1001.2 }, TICK1, { bestBid: null, bestAsk: null }), { bid: 1000, ask: 1002 });
  assert.deepEqual(placeOnGrid({ bid: 1003.2, ask: 1006 }, TICK1, { bestBid: 999, bestAsk: 1002 }), { bid: 1001, ask: 1006 });
  assert.deepEqual(placeOnGrid({ bid: 990, ask: 994.5 }, TICK1, { bestBid: 999, bestAsk: 1002 }), { bid: 990, ask: 1000 });
  assert.deepEqual(placeOnGrid({ bid: 1000.2, ask: 1000.4 }, TICK1, { bestBid: null, bestAsk: null }), { bid: 1000, ask: 1001 });
  assert.deepEqual(placeOnGrid({ bid: 100_003, ask: 100_004 }, BANDED, { bestBid: null, bestAsk: null }), { bid: 100_000, ask: 100_005 });
});

test('naive quotes: ±N ticks around the mid; an odd-tick spread is joined, not widened', () => {
  const open = { bestBid: null, bestAsk: null };
  assert.deepEqual(symmetricQuotes(1000, 2, TICK1, open), { bid: 998, ask: 1002 });
  assert.deepEqual(symmetricQuotes(1000.5, 1, TICK1, { bestBid: 1000, bestAsk: 1001 }), { bid: 1000, ask: 1001 });
  assert.deepEqual(symmetricQuotes(100_000, 1, BANDED, open), { bid: 99_999, ask: 100_005 });
});

test('A–S strategy: model in ticks, inventory in quote sizes, quotes on the grid', () => {
  const start = 1_700_000_000_000;
  const s = avellanedaStoikovStrategy({ gamma: 0.05, kappa: 0.5, sigma: 1, horizon: 30, volHalfLife: 60 }, start);
  // long two quote sizes at the start of the horizon, σ = 1 tick:
  // r = mid − 2·0.05·1·30 = mid − 3 ticks; δ = 5.3124 ticks → bid mid − 5.656, ask mid − 0.344 (in ticks)
  const ctx = { market: { bestBid: null, bestAsk: null }, inventory: 20, size: 10, nowMs: start };
  assert.deepEqual(s.quote({ ...ctx, inst: TICK1, mid: 1_000_000 }), { bid: 999_994, ask: 1_000_000 });
  // the same in a band with a 5-unit tick: every distance scales with the tick
  assert.deepEqual(s.quote({ ...ctx, inst: BANDED, mid: 500_000 }), { bid: 499_970, ask: 500_000 });
  // flat: symmetric, r = mid; δ/2 = 2.656 ticks → mid − 3 / mid + 3
  assert.deepEqual(s.quote({ ...ctx, inventory: 0, inst: TICK1, mid: 1_000_000 }), { bid: 999_997, ask: 1_000_003 });
  // near the end of the horizon the inventory term fades: τ = 1 s, r = mid − 0.1
  const late = s.quote({ ...ctx, nowMs: start + 29_000, inst: TICK1, mid: 1_000_000 });
  assert.deepEqual(late, { bid: 999_997, ask: 1_000_002 });
});

test('own orders: a book as of an earlier exchange time loses the quotes that rested then, not those that rest now', () => {
  const own = new OwnOrders('X');
  const report = (orderId: number, side: 'buy' | 'sell', price: number, leaves: number, time: number): ExecutionReport =>
    ({ symbol: 'X', orderId, side, ordStatus: leaves > 0 ? 'new' : 'canceled', transactTime: time, raw: { price, leaves_qty: leaves } }) as unknown as ExecutionReport;
  own.onReport(report(1, 'buy', 99, 10, 100));
  own.onReport(report(2, 'sell', 101, 10, 100));
  // requoted at t = 200: the old pair cancelled, a new pair at 98 / 102
  for (const r of [report(1, 'buy', 99, 0, 200), report(2, 'sell', 101, 0, 200), report(3, 'buy', 98, 10, 200), report(4, 'sell', 102, 10, 200)]) own.onReport(r);
  const lv = (price: number, qty: number): BookLevel => ({ price, qty, count: 1 });
  const lagging = { bids: [lv(99, 10), lv(97, 5)], asks: [lv(101, 10), lv(103, 5)] };
  // the feed still shows the t = 150 book: the old quotes are ours, the others' market is 97 / 103
  assert.deepEqual(own.externalView(lagging.bids, lagging.asks, 150), { bestBid: 97, bestAsk: 103 });
  const current = { bids: [lv(98, 10), lv(97, 5)], asks: [lv(102, 10), lv(103, 5)] };
  assert.deepEqual(own.externalView(current.bids, current.asks, 200), { bestBid: 97, bestAsk: 103 });
  assert.equal(own.size, 2);
  // as of now (a snapshot), only what rests now is ours
  assert.deepEqual(own.externalView(lagging.bids, lagging.asks), { bestBid: 99, bestAsk: 101 });
});
