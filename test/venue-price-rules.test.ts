// Price rules of crypto, futures and Asian venues through the engine, each with
// its source: Binance PERCENT_PRICE_BY_SIDE on the weighted average price of the
// last avgPriceMins, CME velocity logic re-anchored after a halt, China's daily
// limits rounded half-up, a CME protected market order's remainder resting at
// its protection price, and MiFID II RTS 11 tick sizes by liquidity band.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.ts';
import { PhaseCause, RecordingSink } from '../engine/events.ts';
import { makeInstrument, tickAt, type InstrumentConfig, type TickBand } from '../engine/instrument.ts';
import type { InstrumentRulesConfig } from '../engine/rules/config.ts';
import { CancelReason, OrdType, RejectReason, Side, TimeInForce, TradingPhase } from '../engine/types.ts';
import { defaultConfig } from '../gateway/config.ts';

const S = 1_000_000; // µs per second
const MIN = 60 * S;

function inst(rules: InstrumentRulesConfig, extra: Partial<InstrumentConfig> = {}): InstrumentConfig {
  return { symbol: 'X', price_scale: 2, qty_scale: 0, tick_size: 1, lot: 1, min_qty: 1, max_qty: 10_000, max_price: 10_000_000, maker_fee_bp: 0, taker_fee_bp: 0, rules, ...extra };
}

function setup(cfg: InstrumentConfig): { e: Engine; sink: RecordingSink } {
  const sink = new RecordingSink();
  const e = new Engine({ instruments: [cfg], sink });
  e.addAccount({ name: 'a' });
  e.addAccount({ name: 'b' });
  return { e, sink };
}

/** A trade of qty at price at time t (b sells, a buys). */
function trade(e: Engine, t: number, price: number, qty: number): void {
  assert.ok(e.newOrder({ time: t, account: 2, symbol: 'X', side: Side.SELL, price, qty }) > 0);
  assert.ok(e.newOrder({ time: t, account: 1, symbol: 'X', side: Side.BUY, price, qty, tif: TimeInForce.IOC }) > 0);
}

// Binance spot filters, PERCENT_PRICE_BY_SIDE (binance-spot-api-docs filters.md): a BUY must be within
// [weightedAveragePrice × bidMultiplierDown, weightedAveragePrice × bidMultiplierUp], a SELL within the ask
// multipliers; the weighted average is over the last avgPriceMins minutes (0 = the last price).
test('PERCENT_PRICE_BY_SIDE: the band is centred on the quantity-weighted average of the last 5 minutes, not the last trade', () => {
  const { e, sink } = setup(inst({
    price_band_by_side: { bid_up_bp: 1000, bid_down_bp: 2000, ask_up_bp: 2000, ask_down_bp: 1000 }, reference_price: 100_00, price_band_average_ms: 300_000,
  }));
  const t0 = 1000 * S;
  const order = (t: number, side: Side, price: number): number => e.newOrder({ time: t, account: 1, symbol: 'X', side, price, qty: 1 });
  trade(e, t0, 100_00, 3);
  trade(e, t0 + MIN, 110_00, 1);
  // weighted average (3 × 100.00 + 1 × 110.00) ÷ 4 = 102.50; the last trade is 110.00
  assert.equal(e.priceControls('X')?.referencePrice, 102_50);
  const t = t0 + 2 * MIN;
  // BUY: [102.50 × 0.8, 102.50 × 1.1] = [82.00, 112.75]
  assert.ok(order(t, Side.BUY, 112_75) > 0);
  assert.equal(order(t, Side.BUY, 112_76), 0, 'centred on the last trade the limit would be 121.00');
  assert.equal(sink.orders().at(-1)?.reason, RejectReason.PRICE_BAND);
  assert.match(sink.orders().at(-1)?.text ?? '', /band \[8200, 11275\] \(weighted average price 10250\)/);
  assert.ok(order(t, Side.BUY, 82_00) > 0);
  assert.equal(order(t, Side.BUY, 81_99), 0);
  // SELL: [102.50 × 0.9, 102.50 × 1.2] = [92.25, 123.00]
  assert.ok(order(t, Side.SELL, 123_00) > 0);
  assert.equal(order(t, Side.SELL, 123_01), 0);
  assert.ok(order(t, Side.SELL, 112_76) > 0);
  e.massCancel({ time: t, account: 1 });
  // 5 minutes after the first trade it leaves the window: the average is the 110.00 trade alone
  const t2 = t0 + 5 * MIN;
  assert.equal(e.priceControls('X')?.referencePrice, 102_50, 'the first trade is still inside (t0, t0 + 5 min] … ');
  e.advanceTime(t2 + 1);
  assert.equal(e.priceControls('X')?.referencePrice, 110_00, '… and gone 1 µs later');
  assert.ok(order(t2 + 1, Side.BUY, 121_00) > 0);
  assert.equal(order(t2 + 1, Side.BUY, 121_01), 0);
  // no trade in the last 5 minutes: the band is centred on the last trade price
  const t3 = t0 + MIN + 5 * MIN + 1;
  e.advanceTime(t3);
  assert.equal(e.priceControls('X')?.referencePrice, 110_00);
  assert.ok(order(t3, Side.BUY, 121_00) > 0);
  assert.equal(order(t3, Side.BUY, 121_01), 0);
});

test('PERCENT_PRICE_BY_SIDE: before any trade the configured reference centres the band; an admin reference replaces the average', () => {
  const { e } = setup(inst({ price_band_by_side: { bid_up_bp: 500, bid_down_bp: 500, ask_up_bp: 500, ask_down_bp: 500 }, reference_price: 100_00, price_band_average_ms: 300_000 }));
  const buy = (t: number, price: number): number => e.newOrder({ time: t, account: 1, symbol: 'X', side: Side.BUY, price, qty: 1 });
  assert.ok(buy(S, 105_00) > 0);
  assert.equal(buy(S, 105_01), 0);
  e.massCancel({ time: S, account: 1 });
  trade(e, 2 * S, 100_00, 1);
  trade(e, 3 * S, 102_00, 1);
  assert.equal(e.priceControls('X')?.referencePrice, 101_00);
  assert.equal(e.setReference({ time: 4 * S, symbol: 'X', referencePrice: 200_00 }), 1);
  assert.equal(e.priceControls('X')?.referencePrice, 200_00);
  assert.ok(buy(5 * S, 210_00) > 0);
});

// CME Globex velocity logic (CME Group, "Velocity Logic"): after the pre-open that a velocity event
// starts, the market reopens and velocity is measured afresh from the reopening price; the trades
// before the event no longer count.
test('velocity: after a velocity halt the window re-anchors at the reopening price — the first continuous trade there does not halt again', () => {
  const { e, sink } = setup(inst({ velocity: { ticks: 10, window_ms: 10_000, halt_ms: 500 } }, { price_scale: 0, max_price: 100_000 }));
  trade(e, 0, 100, 1);
  assert.ok(e.newOrder({ time: 1, account: 2, symbol: 'X', side: Side.SELL, price: 110, qty: 2 }) > 0);
  e.newOrder({ time: S, account: 1, symbol: 'X', side: Side.BUY, price: 110, qty: 1, tif: TimeInForce.IOC });
  assert.equal(e.phaseOf('X'), TradingPhase.HALTED, '110 is 10 ticks from the trade at 100: velocity halt');
  assert.equal(sink.fills().length, 1);
  // a buyer at 110 waits in the halted book; the reopening auction uncrosses at 110
  assert.ok(e.newOrder({ time: S + 100, account: 1, symbol: 'X', side: Side.BUY, price: 110, qty: 1 }) > 0);
  e.advanceTime(S + 500_000);
  assert.equal(e.phaseOf('X'), TradingPhase.CONTINUOUS);
  assert.deepEqual(sink.fills().map((f) => f.price), [100, 110], 'the reopening uncross at 110');
  // 2 s after the trade at 100 (inside the 10 s window): a continuous trade at the reopening price
  e.newOrder({ time: 2 * S, account: 1, symbol: 'X', side: Side.BUY, price: 110, qty: 1, tif: TimeInForce.IOC });
  assert.deepEqual(sink.fills().map((f) => f.price), [100, 110, 110]);
  assert.equal(e.phaseOf('X'), TradingPhase.CONTINUOUS, 'measured from 110, not from 100');
  // velocity is still on, from the new anchor: 10 ticks above 110 halts
  assert.ok(e.newOrder({ time: 3 * S, account: 2, symbol: 'X', side: Side.SELL, price: 120, qty: 1 }) > 0);
  e.newOrder({ time: 3 * S, account: 1, symbol: 'X', side: Side.BUY, price: 120, qty: 1, tif: TimeInForce.IOC });
  assert.equal(e.phaseOf('X'), TradingPhase.HALTED);
  const last = sink.events.filter((x) => x.type === 'phase').at(-1) as { cause: number };
  assert.equal(last.cause, PhaseCause.VELOCITY);
});

// SSE and SZSE price limits (SSE Trading Rules, price limits; the exchanges' 1996 price-limit notice):
// limit = previous close × (1 ± 10 %), the result rounded (四舍五入, half-up) to the 0.01 CNY tick.
test('daily limits half-up (SSE/SZSE): previous close 10.07 → limits 9.06 and 11.08; inward rounding would give 9.07 and 11.07', () => {
  const china = setup(inst({ daily_limit_bp: 1000, daily_limit_rounding: 'half_up', previous_close: 10_07 }, { max_price: 100_000 }));
  // 10.07 × 0.9 = 9.063 → 9.06; 10.07 × 1.1 = 11.077 → 11.08
  assert.deepEqual(china.e.priceControls('X')?.dailyLimits, { lower: 9_06, upper: 11_08 });
  const order = (side: Side, price: number): number => china.e.newOrder({ time: 1, account: 1, symbol: 'X', side, price, qty: 1 });
  assert.ok(order(Side.BUY, 11_08) > 0);
  assert.equal(order(Side.BUY, 11_09), 0);
  assert.equal(china.sink.orders().at(-1)?.reason, RejectReason.PRICE_LIMIT);
  assert.ok(order(Side.SELL, 9_06) > 0);
  assert.equal(order(Side.SELL, 9_05), 0);
  // an exact half rounds up: 10.05 × 1.1 = 11.055 → 11.06; 10.05 × 0.9 = 9.045 → 9.05
  assert.equal(china.e.setReference({ time: 2, symbol: 'X', previousClose: 10_05 }), 1);
  assert.deepEqual(china.e.priceControls('X')?.dailyLimits, { lower: 9_05, upper: 11_06 });
  const inward = setup(inst({ daily_limit_bp: 1000, previous_close: 10_07 }, { max_price: 100_000 }));
  assert.deepEqual(inward.e.priceControls('X')?.dailyLimits, { lower: 9_07, upper: 11_07 });
});

// CME Globex market orders with protection (CME Group, "Market Orders with Protection" / domain.md §4):
// the order trades up to its protection price; the unfilled remainder rests as a limit order at that price.
test('market_remainder rest (CME): a market order buys to its protection price and the remainder rests there as a limit', () => {
  const { e, sink } = setup(inst({}, { price_scale: 0, max_price: 100_000, market_protection_bp: 500, market_remainder: 'rest' }));
  assert.ok(e.newOrder({ time: 1, account: 2, symbol: 'X', side: Side.SELL, price: 1000, qty: 2 }) > 0);
  assert.ok(e.newOrder({ time: 1, account: 2, symbol: 'X', side: Side.SELL, price: 1050, qty: 3 }) > 0);
  assert.ok(e.newOrder({ time: 1, account: 2, symbol: 'X', side: Side.SELL, price: 1051, qty: 1 }) > 0);
  // protection: best ask 1000 + 5 % = 1050
  // no time in force: CME's day order, here GTC
  const id = e.newOrder({ time: 2, account: 1, symbol: 'X', side: Side.BUY, ordType: OrdType.MARKET, qty: 10 });
  assert.ok(id > 0);
  assert.deepEqual(sink.fills().map((f) => [f.price, f.qty]), [[1000, 2], [1050, 3]]);
  const o = e.order(id);
  assert.ok(o, 'the remainder rests');
  assert.deepEqual([o.price, o.leaves, o.ordType, o.tif], [1050, 5, OrdType.LIMIT, TimeInForce.GTC]);
  assert.deepEqual(e.depth('X', 1)?.bids, [{ price: 1050, qty: 5, count: 1 }]);
  // an IOC market order (CME FAK) still cancels its remainder
  const ioc = e.newOrder({ time: 3, account: 1, symbol: 'X', side: Side.BUY, ordType: OrdType.MARKET, tif: TimeInForce.IOC, qty: 5 });
  assert.equal(sink.orders().filter((x) => x.orderId === ioc).at(-1)?.reason, CancelReason.MARKET_REMAINDER);
  // an explicit GTC market sell rests at best bid 1050 − 5 % = 997.5 → 998 (the lower edge ceils to the tick)
  const gtc = e.newOrder({ time: 4, account: 2, symbol: 'X', side: Side.SELL, ordType: OrdType.MARKET, tif: TimeInForce.GTC, qty: 7 });
  assert.deepEqual(sink.fills().slice(-1).map((f) => [f.price, f.qty]), [[1050, 5]]);
  assert.deepEqual([e.order(gtc)?.price, e.order(gtc)?.leaves], [998, 2]);
});

test('market_remainder cancel (default): a market order must be IOC or FOK and its remainder beyond the protection price is cancelled', () => {
  const { e, sink } = setup(inst({}, { price_scale: 0, max_price: 100_000, market_protection_bp: 500 }));
  assert.ok(e.newOrder({ time: 1, account: 2, symbol: 'X', side: Side.SELL, price: 1000, qty: 2 }) > 0);
  assert.equal(e.newOrder({ time: 2, account: 1, symbol: 'X', side: Side.BUY, ordType: OrdType.MARKET, tif: TimeInForce.GTC, qty: 10 }), 0);
  assert.equal(sink.orders().at(-1)?.reason, RejectReason.INVALID_FIELD);
  const id = e.newOrder({ time: 2, account: 1, symbol: 'X', side: Side.BUY, ordType: OrdType.MARKET, qty: 10 });
  assert.deepEqual(sink.fills().map((f) => [f.price, f.qty]), [[1000, 2]]);
  assert.equal(e.order(id), null);
  assert.equal(sink.orders().at(-1)?.reason, CancelReason.MARKET_REMAINDER);
});

// MiFID II RTS 11 (Commission Delegated Regulation (EU) 2017/588), Annex: the tick by price range ×
// liquidity band (average daily number of transactions); band 6 is ADNT ≥ 9,000.
test('rts11_liquidity_band: the Annex row of the band, merged, in the price scale; finer than the scale is a config error', () => {
  const table = (band: number, scale: number, max = 100_000_000): TickBand[] =>
    makeInstrument({ symbol: 'Y', price_scale: scale, qty_scale: 0, rts11_liquidity_band: band, lot: 1, min_qty: 1, max_qty: 1, max_price: max, maker_fee_bp: 0, taker_fee_bp: 0 }, 0).tickTable as TickBand[];
  // band 6 at price scale 4 up to 1,000: 0.0001 below 1, 0.0002 from 1, … 0.1 from 500, 0.2 from 1,000
  assert.deepEqual(table(6, 4, 1000_0000), [
    { from_price: 0, tick: 1 }, { from_price: 1_0000, tick: 2 }, { from_price: 2_0000, tick: 5 }, { from_price: 5_0000, tick: 10 },
    { from_price: 10_0000, tick: 20 }, { from_price: 20_0000, tick: 50 }, { from_price: 50_0000, tick: 100 }, { from_price: 100_0000, tick: 200 },
    { from_price: 200_0000, tick: 500 }, { from_price: 500_0000, tick: 1000 }, { from_price: 1000_0000, tick: 2000 },
  ]);
  // domain.md: price 10–20, tick 0.1 (band 1) … 0.002 (band 6)
  const at15 = (band: number): number => tickAt(makeInstrument({ symbol: 'Y', price_scale: 4, qty_scale: 0, rts11_liquidity_band: band, lot: 1, min_qty: 1, max_qty: 1, max_price: 1000_0000, maker_fee_bp: 0, taker_fee_bp: 0 }, 0), 15_0000);
  assert.deepEqual([1, 2, 3, 4, 5, 6].map(at15), [1000, 500, 200, 100, 50, 20]);
  assert.throws(() => table(1, 2), /rts11_liquidity_band: liquidity band 1 has a tick of 0.0005 from 0: more decimals than price_scale 2/);
  assert.throws(() => makeInstrument({ symbol: 'Y', price_scale: 4, qty_scale: 0, rts11_liquidity_band: 6, tick_size: 1, lot: 1, min_qty: 1, max_qty: 1, max_price: 1, maker_fee_bp: 0, taker_fee_bp: 0 }, 0),
    /give only one of tick_size, tick_table and rts11_liquidity_band, not both/);
});

test('ACME on the built-in venue follows RTS 11 liquidity band 6: 10.001 is off tick (0.002 from 10), 10.002 is on it', () => {
  const acme = defaultConfig().instruments.find((i) => i.symbol === 'ACME');
  assert.ok(acme);
  assert.equal(acme.rts11_liquidity_band, 6);
  const sink = new RecordingSink();
  const e = new Engine({ instruments: [acme], sink });
  e.addAccount({ name: 'a' });
  assert.equal(e.newOrder({ time: 1, account: 1, symbol: 'ACME', side: Side.BUY, price: 10_0010, qty: 100 }), 0);
  assert.equal(sink.orders().at(-1)?.reason, RejectReason.PRICE_OFF_TICK);
  assert.ok(e.newOrder({ time: 1, account: 1, symbol: 'ACME', side: Side.BUY, price: 10_0020, qty: 100 }) > 0);
  assert.ok(e.newOrder({ time: 1, account: 1, symbol: 'ACME', side: Side.BUY, price: 9_9990, qty: 100 }) > 0, '0.001 below 10');
});
