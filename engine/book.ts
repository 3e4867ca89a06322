// The order book of one instrument: two sides of price levels. Each side keeps
// its levels in a doubly linked list in price order from the best (matching
// consumes the best; removing any level is an unlink) and a paged price index
// that finds the level at a price without searching (most orders join an
// existing level, often several levels deep). A new level is linked next to
// its nearest better neighbour, found through bitsets over the index: one bit
// per price in each page, one per non-empty word, and the same again over the
// pages, so neither adding nor removing a level moves any other, however deep
// the book or far from the best the price.
import { Level } from './level.ts';
import type { Order } from './order.ts';
import { Side } from './types.ts';
import { objectArray, sparseArray } from './arrays.ts';

/** prices per page of the price index (a power of two: PAGE_BITS); also pages per group */
const PAGE_BITS = 10;
const PAGE = 1 << PAGE_BITS;
/** Page number of a price: a shift while it fits in 31 bits (always, in practice), else a division. */
const pageOf = (p: number): number => (p <= 0x7fffffff ? p >> PAGE_BITS : Math.floor(p / PAGE));
/** Group number of a page number (a shift, as pageOf: a double index would make every lookup a slow one). */
const groupOf = (n: number): number => (n <= 0x7fffffff ? n >> PAGE_BITS : Math.floor(n / PAGE));
/** levels from the best walked along the list for a price, before the index is asked */
const NEAR = 2;
/** empty pages kept in the directory (and dropped pages kept for reuse) */
const RETAINED = 64;

/** Index of the lowest set bit of a non-zero 32-bit word. */
const lowBit = (x: number): number => 31 - Math.clz32(x & -x);
/** Index of the highest set bit of a non-zero 32-bit word. */
const highBit = (x: number): number => 31 - Math.clz32(x);

/**
 * A set of the integers 0 … 1023: 32 words of bits, and a summary word (bit w:
 * word w is non-empty) kept in the same typed array (a field would stop being
 * a small integer once bit 30 is set, and the objects would change shape).
 */
export class Bits1024 {
  /** words[0 … 31]: the bits; words[32]: the summary */
  readonly words = new Int32Array(33);

  get empty(): boolean {
    return this.words[32] === 0;
  }

  add(i: number): void {
    const w = i >> 5;
    this.words[w] |= 1 << (i & 31);
    this.words[32] |= 1 << w;
  }

  /** Returns true if the set is now empty. */
  remove(i: number): boolean {
    const words = this.words;
    const w = i >> 5;
    if ((words[w] &= ~(1 << (i & 31))) === 0) words[32] &= ~(1 << w);
    return words[32] === 0;
  }

  /** The smallest member, or -1. */
  lowest(): number {
    const s = this.words[32];
    if (s === 0) return -1;
    const w = lowBit(s);
    return (w << 5) + lowBit(this.words[w]);
  }

  /** The largest member, or -1. */
  highest(): number {
    const s = this.words[32];
    if (s === 0) return -1;
    const w = highBit(s);
    return (w << 5) + highBit(this.words[w]);
  }

  /** The smallest member above i, or -1. */
  above(i: number): number {
    const words = this.words;
    const w = i >> 5;
    const b = i & 31;
    const x = b === 31 ? 0 : words[w] & (-1 << (b + 1));
    if (x !== 0) return (w << 5) + lowBit(x);
    const s = w === 31 ? 0 : words[32] & (-1 << (w + 1));
    if (s === 0) return -1;
    const w2 = lowBit(s);
    return (w2 << 5) + lowBit(words[w2]);
  }

  /** The largest member below i, or -1. */
  below(i: number): number {
    const words = this.words;
    const w = i >> 5;
    const x = words[w] & ((1 << (i & 31)) - 1);
    if (x !== 0) return (w << 5) + highBit(x);
    const s = words[32] & ((1 << w) - 1);
    if (s === 0) return -1;
    const w2 = highBit(s);
    return (w2 << 5) + highBit(words[w2]);
  }
}

export class Page extends Bits1024 {
  readonly slots: (Level | null)[] = new Array<Level | null>(PAGE).fill(null);
}

/**
 * Live levels by price: a directory of pages of PAGE consecutive prices, each
 * made when the book first reaches it, so memory follows the prices in use
 * (prices are ≥ 1, instrument.ts). The pages in the directory are kept in
 * groups of PAGE pages (a bitset each), the groups in a sorted array: both
 * change only when a page is made or dropped. A page whose last level goes
 * stays in the directory while at most RETAINED pages are empty, so a thin
 * book side that empties and refills a page on nearly every order (a flash
 * crash) only flips the page's own bits; the neighbour search skips the few
 * empty pages it meets.
 */
export class PriceIndex {
  private readonly pages = sparseArray<Page | undefined>();
  /** dropped pages kept for reuse (all slots null again) */
  private readonly spare = objectArray<Page>();
  /** the pages in the directory by group (page number >> PAGE_BITS) */
  private readonly groups = sparseArray<Bits1024 | undefined>();
  /** the groups with pages, ascending */
  private readonly groupList: number[] = [];
  /** the numbers of the pages in the directory */
  private readonly held: number[] = [];
  /** pages in the directory with no level */
  private empty = 0;

  get(p: number): Level | null {
    const n = pageOf(p);
    const page = this.pages[n];
    return page === undefined ? null : page.slots[p - n * PAGE];
  }

  set(p: number, lvl: Level): void {
    const n = pageOf(p);
    let page = this.pages[n];
    if (page === undefined) page = this.addPage(n);
    else if (page.empty) this.empty--;
    const i = p - n * PAGE;
    page.slots[i] = lvl;
    page.add(i);
  }

  delete(p: number): void {
    const n = pageOf(p);
    const page = this.pages[n] as Page;
    const i = p - n * PAGE;
    page.slots[i] = null;
    if (page.remove(i) && ++this.empty > RETAINED) this.dropEmpty();
  }

  /** The level at the nearest price above p (`up`) or below it, or null. */
  nearest(p: number, up: boolean): Level | null {
    let n = pageOf(p);
    const page = this.pages[n];
    if (page !== undefined) {
      const i = up ? page.above(p - n * PAGE) : page.below(p - n * PAGE);
      if (i >= 0) return page.slots[i];
    }
    for (;;) {
      n = this.pageNear(n, up);
      if (n < 0) return null;
      const next = this.pages[n] as Page;
      if (!next.empty) return next.slots[up ? next.lowest() : next.highest()];
    }
  }

  /** The nearest page in the directory above page n (`up`) or below it, or -1. */
  private pageNear(n: number, up: boolean): number {
    const g = groupOf(n);
    const grp = this.groups[g];
    const i = grp === undefined ? -1 : up ? grp.above(n - g * PAGE) : grp.below(n - g * PAGE);
    if (i >= 0) return g * PAGE + i;
    // none in n's group: the nearest page of the next group up or down (the list is ascending)
    const list = this.groupList;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid] < g) lo = mid + 1; else hi = mid;
    }
    const k = up ? (lo < list.length && list[lo] === g ? lo + 1 : lo) : lo - 1;
    if (k < 0 || k >= list.length) return -1;
    const other = this.groups[list[k]] as Bits1024;
    return list[k] * PAGE + (up ? other.lowest() : other.highest());
  }

  private addPage(n: number): Page {
    const page = this.spare.pop() ?? new Page();
    this.pages[n] = page;
    this.held.push(n);
    const g = groupOf(n);
    let grp = this.groups[g];
    if (grp === undefined) {
      this.groups[g] = grp = new Bits1024();
      const list = this.groupList;
      let at = list.length;
      while (at > 0 && list[at - 1] > g) at--;
      list.splice(at, 0, g);
    }
    grp.add(n - g * PAGE);
    return page;
  }

  /** Too many empty pages in the directory: they all go (to the spare pages, up to RETAINED). */
  private dropEmpty(): void {
    const held = this.held;
    let k = 0;
    for (const n of held) {
      const page = this.pages[n] as Page;
      if (!page.empty) {
        held[k++] = n;
        continue;
      }
      this.pages[n] = undefined;
      if (this.spare.length < RETAINED) this.spare.push(page);
      const g = groupOf(n);
      if ((this.groups[g] as Bits1024).remove(n - g * PAGE)) {
        this.groups[g] = undefined;
        this.groupList.splice(this.groupList.indexOf(g), 1);
      }
    }
    held.length = k;
    this.empty = 0;
  }
}

export class BookSide {
  /** the best level: the head of the list (level.worse leads away from it) */
  private head: Level | null = null;
  /** levels on this side */
  depth = 0;
  /** recycled levels: pool[0 … nPool-1], a stack with a counter like OrderPool */
  private readonly pool = objectArray<Level>();
  private nPool = 0;
  /** levels removed during the current command, not yet recycled (market data may still report them) */
  private readonly removed = objectArray<Level>();
  /** entries of `removed` in use (a counter: truncating an array's length is a slow runtime call) */
  private nRemoved = 0;
  private readonly index = new PriceIndex();
  /**
   * Market data wants removed levels until the command ends (LevelChanges);
   * when nobody listens to level events they are recycled at once.
   */
  keepRemoved = true;
  /** bids: higher is better */
  private readonly bid: boolean;

  /** `orders`: the table of the pool the side's orders come from (OrderPool.table) */
  constructor(
    readonly symbol: string,
    readonly side: Side,
    private readonly orders: readonly Order[],
  ) {
    this.bid = side === Side.BUY;
  }

  best(): Level | null {
    return this.head;
  }

  /** True if price p is strictly better than price q on this side. */
  better(p: number, q: number): boolean {
    return this.bid ? p > q : p < q;
  }

  find(p: number): Level | null {
    return this.index.get(p);
  }

  /**
   * The level at p, made if there is none. Most orders rest at or next to the
   * best price, so the list is walked from the best first: a few steps over
   * levels in cache settle both the lookup and a new level's place. Deeper
   * prices are looked up in the index (whose slot for a price far from where
   * the book has been lately is likely a cache miss).
   */
  findOrCreate(p: number): Level {
    let prev: Level | null = null;
    let l = this.head;
    for (let k = 0; k < NEAR; k++) {
      if (l === null || this.better(p, l.price)) return this.create(p, prev);
      if (l.price === p) return l;
      prev = l;
      l = l.worse;
    }
    const found = this.index.get(p);
    // the nearest better level: above a bid, below an offer
    return found !== null ? found : this.create(p, this.index.nearest(p, this.bid));
  }

  /** A new level at p, linked after `prev` (its nearest better level; null: p is the new best). */
  private create(p: number, prev: Level | null): Level {
    const lvl = (this.nRemoved > 0 ? this.revive(p) : null) ?? this.fresh(p);
    lvl.live = true;
    this.index.set(p, lvl);
    lvl.better = prev;
    if (prev === null) {
      lvl.worse = this.head;
      this.head = lvl;
    } else {
      lvl.worse = prev.worse;
      prev.worse = lvl;
    }
    if (lvl.worse !== null) lvl.worse.better = lvl;
    this.depth++;
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
    const lvl = this.nPool === 0 ? new Level(this.orders) : this.pool[--this.nPool];
    lvl.price = p;
    lvl.qty = 0;
    lvl.count = 0;
    lvl.head = lvl.tail = 0;
    lvl.touchedAt = -1;
    return lvl;
  }

  /** Drops an empty level. It is recycled later (see recycle) so that market data can still report it. */
  removeLevel(lvl: Level): void {
    const { better, worse } = lvl;
    if (better === null) this.head = worse; else better.worse = worse;
    if (worse !== null) worse.better = better;
    lvl.better = lvl.worse = null;
    this.depth--;
    lvl.live = false;
    this.index.delete(lvl.price);
    if (this.keepRemoved) this.removed[this.nRemoved++] = lvl;
    else this.recycle(lvl);
  }

  /** At the end of a command: levels removed during it go back to the pool. */
  recycleRemoved(): void {
    const r = this.removed;
    for (let k = 0; k < this.nRemoved; k++) this.recycle(r[k]);
    this.nRemoved = 0;
  }

  private recycle(lvl: Level): void {
    if (this.nPool < 4096) this.pool[this.nPool++] = lvl;
  }

  /** Best-first iteration over at most n levels. */
  *top(n: number): Generator<Level> {
    for (let l = this.head, k = 0; l !== null && k < n; l = l.worse, k++) yield l;
  }

  /** The levels worst … best, in a new array (auctions sweep them by index). */
  toArray(): Level[] {
    const out = new Array<Level>(this.depth);
    let i = this.depth;
    for (let l = this.head; l !== null; l = l.worse) out[--i] = l;
    return out;
  }
}

export class Book {
  readonly bids: BookSide;
  readonly asks: BookSide;
  /** resting orders on both sides, kept as they rest and leave (a count without walking the book) */
  orders = 0;

  /** `orders`: the table of the pool the book's orders come from (OrderPool.table) */
  constructor(readonly symbol: string, orders: readonly Order[]) {
    this.bids = new BookSide(symbol, Side.BUY, orders);
    this.asks = new BookSide(symbol, Side.SELL, orders);
  }

  sideOf(s: Side): BookSide {
    return s === Side.BUY ? this.bids : this.asks;
  }

  oppositeOf(s: Side): BookSide {
    return s === Side.BUY ? this.asks : this.bids;
  }
}
