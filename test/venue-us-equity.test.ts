// US-equity venue rules of the us-equity profile, each test naming its source.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.ts';
import { OrderEventKind, RecordingSink } from '../engine/events.ts';
import type { InstrumentConfig } from '../engine/instrument.ts';
import type { InstrumentRulesConfig } from '../engine/rules/config.ts';
import { ZoneClock } from '../engine/time.ts';
import { Side, TradingPhase } from '../engine/types.ts';
import { profileConfig } from '../gateway/profiles.ts';

const S = 1_000_000; // µs per second
/** An ISO time (with its zone) in engine µs. */
const at = (iso: string): number => Date.parse(iso) * 1000;

function inst(symbol: string, rules: InstrumentRulesConfig): InstrumentConfig {
  return { symbol, price_scale: 2, qty_scale: 0, tick_size: 1, lot: 1, min_qty: 1, max_qty: 100_000, max_price: 10_000_000, maker_fee_bp: 0, taker_fee_bp: 0, rules };
}

describe('venue time in America/New_York (Intl time-zone data)', () => {
  test('09:30 New York is 14:30 UTC in winter (EST) and 13:30 UTC in summer (EDT); the switch at 02:00 local', () => {
    const ny = new ZoneClock('America/New_York');
    assert.equal(ny.timeOfDay(at('2026-01-15T14:30:00Z')), (9 * 3600 + 30 * 60) * S);
    assert.equal(ny.timeOfDay(at('2026-07-15T13:30:00Z')), (9 * 3600 + 30 * 60) * S);
    assert.equal(ny.offset(at('2026-03-08T06:59:59Z')), -5 * 3600 * S);
    assert.equal(ny.offset(at('2026-03-08T07:00:00Z')), -4 * 3600 * S);
    assert.equal(ny.offset(at('2026-11-01T05:59:59Z')), -4 * 3600 * S);
    assert.equal(ny.offset(at('2026-11-01T06:00:00Z')), -5 * 3600 * S);
    assert.equal(ny.day(at('2026-07-16T03:59:59Z')), ny.day(at('2026-07-15T04:00:00Z')), 'the local day runs 04:00–04:00 UTC in summer');
  });
});

// Source: NYSE Rule 7.12 / Nasdaq Rule 4121 (market-wide circuit breakers): a level 1 (7 %) or
// level 2 (13 %) decline halts trading for 15 minutes only between 9:30 a.m. and 3:25 p.m. ET;
// a level 3 (20 %) decline at any time halts trading for the rest of the day.
describe('market-wide breaker (us-equity profile setting)', () => {
  function venue(): { e: Engine; trade: (t: number, price: number) => void } {
    const cfg = profileConfig('us-equity');
    // continuous 24/7 instruments, so only the breaker's own clock matters here
    const e = new Engine({ instruments: [inst('SPX', { previous_close: 5_000_00 }), inst('ACME', {})], rules: { market_wide: cfg.rules?.market_wide } }, new RecordingSink());
    e.addAccount({ name: 'a' });
    e.addAccount({ name: 'b' });
    const trade = (t: number, price: number): void => {
      e.newOrder({ time: t, account: 2, symbol: 'SPX', side: Side.SELL, price, qty: 1 });
      e.newOrder({ time: t, account: 1, symbol: 'SPX', side: Side.BUY, price, qty: 1 });
    };
    return { e, trade };
  }

  test('summer: −7 % at 15:24:59 ET halts 15 minutes; at 15:25:00 ET it does not', () => {
    const a = venue();
    a.trade(at('2026-07-15T19:24:59-00:00'), 4_650_00);
    assert.equal(a.e.phaseOf('ACME'), TradingPhase.HALTED);
    const b = venue();
    b.trade(at('2026-07-15T15:25:00-04:00'), 4_650_00);
    assert.equal(b.e.phaseOf('ACME'), TradingPhase.CONTINUOUS);
  });

  test('winter: the same window is 14:30–20:25 UTC', () => {
    const a = venue();
    a.trade(at('2026-01-15T20:24:00Z'), 4_650_00);
    assert.equal(a.e.phaseOf('ACME'), TradingPhase.HALTED, '15:24 EST');
    const b = venue();
    b.trade(at('2026-01-15T14:29:00Z'), 4_650_00);
    assert.equal(b.e.phaseOf('ACME'), TradingPhase.CONTINUOUS, '09:29 EST: before the window');
    b.trade(at('2026-01-15T14:30:00Z'), 4_640_00);
    assert.equal(b.e.phaseOf('ACME'), TradingPhase.HALTED, '09:30 EST');
  });

  test('after 15:25 ET −13 % does nothing, −20 % closes the market for the day', () => {
    const { e, trade } = venue();
    trade(at('2026-07-15T15:40:00-04:00'), 4_350_00);
    assert.equal(e.phaseOf('ACME'), TradingPhase.CONTINUOUS, 'level 2 after 15:25');
    trade(at('2026-07-15T15:50:00-04:00'), 4_000_00);
    assert.equal(e.phaseOf('ACME'), TradingPhase.CLOSED, 'level 3 at any time');
  });

  test('a bad time zone or window is a config error naming the field', () => {
    const bad = (mw: object): unknown => new Engine({ instruments: [inst('SPX', {})], rules: { market_wide: { index: 'SPX', levels: [{ drop_bp: 700, halt_ms: 1 }], ...mw } } });
    assert.throws(() => bad({ time_zone: 'Mars/Olympus' }), /rules\.market_wide\.time_zone: must be an IANA time zone/);
    assert.throws(() => bad({ levels: [{ drop_bp: 700, halt_ms: 1, from: '15:25', until: '09:30' }] }), /levels\[0\]\.until: must be after from/);
    assert.throws(() => bad({ levels: [{ drop_bp: 700, halt_ms: 1, from: '9:30' }] }), /levels\[0\]\.from: must be a time/);
  });
});

// Source: NYSE Rule 7.35B / Nasdaq Rule 4754 (closing cross): the day ends in the closing cross; a
// halt that begins during the closing auction interrupts the call but not the close: the orders
// collected cross at 16:00 and set the closing price (domain.md §4; a bug fixed: it used to skip).
describe('a halt during the closing auction still ends in the closing cross', () => {
  const DAY = at('2026-07-15T00:00:00Z');
  const H = 3600 * S;
  function venue(): { e: Engine; sink: RecordingSink } {
    const sink = new RecordingSink();
    const schedule = [{ at: '00:00', phase: 'CONTINUOUS' }, { at: '20:00', phase: 'CLOSING_AUCTION' }, { at: '20:05', phase: 'CLOSED' }] as const;
    const e = new Engine({ instruments: [inst('XYZ', { schedule: [...schedule], previous_close: 100_00 })] }, sink);
    e.addAccount({ name: 'a' });
    e.addAccount({ name: 'b' });
    e.advanceTime(DAY + 20 * H);
    e.newOrder({ time: DAY + 20 * H + 60 * S, account: 1, symbol: 'XYZ', side: Side.BUY, price: 101_00, qty: 300 });
    e.newOrder({ time: DAY + 20 * H + 61 * S, account: 2, symbol: 'XYZ', side: Side.SELL, price: 99_00, qty: 200 });
    assert.equal(sink.fills().length, 0, 'collected in the call');
    return { e, sink };
  }

  test('an open-ended halt at 20:02: at 20:05 the book crosses 200 at one price, which becomes the close', () => {
    const { e, sink } = venue();
    e.setPhase({ time: DAY + 20 * H + 120 * S, symbol: 'XYZ', phase: TradingPhase.HALTED, text: 'news pending' });
    assert.equal(e.phaseOf('XYZ'), TradingPhase.HALTED);
    e.advanceTime(DAY + 20 * H + 300 * S);
    assert.equal(e.phaseOf('XYZ'), TradingPhase.CLOSED);
    assert.deepEqual(sink.fills().map((f) => [f.price, f.qty]), [[101_00, 200]], 'surplus on the buy side: the highest price of maximum volume');
    const final = sink.events.filter((x) => x.type === 'auction' && x.final).at(-1) as { phase: number } | undefined;
    assert.equal(final?.phase, TradingPhase.CLOSING_AUCTION, 'reported as the closing cross');
    assert.equal(e.priceControls('XYZ')?.previousClose, 101_00);
  });

  test('a 1-minute halt at 20:02 returns to the closing auction and the cross runs at 20:05', () => {
    const { e, sink } = venue();
    e.setPhase({ time: DAY + 20 * H + 120 * S, symbol: 'XYZ', phase: TradingPhase.HALTED, durationUs: 60 * S });
    e.advanceTime(DAY + 20 * H + 180 * S);
    assert.equal(e.phaseOf('XYZ'), TradingPhase.CLOSING_AUCTION);
    assert.equal(sink.fills().length, 0);
    e.advanceTime(DAY + 20 * H + 300 * S);
    assert.deepEqual(sink.fills().map((f) => [f.price, f.qty]), [[101_00, 200]]);
  });
});

// Source: the LULD plan (luldplan.com; Appendix A and §V–VIII as amended, 83 FR 66464): price bands
// by tier; reference = mean price of eligible trades over the preceding 5 minutes, moved only when
// it changes by 1 % or more; the first reference of the day is the opening price (the previous
// close without one); bands double 15:35–16:00 ET for tier 1; bands apply in continuous trading,
// not to the opening, reopening and closing crosses; 15 s in a limit state → 5-minute pause and a
// reopening; a pause in the last 10 minutes goes to the closing cross.
describe('LULD per the plan', () => {
  const DAY = at('2026-07-15T00:00:00Z');
  const H = 3600 * S;
  const LULD_US = { tier: 1, reference_move_bp: 100, double_from: '15:35', double_until: '16:00', close_pause_ms: 600_000 } as const;
  function venue(rules: InstrumentRulesConfig): { e: Engine; sink: RecordingSink; order: (t: number, acct: number, side: Side, price: number, qty?: number) => number } {
    const sink = new RecordingSink();
    const e = new Engine({ instruments: [inst('XYZ', rules)] }, sink);
    e.addAccount({ name: 'a' });
    e.addAccount({ name: 'b' });
    const order = (t: number, acct: number, side: Side, price: number, qty = 100): number => e.newOrder({ time: t, account: acct, symbol: 'XYZ', side, price, qty });
    return { e, sink, order };
  }
  const band = (e: Engine): [number, number] | null => {
    const b = e.priceControls('XYZ')?.dynamicBand;
    return b ? [b.lower, b.upper] : null;
  };
  const phaseList = (sink: RecordingSink): number[] => sink.events.filter((x) => x.type === 'phase').map((x) => (x as { phase: number }).phase);

  test('tiers: 5 % / 10 % above 3.00, 20 % from 0.75 to 3.00, the lesser of 0.15 and 75 % below 0.75', () => {
    const at0 = (luld: object, pc: number): [number, number] | null => {
      const { e } = venue({ luld: luld as InstrumentRulesConfig['luld'], previous_close: pc });
      e.advanceTime(DAY + 14 * H);
      return band(e);
    };
    assert.deepEqual(at0({ tier: 1 }, 190_00), [180_50, 199_50]);
    assert.deepEqual(at0({ tier: 2 }, 190_00), [171_00, 209_00]);
    assert.deepEqual(at0({ tier: 1 }, 2_00), [1_60, 2_40]);
    assert.deepEqual(at0({ tier: 1 }, 50), [35, 65], '0.15 < 75 % of 0.50');
    assert.deepEqual(at0({ tier: 1 }, 10), [3, 17], '75 % of 0.10 = 0.075 < 0.15, to the cent inward');
    assert.throws(() => at0({ tier: 3 }, 10), /luld\.tier: must be 1 or 2/);
    assert.throws(() => at0({ tier: 1, band_bp: 500 }, 10), /give band_bp or tier/);
  });

  test('tier 1 bands double 15:35–16:00 New York time (19:35–20:00 UTC in summer)', () => {
    const { e } = venue({ luld: LULD_US, previous_close: 100_00, time_zone: 'America/New_York' });
    e.advanceTime(at('2026-07-15T15:34:59-04:00'));
    assert.deepEqual(band(e), [95_00, 105_00]);
    e.advanceTime(at('2026-07-15T15:35:00-04:00'));
    assert.deepEqual(band(e), [90_00, 110_00]);
    e.advanceTime(at('2026-07-15T16:00:00-04:00'));
    assert.deepEqual(band(e), [95_00, 105_00]);
  });

  test('the reference moves only when the 5-minute mean moves 1 % or more', () => {
    const { e, order } = venue({ luld: LULD_US, previous_close: 100_00 });
    const t = DAY + 14 * H;
    order(t, 1, Side.BUY, 100_50); order(t, 2, Side.SELL, 100_50);
    assert.deepEqual(band(e), [95_00, 105_00], 'mean 100.50: +0.5 %, the reference stays 100.00');
    order(t + S, 1, Side.BUY, 101_50); order(t + S, 2, Side.SELL, 101_50);
    assert.deepEqual(band(e), [95_95, 106_05], 'mean 101.00: +1 %, the reference moves');
  });

  test('a +8 % gap opens at the auction price (no band in the call), which becomes the reference', () => {
    const schedule = [{ at: '13:25', phase: 'OPENING_AUCTION' }, { at: '13:30', phase: 'CONTINUOUS' }, { at: '20:00', phase: 'CLOSED' }] as const;
    const { e, sink, order } = venue({ luld: LULD_US, previous_close: 100_00, schedule: [...schedule] });
    e.advanceTime(DAY + 13 * H + 26 * 60 * S);
    assert.equal(e.phaseOf('XYZ'), TradingPhase.OPENING_AUCTION);
    order(DAY + 13 * H + 27 * 60 * S, 1, Side.BUY, 108_00);
    order(DAY + 13 * H + 27 * 60 * S, 2, Side.SELL, 108_00);
    assert.deepEqual(sink.orders().filter((o) => o.kind === OrderEventKind.ACCEPTED).map((o) => o.price), [108_00, 108_00], 'accepted at 108.00, not slid to 105.00');
    e.advanceTime(DAY + 13 * H + 30 * 60 * S);
    assert.deepEqual(sink.fills().map((f) => [f.price, f.qty]), [[108_00, 100]]);
    assert.deepEqual(band(e), [102_60, 113_40], 'the opening price is the first reference');
  });

  test('one pause, then a reopening at the auction price outside the old band', () => {
    const { e, sink, order } = venue({ luld: LULD_US, previous_close: 100_00 });
    const t = DAY + 14 * H;
    order(t, 1, Side.BUY, 107_00); // slid to the upper band 105.00: a limit state
    assert.equal(sink.orders().at(-1)?.price, 105_00);
    e.advanceTime(t + 15 * S);
    assert.equal(e.phaseOf('XYZ'), TradingPhase.HALTED);
    order(t + 20 * S, 1, Side.BUY, 110_00);
    order(t + 21 * S, 2, Side.SELL, 108_00, 200);
    e.advanceTime(t + 15 * S + 300 * S);
    assert.equal(e.phaseOf('XYZ'), TradingPhase.CONTINUOUS);
    assert.deepEqual(sink.fills().map((f) => [f.price, f.qty]), [[108_00, 100]], 'reopening cross at 108.00 (the 110.00 bid; the 105.00 bid stays)');
    assert.deepEqual(band(e), [102_60, 113_40], 'the reopening price is the reference');
    e.advanceTime(t + 30 * 60 * S);
    assert.deepEqual(phaseList(sink), [TradingPhase.HALTED, TradingPhase.CONTINUOUS], 'exactly one pause');
  });

  test('a pause in the last 10 minutes lasts until the close and ends in the closing cross', () => {
    const schedule = [{ at: '00:00', phase: 'CONTINUOUS' }, { at: '20:00', phase: 'CLOSING_AUCTION' }, { at: '20:00:01', phase: 'CLOSED' }] as const;
    const { e, sink, order } = venue({ luld: LULD_US, previous_close: 100_00, schedule: [...schedule] });
    const t = DAY + 19 * H + 52 * 60 * S;
    order(t, 1, Side.BUY, 105_00);
    e.advanceTime(t + 15 * S);
    assert.equal(e.phaseOf('XYZ'), TradingPhase.HALTED);
    const halt = sink.events.filter((x) => x.type === 'phase').at(-1) as { until: number };
    assert.equal(halt.until, 0, 'no reopening');
    order(t + 60 * S, 2, Side.SELL, 104_00);
    e.advanceTime(t + 5 * 60 * S + 15 * S);
    assert.equal(e.phaseOf('XYZ'), TradingPhase.HALTED, 'still paused after 5 minutes');
    e.advanceTime(DAY + 20 * H + S);
    assert.equal(e.phaseOf('XYZ'), TradingPhase.CLOSED);
    assert.deepEqual(sink.fills().map((f) => [f.price, f.qty]), [[105_00, 100]], 'crossed in the closing auction');
  });
});

// Source: Nasdaq Rules 4701, 4752, 4754 and NYSE Rule 7.34 (trading sessions): pre-market from
// 04:00 ET is continuous trading, the opening cross at 09:30, regular trading to 16:00, the closing
// cross at 16:00; New York local time with daylight saving (EST UTC−5 in winter, EDT UTC−4 in summer).
describe('the us-equity session in America/New_York', () => {
  function aapl(): Engine {
    const cfg = profileConfig('us-equity');
    const e = new Engine({ instruments: cfg.instruments, rules: cfg.rules }, new RecordingSink());
    e.addAccount({ name: 'a' });
    return e;
  }
  const phaseAt = (iso: string): TradingPhase => {
    const e = aapl();
    e.advanceTime(at(iso));
    return e.phaseOf('AAPL') as TradingPhase;
  };

  test('winter: the opening cross at 14:30 UTC, continuous from 14:30:01, the close at 21:00 UTC', () => {
    assert.equal(phaseAt('2026-01-15T08:59:59Z'), TradingPhase.CLOSED, '03:59:59 EST');
    assert.equal(phaseAt('2026-01-15T09:00:00Z'), TradingPhase.CONTINUOUS, '04:00 EST: pre-market');
    assert.equal(phaseAt('2026-01-15T13:30:00Z'), TradingPhase.CONTINUOUS, '08:30 EST: still pre-market');
    assert.equal(phaseAt('2026-01-15T14:30:00Z'), TradingPhase.OPENING_AUCTION);
    assert.equal(phaseAt('2026-01-15T14:30:01Z'), TradingPhase.CONTINUOUS);
    assert.equal(phaseAt('2026-01-15T20:59:59Z'), TradingPhase.CONTINUOUS);
    assert.equal(phaseAt('2026-01-15T21:00:00Z'), TradingPhase.CLOSING_AUCTION);
    assert.equal(phaseAt('2026-01-15T21:00:01Z'), TradingPhase.CLOSED);
  });

  test('summer: the opening cross at 13:30 UTC, the close at 20:00 UTC; a running engine follows the DST switch', () => {
    assert.equal(phaseAt('2026-07-15T13:29:59Z'), TradingPhase.CONTINUOUS, 'pre-market');
    assert.equal(phaseAt('2026-07-15T13:30:00Z'), TradingPhase.OPENING_AUCTION);
    assert.equal(phaseAt('2026-07-15T20:00:00Z'), TradingPhase.CLOSING_AUCTION);
    // one engine from Friday 6 March (EST) across the switch on Sunday 8 March to Monday 9 March (EDT)
    const e = aapl();
    e.advanceTime(at('2026-03-06T21:00:00Z'));
    assert.equal(e.phaseOf('AAPL'), TradingPhase.CLOSING_AUCTION);
    e.advanceTime(at('2026-03-09T13:30:00Z'));
    assert.equal(e.phaseOf('AAPL'), TradingPhase.OPENING_AUCTION, '09:30 EDT');
  });

  test('no LULD band in the pre-market: a trade 8 % away is allowed', () => {
    const e = aapl();
    e.addAccount({ name: 'b' });
    const t = at('2026-07-15T08:00:00-04:00');
    e.newOrder({ time: t, account: 1, symbol: 'AAPL', side: Side.BUY, price: 205_20, qty: 100 });
    assert.equal(e.priceControls('AAPL')?.dynamicBand, null);
    assert.equal(e.order(e.nextOrderIdPreview() - 1)?.price, 205_20, 'not slid to 199.50');
  });
});
