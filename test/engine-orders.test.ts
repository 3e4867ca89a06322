// Behaviour of every order feature of the matching engine, with the exact
// events it emits. Events are rendered as short strings (see fmt) so that an
// expected sequence reads like a trace:
//   order:  KIND #id aACCOUNT SIDE PRICExQTY [TYPE/TIF] leaves=… cum=… [REASON] [cl=…] [orig=…]
//   reject: KIND #id aACCOUNT [SIDE] PRICExQTY REASON [cl=…] [orig=…]
//   fill:   FILL PRICExQTY maker=#id/aACCOUNT leaves=… taker=#id/aACCOUNT leaves=…
//   level:  LEVEL [SYMBOL] SIDE PRICE qty=… n=…
//   mass cancel report: MASS_CANCEL aACCOUNT SYMBOL|* SIDE|* cancelled=… [REASON]
// Every command run through the harness also checks that its events carry
// strictly increasing sequence numbers and the engine's current time.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { prng } from './prng.ts';
import { Engine } from '../engine/engine.ts';
import type { AccountOptions } from '../engine/account.ts';
import type { Command, NewOrder, Cancel, Replace, MassCancel } from '../engine/commands.ts';
import { OrderEventKind, RecordingSink, type RecordedEvent } from '../engine/events.ts';
import type { InstrumentConfig } from '../engine/instrument.ts';
import { CancelReason, OrdType, RejectReason, Side, StpMode, TimeInForce } from '../engine/types.ts';

const { BUY, SELL } = Side;
const { GTC, IOC, FOK, GTD } = TimeInForce;

/** tick 1, lot 1, qty 1…1000, price 1…100000, min notional 50 (cash scale 6), protection 5 % */
const AAA: InstrumentConfig = {
  symbol: 'AAA', price_scale: 0, qty_scale: 0, tick_size: 1, lot: 1, min_qty: 1, max_qty: 1_000,
  max_price: 100_000, min_notional: 50_000_000, maker_fee_bp: 0, taker_fee_bp: 0, market_protection_bp: 500,
};
/** tick 5, lot 10, qty 10…1000, price 100…5000, position limit 2000 */
const BBB: InstrumentConfig = {
  symbol: 'BBB', price_scale: 0, qty_scale: 0, tick_size: 5, lot: 10, min_qty: 10, max_qty: 1_000,
  min_price: 100, max_price: 5_000, max_position: 2_000, maker_fee_bp: 0, taker_fee_bp: 0,
};
/** a price-banded tick table: 1 below 1000, 5 below 10000, 50 above */
const TT: InstrumentConfig = {
  symbol: 'TT', price_scale: 0, qty_scale: 0, lot: 1, min_qty: 1, max_qty: 1_000, max_price: 100_000,
  tick_table: [{ from_price: 0, tick: 1 }, { from_price: 1_000, tick: 5 }, { from_price: 10_000, tick: 50 }],
  maker_fee_bp: 0, taker_fee_bp: 0, market_protection_bp: 500,
};

const nameOf = (table: Readonly<Record<string, number>>, v: number): string =>
  Object.keys(table).find((k) => table[k] === v) ?? `?${v}`;
const sideName = (s: number): string => (s === BUY ? 'BUY' : s === SELL ? 'SELL' : `?${s}`);
const isReject = (k: number): boolean =>
  k === OrderEventKind.REJECTED || k === OrderEventKind.CANCEL_REJECTED || k === OrderEventKind.REPLACE_REJECTED;

function fmt(e: RecordedEvent): string {
  switch (e.type) {
    case 'order': {
      const ids = (e.clOrdId ? ` cl=${e.clOrdId}` : '') + (e.origClOrdId ? ` orig=${e.origClOrdId}` : '');
      const head = `${nameOf(OrderEventKind, e.kind)} #${e.orderId} a${e.account}`;
      if (isReject(e.kind)) {
        const side = e.kind === OrderEventKind.REJECTED ? ` ${sideName(e.side)}` : '';
        return `${head}${side} ${e.price}x${e.qty} ${nameOf(RejectReason, e.reason)}${ids}`;
      }
      const type = e.ordType === OrdType.LIMIT && e.tif === GTC ? '' : ` ${nameOf(OrdType, e.ordType)}/${nameOf(TimeInForce, e.tif)}`;
      const reason = e.reason ? ` ${nameOf(CancelReason, e.reason)}` : '';
      return `${head} ${sideName(e.side)} ${e.price}x${e.qty}${type} leaves=${e.leaves} cum=${e.cum}${reason}${ids}`;
    }
    case 'fill':
      return `FILL ${e.price}x${e.qty} maker=#${e.makerOrderId}/a${e.makerAccount} leaves=${e.makerLeaves} taker=#${e.takerOrderId}/a${e.takerAccount} leaves=${e.takerLeaves}`;
    case 'level':
      return `LEVEL ${e.symbol === 'AAA' ? '' : e.symbol + ' '}${sideName(e.side)} ${e.price} qty=${e.qty} n=${e.count}`;
    case 'massCancel':
      return `MASS_CANCEL a${e.account} ${e.symbol || '*'} ${e.side ? sideName(e.side) : '*'} cancelled=${e.cancelled}` +
        (e.reason ? ` ${nameOf(RejectReason, e.reason)}` : '');
    default:
      return `unknown event ${JSON.stringify(e)}`;
  }
}

type NewFields = Omit<NewOrder, 'time' | 'symbol'> & { time?: number; symbol?: string };
type RefFields<T> = Omit<T, 'time' | 'symbol'> & { time?: number; symbol?: string };

const A = 1, B = 2, C = 3;

class Harness {
  readonly sink = new RecordingSink();
  readonly engine: Engine;
  /** time of the latest command */
  t = 0;
  /** the order id of the last ACCEPTED event of the last command, else 0 */
  id = 0;
  /** the engine's return value for the last command */
  ret = 0;
  private lastSeq = 0;

  constructor(accounts: AccountOptions[] = [{ name: 'a' }, { name: 'b' }, { name: 'c' }], instruments = [AAA, BBB, TT]) {
    this.engine = new Engine({ instruments }, this.sink);
    accounts.forEach((opts, i) => assert.equal(this.engine.addAccount(opts), i + 1));
  }

  /** Runs one command at `time` (default: one µs after the previous one) and returns its events, formatted. */
  run(apply: (time: number) => number, time?: number): string[] {
    const t = time ?? this.t + 1;
    if (t > this.t) this.t = t;
    const from = this.sink.events.length;
    this.ret = apply(t);
    const events = this.sink.events.slice(from);
    for (const e of events) {
      assert.ok(e.seq > this.lastSeq, `seq ${e.seq} after ${this.lastSeq}`);
      this.lastSeq = e.seq;
      assert.equal(e.time, this.engine.time, 'every event carries the engine time');
    }
    assert.equal(this.engine.lastSeq, this.lastSeq);
    this.id = 0;
    for (const e of events) if (e.type === 'order' && e.kind === OrderEventKind.ACCEPTED) this.id = e.orderId;
    return events.map(fmt);
  }

  new(c: NewFields): string[] {
    return this.run((time) => this.engine.newOrder({ symbol: 'AAA', ...c, time }), c.time);
  }
  /** A GTC limit; returns the accepted order's id. */
  limit(account: number, side: Side, price: number, qty: number, extra: Partial<NewFields> = {}): number {
    const ev = this.new({ account, side, price, qty, ...extra });
    assert.match(ev[0], /^ACCEPTED/, ev.join('\n'));
    return this.id;
  }
  cancel(c: RefFields<Cancel>): string[] {
    return this.run((time) => this.engine.cancel({ symbol: 'AAA', ...c, time }), c.time);
  }
  replace(c: RefFields<Replace>): string[] {
    return this.run((time) => this.engine.replace({ symbol: 'AAA', ...c, time }), c.time);
  }
  mass(c: Omit<MassCancel, 'time'> & { time?: number }): string[] {
    return this.run((time) => this.engine.massCancel({ ...c, time }), c.time);
  }
  advance(time: number): string[] {
    return this.run((t) => this.engine.advanceTime(t), time);
  }

  /** Order ids queued at a level, in priority order. */
  queue(side: Side, price: number, symbol = 'AAA'): number[] {
    return this.engine.levelOrders(symbol, side, price).map((o) => o.orderId);
  }
  /** Everything observable about the engine's state, as text. */
  snapshot(): string {
    const e = this.engine;
    return JSON.stringify({
      time: e.time,
      nextOrderId: e.nextOrderIdPreview(),
      depth: e.instruments.map((i) => e.depth(i.symbol, 1_000)),
      levels: e.instruments.map((i) => {
        const d = e.depth(i.symbol, 1_000);
        return d ? [...d.bids.map((l) => e.levelOrders(i.symbol, BUY, l.price)), ...d.asks.map((l) => e.levelOrders(i.symbol, SELL, l.price))] : [];
      }),
      accounts: e.accountIds().map((id) => ({ view: e.accountView(id), orders: e.openOrders(id) })),
      venueFees: e.venueFees.map((v) => v.toBigInt()),
    }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  }
}

/**
 * A mass cancel's events: its cancels (in an order that is not part of the contract, so
 * compared sorted), then its report, then the level updates (also compared sorted).
 */
function assertMassCancel(events: string[], cancels: string[], report: string, levels: string[]): void {
  assert.equal(events.length, cancels.length + 1 + levels.length, events.join('\n'));
  assert.deepEqual([...events.slice(0, cancels.length)].sort(), [...cancels].sort());
  assert.equal(events[cancels.length], report);
  assert.deepEqual([...events.slice(cancels.length + 1)].sort(), [...levels].sort());
}

describe('limit GTC orders', () => {
  test('rest, then match in price-time priority at the maker price, across levels and partially', () => {
    const h = new Harness();
    assert.deepEqual(h.new({ account: A, side: SELL, price: 100, qty: 2 }), [
      'ACCEPTED #1 a1 SELL 100x2 leaves=2 cum=0',
      'LEVEL SELL 100 qty=2 n=1',
    ]);
    assert.equal(h.ret, 1, 'a resting order returns its id');
    assert.deepEqual(h.new({ account: B, side: SELL, price: 100, qty: 3 }), [
      'ACCEPTED #2 a2 SELL 100x3 leaves=3 cum=0',
      'LEVEL SELL 100 qty=5 n=2',
    ]);
    assert.deepEqual(h.new({ account: A, side: SELL, price: 101, qty: 4 }), [
      'ACCEPTED #3 a1 SELL 101x4 leaves=4 cum=0',
      'LEVEL SELL 101 qty=4 n=1',
    ]);
    assert.deepEqual(h.queue(SELL, 100), [1, 2]);
    assert.deepEqual(h.engine.bestAsk('AAA'), { price: 100, qty: 5, count: 2 });
    assert.equal(h.engine.bestBid('AAA'), null);

    // a buy at 102 sweeps 100 (time priority: #1 then #2) then part of 101, all at the makers' prices
    assert.deepEqual(h.new({ account: C, side: BUY, price: 102, qty: 7 }), [
      'ACCEPTED #4 a3 BUY 102x7 leaves=7 cum=0',
      'FILL 100x2 maker=#1/a1 leaves=0 taker=#4/a3 leaves=5',
      'FILL 100x3 maker=#2/a2 leaves=0 taker=#4/a3 leaves=2',
      'FILL 101x2 maker=#3/a1 leaves=2 taker=#4/a3 leaves=0',
      'LEVEL SELL 100 qty=0 n=0',
      'LEVEL SELL 101 qty=2 n=1',
    ]);
    const last = h.sink.fills().at(-1);
    assert.ok(last);
    assert.equal(last.takerCum, 7);
    assert.equal(last.takerCumPxQty, 100 * 5 + 101 * 2);
    assert.equal(last.makerCum, 2);
    assert.equal(last.aggressorSide, BUY);
    assert.equal(last.notional, 101 * 2 * 1_000_000);
    assert.deepEqual(h.sink.fills().map((f) => f.tradeId), [1, 2, 3]);
    const o3 = h.engine.order(3);
    assert.ok(o3);
    assert.deepEqual([o3.qty, o3.leaves, o3.cum, o3.cumPxQty], [4, 2, 2, 202]);
    assert.equal(h.engine.order(1), null, 'filled orders are gone');

    // partial fill, remainder rests at the order's own price
    assert.deepEqual(h.new({ account: C, side: BUY, price: 101, qty: 5 }), [
      'ACCEPTED #5 a3 BUY 101x5 leaves=5 cum=0',
      'FILL 101x2 maker=#3/a1 leaves=0 taker=#5/a3 leaves=3',
      'LEVEL SELL 101 qty=0 n=0',
      'LEVEL BUY 101 qty=3 n=1',
    ]);
    assert.deepEqual(h.new({ account: B, side: BUY, price: 101, qty: 1 }), [
      'ACCEPTED #6 a2 BUY 101x1 leaves=1 cum=0',
      'LEVEL BUY 101 qty=4 n=2',
    ]);
    assert.deepEqual(h.new({ account: B, side: BUY, price: 102, qty: 1 }), [
      'ACCEPTED #7 a2 BUY 102x1 leaves=1 cum=0',
      'LEVEL BUY 102 qty=1 n=1',
    ]);
    // a sell at 100 trades at the bids' prices: best price first, then time priority within 101
    assert.deepEqual(h.new({ account: A, side: SELL, price: 100, qty: 4 }), [
      'ACCEPTED #8 a1 SELL 100x4 leaves=4 cum=0',
      'FILL 102x1 maker=#7/a2 leaves=0 taker=#8/a1 leaves=3',
      'FILL 101x3 maker=#5/a3 leaves=0 taker=#8/a1 leaves=0',
      'LEVEL BUY 102 qty=0 n=0',
      'LEVEL BUY 101 qty=1 n=1',
    ]);
    assert.deepEqual(h.queue(BUY, 101), [6]);
    assert.deepEqual(h.engine.depth('AAA', 10), { symbol: 'AAA', bids: [{ price: 101, qty: 1, count: 1 }], asks: [] });
    // positions follow the fills
    const pos = (id: number): number => h.engine.accountView(id)?.positions[0].position ?? NaN;
    // a sold 2 (#1) + 4 (#3) + 4 (#8); b sold 3 (#2), bought 1 (#7); c bought 7 (#4) + 2 + 3 (#5)
    assert.deepEqual([pos(A), pos(B), pos(C)], [-10, -2, 12]);
  });

  test('the return value of newOrder is the new order id, also for an order that does not rest', () => {
    // regression: newOrder used to read the id after the order went back to the pool (id 0)
    const h = new Harness();
    h.limit(A, SELL, 100, 1);
    h.new({ account: B, side: BUY, price: 100, qty: 1 });
    assert.equal(h.id, 2);
    assert.equal(h.ret, 2, 'filled in full: newOrder should return 2');
    h.new({ account: B, side: BUY, price: 100, qty: 1, tif: IOC });
    assert.equal(h.id, 3);
    assert.equal(h.ret, 3, 'IOC cancelled: newOrder should return 3');
    h.new({ account: B, side: BUY, price: 100, qty: 1, tif: FOK });
    assert.equal(h.ret, 0, 'a rejected order returns 0');
  });
});

describe('time in force', () => {
  test('IOC: fills what it can, the remainder is cancelled IOC_REMAINDER; it never rests', () => {
    const h = new Harness();
    h.limit(A, SELL, 100, 2);
    assert.deepEqual(h.new({ account: C, side: BUY, price: 101, qty: 5, tif: IOC }), [
      'ACCEPTED #2 a3 BUY 101x5 LIMIT/IOC leaves=5 cum=0',
      'FILL 100x2 maker=#1/a1 leaves=0 taker=#2/a3 leaves=3',
      'CANCELLED #2 a3 BUY 101x5 LIMIT/IOC leaves=0 cum=2 IOC_REMAINDER',
      'LEVEL SELL 100 qty=0 n=0',
    ]);
    assert.deepEqual(h.new({ account: C, side: BUY, price: 101, qty: 1, tif: IOC }), [
      'ACCEPTED #3 a3 BUY 101x1 LIMIT/IOC leaves=1 cum=0',
      'CANCELLED #3 a3 BUY 101x1 LIMIT/IOC leaves=0 cum=0 IOC_REMAINDER',
    ]);
    // filled in full: no cancel
    h.limit(A, SELL, 100, 3);
    assert.deepEqual(h.new({ account: C, side: BUY, price: 100, qty: 3, tif: IOC }), [
      'ACCEPTED #5 a3 BUY 100x3 LIMIT/IOC leaves=3 cum=0',
      'FILL 100x3 maker=#4/a1 leaves=0 taker=#5/a3 leaves=0',
      'LEVEL SELL 100 qty=0 n=0',
    ]);
    assert.deepEqual(h.engine.openOrders(C), []);
    assert.deepEqual(h.engine.depth('AAA', 5), { symbol: 'AAA', bids: [], asks: [] });
  });

  test('FOK: fills in full or is rejected FOK_CANNOT_FILL with the state unchanged', () => {
    const h = new Harness();
    h.limit(A, SELL, 100, 2);
    h.limit(B, SELL, 101, 2);
    const before = h.snapshot();
    assert.deepEqual(h.new({ account: C, side: BUY, price: 101, qty: 5, tif: FOK }), ['REJECTED #0 a3 BUY 101x5 FOK_CANNOT_FILL']);
    assert.deepEqual(h.new({ account: C, side: BUY, price: 100, qty: 3, tif: FOK }), ['REJECTED #0 a3 BUY 100x3 FOK_CANNOT_FILL']);
    assert.equal(h.ret, 0);
    assert.equal(h.snapshot().replace(/"time":\d+/, ''), before.replace(/"time":\d+/, ''));
    assert.deepEqual(h.new({ account: C, side: BUY, price: 101, qty: 4, tif: FOK }), [
      'ACCEPTED #3 a3 BUY 101x4 LIMIT/FOK leaves=4 cum=0',
      'FILL 100x2 maker=#1/a1 leaves=0 taker=#3/a3 leaves=2',
      'FILL 101x2 maker=#2/a2 leaves=0 taker=#3/a3 leaves=0',
      'LEVEL SELL 100 qty=0 n=0',
      'LEVEL SELL 101 qty=0 n=0',
    ]);
    // a market FOK too
    h.limit(A, BUY, 99, 1);
    assert.deepEqual(h.new({ account: C, side: SELL, ordType: OrdType.MARKET, tif: FOK, qty: 2 }), ['REJECTED #0 a3 SELL 0x2 FOK_CANNOT_FILL']);
    assert.deepEqual(h.new({ account: C, side: SELL, ordType: OrdType.MARKET, tif: FOK, qty: 1 }), [
      'ACCEPTED #5 a3 SELL 95x1 MARKET/FOK leaves=1 cum=0',
      'FILL 99x1 maker=#4/a1 leaves=0 taker=#5/a3 leaves=0',
      'LEVEL BUY 99 qty=0 n=0',
    ]);
  });

  test('GTD: expires when engine time reaches expireTime, via advanceTime or any later command', () => {
    const h = new Harness();
    assert.deepEqual(h.new({ time: 10, account: A, side: SELL, price: 100, qty: 2, tif: GTD, expireTime: 20 }), [
      'ACCEPTED #1 a1 SELL 100x2 LIMIT/GTD leaves=2 cum=0',
      'LEVEL SELL 100 qty=2 n=1',
    ]);
    assert.equal(h.engine.order(1)?.expireTime, 20);
    assert.deepEqual(h.advance(19), []);
    assert.equal(h.ret, 1);
    assert.ok(h.engine.order(1));
    assert.deepEqual(h.advance(20), [
      'CANCELLED #1 a1 SELL 100x2 LIMIT/GTD leaves=0 cum=0 EXPIRED',
      'LEVEL SELL 100 qty=0 n=0',
    ]);
    assert.equal(h.sink.events.at(-1)?.time, 20);
    assert.equal(h.engine.order(1), null);

    // expiry at the start of a later command: the expired order no longer trades
    h.new({ time: 21, account: A, side: SELL, price: 100, qty: 2, tif: GTD, expireTime: 30 });
    h.new({ time: 22, account: B, side: SELL, price: 101, qty: 1 });
    assert.deepEqual(h.new({ time: 35, account: C, side: BUY, price: 101, qty: 1 }), [
      'CANCELLED #2 a1 SELL 100x2 LIMIT/GTD leaves=0 cum=0 EXPIRED',
      'ACCEPTED #4 a3 BUY 101x1 leaves=1 cum=0',
      'FILL 101x1 maker=#3/a2 leaves=0 taker=#4/a3 leaves=0',
      'LEVEL SELL 100 qty=0 n=0',
      'LEVEL SELL 101 qty=0 n=0',
    ]);

    // partly filled, then expired: cum is kept
    h.new({ time: 40, account: A, side: SELL, price: 100, qty: 5, tif: GTD, expireTime: 50 });
    h.new({ time: 41, account: C, side: BUY, price: 100, qty: 2 });
    assert.deepEqual(h.advance(60), [
      'CANCELLED #5 a1 SELL 100x5 LIMIT/GTD leaves=0 cum=2 EXPIRED',
      'LEVEL SELL 100 qty=0 n=0',
    ]);
    // simultaneous expiries go in order id order
    h.new({ time: 61, account: B, side: BUY, price: 90, qty: 1, tif: GTD, expireTime: 70 });
    h.new({ time: 62, account: A, side: BUY, price: 91, qty: 1, tif: GTD, expireTime: 70 });
    assert.deepEqual(h.advance(80), [
      'CANCELLED #7 a2 BUY 90x1 LIMIT/GTD leaves=0 cum=0 EXPIRED',
      'CANCELLED #8 a1 BUY 91x1 LIMIT/GTD leaves=0 cum=0 EXPIRED',
      'LEVEL BUY 90 qty=0 n=0',
      'LEVEL BUY 91 qty=0 n=0',
    ]);
    // a cancelled GTD order does not expire later
    h.new({ time: 81, account: A, side: BUY, price: 90, qty: 1, tif: GTD, expireTime: 90 });
    h.cancel({ time: 82, account: A, orderId: 9 });
    assert.deepEqual(h.advance(100), []);
  });

  test('GTD: INVALID_EXPIRE_TIME unless the expire time is after the engine time', () => {
    const h = new Harness();
    h.advance(30);
    const before = h.snapshot();
    assert.deepEqual(h.new({ time: 30, account: A, side: BUY, price: 100, qty: 1, tif: GTD, expireTime: 30 }), ['REJECTED #0 a1 BUY 100x1 INVALID_EXPIRE_TIME']);
    assert.deepEqual(h.new({ time: 30, account: A, side: BUY, price: 100, qty: 1, tif: GTD, expireTime: 29 }), ['REJECTED #0 a1 BUY 100x1 INVALID_EXPIRE_TIME']);
    assert.deepEqual(h.new({ time: 30, account: A, side: BUY, price: 100, qty: 1, tif: GTD }), ['REJECTED #0 a1 BUY 100x1 INVALID_EXPIRE_TIME']);
    assert.deepEqual(h.new({ time: 30, account: A, side: BUY, price: 100, qty: 1, tif: GTD, expireTime: NaN }), ['REJECTED #0 a1 BUY 100x1 INVALID_EXPIRE_TIME']);
    // a command stamped earlier than engine time runs at engine time: 25 is still in the past
    assert.deepEqual(h.new({ time: 20, account: A, side: BUY, price: 100, qty: 1, tif: GTD, expireTime: 25 }), ['REJECTED #0 a1 BUY 100x1 INVALID_EXPIRE_TIME']);
    assert.equal(h.snapshot(), before);
    assert.match(h.new({ time: 30, account: A, side: BUY, price: 100, qty: 1, tif: GTD, expireTime: 31 })[0], /^ACCEPTED #1 /);
  });
});

describe('market orders', () => {
  test('a market buy becomes a limit at best ask + protection band; the remainder is cancelled MARKET_REMAINDER', () => {
    const h = new Harness();
    h.limit(A, SELL, 1000, 1);
    h.limit(B, SELL, 1040, 1);
    h.limit(A, SELL, 1060, 1);
    // band = 1000 × 500 bp = 50 → limit 1050: 1060 is never reached
    assert.deepEqual(h.new({ account: C, side: BUY, ordType: OrdType.MARKET, qty: 5 }), [
      'ACCEPTED #4 a3 BUY 1050x5 MARKET/IOC leaves=5 cum=0',
      'FILL 1000x1 maker=#1/a1 leaves=0 taker=#4/a3 leaves=4',
      'FILL 1040x1 maker=#2/a2 leaves=0 taker=#4/a3 leaves=3',
      'CANCELLED #4 a3 BUY 1050x5 MARKET/IOC leaves=0 cum=2 MARKET_REMAINDER',
      'LEVEL SELL 1000 qty=0 n=0',
      'LEVEL SELL 1040 qty=0 n=0',
    ]);
    assert.deepEqual(h.engine.bestAsk('AAA'), { price: 1060, qty: 1, count: 1 });
    // filled in full within the band: no remainder event
    assert.deepEqual(h.new({ account: C, side: BUY, ordType: OrdType.MARKET, qty: 1 }), [
      'ACCEPTED #5 a3 BUY 1113x1 MARKET/IOC leaves=1 cum=0',
      'FILL 1060x1 maker=#3/a1 leaves=0 taker=#5/a3 leaves=0',
      'LEVEL SELL 1060 qty=0 n=0',
    ]);
  });

  test('a market sell becomes a limit at best bid − band; NO_LIQUIDITY with an empty opposite side', () => {
    const h = new Harness();
    const before = h.snapshot();
    assert.deepEqual(h.new({ account: A, side: SELL, ordType: OrdType.MARKET, qty: 1 }), ['REJECTED #0 a1 SELL 0x1 NO_LIQUIDITY']);
    assert.deepEqual(h.new({ account: A, side: BUY, ordType: OrdType.MARKET, qty: 1 }), ['REJECTED #0 a1 BUY 0x1 NO_LIQUIDITY']);
    assert.equal(h.snapshot().replace(/"time":\d+/, ''), before.replace(/"time":\d+/, ''));
    h.limit(B, BUY, 1000, 1);
    h.limit(B, BUY, 960, 2);
    h.limit(B, BUY, 940, 1);
    h.limit(A, SELL, 2000, 1); // asks do not matter to a sell
    assert.deepEqual(h.new({ account: C, side: SELL, ordType: OrdType.MARKET, qty: 4 }), [
      'ACCEPTED #5 a3 SELL 950x4 MARKET/IOC leaves=4 cum=0',
      'FILL 1000x1 maker=#1/a2 leaves=0 taker=#5/a3 leaves=3',
      'FILL 960x2 maker=#2/a2 leaves=0 taker=#5/a3 leaves=1',
      'CANCELLED #5 a3 SELL 950x4 MARKET/IOC leaves=0 cum=3 MARKET_REMAINDER',
      'LEVEL BUY 1000 qty=0 n=0',
      'LEVEL BUY 960 qty=0 n=0',
    ]);
    assert.deepEqual(h.engine.bestBid('AAA'), { price: 940, qty: 1, count: 1 });
    // the limit is clamped to the instrument's price range: 99990 + 4999 → 100000
    h.cancel({ account: A, orderId: 4 });
    h.limit(B, SELL, 99_990, 1);
    assert.match(h.new({ account: C, side: BUY, ordType: OrdType.MARKET, qty: 1 })[0], /^ACCEPTED #7 a3 BUY 100000x1 MARKET\/IOC /);
  });
});

describe('post-only', () => {
  test('rejected POST_ONLY_WOULD_TAKE if it would cross, rests otherwise; a post-only replace may not cross either', () => {
    const h = new Harness();
    h.limit(A, SELL, 100, 1);
    const before = h.snapshot();
    assert.deepEqual(h.new({ account: B, side: BUY, price: 100, qty: 1, postOnly: true }), ['REJECTED #0 a2 BUY 100x1 POST_ONLY_WOULD_TAKE']);
    assert.deepEqual(h.new({ account: B, side: BUY, price: 101, qty: 1, postOnly: true, tif: GTD, expireTime: 1e9 }), ['REJECTED #0 a2 BUY 101x1 POST_ONLY_WOULD_TAKE']);
    assert.equal(h.snapshot().replace(/"time":\d+/, ''), before.replace(/"time":\d+/, ''));
    assert.deepEqual(h.new({ account: B, side: BUY, price: 99, qty: 1, postOnly: true }), [
      'ACCEPTED #2 a2 BUY 99x1 leaves=1 cum=0',
      'LEVEL BUY 99 qty=1 n=1',
    ]);
    assert.equal(h.engine.order(2)?.postOnly, true);
    assert.deepEqual(h.replace({ account: B, orderId: 2, price: 100, qty: 1 }), ['REPLACE_REJECTED #2 a2 100x1 POST_ONLY_WOULD_TAKE']);
    assert.equal(h.engine.order(2)?.price, 99);
    assert.deepEqual(h.new({ account: B, side: BUY, price: 99, qty: 1, postOnly: true, tif: IOC }), ['REJECTED #0 a2 BUY 99x1 INVALID_FIELD']);
  });
});

describe('cancel', () => {
  test('by orderId and by origClOrdId; cancelling a gone order is UNKNOWN_ORDER', () => {
    const h = new Harness();
    h.limit(A, BUY, 100, 1, { clOrdId: 'q1' });
    h.limit(A, BUY, 99, 2, { clOrdId: 'q2' });
    assert.deepEqual(h.cancel({ account: A, orderId: 1 }), [
      'CANCELLED #1 a1 BUY 100x1 leaves=0 cum=0 USER cl=q1 orig=q1',
      'LEVEL BUY 100 qty=0 n=0',
    ]);
    assert.equal(h.ret, 1);
    assert.deepEqual(h.cancel({ account: A, origClOrdId: 'q2', clOrdId: 'c2' }), [
      'CANCELLED #2 a1 BUY 99x2 leaves=0 cum=0 USER cl=c2 orig=q2',
      'LEVEL BUY 99 qty=0 n=0',
    ]);
    assert.deepEqual(h.cancel({ account: A, orderId: 1 }), ['CANCEL_REJECTED #1 a1 0x0 UNKNOWN_ORDER']);
    assert.equal(h.ret, 0);
    assert.deepEqual(h.cancel({ account: A, origClOrdId: 'q2' }), ['CANCEL_REJECTED #0 a1 0x0 UNKNOWN_ORDER orig=q2']);
    assert.deepEqual(h.engine.openOrders(A), []);
    assert.equal(h.engine.accountView(A)?.openOrders, 0);
    assert.equal(h.engine.accountView(A)?.positions[0].openBuyQty, 0);
  });

  test("an account cannot cancel or replace another account's order (UNKNOWN_ORDER; the order stays)", () => {
    const h = new Harness();
    h.limit(A, BUY, 100, 3, { clOrdId: 'shared' });
    h.limit(B, BUY, 99, 1);
    const before = h.snapshot();
    assert.deepEqual(h.cancel({ account: B, orderId: 1 }), ['CANCEL_REJECTED #1 a2 0x0 UNKNOWN_ORDER']);
    assert.deepEqual(h.cancel({ account: B, origClOrdId: 'shared' }), ['CANCEL_REJECTED #0 a2 0x0 UNKNOWN_ORDER orig=shared']);
    assert.deepEqual(h.replace({ account: B, orderId: 1, price: 101, qty: 1 }), ['REPLACE_REJECTED #1 a2 101x1 UNKNOWN_ORDER']);
    assert.deepEqual(h.replace({ account: B, origClOrdId: 'shared', price: 100, qty: 1 }), ['REPLACE_REJECTED #0 a2 100x1 UNKNOWN_ORDER orig=shared']);
    assert.deepEqual(h.mass({ account: C }), ['MASS_CANCEL a3 * * cancelled=0']);
    assert.equal(h.ret, 0);
    // the right account but the wrong symbol is not found either
    assert.deepEqual(h.cancel({ account: A, orderId: 1, symbol: 'BBB' }), ['CANCEL_REJECTED #1 a1 0x0 UNKNOWN_ORDER']);
    assert.equal(h.snapshot().replace(/"time":\d+/, ''), before.replace(/"time":\d+/, ''));
    assert.deepEqual(h.queue(BUY, 100), [1]);
    assert.equal(h.engine.order(1)?.qty, 3);
  });
});

describe('replace', () => {
  test('a same-price quantity decrease keeps queue priority; an increase or a price change loses it', () => {
    const h = new Harness();
    h.limit(A, BUY, 100, 5);
    h.limit(B, BUY, 100, 5);
    h.limit(C, BUY, 100, 5);
    assert.deepEqual(h.replace({ account: A, orderId: 1, price: 100, qty: 3 }), [
      'REPLACED #1 a1 BUY 100x3 leaves=3 cum=0',
      'LEVEL BUY 100 qty=13 n=3',
    ]);
    assert.deepEqual(h.queue(BUY, 100), [1, 2, 3]);
    // unchanged price and quantity (e.g. only a new clOrdId): keeps priority too
    assert.deepEqual(h.replace({ account: A, orderId: 1, price: 100, qty: 3, clOrdId: 'n1' }), [
      'REPLACED #1 a1 BUY 100x3 leaves=3 cum=0 cl=n1',
      'LEVEL BUY 100 qty=13 n=3',
    ]);
    assert.deepEqual(h.queue(BUY, 100), [1, 2, 3]);
    assert.deepEqual(h.replace({ account: A, orderId: 1, price: 100, qty: 6 }), [
      'REPLACED #1 a1 BUY 100x6 leaves=6 cum=0 cl=n1 orig=n1',
      'LEVEL BUY 100 qty=16 n=3',
    ]);
    assert.deepEqual(h.queue(BUY, 100), [2, 3, 1]);
    assert.deepEqual(h.replace({ account: B, orderId: 2, price: 101, qty: 5 }), [
      'REPLACED #2 a2 BUY 101x5 leaves=5 cum=0',
      'LEVEL BUY 100 qty=11 n=2',
      'LEVEL BUY 101 qty=5 n=1',
    ]);
    assert.deepEqual(h.replace({ account: B, orderId: 2, price: 100, qty: 5 }), [
      'REPLACED #2 a2 BUY 100x5 leaves=5 cum=0',
      'LEVEL BUY 101 qty=0 n=0',
      'LEVEL BUY 100 qty=16 n=3',
    ]);
    assert.deepEqual(h.queue(BUY, 100), [3, 1, 2]);
    assert.equal(h.engine.accountView(A)?.positions[0].openBuyQty, 6);
    // the order's priority time is the time of the priority-losing amend
    assert.equal(h.engine.order(2)?.time, h.t);
  });

  test('a re-priced order that now crosses matches; the rest rests at the new price', () => {
    const h = new Harness();
    h.limit(A, BUY, 100, 6, { clOrdId: 'b1' });
    h.limit(C, SELL, 105, 2);
    h.limit(C, SELL, 106, 9);
    assert.deepEqual(h.replace({ account: A, origClOrdId: 'b1', clOrdId: 'b2', price: 105, qty: 6 }), [
      'REPLACED #1 a1 BUY 105x6 leaves=6 cum=0 cl=b2 orig=b1',
      'FILL 105x2 maker=#2/a3 leaves=0 taker=#1/a1 leaves=4',
      'LEVEL BUY 100 qty=0 n=0',
      'LEVEL SELL 105 qty=0 n=0',
      'LEVEL BUY 105 qty=4 n=1',
    ]);
    assert.equal(h.engine.order(1)?.clOrdId, 'b2');
    assert.deepEqual(h.cancel({ account: A, origClOrdId: 'b1' }), ['CANCEL_REJECTED #0 a1 0x0 UNKNOWN_ORDER orig=b1']);
    // same-price decrease of a partly filled order: qty is the total, fills included
    assert.deepEqual(h.replace({ account: A, origClOrdId: 'b2', price: 105, qty: 5 }), [
      'REPLACED #1 a1 BUY 105x5 leaves=3 cum=2 cl=b2 orig=b2',
      'LEVEL BUY 105 qty=3 n=1',
    ]);
    // re-price of a partly filled order: leaves = qty − cum; a full fill ends it
    assert.deepEqual(h.replace({ account: A, orderId: 1, price: 106, qty: 5 }), [
      'REPLACED #1 a1 BUY 106x5 leaves=3 cum=2 cl=b2 orig=b2',
      'FILL 106x3 maker=#3/a3 leaves=6 taker=#1/a1 leaves=0',
      'LEVEL BUY 105 qty=0 n=0',
      'LEVEL SELL 106 qty=6 n=1',
    ]);
    assert.equal(h.engine.order(1), null);
    assert.deepEqual(h.engine.openOrders(A), []);
    assert.equal(h.engine.accountView(A)?.positions[0].position, 5);
    assert.equal(h.engine.accountView(A)?.positions[0].openBuyQty, 0);
  });

  test('an amend to at or below the filled quantity cancels the order (AMENDED_TO_FILLED)', () => {
    const h = new Harness();
    h.limit(A, BUY, 100, 5, { clOrdId: 'x' });
    h.limit(A, BUY, 99, 5);
    h.new({ account: C, side: SELL, price: 100, qty: 2 });
    assert.deepEqual(h.replace({ account: A, orderId: 1, price: 100, qty: 2, clOrdId: 'y' }), [
      'CANCELLED #1 a1 BUY 100x5 leaves=0 cum=2 AMENDED_TO_FILLED cl=y orig=x',
      'LEVEL BUY 100 qty=0 n=0',
    ]);
    assert.equal(h.ret, 1);
    h.new({ account: C, side: SELL, price: 99, qty: 3 });
    assert.deepEqual(h.replace({ account: A, orderId: 2, price: 99, qty: 1 }), [
      'CANCELLED #2 a1 BUY 99x5 leaves=0 cum=3 AMENDED_TO_FILLED',
      'LEVEL BUY 99 qty=0 n=0',
    ]);
    assert.deepEqual(h.engine.openOrders(A), []);
    assert.equal(h.engine.accountView(A)?.positions[0].openBuyQty, 0);
  });
});

describe('client order ids', () => {
  test('a duplicate clOrdId among the account’s live orders is rejected; it is free again once the first is gone', () => {
    const h = new Harness();
    h.limit(A, BUY, 100, 1, { clOrdId: 'x' });
    const before = h.snapshot();
    assert.deepEqual(h.new({ account: A, side: BUY, price: 99, qty: 1, clOrdId: 'x' }), ['REJECTED #0 a1 BUY 99x1 DUPLICATE_CL_ORD_ID cl=x']);
    assert.deepEqual(h.new({ account: A, side: SELL, price: 120, qty: 1, clOrdId: 'x', tif: IOC }), ['REJECTED #0 a1 SELL 120x1 DUPLICATE_CL_ORD_ID cl=x']);
    assert.equal(h.snapshot().replace(/"time":\d+/, ''), before.replace(/"time":\d+/, ''));
    // another account may use the same id
    assert.equal(h.limit(B, BUY, 99, 1, { clOrdId: 'x' }), 2);
    h.cancel({ account: A, origClOrdId: 'x' });
    assert.equal(h.limit(A, BUY, 98, 1, { clOrdId: 'x' }), 3);
    // filled in full: free again
    h.new({ account: C, side: SELL, price: 98, qty: 2 });
    assert.equal(h.engine.order(3), null);
    assert.equal(h.limit(A, BUY, 97, 1, { clOrdId: 'x' }), 5);
    // an IOC's id is never live, so it can be reused at once
    h.new({ account: A, side: SELL, price: 200, qty: 1, clOrdId: 'i', tif: IOC });
    assert.deepEqual(h.new({ account: A, side: SELL, price: 200, qty: 1, clOrdId: 'i', tif: IOC }), [
      'ACCEPTED #7 a1 SELL 200x1 LIMIT/IOC leaves=1 cum=0 cl=i',
      'CANCELLED #7 a1 SELL 200x1 LIMIT/IOC leaves=0 cum=0 IOC_REMAINDER cl=i',
    ]);
    // a replace may not rename to another live order's id
    h.limit(A, BUY, 96, 1, { clOrdId: 'y' });
    assert.deepEqual(h.replace({ account: A, origClOrdId: 'y', clOrdId: 'x', price: 96, qty: 1 }), ['REPLACE_REJECTED #0 a1 96x1 DUPLICATE_CL_ORD_ID cl=x orig=y']);
    assert.equal(h.engine.order(8)?.clOrdId, 'y');
  });
});

describe('mass cancel', () => {
  test('by account, account + side, account + symbol; other accounts untouched', () => {
    const h = new Harness();
    h.limit(A, BUY, 100, 1); // 1
    h.limit(A, SELL, 110, 1); // 2
    h.limit(A, SELL, 111, 1); // 3
    h.limit(A, BUY, 1000, 10, { symbol: 'BBB' }); // 4
    h.limit(A, SELL, 1100, 10, { symbol: 'BBB' }); // 5
    h.limit(B, BUY, 100, 1); // 6
    h.limit(B, SELL, 110, 1); // 7
    assertMassCancel(h.mass({ account: A, side: BUY }), [
      'CANCELLED #1 a1 BUY 100x1 leaves=0 cum=0 MASS_CANCEL',
      'CANCELLED #4 a1 BUY 1000x10 leaves=0 cum=0 MASS_CANCEL',
    ], 'MASS_CANCEL a1 * BUY cancelled=2', [
      'LEVEL BUY 100 qty=1 n=1',
      'LEVEL BBB BUY 1000 qty=0 n=0',
    ]);
    assert.equal(h.ret, 2);
    assertMassCancel(h.mass({ account: A, symbol: 'AAA' }), [
      'CANCELLED #2 a1 SELL 110x1 leaves=0 cum=0 MASS_CANCEL',
      'CANCELLED #3 a1 SELL 111x1 leaves=0 cum=0 MASS_CANCEL',
    ], 'MASS_CANCEL a1 AAA * cancelled=2', [
      'LEVEL SELL 110 qty=1 n=1',
      'LEVEL SELL 111 qty=0 n=0',
    ]);
    assert.equal(h.ret, 2);
    assert.deepEqual(h.mass({ account: A, symbol: 'AAA', side: SELL }), ['MASS_CANCEL a1 AAA SELL cancelled=0']);
    assert.equal(h.ret, 0);
    assert.deepEqual(h.mass({ account: A }), [
      'CANCELLED #5 a1 SELL 1100x10 leaves=0 cum=0 MASS_CANCEL',
      'MASS_CANCEL a1 * * cancelled=1',
      'LEVEL BBB SELL 1100 qty=0 n=0',
    ]);
    assert.equal(h.ret, 1);
    assert.deepEqual(h.engine.openOrders(A), []);
    assert.deepEqual(h.engine.openOrders(B).map((o) => o.orderId), [6, 7]);
    // a refused mass cancel cancels nothing, says 0 and reports why
    const refused: [Omit<MassCancel, 'time'>, string][] = [
      [{ account: B, symbol: 'ZZZ' }, 'MASS_CANCEL a2 ZZZ * cancelled=0 UNKNOWN_SYMBOL'],
      [{ account: B, side: 3 as Side }, 'MASS_CANCEL a2 * * cancelled=0 INVALID_FIELD'],
      [{ account: 99 }, 'MASS_CANCEL a99 * * cancelled=0 UNKNOWN_ACCOUNT'],
    ];
    for (const [c, report] of refused) {
      assert.deepEqual(h.mass(c), [report]);
      assert.equal(h.ret, 0);
    }
    assert.deepEqual(h.engine.openOrders(B).map((o) => o.orderId), [6, 7]);
    // account + symbol + side
    assert.deepEqual(h.mass({ account: B, symbol: 'AAA', side: SELL }), [
      'CANCELLED #7 a2 SELL 110x1 leaves=0 cum=0 MASS_CANCEL',
      'MASS_CANCEL a2 AAA SELL cancelled=1',
      'LEVEL SELL 110 qty=0 n=0',
    ]);
  });
});

describe('self-trade prevention', () => {
  /** a1 rests SELL 100x5 (#1), then a2 SELL 100x5 (#2) behind it. */
  function setup(accounts?: AccountOptions[]): Harness {
    const h = new Harness(accounts);
    h.limit(A, SELL, 100, 5);
    h.limit(B, SELL, 100, 5);
    return h;
  }

  test('CANCEL_TAKER: the incoming order is cancelled, the book is untouched', () => {
    const h = setup();
    assert.deepEqual(h.new({ account: A, side: BUY, price: 100, qty: 3, stp: StpMode.CANCEL_TAKER }), [
      'ACCEPTED #3 a1 BUY 100x3 leaves=3 cum=0',
      'CANCELLED #3 a1 BUY 100x3 leaves=0 cum=0 SELF_TRADE',
    ]);
    assert.deepEqual(h.queue(SELL, 100), [1, 2]);
  });

  test('CANCEL_TAKER after trading with others first: the taker keeps its fills', () => {
    const h = new Harness();
    h.limit(B, SELL, 100, 2);
    h.limit(A, SELL, 100, 5);
    assert.deepEqual(h.new({ account: A, side: BUY, price: 100, qty: 4, stp: StpMode.CANCEL_TAKER }), [
      'ACCEPTED #3 a1 BUY 100x4 leaves=4 cum=0',
      'FILL 100x2 maker=#1/a2 leaves=0 taker=#3/a1 leaves=2',
      'CANCELLED #3 a1 BUY 100x4 leaves=0 cum=2 SELF_TRADE',
      'LEVEL SELL 100 qty=5 n=1',
    ]);
  });

  test('CANCEL_MAKER: the own resting order is cancelled and matching goes on', () => {
    const h = setup();
    assert.deepEqual(h.new({ account: A, side: BUY, price: 100, qty: 3, stp: StpMode.CANCEL_MAKER }), [
      'ACCEPTED #3 a1 BUY 100x3 leaves=3 cum=0',
      'CANCELLED #1 a1 SELL 100x5 leaves=0 cum=0 SELF_TRADE',
      'FILL 100x3 maker=#2/a2 leaves=2 taker=#3/a1 leaves=0',
      'LEVEL SELL 100 qty=2 n=1',
    ]);
  });

  test('CANCEL_BOTH: both are cancelled', () => {
    const h = setup();
    assert.deepEqual(h.new({ account: A, side: BUY, price: 100, qty: 3, stp: StpMode.CANCEL_BOTH }), [
      'ACCEPTED #3 a1 BUY 100x3 leaves=3 cum=0',
      'CANCELLED #1 a1 SELL 100x5 leaves=0 cum=0 SELF_TRADE',
      'CANCELLED #3 a1 BUY 100x3 leaves=0 cum=0 SELF_TRADE',
      'LEVEL SELL 100 qty=5 n=1',
    ]);
    assert.deepEqual(h.queue(SELL, 100), [2]);
  });

  // Binance STP DECREMENT (faqs/stp_faq.md): the quantities stay; the open quantity taken away is prevented
  test('DECREMENT: both lose the smaller open quantity; the one at zero is cancelled', () => {
    // taker smaller: the maker is restated, the taker ends at zero
    let h = setup();
    assert.deepEqual(h.new({ account: A, side: BUY, price: 100, qty: 3, stp: StpMode.DECREMENT }), [
      'ACCEPTED #3 a1 BUY 100x3 leaves=3 cum=0',
      'RESTATED #1 a1 SELL 100x5 leaves=2 cum=0 SELF_TRADE',
      'CANCELLED #3 a1 BUY 100x3 leaves=0 cum=0 SELF_TRADE',
      'LEVEL SELL 100 qty=7 n=2',
    ]);
    assert.deepEqual(h.queue(SELL, 100), [1, 2], 'a restated maker keeps its place');
    assert.equal(h.engine.accountView(A)?.positions[0].openSellQty, 2);
    // taker larger: the maker is cancelled, the taker restated and then trades with others
    h = setup();
    assert.deepEqual(h.new({ account: A, side: BUY, price: 100, qty: 8, stp: StpMode.DECREMENT }), [
      'ACCEPTED #3 a1 BUY 100x8 leaves=8 cum=0',
      'CANCELLED #1 a1 SELL 100x5 leaves=0 cum=0 SELF_TRADE',
      'RESTATED #3 a1 BUY 100x8 leaves=3 cum=0 SELF_TRADE',
      'FILL 100x3 maker=#2/a2 leaves=2 taker=#3/a1 leaves=0',
      'LEVEL SELL 100 qty=2 n=1',
    ]);
    // equal: both cancelled
    h = setup();
    assert.deepEqual(h.new({ account: A, side: BUY, price: 100, qty: 5, stp: StpMode.DECREMENT }), [
      'ACCEPTED #3 a1 BUY 100x5 leaves=5 cum=0',
      'CANCELLED #1 a1 SELL 100x5 leaves=0 cum=0 SELF_TRADE',
      'CANCELLED #3 a1 BUY 100x5 leaves=0 cum=0 SELF_TRADE',
      'LEVEL SELL 100 qty=5 n=1',
    ]);
  });

  test("the taker's mode decides: its own stp, else its account's default; the maker's mode is irrelevant", () => {
    const h = setup([{ name: 'a', stp: StpMode.CANCEL_BOTH }, { name: 'b' }, { name: 'c' }]);
    assert.equal(h.engine.order(1)?.stp, StpMode.CANCEL_BOTH, 'the account default is stamped on the order');
    // the taker says NONE: trades with its own CANCEL_BOTH order
    assert.deepEqual(h.new({ account: A, side: BUY, price: 100, qty: 1, stp: StpMode.NONE }), [
      'ACCEPTED #3 a1 BUY 100x1 leaves=1 cum=0',
      'FILL 100x1 maker=#1/a1 leaves=4 taker=#3/a1 leaves=0',
      'LEVEL SELL 100 qty=9 n=2',
    ]);
    // no stp given: the account default CANCEL_BOTH applies
    assert.deepEqual(h.new({ account: A, side: BUY, price: 100, qty: 1 }), [
      'ACCEPTED #4 a1 BUY 100x1 leaves=1 cum=0',
      'CANCELLED #1 a1 SELL 100x5 leaves=0 cum=1 SELF_TRADE',
      'CANCELLED #4 a1 BUY 100x1 leaves=0 cum=0 SELF_TRADE',
      'LEVEL SELL 100 qty=5 n=1',
    ]);
    // a maker with a mode does not stop another account's NONE taker... nor its own NONE taker (above)
    assert.deepEqual(h.new({ account: B, side: BUY, price: 100, qty: 1, stp: StpMode.NONE }), [
      'ACCEPTED #5 a2 BUY 100x1 leaves=1 cum=0',
      'FILL 100x1 maker=#2/a2 leaves=4 taker=#5/a2 leaves=0',
      'LEVEL SELL 100 qty=4 n=1',
    ]);
  });

  test('FOK with STP: counts only what can really trade', () => {
    const h = setup();
    assert.deepEqual(h.new({ account: A, side: BUY, price: 100, qty: 3, tif: FOK, stp: StpMode.CANCEL_TAKER }), ['REJECTED #0 a1 BUY 100x3 FOK_CANNOT_FILL']);
    assert.deepEqual(h.new({ account: A, side: BUY, price: 100, qty: 6, tif: FOK, stp: StpMode.CANCEL_MAKER }), ['REJECTED #0 a1 BUY 100x6 FOK_CANNOT_FILL']);
    assert.deepEqual(h.queue(SELL, 100), [1, 2]);
    assert.deepEqual(h.new({ account: A, side: BUY, price: 100, qty: 5, tif: FOK, stp: StpMode.CANCEL_MAKER }), [
      'ACCEPTED #3 a1 BUY 100x5 LIMIT/FOK leaves=5 cum=0',
      'CANCELLED #1 a1 SELL 100x5 leaves=0 cum=0 SELF_TRADE',
      'FILL 100x5 maker=#2/a2 leaves=0 taker=#3/a1 leaves=0',
      'LEVEL SELL 100 qty=0 n=0',
    ]);
  });
});

describe('market data: level events', () => {
  test('one event per touched level per command, with the final quantity', () => {
    const h = new Harness();
    h.limit(A, SELL, 100, 1);
    h.limit(B, SELL, 100, 1);
    h.limit(A, SELL, 100, 1);
    h.limit(A, SELL, 101, 2);
    h.sink.clear();
    h.new({ account: C, side: BUY, price: 101, qty: 4 });
    assert.equal(h.sink.fills().length, 4);
    assert.deepEqual(h.sink.levels().map((l) => [l.side, l.price, l.qty, l.count]), [[SELL, 100, 0, 0], [SELL, 101, 1, 1]]);
    // each command reports the levels it touched
    h.sink.clear();
    h.limit(B, SELL, 101, 3);
    h.cancel({ account: B, orderId: h.id });
    assert.deepEqual(h.sink.levels().map((l) => [l.price, l.qty, l.count]), [[101, 4, 2], [101, 1, 1]]);
  });

  // A command that empties a level and re-creates one at the same price and side reports it once.

  test('a level emptied and re-filled by a replace (qty increase of its only order) is reported once', () => {
    const h = new Harness();
    h.limit(A, BUY, 100, 5);
    h.sink.clear();
    h.replace({ account: A, orderId: 1, price: 100, qty: 7 }); // qty increase: leaves and re-joins the level
    assert.deepEqual(h.sink.levels().map((l) => [l.price, l.qty, l.count]), [[100, 7, 1]]);
  });

  test('a level emptied by a GTD expiry and re-filled by the same command is reported once', () => {
    const g = new Harness();
    g.new({ time: 1, account: A, side: SELL, price: 100, qty: 1, tif: GTD, expireTime: 5 });
    g.sink.clear();
    g.new({ time: 5, account: B, side: SELL, price: 100, qty: 2 }); // expiry empties the level, the new order re-creates it
    assert.deepEqual(g.sink.levels().map((l) => [l.price, l.qty, l.count]), [[100, 2, 1]]);
  });
});

describe('rejects', () => {
  /**
   * Some state: on AAA asks 100 (a1, clOrdId 'live') and 101 and a bid 40x2; on BBB bids of a1,
   * of the capped account (at its 1-order limit) and of a3 up to its position limit (2000); TT empty.
   */
  function book(): Harness {
    const h = new Harness([{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'capped', maxOpenOrders: 1 }]);
    h.limit(A, SELL, 100, 5, { clOrdId: 'live' }); // 1
    h.limit(B, SELL, 101, 5); // 2
    h.limit(A, BUY, 1000, 10, { symbol: 'BBB' }); // 3
    h.limit(4, BUY, 1000, 10, { symbol: 'BBB' }); // 4
    h.limit(C, BUY, 1000, 1000, { symbol: 'BBB' }); // 5
    h.limit(C, BUY, 995, 990, { symbol: 'BBB' }); // 6
    h.limit(C, BUY, 990, 10, { symbol: 'BBB' }); // 7
    h.limit(B, BUY, 40, 2); // 8
    return h;
  }

  const g = <T>(v: unknown): T => v as T; // garbage through the type system
  const KIND_NEW = 'REJECTED', KIND_CANCEL = 'CANCEL_REJECTED', KIND_REPLACE = 'REPLACE_REJECTED';

  interface Case { name: string; kind: string; reason: keyof typeof RejectReason; run: (h: Harness, time: number) => number }
  const nw = (name: string, reason: keyof typeof RejectReason, c: Record<string, unknown>): Case => ({
    name, kind: KIND_NEW, reason,
    run: (h, time) => h.engine.newOrder(g<NewOrder>({ time, account: A, symbol: 'AAA', side: BUY, price: 99, qty: 1, ...c })),
  });
  const cx = (name: string, reason: keyof typeof RejectReason, c: Record<string, unknown>): Case => ({
    name, kind: KIND_CANCEL, reason,
    run: (h, time) => h.engine.cancel(g<Cancel>({ time, account: A, symbol: 'AAA', orderId: 1, ...c })),
  });
  const rp = (name: string, reason: keyof typeof RejectReason, c: Record<string, unknown>): Case => ({
    name, kind: KIND_REPLACE, reason,
    run: (h, time) => h.engine.replace(g<Replace>({ time, account: A, symbol: 'AAA', orderId: 1, price: 100, qty: 4, ...c })),
  });
  const cases: Case[] = [
    nw('unknown symbol', 'UNKNOWN_SYMBOL', { symbol: 'ZZZ' }),
    nw('symbol not a string', 'UNKNOWN_SYMBOL', { symbol: 42 }),
    nw('symbol missing', 'UNKNOWN_SYMBOL', { symbol: undefined }),
    nw('unknown account', 'UNKNOWN_ACCOUNT', { account: 99 }),
    nw('account 0', 'UNKNOWN_ACCOUNT', { account: 0 }),
    nw('account −1', 'UNKNOWN_ACCOUNT', { account: -1 }),
    nw('account 1.5', 'UNKNOWN_ACCOUNT', { account: 1.5 }),
    nw('account as a string', 'UNKNOWN_ACCOUNT', { account: '1' }),
    nw('account NaN', 'UNKNOWN_ACCOUNT', { account: NaN }),
    nw('price off tick', 'PRICE_OFF_TICK', { symbol: 'BBB', price: 1002, qty: 10 }),
    nw('price off the banded tick', 'PRICE_OFF_TICK', { symbol: 'TT', price: 1001 }),
    nw('price above max', 'PRICE_OUT_OF_RANGE', { price: 100_001 }),
    nw('price 0', 'PRICE_OUT_OF_RANGE', { price: 0 }),
    nw('price negative', 'PRICE_OUT_OF_RANGE', { price: -5 }),
    nw('price below min_price', 'PRICE_OUT_OF_RANGE', { symbol: 'BBB', price: 95, qty: 10 }),
    nw('qty off lot', 'QTY_OFF_LOT', { symbol: 'BBB', price: 1000, qty: 15 }),
    nw('qty 0', 'QTY_OUT_OF_RANGE', { qty: 0 }),
    nw('qty negative', 'QTY_OUT_OF_RANGE', { qty: -1 }),
    nw('qty above max', 'QTY_OUT_OF_RANGE', { qty: 1_001 }),
    nw('qty below min_qty', 'QTY_OUT_OF_RANGE', { symbol: 'BBB', price: 1000, qty: 5 }),
    nw('notional too small', 'NOTIONAL_TOO_SMALL', { price: 49, qty: 1 }),
    nw('market notional too small (at the best bid 40)', 'NOTIONAL_TOO_SMALL', { side: SELL, ordType: OrdType.MARKET, price: undefined }),
    nw('duplicate clOrdId', 'DUPLICATE_CL_ORD_ID', { clOrdId: 'live' }),
    nw('post-only would take', 'POST_ONLY_WOULD_TAKE', { price: 100, postOnly: true }),
    nw('FOK cannot fill', 'FOK_CANNOT_FILL', { price: 101, qty: 11, tif: FOK }),
    nw('market with no liquidity', 'NO_LIQUIDITY', { symbol: 'TT', side: SELL, ordType: OrdType.MARKET }),
    nw('GTD in the past', 'INVALID_EXPIRE_TIME', { tif: GTD, expireTime: 1 }),
    nw('too many open orders', 'TOO_MANY_OPEN_ORDERS', { account: 4, symbol: 'BBB', price: 1000, qty: 10 }),
    nw('position limit', 'POSITION_LIMIT', { account: C, symbol: 'BBB', price: 1000, qty: 10 }),
    nw('position limit (IOC too)', 'POSITION_LIMIT', { account: C, symbol: 'BBB', price: 1000, qty: 10, tif: IOC }),
    nw('price NaN', 'INVALID_FIELD', { price: NaN }),
    nw('price Infinity', 'INVALID_FIELD', { price: Infinity }),
    nw('price fractional', 'INVALID_FIELD', { price: 99.5 }),
    nw('price as a string', 'INVALID_FIELD', { price: '99' }),
    nw('price missing on a limit', 'INVALID_FIELD', { price: undefined }),
    nw('price null', 'INVALID_FIELD', { price: null }),
    nw('price unsafe', 'INVALID_FIELD', { price: 2 ** 53 }),
    nw('qty NaN', 'INVALID_FIELD', { qty: NaN }),
    nw('qty as a string', 'INVALID_FIELD', { qty: '1' }),
    nw('qty missing', 'INVALID_FIELD', { qty: undefined }),
    nw('qty fractional', 'INVALID_FIELD', { qty: 0.5 }),
    nw('side 0', 'INVALID_FIELD', { side: 0 }),
    nw('side 3', 'INVALID_FIELD', { side: 3 }),
    nw('side as a string', 'INVALID_FIELD', { side: 'BUY' }),
    nw('side missing', 'INVALID_FIELD', { side: undefined }),
    nw('ordType 9', 'INVALID_FIELD', { ordType: 9 }),
    nw('ordType as a string', 'INVALID_FIELD', { ordType: 'LIMIT' }),
    nw('tif 9', 'INVALID_FIELD', { tif: 9 }),
    nw('tif NaN', 'INVALID_FIELD', { tif: NaN }),
    nw('stp 7', 'INVALID_FIELD', { stp: 7 }),
    nw('stp as a string', 'INVALID_FIELD', { stp: 'NONE' }),
    nw('postOnly as a string', 'INVALID_FIELD', { postOnly: 'yes' }),
    nw('clOrdId as a number', 'INVALID_FIELD', { clOrdId: 42 }),
    nw('clOrdId too long', 'INVALID_FIELD', { clOrdId: 'x'.repeat(65) }),
    nw('time NaN', 'INVALID_FIELD', { time: NaN }),
    nw('time negative', 'INVALID_FIELD', { time: -1 }),
    nw('time as a string', 'INVALID_FIELD', { time: '5' }),
    nw('market GTC', 'INVALID_FIELD', { ordType: OrdType.MARKET, tif: GTC }),
    nw('market post-only', 'INVALID_FIELD', { ordType: OrdType.MARKET, postOnly: true }),
    nw('post-only IOC', 'INVALID_FIELD', { tif: IOC, postOnly: true }),
    nw('post-only FOK', 'INVALID_FIELD', { tif: FOK, postOnly: true }),
    cx('cancel: unknown order', 'UNKNOWN_ORDER', { orderId: 999 }),
    cx('cancel: orderId 0', 'UNKNOWN_ORDER', { orderId: 0 }),
    cx('cancel: orderId NaN', 'UNKNOWN_ORDER', { orderId: NaN }),
    cx('cancel: orderId as a string', 'UNKNOWN_ORDER', { orderId: '1' }),
    cx('cancel: unknown origClOrdId', 'UNKNOWN_ORDER', { orderId: undefined, origClOrdId: 'nope' }),
    cx('cancel: neither orderId nor origClOrdId', 'INVALID_FIELD', { orderId: undefined }),
    cx('cancel: origClOrdId as a number', 'INVALID_FIELD', { orderId: undefined, origClOrdId: 7 }),
    cx('cancel: clOrdId too long', 'INVALID_FIELD', { clOrdId: 'y'.repeat(65) }),
    cx('cancel: unknown account', 'UNKNOWN_ACCOUNT', { account: 99 }),
    cx('cancel: unknown symbol', 'UNKNOWN_SYMBOL', { symbol: 'ZZZ' }),
    cx('cancel: time NaN', 'INVALID_FIELD', { time: NaN }),
    rp('replace: unknown order', 'UNKNOWN_ORDER', { orderId: 999 }),
    rp('replace: another account', 'UNKNOWN_ORDER', { account: B }),
    rp('replace: price off tick', 'PRICE_OFF_TICK', { orderId: 3, symbol: 'BBB', price: 1002, qty: 20 }),
    rp('replace: price out of range', 'PRICE_OUT_OF_RANGE', { price: 0 }),
    rp('replace: qty off lot', 'QTY_OFF_LOT', { orderId: 3, symbol: 'BBB', price: 1000, qty: 15 }),
    rp('replace: qty above max', 'QTY_OUT_OF_RANGE', { qty: 1_001 }),
    rp('replace: qty negative', 'QTY_OUT_OF_RANGE', { qty: -1 }),
    rp('replace: notional too small', 'NOTIONAL_TOO_SMALL', { price: 10, qty: 4 }),
    rp('replace: price NaN', 'INVALID_FIELD', { price: NaN }),
    rp('replace: qty as a string', 'INVALID_FIELD', { qty: '4' }),
    rp('replace: qty missing', 'INVALID_FIELD', { qty: undefined }),
    rp('replace: duplicate clOrdId', 'DUPLICATE_CL_ORD_ID', { orderId: 3, symbol: 'BBB', price: 1000, qty: 10, clOrdId: 'live' }),
    rp('replace: qty increase past the position limit', 'POSITION_LIMIT', { account: C, orderId: 6, symbol: 'BBB', price: 995, qty: 1000 }),
    rp('replace: time negative', 'INVALID_FIELD', { time: -1 }),
  ];

  for (const c of cases) {
    test(`${c.name} → ${c.kind} ${c.reason}, state unchanged, nothing thrown`, () => {
      const h = book();
      const before = h.snapshot();
      const seq = h.engine.lastSeq;
      const events = h.run((time) => {
        let r = -1;
        assert.doesNotThrow(() => { r = c.run(h, time); });
        return r;
      }, h.t);
      assert.equal(h.ret, 0, 'a refused command returns 0');
      assert.equal(events.length, 1, events.join('\n'));
      const e = h.sink.orders().at(-1);
      assert.ok(e);
      assert.equal(e.seq, seq + 1);
      assert.equal(nameOf(OrderEventKind, e.kind), c.kind);
      assert.equal(nameOf(RejectReason, e.reason), c.reason, `${e.text}`);
      assert.ok(e.text.length > 0, 'a reject carries a text');
      assert.equal(h.snapshot(), before, 'state unchanged');
    });
  }

  test('the baseline of the table is accepted (each case differs from it in one way)', () => {
    for (const [kind, run] of [
      ['new', (h: Harness, time: number): number => h.engine.newOrder({ time, account: A, symbol: 'AAA', side: BUY, price: 99, qty: 1 })],
      ['cancel', (h: Harness, time: number): number => h.engine.cancel({ time, account: A, symbol: 'AAA', orderId: 1 })],
      ['replace', (h: Harness, time: number): number => h.engine.replace({ time, account: A, symbol: 'AAA', orderId: 1, price: 100, qty: 4 })],
    ] as const) {
      const h = book();
      const events = h.run((time) => run(h, time));
      assert.ok(h.ret > 0, `${kind}: ${events.join(' | ')}`);
      assert.ok(!events.some((e) => /REJECTED/.test(e)), kind);
    }
    // and the limits that bite above are exactly at their edge
    const h = book();
    assert.match(h.replace({ account: C, orderId: 6, symbol: 'BBB', price: 995, qty: 980 })[0], /^REPLACED/);
    assert.match(h.replace({ account: C, orderId: 6, symbol: 'BBB', price: 995, qty: 990 })[0], /^REPLACED/);
    assert.match(h.new({ account: B, side: BUY, price: 50, qty: 1 })[0], /^ACCEPTED/, 'the notional minimum is inclusive');
  });

  test('a bogus command kind or time changes nothing', () => {
    const h = book();
    const before = h.snapshot();
    assert.deepEqual(h.run(() => h.engine.apply(g<Command>({ type: 'bogus', time: 1 }))), []);
    assert.equal(h.ret, 0);
    assert.deepEqual(h.run(() => h.engine.apply({ type: 'time', time: NaN })), []);
    assert.equal(h.ret, 0);
    assert.deepEqual(h.run(() => h.engine.massCancel(g<MassCancel>({ time: 'x', account: A }))), ['MASS_CANCEL a1 * * cancelled=0 INVALID_FIELD']);
    assert.equal(h.ret, 0);
    assert.equal(h.snapshot(), before);
  });
});

describe('price-banded tick table', () => {
  test('prices are checked against the band they fall in', () => {
    const h = new Harness();
    const accepted = [1, 7, 999, 1000, 1005, 9995, 10_000, 10_050, 99_950, 100_000];
    const offTick = [1001, 1004, 9999, 10_005, 10_025, 10_049, 99_999];
    for (const price of accepted) {
      const ev = h.new({ account: A, side: BUY, price, qty: 1, symbol: 'TT' });
      assert.match(ev[0], /^ACCEPTED/, `${price}: ${ev.join(' | ')}`);
    }
    for (const price of offTick) {
      assert.deepEqual(h.new({ account: A, side: BUY, price, qty: 1, symbol: 'TT' }), [`REJECTED #0 a1 BUY ${price}x1 PRICE_OFF_TICK`]);
    }
    assert.deepEqual(h.new({ account: A, side: BUY, price: 100_050, qty: 1, symbol: 'TT' }), ['REJECTED #0 a1 BUY 100050x1 PRICE_OUT_OF_RANGE']);
    // replace into a coarser band
    assert.deepEqual(h.replace({ account: A, orderId: 1, symbol: 'TT', price: 1002, qty: 1 }), ['REPLACE_REJECTED #1 a1 1002x1 PRICE_OFF_TICK']);
    assert.deepEqual(h.replace({ account: A, orderId: 1, symbol: 'TT', price: 1010, qty: 1 }), [
      'REPLACED #1 a1 BUY 1010x1 leaves=1 cum=0',
      'LEVEL TT BUY 1 qty=0 n=0',
      'LEVEL TT BUY 1010 qty=1 n=1',
    ]);
  });

  test('the market protection price lands on the tick grid of its band', () => {
    const h = new Harness();
    h.limit(A, SELL, 9_990, 1, { symbol: 'TT' });
    h.limit(A, SELL, 10_500, 1, { symbol: 'TT' });
    // 9990 + floor(9990 × 5 %) = 10489 → floored to the 50-tick band: 10450 (10500 is out of reach)
    assert.deepEqual(h.new({ account: B, side: BUY, ordType: OrdType.MARKET, qty: 2, symbol: 'TT' }), [
      'ACCEPTED #3 a2 BUY 10450x2 MARKET/IOC leaves=2 cum=0',
      'FILL 9990x1 maker=#1/a1 leaves=0 taker=#3/a2 leaves=1',
      'CANCELLED #3 a2 BUY 10450x2 MARKET/IOC leaves=0 cum=1 MARKET_REMAINDER',
      'LEVEL TT SELL 9990 qty=0 n=0',
    ]);
    h.limit(A, BUY, 10_050, 1, { symbol: 'TT' });
    // 10050 − 502 = 9548 → ceiled to the 5-tick band: 9550
    assert.match(h.new({ account: B, side: SELL, ordType: OrdType.MARKET, qty: 1, symbol: 'TT' })[0], /^ACCEPTED #5 a2 SELL 9550x1 MARKET\/IOC/);
  });
});

describe('determinism', () => {
  /** An integer in [0, n) from the shared seeded PRNG. */
  function intPrng(seed: number): (n: number) => number {
    const next = prng(seed);
    return (n: number): number => Math.floor(next() * n);
  }

  /** A mixed command stream: every order type, cancels, replaces, mass cancels, time, STP and some garbage. */
  function commands(seed: number, n: number): Command[] {
    const r = intPrng(seed);
    const out: Command[] = [];
    let time = 0;
    let maxId = 0;
    const symbols = ['AAA', 'BBB', 'TT'];
    for (let i = 0; i < n; i++) {
      time += r(3);
      const account = 1 + r(4);
      const symbol = symbols[r(10) < 7 ? 0 : 1 + r(2)];
      const base = symbol === 'AAA' ? 1000 : symbol === 'BBB' ? 2000 : 10_000;
      const step = symbol === 'AAA' ? 1 : symbol === 'BBB' ? 5 : 50;
      const price = base + (r(21) - 10) * step;
      const qty = symbol === 'BBB' ? 10 * (1 + r(5)) : 1 + r(5);
      const k = r(100);
      if (k < 50) {
        const tif = ([GTC, GTC, GTC, IOC, FOK, GTD] as TimeInForce[])[r(6)];
        const c: Command = {
          type: 'new', time, account, symbol, side: r(2) === 0 ? BUY : SELL, price, qty, tif,
          ...(tif === GTD ? { expireTime: time + 1 + r(40) } : {}),
          ...(r(10) === 0 ? { ordType: OrdType.MARKET, tif: IOC } : {}),
          ...(r(8) === 0 && (tif === GTC || tif === GTD) ? { postOnly: true } : {}),
          ...(r(4) === 0 ? { stp: r(5) as StpMode } : {}),
          ...(r(3) === 0 ? { clOrdId: `c${r(20)}` } : {}),
        };
        out.push(c);
        maxId++;
      } else if (k < 70) {
        out.push(r(2) === 0
          ? { type: 'cancel', time, account, symbol, orderId: 1 + r(maxId + 1) }
          : { type: 'cancel', time, account, symbol, origClOrdId: `c${r(20)}` });
      } else if (k < 88) {
        out.push({ type: 'replace', time, account, symbol, orderId: 1 + r(maxId + 1), price: price + (r(3) - 1) * step, qty: qty + r(3) - 1 });
      } else if (k < 91) {
        out.push({ type: 'massCancel', time, account, ...(r(2) ? { symbol } : {}), ...(r(2) ? { side: r(2) === 0 ? BUY : SELL } : {}) });
      } else if (k < 96) {
        time += r(30);
        out.push({ type: 'time', time });
      } else {
        // garbage
        const bad: unknown[] = [NaN, '1', undefined, null, -1, 1.5, {}, Infinity];
        const field = (['price', 'qty', 'side', 'account', 'tif', 'ordType', 'stp', 'time', 'clOrdId', 'symbol'] as const)[r(10)];
        out.push({ type: 'new', time, account, symbol, side: BUY, price, qty, [field]: bad[r(bad.length)] } as unknown as Command);
      }
    }
    return out;
  }

  const json = (sink: RecordingSink): string => JSON.stringify(sink.events);

  test('the same commands on fresh engines give byte-identical events (also when two engines run interleaved)', () => {
    const cmds = commands(20251011, 4_000);
    const mk = (): { e: Engine; s: RecordingSink } => {
      const s = new RecordingSink();
      const e = new Engine({ instruments: [AAA, BBB, TT] }, s);
      e.addAccount({ name: 'n' });
      e.addAccount({ name: 'ct', stp: StpMode.CANCEL_TAKER });
      e.addAccount({ name: 'dec', stp: StpMode.DECREMENT });
      e.addAccount({ name: 'cb', stp: StpMode.CANCEL_BOTH });
      return { e, s };
    };
    const one = mk(), two = mk();
    for (const c of cmds) {
      assert.doesNotThrow(() => { one.e.apply(c); two.e.apply(c); });
    }
    const three = mk();
    for (const c of cmds) three.e.apply(c);
    const j = json(one.s);
    assert.ok(one.s.fills().length > 100, `the stream trades (${one.s.fills().length} fills)`);
    assert.ok(one.s.orders().some((o) => o.kind === OrderEventKind.RESTATED), 'the stream exercises DECREMENT');
    assert.ok(one.s.orders().some((o) => o.reason === CancelReason.EXPIRED), 'the stream expires GTD orders');
    assert.equal(json(two.s), j);
    assert.equal(json(three.s), j);

    // seq strictly increasing; the last level event of each level agrees with the book
    let seq = 0;
    for (const ev of one.s.events) { assert.ok(ev.seq > seq); seq = ev.seq; }
    const lastLevel = new Map<string, number>();
    for (const l of one.s.levels()) lastLevel.set(`${l.symbol}/${l.side}/${l.price}`, l.qty);
    for (const [key, qty] of lastLevel) {
      const [symbol, side, price] = key.split('/');
      const lvl = one.e.depth(symbol, 10_000);
      const levels = Number(side) === BUY ? lvl?.bids : lvl?.asks;
      assert.equal(levels?.find((l) => l.price === Number(price))?.qty ?? 0, qty, key);
    }
    // and the accounting balances
    for (let i = 0; i < 3; i++) {
      let cash = 0n, position = 0;
      for (const id of one.e.accountIds()) {
        const p = one.e.accountView(id)?.positions[i];
        assert.ok(p);
        cash += p.cash;
        position += p.position;
      }
      assert.equal(position, 0);
      assert.equal(cash + one.e.venueFees[i].toBigInt(), 0n);
    }
  });
});
