// A deliberately simple reference exchange, used only by the differential test
// (engine-differential.test.ts). It is written from the documented rules — the
// comments of engine/engine.ts, engine/commands.ts, engine/types.ts, money.ts,
// account.ts and the domain notes — and shares no logic with engine/: resting
// orders live in one flat array, the best maker is found by a linear scan,
// levels are recomputed from the orders whenever they are needed, open
// quantities are recomputed from the live orders, and money is bigint.
//
// Only the vocabulary (enum values, command shapes) is imported from engine/.
import type { Command, MassCancel, NewOrder, OrderRef, Replace } from '../engine/commands.ts';
import { OrderEventKind } from '../engine/events.ts';
import type { InstrumentConfig } from '../engine/instrument.ts';
import type { AccountView, DepthView, LevelView, OrderView } from '../engine/query.ts';
import { CancelReason, OrdType, RejectReason, Side, StpMode, TimeInForce } from '../engine/types.ts';

/** An order event as the engine should emit it (seq and text left out). */
export interface ExpOrderEvent {
  type: 'order';
  time: number;
  kind: OrderEventKind;
  account: number;
  symbol: string;
  orderId: number;
  clOrdId: string;
  origClOrdId: string;
  side: number;
  ordType: number;
  tif: number;
  price: number;
  qty: number;
  leaves: number;
  cum: number;
  cumPxQty: number;
  prevented: number;
  reason: number;
}

/** A fill as the engine should emit it (seq left out). */
export interface ExpFill {
  type: 'fill';
  time: number;
  tradeId: number;
  symbol: string;
  price: number;
  qty: number;
  aggressorSide: number;
  notional: number;
  makerOrderId: number;
  makerClOrdId: string;
  makerAccount: number;
  makerLeaves: number;
  makerCum: number;
  makerCumPxQty: number;
  makerFee: number;
  takerOrderId: number;
  takerClOrdId: string;
  takerAccount: number;
  takerLeaves: number;
  takerCum: number;
  takerCumPxQty: number;
  takerFee: number;
}

/** A mass cancel's report, after its individual cancels (seq and text left out). */
export interface ExpMassCancel {
  type: 'massCancel';
  time: number;
  account: number;
  symbol: string;
  side: number;
  cancelled: number;
  reason: number;
}

export type ExpEvent = ExpOrderEvent | ExpFill | ExpMassCancel;

/** A level's aggregate after a command that touched it. */
export interface ExpLevel { symbol: string; side: Side; price: number; qty: number; count: number }

interface RefInstrument {
  index: number;
  symbol: string;
  cashScale: number;
  /** price × qty × mult = cash units */
  mult: number;
  bands: { from: number; tick: number }[];
  lot: number;
  minQty: number;
  maxQty: number;
  minPrice: number;
  maxPrice: number;
  minNotional: number;
  makerRate: number;
  takerRate: number;
  protectionBp: number;
  maxPosition: number;
}

interface RefOrder {
  id: number;
  clOrdId: string;
  account: number;
  inst: number;
  side: Side;
  ordType: OrdType;
  tif: TimeInForce;
  postOnly: boolean;
  stp: StpMode;
  price: number;
  qty: number;
  leaves: number;
  cum: number;
  cumPxQty: number;
  /** taken away by STP DECREMENT (Binance preventedQuantity); qty stays */
  prevented: number;
  expireTime: number;
  time: number;
  /** queue priority: smaller = earlier in its level */
  prio: number;
}

class RefPosition {
  qty = 0;
  cost = 0n;
  realised = 0n;
  feesPaid = 0n;
  rebates = 0n;
  cash = 0n;
  volQty = 0n;
  volNotional = 0n;
  trades = 0;

  /** Average-cost booking of one fill (fee signed, negative = rebate). */
  book(side: Side, price: number, qty: number, mult: number, fee: number): void {
    const notional = BigInt(price) * BigInt(qty) * BigInt(mult);
    const f = BigInt(fee);
    this.cash += side === Side.BUY ? -notional : notional;
    this.cash -= f;
    if (f > 0n) this.feesPaid += f;
    if (f < 0n) this.rebates -= f;
    this.volQty += BigInt(qty);
    this.volNotional += notional;
    this.trades += 1;
    const signed = side === Side.BUY ? qty : -qty;
    const opening = this.qty === 0 || Math.sign(this.qty) === Math.sign(signed);
    if (opening) {
      this.cost += notional;
      this.qty += signed;
      return;
    }
    const open = Math.abs(this.qty);
    const closed = Math.min(open, qty);
    const closedNotional = BigInt(price) * BigInt(closed) * BigInt(mult);
    // pro-rata share of the basis, truncated; a full close takes all of it
    const taken = closed === open ? this.cost : (this.cost * BigInt(closed)) / BigInt(open);
    this.realised += this.qty > 0 ? closedNotional - taken : taken - closedNotional;
    // whatever is left of the basis, plus the notional of any flip beyond flat
    this.cost = this.cost - taken + (notional - closedNotional);
    this.qty += signed;
  }
}

interface RefAccount {
  id: number;
  name: string;
  stp: StpMode;
  maxOpen: number;
  makerRate: number[];
  takerRate: number[];
  pos: RefPosition[];
}

export interface RefStats {
  /** self-trade prevention decisions, by the taker's mode */
  stp: number[];
  /** fills between two orders of the same account (STP NONE) */
  selfFills: number;
  /** keep-priority amends of partially filled orders */
  keepPriorityPartial: number;
  /** keep-priority amends that strictly decreased the quantity */
  keepPriorityDecrease: number;
  /** priority-losing amends that then traded */
  repricedAndTraded: number;
  /** FOK orders accepted and filled */
  fokFilled: number;
  /** market orders that hit their protection price with quantity left */
  marketRemainder: number;
  /** GTD orders that expired */
  expired: number;
  massCancelled: number;
  /** market orders whose protection band ran past the price limits */
  protectionClamped: number;
}

const MAX_CL_ORD_ID = 64;
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const intOr0 = (v: unknown): number => (isInt(v) ? v : 0);
const validSide = (v: unknown): v is Side => v === Side.BUY || v === Side.SELL;
const validStp = (v: unknown): v is StpMode => isInt(v) && v >= 0 && v <= 4;
/** printable, valid UTF-16 (what decoded UTF-8 gives), no U+FFFD: written as a regex here, as a loop in the engine */
const PRINTABLE = /^(?:[^\p{Cc}\uFFFD\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/u;
const badClOrdId = (v: unknown): boolean => v !== undefined && (typeof v !== 'string' || v.length > MAX_CL_ORD_ID || !PRINTABLE.test(v));
/** a rejected request's strings come back cut to what a valid one may hold */
const echo = (v: unknown): string => (typeof v === 'string' ? v.slice(0, MAX_CL_ORD_ID) : '');
const opposite = (s: Side): Side => (s === Side.BUY ? Side.SELL : Side.BUY);
/** does a taker on `side` limited at `limit` reach a resting price `p`? */
const reaches = (side: Side, limit: number, p: number): boolean => (side === Side.BUY ? p <= limit : p >= limit);

/** ceil(a / b) for b > 0 */
function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b; // truncates toward zero: already the ceiling for negative a
  return a > 0n && a % b !== 0n ? q + 1n : q;
}

/** fee = ceil(notional × rate / 1e6), rate in 1e-6 units (0.01 bp) */
export function refFee(notional: number, rate: number): number {
  return Number(ceilDiv(BigInt(notional) * BigInt(rate), 1_000_000n));
}

const bpRate = (bp: number): number => Math.round(bp * 100);

function makeRefInstrument(c: InstrumentConfig, index: number): RefInstrument {
  if (c.cash_scale === undefined || c.max_position === undefined) {
    throw new Error('reference model: give cash_scale and max_position explicitly');
  }
  const bands = c.tick_table
    ? c.tick_table.map((b) => ({ from: b.from_price, tick: b.tick }))
    : [{ from: 0, tick: c.tick_size ?? 1 }];
  return {
    index,
    symbol: c.symbol,
    cashScale: c.cash_scale,
    mult: 10 ** (c.cash_scale - c.price_scale - c.qty_scale),
    bands,
    lot: c.lot,
    minQty: c.min_qty,
    maxQty: c.max_qty,
    minPrice: c.min_price ?? 1,
    maxPrice: c.max_price,
    minNotional: c.min_notional ?? 0,
    makerRate: bpRate(c.maker_fee_bp),
    takerRate: bpRate(c.taker_fee_bp),
    protectionBp: c.market_protection_bp ?? 500,
    maxPosition: c.max_position,
  };
}

function tickOf(inst: RefInstrument, p: number): number {
  let t = inst.bands[0].tick;
  for (const b of inst.bands) if (b.from <= p) t = b.tick;
  return t;
}
const onGrid = (inst: RefInstrument, p: number): boolean => p % tickOf(inst, p) === 0;

export interface RefOptions {
  maxOpenOrdersPerAccount?: number;
  maxLiveOrders?: number;
}

export class ReferenceExchange {
  now = 0;
  readonly instruments: RefInstrument[];
  readonly venueFees: bigint[];
  readonly stats: RefStats = {
    stp: [0, 0, 0, 0, 0], selfFills: 0, keepPriorityPartial: 0, keepPriorityDecrease: 0, repricedAndTraded: 0,
    fokFilled: 0, marketRemainder: 0, expired: 0, massCancelled: 0, protectionClamped: 0,
  };
  /** events of the last command */
  events: ExpEvent[] = [];
  /** how many GTD orders the last command expired before it ran */
  expiredThisCommand = 0;
  private readonly accounts: RefAccount[] = [];
  /** every live (resting) order of every instrument, in no particular order */
  private book: RefOrder[] = [];
  private readonly touched = new Map<string, { inst: number; side: Side; price: number }>();
  private lastOrderId = 0;
  private lastTradeId = 0;
  private lastPrio = 0;
  private readonly maxOpenDefault: number;
  private readonly maxLive: number;

  /** the id of the last accepted order */
  get lastIssuedOrderId(): number {
    return this.lastOrderId;
  }

  constructor(configs: InstrumentConfig[], opts: RefOptions = {}) {
    this.instruments = configs.map(makeRefInstrument);
    this.venueFees = configs.map(() => 0n);
    this.maxOpenDefault = opts.maxOpenOrdersPerAccount ?? 100_000;
    this.maxLive = opts.maxLiveOrders ?? 10_000_000;
  }

  addAccount(name: string, stp: StpMode, maxOpen?: number): number {
    const id = this.accounts.length + 1;
    this.accounts.push({
      id, name, stp, maxOpen: maxOpen ?? this.maxOpenDefault,
      makerRate: this.instruments.map((i) => i.makerRate),
      takerRate: this.instruments.map((i) => i.takerRate),
      pos: this.instruments.map(() => new RefPosition()),
    });
    return id;
  }

  setFeeTier(account: number, symbol: string | undefined, makerBp: number, takerBp: number): void {
    const a = this.accounts[account - 1];
    for (const inst of this.instruments) {
      if (symbol !== undefined && inst.symbol !== symbol) continue;
      a.makerRate[inst.index] = bpRate(makerBp);
      a.takerRate[inst.index] = bpRate(takerBp);
    }
  }

  // ---- commands: each returns what the engine's method should return ----

  apply(c: Command): number {
    switch (c.type) {
      case 'new': return this.newOrder(c);
      case 'cancel': return this.cancel(c);
      case 'replace': return this.replace(c);
      case 'massCancel': return this.massCancel(c);
      case 'time': return this.advanceTime(c.time);
      case 'phase': case 'massQuote': case 'quoteCancel': case 'killSwitch': case 'reference': case 'mmpReset': throw new Error(`${c.type} is not modelled`);
    }
  }

  advanceTime(time: number): number {
    this.reset();
    if (!this.start(time)) return 0;
    return 1;
  }

  newOrder(c: NewOrder): number {
    this.reset();
    if (!this.start(c.time)) return this.refuseNew(c, RejectReason.INVALID_FIELD);
    const ordType = c.ordType ?? OrdType.LIMIT;
    const tif = c.tif ?? (ordType === OrdType.MARKET ? TimeInForce.IOC : TimeInForce.GTC);
    const acct = this.acct(c.account);
    const inst = this.instruments.find((i) => i.symbol === c.symbol);
    if (!acct) return this.refuseNew(c, RejectReason.UNKNOWN_ACCOUNT);
    if (!inst) return this.refuseNew(c, RejectReason.UNKNOWN_SYMBOL);
    // field shapes and combinations
    const fieldsOk = validSide(c.side)
      && (ordType === OrdType.LIMIT || ordType === OrdType.MARKET)
      && ([TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK, TimeInForce.GTD] as number[]).includes(tif)
      && (c.stp === undefined || validStp(c.stp))
      && (c.postOnly === undefined || typeof c.postOnly === 'boolean')
      && !badClOrdId(c.clOrdId)
      && !(ordType === OrdType.MARKET && tif !== TimeInForce.IOC && tif !== TimeInForce.FOK)
      && !(c.postOnly === true && (ordType === OrdType.MARKET || tif === TimeInForce.IOC || tif === TimeInForce.FOK));
    if (!fieldsOk) return this.refuseNew(c, RejectReason.INVALID_FIELD);
    if (tif === TimeInForce.GTD && (!isInt(c.expireTime) || c.expireTime <= this.now)) return this.refuseNew(c, RejectReason.INVALID_EXPIRE_TIME);
    const qtyWhy = this.qtyProblem(inst, c.qty);
    if (qtyWhy) return this.refuseNew(c, qtyWhy);
    if (ordType === OrdType.LIMIT) {
      const priceWhy = this.priceProblem(inst, c.price);
      if (priceWhy) return this.refuseNew(c, priceWhy);
    }
    if (c.clOrdId && this.liveOf(acct.id).some((o) => o.clOrdId === c.clOrdId)) return this.refuseNew(c, RejectReason.DUPLICATE_CL_ORD_ID);
    const side = c.side;
    const stp = c.stp ?? acct.stp;
    const oppBest = this.bestPrice(inst.index, opposite(side));
    let price = c.price as number;
    if (ordType === OrdType.MARKET) {
      if (oppBest === null) return this.refuseNew(c, RejectReason.NO_LIQUIDITY);
      price = this.protectedLimit(inst, side, oppBest);
    }
    const mayRest = ordType === OrdType.LIMIT && (tif === TimeInForce.GTC || tif === TimeInForce.GTD);
    if (mayRest && (this.liveOf(acct.id).length >= acct.maxOpen || this.book.length >= this.maxLive)) {
      return this.refuseNew(c, RejectReason.TOO_MANY_OPEN_ORDERS);
    }
    const notionalPrice = ordType === OrdType.MARKET ? (oppBest as number) : price;
    if (notionalPrice * c.qty * inst.mult < inst.minNotional) return this.refuseNew(c, RejectReason.NOTIONAL_TOO_SMALL);
    if (this.wouldBreachPosition(acct, inst, side, c.qty)) return this.refuseNew(c, RejectReason.POSITION_LIMIT);
    if (c.postOnly === true && oppBest !== null && reaches(side, price, oppBest)) return this.refuseNew(c, RejectReason.POST_ONLY_WOULD_TAKE);
    if (tif === TimeInForce.FOK && !this.fokFillable(acct.id, inst.index, side, price, c.qty, stp)) {
      return this.refuseNew(c, RejectReason.FOK_CANNOT_FILL);
    }

    const o: RefOrder = {
      id: ++this.lastOrderId, clOrdId: c.clOrdId ?? '', account: acct.id, inst: inst.index, side, ordType, tif,
      postOnly: c.postOnly === true, stp, price, qty: c.qty, leaves: c.qty, cum: 0, cumPxQty: 0, prevented: 0,
      expireTime: tif === TimeInForce.GTD ? (c.expireTime as number) : 0, time: this.now, prio: 0,
    };
    this.emit(OrderEventKind.ACCEPTED, o, 0);
    this.takeThenRestOrEnd(o);
    if (tif === TimeInForce.FOK && o.cum === c.qty) this.stats.fokFilled++;
    return o.id;
  }

  cancel(c: OrderRef): number {
    this.reset();
    if (!this.start(c.time)) return this.refuseRef(OrderEventKind.CANCEL_REJECTED, c, RejectReason.INVALID_FIELD);
    const o = this.find(c, OrderEventKind.CANCEL_REJECTED);
    if (!o) return 0;
    this.removeFromBook(o);
    o.leaves = 0;
    this.emit(OrderEventKind.CANCELLED, o, CancelReason.USER, c.clOrdId ?? o.clOrdId, o.clOrdId);
    return 1;
  }

  replace(c: Replace): number {
    const REJ = OrderEventKind.REPLACE_REJECTED;
    this.reset();
    if (!this.start(c.time)) return this.refuseRef(REJ, c, RejectReason.INVALID_FIELD);
    const o = this.find(c, REJ);
    if (!o) return 0;
    const inst = this.instruments[o.inst];
    const newClOrdId = c.clOrdId ?? o.clOrdId;
    // FIX OrderQty semantics: the new total includes what is already filled
    const toFilled = isInt(c.qty) && c.qty >= 0 && c.qty <= o.cum + o.prevented;
    const priceWhy = this.priceProblem(inst, c.price);
    if (priceWhy) return this.refuseRef(REJ, c, priceWhy);
    if (!toFilled) {
      const qtyWhy = this.qtyProblem(inst, c.qty);
      if (qtyWhy) return this.refuseRef(REJ, c, qtyWhy);
    }
    if (newClOrdId !== o.clOrdId && newClOrdId !== '' && this.liveOf(o.account).some((x) => x.clOrdId === newClOrdId)) {
      return this.refuseRef(REJ, c, RejectReason.DUPLICATE_CL_ORD_ID);
    }
    if (!toFilled) {
      if (c.price * c.qty * inst.mult < inst.minNotional) return this.refuseRef(REJ, c, RejectReason.NOTIONAL_TOO_SMALL);
      if (c.qty > o.qty && this.wouldBreachPosition(this.accounts[o.account - 1], inst, o.side, c.qty - o.qty)) {
        return this.refuseRef(REJ, c, RejectReason.POSITION_LIMIT);
      }
      const oppBest = this.bestPrice(o.inst, opposite(o.side));
      if (o.postOnly && oppBest !== null && reaches(o.side, c.price, oppBest)) return this.refuseRef(REJ, c, RejectReason.POST_ONLY_WOULD_TAKE);
    }

    const oldClOrdId = o.clOrdId;
    o.clOrdId = newClOrdId;
    if (toFilled) {
      this.removeFromBook(o);
      o.leaves = 0;
      this.emit(OrderEventKind.CANCELLED, o, CancelReason.AMENDED_TO_FILLED, newClOrdId, oldClOrdId);
    } else if (c.price === o.price && c.qty <= o.qty) {
      // same price, not larger: amended in place, the queue position is kept
      if (o.cum > 0) this.stats.keepPriorityPartial++;
      if (c.qty < o.qty) this.stats.keepPriorityDecrease++;
      o.leaves -= o.qty - c.qty;
      o.qty = c.qty;
      this.touch(o);
      this.emit(OrderEventKind.REPLACED, o, 0, o.clOrdId, oldClOrdId);
    } else {
      // anything else loses priority and may trade at once
      this.removeFromBook(o);
      o.price = c.price;
      o.qty = c.qty;
      o.leaves = c.qty - o.cum - o.prevented;
      o.time = this.now;
      this.emit(OrderEventKind.REPLACED, o, 0, o.clOrdId, oldClOrdId);
      const cumBefore = o.cum;
      this.takeThenRestOrEnd(o);
      if (o.cum > cumBefore) this.stats.repricedAndTraded++;
    }
    return 1;
  }

  massCancel(c: MassCancel): number {
    this.reset();
    if (!this.start(c.time)) return this.massReport(c, 0, RejectReason.INVALID_FIELD);
    const acct = this.acct(c.account);
    const inst = c.symbol === undefined ? undefined : this.instruments.find((i) => i.symbol === c.symbol);
    if (!acct) return this.massReport(c, 0, RejectReason.UNKNOWN_ACCOUNT);
    if (c.symbol !== undefined && !inst) return this.massReport(c, 0, RejectReason.UNKNOWN_SYMBOL);
    if (c.side !== undefined && !validSide(c.side)) return this.massReport(c, 0, RejectReason.INVALID_FIELD);
    // Reported in ascending order id: the engine's order is not specified, the test compares them sorted.
    const victims = this.liveOf(acct.id)
      .filter((o) => (inst === undefined || o.inst === inst.index) && (c.side === undefined || o.side === c.side))
      .sort((a, b) => a.id - b.id);
    for (const o of victims) {
      this.removeFromBook(o);
      o.leaves = 0;
      this.emit(OrderEventKind.CANCELLED, o, CancelReason.MASS_CANCEL);
    }
    this.stats.massCancelled += victims.length;
    return this.massReport(c, victims.length, 0);
  }

  // ---- views in the engine's query shapes ----

  depth(symbol: string): DepthView {
    const inst = this.instruments.find((i) => i.symbol === symbol) as RefInstrument;
    return { symbol, bids: this.levels(inst.index, Side.BUY), asks: this.levels(inst.index, Side.SELL) };
  }

  /** Order ids of one level in queue order. */
  queue(symbol: string, side: Side, price: number): number[] {
    const inst = this.instruments.find((i) => i.symbol === symbol) as RefInstrument;
    return this.book.filter((o) => o.inst === inst.index && o.side === side && o.price === price)
      .sort((a, b) => a.prio - b.prio).map((o) => o.id);
  }

  liveIds(): number[] {
    return this.book.map((o) => o.id).sort((a, b) => a - b);
  }

  liveOrders(): { id: number; account: number; clOrdId: string; symbol: string; side: Side; price: number; qty: number; cum: number; leaves: number; postOnly: boolean }[] {
    return this.book.map((o) => ({
      id: o.id, account: o.account, clOrdId: o.clOrdId, symbol: this.instruments[o.inst].symbol, side: o.side,
      price: o.price, qty: o.qty, cum: o.cum, leaves: o.leaves, postOnly: o.postOnly,
    })).sort((a, b) => a.id - b.id);
  }

  orderView(id: number): OrderView | null {
    const o = this.book.find((x) => x.id === id);
    return o ? this.view(o) : null;
  }

  openOrders(account: number): OrderView[] {
    return this.liveOf(account).sort((a, b) => a.id - b.id).map((o) => this.view(o));
  }

  accountView(account: number): AccountView {
    const a = this.accounts[account - 1];
    const live = this.liveOf(account);
    return {
      account,
      name: a.name,
      openOrders: live.length,
      positions: this.instruments.map((inst) => {
        const p = a.pos[inst.index];
        const openOf = (s: Side): number => live.filter((o) => o.inst === inst.index && o.side === s).reduce((n, o) => n + o.leaves, 0);
        return {
          symbol: inst.symbol,
          cashScale: inst.cashScale,
          position: p.qty,
          costBasis: Number(p.cost),
          avgEntryPx: p.qty === 0 ? 0 : Number(p.cost) / (Math.abs(p.qty) * inst.mult),
          realisedPnl: p.realised,
          feesPaid: p.feesPaid,
          rebatesReceived: p.rebates,
          cash: p.cash,
          volumeQty: p.volQty,
          volumeNotional: p.volNotional,
          trades: p.trades,
          openBuyQty: openOf(Side.BUY),
          openSellQty: openOf(Side.SELL),
        };
      }),
    };
  }

  /** The aggregates of the levels the last command touched, keyed symbol|side|price. */
  touchedLevels(): Map<string, ExpLevel> {
    const out = new Map<string, ExpLevel>();
    for (const [key, t] of this.touched) {
      const at = this.book.filter((o) => o.inst === t.inst && o.side === t.side && o.price === t.price);
      out.set(key, {
        symbol: this.instruments[t.inst].symbol, side: t.side, price: t.price,
        qty: at.reduce((n, o) => n + o.leaves, 0), count: at.length,
      });
    }
    return out;
  }

  // ---- internals ----

  private reset(): void {
    this.events = [];
    this.touched.clear();
    this.expiredThisCommand = 0;
  }

  /** Takes the command's time (never backwards) and expires due GTD orders; false if the time is invalid. */
  private start(time: number): boolean {
    if (!isInt(time) || time < 0) return false;
    this.now = Math.max(this.now, time);
    const due = this.book.filter((o) => o.tif === TimeInForce.GTD && o.expireTime <= this.now)
      .sort((a, b) => a.expireTime - b.expireTime || a.id - b.id);
    for (const o of due) {
      this.removeFromBook(o);
      o.leaves = 0;
      this.emit(OrderEventKind.CANCELLED, o, CancelReason.EXPIRED);
    }
    this.stats.expired += due.length;
    this.expiredThisCommand = due.length;
    return true;
  }

  private acct(id: number): RefAccount | undefined {
    return isInt(id) && id >= 1 && id <= this.accounts.length ? this.accounts[id - 1] : undefined;
  }

  private liveOf(account: number): RefOrder[] {
    return this.book.filter((o) => o.account === account);
  }

  private qtyProblem(inst: RefInstrument, qty: unknown): RejectReason | 0 {
    if (!isInt(qty)) return RejectReason.INVALID_FIELD;
    if (qty < inst.minQty || qty > inst.maxQty) return RejectReason.QTY_OUT_OF_RANGE;
    if (qty % inst.lot !== 0) return RejectReason.QTY_OFF_LOT;
    return 0;
  }

  private priceProblem(inst: RefInstrument, price: unknown): RejectReason | 0 {
    if (!isInt(price)) return RejectReason.INVALID_FIELD;
    if (price < inst.minPrice || price > inst.maxPrice) return RejectReason.PRICE_OUT_OF_RANGE;
    if (!onGrid(inst, price)) return RejectReason.PRICE_OFF_TICK;
    return 0;
  }

  private bestPrice(inst: number, side: Side): number | null {
    let best: number | null = null;
    for (const o of this.book) {
      if (o.inst !== inst || o.side !== side) continue;
      if (best === null || (side === Side.BUY ? o.price > best : o.price < best)) best = o.price;
    }
    return best;
  }

  /** Market order limit: best opposite ± protection, then the nearest valid price inside the band. */
  private protectedLimit(inst: RefInstrument, side: Side, best: number): number {
    const band = Math.floor((best * inst.protectionBp) / 10_000);
    if (best + band > inst.maxPrice || best - band < inst.minPrice) this.stats.protectionClamped++;
    if (side === Side.BUY) {
      let p = Math.min(best + band, inst.maxPrice);
      while (!onGrid(inst, p)) p--;
      return p;
    }
    let p = Math.max(best - band, inst.minPrice);
    while (!onGrid(inst, p)) p++;
    return p;
  }

  /** The worst case: current position plus every resting order on that side plus this quantity. */
  private wouldBreachPosition(a: RefAccount, inst: RefInstrument, side: Side, qty: number): boolean {
    const resting = this.liveOf(a.id).filter((o) => o.inst === inst.index && o.side === side).reduce((n, o) => n + o.leaves, 0);
    const pos = a.pos[inst.index].qty;
    const exposure = side === Side.BUY ? pos + resting + qty : -pos + resting + qty;
    return exposure > inst.maxPosition;
  }

  /** Makers a taker would meet, best first (price, then queue). */
  private makersFor(inst: number, side: Side, limit: number): RefOrder[] {
    const oside = opposite(side);
    return this.book.filter((o) => o.inst === inst && o.side === oside && reaches(side, limit, o.price))
      .sort((a, b) => (side === Side.BUY ? a.price - b.price : b.price - a.price) || a.prio - b.prio);
  }

  /**
   * FOK: could the whole quantity trade now? Walk the makers in priority order as matching would:
   * with STP on, one's own order in the way ends the taker (or shrinks it: DECREMENT) unless the
   * mode is CANCEL_MAKER, which just removes it.
   */
  private fokFillable(account: number, inst: number, side: Side, limit: number, qty: number, stp: StpMode): boolean {
    let need = qty;
    for (const m of this.makersFor(inst, side, limit)) {
      if (stp !== StpMode.NONE && m.account === account) {
        if (stp === StpMode.CANCEL_MAKER) continue;
        return false;
      }
      need -= m.leaves;
      if (need <= 0) return true;
    }
    return false;
  }

  /** Matches t, then rests it (limit GTC/GTD) or ends it. A re-priced resting order comes here already off the book. */
  private takeThenRestOrEnd(t: RefOrder): void {
    const stopped = this.match(t);
    if (t.leaves === 0 && !stopped) return; // filled in full: no order event beyond the fills
    let reason: CancelReason | 0 = 0;
    if (stopped) reason = CancelReason.SELF_TRADE;
    else if (t.ordType === OrdType.MARKET) reason = CancelReason.MARKET_REMAINDER;
    else if (t.tif === TimeInForce.IOC || t.tif === TimeInForce.FOK) reason = CancelReason.IOC_REMAINDER;
    if (reason === 0) {
      t.prio = ++this.lastPrio;
      this.book.push(t);
      this.touch(t);
      return;
    }
    if (reason === CancelReason.MARKET_REMAINDER) this.stats.marketRemainder++;
    t.leaves = 0;
    this.emit(OrderEventKind.CANCELLED, t, reason);
  }

  /** Returns true if self-trade prevention ended the taker. */
  private match(t: RefOrder): boolean {
    while (t.leaves > 0) {
      const m = this.makersFor(t.inst, t.side, t.price)[0];
      if (m === undefined) return false;
      if (t.stp !== StpMode.NONE && m.account === t.account) {
        this.stats.stp[t.stp]++;
        if (this.selfTrade(t, m)) return true;
        continue;
      }
      this.trade(t, m, Math.min(t.leaves, m.leaves));
    }
    return false;
  }

  /** The taker's mode decides. Returns true if the taker is finished. */
  private selfTrade(t: RefOrder, m: RefOrder): boolean {
    if (t.stp === StpMode.CANCEL_TAKER) return true;
    if (t.stp === StpMode.CANCEL_MAKER || t.stp === StpMode.CANCEL_BOTH) {
      this.removeFromBook(m);
      m.leaves = 0;
      this.emit(OrderEventKind.CANCELLED, m, CancelReason.SELF_TRADE);
      return t.stp === StpMode.CANCEL_BOTH;
    }
    // DECREMENT: both lose the smaller open quantity as prevented (qty stays); a side left at zero is expired
    const d = Math.min(t.leaves, m.leaves);
    m.prevented += d;
    if (m.leaves === d) {
      this.removeFromBook(m);
      m.leaves = 0;
      this.emit(OrderEventKind.CANCELLED, m, CancelReason.SELF_TRADE);
    } else {
      m.leaves -= d;
      this.touch(m);
      this.emit(OrderEventKind.RESTATED, m, CancelReason.SELF_TRADE);
    }
    t.leaves -= d;
    t.prevented += d;
    if (t.leaves === 0) return true;
    this.emit(OrderEventKind.RESTATED, t, CancelReason.SELF_TRADE);
    return false;
  }

  private trade(t: RefOrder, m: RefOrder, q: number): void {
    const inst = this.instruments[t.inst];
    const price = m.price; // trades happen at the maker's price
    const notional = price * q * inst.mult;
    const ma = this.accounts[m.account - 1];
    const ta = this.accounts[t.account - 1];
    const makerFee = refFee(notional, ma.makerRate[inst.index]);
    const takerFee = refFee(notional, ta.takerRate[inst.index]);
    for (const o of [m, t]) {
      o.leaves -= q;
      o.cum += q;
      o.cumPxQty += price * q;
    }
    ma.pos[inst.index].book(m.side, price, q, inst.mult, makerFee);
    ta.pos[inst.index].book(t.side, price, q, inst.mult, takerFee);
    this.venueFees[inst.index] += BigInt(makerFee) + BigInt(takerFee);
    if (ma === ta) this.stats.selfFills++;
    this.touch(m);
    this.events.push({
      type: 'fill', time: this.now, tradeId: ++this.lastTradeId, symbol: inst.symbol, price, qty: q, aggressorSide: t.side, notional,
      makerOrderId: m.id, makerClOrdId: m.clOrdId, makerAccount: m.account, makerLeaves: m.leaves, makerCum: m.cum,
      makerCumPxQty: m.cumPxQty, makerFee,
      takerOrderId: t.id, takerClOrdId: t.clOrdId, takerAccount: t.account, takerLeaves: t.leaves, takerCum: t.cum,
      takerCumPxQty: t.cumPxQty, takerFee,
    });
    if (m.leaves === 0) this.removeFromBook(m);
  }

  private removeFromBook(o: RefOrder): void {
    const i = this.book.indexOf(o);
    if (i < 0) throw new Error(`reference model: order ${o.id} is not on the book`);
    this.book.splice(i, 1);
    this.touch(o);
  }

  private touch(o: RefOrder): void {
    const key = `${this.instruments[o.inst].symbol}|${o.side}|${o.price}`;
    if (!this.touched.has(key)) this.touched.set(key, { inst: o.inst, side: o.side, price: o.price });
  }

  /** Resolves the order a cancel/replace names (only the account's own, on that symbol); emits the refusal if none. */
  private find(c: OrderRef, kind: OrderEventKind): RefOrder | null {
    const acct = this.acct(c.account);
    const inst = this.instruments.find((i) => i.symbol === c.symbol);
    let why: RejectReason | 0 = 0;
    let o: RefOrder | undefined;
    if (!acct) why = RejectReason.UNKNOWN_ACCOUNT;
    else if (!inst) why = RejectReason.UNKNOWN_SYMBOL;
    else if (badClOrdId(c.clOrdId) || badClOrdId(c.origClOrdId)) why = RejectReason.INVALID_FIELD;
    else if (c.orderId !== undefined) {
      if (!isInt(c.orderId) || c.orderId <= 0) why = RejectReason.UNKNOWN_ORDER;
      else o = this.book.find((x) => x.id === c.orderId);
    } else if (c.origClOrdId) {
      o = this.liveOf(acct.id).find((x) => x.clOrdId === c.origClOrdId);
    } else why = RejectReason.INVALID_FIELD;
    if (!why && (o === undefined || o.account !== acct?.id || o.inst !== inst?.index)) why = RejectReason.UNKNOWN_ORDER;
    if (why) {
      this.refuseRef(kind, c, why);
      return null;
    }
    return o as RefOrder;
  }

  private levels(inst: number, side: Side): LevelView[] {
    const by = new Map<number, LevelView>();
    for (const o of this.book) {
      if (o.inst !== inst || o.side !== side) continue;
      const l = by.get(o.price) ?? { price: o.price, qty: 0, count: 0 };
      l.qty += o.leaves;
      l.count += 1;
      by.set(o.price, l);
    }
    return [...by.values()].sort((a, b) => (side === Side.BUY ? b.price - a.price : a.price - b.price));
  }

  private view(o: RefOrder): OrderView {
    return {
      orderId: o.id, clOrdId: o.clOrdId, account: o.account, symbol: this.instruments[o.inst].symbol, side: o.side,
      ordType: o.ordType, tif: o.tif, price: o.price, qty: o.qty, leaves: o.leaves, cum: o.cum, cumPxQty: o.cumPxQty,
      postOnly: o.postOnly, imbalanceOnly: false, stp: o.stp, prevented: o.prevented, expireTime: o.expireTime, time: o.time,
      shown: o.leaves, displayQty: 0, stopPx: 0, held: '', pegCap: 0,
    };
  }

  private emit(kind: OrderEventKind, o: RefOrder, reason: number, clOrdId = o.clOrdId, origClOrdId = ''): void {
    this.events.push({
      type: 'order', time: this.now, kind, account: o.account, symbol: this.instruments[o.inst].symbol, orderId: o.id,
      clOrdId, origClOrdId, side: o.side, ordType: o.ordType, tif: o.tif, price: o.price, qty: o.qty, leaves: o.leaves,
      cum: o.cum, cumPxQty: o.cumPxQty, prevented: o.prevented, reason,
    });
  }

  /** The report that closes every mass cancel request, done or refused; returns the count. */
  private massReport(c: MassCancel, cancelled: number, reason: RejectReason | 0): number {
    this.events.push({
      type: 'massCancel', time: this.now, account: intOr0(c.account), symbol: typeof c.symbol === 'string' ? c.symbol : '',
      side: validSide(c.side) ? c.side : 0, cancelled, reason,
    });
    return cancelled;
  }

  private refuseNew(c: NewOrder, reason: RejectReason): number {
    // the echoed time in force is the effective one: a market order defaults to IOC
    const tif: unknown = c.tif ?? (c.ordType === OrdType.MARKET ? TimeInForce.IOC : TimeInForce.GTC);
    this.events.push({
      type: 'order', time: this.now, kind: OrderEventKind.REJECTED, account: intOr0(c.account),
      symbol: echo(c.symbol), orderId: 0,
      clOrdId: echo(c.clOrdId), origClOrdId: '',
      side: validSide(c.side) ? c.side : Side.BUY,
      ordType: c.ordType === OrdType.MARKET ? OrdType.MARKET : OrdType.LIMIT,
      tif: isInt(tif) && tif >= 1 && tif <= 4 ? tif : TimeInForce.GTC,
      price: intOr0(c.price), qty: intOr0(c.qty), leaves: 0, cum: 0, cumPxQty: 0, prevented: 0, reason,
    });
    return 0;
  }

  private refuseRef(kind: OrderEventKind, c: OrderRef | Replace, reason: RejectReason): number {
    const r = c as Partial<Replace>;
    this.events.push({
      type: 'order', time: this.now, kind, account: intOr0(c.account), symbol: echo(c.symbol),
      orderId: intOr0(c.orderId), clOrdId: echo(c.clOrdId),
      origClOrdId: echo(c.origClOrdId),
      side: Side.BUY, ordType: OrdType.LIMIT, tif: TimeInForce.GTC,
      price: intOr0(r.price), qty: intOr0(r.qty), leaves: 0, cum: 0, cumPxQty: 0, prevented: 0, reason,
    });
    return 0;
  }
}
