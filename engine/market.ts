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
import { OrderPool, PARK_PEG, PARK_STOP, type Order } from './order.ts';
import { OrderIndex } from './order-index.ts';
import { ParkedOrders } from './parked.ts';
import { pegPrice, protectedPrice } from './pretrade.ts';
import { CancelReason, OrdType, Side, StpMode, TimeInForce } from './types.ts';

/** The rules' view of matching (engine/rules/rules.ts). */
export interface MatchWatcher {
  /** true: the aggressor must not trade at this new price level (and the rule takes over) */
  stops(instrument: number, price: number): boolean;
  /** makerOrder: the resting order of a continuous fill (still live; its leaves already reduced) */
  traded(instrument: number, price: number, qty: number, maker: Account, taker: Account, auction: boolean, makerOrder?: Order): void;
}

const SIDES = [Side.BUY, Side.SELL] as const;
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
  /** held stop orders and midpoint pegs, off the book (engine/parked.ts) */
  readonly parked: ParkedOrders;
  /** per instrument: held stops (a trade notes its price for their triggers) */
  readonly stopCount: number[];
  /** per instrument: midpoint pegs (an incoming order matches through matchWithPegs) */
  readonly pegCount: number[];
  /** held stops and pegs on all instruments: settleParked() runs after a command only while some are */
  held = 0;
  /** the owner of parked (off-book) orders takes one out of its lists: filled or cancelled */
  unpark: ((o: Order) => void) | null = null;
  /** the last order id handed out */
  nextOrderId: number;
  private nextTradeId: number;

  /** `idEpoch`: order and trade ids count on from it (EngineOptions.idEpoch) */
  constructor(readonly instruments: readonly Instrument[], private readonly out: Emitter, idEpoch = 0) {
    this.nextOrderId = this.nextTradeId = idEpoch;
    this.live = new OrderIndex(this.pool.table, idEpoch);
    this.books = instruments.map((i) => new Book(i.symbol, this.pool.table));
    this.venueFees = instruments.map(() => new Accumulator());
    this.calling = instruments.map(() => false);
    this.watched = instruments.map(() => false);
    this.lastPrice = instruments.map(() => 0);
    this.parked = new ParkedOrders(instruments.length);
    this.stopCount = instruments.map(() => 0);
    this.pegCount = instruments.map(() => 0);
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
    const ii = inst.index;
    // Most orders do not cross: one compare with the best opposite price saves the call into match().
    const best = this.books[ii].oppositeOf(t.side).best();
    const crosses = best !== null && (t.side === Side.BUY ? best.price <= t.price : best.price >= t.price);
    let stop = NO_STOP;
    // with midpoint pegs on the instrument an order may reach a peg inside the spread (a post-only never takes one)
    if (this.held !== 0 && this.pegCount[ii] !== 0 && !t.postOnly) { if (!this.calling[ii]) stop = this.matchWithPegs(t, inst); }
    else if (crosses && !this.calling[ii]) stop = this.match(t, inst, t.price);
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

  /** Trades t against the opposite side in price-time priority, up to `limit`; says why it stopped early, if it did. */
  private match(t: Order, inst: Instrument, limit: number): number {
    const side = this.books[inst.index].oppositeOf(t.side);
    const buy = t.side === Side.BUY;
    const stp = t.stp !== StpMode.NONE;
    const watch = this.watcher !== null && this.watched[inst.index];
    while (t.leaves > 0) {
      const lvl = side.best();
      if (lvl === null || (buy ? lvl.price > limit : lvl.price < limit)) return NO_STOP;
      // A rule (velocity) may stop the aggressor before it trades at a new price.
      if (watch && (this.watcher as MatchWatcher).stops(inst.index, lvl.price)) return STOP_RULE;
      const orders = this.pool.table;
      for (let s = lvl.head; s !== 0 && t.leaves > 0; ) {
        const m = orders[s];
        s = m.next; // read before the fill: a filled maker leaves the queue
        if (stp && m.account === t.account) {
          if (this.preventSelfTrade(t, m)) return STOP_SELF_TRADE;
        } else {
          this.fill(t, m, lvl, side, inst, t.leaves < m.leaves ? t.leaves : m.leaves);
        }
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
    if (ma.quotes !== null) ma.quotes.touch(m);
    mp.apply(m.side, price, q, n, makerFee, mult);
    ta.positions[ii].apply(t.side, price, q, n, takerFee, mult);
    this.venueFees[ii].add(makerFee + takerFee);
    this.lastPrice[ii] = price;
    if (this.held !== 0 && this.stopCount[ii] !== 0) this.parked.traded(ii, price);

    this.out.fill(t, m, inst, price, q, n, makerFee, takerFee, ++this.nextTradeId, false);
    if (this.watcher !== null && this.watched[ii]) this.watcher.traded(ii, price, q, ma, ta, false, m);

    if (m.leaves === 0) {
      if (m.reserve !== 0) {
        this.replenish(m, lvl);
        return;
      }
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
      const b = bl.first() as Order;
      const a = al.first() as Order;
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
    if (this.held !== 0 && this.stopCount[ii] !== 0) this.parked.traded(ii, price);
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
      if (o.reserve !== 0) {
        this.replenish(o, lvl);
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
        if (d === m.leaves && m.reserve === 0) this.cancelResting(m, CancelReason.SELF_TRADE);
        else {
          this.openShrink(m, d);
          if (m.leaves === 0) this.replenish(m, m.level as Level); // an iceberg's next slice
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
    // an iceberg shows its display quantity; the rest waits hidden
    if (o.display !== 0 && o.leaves > o.display) {
      o.reserve += o.leaves - o.display;
      o.leaves = o.display;
    }
    lvl.push(o);
    book.orders++;
    if (this.changes.on) this.changes.touch(lvl, side);
    openChange(o, o.leaves + o.reserve);
    if (linked) return;
    o.account.link(o);
    this.live.set(o);
    if (o.tif === TimeInForce.GTD) this.expiry.add(o);
  }

  /** Takes a resting (or held) order out of its level (it stays live: account list, id map). */
  takeOffBook(o: Order): void {
    if (o.parked !== 0) {
      this.release(o);
      return;
    }
    const lvl = o.level as Level;
    const book = this.books[o.instrument];
    const side = book.sideOf(o.side);
    openChange(o, -o.leaves - o.reserve);
    lvl.remove(o);
    book.orders--;
    if (this.changes.on) this.changes.touch(lvl, side);
    if (lvl.count === 0) side.removeLevel(lvl);
  }

  /** Reduces a resting order's quantity in place (keeps its queue position); an iceberg's hidden part goes first. */
  reduceResting(o: Order, by: number): void {
    o.qty -= by;
    const hidden = by < o.reserve ? by : o.reserve;
    if (hidden !== 0) {
      o.reserve -= hidden;
      if (o.parked === 0) openChange(o, -hidden);
    }
    if (hidden === 0 || by > hidden) this.openShrink(o, by - hidden);
  }

  /** Takes `by` off a resting order's open quantity in place (its qty stays: a prevented quantity). */
  private openShrink(o: Order, by: number): void {
    if (o.parked !== 0) { // held off the book: no level, not in the open quantities
      o.leaves -= by;
      return;
    }
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
    if (o.level === null && o.parked === 0) { // waiting for a cross (on-open / on-close)
      this.unpark?.(o);
      openChange(o, -o.leaves);
    } else this.takeOffBook(o); // on the book, or a held stop / peg
    o.leaves = o.reserve = 0;
    this.out.order(OrderEventKind.CANCELLED, o, reason, clOrdId, origClOrdId);
    this.forget(o);
  }

  /** An iceberg whose shown part is filled shows its next slice at the back of the level: a new time priority. */
  private replenish(o: Order, lvl: Level): void {
    lvl.remove(o);
    const slice = o.reserve < o.display ? o.reserve : o.display;
    o.reserve -= slice;
    o.leaves = slice;
    o.time = this.out.time;
    lvl.push(o);
    this.changes.touch(lvl, this.books[o.instrument].sideOf(o.side));
  }

  // ---- held orders: stops and midpoint pegs (engine/parked.ts) ----

  /** Holds an accepted stop or peg off the book: live, in its account's list and the GTD queue, in no level. */
  hold(o: Order, kind: typeof PARK_STOP | typeof PARK_PEG): void {
    o.parked = kind;
    o.account.link(o);
    this.live.set(o);
    if (o.tif === TimeInForce.GTD) this.expiry.add(o);
    this.held++;
    if (kind === PARK_STOP) {
      this.parked.addStop(o);
      this.stopCount[o.instrument]++;
    } else {
      this.parked.addPeg(o);
      this.pegCount[o.instrument]++;
    }
  }

  private release(o: Order): void {
    const stop = o.parked === PARK_STOP;
    this.parked.remove(o, stop);
    this.held--;
    if (stop) this.stopCount[o.instrument]--; else this.pegCount[o.instrument]--;
  }

  /**
   * After a command's matching: triggers the stops its trades reached, then
   * re-prices the midpoint pegs from the new best bid and offer and crosses
   * pegs that now meet; repeated while either traded (a triggered stop moves
   * the book, a peg trade may trigger a stop). Only runs while some are held.
   */
  settleParked(): void {
    for (let round = 0; round < 1_000_000; round++) {
      let acted = false;
      for (const inst of this.instruments) {
        const ii = inst.index;
        if (this.stopCount[ii] !== 0 && this.triggerStops(inst)) acted = true;
        if (this.pegCount[ii] !== 0 && this.repricePegs(inst)) acted = true;
      }
      if (!acted) return;
    }
  }

  /** Enters the stops the last trades triggered; true if any did. */
  private triggerStops(inst: Instrument): boolean {
    const triggered = this.parked.takeTriggered(inst.index);
    for (const o of triggered) {
      this.stopCount[inst.index]--;
      this.held--;
      o.parked = 0;
      o.time = this.out.time; // a new time priority from the trigger
      if (o.ordType === OrdType.STOP) {
        o.ordType = OrdType.MARKET;
        o.price = protectedPrice(inst, this.books[inst.index], o.side);
      } else {
        o.ordType = OrdType.LIMIT;
      }
      this.out.order(OrderEventKind.TRIGGERED, o, 0);
      // a stop (market) order's remainder expires, as a market order's does (or rests at the protection price, CME)
      if (o.ordType === OrdType.MARKET && !inst.marketRemainderRests) o.tif = TimeInForce.IOC;
      if (o.price === 0) { // a stop (market) order with nothing to trade against
        o.leaves = 0;
        this.out.order(OrderEventKind.CANCELLED, o, CancelReason.STOP_NO_LIQUIDITY);
        this.forget(o);
        continue;
      }
      this.execute(o, inst, true);
    }
    return triggered.length > 0;
  }

  /** Prices the instrument's pegs from the current best bid and offer if it moved, then crosses them; true if pegs traded. */
  private repricePegs(inst: Instrument): boolean {
    const ii = inst.index;
    const book = this.books[ii];
    const bid = book.bids.best()?.price ?? 0;
    const ask = book.asks.best()?.price ?? 0;
    const calling = this.calling[ii];
    if (!this.parked.bboMoved(ii, bid, ask, calling)) return false;
    for (const side of SIDES) {
      for (const o of this.parked.pegs(ii, side)) o.price = calling ? 0 : pegPrice(inst, book, side, o.pegCap);
    }
    let traded = false;
    for (;;) {
      const b = this.parked.bestPeg(ii, Side.BUY);
      const s = this.parked.bestPeg(ii, Side.SELL);
      if (b === null || s === null || b.price < s.price) return traded;
      // the later one takes, at the earlier one's price
      const bLater = b.time > s.time || (b.time === s.time && b.id > s.id);
      const t = bLater ? b : s;
      const m = bLater ? s : b;
      if (t.account === m.account && t.stp !== StpMode.NONE) {
        this.cancelResting(t, CancelReason.SELF_TRADE);
        continue;
      }
      this.tradeHidden(t, m, inst, m.price, t.leaves < m.leaves ? t.leaves : m.leaves);
      if (t.leaves === 0) this.finishHidden(t);
      traded = true;
    }
  }

  /**
   * Matching of an incoming order on an instrument with midpoint pegs: the
   * displayed book and the pegs in price priority, displayed orders first at
   * an equal price (a non-displayed order ranks after displayed ones).
   */
  private matchWithPegs(t: Order, inst: Instrument): number {
    const ii = inst.index;
    const opposite = t.side === Side.BUY ? Side.SELL : Side.BUY;
    const stp = t.stp !== StpMode.NONE;
    for (;;) {
      const p = this.parked.bestPeg(ii, opposite);
      if (p === null || (t.side === Side.BUY ? p.price > t.price : p.price < t.price)) return this.match(t, inst, t.price);
      const stop = this.match(t, inst, p.price);
      if (stop !== NO_STOP || t.leaves === 0) return stop;
      if (stp && p.account === t.account) {
        if (this.preventSelfTrade(t, p)) return STOP_SELF_TRADE;
        continue;
      }
      this.tradeHidden(t, p, inst, p.price, t.leaves < p.leaves ? t.leaves : p.leaves);
      if (t.leaves === 0) return NO_STOP;
    }
  }

  /** A fill of q at `price` against a held (peg) maker: accounting as fill(), without a level. */
  private tradeHidden(t: Order, m: Order, inst: Instrument, price: number, q: number): void {
    const ii = inst.index;
    const mult = inst.notionalMultiplier;
    const n = price * q * mult;
    const makerFee = feeFor(n, m.account.makerRate[ii]) + perShareFee(q, m.account.makerPerShare[ii], inst.shareUnit);
    // no access-fee cap: a hidden order is not a displayed quotation
    const takerFee = feeFor(n, t.account.takerRate[ii]) + perShareFee(q, t.account.takerPerShare[ii], inst.shareUnit);
    if (this.firstFill !== null) {
      if (m.cum === 0) this.firstFill(m.account, ii);
      if (t.cum === 0) this.firstFill(t.account, ii);
    }
    for (const o of [m, t]) {
      o.leaves -= q;
      o.cum += q;
      o.cumPxQty += price * q;
    }
    m.account.positions[ii].apply(m.side, price, q, n, makerFee, mult);
    t.account.positions[ii].apply(t.side, price, q, n, takerFee, mult);
    this.venueFees[ii].add(makerFee + takerFee);
    this.lastPrice[ii] = price;
    if (this.held !== 0 && this.stopCount[ii] !== 0) this.parked.traded(ii, price);
    this.out.fill(t, m, inst, price, q, n, makerFee, takerFee, ++this.nextTradeId, false);
    if (this.watcher !== null && this.watched[ii]) this.watcher.traded(ii, price, q, m.account, t.account, false);
    if (m.leaves === 0) this.finishHidden(m);
  }

  private finishHidden(o: Order): void {
    this.release(o);
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
  const a = o.account;
  const p = a.positions[o.instrument];
  p.version++;
  if (a.quotes !== null) a.quotes.touch(o);
  if (o.side === Side.BUY) {
    p.openBuy += q;
    p.openBuyPxQty += o.price * q;
  } else {
    p.openSell += q;
    p.openSellPxQty += o.price * q;
  }
}
