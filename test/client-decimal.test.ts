// Exact decimal ⇄ units conversion, the client's tick grid, and the client's
// enum names checked against the .proto so they cannot drift.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecimalError, fromUnits, fromUnitsText, toUnits } from '../client/decimal.ts';
import { Instrument } from '../client/instrument.ts';
import * as P from '../client/protocol.ts';
import { enumValues } from '../gateway/wire.ts';
import { prng } from './client-test-helpers.ts';
import { formatUnits } from '../engine/money.ts';

test('toUnits: exact conversion at the scale, negatives, trailing zeros', () => {
  assert.equal(toUnits('123.45', 2), 12345);
  assert.equal(toUnits('-0.5', 1), -5);
  assert.equal(toUnits('-0', 3), 0);
  assert.ok(Object.is(toUnits('-0.000', 3), 0), 'no negative zero');
  assert.equal(toUnits('7', 3), 7000);
  assert.equal(toUnits('0.001', 3), 1);
  assert.equal(toUnits('1.50', 1), 15, 'extra decimals that are zeros lose nothing');
  assert.equal(toUnits('1.2300', 2), 123);
  assert.equal(toUnits('10.00', 0), 10);
  assert.equal(toUnits('0.1', 1) + toUnits('0.2', 1), toUnits('0.3', 1), 'no float on the way');
  assert.equal(toUnits('9007199254740.991', 3), Number.MAX_SAFE_INTEGER);
});

test('toUnits: refuses what it cannot represent exactly, with the reason', () => {
  assert.throws(() => toUnits('1.234', 2), (e: DecimalError) => e instanceof DecimalError && /more than 2 decimals/.test(e.message));
  assert.throws(() => toUnits('0.05', 1), /more than 1 decimal$/);
  assert.throws(() => toUnits('9007199254740.992', 3), /too large/);
  for (const bad of ['', 'abc', '.5', '1.', '+1', '1e3', ' 1', '1 ', '1,5', '--1', '0x10', 'NaN', 'Infinity', '1.2.3']) {
    assert.throws(() => toUnits(bad, 4), /not a decimal number/, JSON.stringify(bad));
  }
  assert.throws(() => toUnits(12 as unknown as string, 2), DecimalError);
});

test('fromUnits: decimal strings at the scale, including bigints and money text', () => {
  assert.equal(fromUnits(12345, 2), '123.45');
  assert.equal(fromUnits(-5, 3), '-0.005');
  assert.equal(fromUnits(0, 2), '0.00');
  assert.equal(fromUnits(42, 0), '42');
  assert.equal(fromUnits(12345678901234567890n, 4), '1234567890123456.7890');
  assert.equal(fromUnitsText('-40000000000000000001', 7), '-4000000000000.0000001');
  assert.throws(() => fromUnits(1.5, 2), DecimalError);
  assert.throws(() => fromUnitsText('1.5', 2), DecimalError);
});

test('fromUnits and toUnits are inverse over random safe integers and scales (seeded)', () => {
  const rnd = prng(20261121);
  for (let i = 0; i < 2000; i++) {
    const scale = Math.floor(rnd() * 13);
    const units = Math.floor((rnd() - 0.5) * 2 * Number.MAX_SAFE_INTEGER);
    assert.equal(toUnits(fromUnits(units, scale), scale), units);
  }
});

/** ACME from the default venue: ticks 0.0001 below 10, 0.0005 from 10, 0.005 from 100. */
const ACME = new Instrument({
  symbol: 'ACME', price_scale: 4, qty_scale: 0, cash_scale: 6,
  tick_table: [{ from_price: 0, tick: 1 }, { from_price: 100_000, tick: 5 }, { from_price: 1_000_000, tick: 50 }],
  lot: 1, min_qty: 1, max_qty: 100_000, min_price: 1, max_price: 10_000_000, min_notional: 1_000_000,
  maker_fee_bp: -0.5, taker_fee_bp: 1.5, market_protection_bp: 300, trading_phase: 1,
});

test('instrument: conversions name the symbol and field; the banded tick grid rounds and steps across bands', () => {
  assert.equal(ACME.priceUnits('10.0005'), 100_005);
  assert.throws(() => ACME.priceUnits('10.00001'), /ACME price: 10.00001 has more than 4 decimals/);
  assert.throws(() => ACME.qtyUnits('1.5'), /ACME qty/);
  assert.equal(ACME.formatCash('-1500000'), '-1.500000');
  assert.deepEqual([ACME.tickAt(99_999), ACME.tickAt(100_000), ACME.tickAt(1_000_000)], [1, 5, 50]);
  assert.deepEqual([ACME.roundToTick(100_003, 'down'), ACME.roundToTick(100_003, 'up'), ACME.roundToTick(100_003, 'nearest')], [100_000, 100_005, 100_005]);
  assert.deepEqual([ACME.roundToTick(99_999.4, 'down'), ACME.roundToTick(99_999.4, 'up'), ACME.roundToTick(99_999.4, 'nearest')], [99_999, 100_000, 99_999]);
  assert.equal(ACME.roundToTick(0.2, 'down'), 1, 'clamped to min_price');
  assert.equal(ACME.roundToTick(20_000_000, 'up'), 10_000_000, 'clamped to max_price');
  assert.equal(ACME.stepTick(100_000, -1), 99_999, 'one tick down from a band start uses the band below');
  assert.equal(ACME.stepTick(99_999, 2), 100_005);
  assert.equal(ACME.stepTick(1_000_000, -2), 999_990);
  assert.deepEqual([ACME.roundQty(7.9), ACME.roundQty(0.5), ACME.roundQty(1e9)], [7, 0, 100_000]);
});

test('protocol: client enum names match the .proto values', () => {
  const check = (protoEnum: string, prefix: string, names: readonly string[]): void => {
    const values = enumValues(protoEnum);
    assert.equal(names.length, Math.max(...Object.values(values)) + 1, protoEnum);
    for (const [name, v] of Object.entries(values)) assert.equal(names[v], name.slice(prefix.length).toLowerCase(), `${protoEnum}.${name}`);
  };
  check('Side', 'SIDE_', P.SIDES);
  check('OrdType', 'ORD_TYPE_', P.ORD_TYPES);
  check('TimeInForce', 'TIME_IN_FORCE_', P.TIME_IN_FORCE);
  check('StpMode', 'STP_MODE_', P.STP_MODES);
  check('ExecType', 'EXEC_TYPE_', P.EXEC_TYPES);
  check('OrdStatus', 'ORD_STATUS_', P.ORD_STATUSES);
  check('Liquidity', 'LIQUIDITY_', P.LIQUIDITY);
  check('RejectCode', 'REJECT_CODE_', P.REJECT_CODES);
  check('CancelReason', 'CANCEL_REASON_', P.CANCEL_REASONS);
  check('SessionRejectReason', 'SESSION_REJECT_REASON_', P.SESSION_REJECT_REASONS);
  check('LogoutReason', 'LOGOUT_REASON_', P.LOGOUT_REASONS);
  check('TradingPhase', 'TRADING_PHASE_', P.TRADING_PHASES);
  check('PhaseCause', 'PHASE_CAUSE_', P.PHASE_CAUSES);
  check('UserEvent', 'USER_EVENT_', P.USER_EVENTS);
  check('ObligationReason', 'OBLIGATION_REASON_', P.OBLIGATION_REASONS);
  check('ObligationWindow', 'OBLIGATION_WINDOW_', P.OBLIGATION_WINDOWS);
  check('ObligationMeasurement', 'OBLIGATION_MEASUREMENT_', P.OBLIGATION_MEASUREMENTS);
  check('ObligationOutcome', 'OBLIGATION_OUTCOME_', P.OBLIGATION_OUTCOMES);
  check('SettlementKind', 'SETTLEMENT_KIND_', P.SETTLEMENT_KINDS);
  assert.deepEqual({ ...P.MD_CHANNEL }, { L2: 1, L3: 2, TRADES: 3, BBO: 4 });
  const md = enumValues('MdChannel');
  for (const [k, v] of Object.entries(P.MD_CHANNEL)) assert.equal(md[`MD_CHANNEL_${k}`], v);
  const sub = enumValues('MdSubscription');
  for (const [k, v] of Object.entries(P.MD_SUBSCRIPTION)) assert.equal(sub[`MD_SUBSCRIPTION_${k}`], v);
});

test('fromUnits: numbers print as the BigInt path does, at every scale and size', () => {
  const rnd = prng(11);
  for (let i = 0; i < 20_000; i++) {
    const v = Math.floor((rnd() - 0.5) * 2 ** (rnd() * 54));
    const scale = Math.floor(rnd() * 10);
    if (!Number.isSafeInteger(v)) continue;
    assert.equal(fromUnits(v, scale), formatUnits(BigInt(v), scale), `${v} at ${scale}`);
  }
  assert.equal(fromUnits(Number.MAX_SAFE_INTEGER, 4), '900719925474.0991');
  assert.equal(fromUnits(-5, 3), '-0.005');
});
