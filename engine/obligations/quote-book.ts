// A maker-programme member's own quote, kept as it changes: per instrument and
// side, the member's resting quantity at each price (sorted price and quantity
// lists, best last). The member's best bid and offer and the
// size there are then O(1), and its size within a depth band around the book
// mid is O(prices in the band), however many orders the member has resting.
//
// Only programme members have one (Account.quotes). The market marks an order
// of such an account whenever its open quantity changes (link, unlink, rest,
// fill, reduce, park, amend: the places that bump Position.version); marked
// orders are folded in when the programmes next read the quote, so an order
// changed several times within one command is folded in once. An order that
// leaves the account (unlink) is taken out at once: the order object is
// recycled right after.
//
// What counts as quote is what the account's order list held before this
// existed: every live order of the instrument that is not held off the book
// (a stop or a midpoint peg, `parked`), at its limit price and its shown open
// quantity (`leaves`). An unpriced order (a market order waiting for a cross)
// is no quote.
import type { Order } from '../order.ts';
import { Side } from '../types.ts';

/**
 * One side of the member's quote on one instrument: its prices and the quantity at each, in two
 * parallel arrays sorted worst … best (binary search; a maker's prices mostly come and go near
 * the best end, where inserting and removing moves little). Not a Map: V8's Map gets slow — O(size)
 * per operation — when the same keys are deleted and set again, which is what a quote does.
 */
export class QuoteSide {
  /** distinct prices with quantity, worst … best */
  readonly prices: number[] = [];
  /** the member's open quantity at prices[i] (> 0) */
  readonly qtys: number[] = [];

  /** +1 for bids (higher is better), -1 for asks */
  constructor(private readonly sign: 1 | -1) {}

  bestPrice(): number {
    const n = this.prices.length;
    return n === 0 ? 0 : this.prices[n - 1];
  }

  bestQty(): number {
    const n = this.qtys.length;
    return n === 0 ? 0 : this.qtys[n - 1];
  }

  add(price: number, q: number): void {
    const i = this.find(price);
    const { prices, qtys } = this;
    if (i < prices.length && prices[i] === price) {
      const left = qtys[i] + q;
      if (left !== 0) { qtys[i] = left; return; }
      if (i === prices.length - 1) { prices.pop(); qtys.pop(); } else { prices.splice(i, 1); qtys.splice(i, 1); }
      return;
    }
    // at the best end push and pop: there V8's splice() still reallocates a long array's storage
    if (i === prices.length) { prices.push(price); qtys.push(q); } else { prices.splice(i, 0, price); qtys.splice(i, 0, q); }
  }

  /** Index of `price` in `prices`, or where it goes. */
  private find(price: number): number {
    const key = price * this.sign;
    const a = this.prices;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid] * this.sign < key) lo = mid + 1; else hi = mid;
    }
    return lo;
  }
}

/** What an order last contributed: its side, price and quantity (0: nothing). */
interface Contribution {
  ii: number;
  side: Side;
  price: number;
  qty: number;
}

export class QuoteBook {
  /** per instrument index: [bids, asks], or null where the account has no membership */
  readonly sides: ([QuoteSide, QuoteSide] | null)[];
  /** orders changed since the last read */
  private readonly dirty = new Set<Order>();
  /** each live order's contribution as last folded in, by order id (ids are never reused: fresh Map keys) */
  private readonly folded = new Map<number, Contribution>();

  constructor(instruments: number) {
    this.sides = Array.from({ length: instruments }, () => null);
  }

  /** Starts keeping the quote on an instrument, from the account's live orders. */
  track(ii: number, live: readonly Order[]): void {
    if (this.sides[ii] !== null) return;
    this.sides[ii] = [new QuoteSide(1), new QuoteSide(-1)];
    for (const o of live) if (o.instrument === ii) this.dirty.add(o);
  }

  /** The order's open quantity, price or state may have changed. */
  touch(o: Order): void {
    if (this.sides[o.instrument] !== null) this.dirty.add(o);
  }

  /** The order left the account's live orders. */
  drop(o: Order): void {
    this.dirty.delete(o);
    const c = this.folded.get(o.id);
    if (c === undefined) return;
    this.folded.delete(o.id);
    this.unfold(c);
  }

  /** Bids and asks of an instrument, up to date. */
  read(ii: number): [QuoteSide, QuoteSide] {
    if (this.dirty.size !== 0) this.fold();
    return this.sides[ii] as [QuoteSide, QuoteSide];
  }

  private fold(): void {
    for (const o of this.dirty) {
      let c = this.folded.get(o.id);
      const qty = o.parked === 0 && o.price > 0 ? o.leaves : 0;
      if (c !== undefined) {
        if (c.price === o.price && c.qty === qty) continue;
        this.unfold(c);
      } else if (qty === 0) continue;
      if (qty === 0) {
        this.folded.delete(o.id);
        continue;
      }
      if (c === undefined) {
        c = { ii: o.instrument, side: o.side, price: 0, qty: 0 };
        this.folded.set(o.id, c);
      }
      c.price = o.price;
      c.qty = qty;
      (this.sides[c.ii] as [QuoteSide, QuoteSide])[c.side === Side.BUY ? 0 : 1].add(c.price, qty);
    }
    this.dirty.clear();
  }

  private unfold(c: Contribution): void {
    (this.sides[c.ii] as [QuoteSide, QuoteSide])[c.side === Side.BUY ? 0 : 1].add(c.price, -c.qty);
  }
}
