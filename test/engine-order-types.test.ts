// The order types makers use: iceberg, sliding post-only, stop / stop-limit,
// midpoint peg. Each test states the venue rule it follows and asserts exact
// fills, prices and queue order.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.ts';
import { OrderEventKind, RecordingSink } from '../engine/events.ts';
import type { NewOrder } from '../engine/commands.ts';
import type { InstrumentConfig } from '../engine/instrument.ts';
import { CancelReason, OrdType, RejectReason, Side, TimeInForce, TradingPhase } from '../engine/types.ts';

const { BUY, SELL } = Side;

/** tick 1 below 1000, 5 from 1000; lot 1; min display 5; at most 10 iceberg parts (Binance ICEBERG_PARTS) */
const XYZ: InstrumentConfig = {
  symbol: 'XYZ', price_scale: 0, qty_scale: 0, lot: 1, min_qty: 1, max_qty: 10_000, max_price: 100_000,
  tick_table: [{ from_price: 0, tick: 1 }, { from_price: 1_000, tick: 5 }],
  maker_fee_bp: 0, taker_fee_bp: 0, market_protection_bp: 500, min_display_qty: 5, iceberg_parts: 10,
};

function setup(): { e: Engine; sink: RecordingSink; a: number; b: number; c: number; t: () => number; nw: (o: Partial<NewOrder> & { account: number; side: Side; qty: number }) => number } {
  const sink = new RecordingSink();
  const e = new Engine({ instruments: [XYZ] }, sink);
  const a = e.addAccount({ name: 'a' }) as number;
  const b = e.addAccount({ name: 'b' }) as number;
  const c = e.addAccount({ name: 'c' }) as number;
  let now = 1_000;
  const t = (): number => (now += 10);
  const nw = (o: Partial<NewOrder> & { account: number; side: Side; qty: number }): number => e.newOrder({ time: t(), symbol: 'XYZ', ...o });
  return { e, sink, a, b, c, t, nw };
}

const fills = (sink: RecordingSink): string[] =>
  sink.fills().map((f) => `${f.price}x${f.qty} maker=#${f.makerOrderId} taker=#${f.takerOrderId}`);
const lastOrderEvent = (sink: RecordingSink) => sink.orders()[sink.orders().length - 1];

describe('iceberg (FIX DisplayQty 1138)', () => {
  // CME Globex order qualifiers, Display Quantity: only the display quantity is shown to the market;
  // TSX Order Types Guide §4.8: "Only the disclosed portion of the order has priority at the given price
  // level" — when the shown part is filled the next slice is shown with a new time priority.
  test('the book and market data show the display quantity only; leaves counts the hidden part', () => {
    const { e, sink, a, nw } = setup();
    const id = nw({ account: a, side: SELL, price: 100, qty: 50, displayQty: 10 });
    assert.deepEqual(e.depth('XYZ', 1)?.asks, [{ price: 100, qty: 10, count: 1 }]);
    assert.deepEqual(sink.levels().map((l) => [l.price, l.qty]), [[100, 10]]);
    const ack = lastOrderEvent(sink);
    assert.equal(ack.kind, OrderEventKind.ACCEPTED);
    assert.equal(ack.leaves, 50);
    assert.equal(ack.display, 10);
    const v = e.order(id);
    assert.deepEqual([v?.leaves, v?.shown, v?.displayQty], [50, 10, 10]);
  });

  test("the second slice goes behind an order that arrived after the first", () => {
    const { e, sink, a, b, c, nw } = setup();
    const ice = nw({ account: a, side: SELL, price: 100, qty: 30, displayQty: 10 });
    const later = nw({ account: b, side: SELL, price: 100, qty: 5 });
    sink.clear();
    // 15 at 100: the slice of 10 fills, the next slice goes to the back, behind #later (5), which fills next
    nw({ account: c, side: BUY, price: 100, qty: 15 });
    assert.deepEqual(fills(sink), [`100x10 maker=#${ice} taker=#3`, `100x5 maker=#${later} taker=#3`]);
    assert.deepEqual(e.levelOrders('XYZ', SELL, 100).map((o) => [o.orderId, o.shown, o.leaves]), [[ice, 10, 20]]);
    // a maker's fill report counts the hidden part in its leaves
    assert.equal(sink.fills()[0].makerLeaves, 20);
  });

  test('an aggressor bigger than the level takes the refreshed slices in turn, never the hidden part ahead of displayed orders', () => {
    const { e, sink, a, b, c, nw } = setup();
    const ice = nw({ account: a, side: SELL, price: 100, qty: 25, displayQty: 10 });
    const plain = nw({ account: b, side: SELL, price: 100, qty: 4 });
    sink.clear();
    nw({ account: c, side: BUY, price: 100, qty: 29 });
    assert.deepEqual(fills(sink), [
      `100x10 maker=#${ice} taker=#3`, `100x4 maker=#${plain} taker=#3`, `100x10 maker=#${ice} taker=#3`, `100x5 maker=#${ice} taker=#3`,
    ]);
    assert.equal(e.bestAsk('XYZ'), null);
    assert.equal(e.openOrders(a).length, 0);
  });

  test('an incoming iceberg trades its full quantity, then rests showing a slice', () => {
    const { e, sink, a, b, nw } = setup();
    nw({ account: b, side: SELL, price: 100, qty: 12 });
    sink.clear();
    const id = nw({ account: a, side: BUY, price: 100, qty: 40, displayQty: 10 });
    assert.deepEqual(sink.fills().map((f) => f.qty), [12]);
    assert.deepEqual(e.depth('XYZ', 1)?.bids, [{ price: 100, qty: 10, count: 1 }]);
    assert.equal(e.order(id)?.leaves, 28);
  });

  test('a same-price decrease takes from the hidden part first and keeps priority; cancel reports leaves 0', () => {
    const { e, sink, a, b, nw, t } = setup();
    const ice = nw({ account: a, side: SELL, price: 100, qty: 30, displayQty: 10 });
    nw({ account: b, side: SELL, price: 100, qty: 5 });
    assert.equal(e.replace({ time: t(), account: a, symbol: 'XYZ', orderId: ice, price: 100, qty: 15 }), 1);
    assert.deepEqual(e.levelOrders('XYZ', SELL, 100).map((o) => [o.orderId, o.shown, o.leaves]), [[ice, 10, 15], [2, 5, 5]]);
    e.cancel({ time: t(), account: a, symbol: 'XYZ', orderId: ice });
    assert.deepEqual([lastOrderEvent(sink).kind, lastOrderEvent(sink).leaves], [OrderEventKind.CANCELLED, 0]);
    assert.equal(e.accountView(a)?.positions[0].openSellQty, 0);
  });

  test('min_display_qty must be a multiple of the lot and within min_qty … max_qty', () => {
    assert.throws(() => new Engine({ instruments: [{ ...XYZ, lot: 2, min_qty: 2, min_display_qty: 5 }] }), /min_display_qty: must be a multiple of lot 2/);
    assert.throws(() => new Engine({ instruments: [{ ...XYZ, min_display_qty: 0 }] }), /min_display_qty/);
  });

  test('display quantity rejects: below the minimum, too many parts, off lot, on a market or IOC order', () => {
    const { sink, a, nw } = setup();
    const reason = (): number => lastOrderEvent(sink).reason;
    assert.equal(nw({ account: a, side: BUY, price: 100, qty: 40, displayQty: 4 }), 0);
    assert.equal(reason(), RejectReason.DISPLAY_QTY); // min_display_qty 5
    assert.equal(nw({ account: a, side: BUY, price: 100, qty: 200, displayQty: 19 }), 0);
    assert.equal(reason(), RejectReason.DISPLAY_QTY); // 11 parts > iceberg_parts 10
    assert.ok(nw({ account: a, side: BUY, price: 100, qty: 200, displayQty: 20 }) > 0); // exactly 10 parts
    assert.equal(nw({ account: a, side: BUY, price: 100, qty: 40, displayQty: 50 }), 0);
    assert.equal(reason(), RejectReason.INVALID_FIELD);
    assert.equal(nw({ account: a, side: BUY, price: 100, qty: 40, displayQty: 10, tif: TimeInForce.IOC }), 0);
    assert.equal(reason(), RejectReason.INVALID_FIELD);
  });
});

describe('post-only that slides', () => {
  // Deribit private/buy: post_only — "If the new price would cause the order to be filled immediately (as
  // taker), the price will be changed to be just below the spread", unless reject_post_only is set
  // (Binance LIMIT_MAKER always rejects: the default here).
  test('a sliding post-only buy rests one tick below the best offer instead of crossing', () => {
    const { e, sink, a, b, nw } = setup();
    nw({ account: b, side: SELL, price: 100, qty: 10 });
    sink.clear();
    const id = nw({ account: a, side: BUY, price: 103, qty: 5, postOnly: true, postOnlySlide: true });
    assert.ok(id > 0);
    assert.equal(sink.fills().length, 0);
    const ack = sink.orders()[0];
    assert.deepEqual([ack.kind, ack.price, ack.slid], [OrderEventKind.ACCEPTED, 99, true]);
    assert.deepEqual(e.bestBid('XYZ'), { price: 99, qty: 5, count: 1 });
  });

  test('a sell slides one tick above the best bid on the tick table; a post-only that does not cross keeps its price', () => {
    const { e, sink, a, b, nw } = setup();
    nw({ account: b, side: BUY, price: 1_000, qty: 10 });
    nw({ account: a, side: SELL, price: 990, qty: 5, postOnly: true, postOnlySlide: true });
    assert.equal(e.bestAsk('XYZ')?.price, 1_005); // tick 5 from 1000
    nw({ account: a, side: SELL, price: 1_100, qty: 5, postOnly: true, postOnlySlide: true });
    assert.equal(lastOrderEvent(sink).slid, false);
    assert.equal(lastOrderEvent(sink).price, 1_100);
  });

  test('without the slide option a crossing post-only is still rejected', () => {
    const { sink, a, b, nw } = setup();
    nw({ account: b, side: SELL, price: 100, qty: 10 });
    assert.equal(nw({ account: a, side: BUY, price: 100, qty: 5, postOnly: true }), 0);
    assert.equal(lastOrderEvent(sink).reason, RejectReason.POST_ONLY_WOULD_TAKE);
    assert.equal(nw({ account: a, side: BUY, price: 100, qty: 5, postOnlySlide: true }), 0);
    assert.equal(lastOrderEvent(sink).reason, RejectReason.INVALID_FIELD);
  });

  test('an amend of a sliding post-only that would cross slides too (REPLACED with slid)', () => {
    const { e, sink, a, b, nw, t } = setup();
    nw({ account: b, side: SELL, price: 100, qty: 10 });
    const id = nw({ account: a, side: BUY, price: 95, qty: 5, postOnly: true, postOnlySlide: true });
    e.replace({ time: t(), account: a, symbol: 'XYZ', orderId: id, price: 101, qty: 5 });
    const ev = lastOrderEvent(sink);
    assert.deepEqual([ev.kind, ev.price, ev.slid], [OrderEventKind.REPLACED, 99, true]);
  });
});

describe('stop and stop-limit (FIX 40=3 / 40=4, StopPx 99)', () => {
  // CME Globex: a stop-limit "becomes eligible for execution at its limit price or better when the market
  // (a) in the case of a buy stop limit order, trades at or above the stop price, or (b) ... a sell stop
  // limit order, trades at or below the stop price"; it then "enters the order book as a limit order".
  test('held off the book and out of market data; a trade at the stop price triggers it (TRIGGERED, new time priority)', () => {
    const { e, sink, a, b, c, nw } = setup();
    nw({ account: b, side: SELL, price: 100, qty: 5 });
    nw({ account: c, side: BUY, price: 100, qty: 1 }); // last trade 100
    const stop = nw({ account: a, side: BUY, ordType: OrdType.STOP_LIMIT, stopPx: 102, price: 103, qty: 4 });
    assert.ok(stop > 0);
    assert.equal(e.bestBid('XYZ'), null);
    assert.deepEqual([e.order(stop)?.held, e.order(stop)?.shown], ['stop', 0]);
    nw({ account: b, side: SELL, price: 102, qty: 3 });
    nw({ account: b, side: SELL, price: 103, qty: 10 });
    sink.clear();
    nw({ account: c, side: BUY, price: 101, qty: 4 }); // 4 at 100: below the stop, no trigger
    assert.equal(sink.orders().some((o) => o.kind === OrderEventKind.TRIGGERED), false);
    nw({ account: c, side: BUY, price: 102, qty: 1 }); // a trade at 102 = the stop price triggers it
    assert.deepEqual(sink.orders().filter((o) => o.orderId === stop).map((o) => nameOf(o.kind)), ['TRIGGERED']);
    // it enters as a buy limit 4 at 103: the 2 left at 102, then 2 at 103
    assert.deepEqual(sink.fills().filter((f) => f.takerOrderId === stop).map((f) => `${f.price}x${f.qty}`), ['102x2', '103x2']);
    const trig = sink.orders().find((o) => o.kind === OrderEventKind.TRIGGERED);
    assert.deepEqual([trig?.ordType, trig?.stopPx, trig?.price], [OrdType.LIMIT, 102, 103]);
  });

  test('a stop (market) triggers by a sell-side trade at or below its stop price and sweeps within protection', () => {
    const { sink, a, b, c, nw } = setup();
    nw({ account: b, side: BUY, price: 100, qty: 5 });
    nw({ account: b, side: BUY, price: 98, qty: 10 });
    nw({ account: c, side: SELL, price: 100, qty: 1 }); // last 100
    const stop = nw({ account: a, side: SELL, ordType: OrdType.STOP, stopPx: 99, qty: 6 });
    sink.clear();
    nw({ account: c, side: SELL, price: 99, qty: 4 }); // 4 at 100: no trigger
    assert.equal(sink.fills().filter((f) => f.takerOrderId === stop).length, 0);
    nw({ account: c, side: SELL, price: 98, qty: 2 }); // 2 at 98: triggers
    assert.deepEqual(sink.fills().filter((f) => f.takerOrderId === stop).map((f) => `${f.price}x${f.qty}`), ['98x6']);
  });

  test('a stop whose trigger has already traded is rejected; held stops cancel and count as open orders', () => {
    const { e, sink, a, b, c, nw, t } = setup();
    nw({ account: b, side: SELL, price: 100, qty: 5 });
    nw({ account: c, side: BUY, price: 100, qty: 1 });
    assert.equal(nw({ account: a, side: BUY, ordType: OrdType.STOP, stopPx: 100, qty: 1 }), 0);
    assert.equal(lastOrderEvent(sink).reason, RejectReason.STOP_WOULD_TRIGGER);
    assert.equal(nw({ account: a, side: SELL, ordType: OrdType.STOP, stopPx: 101, qty: 1 }), 0);
    assert.equal(lastOrderEvent(sink).reason, RejectReason.STOP_WOULD_TRIGGER);
    assert.equal(nw({ account: a, side: BUY, ordType: OrdType.STOP, qty: 1 }), 0);
    assert.equal(lastOrderEvent(sink).reason, RejectReason.INVALID_FIELD);
    const id = nw({ account: a, side: BUY, ordType: OrdType.STOP, stopPx: 105, qty: 1 });
    assert.equal(e.accountView(a)?.openOrders, 1);
    assert.equal(e.replace({ time: t(), account: a, symbol: 'XYZ', orderId: id, price: 106, qty: 1 }), 0);
    assert.equal(e.cancel({ time: t(), account: a, symbol: 'XYZ', orderId: id }), 1);
    assert.deepEqual([lastOrderEvent(sink).kind, lastOrderEvent(sink).reason], [OrderEventKind.CANCELLED, CancelReason.USER]);
    assert.equal(e.accountView(a)?.openOrders, 0);
    // a held stop is mass-cancelled like any order
    nw({ account: a, side: BUY, ordType: OrdType.STOP_LIMIT, stopPx: 105, price: 105, qty: 1 });
    assert.equal(e.massCancel({ time: t(), account: a }), 1);
  });

  test("a triggered stop's remainder beyond what it could take expires, as a market order's", () => {
    const { e, sink, a, b, c, nw } = setup();
    nw({ account: b, side: BUY, price: 100, qty: 5 });
    nw({ account: c, side: SELL, price: 100, qty: 1 }); // last 100, bid 100 ×4 left
    assert.equal(nw({ account: a, side: SELL, ordType: OrdType.STOP, stopPx: 100, qty: 9 }), 0); // at the last trade: it would trigger at once
    const ok = nw({ account: a, side: SELL, ordType: OrdType.STOP, stopPx: 99, qty: 9 });
    nw({ account: b, side: BUY, price: 99, qty: 2 });
    sink.clear();
    nw({ account: c, side: SELL, price: 99, qty: 5 }); // 4 at 100, 1 at 99: triggers; the stop takes the last 1 at 99
    const evs = sink.orders().filter((o) => o.orderId === ok).map((o) => `${nameOf(o.kind)}${o.reason ? ':' + o.reason : ''}`);
    assert.deepEqual(evs, ['TRIGGERED', `CANCELLED:${CancelReason.MARKET_REMAINDER}`]);
    assert.deepEqual(sink.fills().filter((f) => f.takerOrderId === ok).map((f) => `${f.price}x${f.qty}`), ['99x1']);
    assert.equal(e.order(ok), null);
  });

  test('a triggered stop with nothing to trade against is cancelled STOP_NO_LIQUIDITY', () => {
    const { sink, a, b, c, nw } = setup();
    nw({ account: b, side: SELL, price: 100, qty: 1 });
    const stop = nw({ account: a, side: BUY, ordType: OrdType.STOP, stopPx: 100, qty: 3 }); // no trade yet: accepted
    nw({ account: c, side: BUY, price: 100, qty: 1 }); // trades 100, empties the offers
    const evs = sink.orders().filter((o) => o.orderId === stop).map((o) => nameOf(o.kind) + (o.reason ? `:${o.reason}` : ''));
    assert.deepEqual(evs, ['ACCEPTED', 'TRIGGERED', `CANCELLED:${CancelReason.STOP_NO_LIQUIDITY}`]);
  });
});

describe('midpoint peg (FIX 40=P, PegPriceType 1094=4)', () => {
  // A midpoint peg is non-displayed and pegged to the midpoint of the best bid and offer, re-priced as they
  // move; "when the national price is locked or crossed, this order is not executable" (fincyclopedia,
  // non-displayed midpoint order; TSX Dark Liquidity Guide §14.1.13). Here the book's own BBO is the NBBO.
  test('rests hidden at the midpoint and re-prices when the best bid moves', () => {
    const { e, sink, a, b, nw } = setup();
    nw({ account: b, side: BUY, price: 90, qty: 10 });
    nw({ account: b, side: SELL, price: 110, qty: 10 });
    const peg = nw({ account: a, side: BUY, ordType: OrdType.MIDPOINT_PEG, qty: 5 });
    assert.deepEqual([e.order(peg)?.price, e.order(peg)?.held, e.order(peg)?.shown], [100, 'peg', 0]);
    assert.deepEqual(e.bestBid('XYZ'), { price: 90, qty: 10, count: 1 }); // not displayed
    assert.equal(sink.levels().some((l) => l.qty === 5), false);
    nw({ account: b, side: BUY, price: 96, qty: 1 }); // bid 96 → mid 103
    assert.equal(e.order(peg)?.price, 103);
    nw({ account: b, side: BUY, price: 97, qty: 1 }); // mid 103.5: a buy peg rounds down
    assert.equal(e.order(peg)?.price, 103);
  });

  test('an incoming sell takes the peg at the midpoint ahead of the worse displayed bid', () => {
    const { sink, a, b, c, nw } = setup();
    nw({ account: b, side: BUY, price: 90, qty: 10 });
    nw({ account: b, side: SELL, price: 110, qty: 10 });
    const peg = nw({ account: a, side: BUY, ordType: OrdType.MIDPOINT_PEG, qty: 5 });
    sink.clear();
    nw({ account: c, side: SELL, price: 90, qty: 8 });
    assert.deepEqual(fills(sink), [`100x5 maker=#${peg} taker=#4`, '90x3 maker=#1 taker=#4']);
  });

  test('at an equal price a displayed order fills before the peg', () => {
    const { sink, a, b, c, nw } = setup();
    nw({ account: b, side: BUY, price: 100, qty: 2 });
    nw({ account: b, side: SELL, price: 101, qty: 10 }); // mid 100.5: a buy peg rests at 100, with the displayed bid
    const peg = nw({ account: a, side: BUY, ordType: OrdType.MIDPOINT_PEG, qty: 5 });
    sink.clear();
    nw({ account: c, side: SELL, price: 100, qty: 4 });
    assert.deepEqual(fills(sink), ['100x2 maker=#1 taker=#4', `100x2 maker=#${peg} taker=#4`]);
  });

  test('a cap limits the peg; a one-sided book leaves it not executable; pegs on both sides cross at the midpoint', () => {
    const { e, sink, a, b, c, nw } = setup();
    const capped = nw({ account: a, side: BUY, ordType: OrdType.MIDPOINT_PEG, price: 98, qty: 5 });
    assert.equal(e.order(capped)?.price, 0); // empty book: not executable
    nw({ account: b, side: BUY, price: 90, qty: 10 });
    assert.equal(e.order(capped)?.price, 0); // one-sided
    nw({ account: b, side: SELL, price: 110, qty: 10 });
    assert.equal(e.order(capped)?.price, 98); // mid 100, capped at 98
    const buyPeg = nw({ account: a, side: BUY, ordType: OrdType.MIDPOINT_PEG, qty: 3 });
    sink.clear();
    const sellPeg = nw({ account: c, side: SELL, ordType: OrdType.MIDPOINT_PEG, qty: 4 });
    // the sell peg meets the buy peg at 100 (the capped one stays at 98)
    assert.deepEqual(fills(sink), [`100x3 maker=#${buyPeg} taker=#${sellPeg}`]);
    assert.equal(e.order(sellPeg)?.leaves, 1);
  });

  test('not executable during a call phase; re-priced when continuous trading resumes', () => {
    const { e, a, b, nw, t } = setup();
    nw({ account: b, side: BUY, price: 90, qty: 10 });
    nw({ account: b, side: SELL, price: 110, qty: 10 });
    const peg = nw({ account: a, side: SELL, ordType: OrdType.MIDPOINT_PEG, qty: 5 });
    assert.equal(e.order(peg)?.price, 100);
    e.setPhase({ time: t(), symbol: 'XYZ', phase: TradingPhase.HALTED });
    nw({ account: b, side: BUY, price: 95, qty: 1 });
    assert.equal(e.order(peg)?.price, 0);
    e.setPhase({ time: t(), symbol: 'XYZ', phase: TradingPhase.CONTINUOUS });
    assert.equal(e.order(peg)?.price, 103); // mid 102.5: a sell peg rounds up
  });
});

const nameOf = (k: number): string => Object.keys(OrderEventKind).find((n) => OrderEventKind[n as keyof typeof OrderEventKind] === k) ?? `?${k}`;
