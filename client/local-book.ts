// A local copy of one symbol's aggregated (L2) book, kept from a snapshot plus
// incrementals by the Binance U/u rule (domain.md §6): the snapshot is the
// book as of update id L; an incremental covering first…last is stale when
// last ≤ L, applies when first ≤ L + 1, and reveals lost updates when
// first > L + 1 — then only a fresh snapshot can repair the book. Pure data
// structure in integer units; the market-data client does the I/O.
import type { WireMdLevel } from './protocol.ts';

export interface BookLevel {
  /** price units */
  price: number;
  /** quantity units */
  qty: number;
  /** orders at the level */
  count: number;
}

export interface BookSnapshot {
  last_update_id: number;
  bids: readonly WireMdLevel[];
  asks: readonly WireMdLevel[];
}

export interface BookIncremental {
  first_update_id: number;
  last_update_id: number;
  bids: readonly WireMdLevel[];
  asks: readonly WireMdLevel[];
}

export type ApplyResult = 'applied' | 'stale' | 'gap';

/** One side, sorted best first; sides are small (tens to a few thousand levels), so a sorted array with binary search is fastest. */
class BookSide {
  readonly levels: BookLevel[] = [];

  /** desc = bids (best is highest) */
  constructor(private readonly desc: boolean) {}

  set(price: number, qty: number, count: number): void {
    const i = this.search(price);
    const found = i < this.levels.length && this.levels[i].price === price;
    if (qty === 0) {
      if (found) this.levels.splice(i, 1);
    } else if (found) {
      this.levels[i] = { price, qty, count };
    } else {
      this.levels.splice(i, 0, { price, qty, count });
    }
  }

  clear(): void {
    this.levels.length = 0;
  }

  /** The index of `price`, or where it would go. */
  private search(price: number): number {
    let lo = 0;
    let hi = this.levels.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = this.levels[mid].price;
      if (this.desc ? p > price : p < price) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export class LocalBook {
  private readonly bidSide = new BookSide(true);
  private readonly askSide = new BookSide(false);
  private lastId = 0;
  private loaded = false;

  constructor(readonly symbol: string) {}

  /** The update id the book is at (0 before the first snapshot). */
  get lastUpdateId(): number {
    return this.lastId;
  }

  /** True once a snapshot has been loaded and no gap has been seen since. */
  get synced(): boolean {
    return this.loaded;
  }

  /** Replaces the whole book with a snapshot. */
  loadSnapshot(s: BookSnapshot): void {
    this.bidSide.clear();
    this.askSide.clear();
    for (const l of s.bids) this.bidSide.set(l.price, l.qty, l.count);
    for (const l of s.asks) this.askSide.set(l.price, l.qty, l.count);
    this.lastId = s.last_update_id;
    this.loaded = true;
  }

  /**
   * Applies an incremental if it continues the book. 'gap' leaves the book
   * untouched and marks it unsynced: it is wrong from now on until the next
   * snapshot. Quantities are absolute, so the overlap of the first
   * incremental after a snapshot is applied safely.
   */
  apply(inc: BookIncremental): ApplyResult {
    if (!this.loaded) return 'gap';
    if (inc.last_update_id <= this.lastId) return 'stale';
    if (inc.first_update_id > this.lastId + 1) {
      this.loaded = false;
      return 'gap';
    }
    for (const l of inc.bids) this.bidSide.set(l.price, l.qty, l.count);
    for (const l of inc.asks) this.askSide.set(l.price, l.qty, l.count);
    this.lastId = inc.last_update_id;
    return 'applied';
  }

  /** Marks the book unusable (e.g. the connection dropped); the next snapshot repairs it. */
  invalidate(): void {
    this.loaded = false;
  }

  bestBid(): BookLevel | null {
    return this.bidSide.levels[0] ?? null;
  }

  bestAsk(): BookLevel | null {
    return this.askSide.levels[0] ?? null;
  }

  /** (best bid + best ask) / 2 in price units (may be a half unit), or null if a side is empty. */
  mid(): number | null {
    const b = this.bestBid();
    const a = this.bestAsk();
    return b && a ? (b.price + a.price) / 2 : null;
  }

  /** Up to n levels (all when omitted), best first; copies, safe to keep. */
  bids(n?: number): BookLevel[] {
    return this.bidSide.levels.slice(0, n).map((l) => ({ ...l }));
  }

  asks(n?: number): BookLevel[] {
    return this.askSide.levels.slice(0, n).map((l) => ({ ...l }));
  }
}
