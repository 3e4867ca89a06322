// Halts: while an instrument is halted only cancels are accepted; resting
// orders stay; resuming restores normal trading. Each change is one event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.ts';
import { RecordingSink, OrderEventKind } from '../engine/events.ts';
import { RejectReason, Side, TradingPhase } from '../engine/types.ts';

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

test('a halted instrument refuses new orders and replaces but accepts cancels', () => {
  const { e, sink } = setup();
  const bid = e.newOrder({ time: 1, account: 1, symbol: 'X', side: Side.BUY, price: 100, qty: 5 });
  const bid2 = e.newOrder({ time: 1, account: 1, symbol: 'X', side: Side.BUY, price: 99, qty: 5 });
  sink.clear();
  assert.equal(e.setPhase({ time: 2, symbol: 'X', phase: TradingPhase.HALTED, text: 'halted by admin' }), 1);
  assert.deepEqual(sink.events.map((x) => x.type), ['phase']);
  const ev = sink.events[0] as { phase: number; text: string; symbol: string; time: number };
  assert.deepEqual([ev.symbol, ev.phase, ev.text, ev.time], ['X', TradingPhase.HALTED, 'halted by admin', 2]);
  assert.equal(e.phaseOf('X'), TradingPhase.HALTED);
  assert.equal(e.setPhase({ time: 3, symbol: 'X', phase: TradingPhase.HALTED }), 0, 'no change, no event');

  sink.clear();
  assert.equal(e.newOrder({ time: 4, account: 2, symbol: 'X', side: Side.SELL, price: 100, qty: 1 }), 0);
  assert.equal(e.replace({ time: 4, account: 1, symbol: 'X', orderId: bid, price: 101, qty: 5 }), 0);
  const kinds = sink.orders().map((o) => [o.kind, o.reason]);
  assert.deepEqual(kinds, [[OrderEventKind.REJECTED, RejectReason.INSTRUMENT_HALTED], [OrderEventKind.REPLACE_REJECTED, RejectReason.INSTRUMENT_HALTED]]);
  assert.deepEqual(e.depth('X', 5)?.bids, [{ price: 100, qty: 5, count: 1 }, { price: 99, qty: 5, count: 1 }], 'resting orders stay');
  assert.equal(e.cancel({ time: 5, account: 1, symbol: 'X', orderId: bid2 }), 1, 'cancels are accepted');
  assert.ok(e.newOrder({ time: 5, account: 2, symbol: 'Y', side: Side.SELL, price: 100, qty: 1 }) > 0, 'other instruments trade on');

  assert.equal(e.setPhase({ time: 6, symbol: 'X', phase: TradingPhase.CONTINUOUS }), 1);
  const fills = sink.fills().length;
  assert.ok(e.newOrder({ time: 7, account: 2, symbol: 'X', side: Side.SELL, price: 100, qty: 2 }) > 0);
  assert.equal(sink.fills().length, fills + 1, 'trading resumed');
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
