// Halts: while an instrument is halted only cancels are accepted; resting
// orders stay; resuming restores normal trading. Each change is one event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.ts';
import { RecordingSink, OrderEventKind } from '../engine/events.ts';
import { CancelReason, RejectReason, Side, TimeInForce, TradingPhase } from '../engine/types.ts';

function setup(): { e: Engine; sink: RecordingSink } {
  const sink = new RecordingSink();
  const e = new Engine({
    instruments: [
      { symbol: 'X', price_scale: 0, qty_scale: 0, tick_size: 1, lot: 1, min_qty: 1, max_qty: 100, max_price: 10_000, maker_fee_bp: 0, taker_fee_bp: 0 },
      { symbol: 'Y', price_scale: 0, qty_scale: 0, tick_size: 1, lot: 1, min_qty: 1, max_qty: 100, max_price: 10_000, maker_fee_bp: 0, taker_fee_bp: 0 },
    ],
    sink,
  });
  e.addAccount({ name: 'a' });
  e.addAccount({ name: 'b' });
  return { e, sink };
}

test('a halted instrument collects limit orders without matching, refuses IOC and quotes, and reopens with an auction', () => {
  const { e, sink } = setup();
  const bid = e.newOrder({ time: 1, account: 1, symbol: 'X', side: Side.BUY, price: 100, qty: 5 });
  const bid2 = e.newOrder({ time: 1, account: 1, symbol: 'X', side: Side.BUY, price: 99, qty: 5 });
  sink.clear();
  assert.equal(e.setPhase({ time: 2, symbol: 'X', phase: TradingPhase.HALTED, text: 'halted by admin' }), 1);
  assert.deepEqual(sink.events.map((x) => x.type), ['phase']);
  const ev = sink.events[0] as { phase: number; text: string; symbol: string; time: number; until: number };
  assert.deepEqual([ev.symbol, ev.phase, ev.text, ev.time, ev.until], ['X', TradingPhase.HALTED, 'halted by admin', 2, 0]);
  assert.equal(e.phaseOf('X'), TradingPhase.HALTED);
  assert.equal(e.setPhase({ time: 3, symbol: 'X', phase: TradingPhase.HALTED }), 0, 'no change, no event');

  sink.clear();
  const ask = e.newOrder({ time: 4, account: 2, symbol: 'X', side: Side.SELL, price: 100, qty: 3 });
  assert.ok(ask > 0, 'a crossing limit order is accepted and queued');
  assert.equal(sink.fills().length, 0, 'nothing matches during a halt');
  assert.equal(e.newOrder({ time: 4, account: 2, symbol: 'X', side: Side.SELL, price: 100, qty: 1, tif: TimeInForce.IOC }), 0);
  assert.equal(e.massQuote({ time: 4, account: 2, symbol: 'X', bidPx: 90, bidSize: 1, offerPx: 110, offerSize: 1 }).bidReject, RejectReason.INSTRUMENT_HALTED);
  assert.equal(e.replace({ time: 5, account: 1, symbol: 'X', orderId: bid, price: 101, qty: 5 }), 1, 'amends are accepted');
  assert.equal(e.cancel({ time: 5, account: 1, symbol: 'X', orderId: bid2 }), 1, 'cancels are accepted');
  const rejects = sink.orders().filter((o) => o.kind === OrderEventKind.REJECTED).map((o) => o.reason);
  assert.deepEqual(rejects, [RejectReason.INSTRUMENT_HALTED, RejectReason.INSTRUMENT_HALTED, RejectReason.INSTRUMENT_HALTED]);
  assert.ok(sink.events.some((x) => x.type === 'auction' && x.price === 101 && x.qty === 3), 'the indicative uncross is published');
  assert.ok(e.newOrder({ time: 5, account: 2, symbol: 'Y', side: Side.SELL, price: 100, qty: 1 }) > 0, 'other instruments trade on');

  sink.clear();
  assert.equal(e.setPhase({ time: 6, symbol: 'X', phase: TradingPhase.CONTINUOUS }), 1);
  assert.deepEqual(sink.events.filter((x) => x.type !== 'level' && x.type !== 'order').map((x) => x.type), ['auction', 'fill', 'phase']);
  const [fill] = sink.fills();
  // bid 5 @ 101 vs ask 3 @ 100: one price maximises volume (3) at 101 and 100; buy surplus → the higher, 101
  assert.deepEqual([fill.price, fill.qty, fill.auction, fill.takerOrderId], [101, 3, true, bid], 'the amended bid is the later order');
  assert.ok(e.newOrder({ time: 7, account: 2, symbol: 'X', side: Side.SELL, price: 101, qty: 2 }) > 0);
  assert.equal(sink.fills().length, 2, 'trading resumed');
});

test('setPhase refuses unknown symbols, phases and times without an event', () => {
  const { e, sink } = setup();
  assert.equal(e.setPhase({ time: 1, symbol: 'Z', phase: TradingPhase.HALTED }), 0);
  assert.equal(e.setPhase({ time: 1, symbol: 'X', phase: 9 as TradingPhase }), 0);
  assert.equal(e.setPhase({ time: -1, symbol: 'X', phase: TradingPhase.HALTED }), 0);
  assert.equal(e.setPhase(null as never), 0);
  assert.equal(sink.events.length, 0);
  assert.equal(e.phaseOf('X'), TradingPhase.CONTINUOUS);
});

test('cancel-on-disconnect works in a halt and in a closed market; the orders leave the auction book', () => {
  const { e, sink } = setup();
  const bid = e.newOrder({ time: 1, account: 1, symbol: 'X', side: Side.BUY, price: 100, qty: 5 });
  e.newOrder({ time: 1, account: 2, symbol: 'X', side: Side.SELL, price: 101, qty: 5 });
  e.setPhase({ time: 2, symbol: 'X', phase: TradingPhase.HALTED });
  e.newOrder({ time: 3, account: 2, symbol: 'X', side: Side.SELL, price: 100, qty: 5 }); // crosses the bid: queued for the auction
  assert.equal(e.massCancel({ time: 4, account: 1, cause: CancelReason.DISCONNECT }), 1);
  assert.equal(sink.orders().at(-1)?.orderId, bid);
  assert.equal(sink.orders().at(-1)?.reason, CancelReason.DISCONNECT);
  sink.clear();
  e.setPhase({ time: 5, symbol: 'X', phase: TradingPhase.CONTINUOUS });
  assert.equal(sink.fills().length, 0, 'the disconnected bid is not in the reopening auction');
  e.setPhase({ time: 6, symbol: 'X', phase: TradingPhase.CLOSED });
  assert.equal(e.massCancel({ time: 7, account: 2, cause: CancelReason.DISCONNECT }), 2, 'closed: cancels still go through');
});
