// The books and everything that changes them: resting, matching in
// price-time priority (with self-trade prevention and fees), reducing,
// cancelling and forgetting orders. The Engine validates a command, then asks
// the Market to carry it out; the Market keeps every index consistent (levels,
// account lists, the live-order index, the GTD queue, open quantities) and
// reports through the Emitter.
import type { Account } from './account.ts';
import { Book, type BookSide } from './book.ts';
import type { Emitter } from './emitter.ts';
import { OrderEventKind } from './events.ts';
import { ExpiryQueue } from './expiry.ts';
import { capAccessFee, type Instrument } from './instrument.ts';
import type { Level } from './level.ts';
import { LevelChanges } from './level-changes.ts';
import { Accumulator, feeFor, perShareFee } from './money.ts';
import { OrderPool, type Order } from './order.ts';
import { OrderIndex } from './order-index.ts';
import { CancelReason, OrdType, Side, StpMode, TimeInForce } from './types.ts';

/** The rules' view of matching (engine/rules/rules.ts). */
export interface MatchWatcher {
  /** true: the aggressor must not trade at this new price level (and the rule takes over) */
  stops(instrument: number, price: number): boolean;
  /** makerOrder: the resting order of a continuous fill (still live; its leaves already reduced) */
  traded(instrument: number, price: number, qty: number, maker: Account, taker: Account, auction: boolean, makerOrder?: Order): void;
}

const NO_STOP = 0;
const STOP_SELF_TRADE = 1;
const STOP_RULE = 2;

export class Market {
  readonly books: Book[];
  /** live (resting) orders by id */
  readonly live: OrderIndex;
  readonly pool = new OrderPool();
  readonly expiry = new ExpiryQueue();
  /** market-data bookkeeping of the current command */
  readonly changes = new LevelChanges();
  /** the venue's fee income per instrument (fees − rebates), cash units */
  readonly venueFees: Accumulator[];
  /** per instrument: a call phase, orders rest without matching */
  readonly calling: boolean[];
  /** per instrument: the rules watch its matching (velocity) and trades (bands, OTR, breakers) */
  readonly watched: boolean[];
  watcher: MatchWatcher | null = null;
  /** called when an order fills for the first time (Binance's unfilled-order count, RTS 9 transactions) */
  firstFill: ((acct: Account, instrument: number) => void) | null = null;
  /** the last execute() cancelled an IOC/FOK/market remainder (RTS 9 counts that order twice) */
  remainderCancelled = false;
  /** last trade price per instrument (0 = none yet): the auction's reference */
  readonly lastPrice: number[];
  /** the owner of parked (off-book) orders takes one out of its lists: filled or cancelled */
  unpark: ((o: Order) => void) | null = null;
  /** the last order id handed out */
  nextOrderId: number;
  private nextTradeId: number;

  /** `idEpoch`: order and trade ids count on from it (EngineOptions.idEpoch) */
  constructor(readonly instruments: readonly Instrument[], private readonly out: Emitter, idEpoch = 0) {
    this.nextOrderId = this.nextTradeId = idEpoch;
    this.live = new OrderIndex(idEpoch);
    this.books = instruments.map((i) => new Book(i.symbol));
    this.venueFees = instruments.map(() => new Accumulator());
    this.calling = instruments.map(() => false);
    this.watched = instruments.map(() => false);
    this.lastPrice = instruments.map(() => 0);
  }

  /** Whether the sink takes level events: if not, touched levels are neither tracked nor kept for reporting. */
  reportLevels(on: boolean): void {
    this.changes.on = on;
    for (const b of this.books) b.bids.keepRemoved = b.asks.keepRemoved = on;
  }

  // ---- matching ----

  /** Matches an incoming (or re-priced) order, then rests it or ends it; `bandReason` names an IOC remainder of an order slid to a price band. */
  execute(t: Order, inst: Instrument, onBook: boolean, bandReason: CancelReason | 0 = 0): void {
    this.remainderCancelled = false;
    // Most orders do not cross: one compare with the best opposite price saves the call into match().
    const best = this.books[inst.index].oppositeOf(t.side).best();
    const crosses = best !== null && (t.side === Side.BUY ? best.price <= t.price : best.price >= t.price);
    const stop = !crosses || this.calling[inst.index] ? NO_STOP : this.match(t, inst);
    if (t.leaves === 0 && stop !== STOP_SELF_TRADE) {
      if (onBook) this.forget(t); else this.pool.give(t);
      return;
    }
    let reason: CancelReason | 0 = 0;
    if (stop === STOP_SELF_TRADE) reason = CancelReason.SELF_TRADE;
    else if (t.tif === TimeInForce.IOC || t.tif === TimeInForce.FOK) {
      reason = stop === STOP_RULE ? CancelReason.HALT : bandReason || (t.ordType === OrdType.MARKET ? CancelReason.MARKET_REMAINDER : CancelReason.IOC_REMAINDER);
    }
    if (reason === 0) {
      // a GTC/GTD market order (market_remainder 'rest', CME) rests as a limit order at its protection price
      if (t.ordType === OrdType.MARKET) t.ordType = OrdType.LIMIT;
      this.rest(t, inst, onBook);
      return;
    }
    t.leaves = 0;
    this.remainderCancelled = reason !== CancelReason.SELF_TRADE;
    this.out.order(OrderEventKind.CANCELLED, t, reason);
    if (onBook) this.forget(t); else this.pool.give(t);
  }

  /** Trades t against the opposite side in price-time priority; says why it stopped early, if it did. */
  private match(t: Order, inst: Instrument): number {
    const side = this.books[inst.index].oppositeOf(t.side);
    const buy = t.side === Side.BUY;
    const limit = t.price;
    const stp = t.stp !== StpMode.NONE;
    const watch = this.watcher !== null && this.watched[inst.index];
    while (t.leaves > 0) {
      const lvl = side.best();
      if (lvl === null || (buy ? lvl.price > limit : lvl.price < limit)) return NO_STOP;
      // A rule (velocity) may stop the aggressor before it trades at a new price.
      if (watch && (this.watcher as MatchWatcher).stops(inst.index, lvl.price)) return STOP_RULE;
      for (let m = lvl.head; m !== null && t.leaves > 0; ) {
        const next = m.next;
        if (stp && m.account === t.account) {
          if (this.preventSelfTrade(t, m)) return STOP_SELF_TRADE;
        } else {
          this.fill(t, m, lvl, side, inst, t.leaves < m.leaves ? t.leaves : m.leaves);
        }
        m = next;
      }
    }
    return NO_STOP;
  }

  private fill(t: Order, m: Order, lvl: Level, side: BookSide, inst: Instrument, q: number): void {
    const price = m.price;
    const ii = inst.index;
    const mult = inst.notionalMultiplier;
    const n = price * q * mult;
    const ma = m.account;
    const ta = t.account;
    const makerFee = feeFor(n, ma.makerRate[ii]) + perShareFee(q, ma.makerPerShare[ii], inst.shareUnit);
    const takerFee = capAccessFee(inst, price, q, n, feeFor(n, ta.takerRate[ii]) + perShareFee(q, ta.takerPerShare[ii], inst.shareUnit));
    if (this.firstFill !== null) {
      if (m.cum === 0) this.firstFill(ma, ii);
      if (t.cum === 0) this.firstFill(ta, ii);
    }
    m.leaves -= q;
    m.cum += q;
    m.cumPxQty += price * q;
    t.leaves -= q;
    t.cum += q;
    t.cumPxQty += price * q;
    lvl.qty -= q;
    this.changes.touch(lvl, side);
    const mp = ma.positions[ii];
    if (m.side === Side.BUY) { mp.openBuy -= q; mp.openBuyPxQty -= price * q; } else { mp.openSell -= q; mp.openSellPxQty -= price * q; }
    mp.version++;
    mp.apply(m.side, price, q, n, makerFee, mult);
    ta.positions[ii].apply(t.side, price, q, n, takerFee, mult);
    this.venueFees[ii].add(makerFee + takerFee);
    this.lastPrice[ii] = price;

    this.out.fill(t, m, inst, price, q, n, makerFee, takerFee, ++this.nextTradeId, false);
    if (this.watcher !== null && this.watched[ii]) this.watcher.traded(ii, price, q, ma, ta, false, m);

    if (m.leaves === 0) {
      lvl.remove(m);
      this.books[ii].orders--;
      if (lvl.count === 0) side.removeLevel(lvl);
      this.forget(m);
    }
  }

  // ---- auctions ----

  /**
   * Executes a call auction at one price: bids at or above it against asks at
   * or below it, each side in price-time priority, every fill at that price.
   * The later of the two orders is reported as the taker, and both pay their
   * taker rate (nobody provided resting liquidity to a continuous book).
   * Self-trades execute unless `stp`, which cancels the later order instead.
   * Returns the volume executed.
   */
  uncross(inst: Instrument, price: number, stp: boolean): number {
    const book = this.books[inst.index];
    let volume = 0;
    for (;;) {
      const bl = book.bids.best();
      const al = book.asks.best();
      if (bl === null || al === null || bl.price < price || al.price > price) return volume;
      const b = bl.head as Order;
      const a = al.head as Order;
      const bLater = b.time > a.time || (b.time === a.time && b.id > a.id);
      if (stp && b.account === a.account) {
        this.cancelResting(bLater ? b : a, CancelReason.SELF_TRADE);
        continue;
      }
      const q = b.leaves < a.leaves ? b.leaves : a.leaves;
      this.cross(bLater ? b : a, bLater ? a : b, inst, price, q);
      volume += q;
    }
  }

  /**
   * One auction fill of q at `price` between two resting orders (t = the later one). An order off
   * the book (an on-open / on-close order, `level` null) is filled the same way; its owner
   * (`unpark`) drops it once it is done.
   */
  cross(t: Order, m: Order, inst: Instrument, price: number, q: number): void {
    const ii = inst.index;
    const mult = inst.notionalMultiplier;
    const n = price * q * mult;
    // no access-fee cap: an auction fill accesses no displayed quotation
    const makerFee = feeFor(n, m.account.takerRate[ii]) + perShareFee(q, m.account.takerPerShare[ii], inst.shareUnit);
    const takerFee = feeFor(n, t.account.takerRate[ii]) + perShareFee(q, t.account.takerPerShare[ii], inst.shareUnit);
    for (const o of [m, t]) {
      const lvl = o.level;
      if (o.cum === 0 && this.firstFill !== null) this.firstFill(o.account, ii);
      openChange(o, -q);
      o.leaves -= q;
      o.cum += q;
      o.cumPxQty += price * q;
      if (lvl === null) continue;
      lvl.qty -= q;
      this.changes.touch(lvl, this.books[ii].sideOf(o.side));
    }
    m.account.positions[ii].apply(m.side, price, q, n, makerFee, mult);
    t.account.positions[ii].apply(t.side, price, q, n, takerFee, mult);
    this.venueFees[ii].add(makerFee + takerFee);
    this.lastPrice[ii] = price;
    this.out.fill(t, m, inst, price, q, n, makerFee, takerFee, ++this.nextTradeId, true);
    if (this.watcher !== null && this.watched[ii]) this.watcher.traded(ii, price, q, m.account, t.account, true);
    for (const o of [m, t]) {
      if (o.leaves !== 0) continue;
      const lvl = o.level;
      if (lvl === null) {
        this.unpark?.(o);
        this.forget(o);
        continue;
      }
      const side = this.books[ii].sideOf(o.side);
      lvl.remove(o);
      this.books[ii].orders--;
      if (lvl.count === 0) side.removeLevel(lvl);
      this.forget(o);
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
      default: { // DECREMENT (Binance): both lose the smaller open quantity as prevented; one left at 0 expires
        const d = t.leaves < m.leaves ? t.leaves : m.leaves;
        m.prevented += d;
        if (d === m.leaves) this.cancelResting(m, CancelReason.SELF_TRADE);
        else {
          this.openShrink(m, d);
          this.out.order(OrderEventKind.RESTATED, m, CancelReason.SELF_TRADE);
        }
        t.leaves -= d;
        t.prevented += d;
        if (t.leaves === 0) return true;
        this.out.order(OrderEventKind.RESTATED, t, CancelReason.SELF_TRADE);
        return false;
      }
    }
  }

  // ---- order lifecycle on the book ----

  private rest(o: Order, inst: Instrument, linked: boolean): void {
    const book = this.books[inst.index];
    const side = book.sideOf(o.side);
    const lvl = side.findOrCreate(o.price);
    lvl.push(o);
    book.orders++;
    if (this.changes.on) this.changes.touch(lvl, side);
    openChange(o, o.leaves);
    if (linked) return;
    o.account.link(o);
    this.live.set(o);
    if (o.tif === TimeInForce.GTD) this.expiry.add(o);
  }

  /** Takes a resting order out of its level (it stays live: account list, id map). */
  takeOffBook(o: Order): void {
    const lvl = o.level as Level;
    const book = this.books[o.instrument];
    const side = book.sideOf(o.side);
    openChange(o, -o.leaves);
    lvl.remove(o);
    book.orders--;
    if (this.changes.on) this.changes.touch(lvl, side);
    if (lvl.count === 0) side.removeLevel(lvl);
  }

  /** Reduces a resting order's quantity in place (keeps its queue position). */
  reduceResting(o: Order, by: number): void {
    o.qty -= by;
    this.openShrink(o, by);
  }

  /** Takes `by` off a resting order's open quantity in place (its qty stays: a prevented quantity). */
  private openShrink(o: Order, by: number): void {
    const lvl = o.level as Level;
    o.leaves -= by;
    lvl.qty -= by;
    openChange(o, -by);
    this.changes.touch(lvl, this.books[o.instrument].sideOf(o.side));
  }

  /**
   * An order that waits off the book for a cross (on-open / on-close): live, counted in its
   * account's open orders and open quantity, but on no price level.
   */
  park(o: Order): void {
    o.level = null;
    openChange(o, o.leaves);
    o.account.link(o);
    this.live.set(o);
  }

  /** Amends a parked order in place: `time` is its priority in the cross. */
  amendParked(o: Order, price: number, qty: number, time: number): void {
    openChange(o, -o.leaves);
    o.price = price;
    o.qty = qty;
    o.leaves = qty - o.cum - o.prevented;
    o.time = time;
    openChange(o, o.leaves);
  }

  cancelResting(o: Order, reason: CancelReason, clOrdId = o.clOrdId, origClOrdId = ''): void {
    if (o.level === null) {
      this.unpark?.(o);
      openChange(o, -o.leaves);
    } else this.takeOffBook(o);
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

  /** The live orders of the account's current quote on an instrument (0, 1 or 2). */
  quoteOrders(acct: Account, ii: number): Order[] {
    const out: Order[] = [];
    for (const id of [acct.quoteBid[ii], acct.quoteOffer[ii]]) {
      const o = id === 0 ? undefined : this.live.get(id);
      if (o !== undefined && o.account === acct) out.push(o);
    }
    return out;
  }

  /** Cancels the account's quote on an instrument. Returns how many orders that cancelled. */
  withdrawQuote(acct: Account, ii: number, reason: CancelReason): number {
    const orders = this.quoteOrders(acct, ii);
    for (const o of orders) this.cancelResting(o, reason);
    acct.quoteBid[ii] = acct.quoteOffer[ii] = 0;
    return orders.length;
  }

  renameClOrdId(o: Order, clOrdId: string): void {
    if (clOrdId === o.clOrdId) return;
    const byId = o.account.liveByClOrdId;
    if (o.clOrdId !== '' && byId.get(o.clOrdId) === o) byId.delete(o.clOrdId);
    o.clOrdId = clOrdId;
    if (clOrdId !== '') byId.set(clOrdId, o);
  }
}

/** Keeps the account's open quantity and open price × qty per side (position and gross limits). */
function openChange(o: Order, q: number): void {
  const p = o.account.positions[o.instrument];
  p.version++;
  if (o.side === Side.BUY) {
    p.openBuy += q;
    p.openBuyPxQty += o.price * q;
  } else {
    p.openSell += q;
    p.openSellPxQty += o.price * q;
  }
}
