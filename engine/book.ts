// The order book of one instrument: two sides of price levels. Each side keeps
// its levels in an array sorted so that the best level is last — matching
// consumes the best (pop), and most inserts land near the top of the book, so
// the search starts at the end and the splice moves few elements. A price
// index finds the level at a price without searching (most orders join an
// existing level, often several levels deep).
import { Level } from './level.ts';
import { Side } from './types.ts';

const LINEAR_PROBE = 8;
/** prices per page of the price index (a power of two: PAGE_BITS) */
const PAGE_BITS = 10;
const PAGE = 1 << PAGE_BITS;
/** Page number of a price: a shift while it fits in 31 bits (always, in practice), else a division. */
const pageOf = (p: number): number => (p <= 0x7fffffff ? p >> PAGE_BITS : Math.floor(p / PAGE));

interface Page { slots: (Level | null)[]; used: number }

/**
 * Live levels by price: a directory of pages of PAGE consecutive prices, each
 * made when the book first reaches it and dropped when its last level goes,
 * so memory follows the prices in use (prices are ≥ 1, instrument.ts).
 */
export class PriceIndex {
  private readonly pages: (Page | undefined)[] = [];
  /** emptied pages kept for reuse (all slots null again): a book moving across a page edge does not allocate */
  private readonly spare: Page[] = [];

  get(p: number): Level | null {
    const n = pageOf(p);
    const page = this.pages[n];
    return page === undefined ? null : page.slots[p - n * PAGE];
  }

  set(p: number, lvl: Level): void {
    const n = pageOf(p);
    let page = this.pages[n];
    if (page === undefined) this.pages[n] = page = this.spare.pop() ?? { slots: new Array<Level | null>(PAGE).fill(null), used: 0 };
    page.slots[p - n * PAGE] = lvl;
    page.used++;
  }

  delete(p: number): void {
    const n = pageOf(p);
    const page = this.pages[n] as Page;
    page.slots[p - n * PAGE] = null;
    if (--page.used === 0) {
      this.pages[n] = undefined;
      if (this.spare.length < 64) this.spare.push(page);
    }
  }
}

export class BookSide {
  /** worst … best */
  readonly levels: Level[] = [];
  private readonly pool: Level[] = [];
  /** levels removed during the current command, not yet recycled (market data may still report them) */
  private readonly removed: Level[] = [];
  /** entries of `removed` in use (a counter: truncating an array's length is a slow runtime call) */
  private nRemoved = 0;
  private readonly index = new PriceIndex();
  /**
   * Market data wants removed levels until the command ends (LevelChanges);
   * when nobody listens to level events they are recycled at once.
   */
  keepRemoved = true;

  /** +1 for bids (higher is better), -1 for asks (lower is better) */
  constructor(
    readonly symbol: string,
    readonly side: Side,
    private readonly sign: 1 | -1 = side === Side.BUY ? 1 : -1,
  ) {}

  best(): Level | null {
    const n = this.levels.length;
    return n === 0 ? null : this.levels[n - 1];
  }

  /** True if price p is strictly better than price q on this side. */
  better(p: number, q: number): boolean {
    return (p - q) * this.sign > 0;
  }

  /** Index of the level at price p, or -(insertion point) - 1. */
  private search(p: number): number {
    const lv = this.levels;
    const k = p * this.sign;
    let hi = lv.length - 1;
    // Most traffic is near the top of the book: probe from the best end first.
    for (let i = 0; i < LINEAR_PROBE && hi >= 0; i++, hi--) {
      const kk = lv[hi].price * this.sign;
      if (kk === k) return hi;
      if (kk < k) return -(hi + 1) - 1;
    }
    let lo = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const kk = lv[mid].price * this.sign;
      if (kk === k) return mid;
      if (kk < k) lo = mid + 1; else hi = mid - 1;
    }
    return -lo - 1;
  }

  find(p: number): Level | null {
    return this.index.get(p);
  }

  findOrCreate(p: number): Level {
    const found = this.index.get(p);
    if (found !== null) return found;
    const i = this.search(p);
    const lvl = (this.nRemoved > 0 ? this.revive(p) : null) ?? this.fresh(p);
    lvl.live = true;
    this.index.set(p, lvl);
    // Open a gap at the insertion point by hand: splice would allocate a result array.
    const lv = this.levels;
    const at = -i - 1;
    for (let k = lv.length; k > at; k--) lv[k] = lv[k - 1];
    lv[at] = lvl;
    return lvl;
  }

  /** A level emptied earlier in this command at the same price comes back as the same object, so it is reported once. */
  private revive(p: number): Level | null {
    const r = this.removed;
    for (let k = 0; k < this.nRemoved; k++) {
      if (r[k].price === p) {
        const lvl = r[k];
        r[k] = r[--this.nRemoved];
        return lvl;
      }
    }
    return null;
  }

  private fresh(p: number): Level {
    const lvl = this.pool.pop() ?? new Level();
    lvl.price = p;
    lvl.qty = 0;
    lvl.count = 0;
    lvl.head = lvl.tail = null;
    lvl.touchedAt = -1;
    return lvl;
  }

  /** Drops an empty level. It is recycled later (see recycle) so that market data can still report it. */
  removeLevel(lvl: Level): void {
    const lv = this.levels;
    const n = lv.length;
    if (n > 0 && lv[n - 1] === lvl) lv.pop();
    else {
      const i = this.search(lvl.price);
      if (i >= 0) {
        for (let k = i; k < n - 1; k++) lv[k] = lv[k + 1];
        lv.pop();
      }
    }
    lvl.live = false;
    this.index.delete(lvl.price);
    if (this.keepRemoved) this.removed[this.nRemoved++] = lvl;
    else if (this.pool.length < 4096) this.pool.push(lvl);
  }

  /** At the end of a command: levels removed during it go back to the pool. */
  recycleRemoved(): void {
    const r = this.removed;
    for (let k = 0; k < this.nRemoved; k++) if (this.pool.length < 4096) this.pool.push(r[k]);
    this.nRemoved = 0;
  }

  /** Best-first iteration over at most n levels. */
  *top(n: number): Generator<Level> {
    for (let i = this.levels.length - 1, k = 0; i >= 0 && k < n; i--, k++) yield this.levels[i];
  }
}

export class Book {
  readonly bids: BookSide;
  readonly asks: BookSide;
  /** resting orders on both sides, kept as they rest and leave (a count without walking the book) */
  orders = 0;

  constructor(readonly symbol: string) {
    this.bids = new BookSide(symbol, Side.BUY);
    this.asks = new BookSide(symbol, Side.SELL);
  }

  sideOf(s: Side): BookSide {
    return s === Side.BUY ? this.bids : this.asks;
  }

  oppositeOf(s: Side): BookSide {
    return s === Side.BUY ? this.asks : this.bids;
  }
}
