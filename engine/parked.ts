// Orders the engine holds off the book: stop and stop-limit orders waiting for
// their trigger, and midpoint pegs (hidden, priced from the book's best bid
// and offer). Neither is in a price level, so neither is in market data. The
// Market keeps them live (account list, id index, GTD queue) and asks this
// store which stops a trade triggered and which pegs are best.
import type { Order } from './order.ts';
import { Side } from './types.ts';

export class InstrumentParked {
  /** buy stops, ascending stop price then order id: the first triggers first when the price rises */
  readonly buyStops: Order[] = [];
  /** sell stops, descending stop price then order id */
  readonly sellStops: Order[] = [];
  /** midpoint pegs per side, in arrival order (order id) */
  readonly buyPegs: Order[] = [];
  readonly sellPegs: Order[] = [];
  /** highest and lowest trade price since the stops were last checked; 0 = no trade */
  hi = 0;
  lo = 0;
  /** the best bid and offer the pegs were last priced from (-1 = never) */
  bid = -1;
  ask = -1;
  calling = false;
}

export class ParkedOrders {
  private readonly by: InstrumentParked[] = [];

  constructor(instruments: number) {
    for (let i = 0; i < instruments; i++) this.by.push(new InstrumentParked());
  }

  addStop(o: Order): void {
    const p = this.by[o.instrument];
    const list = o.side === Side.BUY ? p.buyStops : p.sellStops;
    const sign = o.side === Side.BUY ? 1 : -1;
    // after every stop at a price that triggers no later than this one (equal price: earlier id first)
    let lo = 0, hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((list[mid].stopPx - o.stopPx) * sign <= 0) lo = mid + 1; else hi = mid;
    }
    list.splice(lo, 0, o);
  }

  addPeg(o: Order): void {
    const p = this.by[o.instrument];
    (o.side === Side.BUY ? p.buyPegs : p.sellPegs).push(o);
    p.bid = p.ask = -1; // price the new peg at the end of the command
  }

  /** Drops a held stop or a peg (cancelled, expired, filled or triggered). */
  remove(o: Order, stop: boolean): void {
    const p = this.by[o.instrument];
    const buy = o.side === Side.BUY;
    const list = stop ? (buy ? p.buyStops : p.sellStops) : (buy ? p.buyPegs : p.sellPegs);
    const i = list.indexOf(o);
    if (i >= 0) list.splice(i, 1);
  }

  /** A trade at `price` on instrument ii (only called while it has held stops). */
  traded(ii: number, price: number): void {
    const p = this.by[ii];
    if (p.hi === 0 || price > p.hi) p.hi = price;
    if (p.lo === 0 || price < p.lo) p.lo = price;
  }

  /**
   * The stops the trades since the last call triggered, taken out of the
   * store: buy stops at or below the highest trade price (ascending stop
   * price, then time), then sell stops at or above the lowest (descending).
   */
  takeTriggered(ii: number): Order[] {
    const p = this.by[ii];
    const hi = p.hi, lo = p.lo;
    p.hi = p.lo = 0;
    if (hi === 0) return NONE;
    let b = 0, s = 0;
    while (b < p.buyStops.length && p.buyStops[b].stopPx <= hi) b++;
    while (s < p.sellStops.length && p.sellStops[s].stopPx >= lo) s++;
    if (b === 0 && s === 0) return NONE;
    return [...p.buyStops.splice(0, b), ...p.sellStops.splice(0, s)];
  }

  /** True if the best bid/offer (or the call phase) changed since the pegs were last priced; records the new ones. */
  bboMoved(ii: number, bid: number, ask: number, calling: boolean): boolean {
    const p = this.by[ii];
    if (p.bid === bid && p.ask === ask && p.calling === calling) return false;
    p.bid = bid;
    p.ask = ask;
    p.calling = calling;
    return true;
  }

  pegs(ii: number, side: Side): readonly Order[] {
    const p = this.by[ii];
    return side === Side.BUY ? p.buyPegs : p.sellPegs;
  }

  /** The executable peg on `side` first in priority: best price, then arrival; null if none is executable. */
  bestPeg(ii: number, side: Side): Order | null {
    let best: Order | null = null;
    for (const o of this.pegs(ii, side)) {
      if (o.price === 0) continue;
      if (best === null || (side === Side.BUY ? o.price > best.price : o.price < best.price)) best = o;
    }
    return best;
  }
}

const NONE: Order[] = [];
