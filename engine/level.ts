// One price level: a FIFO queue of orders (intrusive doubly linked list, by
// order slot: see order.ts) with its aggregate quantity and order count kept
// exact on every change.
import type { Order } from './order.ts';

export class Level {
  price = 0;
  /** Σ leaves of the orders queued here */
  qty = 0;
  count = 0;
  /** the queue's first and last orders, as slots of `orders` (0 = empty) */
  head = 0;
  tail = 0;
  /** market-data bookkeeping: the command that last touched this level */
  touchedAt = -1;
  /** false once removed from its side (it may still await a market-data report) */
  live = true;
  /** neighbours on its side in price order: the next better and next worse level (null at either end) */
  better: Level | null = null;
  worse: Level | null = null;

  /** `orders`: the table of the pool the queued orders come from (OrderPool.table) */
  constructor(readonly orders: readonly Order[]) {}

  /** The first order in the queue (highest time priority), or null. */
  first(): Order | null {
    return this.head === 0 ? null : this.orders[this.head];
  }

  /** The order after o in the queue, or null. */
  after(o: Order): Order | null {
    return o.next === 0 ? null : this.orders[o.next];
  }

  /** Appends at the back of the queue (lowest time priority). */
  push(o: Order): void {
    const s = o.slot;
    o.level = this;
    o.next = 0;
    o.prev = this.tail;
    if (this.tail !== 0) this.orders[this.tail].next = s; else this.head = s;
    this.tail = s;
    this.qty += o.leaves;
    this.count++;
  }

  remove(o: Order): void {
    const { prev, next } = o;
    if (prev !== 0) this.orders[prev].next = next; else this.head = next;
    if (next !== 0) this.orders[next].prev = prev; else this.tail = prev;
    o.prev = o.next = 0;
    o.level = null;
    this.qty -= o.leaves;
    this.count--;
  }
}
