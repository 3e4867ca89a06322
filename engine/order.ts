// A live order. Orders are pooled and linked intrusively into their price
// level's FIFO queue and their account's list, so resting, matching and
// cancelling allocate nothing. The links are slots (indices into the pool's
// table), not object references: V8 stores a small integer without a write
// barrier, where storing a reference to a young order into an older one (every
// new order joining a queue, on a fresh or growing book) takes the barrier's
// slow path into the collector's remembered set.
import type { Level } from './level.ts';
import type { Account } from './account.ts';
import { Side, OrdType, TimeInForce, StpMode } from './types.ts';
import { objectArray } from './arrays.ts';

export const PARK_STOP = 1;
export const PARK_PEG = 2;

export class Order {
  /** exchange order id; 0 while pooled */
  id = 0;
  clOrdId = '';
  account!: Account;
  instrument = 0;
  side: Side = Side.BUY;
  ordType: OrdType = OrdType.LIMIT;
  tif: TimeInForce = TimeInForce.GTC;
  postOnly = false;
  /** an imbalance-only (IO) order of a cross: it only offsets the other orders' imbalance */
  imbalanceOnly = false;
  stp: StpMode = StpMode.NONE;
  price = 0;
  /** total order quantity (FIX OrderQty) */
  qty = 0;
  /** open quantity (FIX LeavesQty) */
  leaves = 0;
  /** filled quantity (FIX CumQty) */
  cum = 0;
  /** Σ fill price × qty, for the average price */
  cumPxQty = 0;
  /** quantity self-trade prevention (DECREMENT) took away; qty = cum + leaves + prevented while live */
  prevented = 0;
  expireTime = 0;
  /** time of the last priority change (entry or priority-losing amend) */
  time = 0;
  /** iceberg: the quantity shown at a time (FIX DisplayQty); 0 = not an iceberg */
  display = 0;
  /** iceberg: the hidden quantity not yet shown; open quantity = leaves + reserve */
  reserve = 0;
  /** stop / stop-limit: the trigger price (FIX StopPx), kept after triggering; 0 = not a stop */
  stopPx = 0;
  /** off the book: PARK_STOP (a stop not yet triggered) or PARK_PEG (a midpoint peg); 0 = on the book or entering */
  parked: 0 | 1 | 2 = 0;
  /** midpoint peg: the limit price cap (0 = none); its price is the current pegged price (0 = not executable) */
  pegCap = 0;
  /** post-only that slides to one tick inside the opposite best instead of being rejected */
  slide = false;
  /**
   * The order uses a feature beyond a plain limit / market order (iceberg, stop, peg, sliding
   * post-only, on-open / on-close cross): set once at entry, so that recycling and event emission
   * of plain orders test this one flag instead of every feature field.
   */
  special = false;

  level: Level | null = null;
  /** this order's slot in its pool's table (OrderPool.table); fixed for the object's life */
  slot = 0;
  /** the neighbours in the level's queue (towards the head, towards the tail), as slots: 0 = none */
  prev = 0;
  next = 0;
  /** the neighbours in the account's list, as slots: 0 = none */
  acctPrev = 0;
  acctNext = 0;
}

/**
 * Every order object of one engine, by slot, and the free ones for reuse.
 * Bounded so that a burst cannot pin memory forever: beyond maxFree free
 * orders, a returned order's slot is emptied (the object is left to the
 * collector) and reused by the next new order.
 */
export class OrderPool {
  /** the orders by slot; slot 0 holds a placeholder that is never live, so that a link of 0 means none */
  readonly table = objectArray<Order>();
  /** the slots of the free orders: a stack, free[0 … n-1] (a counter instead of push/pop: no builtin call on the order path) */
  private free = new Int32Array(256);
  private n = 0;
  /** emptied slots (their placeholder is table[0]): a stack */
  private readonly vacant: number[] = [];

  constructor(private readonly maxFree = 1 << 16) {
    this.table.push(new Order());
  }

  take(): Order {
    return this.n === 0 ? this.fresh() : this.table[this.free[--this.n]];
  }

  give(o: Order): void {
    o.id = 0;
    o.prevented = 0;
    if (o.special) clearSpecial(o);
    o.level = null;
    o.prev = o.next = o.acctPrev = o.acctNext = 0;
    if (this.n < this.maxFree) {
      if (this.n === this.free.length) this.growFree();
      this.free[this.n++] = o.slot;
    } else {
      this.table[o.slot] = this.table[0];
      this.vacant.push(o.slot);
    }
  }

  private fresh(): Order {
    const o = new Order();
    const reused = this.vacant.pop();
    if (reused === undefined) {
      o.slot = this.table.length;
      this.table.push(o);
    } else {
      o.slot = reused;
      this.table[reused] = o;
    }
    return o;
  }

  private growFree(): void {
    const bigger = new Int32Array(this.free.length * 2);
    bigger.set(this.free);
    this.free = bigger;
  }
}

/** Resets the feature fields of a special order (kept out of OrderPool.give so plain orders skip it). */
function clearSpecial(o: Order): void {
  o.display = o.reserve = o.stopPx = o.pegCap = o.parked = 0;
  o.slide = o.imbalanceOnly = o.special = false;
}
