// Accounts and their per-instrument positions. Positions use the average-cost
// method: a partial close takes cost out of the basis pro rata, truncated to a
// cash unit; the remainder stays in the basis, so a position closed in full
// always realises exactly (proceeds − cost) with no unit lost or created.
import { ClOrdIdIndex } from './cl-ord-id-index.ts';
import type { Instrument } from './instrument.ts';
import type { AccountRiskConfig } from './rules/config.ts';
import type { RiskLimits } from './rules/risk.ts';
import type { Settlement } from './obligations/programme.ts';
import type { QuoteBook } from './obligations/quote-book.ts';
import type { Order } from './order.ts';
import { Accumulator, mulDivFloor } from './money.ts';
import { Side, StpMode } from './types.ts';

export class Position {
  /** signed quantity: long > 0 */
  qty = 0;
  /** entry notional of the open quantity, cash units, ≥ 0 */
  cost = 0;
  readonly realisedPnl = new Accumulator();
  readonly feesPaid = new Accumulator();
  readonly rebatesReceived = new Accumulator();
  /** quote-currency cash flow: − buys + sells − fees + rebates */
  readonly cash = new Accumulator();
  readonly volumeQty = new Accumulator();
  readonly volumeNotional = new Accumulator();
  trades = 0;
  /** open (resting) quantity per side, for the position limit */
  openBuy = 0;
  openSell = 0;
  /** Σ price × open quantity per side (price × qty units), for the gross-notional limit */
  openBuyPxQty = 0;
  openSellPxQty = 0;
  /** bumped whenever the account's resting orders here change (maker programmes re-measure on it) */
  version = 0;

  /** Books one fill: `notional` = price × qty in cash units, `fee` signed (negative = rebate). */
  apply(side: Side, price: number, qty: number, notional: number, fee: number, mult: number): void {
    this.cash.add(side === Side.BUY ? -notional : notional);
    this.cash.add(-fee);
    if (fee > 0) this.feesPaid.add(fee); else if (fee < 0) this.rebatesReceived.add(-fee);
    this.volumeQty.add(qty);
    this.volumeNotional.add(notional);
    this.trades++;

    const p = this.qty;
    const signed = side === Side.BUY ? qty : -qty;
    if (p === 0 || (p > 0) === (signed > 0)) {
      this.qty = p + signed;
      this.cost += notional;
      return;
    }
    const open = p > 0 ? p : -p;
    const closed = qty < open ? qty : open;
    const closedNotional = closed === qty ? notional : price * closed * mult;
    const removed = closed === open ? this.cost : mulDivFloor(this.cost, closed, open);
    // long closed by a sell earns proceeds − cost; short closed by a buy earns cost − outlay
    this.realisedPnl.add(p > 0 ? closedNotional - removed : removed - closedNotional);
    this.cost = this.cost - removed + (notional - closedNotional);
    this.qty = p + signed;
  }

  /** Average entry price in price units (display only; the exact basis is `cost`). */
  avgEntryPx(mult: number): number {
    return this.qty === 0 ? 0 : this.cost / (Math.abs(this.qty) * mult);
  }
}

export interface AccountOptions {
  name: string;
  /** default self-trade prevention for this account's orders */
  stp?: StpMode;
  maxOpenOrders?: number;
  /** per-instrument risk limits by symbol ('*' = every instrument) */
  risk?: AccountRiskConfig;
  /**
   * The venue's order-rate limits and rate-limit bans do not apply (default false). For the
   * simulated background flow (sim/): one agent account stands for many firms, so the limits
   * meant for one external member would throttle it; every other rule still applies.
   */
  rateLimitExempt?: boolean;
}

export class Account {
  readonly positions: Position[] = [];
  /** effective fee rates per instrument index (units of 1e-6): instrument default or tier override */
  readonly makerRate: number[] = [];
  readonly takerRate: number[] = [];
  /** effective fees per whole share per instrument index (cash units): instrument default or tier override */
  readonly makerPerShare: number[] = [];
  readonly takerPerShare: number[] = [];
  readonly liveByClOrdId = new ClOrdIdIndex();
  /** order ids of the account's current quote per instrument index (0 = none) */
  readonly quoteBid: number[] = [];
  readonly quoteOffer: number[] = [];
  /** intrusive list of live orders: its first order's slot in `orders` (0 = none; order.ts) */
  head = 0;
  openOrders = 0;
  /** kill switch on: only cancels are accepted */
  killed = false;
  /** order-rate limits and bans skip this account (AccountOptions.rateLimitExempt) */
  rateLimitExempt = false;
  /** pre-trade risk limits per instrument index */
  risk: RiskLimits[] = [];
  /** no risk limit is set on any instrument (pre-trade risk checks can be skipped) */
  riskFree = true;
  /** maker-programme settlements (claw-backs, tier changes), newest last, bounded */
  readonly settlements: Settlement[] = [];
  /** a maker-programme member's own quote, kept as its orders change (null: not a member) */
  quotes: QuoteBook | null = null;

  constructor(
    readonly id: number,
    readonly name: string,
    public stp: StpMode,
    public maxOpenOrders: number,
    instruments: readonly Instrument[],
    /** the table of the pool the account's orders come from (OrderPool.table) */
    readonly orders: readonly Order[],
  ) {
    for (const inst of instruments) {
      this.positions.push(new Position());
      this.makerRate.push(inst.makerRate);
      this.takerRate.push(inst.takerRate);
      this.makerPerShare.push(inst.makerPerShare);
      this.takerPerShare.push(inst.takerPerShare);
      this.quoteBid.push(0);
      this.quoteOffer.push(0);
    }
  }

  /** The account's live orders, most recently linked first: a new array (safe to cancel from while walking it; not for the order path). */
  liveOrders(): Order[] {
    const out: Order[] = [];
    for (let s = this.head; s !== 0; s = this.orders[s].acctNext) out.push(this.orders[s]);
    return out;
  }

  link(o: Order): void {
    o.acctPrev = 0;
    o.acctNext = this.head;
    if (this.head !== 0) this.orders[this.head].acctPrev = o.slot;
    this.head = o.slot;
    this.openOrders++;
    if (o.clOrdId !== '') this.liveByClOrdId.set(o.clOrdId, o);
    if (this.quotes !== null) this.quotes.touch(o);
  }

  unlink(o: Order): void {
    const { acctPrev, acctNext } = o;
    if (acctPrev !== 0) this.orders[acctPrev].acctNext = acctNext; else this.head = acctNext;
    if (acctNext !== 0) this.orders[acctNext].acctPrev = acctPrev;
    o.acctPrev = o.acctNext = 0;
    this.openOrders--;
    if (o.clOrdId !== '' && this.liveByClOrdId.get(o.clOrdId) === o) this.liveByClOrdId.delete(o.clOrdId);
    if (this.quotes !== null) this.quotes.drop(o);
  }
}
