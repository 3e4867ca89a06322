// Market-maker protection and the RTS 9 counting of quote cancels and unfilled
// FOK orders, engine-level and exact.
//
// Sources: CME Globex Mass Quote Protections (cmegroup.com MQP help: a breach
// — a tally that "equals or exceeds" its threshold within the one-second
// interval that starts with the first quote fill — cancels the resting quotes
// and rejects later Mass Quotes until one carries the reset instruction, tag
// 9773 MMProtectionReset=Y); Eurex T7 Functional Reference, Market Maker
// Protection (Volume, Delta = bought − sold, Percent = Σ round(traded ÷
// original quote size) over a sliding window); MiFID II RTS 9 (Delegated
// Regulation (EU) 2017/566), Annex.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.ts';
import { OrderEventKind, RecordingSink, RuleEventKind, type RecordedEvent } from '../engine/events.ts';
import type { InstrumentConfig } from '../engine/instrument.ts';
import type { RulesConfig } from '../engine/rules/config.ts';
import type { MmpLimits } from '../engine/rules/mmp.ts';
import { ConfigError } from '../engine/instrument.ts';
import { CancelReason, RejectReason, Side, TimeInForce } from '../engine/types.ts';

const S = 1_000_000;
const T = 20_000 * 86_400 * S + 9 * 3600 * S;

function inst(symbol: string): InstrumentConfig {
  return { symbol, price_scale: 0, qty_scale: 0, cash_scale: 0, tick_size: 1, lot: 1, min_qty: 1, max_qty: 100_000, max_price: 100_000, maker_fee_bp: 0, taker_fee_bp: 0 };
}

/** accounts 1 'mm1', 2 'mm2' (makers), 3 'taker' */
function setup(rules: RulesConfig, symbols = ['X', 'Y']): { e: Engine; sink: RecordingSink } {
  const sink = new RecordingSink();
  const e = new Engine({ instruments: symbols.map(inst), sink, rules });
  for (const name of ['mm1', 'mm2', 'taker']) assert.equal(typeof e.addAccount({ name }), 'number');
  return { e, sink };
}

const mmp = (limits: Partial<MmpLimits>, accounts?: string[], symbol = '*'): RulesConfig =>
  ({ mmp: [{ ...(accounts ? { accounts } : {}), instruments: { [symbol]: { window_ms: 1000, ...limits } } }] });

type Ev<T extends RecordedEvent['type']> = Extract<RecordedEvent, { type: T }>;
const of = <T extends RecordedEvent['type']>(sink: RecordingSink, type: T): Ev<T>[] => sink.events.filter((x): x is Ev<T> => x.type === type);

const quote = (e: Engine, t: number, account: number, symbol = 'X', size = 10, mmpReset = false) =>
  e.massQuote({ time: t, account, symbol, bidPx: 99, bidSize: size, offerPx: 101, offerSize: size, mmpReset });
/** the taker lifts `qty` of the offers at 101 */
const lift = (e: Engine, t: number, qty: number, symbol = 'X'): number =>
  e.newOrder({ time: t, account: 3, symbol, side: Side.BUY, price: 101, qty, tif: TimeInForce.IOC });

test('MMP max_fills 3: the 3rd quote fill within the window cancels the quotes (MMP) and mass quotes are refused until reset', () => {
  const { e, sink } = setup(mmp({ max_fills: 3 }));
  quote(e, T, 1);
  lift(e, T + 1, 1);
  lift(e, T + 2, 1);
  assert.equal(e.openOrders(1).length, 2, 'two fills: below the limit, the quote stands');
  sink.clear();
  lift(e, T + 3, 1);
  // the 3rd fill trips it ("equals or exceeds"): both quote sides cancelled with reason MMP, then the notice
  const cancels = sink.orders().filter((o) => o.kind === OrderEventKind.CANCELLED && o.account === 1);
  assert.deepEqual(cancels.map((o) => [o.side, o.reason]), [[Side.BUY, CancelReason.MMP], [Side.SELL, CancelReason.MMP]]);
  assert.deepEqual(e.openOrders(1), []);
  const rules = of(sink, 'rule');
  assert.deepEqual(rules.map((r) => [r.kind, r.account, r.symbol, r.value, r.time]), [[RuleEventKind.MMP_TRIGGERED, 1, 'X', 3, T + 3]]);
  assert.equal(rules[0].text, 'market-maker protection: fills 3 within 1000 ms reached the limit 3; quotes cancelled until reset');
  assert.equal(e.mmpStatus(1)[0].triggered, true);

  // refused, both sides, until reset; ordinary orders are not protected quotes and pass
  sink.clear();
  const r = quote(e, T + 10 * S, 1);
  assert.deepEqual(r, { bidOrderId: 0, offerOrderId: 0, bidReject: RejectReason.MMP_TRIGGERED, offerReject: RejectReason.MMP_TRIGGERED });
  assert.equal(sink.orders()[0].text, 'market-maker protection triggered on X: reset it to quote again');
  assert.ok(e.newOrder({ time: T + 10 * S, account: 1, symbol: 'X', side: Side.BUY, price: 90, qty: 1 }) > 0);

  // the reset instruction on a mass quote clears it and the quote enters (CME tag 9773)
  sink.clear();
  const ok = quote(e, T + 11 * S, 1, 'X', 10, true);
  assert.ok(ok.bidOrderId > 0 && ok.offerOrderId > 0);
  assert.deepEqual(of(sink, 'rule').map((x) => [x.kind, x.account, x.symbol]), [[RuleEventKind.MMP_RESET, 1, 'X']]);
  assert.deepEqual(e.mmpStatus(1).map((v) => [v.symbol, v.triggered, v.fills]), [['X', false, 0], ['Y', false, 0]]);
});

test('MMP: the reset command; a reset of an untripped protection does nothing; other members and instruments are unaffected', () => {
  const { e, sink } = setup(mmp({ max_fills: 1 }));
  quote(e, T, 1);
  quote(e, T, 2, 'X', 10);
  quote(e, T, 1, 'Y');
  // mm1's offer is first in time at 101: the taker's 1 fills mm1 only
  lift(e, T + 1, 1);
  assert.deepEqual(of(sink, 'rule').map((r) => [r.kind, r.account, r.symbol]), [[RuleEventKind.MMP_TRIGGERED, 1, 'X']]);
  assert.deepEqual(e.openOrders(1).map((o) => o.symbol), ['Y', 'Y'], 'mm1 keeps its quote on Y');
  assert.equal(e.openOrders(2).length, 2, 'mm2 is untouched');
  assert.ok(quote(e, T + 2, 2).bidOrderId > 0, 'mm2 may quote');
  assert.ok(quote(e, T + 2, 1, 'Y').bidOrderId > 0, 'mm1 may quote on Y');
  assert.equal(quote(e, T + 2, 1).bidReject, RejectReason.MMP_TRIGGERED);
  assert.equal(e.mmpReset({ time: T + 3, account: 2, symbol: 'X' }), 0, 'nothing to reset');
  assert.equal(e.mmpReset({ time: T + 3, account: 1, symbol: 'X' }), 1);
  assert.equal(e.mmpReset({ time: T + 3, account: 1, symbol: 'X' }), 0);
  assert.ok(quote(e, T + 4, 1).bidOrderId > 0);
});

test('MMP sliding window (Eurex): a fill counts for window_ms exactly; interval window (CME) restarts at the first fill after it', () => {
  const sliding = setup(mmp({ max_fills: 2 }));
  quote(sliding.e, T, 1, 'X', 100);
  lift(sliding.e, T, 1);
  lift(sliding.e, T + S, 1); // the first fill left the window at T + 1 s exactly (half-open)
  assert.equal(sliding.e.mmpStatus(1)[0].fills, 1);
  assert.equal(sliding.e.openOrders(1).length, 2);
  lift(sliding.e, T + 2 * S - 1, 1); // 1 µs before the 2nd leaves: 2 in the window
  assert.equal(sliding.e.openOrders(1).length, 0);

  const interval = setup(mmp({ max_fills: 2, window: 'interval' }));
  quote(interval.e, T, 1, 'X', 100);
  lift(interval.e, T + 500_000, 1); // starts the interval [T + 0.5 s, T + 1.5 s)
  lift(interval.e, T + 1_500_000, 1); // a new interval: the tally starts again at 1
  assert.equal(interval.e.openOrders(1).length, 2);
  assert.deepEqual([interval.e.mmpStatus(1)[0].fills, interval.e.mmpStatus(1)[0].intervalStart], [1, T + 1_500_000]);
  lift(interval.e, T + 2_499_999, 1);
  assert.equal(interval.e.openOrders(1).length, 0, 'the 2nd fill of the interval trips it');
});

test('MMP quantity, delta and fill-percentage tallies (Eurex statistics): each trips exactly at its limit', () => {
  // quantity: 4 + 5 = 9 < 10, then + 1 = 10 trips
  const q = setup(mmp({ max_qty: 10 }));
  quote(q.e, T, 1, 'X', 20);
  lift(q.e, T + 1, 4);
  lift(q.e, T + 2, 5);
  assert.equal(q.e.openOrders(1).length, 2);
  lift(q.e, T + 3, 1);
  assert.equal(q.e.openOrders(1).length, 0);
  assert.equal(of(q.sink, 'rule')[0].value, 10);

  // delta = bought − sold: a sell of 6 then a buy of 6 nets 0; selling 8 more reaches |−8| = 8
  const d = setup(mmp({ max_delta: 8 }));
  quote(d.e, T, 1, 'X', 20);
  lift(d.e, T + 1, 6);
  d.e.newOrder({ time: T + 2, account: 3, symbol: 'X', side: Side.SELL, price: 99, qty: 6, tif: TimeInForce.IOC });
  assert.deepEqual([d.e.mmpStatus(1)[0].qty, d.e.mmpStatus(1)[0].delta], [12, 0]);
  lift(d.e, T + 3, 7);
  assert.equal(d.e.openOrders(1).length, 2, '|−7| < 8');
  lift(d.e, T + 4, 1);
  assert.equal(d.e.openOrders(1).length, 0);

  // percent: fills of 1 of a 40 quote = round(2.5 %) = 3 each (half up); 3 × 33 = 99 < 100, the 34th makes 102
  const p = setup(mmp({ max_fill_pct: 100 }));
  quote(p.e, T, 1, 'X', 40);
  for (let i = 1; i <= 33; i++) lift(p.e, T + i, 1);
  assert.deepEqual([p.e.mmpStatus(1)[0].fillPct, p.e.openOrders(1).length], [99, 2]);
  lift(p.e, T + 34, 1);
  assert.equal(p.e.openOrders(1).length, 0);
  assert.equal(of(p.sink, 'rule')[0].value, 102);
});

test('MMP applies to the accounts and instruments configured: the first entry naming the account wins; ordinary orders are not tallied', () => {
  const { e } = setup({
    mmp: [
      { accounts: ['mm2'], instruments: { X: { window_ms: 1000, max_fills: 5 } } },
      { instruments: { X: { window_ms: 1000, max_fills: 1 } } },
    ],
  });
  assert.deepEqual(e.mmpStatus(1).map((v) => [v.symbol, v.limits.max_fills]), [['X', 1]]);
  assert.deepEqual(e.mmpStatus(2).map((v) => [v.symbol, v.limits.max_fills]), [['X', 5]]);
  // an ordinary order of mm1 filling is not a quote fill
  e.newOrder({ time: T, account: 1, symbol: 'X', side: Side.SELL, price: 101, qty: 5 });
  lift(e, T + 1, 1);
  assert.equal(e.mmpStatus(1)[0].fills, 0);
});

test('MMP config errors name the field', () => {
  const bad = (rules: unknown, msg: RegExp): void => {
    assert.throws(() => new Engine({ instruments: [inst('X')], rules: rules as RulesConfig }), (err: unknown) => err instanceof ConfigError && msg.test(err.message));
  };
  bad({ mmp: {} }, /rules\.mmp: must be an array/);
  bad({ mmp: [{ instruments: { Z: { window_ms: 1, max_fills: 1 } } }] }, /rules\.mmp\[0\]\.instruments\.Z: unknown instrument/);
  bad({ mmp: [{ instruments: { X: { window_ms: 1000 } } }] }, /rules\.mmp\[0\]\.instruments\.X: give at least one of/);
  bad({ mmp: [{ instruments: { X: { window_ms: 0, max_fills: 1 } } }] }, /window_ms: must be an integer in \[1, 3600000\]/);
  bad({ mmp: [{ instruments: { X: { window_ms: 10, max_fills: 1, window: 'tumbling' } } }] }, /window: must be 'sliding' or 'interval'/);
  bad({ mmp: [{ instruments: { X: { window_ms: 10, max_fils: 1 } } }] }, /max_fils: unknown field/);
});

test('RTS 9 Annex: a quote cancel counts 1 per side withdrawn; a FOK that could not fill counts 2 with its quantity', () => {
  const { e } = setup({ otr: {} }, ['X']);
  const counts = (): [number, number] => {
    const v = e.orderToTrade(1, 'X');
    return [v?.orders ?? -1, v?.orderVolume ?? -1];
  };
  quote(e, T, 1, 'X', 10);
  assert.deepEqual(counts(), [2, 20], 'a two-sided quote: 2');
  assert.equal(e.quoteCancel({ time: T + 1, account: 1, symbol: 'X' }), 2);
  assert.deepEqual(counts(), [4, 40], 'its cancel: 1 per side, with the cancelled quantity');
  assert.equal(e.newOrder({ time: T + 2, account: 1, symbol: 'X', side: Side.BUY, price: 101, qty: 7, tif: TimeInForce.FOK }), 0);
  assert.deepEqual(counts(), [6, 47], 'an unfilled FOK: entered and cancelled, 2, its quantity once');
});
