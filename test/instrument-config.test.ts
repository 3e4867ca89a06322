// Instrument configuration validation (ConfigError names the bad field) and
// unit tests of the exact-money helpers in engine/money.ts against BigInt
// references on seeded random inputs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, type EngineOptions } from '../engine/engine.ts';
import { ConfigError, makeInstrument, type InstrumentConfig, type TickBand } from '../engine/instrument.ts';
import { Accumulator, feeFor, formatUnits, mulDivFloor, parseUnits, RATE_DENOMINATOR } from '../engine/money.ts';
import { RejectReason } from '../engine/types.ts';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Seeded PRNG (mulberry32): a float in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random safe integers of every magnitude: a uniform number of bits, then uniform below it. */
function intGen(seed: number): (maxAbs?: number, signed?: boolean) => number {
  const r = prng(seed);
  return (maxAbs = MAX_SAFE, signed = true): number => {
    const bits = Math.floor(r() * 54);
    const hi = Math.floor(r() * 2 ** Math.max(0, bits - 26));
    const lo = Math.floor(r() * 2 ** Math.min(bits, 26));
    let v = Math.min(hi * 2 ** 26 + lo, maxAbs);
    if (r() < 0.05) v = maxAbs; // the edge itself
    return signed && r() < 0.5 ? -v : v;
  };
}

const BASE: InstrumentConfig = {
  symbol: 'BTC-USD', price_scale: 2, qty_scale: 4, tick_size: 1, lot: 1, min_qty: 1, max_qty: 100_000_000,
  max_price: 10_000_000, maker_fee_bp: -1, taker_fee_bp: 2.5,
};

/** Builds an engine from instrument configs given as loose objects (invalid ones included). */
const engineOf = (...instruments: Record<string, unknown>[]): Engine =>
  new Engine({ instruments: instruments as unknown as InstrumentConfig[] });

/** Asserts that building the engine throws a ConfigError for exactly `field`. */
function rejects(field: string, build: () => unknown, message?: RegExp): void {
  let err: unknown;
  try {
    build();
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof ConfigError, `expected a ConfigError for ${field}, got ${String(err)}`);
  assert.equal(err.name, 'ConfigError');
  assert.equal(err.field, field);
  assert.ok(err.message.startsWith(`invalid config: ${field}: `), err.message);
  if (message) assert.match(err.message, message);
}

const bad = (field: string, patch: Record<string, unknown>, message?: RegExp): void =>
  rejects(`instruments[0].${field}`, () => engineOf({ ...BASE, ...patch }), message);

describe('instrument config validation', () => {
  test('the base config is valid, with the documented defaults', () => {
    const e = engineOf({ ...BASE });
    const i = e.instruments[0];
    // 2 + 4 + 6 = 12 decimals would make max notional 1e17 × 1e6: too big; the largest that fits is 2 + 4 + 0
    assert.equal(i.cashScale, 6);
    assert.equal(i.notionalMultiplier, 1);
    assert.equal(i.minPrice, 1);
    assert.equal(i.minNotional, 0);
    assert.equal(i.marketProtectionBp, 500);
    assert.equal(i.makerRate, -100);
    assert.equal(i.takerRate, 250);
    assert.deepEqual(i.tickTable, [{ from_price: 0, tick: 1 }]);
    assert.equal(i.maxPosition, Math.floor(MAX_SAFE / 10_000_000));
  });

  test('default cash_scale: the largest of price_scale+qty_scale+6 … +0 that keeps the largest fill a safe integer', () => {
    const cs = (max_price: number, max_qty: number): number =>
      makeInstrument({ ...BASE, price_scale: 1, qty_scale: 0, max_price, max_qty }, 0).cashScale;
    assert.equal(cs(1_000_000, 1_000), 7); // 1e9 × 1e6 fits
    assert.equal(cs(1_000_000, 10_000), 6); // 1e10 × 1e6 = 1e16 does not, 1e15 does
    assert.equal(cs(1_000_000_000, 1_000_000), 1); // 1e15 × 1: no room for any fee decimal
    assert.equal(makeInstrument({ ...BASE, max_qty: 1_000, cash_scale: 8 }, 0).cashScale, 8);
  });

  test('each bad field is named', () => {
    bad('symbol', { symbol: '' });
    bad('symbol', { symbol: 'BTC USD' });
    bad('symbol', { symbol: 'x'.repeat(33) });
    bad('symbol', { symbol: 7 });
    bad('price_scale', { price_scale: 13 });
    bad('price_scale', { price_scale: -1 });
    bad('qty_scale', { qty_scale: 1.5 });
    bad('qty_scale', { qty_scale: undefined });
    bad('lot', { lot: 0 });
    bad('lot', { lot: 2.5 });
    bad('lot', { lot: '1' });
    bad('lot', { lot: undefined });
    bad('min_qty', { lot: 10, min_qty: 15 }, /multiple of lot 10/);
    bad('min_qty', { min_qty: 0 });
    bad('max_qty', { min_qty: 10, max_qty: 9 });
    bad('min_price', { min_price: 0 });
    bad('max_price', { min_price: 100, max_price: 99 });
    bad('max_price', { max_price: NaN });
    bad('max_price', { max_price: 2 ** 53 });
    bad('min_notional', { min_notional: -1 });
    assert.equal(makeInstrument({ ...BASE, min_notional: 10_000_000 * 100_000_000 }, 0).minNotional, 1e15);
    bad('min_notional', { min_notional: 10_000_000 * 100_000_000 + 1 });
    bad('market_protection_bp', { market_protection_bp: 0 });
    bad('market_protection_bp', { market_protection_bp: 10_000 });
    bad('max_position', { max_position: 99_999_999 }); // below max_qty
    bad('max_position', { max_qty: 1_000, max_position: 900_719_925 }, /exceeds 2\^53/);
    bad('cash_scale', { cash_scale: 5 }); // below price_scale + qty_scale
    bad('cash_scale', { cash_scale: 19 }); // more than 12 above it
    bad('cash_scale', { cash_scale: 7 }, /exceeds 2\^53/);
    rejects('instruments[0]', () => engineOf(null as unknown as Record<string, unknown>));
  });

  test('max_price × max_qty must stay below 2^53', () => {
    bad('max_price', { max_price: 100_000_000, max_qty: 100_000_000 }, /max_price × max_qty exceeds 2\^53/);
    // just inside: 2^53 − 1 = 9007199254740991 = 6361 × 69431 × 20394401
    const ok = makeInstrument({ ...BASE, price_scale: 0, qty_scale: 0, min_price: 1, max_price: 6361 * 69431, max_qty: 20394401 }, 0);
    assert.equal(ok.cashScale, 0);
    bad('max_price', { price_scale: 0, qty_scale: 0, max_price: 6361 * 69431, max_qty: 20394402 });
  });

  test('fees: basis points with at most two decimals, within ±10000', () => {
    bad('maker_fee_bp', { maker_fee_bp: 2.505 }, /at most two decimals/);
    bad('maker_fee_bp', { maker_fee_bp: 0.001 });
    bad('taker_fee_bp', { taker_fee_bp: 2.125 });
    bad('taker_fee_bp', { taker_fee_bp: 10_000.01 });
    bad('taker_fee_bp', { taker_fee_bp: -10_001 });
    bad('taker_fee_bp', { taker_fee_bp: NaN });
    bad('taker_fee_bp', { taker_fee_bp: Infinity });
    bad('taker_fee_bp', { taker_fee_bp: '2' });
    bad('maker_fee_bp', { maker_fee_bp: undefined });
    const rates = (maker_fee_bp: number, taker_fee_bp: number): [number, number] => {
      const i = makeInstrument({ ...BASE, maker_fee_bp, taker_fee_bp }, 0);
      return [i.makerRate, i.takerRate];
    };
    assert.deepEqual(rates(-0.01, 0.29), [-1, 29]);
    assert.deepEqual(rates(2.55, 7.77), [255, 777]);
    assert.deepEqual(rates(-10_000, 10_000), [-1_000_000, 1_000_000]);
    assert.deepEqual(rates(0.57, 1.15), [57, 115]); // binary-inexact ×100
  });

  test('tick tables: ascending bands, each start on the previous grid and its own', () => {
    const table = (tick_table: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> =>
      ({ ...BASE, tick_size: undefined, tick_table, ...extra });
    const good = engineOf(table([{ from_price: 0, tick: 1 }, { from_price: 1000, tick: 5 }, { from_price: 10_000, tick: 50 }]));
    assert.deepEqual(good.instruments[0].tickTable, [{ from_price: 0, tick: 1 }, { from_price: 1000, tick: 5 }, { from_price: 10_000, tick: 50 }]);
    const t = 'instruments[0].tick_table';
    rejects(`${t}[1].from_price`, () => engineOf(table([{ from_price: 0, tick: 1 }, { from_price: 0, tick: 5 }])), /ascend/);
    rejects(`${t}[2].from_price`, () => engineOf(table([{ from_price: 0, tick: 1 }, { from_price: 1000, tick: 5 }, { from_price: 900, tick: 5 }])), /ascend/);
    rejects(`${t}[1].from_price`, () => engineOf(table([{ from_price: 0, tick: 2 }, { from_price: 1001, tick: 1 }])), /previous band's tick grid \(2\)/);
    rejects(`${t}[1].from_price`, () => engineOf(table([{ from_price: 0, tick: 1 }, { from_price: 1001, tick: 5 }])), /multiple of its own tick 5/);
    rejects(`${t}[0].from_price`, () => engineOf(table([{ from_price: 5, tick: 1 }])), /min_price 1/);
    rejects(`${t}[0].from_price`, () => engineOf(table([{ from_price: -1, tick: 1 }])));
    rejects(`${t}[1].tick`, () => engineOf(table([{ from_price: 0, tick: 1 }, { from_price: 1000, tick: 0 }])));
    rejects(`${t}[1].tick`, () => engineOf(table([{ from_price: 0, tick: 1 }, { from_price: 1000, tick: 2.5 }])));
    rejects(t, () => engineOf(table([])));
    rejects(t, () => engineOf(table('1,5')));
    rejects('instruments[0].tick_size', () => engineOf({ ...BASE, tick_table: [{ from_price: 0, tick: 1 }] }), /not both/);
    rejects('instruments[0].tick_size', () => engineOf({ ...BASE, tick_size: 0 }));
    rejects('instruments[0].tick_size', () => engineOf({ ...BASE, tick_size: undefined }));
    // the first band may start below min_price
    assert.equal(engineOf(table([{ from_price: 0, tick: 10 }], { min_price: 100 })).instruments[0].minPrice, 100);
  });

  test('a null tick band is a ConfigError naming it', () => {
    rejects('instruments[0].tick_table[1]', () =>
      engineOf({ ...BASE, tick_size: undefined, tick_table: [{ from_price: 0, tick: 1 }, null as unknown as TickBand] }));
  });

  test('engine-level options', () => {
    rejects('instruments[1].symbol', () => engineOf({ ...BASE }, { ...BASE }), /duplicate symbol BTC-USD/);
    rejects('instruments[1].lot', () => engineOf({ ...BASE }, { ...BASE, symbol: 'ETH-USD', lot: 0 }));
    rejects('instruments', () => engineOf());
    rejects('instruments', () => new Engine({} as unknown as EngineOptions));
    rejects('maxOpenOrdersPerAccount', () => new Engine({ instruments: [BASE], maxOpenOrdersPerAccount: 0 }));
    rejects('maxLiveOrders', () => new Engine({ instruments: [BASE], maxLiveOrders: 1.5 }));
    rejects('maxAccounts', () => new Engine({ instruments: [BASE], maxAccounts: -1 }));
  });

  test('fee tiers are validated the same way, as typed results', () => {
    const e = engineOf({ ...BASE }, { ...BASE, symbol: 'ETH-USD' });
    const a = e.addAccount({ name: 'a' });
    assert.equal(a, 1);
    const r = e.setFeeTier(1, { maker_fee_bp: 1.234, taker_fee_bp: 2 });
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.reason === RejectReason.INVALID_FIELD && /maker_fee_bp/.test(r.text), JSON.stringify(r));
    const u = e.setFeeTier(1, { symbol: 'XRP', maker_fee_bp: 0, taker_fee_bp: 0 });
    assert.ok(!u.ok && u.reason === RejectReason.UNKNOWN_SYMBOL);
    const n = e.setFeeTier(9, { maker_fee_bp: 0, taker_fee_bp: 0 });
    assert.ok(!n.ok && n.reason === RejectReason.UNKNOWN_ACCOUNT);
    assert.deepEqual(e.setFeeTier(1, { symbol: 'ETH-USD', maker_fee_bp: -0.5, taker_fee_bp: 1.5 }), { ok: true });
    for (const [name, opts] of [['empty name', { name: '' }], ['bad stp', { name: 'x', stp: 9 }], ['bad max', { name: 'x', maxOpenOrders: -1 }]] as const) {
      const res = e.addAccount(opts as unknown as { name: string });
      assert.ok(typeof res === 'object' && !res.ok && res.reason === RejectReason.INVALID_FIELD, name);
    }
  });
});

// ---- money.ts ----

const ceilDiv = (a: bigint, b: bigint): bigint => (a >= 0n ? (a + b - 1n) / b : -(-a / b)); // b > 0
const refFee = (n: number, rate: number): bigint => ceilDiv(BigInt(n) * BigInt(rate), BigInt(RATE_DENOMINATOR));

describe('money: Accumulator', () => {
  test('exact against a BigInt sum of random safe integers, far past 2^53', () => {
    const next = intGen(1);
    const acc = new Accumulator();
    let ref = 0n;
    for (let i = 1; i <= 200_000; i++) {
      const n = next();
      acc.add(n);
      ref += BigInt(n);
      if (i % 997 === 0) assert.equal(acc.toBigInt(), ref, `after ${i} adds`);
    }
    assert.equal(acc.toBigInt(), ref);
    assert.equal(Math.abs(acc.lo) < 2 ** 52, true, 'lo stays normalised');
  });

  test('one-sided sums (the realistic case: volume, fees) and the way back to zero', () => {
    const acc = new Accumulator();
    let ref = 0n;
    for (let i = 0; i < 10_000; i++) { acc.add(MAX_SAFE); ref += BigInt(MAX_SAFE); }
    assert.equal(acc.toBigInt(), ref);
    assert.equal(acc.toBigInt(), 10_000n * BigInt(MAX_SAFE));
    for (let i = 0; i < 10_000; i++) acc.add(-MAX_SAFE);
    assert.equal(acc.toBigInt(), 0n);
    assert.equal(acc.toNumber(), 0);

    const small = new Accumulator();
    for (let i = 0; i < 3; i++) small.add(2 ** 52 - 1);
    assert.equal(small.toBigInt(), 3n * (2n ** 52n - 1n));
    assert.equal(small.toNumber(), 3 * (2 ** 52 - 1), 'toNumber is exact within ±2^53');
  });

  test('mixed-sign small and large adds near the 2^52 boundary', () => {
    const r = prng(7);
    const acc = new Accumulator();
    let ref = 0n;
    for (let i = 0; i < 50_000; i++) {
      const n = Math.floor(r() * 2 ** 20) * (r() < 0.5 ? -1 : 1) + (r() < 0.01 ? (r() < 0.5 ? -1 : 1) * (2 ** 52 - Math.floor(r() * 3)) : 0);
      acc.add(n);
      ref += BigInt(n);
    }
    assert.equal(acc.toBigInt(), ref);
  });
});

describe('money: feeFor', () => {
  test('rounds toward +∞ to a cash unit: matches ceil(n × rate / 1e6) in BigInt on random inputs', () => {
    const next = intGen(2);
    const r = prng(3);
    const rates = [1, -1, 100, -100, 250, 999_999, -999_999, 1_000_000, -1_000_000, 7, -33];
    for (let i = 0; i < 100_000; i++) {
      const n = next(MAX_SAFE, false);
      const rate = i % 3 === 0 ? rates[i % rates.length] : Math.round((r() * 2 - 1) * 1_000_000);
      const fee = feeFor(n, rate);
      assert.equal(BigInt(fee), refFee(n, rate), `feeFor(${n}, ${rate})`);
    }
  });

  test('edges: zero rate, zero notional, exact multiples, the largest notional', () => {
    assert.equal(feeFor(123_456_789, 0), 0);
    assert.equal(feeFor(0, 250), 0);
    assert.equal(feeFor(1_000_000, 250), 250);
    assert.equal(feeFor(1_000_001, 250), 251);
    assert.equal(feeFor(1_000_001, -250), -250);
    assert.equal(feeFor(999_999, 1), 1);
    assert.equal(feeFor(MAX_SAFE, 1_000_000), MAX_SAFE);
    assert.equal(feeFor(MAX_SAFE, -1_000_000), -MAX_SAFE);
    assert.equal(BigInt(feeFor(MAX_SAFE, 123_457)), refFee(MAX_SAFE, 123_457));
    // notionals just around multiples of 1e6, where float division may round up to an integer
    for (let k = 1; k < 9_007_199_254; k = k * 3 + 1) {
      for (const d of [-1, 0, 1]) {
        const n = k * RATE_DENOMINATOR + d;
        if (n < 0 || n > MAX_SAFE) continue;
        for (const rate of [1, -1, 999_999, -999_999]) assert.equal(BigInt(feeFor(n, rate)), refFee(n, rate), `feeFor(${n}, ${rate})`);
      }
    }
  });

  test('a rebate that rounds to nothing is +0, not −0', () => {
    // regression: Math.ceil of a small negative is −0, which leaked into FillEvent fees and
    // broke Object.is / deepStrictEqual comparisons (JSON.stringify hides it)
    assert.ok(Object.is(feeFor(1, -1), 0), 'feeFor(1, -1) should be +0');
    assert.ok(Object.is(feeFor(999_999, -1), 0), 'feeFor(999999, -1) should be +0');
  });
});

describe('money: mulDivFloor', () => {
  test('floor(a × b / c) matches BigInt on random inputs, both below and above 2^53 products', () => {
    const next = intGen(4);
    for (let i = 0; i < 50_000; i++) {
      const a = next(MAX_SAFE, false);
      const b = next(MAX_SAFE, false);
      // c is large enough that the result is a safe integer
      const minC = (BigInt(a) * BigInt(b)) / BigInt(MAX_SAFE) + 1n;
      if (minC > BigInt(MAX_SAFE)) continue;
      const c = Number(minC + (BigInt(next(MAX_SAFE, false)) % (BigInt(MAX_SAFE) - minC + 1n)));
      const want = (BigInt(a) * BigInt(b)) / BigInt(c);
      assert.equal(BigInt(mulDivFloor(a, b, c)), want, `mulDivFloor(${a}, ${b}, ${c})`);
    }
  });

  test('the position-accounting use: cost × closed / open with closed < open', () => {
    const next = intGen(5);
    for (let i = 0; i < 50_000; i++) {
      const open = Math.max(1, next(1e12, false));
      const closed = Math.floor(prng(i)() * open);
      const cost = next(MAX_SAFE, false);
      assert.equal(BigInt(mulDivFloor(cost, closed, open)), (BigInt(cost) * BigInt(closed)) / BigInt(open));
    }
    assert.equal(mulDivFloor(MAX_SAFE, MAX_SAFE, MAX_SAFE), MAX_SAFE);
    assert.equal(mulDivFloor(MAX_SAFE, 1, 2), Math.floor(MAX_SAFE / 2));
    assert.equal(mulDivFloor(0, 5, 3), 0);
    assert.equal(mulDivFloor(7, 3, 2), 10);
    assert.equal(mulDivFloor(2 ** 26 + 1, 2 ** 27 - 1, 3), Number(((2n ** 26n + 1n) * (2n ** 27n - 1n)) / 3n));
  });
});

describe('money: formatUnits / parseUnits', () => {
  test('formatUnits', () => {
    assert.equal(formatUnits(12345, 3), '12.345');
    assert.equal(formatUnits(5, 3), '0.005');
    assert.equal(formatUnits(-5, 3), '-0.005');
    assert.equal(formatUnits(-12345, 3), '-12.345');
    assert.equal(formatUnits(0, 2), '0.00');
    assert.equal(formatUnits(0, 0), '0');
    assert.equal(formatUnits(123, 0), '123');
    assert.equal(formatUnits(-1000, 3), '-1.000');
    assert.equal(formatUnits(300010n, 6), '0.300010');
    assert.equal(formatUnits(2n ** 70n, 8), '11805916207174.11303424');
    assert.equal(formatUnits(-(2n ** 70n), 0), '-1180591620717411303424');
    assert.equal(formatUnits(MAX_SAFE, 12), '9007.199254740991');
  });

  test('parseUnits', () => {
    assert.equal(parseUnits('12.345', 3), 12345);
    assert.equal(parseUnits('12.3', 3), 12300);
    assert.equal(parseUnits('12', 3), 12000);
    assert.equal(parseUnits('12', 0), 12);
    assert.equal(parseUnits('-0.005', 3), -5);
    assert.equal(parseUnits('007.50', 2), 750);
    assert.equal(parseUnits('9007199254740991', 0), MAX_SAFE);
    for (const [text, scale] of [
      ['1.2345', 3], ['1.0', 0], ['abc', 2], ['', 2], ['1e3', 0], ['.5', 2], ['1.', 2], ['+1', 2], [' 1', 2], ['1 ', 2],
      ['1,5', 2], ['--1', 2], ['0x10', 0], ['9007199254740992', 0], ['90071992547409.92', 2], ['NaN', 0], ['Infinity', 0],
    ] as const) {
      assert.equal(parseUnits(text, scale), null, `parseUnits(${JSON.stringify(text)}, ${scale})`);
    }
  });

  test('round trip on random values and scales', () => {
    const next = intGen(6);
    const r = prng(8);
    for (let i = 0; i < 20_000; i++) {
      const v = next();
      const scale = Math.floor(r() * 13);
      const text = formatUnits(v, scale);
      assert.equal(parseUnits(text, scale), v === 0 ? 0 : v, text);
      assert.equal(text, formatUnits(BigInt(v), scale));
      // the string is the exact decimal value: digits = |v| with the point inserted
      const digits = text.replace('-', '').replace('.', '').replace(/^0+(?=\d)/, '');
      assert.equal(digits, Math.abs(v).toString());
    }
  });
});
