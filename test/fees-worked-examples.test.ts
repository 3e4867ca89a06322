// The worked fee examples of /work/shared/domain.md §1, reproduced to the
// last cash unit from the engine's own accounting (positions, fills, venue
// fee income), plus the rounding rule of money.ts (fees round toward +∞) and
// the conservation of cash: Σ account cash + venue fee income = 0.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.ts';
import { OrderEventKind, RecordingSink } from '../engine/events.ts';
import type { NewOrder } from '../engine/commands.ts';
import { formatUnits, parseUnits, RATE_DENOMINATOR } from '../engine/money.ts';
import type { InstrumentConfig } from '../engine/instrument.ts';
import type { PositionView } from '../engine/query.ts';
import { OrdType, Side, TimeInForce } from '../engine/types.ts';

const { BUY, SELL } = Side;

/** Seeded PRNG (mulberry32): an integer in [0, n). */
function mulberry32(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n: number): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/** Worked example 1: tick 0.1, taker 2 bp, maker rebate 1 bp. */
const EX1: InstrumentConfig = {
  symbol: 'EX1', price_scale: 1, qty_scale: 0, tick_size: 1, lot: 1, min_qty: 1, max_qty: 1_000,
  max_price: 1_000_000, maker_fee_bp: -1, taker_fee_bp: 2,
};
/** Worked example 2: tick 0.01, taker 2.5 bp, maker rebate 1 bp. */
const EX2: InstrumentConfig = {
  symbol: 'EX2', price_scale: 2, qty_scale: 0, tick_size: 1, lot: 1, min_qty: 1, max_qty: 100,
  max_price: 10_000_000, maker_fee_bp: -1, taker_fee_bp: 2.5,
};

interface Venue {
  engine: Engine;
  sink: RecordingSink;
  symbol: string;
  scale: number;
  /** the market maker under study */
  maker: number;
  /** takers that trade against it */
  taker: number;
  /** a third party providing the liquidity the maker takes when it exits aggressively */
  other: number;
  t: number;
}

function venue(cfg: InstrumentConfig): Venue {
  const sink = new RecordingSink();
  const engine = new Engine({ instruments: [cfg] }, sink);
  const id = (name: string): number => {
    const r = engine.addAccount({ name });
    assert.equal(typeof r, 'number');
    return r as number;
  };
  return {
    engine, sink, symbol: cfg.symbol, scale: engine.instruments[0].cashScale,
    maker: id('maker'), taker: id('taker'), other: id('other'), t: 0,
  };
}

/** Decimal price text → price units of the venue's instrument. */
function px(v: Venue, text: string): number {
  const p = parseUnits(text, v.engine.instruments[0].priceScale);
  assert.notEqual(p, null, `bad price ${text}`);
  return p as number;
}

/** Submits a new order that must be accepted; returns its id (from the ACCEPTED event, checked against newOrder's result). */
function submit(v: Venue, c: Omit<NewOrder, 'time' | 'symbol'>): number {
  const before = v.sink.events.length;
  const id = v.engine.newOrder({ ...c, time: ++v.t, symbol: v.symbol });
  const acc = v.sink.orders().find((e) => e.seq > (v.sink.events[before - 1]?.seq ?? 0) && e.kind === OrderEventKind.ACCEPTED);
  assert.ok(acc, `order not accepted: ${JSON.stringify(v.sink.events.slice(before))}`);
  assert.equal(id, acc.orderId);
  return id;
}

/** A GTC limit that must be accepted; returns its id. */
function limit(v: Venue, account: number, side: Side, price: string, qty = 1): number {
  return submit(v, { account, side, price: px(v, price), qty });
}

/** `maker` rests `side` qty @ price and `taker` takes all of it. */
function makerFilled(v: Venue, side: Side, price: string, qty = 1): void {
  const before = v.sink.fills().length;
  const id = limit(v, v.maker, side, price, qty);
  limit(v, v.taker, side === BUY ? SELL : BUY, price, qty);
  const fills = v.sink.fills().slice(before);
  assert.equal(fills.length, 1);
  assert.equal(fills[0].makerOrderId, id);
  assert.equal(fills[0].makerAccount, v.maker);
  assert.equal(fills[0].qty, qty);
  assert.equal(v.engine.order(id), null, 'the maker order is filled in full');
}

function pos(v: Venue, account: number): PositionView {
  const a = v.engine.accountView(account);
  assert.ok(a);
  return a.positions[0];
}

/** realised P&L + rebates − fees, in cash units. */
const net = (p: PositionView): bigint => p.realisedPnl + p.rebatesReceived - p.feesPaid;

const fmt = (v: Venue, value: bigint | number): string => formatUnits(value, v.scale);

/** Asserts a money amount equals a decimal text exactly (the text may have fewer decimals than cash_scale). */
function money(v: Venue, actual: bigint | number, expected: string, what: string): void {
  const units = parseUnits(expected, v.scale);
  assert.notEqual(units, null, `bad expected amount ${expected}`);
  assert.equal(fmt(v, actual), fmt(v, units as number), what);
  assert.equal(BigInt(actual), BigInt(units as number), what);
}

/** Σ cash + venue fees = 0, and venue fees = Σ fees − Σ rebates, over every account. */
function assertConservation(v: Venue): void {
  let cash = 0n, fees = 0n, rebates = 0n, qty = 0;
  for (const id of v.engine.accountIds()) {
    const p = pos(v, id);
    cash += p.cash;
    fees += p.feesPaid;
    rebates += p.rebatesReceived;
    qty += p.position;
  }
  const venueFees = v.engine.venueFees[0].toBigInt();
  assert.equal(qty, 0, 'positions net to zero');
  assert.equal(venueFees, fees - rebates, 'venue fee income = Σ fees − Σ rebates');
  assert.equal(cash + venueFees, 0n, 'Σ cash + venue fees = 0');
  // and the per-fill fees add up to the same
  let perFill = 0;
  for (const f of v.sink.fills()) perFill += f.makerFee + f.takerFee;
  assert.equal(BigInt(perFill), venueFees);
}

describe('domain.md §1 worked example 1 (tick 0.1, taker 2 bp, maker −1 bp)', () => {
  test('instrument scales: cash_scale defaults to price_scale + qty_scale + 6 = 7', () => {
    const v = venue(EX1);
    const inst = v.engine.instruments[0];
    assert.equal(inst.cashScale, 7);
    assert.equal(inst.notionalMultiplier, 1_000_000);
    assert.equal(inst.makerRate, -100);
    assert.equal(inst.takerRate, 200);
  });

  test('round trip: bid filled at 1000.0, ask filled at 1000.1 → 0.1 spread + 0.20001 rebates = 0.30001', () => {
    const v = venue(EX1);
    makerFilled(v, BUY, '1000.0');
    let m = pos(v, v.maker);
    assert.equal(m.position, 1);
    money(v, m.rebatesReceived, '0.1', 'rebate on the bid leg = 1000.0 × 1 bp');
    money(v, m.costBasis, '1000.0', 'cost basis');
    // effective cost 999.9
    money(v, BigInt(m.costBasis) - m.rebatesReceived, '999.9', 'effective cost');
    money(v, pos(v, v.taker).feesPaid, '0.2', 'taker fee 1000.0 × 2 bp');

    makerFilled(v, SELL, '1000.1');
    m = pos(v, v.maker);
    assert.equal(m.position, 0);
    assert.equal(m.costBasis, 0);
    assert.equal(m.trades, 2);
    money(v, m.rebatesReceived, '0.20001', 'rebates 0.1 + 0.10001');
    money(v, m.realisedPnl, '0.1', 'spread captured');
    money(v, m.feesPaid, '0', 'a maker pays no fee');
    money(v, net(m), '0.30001', 'round-trip net');
    money(v, m.cash, '0.30001', 'flat, so cash = net');
    assert.equal(fmt(v, net(m)), '0.3000100');
    // effective proceeds of the ask leg: 1000.1 + 0.10001
    const fills = v.sink.fills();
    assert.equal(fills.length, 2);
    money(v, fills[1].notional - fills[1].makerFee, '1000.20001', 'effective proceeds');
    money(v, fills[0].makerFee, '-0.1', 'bid-leg maker fee (signed)');
    money(v, fills[1].makerFee, '-0.10001', 'ask-leg maker fee (signed)');
    money(v, fills[0].takerFee, '0.2', 'taker fee, leg 1');
    money(v, fills[1].takerFee, '0.20002', 'taker fee, leg 2');

    const t = pos(v, v.taker);
    money(v, t.feesPaid, '0.40002', 'taker fees');
    money(v, t.realisedPnl, '-0.1', 'taker sold 1000.0, bought back 1000.1');
    money(v, t.cash, '-0.50002', 'taker cash');
    money(v, v.engine.venueFees[0].toBigInt(), '0.20001', 'venue keeps 0.40002 − 0.20001');
    assertConservation(v);
  });

  for (const how of ['market', 'IOC limit'] as const) {
    test(`loss: long 1 from the 1000.0 bid, dumped with a ${how} sell at 998.0 → −(1.9 + 0.1996) = −2.0996`, () => {
      const v = venue(EX1);
      makerFilled(v, BUY, '1000.0');
      limit(v, v.other, BUY, '998.0'); // the fair price has dropped: the best bid is now 998.0
      const id = how === 'market'
        ? submit(v, { account: v.maker, side: SELL, ordType: OrdType.MARKET, qty: 1 })
        : submit(v, { account: v.maker, side: SELL, tif: TimeInForce.IOC, price: px(v, '998.0'), qty: 1 });
      const f = v.sink.fills().at(-1);
      assert.ok(f);
      assert.equal(f.takerOrderId, id);
      assert.equal(f.price, px(v, '998.0'));
      money(v, f.takerFee, '0.1996', 'taker fee 998.0 × 2 bp');

      const m = pos(v, v.maker);
      assert.equal(m.position, 0);
      money(v, m.realisedPnl, '-2.0', '998.0 − 1000.0');
      money(v, m.feesPaid, '0.1996', 'taker fee on the exit');
      money(v, m.rebatesReceived, '0.1', 'rebate on the entry');
      money(v, net(m), '-2.0996', 'net loss');
      // (999.9 − 998.0) + 998.0 × 0.0002
      money(v, -net(m), '2.0996', 'loss = 1.9 + 0.1996');
      money(v, m.cash, '-2.0996', 'flat, so cash = net');
      assertConservation(v);
    });
  }

  test('loss: long 1 from the 1000.0 bid, exited passively at 998.1 → −1.9 + 0.19981 = −1.70019', () => {
    const v = venue(EX1);
    makerFilled(v, BUY, '1000.0');
    makerFilled(v, SELL, '998.1');
    const m = pos(v, v.maker);
    assert.equal(m.position, 0);
    money(v, m.realisedPnl, '-1.9', '998.1 − 1000.0');
    money(v, m.rebatesReceived, '0.19981', '0.1 + 998.1 × 1 bp');
    money(v, m.feesPaid, '0', 'no fee paid');
    money(v, net(m), '-1.70019', 'net loss');
    // (999.9 − 998.1) − 998.1 × 0.0001
    money(v, -net(m), '1.70019', 'loss = 1.8 − 0.09981');
    assertConservation(v);
  });

  test('averaging down: a second maker buy at 998.0 → average entry 999.0, effective 998.9001; 998.9 is the lowest ask that exits without loss', () => {
    const scenario = (): Venue => {
      const v = venue(EX1);
      makerFilled(v, BUY, '1000.0');
      makerFilled(v, BUY, '998.0');
      return v;
    };
    const v = scenario();
    const m = pos(v, v.maker);
    assert.equal(m.position, 2);
    money(v, m.costBasis, '1998.0', 'cost basis 1000.0 + 998.0');
    assert.equal(m.avgEntryPx, px(v, '999.0'), 'avgEntryPx is in price units');
    money(v, m.rebatesReceived, '0.1998', '0.1 + 0.0998');
    money(v, m.realisedPnl, '0', 'nothing closed yet');
    // second lot: 998.0 − 0.0998 = 997.9002 effective
    const second = v.sink.fills()[1];
    money(v, second.makerFee, '-0.0998', 'rebate 998.0 × 1 bp');
    money(v, second.notional + second.makerFee, '997.9002', 'second lot effective');
    const effectiveTotal = BigInt(m.costBasis) - m.rebatesReceived;
    money(v, effectiveTotal, '1997.8002', '(999.9 + 997.9002)');
    assert.equal(effectiveTotal % 2n, 0n);
    // domain.md rounds this to ≈ 998.9; the exact figure is 998.9001
    money(v, effectiveTotal / 2n, '998.9001', 'effective average entry');
    assertConservation(v);

    // exit both lots passively at 998.9: not a loss; one tick lower is
    const exitAt = (price: string): bigint => {
      const w = scenario();
      makerFilled(w, SELL, price, 2);
      const p = pos(w, w.maker);
      assert.equal(p.position, 0);
      assertConservation(w);
      return net(p);
    };
    const at9 = exitAt('998.9');
    money(v, at9, '0.19958', 'exit 2 @ 998.9: −0.2 + 0.1998 + 0.19978');
    const at8 = exitAt('998.8');
    money(v, at8, '-0.00044', 'exit 2 @ 998.8: −0.4 + 0.1998 + 0.19976');
  });
});

describe('domain.md §1 worked example 2 (tick 0.01, taker 2.5 bp, maker −1 bp)', () => {
  test('instrument scales: cash_scale 8, taker rate 2.5 bp = 250e-6', () => {
    const v = venue(EX2);
    assert.equal(v.engine.instruments[0].cashScale, 8);
    assert.equal(v.engine.instruments[0].takerRate, 250);
    assert.equal(v.engine.instruments[0].makerRate, -100);
  });

  test('buy at 100.00, sell at 100.01 → 0.030001 on a 0.01 spread; the taker fee 0.025 is exact', () => {
    const v = venue(EX2);
    makerFilled(v, BUY, '100.00');
    const f1 = v.sink.fills()[0];
    money(v, f1.takerFee, '0.025', 'taker pays 100.00 × 2.5 bp');
    money(v, f1.makerFee, '-0.01', 'maker receives 100.00 × 1 bp');
    assert.equal(fmt(v, f1.takerFee), '0.02500000');
    money(v, BigInt(pos(v, v.maker).costBasis) - pos(v, v.maker).rebatesReceived, '99.99', 'effective entry');

    makerFilled(v, SELL, '100.01');
    const f2 = v.sink.fills()[1];
    money(v, f2.makerFee, '-0.010001', 'rebate 100.01 × 1 bp');
    money(v, f2.takerFee, '0.0250025', 'taker fee 100.01 × 2.5 bp');
    const m = pos(v, v.maker);
    assert.equal(m.position, 0);
    money(v, m.realisedPnl, '0.01', 'spread');
    money(v, m.rebatesReceived, '0.020001', 'rebates');
    money(v, net(m), '0.030001', 'net');
    assert.equal(fmt(v, net(m)), '0.03000100');
    money(v, m.cash, '0.030001', 'cash');
    money(v, pos(v, v.taker).feesPaid, '0.0500025', 'taker fees');
    money(v, v.engine.venueFees[0].toBigInt(), '0.0300015', '0.0500025 − 0.020001');
    assertConservation(v);
  });

  test('exiting the long passively at 99.98 is not quite flat: net −0.000002', () => {
    const v = venue(EX2);
    makerFilled(v, BUY, '100.00');
    makerFilled(v, SELL, '99.98');
    const m = pos(v, v.maker);
    assert.equal(m.position, 0);
    money(v, m.realisedPnl, '-0.02', '99.98 − 100.00');
    money(v, m.rebatesReceived, '0.019998', '0.01 + 0.009998');
    money(v, net(m), '-0.000002', 'net');
    assert.equal(fmt(v, net(m)), '-0.00000200');
    assertConservation(v);
  });
});

describe('average-cost positions', () => {
  test('a partial close takes cost out pro rata, truncated to a cash unit; a full close realises exactly proceeds − cost', () => {
    const v = venue({ ...EX1, symbol: 'AVG', maker_fee_bp: 0, taker_fee_bp: 0 });
    makerFilled(v, BUY, '1000.0');
    makerFilled(v, BUY, '1000.1', 2);
    let m = pos(v, v.maker);
    money(v, m.costBasis, '3000.2', 'cost of 3');
    // sell 1 @ 1000.0: removed cost = floor(3000.2 / 3) = 1000.0666666 (the unit of 1e-7 below the exact third)
    makerFilled(v, SELL, '1000.0');
    m = pos(v, v.maker);
    assert.equal(m.position, 2);
    money(v, m.realisedPnl, '-0.0666666', '1000.0 − 1000.0666666');
    money(v, m.costBasis, '2000.1333334', 'the remainder stays in the basis');
    // sell 1 more @ 1000.2: removed = floor(2000.1333334 / 2) = 1000.0666667
    makerFilled(v, SELL, '1000.2');
    m = pos(v, v.maker);
    money(v, m.realisedPnl, '0.0666667', '−0.0666666 + (1000.2 − 1000.0666667)');
    money(v, m.costBasis, '1000.0666667', 'last lot');
    // close: Σ realised = proceeds − cost exactly = (1000.0 + 1000.2 + 1000.3) − 3000.2 = 0.3
    makerFilled(v, SELL, '1000.3');
    m = pos(v, v.maker);
    assert.equal(m.position, 0);
    assert.equal(m.costBasis, 0);
    money(v, m.realisedPnl, '0.3', 'no unit lost or created');
    money(v, m.cash, '0.3', 'flat and fee-free: cash = realised');
    assertConservation(v);
  });

  test('a fill through zero closes the position and opens the other side at the fill price', () => {
    const v = venue({ ...EX1, symbol: 'FLIP', maker_fee_bp: 0, taker_fee_bp: 0 });
    makerFilled(v, BUY, '1000.0', 2);
    makerFilled(v, SELL, '1001.0', 5);
    const m = pos(v, v.maker);
    assert.equal(m.position, -3);
    money(v, m.realisedPnl, '2.0', '2 × (1001.0 − 1000.0)');
    money(v, m.costBasis, '3003.0', 'short 3 @ 1001.0');
    assert.equal(m.avgEntryPx, px(v, '1001.0'));
    makerFilled(v, BUY, '999.0', 3);
    const n = pos(v, v.maker);
    assert.equal(n.position, 0);
    money(v, n.realisedPnl, '8.0', '2.0 + 3 × (1001.0 − 999.0)');
    assertConservation(v);
  });
});

describe('fee rounding (money.ts feeFor: toward +∞)', () => {
  // cash_scale = price_scale + qty_scale: notionals exact, fees rounded to 0.1
  const COARSE: InstrumentConfig = { ...EX1, symbol: 'COARSE', cash_scale: 1 };

  test('with cash_scale 1 a fee is rounded up and a rebate rounded toward zero (venue-favourable)', () => {
    const v = venue(COARSE);
    assert.equal(v.engine.instruments[0].cashScale, 1);
    assert.equal(v.engine.instruments[0].notionalMultiplier, 1);

    makerFilled(v, BUY, '1000.0'); // notional 10000 units: 0.2 fee and 0.1 rebate are exact
    makerFilled(v, SELL, '1000.1'); // notional 10001 units: exact fee 0.20002 → 0.3, exact rebate 0.10001 → 0.1
    const [f1, f2] = v.sink.fills();
    assert.equal(f1.notional, 10_000);
    assert.equal(f1.takerFee, 2);
    assert.equal(f1.makerFee, -1);
    assert.equal(f2.notional, 10_001);
    assert.equal(f2.takerFee, 3, 'fee 0.20002 is charged as 0.3, never 0.2');
    assert.equal(f2.makerFee, -1, 'rebate 0.10001 is paid as 0.1, never 0.2');

    const m = pos(v, v.maker);
    assert.equal(fmt(v, m.rebatesReceived), '0.2');
    assert.equal(fmt(v, m.realisedPnl), '0.1');
    assert.equal(fmt(v, net(m)), '0.3', 'the coarse venue pays 0.3 where the exact one pays 0.30001');
    const t = pos(v, v.taker);
    assert.equal(fmt(v, t.feesPaid), '0.5');
    assert.equal(fmt(v, v.engine.venueFees[0].toBigInt()), '0.3');
    assertConservation(v);
  });

  test('small trades: a positive maker fee below one unit still costs a unit; a tiny rebate rounds to zero', () => {
    const cfg: InstrumentConfig = { ...EX1, symbol: 'TINY', qty_scale: 3, lot: 1, min_qty: 1, max_qty: 1_000_000, cash_scale: 4 };
    const v = venue(cfg);
    assert.equal(v.engine.instruments[0].notionalMultiplier, 1);
    // 0.001 @ 1000.1 = notional 1.0001 = 10001 units; rebate exact 1.0001 units → 1 unit
    makerFilled(v, BUY, '1000.1', 1);
    assert.equal(v.sink.fills()[0].makerFee, -1);
    assert.equal(v.sink.fills()[0].takerFee, 3);
    // a positive maker fee of 0.01 bp on 0.001 @ 0.1: exact 1e-10 units → charged 1 unit
    assert.deepEqual(v.engine.setFeeTier(v.maker, { maker_fee_bp: 0.01, taker_fee_bp: 0 }), { ok: true });
    assert.deepEqual(v.engine.setFeeTier(v.taker, { maker_fee_bp: 0, taker_fee_bp: -0.01 }), { ok: true });
    makerFilled(v, SELL, '0.1', 1); // notional 0.0001 = 1 unit
    const f = v.sink.fills()[1];
    assert.equal(f.notional, 1);
    assert.equal(f.makerFee, 1, 'a fee is never under-charged, even to zero');
    assert.equal(f.takerFee, 0, 'a rebate of 1e-6 units is paid as (+)0');
    assertConservation(v);
  });

  test('every fill: exact fee ≤ charged fee < exact fee + 1 unit, for fees and rebates (deterministic sweep)', () => {
    const cfg: InstrumentConfig = { ...EX1, symbol: 'SWEEP', qty_scale: 2, lot: 1, min_qty: 1, max_qty: 100_000, cash_scale: 3 };
    const v = venue(cfg);
    const mult = BigInt(v.engine.instruments[0].notionalMultiplier);
    const tiers: [number, number][] = [[-1, 2], [0.37, 2.5], [-0.99, 7.77], [-2.5, 0.01], [1.23, -0.5]];
    const next = mulberry32(12345);
    for (let i = 0; i < 400; i++) {
      const [mk, tk] = tiers[i % tiers.length];
      assert.deepEqual(v.engine.setFeeTier(v.maker, { maker_fee_bp: mk, taker_fee_bp: tk }), { ok: true });
      assert.deepEqual(v.engine.setFeeTier(v.taker, { maker_fee_bp: mk, taker_fee_bp: tk }), { ok: true });
      const p = 1 + next(999_999);
      const qty = 1 + next(99_999);
      const priceText = `${Math.floor(p / 10)}.${p % 10}`;
      makerFilled(v, i % 2 === 0 ? BUY : SELL, priceText, qty);
      const f = v.sink.fills().at(-1);
      assert.ok(f);
      assert.equal(BigInt(f.notional), BigInt(p) * BigInt(qty) * mult);
      for (const [fee, bp] of [[f.makerFee, mk], [f.takerFee, tk]] as const) {
        const rate = BigInt(Math.round(bp * 100));
        const exactTimesDen = BigInt(f.notional) * rate; // exact fee × 1e6
        const den = BigInt(RATE_DENOMINATOR);
        assert.ok(BigInt(fee) * den >= exactTimesDen, `fee ${fee} under exact ${exactTimesDen}/1e6`);
        assert.ok((BigInt(fee) - 1n) * den < exactTimesDen, `fee ${fee} more than one unit over exact ${exactTimesDen}/1e6`);
      }
    }
    assertConservation(v);
  });
});
