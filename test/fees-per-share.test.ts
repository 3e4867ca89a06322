// Fees per share (US equities) beside bp fees, and the venue's access-fee cap.
// Source: Reg NMS Rule 610(c), 17 CFR 242.610(c): an access fee may not exceed
// $0.003 a share (0.3 % of the price below $1); the 2024 amendments (89 FR
// 81620) cut it to $0.001 a share (0.1 % below $1). Rounding (money.ts): a fee
// per share rounds toward +∞ to a cash unit like a bp fee; the cap rounds down.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.ts';
import { RecordingSink } from '../engine/events.ts';
import { ConfigError, type InstrumentConfig } from '../engine/instrument.ts';
import { perShareFee } from '../engine/money.ts';
import type { AccessFeeCapConfig } from '../engine/rules/config.ts';
import { RejectReason, Side, TradingPhase } from '../engine/types.ts';
import { profileConfig } from '../gateway/profiles.ts';

const USD = 1_000_000; // cash_scale 6

/** A stock: cents, whole shares, money in 0.000001 USD. */
const stock = (over: Partial<InstrumentConfig> = {}): InstrumentConfig => ({
  symbol: 'XYZ', price_scale: 2, qty_scale: 0, tick_size: 1, lot: 1, min_qty: 1, max_qty: 100_000, max_price: 1_000_000,
  cash_scale: 6, maker_fee_bp: 0, taker_fee_bp: 0, maker_fee_per_share: -800, taker_fee_per_share: 1000, ...over,
});

const CAP_2024: AccessFeeCapConfig = { per_share: '0.001' };

interface Venue { engine: Engine; sink: RecordingSink; maker: number; taker: number; t: number }

function venue(inst: InstrumentConfig, cap: AccessFeeCapConfig | null = CAP_2024): Venue {
  const sink = new RecordingSink();
  const engine = new Engine({ instruments: [inst], rules: cap === null ? {} : { access_fee_cap: cap } }, sink);
  return { engine, sink, maker: engine.addAccount({ name: 'maker' }) as number, taker: engine.addAccount({ name: 'taker' }) as number, t: 0 };
}

/** maker rests a sell of qty at price; taker buys it; returns the fill's [maker fee, taker fee]. */
function trade(v: Venue, price: number, qty: number, symbol = 'XYZ'): [number, number] {
  v.engine.newOrder({ time: ++v.t, account: v.maker, symbol, side: Side.SELL, price, qty });
  v.engine.newOrder({ time: ++v.t, account: v.taker, symbol, side: Side.BUY, price, qty });
  const f = v.sink.fills().at(-1);
  assert.ok(f, 'a fill');
  assert.equal(f.qty, qty);
  return [f.makerFee, f.takerFee];
}

describe('fees per share (Rule 610(c) cap as a venue setting)', () => {
  test('100 shares at the 2024 cap: taker pays 0.10 USD, maker earns 0.08 USD, the venue keeps 0.02', () => {
    const v = venue(stock());
    assert.deepEqual(trade(v, 190_00, 100), [-0.08 * USD, 0.1 * USD]);
    assert.equal(v.engine.venueFees[0].toNumber(), 0.02 * USD);
    const p = v.engine.accountView(v.taker)?.positions[0];
    assert.equal(p?.feesPaid, 100_000n);
    assert.equal(v.engine.accountView(v.maker)?.positions[0].rebatesReceived, 80_000n);
  });

  test('100 shares at the original cap of 0.003 USD a share: 0.30 USD', () => {
    const v = venue(stock({ taker_fee_per_share: 3000 }), { per_share: 0.003 });
    assert.deepEqual(trade(v, 190_00, 100), [-0.08 * USD, 0.3 * USD]);
  });

  test('a taker fee per share above the cap is a config error; a rebate is never capped', () => {
    assert.throws(() => venue(stock({ taker_fee_per_share: 1001 })), (e: unknown) => e instanceof ConfigError && /taker_fee_per_share.*access-fee cap/.test(e.message));
    assert.deepEqual(trade(venue(stock({ maker_fee_per_share: -2000 })), 190_00, 100), [-0.2 * USD, 0.1 * USD]);
    assert.throws(() => venue(stock(), { per_share: '0.0000001' }), /access_fee_cap.per_share/);
  });

  test('bp and per-share fees add up, and the sum is cut to the cap on a continuous fill', () => {
    // 100 × 190.00 = 19,000 USD × 0.3 bp = 0.57 USD, + 0.10 USD per share = 0.67 USD → cap 0.10 USD
    assert.deepEqual(trade(venue(stock({ taker_fee_bp: 0.3 })), 190_00, 100), [-0.08 * USD, 0.1 * USD]);
    // no cap configured (other venues): the full 0.67 USD
    assert.deepEqual(trade(venue(stock({ taker_fee_bp: 0.3 }), null), 190_00, 100), [-0.08 * USD, 0.67 * USD]);
  });

  test('below 1 USD the cap is 0.1 % of the price: 1,000 shares at 0.50 USD pay at most 0.50 USD', () => {
    assert.deepEqual(trade(venue(stock()), 50, 1000), [-0.8 * USD, 0.5 * USD]);
  });

  test('rounding: fractional shares round toward +∞ to a cash unit (fees up, rebates down in size)', () => {
    assert.equal(perShareFee(1, 1001, 100), 11); // 0.01 share × 1001 = 10.01 → 11
    assert.equal(perShareFee(1, -1001, 100), -10); // −10.01 → −10
    assert.equal(perShareFee(100, 1001, 100), 1001);
    assert.equal(perShareFee(7, 0, 100), 0);
    const v = venue(stock({ qty_scale: 2, max_qty: 10_000_000, taker_fee_per_share: 999, maker_fee_per_share: -1 }));
    assert.deepEqual(trade(v, 190_00, 1), [0, 10]); // 0.01 share: 9.99 → 10; −0.01 → 0
  });

  test('per-share fees need |fee| × max_qty below 2^53', () => {
    assert.throws(() => venue(stock({ maker_fee_per_share: 2 ** 40 }), null), /maker_fee_per_share/);
    assert.throws(() => venue(stock({ maker_fee_per_share: 0.5 })), /maker_fee_per_share/);
  });

  test('a fee tier sets per-share fees within the cap (omitted: the instrument\'s)', () => {
    const v = venue(stock());
    assert.deepEqual(v.engine.setFeeTier(v.taker, { maker_fee_bp: 0, taker_fee_bp: 0, taker_fee_per_share: 500 }), { ok: true });
    assert.deepEqual(trade(v, 190_00, 100), [-0.08 * USD, 0.05 * USD]);
    const r = v.engine.setFeeTier(v.taker, { maker_fee_bp: 0, taker_fee_bp: 0, taker_fee_per_share: 1500 });
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.reason, RejectReason.INVALID_FIELD);
    assert.deepEqual(v.engine.setFeeTier(v.maker, { maker_fee_bp: 0, taker_fee_bp: 0 }), { ok: true });
    assert.deepEqual(trade(v, 190_00, 100), [-0.08 * USD, 0.05 * USD], 'the tier without per-share fees keeps the instrument\'s');
  });

  test('auction fills charge each side its taker fee per share, uncapped (no quotation is accessed)', () => {
    const v = venue(stock({ taker_fee_per_share: 1000, rules: { schedule: [{ at: '00:00', phase: 'OPENING_AUCTION' }] } }));
    v.engine.newOrder({ time: 1, account: v.maker, symbol: 'XYZ', side: Side.SELL, price: 190_00, qty: 100 });
    v.engine.newOrder({ time: 2, account: v.taker, symbol: 'XYZ', side: Side.BUY, price: 190_00, qty: 100 });
    v.engine.setPhase({ time: 3, symbol: 'XYZ', phase: TradingPhase.CONTINUOUS });
    const f = v.sink.fills().at(-1);
    assert.ok(f);
    assert.deepEqual([f.makerFee, f.takerFee], [0.1 * USD, 0.1 * USD]);
  });
});

describe('us-equity profile: per-share fees within the 2024 cap', () => {
  // 13:45 UTC on a weekday in January 1970: continuous trading in the profile's schedule
  const T0 = (13 * 3600 + 45 * 60) * 1_000_000;

  test('100 AAPL at 190.00: taker 0.10 USD (the cap), maker rebate 0.08 USD; the DMM earns 0.09 USD', () => {
    const cfg = profileConfig('us-equity');
    const sink = new RecordingSink();
    const engine = new Engine({ instruments: cfg.instruments, rules: cfg.rules, programmes: cfg.programmes }, sink);
    const dmm = engine.addAccount({ name: 'maker-1' }) as number;
    const other = engine.addAccount({ name: 'maker-2' }) as number;
    const taker = engine.addAccount({ name: 'taker' }) as number;
    const v: Venue = { engine, sink, maker: other, taker, t: T0 };
    assert.deepEqual(trade(v, 190_00, 100, 'AAPL'), [-0.08 * USD, 0.1 * USD]);
    v.maker = dmm;
    assert.deepEqual(trade(v, 190_00, 100, 'AAPL'), [-0.09 * USD, 0.1 * USD]);
  });
});
