// The books and everything that changes them: resting, matching in
// price-time priority (with self-trade prevention and fees), reducing,
// cancelling and forgetting orders. The Engine validates a command, then asks
// the Market to carry it out; the Market keeps every index consistent (levels,
// account lists, the live-order index, the GTD queue, open quantities) and
// reports through the Emitter.
import { Book, type BookSide } from './book.ts';
import type { Emitter } from './emitter.ts';
import { OrderEventKind } from './events.ts';
import { ExpiryQueue } from './expiry.ts';
import type { Instrument } from './instrument.ts';
import type { Level } from './level.ts';
import { LevelChanges } from './level-changes.ts';
import { Accumulator, feeFor } from './money.ts';
import { OrderPool, type Order } from './order.ts';
import { OrderIndex } from './order-index.ts';
import { CancelReason, OrdType, Side, StpMode, TimeInForce } from './types.ts';

export class Market {
  readonly books: Book[];
  /** live (resting) orders by id */
  readonly live = new OrderIndex();
  readonly pool = new OrderPool();
  readonly expiry = new ExpiryQueue();
  /** market-data bookkeeping of the current command */
  readonly changes = new LevelChanges();
  /** the venue's fee income per instrument (fees − rebates), cash units */
  readonly venueFees: Accumulator[];
  /** the last order id handed out */
  nextOrderId = 0;
  private nextTradeId = 0;

  constructor(readonly instruments: readonly Instrument[], private readonly out: Emitter) {
    this.books = instruments.map((i) => new Book(i.symbol));
    this.venueFees = instruments.map(() => new Accumulator());
  }

  // ---- matching ----

  /** Matches an incoming (or re-priced) order, then rests it or ends it. */
  execute(t: Order, inst: Instrument, onBook: boolean): void {
    const stopped = this.match(t, inst);
    if (t.leaves === 0 && !stopped) {
      if (onBook) this.forget(t); else this.pool.give(t);
      return;
    }
    let reason: CancelReason | 0 = 0;
    if (stopped) reason = CancelReason.SELF_TRADE;
    else if (t.ordType === OrdType.MARKET) reason = CancelReason.MARKET_REMAINDER;
    else if (t.tif === TimeInForce.IOC || t.tif === TimeInForce.FOK) reason = CancelReason.IOC_REMAINDER;
    if (reason === 0) {
      this.rest(t, inst, onBook);
      return;
    }
    t.leaves = 0;
    this.out.order(OrderEventKind.CANCELLED, t, reason);
    if (onBook) this.forget(t); else this.pool.give(t);
  }

  /** Trades t against the opposite side in price-time priority. Returns true if self-trade prevention stopped t. */
  private match(t: Order, inst: Instrument): boolean {
    const side = this.books[inst.index].oppositeOf(t.side);
    const buy = t.side === Side.BUY;
    const limit = t.price;
    const stp = t.stp !== StpMode.NONE;
    while (t.leaves > 0) {
      const lvl = side.best();
      if (lvl === null || (buy ? lvl.price > limit : lvl.price < limit)) return false;
      for (let m = lvl.head; m !== null && t.leaves > 0; ) {
        const next = m.next;
        if (stp && m.account === t.account) {
          if (this.preventSelfTrade(t, m)) return true;
        } else {
          this.fill(t, m, lvl, side, inst, t.leaves < m.leaves ? t.leaves : m.leaves);
        }
        m = next;
      }
    }
    return false;
  }

  private fill(t: Order, m: Order, lvl: Level, side: BookSide, inst: Instrument, q: number): void {
    const price = m.price;
    const ii = inst.index;
    const mult = inst.notionalMultiplier;
    const n = price * q * mult;
    const ma = m.account;
    const ta = t.account;
    const makerFee = feeFor(n, ma.makerRate[ii]);
    const takerFee = feeFor(n, ta.takerRate[ii]);
    m.leaves -= q;
    m.cum += q;
    m.cumPxQty += price * q;
    t.leaves -= q;
    t.cum += q;
    t.cumPxQty += price * q;
    lvl.qty -= q;
    this.changes.touch(lvl, side);
    const mp = ma.positions[ii];
    if (m.side === Side.BUY) mp.openBuy -= q; else mp.openSell -= q;
    mp.apply(m.side, price, q, n, makerFee, mult);
    ta.positions[ii].apply(t.side, price, q, n, takerFee, mult);
    this.venueFees[ii].add(makerFee + takerFee);

    this.out.fill(t, m, inst, q, n, makerFee, takerFee, ++this.nextTradeId);

    if (m.leaves === 0) {
      lvl.remove(m);
      if (lvl.count === 0) side.removeLevel(lvl);
      this.forget(m);
    }
  }

  /** Applies the taker's self-trade prevention mode to a resting order of its own account. Returns true if t is finished. */
  private preventSelfTrade(t: Order, m: Order): boolean {
    switch (t.stp) {
      case StpMode.CANCEL_TAKER:
        return true;
      case StpMode.CANCEL_MAKER:
        this.cancelResting(m, CancelReason.SELF_TRADE);
        return false;
      case StpMode.CANCEL_BOTH:
        this.cancelResting(m, CancelReason.SELF_TRADE);
        return true;
      default: { // DECREMENT
        const d = t.leaves < m.leaves ? t.leaves : m.leaves;
        if (d === m.leaves) this.cancelResting(m, CancelReason.SELF_TRADE);
        else {
          this.reduceResting(m, d);
          this.out.order(OrderEventKind.RESTATED, m, CancelReason.SELF_TRADE);
        }
        t.leaves -= d;
        t.qty -= d;
        if (t.leaves === 0) return true;
        this.out.order(OrderEventKind.RESTATED, t, CancelReason.SELF_TRADE);
        return false;
      }
    }
  }

  // ---- order lifecycle on the book ----

  private rest(o: Order, inst: Instrument, linked: boolean): void {
    const side = this.books[inst.index].sideOf(o.side);
    const lvl = side.findOrCreate(o.price);
    lvl.push(o);
    this.changes.touch(lvl, side);
    const p = o.account.positions[o.instrument];
    if (o.side === Side.BUY) p.openBuy += o.leaves; else p.openSell += o.leaves;
    if (linked) return;
    o.account.link(o);
    this.live.set(o);
    if (o.tif === TimeInForce.GTD) this.expiry.add(o);
  }

  /** Takes a resting order out of its level (it stays live: account list, id map). */
  takeOffBook(o: Order): void {
    const lvl = o.level as Level;
    const side = this.books[o.instrument].sideOf(o.side);
    const p = o.account.positions[o.instrument];
    if (o.side === Side.BUY) p.openBuy -= o.leaves; else p.openSell -= o.leaves;
    lvl.remove(o);
    this.changes.touch(lvl, side);
    if (lvl.count === 0) side.removeLevel(lvl);
  }

  /** Reduces a resting order's quantity in place (keeps its queue position). */
  reduceResting(o: Order, by: number): void {
    const lvl = o.level as Level;
    o.qty -= by;
    o.leaves -= by;
    lvl.qty -= by;
    const p = o.account.positions[o.instrument];
    if (o.side === Side.BUY) p.openBuy -= by; else p.openSell -= by;
    this.changes.touch(lvl, this.books[o.instrument].sideOf(o.side));
  }

  cancelResting(o: Order, reason: CancelReason, clOrdId = o.clOrdId, origClOrdId = ''): void {
    this.takeOffBook(o);
    o.leaves = 0;
    this.out.order(OrderEventKind.CANCELLED, o, reason, clOrdId, origClOrdId);
    this.forget(o);
  }

  /** Drops a finished order from every index and recycles it. */
  forget(o: Order): void {
    o.account.unlink(o);
    this.live.delete(o.id, this.nextOrderId + 1);
    if (o.expireTime !== 0) this.expiry.remove(o);
    this.pool.give(o);
  }

  renameClOrdId(o: Order, clOrdId: string): void {
    if (clOrdId === o.clOrdId) return;
    const byId = o.account.liveByClOrdId;
    if (o.clOrdId !== '' && byId.get(o.clOrdId) === o) byId.delete(o.clOrdId);
    o.clOrdId = clOrdId;
    if (clOrdId !== '') byId.set(clOrdId, o);
  }
}
