// GTD orders waiting for their expire time, ordered by (expire time, order id)
// so that simultaneous expiries are processed in a deterministic order.
import btreeModule from 'sorted-btree';
import type { Order } from './order.ts';

const BTree = btreeModule.default;
type Key = readonly [expireTime: number, orderId: number];
const byTimeThenId = (a: Key, b: Key): number => a[0] - b[0] || a[1] - b[1];

export class ExpiryQueue {
  private readonly tree = new BTree<Key, Order>(undefined, byTimeThenId);
  /** earliest expire time, or +∞: lets the hot path skip the queue with one compare */
  next = Infinity;

  add(o: Order): void {
    this.tree.set([o.expireTime, o.id], o);
    if (o.expireTime < this.next) this.next = o.expireTime;
  }

  remove(o: Order): void {
    if (this.tree.delete([o.expireTime, o.id])) this.next = this.tree.minKey()?.[0] ?? Infinity;
  }

  /** Removes and returns the earliest order if it has expired at `now`. */
  popExpired(now: number): Order | null {
    if (this.next > now) return null;
    const key = this.tree.minKey();
    if (!key) return null;
    const o = this.tree.get(key) as Order;
    this.tree.delete(key);
    this.next = this.tree.minKey()?.[0] ?? Infinity;
    return o;
  }

  get size(): number {
    return this.tree.size;
  }
}
