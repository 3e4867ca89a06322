// One price level: a FIFO queue of orders (intrusive doubly linked list) with
// its aggregate quantity and order count kept exact on every change.
import type { Order } from './order.ts';

export class Level {
  price = 0;
  /** Σ leaves of the orders queued here */
  qty = 0;
  count = 0;
  head: Order | null = null;
  tail: Order | null = null;
  /** market-data bookkeeping: the command that last touched this level */
  touchedAt = -1;
  /** false once removed from its side (it may still await a market-data report) */
  live = true;
  /** neighbours on its side in price order: the next better and next worse level (null at either end) */
  better: Level | null = null;
  worse: Level | null = null;

  /** Appends at the back of the queue (lowest time priority). */
  push(o: Order): void {
    o.level = this;
    o.next = null;
    o.prev = this.tail;
    if (this.tail) this.tail.next = o; else this.head = o;
    this.tail = o;
    this.qty += o.leaves;
    this.count++;
  }

  remove(o: Order): void {
    if (o.prev) o.prev.next = o.next; else this.head = o.next;
    if (o.next) o.next.prev = o.prev; else this.tail = o.prev;
    o.prev = o.next = o.level = null;
    this.qty -= o.leaves;
    this.count--;
  }
}
