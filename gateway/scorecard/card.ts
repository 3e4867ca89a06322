// One account's scorecard on one instrument: the P&L attribution ledger, the
// inventory integrals, the per-counterparty fill statistics and the quote
// quality counters. Money is exact: every amount is a bigint in half cash
// units (the mid is (bid + ask) / 2, so 2 × mid is an integer number of price
// units and every product with it an integer number of half cash units).
import btreeModule from 'sorted-btree';
import type { Instrument } from '../../engine/instrument.ts';
import type { Side } from '../../engine/types.ts';

const BTree = btreeModule.default;
type Levels = InstanceType<typeof BTree<number, number>>;

/** The own resting quantity per price of one side: the best is a tree end, whatever the number of orders. */
function addLevel(levels: Levels, price: number, qty: number): void {
  const q = (levels.get(price) ?? 0) + qty;
  if (q > 0) levels.set(price, q);
  else levels.delete(price);
}

/** Fill statistics of one account against one counterparty type. */
export class CounterpartyStats {
  fills = 0;
  qty = 0;
  /** Σ price × qty × multiplier, cash units */
  notional = 0n;
  /** Σ s·(2·mid(t) − 2·price)·qty·multiplier: the spread captured, half cash units */
  effective2 = 0n;
  /** per horizon: Σ s·(2·mid(t+τ) − 2·price)·qty·multiplier over the settled fills, half cash units */
  readonly markout2: bigint[];
  /** per horizon: notional and effective2 of the settled fills (bp divide by what has settled) */
  readonly settledNotional: bigint[];
  readonly settledEffective2: bigint[];
  /** against the simulated fair value (floats: the fair value is not on the price grid), cash units */
  fairEffective = 0;
  fairNotional = 0;
  readonly fairMarkout: number[];
  readonly fairSettledNotional: number[];

  constructor(horizons: number) {
    this.markout2 = new Array<bigint>(horizons).fill(0n);
    this.settledNotional = new Array<bigint>(horizons).fill(0n);
    this.settledEffective2 = new Array<bigint>(horizons).fill(0n);
    this.fairMarkout = new Array<number>(horizons).fill(0);
    this.fairSettledNotional = new Array<number>(horizons).fill(0);
  }

  /** Adds another's figures (the all-counterparties row). */
  addFrom(o: CounterpartyStats): void {
    this.fills += o.fills;
    this.qty += o.qty;
    this.notional += o.notional;
    this.effective2 += o.effective2;
    this.fairEffective += o.fairEffective;
    this.fairNotional += o.fairNotional;
    for (let h = 0; h < this.markout2.length; h++) {
      this.markout2[h] += o.markout2[h];
      this.settledNotional[h] += o.settledNotional[h];
      this.settledEffective2[h] += o.settledEffective2[h];
      this.fairMarkout[h] += o.fairMarkout[h];
      this.fairSettledNotional[h] += o.fairSettledNotional[h];
    }
  }
}

/** A resting order of a tracked account, as the events left it. */
interface OwnOrder {
  side: Side;
  price: number;
  leaves: number;
}

export class Card {
  // ---- P&L attribution (half cash units) ----
  position = 0;
  /** Σ −s·2·price·qty·m − 2·fee over the fills */
  cash2 = 0n;
  /** Σ s·(2·mid − 2·price)·qty·m at each fill */
  spread2 = 0n;
  /** Σ −2·fee (a rebate is positive) */
  fees2 = 0n;
  /** Σ position·Δ(2·mid)·m over every mid change while holding, settled up to markMid2 */
  inventory2 = 0n;
  /** the 2·mid the inventory P&L is settled to */
  markMid2 = 0;

  // ---- inventory ----
  maxAbsPosition = 0;
  /** Σ |position|·dt (µs); a float: it feeds a mean, not money */
  absPositionUs = 0;
  atLimitUs = 0;
  /** first and latest time the card was brought up to date, µs (−1 before any event) */
  firstUs = -1;
  lastUs = -1;

  // ---- fills ----
  fills = 0;
  filledQty = 0;
  readonly byCounterparty = new Map<string, CounterpartyStats>();

  // ---- orders and quotes (tracked accounts) ----
  ordersAccepted = 0;
  replaces = 0;
  cancels = 0;
  orderedQty = 0;
  readonly rejects = new Map<string, number>();
  readonly orders = new Map<number, OwnOrder>();
  private readonly bids: Levels = new BTree<number, number>();
  private readonly asks: Levels = new BTree<number, number>();
  ownBid = 0;
  ownAsk = 0;
  ownBidQty = 0;
  ownAskQty = 0;
  atBestBid = false;
  atBestAsk = false;
  twoSidedUs = 0;
  atBestBidUs = 0;
  atBestAskUs = 0;
  /** Σ (own ask − own bid)·dt and Σ (bid size + ask size)/2·dt over two-sided time */
  spreadUs = 0;
  sizeUs = 0;

  constructor(
    readonly account: number,
    readonly inst: Instrument,
    /** quote quality and markouts are kept (agents of the simulated market are not tracked) */
    public tracked: boolean,
    readonly horizons: number,
  ) {}

  get symbol(): string {
    return this.inst.symbol;
  }

  counterparty(type: string): CounterpartyStats {
    let c = this.byCounterparty.get(type);
    if (!c) this.byCounterparty.set(type, (c = new CounterpartyStats(this.horizons)));
    return c;
  }

  /** Time integrals up to `now` with the state held since the last update; call before any change. */
  accrue(now: number): void {
    if (this.firstUs < 0) {
      this.firstUs = this.lastUs = now;
      return;
    }
    const dt = now - this.lastUs;
    if (dt <= 0) return;
    const abs = Math.abs(this.position);
    this.absPositionUs += abs * dt;
    if (abs > 0 && abs >= this.inst.maxPosition) this.atLimitUs += dt;
    if (this.ownBid > 0 && this.ownAsk > 0) {
      this.twoSidedUs += dt;
      this.spreadUs += (this.ownAsk - this.ownBid) * dt;
      this.sizeUs += ((this.ownBidQty + this.ownAskQty) / 2) * dt;
    }
    if (this.atBestBid) this.atBestBidUs += dt;
    if (this.atBestAsk) this.atBestAskUs += dt;
    this.lastUs = now;
  }

  /** Settles the inventory P&L to the mid `mid2` (2 × mid, price units). */
  markTo(mid2: number): void {
    if (mid2 === this.markMid2) return;
    if (this.position !== 0) {
      this.inventory2 += BigInt(this.position) * BigInt(mid2 - this.markMid2) * BigInt(this.inst.notionalMultiplier);
    }
    this.markMid2 = mid2;
  }

  /** P&L marked to the mid `mid2`: cash + position × mid, half cash units. */
  pnl2(mid2: number): bigint {
    return this.cash2 + BigInt(this.position) * BigInt(mid2) * BigInt(this.inst.notionalMultiplier);
  }

  /** One fill of this account: `sign` +1 bought, −1 sold; `fee` signed cash units (negative = rebate). */
  fill(sign: number, price: number, qty: number, fee: number, mid2: number): void {
    this.markTo(mid2);
    const m = BigInt(this.inst.notionalMultiplier);
    const q = BigInt(qty);
    const s = BigInt(sign);
    this.cash2 -= s * 2n * BigInt(price) * q * m + 2n * BigInt(fee);
    this.spread2 += s * BigInt(mid2 - 2 * price) * q * m;
    this.fees2 -= 2n * BigInt(fee);
    this.position += sign * qty;
    const abs = Math.abs(this.position);
    if (abs > this.maxAbsPosition) this.maxAbsPosition = abs;
    this.fills++;
    this.filledQty += qty;
  }

  /** An own order's resting state changed (leaves 0 = it left the book). */
  setOrder(orderId: number, side: Side, price: number, leaves: number): void {
    const old = this.orders.get(orderId);
    if (old) addLevel(old.side === 1 ? this.bids : this.asks, old.price, -old.leaves);
    if (leaves > 0) {
      this.orders.set(orderId, { side, price, leaves });
      addLevel(side === 1 ? this.bids : this.asks, price, leaves);
    } else {
      this.orders.delete(orderId);
    }
  }

  setLeaves(orderId: number, leaves: number): void {
    const o = this.orders.get(orderId);
    if (o) this.setOrder(orderId, o.side, o.price, leaves);
  }

  /** Drops every own order (the account stopped being tracked). */
  clearOrders(): void {
    this.orders.clear();
    this.bids.clear();
    this.asks.clear();
  }

  /** The own best bid and ask (and their sizes) from the resting orders. */
  refreshQuotes(): void {
    const bid = this.bids.maxKey();
    const ask = this.asks.minKey();
    this.ownBid = bid ?? 0;
    this.ownAsk = ask ?? 0;
    this.ownBidQty = bid === undefined ? 0 : (this.bids.get(bid) as number);
    this.ownAskQty = ask === undefined ? 0 : (this.asks.get(ask) as number);
  }

  /** Whether the own best prices are the book's. */
  compareBest(bookBid: number, bookAsk: number): void {
    this.atBestBid = this.ownBid > 0 && this.ownBid === bookBid;
    this.atBestAsk = this.ownAsk > 0 && this.ownAsk === bookAsk;
  }

  reject(reason: string): void {
    this.rejects.set(reason, (this.rejects.get(reason) ?? 0) + 1);
  }
}
