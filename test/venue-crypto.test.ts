// Crypto and quoting venue fidelity through the engine, each rule with its
// source: Binance's unfilled-order count, self-trade prevention as Binance
// reports it, and self-trades kept out of maker share.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.ts';
import { OrderEventKind, RecordingSink, type OrderEvent, type RecordedEvent } from '../engine/events.ts';
import type { InstrumentConfig } from '../engine/instrument.ts';
import type { RulesConfig } from '../engine/rules/config.ts';
import { RATE_LIMIT_PRESETS } from '../engine/rules/rate-limit.ts';
import { CancelReason, RejectReason, Side, StpMode, TimeInForce } from '../engine/types.ts';
import { profileConfig } from '../gateway/profiles.ts';
import { Clock, wallClockUs } from '../gateway/exchange.ts';
import { startServer } from '../gateway/index.ts';
import { ExecType, OrdStatus, executionReport } from '../gateway/translate.ts';

const S = 1_000_000;
/** a UTC midnight in µs (a multiple of every fixed interval) */
const DAY = 20_000 * 86_400 * S;

function inst(symbol: string, extra: Partial<InstrumentConfig> = {}): InstrumentConfig {
  return {
    symbol, price_scale: 0, qty_scale: 0, cash_scale: 0, tick_size: 1, lot: 1, min_qty: 1, max_qty: 100_000, max_price: 100_000,
    maker_fee_bp: 0, taker_fee_bp: 0, ...extra,
  };
}

function setup(rules?: RulesConfig, extra: Partial<InstrumentConfig> = {}): { e: Engine; sink: RecordingSink } {
  const sink = new RecordingSink();
  const e = new Engine({ instruments: [inst('X', extra)], sink, rules });
  for (const name of ['maker', 'taker']) assert.equal(typeof e.addAccount({ name }), 'number');
  return { e, sink };
}

type Ev<T extends RecordedEvent['type']> = Extract<RecordedEvent, { type: T }>;
const lastOrder = (sink: RecordingSink): Ev<'order'> => {
  const o = sink.orders().at(-1);
  assert.ok(o, 'an order event');
  return o;
};

// Binance spot ORDERS (binance-spot-api-docs faqs/order_count_decrement.md): the
// limit counts unfilled orders over fixed intervals; an order's first fill
// decrements the count; −1015 carries no retry time.
test('binance-spot: a maker whose 50 orders filled can send its 51st; unfilled, the 51st is refused until the interval edge', () => {
  const { e, sink } = setup({ ...RATE_LIMIT_PRESETS['binance-spot'] });
  const t0 = DAY + 3 * S; // inside the interval [DAY, DAY + 10 s)
  const sell = (t: number, price = 100): number => e.newOrder({ time: t, account: 1, symbol: 'X', side: Side.SELL, price, qty: 1 });
  for (let i = 0; i < 50; i++) assert.ok(sell(t0 + i) > 0, `order ${i + 1}`);
  // the taker lifts all 50 (one order: its own count is 1)
  assert.ok(e.newOrder({ time: t0 + 100, account: 2, symbol: 'X', side: Side.BUY, price: 100, qty: 50 }) > 0);
  assert.equal(sink.fills().length, 50);
  assert.ok(sell(t0 + 200) > 0, 'the 51st: its 50 filled orders no longer count');
  // 49 more unfilled orders reach 50 again; the next one is refused (REST: no Retry-After, by the text's tag)
  for (let i = 0; i < 49; i++) assert.ok(sell(t0 + 300 + i, 200) > 0, `unfilled order ${i + 1}`);
  assert.equal(sell(t0 + 400, 200), 0);
  const r = lastOrder(sink);
  assert.deepEqual([r.kind, r.reason, r.retryAfter, r.text],
    [OrderEventKind.REJECTED, RejectReason.RATE_LIMITED, DAY + 10 * S, 'rate limit orders-10s: 50 per 10000 ms (unfilled orders)']);
  assert.equal(sell(DAY + 10 * S - 1, 200), 0, '1 µs before the interval edge');
  assert.ok(sell(DAY + 10 * S, 200) > 0, 'the interval edge resets the count');
});

// Binance STP (binance-spot-api-docs faqs/stp_faq.md): the default mode is
// EXPIRE_MAKER; a prevented match ends the resting order EXPIRED_IN_MATCH
// (FIX ExecType C Expired), and the taker trades on against the next order.
test('crypto-spot: every account defaults to EXPIRE_MAKER; the expired maker is reported EXPIRED, the taker trades on', () => {
  const cfg = profileConfig('crypto-spot');
  assert.deepEqual(cfg.accounts?.map((a) => a.stp), [StpMode.CANCEL_MAKER, StpMode.CANCEL_MAKER, StpMode.CANCEL_MAKER]);
  const sink = new RecordingSink();
  const e = new Engine({ instruments: [inst('X')], sink });
  e.addAccount({ name: 'maker', stp: StpMode.CANCEL_MAKER });
  e.addAccount({ name: 'other' });
  const mine = e.newOrder({ time: 1, account: 1, symbol: 'X', side: Side.SELL, price: 100, qty: 5 });
  e.newOrder({ time: 2, account: 2, symbol: 'X', side: Side.SELL, price: 101, qty: 5 });
  const taker = e.newOrder({ time: 3, account: 1, symbol: 'X', side: Side.BUY, price: 101, qty: 3 });
  const expired = sink.orders().find((o) => o.orderId === mine && o.kind === OrderEventKind.CANCELLED);
  assert.deepEqual([expired?.reason, expired?.leaves, expired?.cum], [CancelReason.SELF_TRADE, 0, 0]);
  const er = executionReport(expired as unknown as OrderEvent, undefined, 1);
  assert.deepEqual([er?.exec_type, er?.ord_status], [ExecType.EXPIRED, OrdStatus.EXPIRED]);
  assert.deepEqual(sink.fills().map((f) => [f.price, f.qty, f.takerOrderId]), [[101, 3, taker]]);
});

// Binance REST (rest-api.md LIMITS): an ORDERS breach is HTTP 429, −1015, and
// unlike a request-weight 429 it carries no Retry-After.
test('crypto-spot REST: the 51st unfilled order in a 10 s interval is 429 without Retry-After', async () => {
  let now = (Math.floor(wallClockUs() / (10 * S)) + 1) * 10 * S + S; // 1 s into a fresh interval, frozen
  const s = await startServer({ config: profileConfig('crypto-spot'), adminToken: 'admin', clock: new Clock(() => now) });
  try {
    const post = (i: number): Promise<Response> => fetch(`${s.url}/api/v1/orders`, {
      method: 'POST', headers: { 'x-api-key': 'demo-maker-1', 'content-type': 'application/json' },
      body: JSON.stringify({ cl_ord_id: `o${i}`, symbol: 'BTC-USD', side: 1, ord_type: 2, price_units: 99_000_00, order_qty_units: 1000 }),
    });
    for (let i = 0; i < 50; i++) assert.equal((await post(i)).status, 200, `order ${i + 1}`);
    const r = await post(50);
    const body = await r.json() as Record<string, unknown>;
    assert.deepEqual([r.status, r.headers.get('retry-after'), body.code, body.retry_after_ms], [429, null, 'RATE_LIMITED', undefined]);
    now += 9 * S; // the next interval
    assert.equal((await post(51)).status, 200);
  } finally {
    await s.close();
  }
});

// Binance STP DECREMENT (binance-spot-api-docs faqs/stp_faq.md): both orders
// lose the smaller open quantity as preventedQuantity, their order quantity
// unchanged; the one left with nothing open ends EXPIRED_IN_MATCH.
test('STP DECREMENT: the quantities stay, the prevented quantity is reported, and it never comes back by an amend', () => {
  const sink = new RecordingSink();
  const e = new Engine({ instruments: [inst('X')], sink });
  e.addAccount({ name: 'maker', stp: StpMode.DECREMENT });
  const m = e.newOrder({ time: 1, account: 1, symbol: 'X', side: Side.SELL, price: 100, qty: 5 });
  const t = e.newOrder({ time: 2, account: 1, symbol: 'X', side: Side.BUY, price: 100, qty: 3 });
  const seen = sink.orders().filter((o) => o.time === 2 && o.kind !== OrderEventKind.ACCEPTED)
    .map((o) => [o.orderId, o.kind, o.reason, o.qty, o.cum, o.leaves, o.prevented]);
  assert.deepEqual(seen, [
    [m, OrderEventKind.RESTATED, CancelReason.SELF_TRADE, 5, 0, 2, 3],
    [t, OrderEventKind.CANCELLED, CancelReason.SELF_TRADE, 3, 0, 0, 3],
  ]);
  assert.equal(sink.fills().length, 0);
  const er = executionReport(sink.orders().find((o) => o.orderId === t && o.kind === OrderEventKind.CANCELLED) as unknown as OrderEvent, undefined, 1);
  assert.deepEqual([er?.exec_type, er?.order_qty, er?.cum_qty, er?.leaves_qty], [ExecType.EXPIRED, 3, 0, 0]);
  // amend to 4: 4 − 3 prevented = 1 open, in place; amend to 3 (= prevented): nothing left, cancelled
  assert.equal(e.replace({ time: 3, account: 1, symbol: 'X', orderId: m, price: 100, qty: 4 }), 1);
  assert.deepEqual([lastOrder(sink).kind, lastOrder(sink).leaves, lastOrder(sink).prevented], [OrderEventKind.REPLACED, 1, 3]);
  assert.equal(e.replace({ time: 4, account: 1, symbol: 'X', orderId: m, price: 100, qty: 3 }), 1);
  assert.deepEqual([lastOrder(sink).kind, lastOrder(sink).reason], [OrderEventKind.CANCELLED, CancelReason.AMENDED_TO_FILLED]);
});

// CME and Eurex mass quotes: a quote side whose price is unchanged and whose
// size did not go up keeps its queue position; Nasdaq OUCH loses priority on
// any replace (rules.replace_priority 'lose').
test('quote priority: the unchanged side keeps its fills ahead of a later order at the same price; "lose" sends it back', () => {
  for (const [mode, first] of [['keep_unchanged', 'quote'], ['lose', 'order']] as const) {
    const { e, sink } = setup({ replace_priority: mode });
    const q1 = e.massQuote({ time: 1, account: 1, symbol: 'X', bidPx: 99, bidSize: 10, offerPx: 101, offerSize: 10 });
    const other = e.newOrder({ time: 2, account: 2, symbol: 'X', side: Side.BUY, price: 99, qty: 10 });
    // refresh: bid unchanged in price, size down to 8; offer moved
    const q2 = e.massQuote({ time: 3, account: 1, symbol: 'X', bidPx: 99, bidSize: 8, offerPx: 102, offerSize: 10 });
    if (mode === 'keep_unchanged') {
      assert.equal(q2.bidOrderId, q1.bidOrderId, 'the same order');
      assert.deepEqual([lastOrder(sink).kind, lastOrder(sink).qty, lastOrder(sink).leaves], [OrderEventKind.ACCEPTED, 10, 10], 'the new offer');
    } else {
      assert.notEqual(q2.bidOrderId, q1.bidOrderId);
    }
    sink.clear();
    e.newOrder({ time: 4, account: 2, symbol: 'X', side: Side.SELL, price: 99, qty: 8 });
    const makers = sink.fills().map((f) => [f.makerOrderId, f.qty]);
    assert.deepEqual(makers, first === 'quote' ? [[q1.bidOrderId, 8]] : [[other, 8]], mode);
  }
});

test('amend priority: a same-price decrease keeps the place under keep_unchanged and loses it under lose', () => {
  for (const mode of ['keep_unchanged', 'lose'] as const) {
    const { e, sink } = setup({ replace_priority: mode });
    const a = e.newOrder({ time: 1, account: 1, symbol: 'X', side: Side.SELL, price: 100, qty: 5 });
    const b = e.newOrder({ time: 2, account: 2, symbol: 'X', side: Side.SELL, price: 100, qty: 5 });
    assert.equal(e.replace({ time: 3, account: 1, symbol: 'X', orderId: a, price: 100, qty: 4 }), 1);
    sink.clear();
    e.newOrder({ time: 4, account: 2, symbol: 'X', side: Side.BUY, price: 100, qty: 1 });
    assert.deepEqual(sink.fills().map((f) => f.makerOrderId), [mode === 'lose' ? b : a], mode);
  }
});

// MiFID II RTS 9 (Commission Delegated Regulation (EU) 2017/566), Annex:
// new order 1, limit modify 2, two-sided quote 2, quote modify 4, IOC/FOK 1
// and 2 if its remainder is cancelled; a transaction is one executed order
// however many partial fills.
test('RTS 9 Annex counting: a scripted day of 12 messages and 3 executed orders has a count ratio of 3', () => {
  const { e } = setup({ otr: {} });
  const t = DAY + 9 * 3600 * S;
  const a = e.newOrder({ time: t, account: 1, symbol: 'X', side: Side.BUY, price: 100, qty: 10 }); // 1
  assert.equal(e.replace({ time: t + 1, account: 1, symbol: 'X', orderId: a, price: 100, qty: 8 }), 1); // limit modify: 2 → 3
  e.massQuote({ time: t + 2, account: 1, symbol: 'X', bidPx: 98, bidSize: 5, offerPx: 102, offerSize: 5 }); // quote: 2 → 5
  e.massQuote({ time: t + 3, account: 1, symbol: 'X', bidPx: 97, bidSize: 5, offerPx: 103, offerSize: 5 }); // quote modify: 4 → 9
  e.newOrder({ time: t + 4, account: 2, symbol: 'X', side: Side.SELL, price: 101, qty: 3 });
  e.newOrder({ time: t + 5, account: 1, symbol: 'X', side: Side.BUY, price: 101, qty: 5, tif: TimeInForce.IOC }); // 3 filled, 2 cancelled: 2 → 11
  e.newOrder({ time: t + 6, account: 2, symbol: 'X', side: Side.SELL, price: 101, qty: 4 });
  e.newOrder({ time: t + 7, account: 1, symbol: 'X', side: Side.BUY, price: 101, qty: 4, tif: TimeInForce.FOK }); // filled: 1 → 12
  e.newOrder({ time: t + 8, account: 2, symbol: 'X', side: Side.SELL, price: 100, qty: 3 }); // order a: first partial fill
  e.newOrder({ time: t + 9, account: 2, symbol: 'X', side: Side.SELL, price: 100, qty: 5 }); // order a: second fill, same transaction
  const v = e.orderToTrade(1, 'X');
  // 12 / 3 − 1 = 3 (counting each message once and each fill as a trade gave 8 / 4 − 1 = 1)
  assert.deepEqual([v?.orders, v?.trades, v?.tradedVolume, v?.countRatio], [12, 3, 15, 3]);
});
