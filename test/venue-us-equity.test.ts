// US-equity venue rules of the us-equity profile, each test naming its source.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.ts';
import { RecordingSink } from '../engine/events.ts';
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
