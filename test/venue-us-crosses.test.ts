// On-open / on-close orders, imbalance-only orders, auction collars and extensions, and the
// imbalance information of the us-equity profile's crosses (engine/rules/crosses.ts), each test
// naming its source. AAPL of the profile: tick 0.01, previous close 190.00, New York time.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.ts';
import { OrderEventKind, RecordingSink, type AuctionEvent } from '../engine/events.ts';
import type { InstrumentConfig } from '../engine/instrument.ts';
import { CancelReason, OrdType, RejectReason, Side, TimeInForce, TradingPhase } from '../engine/types.ts';
import { profileConfig } from '../gateway/profiles.ts';
import type { Book } from '../engine/book.ts';
import type { Instrument } from '../engine/instrument.ts';
import { newUncross, uncross } from '../engine/rules/auction.ts';
import { crossPrice, newCrossResult } from '../engine/rules/crosses.ts';
import { prng } from './prng.ts';

/** A New York local time on a summer day (EDT) in engine µs. */
const ny = (hhmmss: string): number => Date.parse(`2026-07-15T${hhmmss}-04:00`) * 1000;
const MOC = { ordType: OrdType.MARKET, tif: TimeInForce.AT_THE_CLOSE } as const;
const LOC = { ordType: OrdType.LIMIT, tif: TimeInForce.AT_THE_CLOSE } as const;
const MOO = { ordType: OrdType.MARKET, tif: TimeInForce.AT_THE_OPENING } as const;
const LOO = { ordType: OrdType.LIMIT, tif: TimeInForce.AT_THE_OPENING } as const;

function venue(instruments?: InstrumentConfig[]) {
  const cfg = profileConfig('us-equity');
  const sink = new RecordingSink();
  const e = new Engine({ instruments: instruments ?? cfg.instruments, rules: { access_fee_cap: cfg.rules?.access_fee_cap } }, sink);
  for (const name of ['a', 'b', 'c', 'd']) e.addAccount({ name });
  let n = 0;
  const order = (t: string, account: number, side: Side, price: number, qty: number, extra: object = {}): number =>
    e.newOrder({ time: ny(t), account, symbol: 'AAPL', side, price, qty, clOrdId: `o${++n}`, ...extra });
  /** continuous book: bid 189.90 × 300 (a), ask 190.10 × 300 (b) */
  const quote = (t: string): void => {
    order(t, 1, Side.BUY, 189_90, 300);
    order(t, 2, Side.SELL, 190_10, 300);
  };
  const fills = () => sink.fills().map((f) => [f.price, f.qty, f.auction]);
  const cancels = (reason: number) => sink.orders().filter((o) => o.kind === OrderEventKind.CANCELLED && o.reason === reason).map((o) => o.orderId);
  const rejects = () => sink.orders().filter((o) => o.kind === OrderEventKind.REJECTED || o.kind === OrderEventKind.CANCEL_REJECTED).map((o) => o.reason);
  const auctions = () => sink.events.filter((x): x is { type: 'auction' } & AuctionEvent => x.type === 'auction' && x.symbol === 'AAPL');
  return { e, sink, order, quote, fills, cancels, rejects, auctions };
}

// Source: Nasdaq Rule 4754 (Nasdaq Closing Cross) and nasdaqtrader.com "Opening and Closing
// Crosses": MOC / LOC orders execute only in the closing cross, at the closing price, together
// with the continuous book; they are not displayed; an LOC priced beyond the closing price does
// not execute; what the cross leaves of an on-close order is cancelled.
describe('on-close orders (us-equity profile)', () => {
  test('a MOC buy executes at the closing price with a LOC sell and the book; nothing parked is displayed', () => {
    const v = venue();
    v.quote('15:00:00');
    const moc = v.order('15:10:00', 3, Side.BUY, 0, 500, MOC);
    const loc = v.order('15:20:00', 4, Side.SELL, 189_50, 200, LOC);
    assert.ok(moc > 0 && loc > 0);
    assert.deepEqual(v.e.depth('AAPL', 5), { symbol: 'AAPL', bids: [{ price: 189_90, qty: 300, count: 1 }], asks: [{ price: 190_10, qty: 300, count: 1 }] }, 'MOC / LOC are off the book');
    assert.equal(v.fills().length, 0, 'the LOC sell at 189.50 does not trade against the 189.90 bid');
    v.e.advanceTime(ny('16:00:01'));
    assert.equal(v.e.phaseOf('AAPL'), TradingPhase.CLOSED);
    // most volume: 500 at 190.10 (MOC 500 against LOC 200 + the 300 offered at 190.10)
    assert.deepEqual(v.fills(), [[190_10, 200, true], [190_10, 300, true]]);
    assert.equal(v.e.priceControls('AAPL')?.previousClose, 190_10, 'the cross sets the close');
    assert.equal(v.e.order(moc), null, 'the MOC filled in full');
    assert.deepEqual(v.e.depth('AAPL', 5)?.bids, [{ price: 189_90, qty: 300, count: 1 }]);
  });

  test('a LOC buy priced below the close does not execute and expires with reason AUCTION', () => {
    const v = venue();
    v.quote('15:00:00');
    v.order('15:10:00', 3, Side.BUY, 0, 300, MOC);
    const loc = v.order('15:11:00', 4, Side.BUY, 190_00, 100, LOC);
    v.e.advanceTime(ny('16:00:01'));
    assert.deepEqual(v.fills(), [[190_10, 300, true]]);
    assert.deepEqual(v.cancels(CancelReason.AUCTION), [loc]);
    assert.equal(v.e.openOrders(4).length, 0);
  });

  test('entry and cancel cut-offs: MOC until 15:55, LOC until 15:58, no cancel from 15:55 (Nasdaq ETA 2019-20)', () => {
    const v = venue();
    v.quote('15:00:00');
    const early = v.order('15:54:59', 3, Side.BUY, 0, 100, MOC);
    assert.ok(early > 0);
    assert.equal(v.order('15:55:00', 3, Side.BUY, 0, 100, MOC), 0);
    assert.ok(v.order('15:57:59', 3, Side.BUY, 190_00, 100, LOC) > 0);
    assert.equal(v.order('15:58:00', 3, Side.BUY, 190_00, 100, LOC), 0);
    assert.ok(v.order('15:59:59', 4, Side.SELL, 190_00, 100, { ...LOC, imbalanceOnly: true }) > 0, 'IO until the cross');
    assert.equal(v.e.cancel({ time: ny('15:58:30'), account: 3, symbol: 'AAPL', orderId: early }), 0);
    assert.equal(v.e.massCancel({ time: ny('15:58:31'), account: 3 }), 0, 'a mass cancel leaves frozen on-close orders');
    assert.deepEqual(v.rejects(), [RejectReason.AUCTION_CUTOFF, RejectReason.AUCTION_CUTOFF, RejectReason.AUCTION_CUTOFF]);
    const text = v.sink.orders().filter((o) => o.reason === RejectReason.AUCTION_CUTOFF).map((o) => o.text);
    assert.deepEqual(text, [
      'market closing orders are accepted until 15:55:00 local time',
      'limit closing orders are accepted until 15:58:00 local time',
      'on-close orders cannot be cancelled or amended from 15:55:00 local time',
    ]);
  });

  test('before the freeze a LOC can be amended (a new price loses its time) and cancelled', () => {
    const v = venue();
    const loc = v.order('15:00:00', 3, Side.BUY, 190_00, 100, LOC);
    assert.equal(v.e.replace({ time: ny('15:01:00'), account: 3, symbol: 'AAPL', orderId: loc, price: 190_05, qty: 200 }), 1);
    assert.deepEqual([v.e.order(loc)?.price, v.e.order(loc)?.qty], [190_05, 200]);
    assert.deepEqual(v.e.openOrders(3).map((o) => [o.price, o.qty, o.leaves]), [[190_05, 200, 200]]);
    assert.equal(v.e.cancel({ time: ny('15:02:00'), account: 3, symbol: 'AAPL', orderId: loc }), 1);
    assert.equal(v.e.openOrders(3).length, 0);
  });
});

// Source: nasdaqtrader.com "Opening and Closing Crosses" (imbalance-only orders: "provides
// liquidity intended to offset on-close orders", must be priced, buy IO executable at or below the
// 4:00 p.m. bid, sell IO at or above the offer) and Nasdaq Rule 4754(a).
describe('imbalance-only orders', () => {
  test('an IO sell fills exactly the buy imbalance, at no less than the offer; an IO on the imbalance side never executes', () => {
    const v = venue();
    v.order('15:00:00', 1, Side.BUY, 189_90, 100);
    v.order('15:00:00', 2, Side.SELL, 190_20, 100);
    v.order('15:10:00', 3, Side.BUY, 0, 1000, MOC);
    const ioSell = v.order('15:20:00', 4, Side.SELL, 190_00, 1500, { ...LOC, imbalanceOnly: true });
    const ioBuy = v.order('15:20:01', 4, Side.BUY, 191_00, 100, { ...LOC, imbalanceOnly: true });
    v.e.advanceTime(ny('16:00:01'));
    // without IO: MOC 1000 against 100 offered at 190.20, a buy imbalance of 900; the IO sell (190.00
    // re-priced to the 190.20 offer) offsets those 900 and no more
    assert.deepEqual(v.fills(), [[190_20, 100, true], [190_20, 900, true]]);
    assert.deepEqual(v.cancels(CancelReason.AUCTION).sort(), [ioSell, ioBuy].sort(), 'the IO remainder (600) and the same-side IO expire');
    const io = v.sink.orders().filter((o) => o.orderId === ioSell && o.kind === OrderEventKind.CANCELLED)[0];
    assert.deepEqual([io.cum, io.qty], [900, 1500]);
  });

  test('an IO order must be a limit on-open / on-close order', () => {
    const v = venue();
    assert.equal(v.order('15:00:00', 4, Side.SELL, 0, 100, { ...MOC, imbalanceOnly: true }), 0);
    assert.equal(v.order('15:00:00', 4, Side.SELL, 190_00, 100, { imbalanceOnly: true }), 0);
    assert.deepEqual(v.rejects(), [RejectReason.INVALID_FIELD, RejectReason.INVALID_FIELD]);
  });
});

// Source: Nasdaq Rules 4752 (Opening Cross) and 4754(b)(2)(E): the cross price must lie within a
// threshold of the Nasdaq best bid and offer — the greater of 10 % of the midpoint and $0.50
// (nasdaqtrader.com system settings) — else the cross runs at the price within it nearest the
// calculated one. Equity Trader Alert 2019-20 for the cut-offs of on-open orders.
describe('opening cross and collars', () => {
  test('MOO and LOO execute at the opening price; a MOO cancel after 09:28 is refused AUCTION_CUTOFF', () => {
    const v = venue();
    v.order('08:00:00', 1, Side.BUY, 189_90, 300);
    v.order('08:00:00', 2, Side.SELL, 190_30, 300);
    const moo = v.order('09:00:00', 3, Side.BUY, 0, 400, MOO);
    const loo = v.order('09:29:00', 4, Side.SELL, 190_20, 100, LOO);
    assert.equal(v.order('09:29:30', 4, Side.SELL, 190_20, 100, LOO), 0, 'LOO until 09:29:30');
    assert.equal(v.order('09:28:00', 3, Side.BUY, 0, 100, MOO), 0, 'MOO until 09:28');
    assert.equal(v.e.cancel({ time: ny('09:28:00'), account: 3, symbol: 'AAPL', orderId: moo }), 0);
    assert.deepEqual(v.rejects(), [RejectReason.AUCTION_CUTOFF, RejectReason.AUCTION_CUTOFF, RejectReason.AUCTION_CUTOFF]);
    v.e.advanceTime(ny('09:30:01'));
    assert.equal(v.e.phaseOf('AAPL'), TradingPhase.CONTINUOUS);
    // MOO 400 against LOO 100 at 190.20 and 300 offered at 190.30: all 400 at 190.30
    assert.deepEqual(v.fills(), [[190_30, 100, true], [190_30, 300, true]]);
    assert.equal(v.e.order(loo), null);
  });

  test('a closing price beyond the collar crosses at the boundary: 209.10 = offer 190.10 + 10 % of the 190.00 midpoint', () => {
    const v = venue();
    v.quote('15:00:00');
    v.order('15:10:00', 3, Side.BUY, 220_00, 500, LOC);
    v.order('15:10:00', 4, Side.SELL, 215_00, 500, LOC);
    v.e.advanceTime(ny('16:00:01'));
    const final = v.auctions().filter((a) => a.final);
    assert.deepEqual(final.map((a) => [a.price, a.qty, a.collarLow, a.collarHigh]), [[209_10, 300, 170_90, 209_10]]);
    // unconstrained: 500 at 215.00; at 209.10 the LOC sell (215.00) is out, the 300 offered at 190.10 pair
    assert.deepEqual(v.fills(), [[209_10, 300, true]]);
  });

  test('the collar is at least 0.50 wide: a 2.00 stock collars at bid − 0.50 / offer + 0.50', () => {
    const cfg = profileConfig('us-equity');
    const aapl = cfg.instruments.find((i) => i.symbol === 'AAPL') as InstrumentConfig;
    const v = venue([{ ...aapl, rules: { ...aapl.rules, previous_close: 2_00 } }]);
    v.order('15:00:00', 1, Side.BUY, 1_99, 100);
    v.order('15:00:00', 2, Side.SELL, 2_01, 100);
    v.order('15:10:00', 3, Side.BUY, 3_00, 100, LOC);
    v.e.advanceTime(ny('16:00:01'));
    assert.deepEqual(v.auctions().filter((a) => a.final).map((a) => [a.price, a.collarLow, a.collarHigh]), [[2_01, 1_49, 2_51]]);
  });
});

// Source: the LULD plan, Amendment 12 (trade resumption after a pause): a reopening price outside
// the auction collar extends the pause by 5 minutes and widens the collar by 5 % in the direction
// of the imbalance (here a makerbench config with one 60-second extension on the closing cross).
describe('extensions', () => {
  test('a cross outside the collar extends the call, widens the collar in the imbalance direction, then crosses', () => {
    const cfg = profileConfig('us-equity');
    const aapl = cfg.instruments.find((i) => i.symbol === 'AAPL') as InstrumentConfig;
    const closing = { ...aapl.rules?.crosses?.closing, extension_ms: 60_000, max_extensions: 1, widen_bp: 500 } as NonNullable<NonNullable<InstrumentConfig['rules']>['crosses']>['closing'];
    const v = venue([{ ...aapl, rules: { ...aapl.rules, crosses: { ...aapl.rules?.crosses, closing } } }]);
    v.quote('15:00:00');
    v.order('15:10:00', 3, Side.BUY, 220_00, 500, LOC);
    v.order('15:10:00', 4, Side.SELL, 215_00, 500, LOC);
    v.e.advanceTime(ny('16:00:01'));
    assert.equal(v.e.phaseOf('AAPL'), TradingPhase.CLOSING_AUCTION, 'extended');
    assert.equal(v.fills().length, 0);
    // the extension's indication (at the old collar), then the call's indication at the widened
    // collar: up by 5 % of the 190.00 reference (9.50) to 218.60, so 215.00 is inside now
    assert.deepEqual(v.auctions().filter((a) => a.extensions === 1).map((a) => [a.final, a.price, a.extendedUntil, a.collarHigh]),
      [[false, 209_10, ny('16:01:01'), 209_10], [false, 215_00, ny('16:01:01'), 218_60]]);
    const status = v.sink.events.filter((x) => x.type === 'phase').at(-1) as { phase: number; until: number; text: string };
    assert.deepEqual([status.phase, status.until], [TradingPhase.CLOSING_AUCTION, ny('16:01:01')]);
    v.e.advanceTime(ny('16:01:01'));
    assert.equal(v.e.phaseOf('AAPL'), TradingPhase.CLOSED);
    const final = v.auctions().filter((a) => a.final);
    assert.deepEqual(final.map((a) => [a.price, a.qty, a.collarHigh, a.extensions]), [[215_00, 500, 218_60, 1]]);
    assert.deepEqual(v.fills(), [[215_00, 300, true], [215_00, 200, true]]);
  });
});

// Source: the LULD plan, Amendment 12 (us-equity profile's reopening setting): after a pause the
// reopening must price within the band in force at the pause; else 5-minute extensions, each
// widening the collar by 5 % of the reference in the direction of the imbalance.
describe('LULD reopening (us-equity profile)', () => {
  test('a reopening at 212.00 against the 199.50 upper band: two 5-minute extensions, then the cross at 212.00', () => {
    const v = venue();
    v.order('10:00:00', 1, Side.BUY, 199_50, 100);
    v.e.advanceTime(ny('10:00:15'));
    assert.equal(v.e.phaseOf('AAPL'), TradingPhase.HALTED, 'limit up 15 s: paused');
    v.order('10:01:00', 3, Side.BUY, 215_00, 100);
    v.order('10:01:00', 4, Side.SELL, 212_00, 100);
    v.e.advanceTime(ny('10:05:15'));
    assert.equal(v.e.phaseOf('AAPL'), TradingPhase.HALTED, 'extended once: 212.00 above the 199.50 collar');
    v.e.advanceTime(ny('10:10:15'));
    assert.equal(v.e.phaseOf('AAPL'), TradingPhase.HALTED, 'extended twice: above 209.00 (199.50 + 5 % of 190.00)');
    const halts = v.sink.events.filter((x) => x.type === 'phase' && x.symbol === 'AAPL').map((x) => [(x as { phase: number }).phase, (x as { until: number }).until]);
    assert.deepEqual(halts, [[TradingPhase.HALTED, ny('10:05:15')], [TradingPhase.HALTED, ny('10:10:15')], [TradingPhase.HALTED, ny('10:15:15')]]);
    v.e.advanceTime(ny('10:15:15'));
    assert.equal(v.e.phaseOf('AAPL'), TradingPhase.CONTINUOUS);
    assert.deepEqual(v.fills(), [[212_00, 100, true]]);
    assert.deepEqual(v.auctions().filter((a) => a.final).map((a) => [a.price, a.collarLow, a.collarHigh, a.extensions]), [[212_00, 180_50, 218_50, 2]]);
  });
});

// Source: Nasdaq Equity Trader Alert 2019-20: closing imbalance information (paired shares,
// imbalance shares and direction, reference price) every 10 seconds from 3:50 p.m. and every second
// from 3:55 p.m.; nasdaqtrader.com: opening imbalance information from 9:25 a.m.
describe('imbalance information', () => {
  test('from 15:50 every 10 s, from 15:55 every second: paired 300, imbalance 700 BUY at 190.10', () => {
    const v = venue();
    v.quote('15:00:00');
    v.order('15:10:00', 3, Side.BUY, 0, 1000, MOC);
    v.e.advanceTime(ny('15:49:59'));
    assert.equal(v.auctions().length, 0);
    v.e.advanceTime(ny('15:50:00'));
    const a = v.auctions();
    assert.equal(a.length, 1);
    assert.deepEqual([a[0].phase, a[0].final, a[0].price, a[0].qty, a[0].surplus, a[0].surplusSide, a[0].far, a[0].reference],
      [TradingPhase.CLOSING_AUCTION, false, 190_10, 300, 700, Side.BUY, 0, 190_00]);
    v.e.advanceTime(ny('15:50:09'));
    assert.equal(v.auctions().length, 1);
    v.e.advanceTime(ny('15:50:10'));
    assert.equal(v.auctions().length, 2);
    v.e.advanceTime(ny('15:55:00'));
    v.e.advanceTime(ny('15:55:01'));
    v.e.advanceTime(ny('15:55:02'));
    assert.equal(v.auctions().length, 5);
    assert.equal(v.e.phaseOf('AAPL'), TradingPhase.CONTINUOUS, 'published during continuous trading');
  });

  test('the far price: the on-close orders alone (LOC buy 190.05 against LOC sell 189.95 → nearest the 190.00 reference)', () => {
    const v = venue();
    v.quote('15:00:00');
    v.order('15:10:00', 3, Side.BUY, 190_05, 100, LOC);
    v.order('15:10:00', 4, Side.SELL, 189_95, 100, LOC);
    v.e.advanceTime(ny('15:50:00'));
    const a = v.auctions()[0];
    assert.deepEqual([a.price, a.qty, a.far], [190_00, 100, 190_00]);
  });
});

// The cross prices a book without on-open / on-close orders exactly as the plain call auction does
// (engine/rules/auction.ts: most volume, least surplus, market pressure, nearest the reference).
describe('the cross price agrees with the call auction', () => {
  test('500 random crossed books: same price, volume and surplus as uncross()', () => {
    const rnd = prng(20);
    const cfg = profileConfig('us-equity');
    const aapl = cfg.instruments.find((i) => i.symbol === 'AAPL') as InstrumentConfig;
    for (let k = 0; k < 500; k++) {
      const e = new Engine({ instruments: [{ ...aapl, rules: {} }] });
      e.addAccount({ name: 'a' });
      const n = 1 + Math.floor(rnd() * 12);
      e.setPhase({ time: 1, symbol: 'AAPL', phase: TradingPhase.PRE_OPEN });
      for (let i = 0; i < n; i++) {
        e.newOrder({ time: 2, account: 1, symbol: 'AAPL', side: rnd() < 0.5 ? Side.BUY : Side.SELL, price: 99_90 + Math.floor(rnd() * 20), qty: 1 + Math.floor(rnd() * 5) * 100 });
      }
      const inst = (e as unknown as { instruments: Instrument[] }).instruments[0];
      const book = (e as unknown as { market: { books: Book[] } }).market.books[0];
      const reference = rnd() < 0.3 ? 0 : 99_95 + Math.floor(rnd() * 10);
      const u = uncross(book, inst, reference, newUncross());
      const r = newCrossResult();
      crossPrice(book, new Set(), inst, reference, 0, 0, r);
      assert.deepEqual([r.price, r.qty, r.surplus, r.surplusSide], [u.price, u.qty, u.surplus, u.surplusSide], `book ${k}`);
    }
  });
});

// Other venues are not affected: a profile without crosses refuses on-open / on-close orders.
describe('other profiles', () => {
  test('crypto-spot: an AT_THE_CLOSE order is refused NO_AUCTION, GTC orders trade as before', () => {
    const cfg = profileConfig('crypto-spot');
    const sink = new RecordingSink();
    const e = new Engine({ instruments: cfg.instruments }, sink);
    e.addAccount({ name: 'a' });
    assert.equal(e.newOrder({ time: 1, account: 1, symbol: 'BTC-USD', side: Side.BUY, price: 100_000_00, qty: 1000, ...LOC }), 0);
    assert.equal(sink.orders()[0].reason, RejectReason.NO_AUCTION);
    assert.ok(e.newOrder({ time: 2, account: 1, symbol: 'BTC-USD', side: Side.BUY, price: 100_000_00, qty: 1000 }) > 0);
  });
});
