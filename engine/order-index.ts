// Live orders by exchange id. Ids are handed out in sequence, so a directory
// of fixed pages (4096 ids each) finds an order with two array reads and no
// hashing; a page is dropped once every id in it has been handed out and none
// is live any more, so memory follows the live orders, not the history. A
// page holds order slots (order.ts), not references: no write barrier.
import type { Order } from './order.ts';
import { objectArray, sparseArray } from './arrays.ts';

const PAGE_BITS = 12;
const PAGE = 1 << PAGE_BITS;
/** Page number of an id offset: a shift while it fits in 31 bits, else a division (ids pass 2^32 in long runs). */
const pageOf = (k: number): number => (k <= 0x7fffffff ? k >> PAGE_BITS : Math.floor(k / PAGE));

/** slots[i]: the slot of the live order with id base + n·PAGE + i, 0 = none */
interface Page { slots: Int32Array; live: number }

export class OrderIndex {
  private readonly pages = sparseArray<Page | undefined>();
  /** emptied pages kept for reuse (their slots are all 0 again) */
  private readonly spare = objectArray<Page>();
  size = 0;

  /**
   * `orders`: the table of the pool the orders come from (OrderPool.table).
   * `base`: ids start after it (the engine's id epoch). Pages count from it,
   * so the directory stays a dense array however large the ids are.
   */
  constructor(private readonly orders: readonly Order[], private readonly base = 0) {}

  /** `id` must be a positive safe integer (ids pass 2^32 in long runs, so no bit tricks). */
  get(id: number): Order | undefined {
    const k = id - this.base;
    const n = pageOf(k);
    const p = this.pages[n];
    if (p === undefined) return undefined;
    const slot = p.slots[k - n * PAGE];
    return slot === 0 ? undefined : this.orders[slot];
  }

  set(o: Order): void {
    const k = o.id - this.base;
    const n = pageOf(k);
    let p = this.pages[n];
    if (p === undefined) this.pages[n] = p = this.spare.pop() ?? { slots: new Int32Array(PAGE), live: 0 };
    p.slots[k - n * PAGE] = o.slot;
    p.live++;
    this.size++;
  }

  /** `nextId` = the id the engine will assign next (pages wholly below it can be dropped). */
  delete(id: number, nextId: number): void {
    const k = id - this.base;
    const n = pageOf(k);
    const p = this.pages[n];
    if (p === undefined || p.slots[k - n * PAGE] === 0) return;
    p.slots[k - n * PAGE] = 0;
    this.size--;
    if (--p.live === 0 && (n + 1) * PAGE <= nextId - this.base) {
      this.pages[n] = undefined;
      if (this.spare.length < 64) this.spare.push(p);
    }
  }
}
