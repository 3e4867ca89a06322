// Price controls, clock-driven and exact: the static percent band and the
// daily limits at their boundary prices, the LULD band (price sliding, an
// aggressor stopped at the band, limit state → halt after exactly T, the
// reopening auction), velocity halts and the market-wide breaker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.ts';
import { PhaseCause, RecordingSink, RuleEventKind, type RecordedEvent } from '../engine/events.ts';
import type { InstrumentConfig } from '../engine/instrument.ts';
import type { InstrumentRulesConfig, RulesConfig } from '../engine/rules/config.ts';
import { CancelReason, OrdType, RejectReason, Side, TimeInForce, TradingPhase } from '../engine/types.ts';

const S = 1_000_000; // µs per second

function inst(symbol: string, rules: InstrumentRulesConfig, extra: Partial<InstrumentConfig> = {}): InstrumentConfig {
  return { symbol, price_scale: 0, qty_scale: 0, tick_size: 1, lot: 1, min_qty: 1, max_qty: 1000, max_price: 100_000, maker_fee_bp: 0, taker_fee_bp: 0, rules, ...extra };
}

function setup(instruments: InstrumentConfig[], rules?: RulesConfig): { e: Engine; sink: RecordingSink } {
  const sink = new RecordingSink();
  const e = new Engine({ instruments, sink, rules });
  e.addAccount({ name: 'a' });
  e.addAccount({ name: 'b' });
  return { e, sink };
}

const lastReject = (sink: RecordingSink): number => sink.orders().at(-1)?.reason ?? -1;
const phases = (sink: RecordingSink): RecordedEvent[] => sink.events.filter((x) => x.type === 'phase');

test('static band: the boundary prices pass, one tick beyond is PRICE_BAND; the reference follows the last trade', () => {
  const { e, sink } = setup([inst('X', { price_band_bp: 500, reference_price: 1000 })]);
  const buy = (price: number): number => e.newOrder({ time: 1, account: 1, symbol: 'X', side: Side.BUY, price, qty: 1 });
  assert.ok(buy(1050) > 0, '1000 × 1.05 is inside');
  assert.equal(buy(1051), 0);
  assert.equal(lastReject(sink), RejectReason.PRICE_BAND);
  assert.match(sink.orders().at(-1)?.text ?? '', /band \[950, 1050\]/);
  assert.ok(buy(950) > 0);
  assert.equal(buy(949), 0);
  // a sell hits the resting bid at 1050: the reference moves there, band [998, 1102]
  e.newOrder({ time: 2, account: 2, symbol: 'X', side: Side.SELL, price: 1040, qty: 1 });
  assert.equal(e.priceControls('X')?.referencePrice, 1050);
  assert.ok(buy(1102) > 0);
  assert.equal(buy(1103), 0);
  assert.ok(buy(998) > 0);
  assert.equal(buy(997), 0);
  // an admin-set reference replaces it
  assert.equal(e.setReference({ time: 3, symbol: 'X', referencePrice: 2000 }), 1);
  assert.ok(buy(2100) > 0);
  assert.equal(buy(1899), 0);
});

test('static band by side (PERCENT_PRICE_BY_SIDE)', () => {
  const { e, sink } = setup([inst('X', { price_band_by_side: { bid_up_bp: 100, bid_down_bp: 500, ask_up_bp: 500, ask_down_bp: 100 }, reference_price: 1000 })]);
  const order = (side: Side, price: number): number => e.newOrder({ time: 1, account: 1, symbol: 'X', side, price, qty: 1 });
  assert.ok(order(Side.BUY, 1010) > 0);
  assert.equal(order(Side.BUY, 1011), 0);
  assert.ok(order(Side.BUY, 950) > 0);
  assert.equal(order(Side.BUY, 949), 0);
  assert.ok(order(Side.SELL, 1050) > 0);
  assert.equal(order(Side.SELL, 1051), 0);
  assert.ok(order(Side.SELL, 990) > 0);
  assert.equal(order(Side.SELL, 989), 0);
  assert.equal(lastReject(sink), RejectReason.PRICE_BAND);
});

test('daily limits: ± bp of the previous close rounded inward to the tick; a market order stops at the limit', () => {
  const { e, sink } = setup([inst('X', { daily_limit_bp: 1234, previous_close: 1000 }, { tick_size: 5 })]);
  // 1000 ± 123 → [877, 1123] → inward on the 5 grid: [880, 1120]
  assert.deepEqual(e.priceControls('X')?.dailyLimits, { lower: 880, upper: 1120 });
  const order = (side: Side, price: number): number => e.newOrder({ time: 1, account: 1, symbol: 'X', side, price, qty: 1 });
  assert.ok(order(Side.SELL, 1120) > 0);
  assert.equal(order(Side.SELL, 1125), 0);
  assert.equal(lastReject(sink), RejectReason.PRICE_LIMIT);
  assert.ok(order(Side.BUY, 880) > 0);
  assert.equal(order(Side.BUY, 875), 0);
  // a market buy (protection 5 % above 1120 = 1176) is capped at the limit up
  e.newOrder({ time: 2, account: 2, symbol: 'X', side: Side.SELL, price: 1120, qty: 1 });
  const id = e.newOrder({ time: 2, account: 2, symbol: 'X', side: Side.BUY, ordType: OrdType.MARKET, qty: 5 });
  assert.ok(id > 0);
  const accepted = sink.orders().find((o) => o.orderId === id);
  assert.equal(accepted?.price, 1120);
  assert.deepEqual(sink.fills().map((f) => [f.price, f.qty]), [[1120, 1], [1120, 1]]);
});

test('LULD: orders slide to the band, an IOC stops there, limit state halts after exactly T, the reopening auction trades', () => {
  const luld = { band_bp: 500, window_ms: 300_000, limit_state_ms: 15_000, halt_ms: 300_000 };
  const { e, sink } = setup([inst('X', { luld, reference_price: 1000 })]);
  assert.deepEqual(e.priceControls('X')?.dynamicBand, { lower: 950, upper: 1050 });
  e.newOrder({ time: 1 * S, account: 2, symbol: 'X', side: Side.SELL, price: 1060, qty: 5 });
  // a buy limit through the band is re-priced to it and rests there: no trade at 1060
  const t0 = 2 * S;
  const bid = e.newOrder({ time: t0, account: 1, symbol: 'X', side: Side.BUY, price: 1100, qty: 3 });
  assert.equal(sink.orders().find((o) => o.orderId === bid)?.price, 1050);
  assert.equal(sink.fills().length, 0);
  assert.deepEqual(e.bestBid('X'), { price: 1050, qty: 3, count: 1 });
  const on = sink.events.filter((x) => x.type === 'rule' && x.kind === RuleEventKind.LIMIT_STATE_ON);
  assert.equal(on.length, 1, 'the bid at the upper band is a limit state');
  assert.equal((on[0] as { until: number }).until, t0 + 15 * S);
  // an IOC through the band is cancelled at the band
  const ioc = e.newOrder({ time: t0 + S, account: 1, symbol: 'X', side: Side.BUY, price: 1100, qty: 1, tif: TimeInForce.IOC });
  const end = sink.orders().filter((o) => o.orderId === ioc).at(-1);
  assert.equal(end?.reason, CancelReason.PRICE_BAND);

  e.advanceTime(t0 + 15 * S - 1);
  assert.equal(e.phaseOf('X'), TradingPhase.CONTINUOUS, '1 µs before T');
  e.advanceTime(t0 + 15 * S);
  assert.equal(e.phaseOf('X'), TradingPhase.HALTED, 'exactly T');
  const halt = phases(sink).at(-1) as { cause: number; until: number };
  assert.deepEqual([halt.cause, halt.until], [PhaseCause.LIMIT_STATE, t0 + 315 * S]);

  // during the pause a seller at the band is queued; the reopening auction crosses it
  assert.ok(e.newOrder({ time: t0 + 20 * S, account: 2, symbol: 'X', side: Side.SELL, price: 1050, qty: 2 }) > 0);
  assert.equal(sink.fills().length, 0);
  e.advanceTime(t0 + 315 * S);
  assert.equal(e.phaseOf('X'), TradingPhase.CONTINUOUS);
  assert.deepEqual(sink.fills().map((f) => [f.price, f.qty, f.auction]), [[1050, 2, true]]);
  assert.equal((phases(sink).at(-1) as { cause: number }).cause, PhaseCause.HALT_END);
});

test('LULD: the band follows the mean trade price of the window, and keeps the last mean when the window empties', () => {
  const { e } = setup([inst('X', { luld: { band_bp: 1000, window_ms: 60_000 }, reference_price: 1000 })]);
  const trade = (t: number, price: number): void => {
    e.newOrder({ time: t, account: 2, symbol: 'X', side: Side.SELL, price, qty: 1 });
    e.newOrder({ time: t, account: 1, symbol: 'X', side: Side.BUY, price, qty: 1 });
  };
  trade(1 * S, 1000);
  trade(2 * S, 1030);
  assert.deepEqual(e.priceControls('X')?.dynamicBand, { lower: 914, upper: 1116 }, 'mean 1015 ± 101');
  e.advanceTime(61 * S + 1);
  assert.deepEqual(e.priceControls('X')?.dynamicBand, { lower: 927, upper: 1133 }, 'only 1030 left in the window: ± 103');
  e.advanceTime(200 * S);
  assert.deepEqual(e.priceControls('X')?.dynamicBand, { lower: 927, upper: 1133 }, 'empty window keeps the last mean');
});

test('velocity: an aggressor reaching N ticks from a trade of the window stops there and halts the instrument', () => {
  const { e, sink } = setup([inst('X', { velocity: { ticks: 10, window_ms: 1000, halt_ms: 60_000 } })]);
  e.newOrder({ time: 0, account: 2, symbol: 'X', side: Side.SELL, price: 100, qty: 1 });
  e.newOrder({ time: 0, account: 1, symbol: 'X', side: Side.BUY, price: 100, qty: 1 });
  e.newOrder({ time: 1, account: 2, symbol: 'X', side: Side.SELL, price: 109, qty: 1 });
  e.newOrder({ time: 1, account: 2, symbol: 'X', side: Side.SELL, price: 110, qty: 1 });
  const t = S / 2;
  const ioc = e.newOrder({ time: t, account: 1, symbol: 'X', side: Side.BUY, price: 120, qty: 2, tif: TimeInForce.IOC });
  assert.deepEqual(sink.fills().map((f) => f.price), [100, 109], '109 is 9 ticks away: trades; 110 would be 10: stops');
  assert.equal(sink.orders().filter((o) => o.orderId === ioc).at(-1)?.reason, CancelReason.HALT, 'the triggering IOC is eliminated');
  assert.equal(e.phaseOf('X'), TradingPhase.HALTED);
  const halt = phases(sink).at(-1) as { cause: number; until: number };
  assert.deepEqual([halt.cause, halt.until], [PhaseCause.VELOCITY, t + 60 * S]);
  // a limit order that would trigger it instead rests, in the halted book
  e.setPhase({ time: t + 1, symbol: 'X', phase: TradingPhase.CONTINUOUS });
  assert.equal(e.phaseOf('X'), TradingPhase.CONTINUOUS);
});

test('velocity: once the window slid past the old trades the same move is allowed', () => {
  const { e, sink } = setup([inst('X', { velocity: { ticks: 10, window_ms: 1000, halt_ms: 60_000 } })]);
  e.newOrder({ time: 0, account: 2, symbol: 'X', side: Side.SELL, price: 100, qty: 1 });
  e.newOrder({ time: 0, account: 1, symbol: 'X', side: Side.BUY, price: 100, qty: 1 });
  e.newOrder({ time: 1, account: 2, symbol: 'X', side: Side.SELL, price: 115, qty: 1 });
  e.newOrder({ time: 1000 * 1000, account: 1, symbol: 'X', side: Side.BUY, price: 115, qty: 1 });
  assert.deepEqual(sink.fills().map((f) => f.price), [100, 115], 'the trade at 0 left the (now − 1 s, now] window');
  assert.equal(e.phaseOf('X'), TradingPhase.CONTINUOUS);
});

test('market-wide breaker: −7 % halts every instrument 15 min (once a day), −13 % again, −20 % closes the day', () => {
  const rules: RulesConfig = { market_wide: { index: 'IDX', levels: [{ drop_bp: 700, halt_ms: 900_000 }, { drop_bp: 1300, halt_ms: 900_000 }, { drop_bp: 2000, halt_ms: 0 }] } };
  const { e, sink } = setup([inst('IDX', { previous_close: 1000 }), inst('ACME', {})], rules);
  const day = 20_000 * 86_400 * S;
  const trade = (t: number, price: number): void => {
    e.newOrder({ time: t, account: 2, symbol: 'IDX', side: Side.SELL, price, qty: 1 });
    e.newOrder({ time: t, account: 1, symbol: 'IDX', side: Side.BUY, price, qty: 1 });
  };
  trade(day + 10 * S, 931);
  assert.equal(e.phaseOf('ACME'), TradingPhase.CONTINUOUS, '−6.9 %');
  trade(day + 11 * S, 930);
  assert.equal(e.phaseOf('ACME'), TradingPhase.HALTED, 'exactly −7 %');
  assert.equal(e.phaseOf('IDX'), TradingPhase.HALTED);
  const halt = phases(sink).at(-1) as { cause: number; until: number };
  assert.deepEqual([halt.cause, halt.until], [PhaseCause.MARKET_WIDE, day + 11 * S + 900 * S]);
  e.advanceTime(day + 911 * S);
  assert.equal(e.phaseOf('ACME'), TradingPhase.CONTINUOUS);
  trade(day + 912 * S, 925);
  assert.equal(e.phaseOf('ACME'), TradingPhase.CONTINUOUS, 'level 1 fires once a day');
  trade(day + 913 * S, 870);
  assert.equal(e.phaseOf('ACME'), TradingPhase.HALTED, '−13 %');
  e.advanceTime(day + 1813 * S);
  trade(day + 1814 * S, 800);
  assert.equal(e.phaseOf('ACME'), TradingPhase.CLOSED, '−20 % closes the market');
  assert.equal(e.newOrder({ time: day + 1815 * S, account: 1, symbol: 'ACME', side: Side.BUY, price: 10, qty: 1 }), 0);
  assert.equal(lastReject(sink), RejectReason.MARKET_CLOSED);
  e.advanceTime(day + 86_400 * S);
  assert.equal(e.phaseOf('ACME'), TradingPhase.CONTINUOUS, 'reopens the next UTC day');
});
