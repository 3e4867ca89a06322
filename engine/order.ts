// A live order. Orders are pooled and linked intrusively into their price
// level's FIFO queue and their account's list, so resting, matching and
// cancelling allocate nothing.
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
  prev: Order | null = null;
  next: Order | null = null;
  acctPrev: Order | null = null;
  acctNext: Order | null = null;
}

/** Recycles order objects; bounded so a burst cannot pin memory forever. */
export class OrderPool {
  /** a stack: free[0 … n-1] (a counter instead of push/pop: no builtin call on the order path; slots above n may still name orders in use, at most maxFree of them) */
  private readonly free = objectArray<Order>();
  private n = 0;
  constructor(private readonly maxFree = 1 << 16) {}

  take(): Order {
    return this.n === 0 ? new Order() : this.free[--this.n];
  }

  give(o: Order): void {
    o.id = 0;
    o.prevented = 0;
    if (o.special) clearSpecial(o);
    o.level = o.prev = o.next = o.acctPrev = o.acctNext = null;
    if (this.n < this.maxFree) this.free[this.n++] = o;
  }
}

/** Resets the feature fields of a special order (kept out of OrderPool.give so plain orders skip it). */
function clearSpecial(o: Order): void {
  o.display = o.reserve = o.stopPx = o.pegCap = o.parked = 0;
  o.slide = o.imbalanceOnly = o.special = false;
}
