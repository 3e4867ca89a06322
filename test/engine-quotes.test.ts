// Mass quotes: a new quote replaces the account's previous one on the symbol;
// quote orders are post-only; quote cancel withdraws them; cancel-on-disconnect
// mass cancels carry their own reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.ts';
import { RecordingSink, OrderEventKind } from '../engine/events.ts';
import { CancelReason, RejectReason, Side } from '../engine/types.ts';

function setup(): { e: Engine; sink: RecordingSink } {
  const sink = new RecordingSink();
  const e = new Engine({
    instruments: [{ symbol: 'X', price_scale: 0, qty_scale: 0, tick_size: 1, lot: 1, min_qty: 1, max_qty: 100, max_price: 10_000, maker_fee_bp: 0, taker_fee_bp: 0 }],
    sink,
  });
  e.addAccount({ name: 'maker' });
  e.addAccount({ name: 'other' });
  return { e, sink };
}

test('a mass quote rests both sides and replaces the previous quote', () => {
  const { e, sink } = setup();
  const q1 = e.massQuote({ time: 1, account: 1, symbol: 'X', bidPx: 99, bidSize: 5, offerPx: 101, offerSize: 6 });
  assert.deepEqual(q1, { bidOrderId: 1, offerOrderId: 2, bidReject: 0, offerReject: 0 });
  assert.deepEqual(e.bestBid('X'), { price: 99, qty: 5, count: 1 });
  assert.deepEqual(e.bestAsk('X'), { price: 101, qty: 6, count: 1 });
  sink.clear();
  const q2 = e.massQuote({ time: 2, account: 1, symbol: 'X', bidPx: 98, bidSize: 3, offerPx: 0, offerSize: 0 });
  assert.deepEqual(q2, { bidOrderId: 3, offerOrderId: 0, bidReject: 0, offerReject: 0 });
  const cancels = sink.orders().filter((o) => o.kind === OrderEventKind.CANCELLED);
  assert.deepEqual(cancels.map((o) => [o.orderId, o.reason]), [[1, CancelReason.QUOTE_REPLACED], [2, CancelReason.QUOTE_REPLACED]]);
  assert.deepEqual(e.depth('X', 5), { symbol: 'X', bids: [{ price: 98, qty: 3, count: 1 }], asks: [] });
});

test('a quote side that would take is rejected post-only; the other side rests', () => {
  const { e } = setup();
  e.newOrder({ time: 1, account: 2, symbol: 'X', side: Side.SELL, price: 100, qty: 1 });
  const q = e.massQuote({ time: 2, account: 1, symbol: 'X', bidPx: 100, bidSize: 5, offerPx: 102, offerSize: 5 });
  assert.equal(q.bidOrderId, 0);
  assert.equal(q.bidReject, RejectReason.POST_ONLY_WOULD_TAKE);
  assert.ok(q.offerOrderId > 0);
  assert.equal(q.offerReject, 0);
});

test('quote cancel withdraws the quote; other orders of the account stay', () => {
  const { e } = setup();
  const plain = e.newOrder({ time: 1, account: 1, symbol: 'X', side: Side.BUY, price: 90, qty: 1 });
  e.massQuote({ time: 2, account: 1, symbol: 'X', bidPx: 99, bidSize: 5, offerPx: 101, offerSize: 6 });
  assert.equal(e.quoteCancel({ time: 3, account: 1, symbol: 'X' }), 2);
  assert.deepEqual(e.openOrders(1).map((o) => o.orderId), [plain]);
  assert.equal(e.quoteCancel({ time: 4, account: 1 }), 0, 'nothing left to withdraw');
});

test('a filled quote side is not cancelled again by the next quote', () => {
  const { e, sink } = setup();
  e.massQuote({ time: 1, account: 1, symbol: 'X', bidPx: 99, bidSize: 5, offerPx: 101, offerSize: 2 });
  e.newOrder({ time: 2, account: 2, symbol: 'X', side: Side.BUY, price: 101, qty: 2 }); // takes the whole offer
  sink.clear();
  e.massQuote({ time: 3, account: 1, symbol: 'X', bidPx: 98, bidSize: 5, offerPx: 102, offerSize: 2 });
  const cancels = sink.orders().filter((o) => o.kind === OrderEventKind.CANCELLED);
  assert.deepEqual(cancels.map((o) => o.orderId), [1], 'only the live bid is replaced');
});

test('cancel-on-disconnect mass cancels report DISCONNECT', () => {
  const { e, sink } = setup();
  e.newOrder({ time: 1, account: 1, symbol: 'X', side: Side.BUY, price: 90, qty: 1 });
  sink.clear();
  assert.equal(e.massCancel({ time: 2, account: 1, cause: CancelReason.DISCONNECT }), 1);
  assert.equal(sink.orders()[0].reason, CancelReason.DISCONNECT);
});
