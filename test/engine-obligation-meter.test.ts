// The maker programme's obligation meter: scripted timelines in µs
// with hand-computed figures — presence, exemptions, spread and size limits,
// stress, snapshots, grace, windows (hour, day, week, month) and what is
// still needed to pass — plus a randomised cross-check against a brute-force
// step-by-step reference, and configuration errors naming the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, makeInstrument, notional, type Instrument } from '../engine/instrument.ts';
import { validateObligation, validateProgrammes, type ObligationConfig } from '../engine/obligations/config.ts';
import { Breach, depthBand, MAX_BREACHES, ObligationMeter, spreadTooWide, type BreachRecord, type QuoteState, type WindowReport } from '../engine/obligations/meter.ts';
import { daysFromCivil, windowEnd, windowLabel, windowStart } from '../engine/obligations/windows.ts';
import { prng } from './prng.ts';

const S = 1_000_000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const D = 19_675 * DAY; // 2023-11-14T00:00:00Z, a Tuesday
const H0 = D + 9 * HOUR;

const BTC = makeInstrument({
  symbol: 'BTC-USD', price_scale: 1, qty_scale: 4, tick_size: 1, lot: 1, min_qty: 1, max_qty: 1_000_000,
  max_price: 10_000_000, maker_fee_bp: -1, taker_fee_bp: 2,
}, 0);
const ACME = makeInstrument({
  symbol: 'ACME', price_scale: 4, qty_scale: 0,
  tick_table: [{ from_price: 0, tick: 1 }, { from_price: 10_0000, tick: 5 }, { from_price: 100_0000, tick: 50 }],
  lot: 1, min_qty: 1, max_qty: 100_000, max_price: 1_000_0000, cash_scale: 6, maker_fee_bp: -0.5, taker_fee_bp: 1.5,
}, 1);

const BASE: ObligationConfig = { max_spread_ticks: 5, min_size_qty: 100, presence_pct: 90, window: 'hour' };
const ob = (o: Partial<ObligationConfig> = {}, symbol = 'BTC-USD') => validateObligation({ ...BASE, ...o }, symbol, `t.${symbol}`);
const meter = (o: Partial<ObligationConfig> = {}, inst: Instrument = BTC) => new ObligationMeter(ob(o, inst.symbol), inst);

const Q = (bidPx: number, bidQty: number, askPx: number, askQty: number, measured = true, stressed = false): QuoteState =>
  ({ bidPx, bidQty, askPx, askQty, measured, stressed });
const GOOD = Q(10_000, 100, 10_005, 100);
const NONE = Q(0, 0, 0, 0);
const NO_BID = Q(0, 0, 10_005, 100);
const NO_ASK = Q(10_000, 100, 0, 0);
const HALTED = Q(0, 0, 0, 0, false);

const br = (startUs: number, endUs: number, reason: number): BreachRecord => ({ startUs, endUs, reason: reason as BreachRecord['reason'] });
const one = (rs: readonly WindowReport[]): WindowReport => {
  assert.equal(rs.length, 1);
  return rs[0];
};

test('quotes present 54 of 60 minutes → 90.000 %, passes at 90, fails at 90.001', () => {
  const script = (m: ObligationMeter): WindowReport => {
    assert.equal(m.update(H0, GOOD), true);
    assert.equal(m.update(H0 + 20 * MIN, NO_BID), true);
    assert.equal(m.update(H0 + 21 * MIN, NO_BID), false, 'same state, nothing changes');
    assert.equal(m.update(H0 + 26 * MIN, GOOD), true);
    assert.equal(m.rollover(H0 + HOUR - 1).length, 0);
    return one(m.rollover(H0 + HOUR));
  };
  const r = script(meter());
  assert.equal(r.label, '2023-11-14T09');
  assert.equal(r.startUs, H0);
  assert.equal(r.endUs, H0 + HOUR);
  assert.equal(r.final, true);
  assert.equal(r.measuredUs, 60 * MIN);
  assert.equal(r.compliantUs, 54 * MIN);
  assert.equal(r.exemptUs, 0);
  assert.equal(r.presencePpm, 900_000);
  assert.equal(r.presencePct, '90.000');
  assert.equal(r.requiredPct, '90.000');
  assert.equal(r.passed, true);
  assert.equal(r.twoSidedUs, 54 * MIN);
  assert.equal(r.bidUs, 54 * MIN);
  assert.equal(r.askUs, 60 * MIN);
  assert.equal(r.avgSpread, 5);
  assert.deepEqual(r.breaches, [br(H0 + 20 * MIN, H0 + 26 * MIN, Breach.NO_BID)]);
  assert.equal(r.breachCount, 1);
  assert.equal(r.breachesDropped, 0);
  assert.equal(r.snapshots, null);
  assert.equal(r.days, null);

  const strict = script(meter({ presence_pct: 90.001 }));
  assert.equal(strict.presencePct, '90.000');
  assert.equal(strict.requiredPct, '90.001');
  assert.equal(strict.passed, false);
});

test('averages: spread and size per side are time-weighted over measured time, floored; integrals exact', () => {
  const m = meter();
  m.update(H0, Q(10_000, 100, 10_004, 200));
  m.update(H0 + 10 * MIN, Q(10_000, 300, 10_007, 100));
  m.update(H0 + 50 * MIN, Q(10_000, 300, 10_007, 100, false)); // exempt: not in any average
  m.update(H0 + 55 * MIN, Q(10_000, 300, 0, 0));
  const r = one(m.rollover(H0 + HOUR));
  // two-sided 10 min at 4 and 40 min at 7: 320 / 50 = 6.4
  assert.equal(r.twoSidedUs, 50 * MIN);
  assert.equal(r.spreadIntegral, String((4 * 10 + 7 * 40) * MIN));
  assert.equal(r.avgSpread, 6);
  // bid: 10 min × 100 + 45 min × 300 over 55 min = 263.6…
  assert.equal(r.bidUs, 55 * MIN);
  assert.equal(r.bidQtyIntegral, String((100 * 10 + 300 * 45) * MIN));
  assert.equal(r.avgBidQty, 263);
  // ask: 10 min × 200 + 40 min × 100 over 50 min = 120
  assert.equal(r.askUs, 50 * MIN);
  assert.equal(r.avgAskQty, 120);
  assert.equal(r.exemptUs, 5 * MIN);
  assert.equal(r.measuredUs, 55 * MIN);
  assert.equal(r.compliantUs, 10 * MIN); // 7 ticks is too wide, and from 55 min there is no ask
});

test('integrals stay exact past 2^53 (a wide spread held for a week)', () => {
  const m = new ObligationMeter(ob({ max_spread_ticks: 1_000_000_000, window: 'week' }), BTC);
  const w0 = windowStart('week', D);
  m.update(w0, Q(1_000_000, 100, 9_000_001, 100));
  const r = one(m.rollover(w0 + 7 * DAY));
  const expected = 8_000_001n * BigInt(7 * DAY);
  assert.ok(expected > BigInt(Number.MAX_SAFE_INTEGER));
  assert.equal(r.spreadIntegral, expected.toString());
  assert.equal(r.avgSpread, 8_000_001);
});

test('a 6-minute halt inside the window is excluded from the denominator', () => {
  const m = meter();
  m.update(H0, GOOD);
  m.update(H0 + 8 * MIN, NO_ASK);
  m.update(H0 + 10 * MIN, HALTED); // the breach in progress ends at the halt
  const st = m.status(H0 + 13 * MIN);
  assert.equal(st.measured, false);
  assert.equal(st.exemptUs, 3 * MIN);
  assert.equal(st.measuredUs, 10 * MIN);
  assert.equal(st.openBreach, null);
  m.update(H0 + 16 * MIN, GOOD);
  m.update(H0 + 30 * MIN, NONE);
  m.update(H0 + 33 * MIN, GOOD);
  const r = one(m.rollover(H0 + HOUR));
  assert.equal(r.measuredUs, 54 * MIN);
  assert.equal(r.exemptUs, 6 * MIN);
  assert.equal(r.compliantUs, 49 * MIN);
  assert.equal(r.presencePpm, 907_407); // 49 / 54
  assert.equal(r.presencePct, '90.740');
  assert.equal(r.passed, true); // 49 / 60 = 81.7 % had the halt counted
  assert.deepEqual(r.breaches, [br(H0 + 8 * MIN, H0 + 10 * MIN, Breach.NO_ASK), br(H0 + 30 * MIN, H0 + 33 * MIN, Breach.NO_BID)]);
});

test('spread in ticks: exactly at the limit compliant, one tick wider TOO_WIDE', () => {
  const m = meter();
  assert.equal(m.update(H0, Q(10_000, 100, 10_005, 100)), true);
  assert.equal(m.status(H0).reason, Breach.NONE);
  assert.equal(m.update(H0 + S, Q(10_000, 100, 10_006, 100)), true);
  const st = m.status(H0 + S);
  assert.equal(st.compliant, false);
  assert.equal(st.reason, Breach.TOO_WIDE);
  assert.equal(st.reasonName, 'TOO_WIDE');
  assert.equal(m.update(H0 + 2 * S, Q(10_001, 100, 10_006, 100)), true);
  assert.equal(m.status(H0 + 3 * S).compliantUs, 2 * S);
});

test('spread in ticks on a banded tick table (ticks counted band by band)', () => {
  const cfg = ob({ max_spread_ticks: 4 }, 'ACME');
  // 99998 → 100000: 2 ticks of 1; 100000 → 100010: 2 ticks of 5
  assert.equal(spreadTooWide(cfg, ACME, 99_998, 100_010, false), false);
  assert.equal(spreadTooWide(cfg, ACME, 99_998, 100_015, false), true);
  // 999990 → 1000000: 2 ticks of 5; 1000000 → 1000100: 2 ticks of 50
  assert.equal(spreadTooWide(cfg, ACME, 999_990, 1_000_100, false), false);
  assert.equal(spreadTooWide(cfg, ACME, 999_990, 1_000_150, false), true);
  const m = new ObligationMeter(cfg, ACME);
  m.update(H0, Q(99_998, 100, 100_010, 100));
  assert.equal(m.status(H0).compliant, true);
  assert.equal(m.update(H0 + MIN, Q(99_998, 100, 100_015, 100)), true);
  assert.equal(m.status(H0 + MIN).reason, Breach.TOO_WIDE);
  const r = m.preview(H0 + 3 * MIN);
  assert.equal(r.final, false);
  assert.equal(r.compliantUs, MIN);
  assert.deepEqual(r.breaches, [br(H0 + MIN, H0 + 3 * MIN, Breach.TOO_WIDE)]);
});

test('spread in bp of the member mid: the boundary is exact, decimals and the stress multiplier too', () => {
  const bp = (max: number, extra: Partial<ObligationConfig> = {}) =>
    validateObligation({ max_spread_bp: max, min_size_qty: 1, presence_pct: 90, ...extra }, 'BTC-USD', 'x');
  const ten = bp(10);
  assert.equal(spreadTooWide(ten, BTC, 99_950, 100_050, false), false); // 100 / 100000 = 10 bp exactly
  assert.equal(spreadTooWide(ten, BTC, 99_950, 100_051, false), true);
  assert.equal(spreadTooWide(ten, BTC, 99_951, 100_050, false), false);
  const twoHalf = bp(2.5);
  assert.equal(spreadTooWide(twoHalf, BTC, 39_995, 40_005, false), false); // 10 / 40000 = 2.5 bp
  assert.equal(spreadTooWide(twoHalf, BTC, 39_995, 40_006, false), true);
  const stressed = bp(10, { stressed: { spread_multiplier: 1.5 } });
  assert.equal(spreadTooWide(stressed, BTC, 99_925, 100_075, false), true);
  assert.equal(spreadTooWide(stressed, BTC, 99_925, 100_075, true), false); // 15 bp exactly
  assert.equal(spreadTooWide(stressed, BTC, 99_925, 100_076, true), true);
  // a locked or crossed own quote is never too wide
  assert.equal(spreadTooWide(ten, BTC, 100_000, 100_000, false), false);
  const m = new ObligationMeter(ten, BTC);
  m.update(H0, Q(99_950, 1, 100_050, 1));
  assert.equal(m.status(H0).compliant, true);
  m.update(H0 + S, Q(99_950, 1, 100_051, 1));
  assert.equal(m.status(H0 + S).reason, Breach.TOO_WIDE);
});

test('min size counted per side: one side short fails with that side as the reason', () => {
  const m = meter();
  m.update(H0, Q(10_000, 100, 10_005, 99));
  assert.equal(m.status(H0).reason, Breach.ASK_TOO_SMALL);
  assert.equal(m.update(H0 + S, Q(10_000, 99, 10_005, 100)), true);
  assert.equal(m.status(H0 + S).reason, Breach.BID_TOO_SMALL);
  assert.equal(m.update(H0 + 2 * S, Q(10_000, 100, 10_005, 100)), true);
  assert.equal(m.status(H0 + 2 * S).compliant, true);
  // a bid with no counted size (e.g. outside the depth band) is too small, not missing
  m.update(H0 + 3 * S, Q(10_000, 0, 10_005, 100));
  assert.equal(m.status(H0 + 3 * S).reason, Breach.BID_TOO_SMALL);
  // checks run in order: a missing side beats a wide spread, a wide spread beats a small size
  m.update(H0 + 4 * S, Q(10_000, 1, 0, 0));
  assert.equal(m.status(H0 + 4 * S).reason, Breach.NO_ASK);
  m.update(H0 + 5 * S, Q(10_000, 1, 10_010, 1));
  assert.equal(m.status(H0 + 5 * S).reason, Breach.TOO_WIDE);
  const r = m.preview(H0 + 6 * S);
  assert.deepEqual(r.breaches, [
    br(H0, H0 + S, Breach.ASK_TOO_SMALL), br(H0 + S, H0 + 2 * S, Breach.BID_TOO_SMALL),
    br(H0 + 3 * S, H0 + 4 * S, Breach.BID_TOO_SMALL), br(H0 + 4 * S, H0 + 5 * S, Breach.NO_ASK), br(H0 + 5 * S, H0 + 6 * S, Breach.TOO_WIDE),
  ]);
});

test('min size as notional: price × qty × notionalMultiplier against cash units; a caller-given notional wins', () => {
  const min = notional(BTC, 500_000, 200); // 50000.0 × 0.0200 = 1000 USD in cash units
  assert.equal(min, 1000 * 10 ** BTC.cashScale);
  const m = new ObligationMeter(validateObligation({ max_spread_ticks: 10, min_size_notional: min, presence_pct: 90 }, 'BTC-USD', 'x'), BTC);
  m.update(H0, Q(500_000, 200, 500_005, 200));
  assert.equal(m.status(H0).compliant, true);
  m.update(H0 + S, Q(499_999, 200, 500_005, 200));
  assert.equal(m.status(H0 + S).reason, Breach.BID_TOO_SMALL);
  m.update(H0 + 2 * S, Q(500_000, 200, 500_005, 199));
  assert.equal(m.status(H0 + 2 * S).reason, Breach.ASK_TOO_SMALL);
  // depth mode: the caller sums the notional over the band
  m.update(H0 + 3 * S, { ...Q(500_000, 1, 500_005, 200), bidNotional: min });
  assert.equal(m.status(H0 + 3 * S).compliant, true);
  assert.equal(m.update(H0 + 4 * S, { ...Q(500_000, 1, 500_005, 200), bidNotional: min - 1 }), true);
  assert.equal(m.status(H0 + 4 * S).reason, Breach.BID_TOO_SMALL);
});

test('depth band around the book mid is exact', () => {
  const cfg = ob({ depth_bp: 5 });
  assert.deepEqual(depthBand(cfg, 99_990, 100_010), { minBid: 99_950, maxAsk: 100_050 });
  assert.deepEqual(depthBand(cfg, 99_991, 100_010), { minBid: 99_951, maxAsk: 100_050 }); // mid 100000.5: 99950.47… ceil, 100050.52… floor
});

test('the stressed multiplier applies only while stressed', () => {
  const m = meter({ stressed: { spread_multiplier: 2 } });
  const wide8 = Q(10_000, 100, 10_008, 100);
  m.update(H0, wide8);
  assert.equal(m.status(H0).reason, Breach.TOO_WIDE);
  assert.equal(m.update(H0 + 10 * MIN, { ...wide8, stressed: true }), true);
  const st = m.status(H0 + 10 * MIN);
  assert.equal(st.compliant, true);
  assert.equal(st.stressed, true);
  m.update(H0 + 20 * MIN, Q(10_000, 100, 10_010, 100, true, true)); // 10 ticks ≤ 5 × 2
  assert.equal(m.status(H0 + 20 * MIN).compliant, true);
  m.update(H0 + 25 * MIN, Q(10_000, 100, 10_011, 100, true, true));
  assert.equal(m.status(H0 + 25 * MIN).reason, Breach.TOO_WIDE);
  m.update(H0 + 26 * MIN, { ...wide8, stressed: true });
  assert.equal(m.update(H0 + 40 * MIN, wide8), true);
  const r = one(m.rollover(H0 + HOUR));
  assert.equal(r.compliantUs, 29 * MIN);
  assert.equal(r.measuredUs, 60 * MIN);
  assert.deepEqual(r.breaches, [
    br(H0, H0 + 10 * MIN, Breach.TOO_WIDE), br(H0 + 25 * MIN, H0 + 26 * MIN, Breach.TOO_WIDE), br(H0 + 40 * MIN, H0 + HOUR, Breach.TOO_WIDE),
  ]);
  // without a stressed section, stress changes nothing
  const plain = meter();
  plain.update(H0, { ...wide8, stressed: true });
  assert.equal(plain.status(H0).reason, Breach.TOO_WIDE);
});

test('stressed with suspend: the time is exempt (even if the caller still says measured)', () => {
  const m = meter({ stressed: { suspend: true } });
  m.update(H0, GOOD);
  m.update(H0 + 20 * MIN, Q(0, 0, 0, 0, true, true));
  const st = m.status(H0 + 25 * MIN);
  assert.equal(st.measured, false);
  assert.equal(st.exemptUs, 5 * MIN);
  m.update(H0 + 30 * MIN, GOOD);
  const r = one(m.rollover(H0 + HOUR));
  assert.equal(r.measuredUs, 50 * MIN);
  assert.equal(r.exemptUs, 10 * MIN);
  assert.equal(r.compliantUs, 50 * MIN);
  assert.equal(r.presencePct, '100.000');
  assert.deepEqual(r.breaches, []);
});

test('snapshot mode matches a hand count (updates exactly on snapshot instants decide them)', () => {
  const m = meter({ measurement: { snapshot_s: 10, pass_pct: 75 } });
  m.update(H0, GOOD); // instants 0, 10, 20 pass
  m.update(H0 + 25 * S, NO_ASK); // 30 fails
  m.update(H0 + 40 * S, GOOD); // 40 passes: the update at 40 is in force at 40
  m.update(H0 + 50 * S, NO_BID); // 50 fails
  m.update(H0 + 50 * S + 500_000, GOOD);
  m.update(H0 + 60 * S, HALTED); // 60, 70, 80, 90 skipped
  m.update(H0 + 95 * S, GOOD);
  const st = m.status(H0 + 100 * S);
  assert.equal(st.mode, 'snapshot');
  assert.equal(st.neededUs, null);
  assert.deepEqual(st.snapshots, {
    taken: 6, passed: 4, skipped: 4, passPpm: 666_666, passPct: '66.666', requiredPct: '75.000',
    remaining: 350, // 100 … 3590
    needed: 263, // ceil(0.75 × 356) − 4
    need: 263,
  });
  assert.equal(st.passingNow, false);
  const r = one(m.rollover(H0 + HOUR));
  assert.equal(r.mode, 'snapshot');
  assert.deepEqual(r.snapshots, { taken: 356, passed: 354, skipped: 4, passPpm: 994_382, passPct: '99.438', requiredPct: '75.000' });
  assert.equal(r.passed, true);
  // the time-weighted presence is still reported: 3600 − 35 measured, less 15 + 0.5 non-compliant
  assert.equal(r.measuredUs, 3565 * S);
  assert.equal(r.compliantUs, 3549.5 * S);
});

test('snapshot mode: cannot pass once too many snapshots failed; the pass ratio boundary is inclusive', () => {
  const m = meter({ measurement: { snapshot_s: 600, pass_pct: 50 } }); // 6 snapshots an hour
  m.update(H0, NONE); // 0, 600, 1200 fail
  m.update(H0 + 1800 * S, GOOD); // 1800, 2400, 3000 pass
  const st = m.status(H0 + 1800 * S);
  assert.equal(st.snapshots?.needed, 3);
  assert.equal(st.snapshots?.remaining, 3);
  const r = one(m.rollover(H0 + HOUR));
  assert.equal(r.snapshots?.passPct, '50.000');
  assert.equal(r.passed, true);
  const n = meter({ measurement: { snapshot_s: 600, pass_pct: 50 } });
  n.update(H0, NONE);
  n.update(H0 + 1800 * S + 1, GOOD);
  assert.equal(n.status(H0 + 1800 * S + 1).snapshots?.needed, 'cannot pass');
  assert.equal(one(n.rollover(H0 + HOUR)).passed, false);
});

test('grace after a fill: a missing side is waived on [fill, fill + grace), exactly', () => {
  const m = meter({ grace_ms: 500 });
  m.update(H0, GOOD);
  assert.equal(m.update(H0 + 5 * S, NO_BID), true); // before any fill: a breach
  m.fill(H0 + 10 * S);
  assert.equal(m.update(H0 + 10 * S, NONE), true, 'graced: compliant again');
  assert.equal(m.nextEventUs, H0 + 10_500_000);
  const inGrace = m.status(H0 + 10_500_000 - 1);
  assert.equal(inGrace.compliant, true);
  assert.equal(inGrace.graceUntilUs, H0 + 10_500_000);
  const after = m.status(H0 + 10_500_000);
  assert.equal(after.compliant, false);
  assert.equal(after.reason, Breach.NO_BID);
  assert.equal(after.graceUntilUs, null);
  assert.equal(m.update(H0 + 10_700_000, GOOD), true);
  const r = one(m.rollover(H0 + HOUR));
  assert.equal(r.compliantUs, HOUR - 5 * S - 200_000);
  assert.equal(r.presencePpm, 998_555);
  assert.deepEqual(r.breaches, [br(H0 + 5 * S, H0 + 10 * S, Breach.NO_BID), br(H0 + 10_500_000, H0 + 10_700_000, Breach.NO_BID)]);

  // grace waives a missing side only: the side still quoted must be large enough
  const s = meter({ grace_ms: 500 });
  s.update(H0, GOOD);
  s.fill(H0 + S);
  s.update(H0 + S, Q(0, 0, 10_005, 50));
  assert.equal(s.status(H0 + S).reason, Breach.ASK_TOO_SMALL);
  // without grace_ms a fill changes nothing
  const n = meter();
  n.update(H0, GOOD);
  n.fill(H0 + S);
  n.update(H0 + S, NONE);
  assert.equal(n.status(H0 + S).reason, Breach.NO_BID);
});

test('two meters are independent', () => {
  const a = meter({ grace_ms: 1000 });
  const b = meter({ grace_ms: 1000 });
  a.update(H0, GOOD);
  b.update(H0, NONE);
  b.fill(H0 + 30 * MIN);
  b.update(H0 + 30 * MIN, GOOD);
  a.update(H0 + 30 * MIN, NONE); // no fill on a: no grace
  a.update(H0 + 30 * MIN + S, GOOD);
  const ra = one(a.rollover(H0 + HOUR));
  const rb = one(b.rollover(H0 + HOUR));
  assert.equal(ra.compliantUs, HOUR - S);
  assert.equal(rb.compliantUs, 30 * MIN);
  assert.deepEqual(ra.breaches, [br(H0 + 30 * MIN, H0 + 30 * MIN + S, Breach.NO_BID)]);
  assert.deepEqual(rb.breaches, [br(H0, H0 + 30 * MIN, Breach.NO_BID)]);
});

test('day window: rollover at UTC midnight splits time and a breach in progress exactly', () => {
  const m = meter({ window: 'day' });
  m.update(D - HOUR, GOOD);
  m.update(D - 30 * MIN, NO_BID);
  assert.equal(m.windowEnd, D);
  assert.equal(m.rollover(D - 1).length, 0);
  const r = one(m.rollover(D + 30 * MIN)); // the first command after midnight
  assert.equal(r.label, '2023-11-13');
  assert.equal(r.startUs, D - DAY);
  assert.equal(r.endUs, D);
  assert.equal(r.measuredUs, HOUR); // tracked from the meter's first update
  assert.equal(r.compliantUs, 30 * MIN);
  assert.equal(r.presencePct, '50.000');
  assert.equal(r.passed, false);
  assert.deepEqual(r.breaches, [br(D - 30 * MIN, D, Breach.NO_BID)]);
  assert.equal(m.windowEnd, D + DAY);
  m.update(D + 30 * MIN, GOOD);
  const st = m.status(D + HOUR);
  assert.equal(st.label, '2023-11-14');
  assert.equal(st.windowStartUs, D);
  assert.equal(st.measuredUs, HOUR);
  assert.equal(st.compliantUs, 30 * MIN);
  assert.deepEqual(m.preview(D + HOUR).breaches, [br(D, D + 30 * MIN, Breach.NO_BID)]);
  // a later update rolls too: reports wait for rollover()
  m.update(D + DAY + 5 * S, GOOD);
  const next = one(m.rollover(D + DAY + 5 * S));
  assert.equal(next.label, '2023-11-14');
  assert.equal(next.measuredUs, DAY);
  assert.equal(next.compliantUs, DAY - 30 * MIN);
});

test('hour windows: a long gap closes every window in between, each split exactly', () => {
  const m = meter();
  m.update(H0 + 30 * MIN, GOOD);
  const rs = m.rollover(H0 + 3 * HOUR + 5);
  assert.deepEqual(rs.map((r) => [r.label, r.measuredUs, r.compliantUs]), [
    ['2023-11-14T09', 30 * MIN, 30 * MIN], ['2023-11-14T10', HOUR, HOUR], ['2023-11-14T11', HOUR, HOUR],
  ]);
  assert.equal(m.status(H0 + 3 * HOUR + 5).measuredUs, 5);
});

test('window arithmetic: weeks from Monday, calendar months, ISO week labels', () => {
  assert.equal(windowStart('week', D + 5 * HOUR), D - DAY); // Tue 14 Nov → Mon 13 Nov
  assert.equal(windowEnd('week', D - DAY), D + 6 * DAY);
  assert.equal(windowLabel('week', D - DAY), '2023-W46');
  assert.equal(windowStart('week', D + 6 * DAY - 1), D - DAY); // Sunday 23:59:59.999999
  assert.equal(windowStart('week', D + 6 * DAY), D + 6 * DAY);
  assert.equal(windowLabel('week', daysFromCivil(2024, 12, 30) * DAY), '2025-W01');
  assert.equal(windowLabel('week', windowStart('week', daysFromCivil(2021, 1, 3) * DAY)), '2020-W53');
  const feb29 = daysFromCivil(2024, 2, 29) * DAY + 12 * HOUR;
  assert.equal(windowStart('month', feb29), daysFromCivil(2024, 2, 1) * DAY);
  assert.equal(windowEnd('month', daysFromCivil(2024, 2, 1) * DAY), daysFromCivil(2024, 3, 1) * DAY);
  assert.equal(windowEnd('month', daysFromCivil(2023, 12, 1) * DAY), daysFromCivil(2024, 1, 1) * DAY);
  assert.equal(windowEnd('month', daysFromCivil(2023, 2, 1) * DAY) - daysFromCivil(2023, 2, 1) * DAY, 28 * DAY);
  assert.equal(windowLabel('month', feb29), '2024-02');
  assert.equal(windowLabel('hour', H0), '2023-11-14T09');
  assert.equal(D, daysFromCivil(2023, 11, 14) * DAY);
});

test('week window: Sunday to Monday rollover', () => {
  const m = meter({ window: 'week' });
  const sun23 = D + 5 * DAY + 23 * HOUR;
  m.update(sun23, GOOD);
  m.update(sun23 + 45 * MIN, NO_ASK);
  const r = one(m.rollover(sun23 + 2 * HOUR));
  assert.equal(r.label, '2023-W46');
  assert.equal(r.startUs, D - DAY);
  assert.equal(r.endUs, D + 6 * DAY);
  assert.equal(r.measuredUs, HOUR);
  assert.equal(r.compliantUs, 45 * MIN);
  assert.deepEqual(r.breaches, [br(sun23 + 45 * MIN, D + 6 * DAY, Breach.NO_ASK)]);
  const st = m.status(sun23 + 2 * HOUR);
  assert.equal(st.label, '2023-W47');
  assert.equal(st.compliantUs, 0);
  assert.equal(st.measuredUs, HOUR);
  assert.equal(st.remainingUs, 7 * DAY - HOUR);
});

test('month window aggregates its days: presence over the month, days passed, one report at month end', () => {
  const F27 = daysFromCivil(2024, 2, 27) * DAY;
  const F28 = F27 + DAY;
  const F29 = F28 + DAY;
  const M1 = F29 + DAY;
  const m = meter({ window: 'month' });
  m.update(F27 + 12 * HOUR, GOOD);
  m.update(F28 + 6 * HOUR, NO_BID);
  m.update(F28 + 10 * HOUR, GOOD);
  assert.equal(m.rollover(F29).length, 0, 'a day of a month is not reported on its own');
  m.update(F29, HALTED);
  m.update(F29 + 12 * HOUR, GOOD);
  m.update(F29 + 15 * HOUR, NO_ASK);
  const pv = m.preview(F29 + 16 * HOUR);
  assert.equal(pv.days?.length, 3);
  assert.equal(pv.days?.[2].compliantUs, 3 * HOUR);
  assert.equal(pv.measuredUs, 12 * HOUR + 24 * HOUR + 4 * HOUR);
  m.update(F29 + 18 * HOUR, GOOD);
  assert.equal(m.windowEnd, M1);
  const r = one(m.rollover(M1 + HOUR));
  assert.equal(r.window, 'month');
  assert.equal(r.label, '2024-02');
  assert.equal(r.startUs, daysFromCivil(2024, 2, 1) * DAY);
  assert.equal(r.endUs, M1);
  assert.equal(r.measuredUs, 48 * HOUR);
  assert.equal(r.compliantUs, 41 * HOUR);
  assert.equal(r.exemptUs, 12 * HOUR);
  assert.equal(r.presencePpm, 854_166);
  assert.equal(r.presencePct, '85.416');
  assert.equal(r.passed, false);
  assert.deepEqual(r.days?.map((d) => [d.label, d.measuredUs, d.compliantUs, d.exemptUs, d.presencePpm, d.passed]), [
    ['2024-02-27', 12 * HOUR, 12 * HOUR, 0, 1_000_000, true],
    ['2024-02-28', 24 * HOUR, 20 * HOUR, 0, 833_333, false],
    ['2024-02-29', 12 * HOUR, 9 * HOUR, 12 * HOUR, 750_000, false],
  ]);
  assert.equal(r.daysPassed, 1);
  assert.equal(r.daysMeasured, 3);
  assert.deepEqual(r.breaches, [br(F28 + 6 * HOUR, F28 + 10 * HOUR, Breach.NO_BID), br(F29 + 15 * HOUR, F29 + 18 * HOUR, Breach.NO_ASK)]);
  const st = m.status(M1 + HOUR);
  assert.equal(st.label, '2024-03');
  assert.equal(st.measuredUs, HOUR);
});

test('needed to pass: exact at the boundary, then cannot pass', () => {
  const m = meter();
  m.update(H0, GOOD);
  const s0 = m.status(H0);
  assert.equal(s0.neededUs, 54 * MIN);
  assert.equal(s0.remainingUs, HOUR);
  assert.equal(s0.passingNow, null);
  assert.equal(s0.presencePct, null);
  m.update(H0 + 24 * MIN, NO_BID);
  const s1 = m.status(H0 + 30 * MIN);
  assert.equal(s1.compliantUs, 24 * MIN);
  assert.equal(s1.neededUs, 30 * MIN); // ceil(0.9 × 60 min) − 24 min = all that is left
  assert.equal(s1.presencePct, '80.000');
  assert.equal(s1.passingNow, false);
  assert.deepEqual(s1.openBreach, { startUs: H0 + 24 * MIN, reason: Breach.NO_BID });
  assert.equal(m.status(H0 + 30 * MIN + 1).neededUs, 'cannot pass');
  const g = meter();
  g.update(H0, GOOD);
  assert.equal(g.status(H0 + 55 * MIN).neededUs, 0);
  assert.equal(g.status(H0 + 55 * MIN).passingNow, true);
});

test(`breach list: exact times, capped at ${MAX_BREACHES} per window with a dropped count`, () => {
  const m = meter();
  for (let k = 0; k <= 1000; k++) {
    m.update(H0 + 2 * k * S, GOOD);
    m.update(H0 + (2 * k + 1) * S, NO_BID);
  }
  m.update(H0 + 2002 * S, GOOD);
  const r = one(m.rollover(H0 + HOUR));
  assert.equal(r.breachCount, 1001);
  assert.equal(r.breaches.length, MAX_BREACHES);
  assert.equal(r.breachesDropped, 1);
  assert.deepEqual(r.breaches[0], br(H0 + S, H0 + 2 * S, Breach.NO_BID));
  assert.deepEqual(r.breaches[999], br(H0 + 1999 * S, H0 + 2000 * S, Breach.NO_BID));
  assert.equal(r.compliantUs, HOUR - 1001 * S);
});

test('update reports a change of what the member sees: reason, measured, stressed; a zero-length state leaves no trace', () => {
  const m = meter();
  assert.equal(m.update(H0, GOOD), true);
  assert.equal(m.update(H0 + 1, Q(10_000, 200, 10_005, 100)), false); // other size, still compliant
  assert.equal(m.update(H0 + 2, NO_BID), true);
  assert.equal(m.update(H0 + 2, GOOD), true); // back within the same µs
  assert.equal(m.update(H0 + 3, { ...GOOD, stressed: true }), true);
  assert.equal(m.update(H0 + 4, { ...GOOD, stressed: true, measured: false }), true);
  assert.equal(m.update(H0 + 4, { ...GOOD, stressed: true, measured: false }), false);
  const r = m.preview(H0 + 10);
  assert.deepEqual(r.breaches, []);
  assert.equal(r.compliantUs, 4);
  assert.equal(r.exemptUs, 6);
  // time never runs backwards: an earlier time counts as the latest seen
  m.update(H0 + 12, GOOD);
  m.update(H0 + 11, NO_BID);
  const later = m.preview(H0 + 20);
  assert.equal(later.compliantUs, 4);
  assert.equal(later.exemptUs, 8);
  assert.deepEqual(later.breaches, [br(H0 + 12, H0 + 20, Breach.NO_BID)]);
});

// ---- randomised cross-check against a step-by-step reference ----

interface Ev { t: number; fill: boolean; q: QuoteState }

function referenceCode(q: QuoteState, grace: boolean): number {
  const maxTicks = q.stressed ? 10 : 5;
  const hasBid = q.bidPx > 0;
  const hasAsk = q.askPx > 0;
  if (!hasBid && !grace) return Breach.NO_BID;
  if (!hasAsk && !grace) return Breach.NO_ASK;
  if (hasBid && hasAsk && q.askPx - q.bidPx > maxTicks) return Breach.TOO_WIDE;
  if (hasBid && q.bidQty < 100) return Breach.BID_TOO_SMALL;
  if (hasAsk && q.askQty < 100) return Breach.ASK_TOO_SMALL;
  return Breach.NONE;
}

test('randomised timelines agree with a brute-force reference stepped every 100 ms', () => {
  const U = 100_000;
  const GRACE = 300_000;
  let clipped = 0;
  for (let seed = 1; seed <= 6; seed++) {
    const rnd = prng(seed);
    const start = H0 + 50 * MIN;
    const end = H0 + 2 * HOUR + 10 * MIN;
    const evs: Ev[] = [{ t: start, fill: false, q: GOOD }];
    for (let t = start + Math.floor(rnd() * 40) * U; t < end; t += Math.floor(rnd() * 40) * U) { // a step of 0: same instant
      if (rnd() < 0.15) { evs.push({ t, fill: true, q: NONE }); continue; }
      const bid = rnd() < 0.85 ? 10_000 : 0;
      const ask = rnd() < 0.85 ? 10_003 + Math.floor(rnd() * 6) : 0;
      evs.push({ t, fill: false, q: Q(bid, rnd() < 0.9 ? 150 : 50, ask, rnd() < 0.9 ? 150 : 50, rnd() < 0.85, rnd() < 0.2) });
    }
    const cfg: Partial<ObligationConfig> = { grace_ms: GRACE / 1000, stressed: { spread_multiplier: 2 } };
    const meters = [meter(cfg), meter({ ...cfg, measurement: { snapshot_s: 1, pass_pct: 80 } })];
    const reports: WindowReport[][] = [[], []];
    for (const e of evs) {
      meters.forEach((m, i) => {
        if (e.t >= m.windowEnd) reports[i].push(...m.rollover(e.t));
        if (e.fill) m.fill(e.t); else m.update(e.t, e.q);
      });
    }
    meters.forEach((m, i) => reports[i].push(...m.rollover(end), m.preview(end)));

    // the reference: the state in force at each step, judged on its own
    interface Acc { measured: number; compliant: number; exempt: number; twoSided: number; spread: bigint; taken: number; passed: number; skipped: number; breaches: BreachRecord[] }
    const acc = new Map<number, Acc>();
    let q = GOOD;
    let graceUntil = 0;
    let ei = 0;
    let run: { reason: number; start: number } | null = null;
    let prevWin = -1;
    const closeRun = (at: number, a: Acc): void => {
      if (run && at > run.start) a.breaches.push(br(run.start, at, run.reason));
      run = null;
    };
    for (let t = start; t < end; t += U) {
      while (ei < evs.length && evs[ei].t <= t) {
        if (evs[ei].fill) graceUntil = Math.max(graceUntil, evs[ei].t + GRACE); else q = evs[ei].q;
        ei++;
      }
      const win = windowStart('hour', t);
      if (!acc.has(win)) acc.set(win, { measured: 0, compliant: 0, exempt: 0, twoSided: 0, spread: 0n, taken: 0, passed: 0, skipped: 0, breaches: [] });
      const a = acc.get(win)!;
      if (win !== prevWin && prevWin >= 0 && run !== null) {
        const reason: number = (run as { reason: number }).reason;
        closeRun(win, acc.get(prevWin)!);
        run = { reason, start: win };
      }
      prevWin = win;
      const code = referenceCode(q, t < graceUntil);
      const snapAt = t % S === 0;
      if (!q.measured) {
        a.exempt += U;
        if (snapAt) a.skipped++;
        closeRun(t, a);
        continue;
      }
      a.measured += U;
      if (code === Breach.NONE) a.compliant += U;
      if (q.bidPx > 0 && q.askPx > 0) { a.twoSided += U; a.spread += BigInt((q.askPx - q.bidPx) * U); }
      if (snapAt) { a.taken++; if (code === Breach.NONE) a.passed++; }
      if (run === null || (run as { reason: number }).reason !== code) {
        closeRun(t, a);
        if (code !== Breach.NONE) run = { reason: code, start: t };
      }
    }
    closeRun(end, acc.get(prevWin)!);
    const wins = [...acc.keys()];
    assert.equal(wins.length, 3);
    for (const rs of reports) {
      assert.deepEqual(rs.map((r) => r.startUs), wins, `seed ${seed}`);
      rs.forEach((r, i) => {
        const a = acc.get(wins[i])!;
        assert.deepEqual(
          [r.measuredUs, r.compliantUs, r.exemptUs, r.twoSidedUs, r.spreadIntegral, r.breaches, r.breachCount],
          [a.measured, a.compliant, a.exempt, a.twoSided, a.spread.toString(), a.breaches, a.breaches.length], `seed ${seed} window ${i}`);
      });
    }
    reports[1].forEach((r, i) => {
      const a = acc.get(wins[i])!;
      assert.deepEqual([r.snapshots?.taken, r.snapshots?.passed, r.snapshots?.skipped], [a.taken, a.passed, a.skipped], `seed ${seed} window ${i}`);
    });
    // the timeline did exercise every path
    const all = [...acc.values()];
    assert.ok(all.reduce((n, x) => n + x.breaches.length, 0) > 30, `seed ${seed}: breaches`);
    assert.ok(all.every((x) => x.exempt > 0 && x.skipped > 0 && x.passed > 0 && x.passed < x.taken), `seed ${seed}: exempt, snapshots`);
    assert.ok(evs.filter((e) => e.fill).length > 10, `seed ${seed}: fills`);
    clipped += all.filter((x) => x.breaches.some((b) => b.startUs === windowStart('hour', b.startUs))).length;
  }
  assert.ok(clipped > 0, 'some breach ran across a window boundary');
});

test('config: a valid programme is normalised to integers', () => {
  const [p] = validateProgrammes([{
    name: 'lp', members: ['maker-1', 'maker-2'],
    instruments: {
      'BTC-USD': {
        max_spread_bp: 5, min_size_notional: 40_000, depth_bp: 5, presence_pct: 50,
        measurement: { snapshot_s: 10, pass_pct: 75 }, stressed: { spread_multiplier: 2, suspend: false }, grace_ms: 500,
      },
      ACME: { max_spread_ticks: 4, min_size_qty: 100, presence_pct: 90.125, window: 'month' },
    },
    incentives: { enhanced_maker_fee_bp: -2 },
  }], { symbols: new Set(['BTC-USD', 'ACME']), accounts: new Set(['maker-1', 'maker-2']) });
  assert.equal(p.statusIntervalUs, 1_000_000);
  assert.deepEqual(p.incentives, { enhancedMakerRate: -200, enhancedMakerPerShare: null, clawbackOnFail: true, makerShareTiers: [] });
  const b = p.instruments.get('BTC-USD')!;
  assert.deepEqual([b.maxSpreadTicks, b.maxSpreadCentiBp, b.minSizeQty, b.minSizeNotional, b.depthCentiBp, b.presencePpm, b.snapshotUs, b.snapshotPassPpm, b.window, b.stressMultiplierPct, b.stressSuspend, b.graceUs],
    [0, 500, 0, 40_000, 500, 500_000, 10_000_000, 750_000, 'day', 200, false, 500_000]);
  const a = p.instruments.get('ACME')!;
  assert.deepEqual([a.maxSpreadTicks, a.minSizeQty, a.presencePpm, a.window, a.snapshotUs, a.stressMultiplierPct], [4, 100, 901_250, 'month', 0, 100]);
  const [t] = validateProgrammes([{ name: 'tiers', members: ['x'], instruments: { ACME: { max_spread_ticks: 1, min_size_qty: 1, presence_pct: 1 } },
    incentives: { clawback_on_fail: false, maker_share_tiers: [{ min_share_bp: 5, maker_fee_bp: -0.1 }, { min_share_bp: 200, maker_fee_bp: -0.5 }] }, status_interval_ms: 250 }]);
  assert.deepEqual(t.incentives.makerShareTiers, [{ minSharePpm: 500, makerRate: -10 }, { minSharePpm: 20_000, makerRate: -50 }]);
  assert.equal(t.incentives.clawbackOnFail, false);
  assert.equal(t.statusIntervalUs, 250_000);
});

test('config errors name the field', () => {
  const ok: ObligationConfig = { max_spread_ticks: 5, min_size_qty: 100, presence_pct: 90 };
  const prog = (o: Record<string, unknown>, inst: Record<string, unknown> = {}) =>
    [{ name: 'p', members: ['maker-1'], instruments: { 'BTC-USD': { ...ok, ...inst } }, ...o }];
  const ctx = { symbols: new Set(['BTC-USD', 'ACME']), accounts: new Set(['maker-1', 'maker-2']) };
  const bad = (cfg: unknown, field: string, msg?: RegExp) => {
    assert.throws(() => validateProgrammes(cfg, ctx), (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.equal(e.field, field);
      assert.ok(e.message.startsWith(`invalid config: ${field}: `), e.message);
      if (msg) assert.match(e.message, msg);
      return true;
    });
  };
  const I = 'programmes[0].instruments.BTC-USD';
  bad(prog({}, { max_spread_ticks: 0 }), `${I}.max_spread_ticks`, /must be an integer in \[1, 1000000000\], got 0/);
  bad(prog({}, { max_spread_bp: 5 }), `${I}.max_spread_ticks`, /give max_spread_ticks or max_spread_bp, not both/);
  bad(prog({}, { max_spread_ticks: undefined }), `${I}.max_spread_ticks`, /give one of max_spread_ticks or max_spread_bp/);
  bad(prog({}, { max_spread_ticks: undefined, max_spread_bp: 1.234 }), `${I}.max_spread_bp`, /at most 2 decimals/);
  bad(prog({}, { min_size_qty: undefined }), `${I}.min_size_qty`, /give one of min_size_qty or min_size_notional/);
  bad(prog({}, { min_size_qty: undefined, min_size_notional: 1.5 }), `${I}.min_size_notional`);
  bad(prog({}, { presence_pct: 90.0001 }), `${I}.presence_pct`, /at most 3 decimals/);
  bad(prog({}, { presence_pct: 101 }), `${I}.presence_pct`);
  bad(prog({}, { presence_pct: undefined }), `${I}.presence_pct`);
  bad(prog({}, { measurement: 'sampled' }), `${I}.measurement`);
  bad(prog({}, { measurement: { snapshot_s: 0, pass_pct: 75 } }), `${I}.measurement.snapshot_s`);
  bad(prog({}, { measurement: { snapshot_s: 10 } }), `${I}.measurement.pass_pct`);
  bad(prog({}, { window: 'year' }), `${I}.window`, /'hour', 'day', 'week', 'month'/);
  bad(prog({}, { stressed: { spread_multiplier: 0.5 } }), `${I}.stressed.spread_multiplier`);
  bad(prog({}, { stressed: { suspend: 'yes' } }), `${I}.stressed.suspend`);
  bad(prog({}, { depth_bp: 0 }), `${I}.depth_bp`);
  bad(prog({}, { grace_ms: -1 }), `${I}.grace_ms`);
  bad(prog({}, { presence: 90 }), `${I}.presence`, /unknown field/);
  bad(prog({ instruments: { XYZ: ok } }), 'programmes[0].instruments.XYZ', /unknown instrument/);
  bad(prog({ instruments: {} }), 'programmes[0].instruments', /at least one/);
  bad(prog({ members: ['nobody'] }), 'programmes[0].members[0]', /unknown account/);
  bad(prog({ members: ['maker-1', 'maker-1'] }), 'programmes[0].members[1]', /duplicate/);
  bad(prog({ members: [] }), 'programmes[0].members');
  bad(prog({ name: '' }), 'programmes[0].name');
  bad(prog({ status_interval_ms: 50 }), 'programmes[0].status_interval_ms');
  bad(prog({ incentives: { enhanced_maker_fee_bp: -1.234 } }), 'programmes[0].incentives.enhanced_maker_fee_bp');
  bad(prog({ incentives: { clawback_on_fail: 1 } }), 'programmes[0].incentives.clawback_on_fail');
  bad(prog({ incentives: { maker_share_tiers: [{ min_share_bp: 10, maker_fee_bp: -1 }, { min_share_bp: 10, maker_fee_bp: -2 }] } }),
    'programmes[0].incentives.maker_share_tiers[1].min_share_bp', /ascend/);
  bad(prog({ incentives: { enhanced_maker_fee_bp: -1, maker_share_tiers: [{ min_share_bp: 1, maker_fee_bp: -1 }] } }), 'programmes[0].incentives.maker_share_tiers');
  bad([...prog({}), { ...prog({})[0], name: 'q' }], 'programmes[1].members', /already has an obligation on BTC-USD/);
  bad([...prog({}), ...prog({})], 'programmes[1].name', /duplicate programme/);
  bad({}, 'programmes', /array/);
  assert.deepEqual(validateProgrammes(undefined), []);
});
