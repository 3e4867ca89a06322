// Opening and closing crosses with on-open / on-close orders, US style
// (Nasdaq Rules 4752 and 4754; NYSE Rule 7.35B is similar):
//
// - MOO / LOO (AT_THE_OPENING, market or limit) and MOC / LOC (AT_THE_CLOSE)
//   orders wait off the continuous book for their cross: never displayed,
//   never matched in continuous trading. Imbalance-only (IO) orders are limit
//   on-open / on-close orders that only offset the imbalance of the others.
// - Entry windows and cut-offs are local times of the venue: market orders
//   until `market_until`, limits until `limit_until`, IO until `io_until`; no
//   cancel or amend of any of them from `freeze_from`.
// - The cross executes the continuous book together with the parked orders at
//   one price, chosen as auction.ts chooses it (most volume, least surplus,
//   market pressure, nearest the reference, the higher). IO orders take part
//   only on the side opposite the imbalance of the other orders; a buy IO
//   counts at the lower of its limit and the continuous best bid when the
//   call began (a sell IO at the higher of its limit and the best offer), and
//   it fills only after every other eligible order of its side, so it never
//   fills more than the imbalance.
// - Price validation: the price must lie in a collar (opening / closing: the
//   best bid − d to the best offer + d, d = the larger of collar_bp of the
//   midpoint and collar_min, Nasdaq's threshold; reopening after a halt: the
//   LULD band at the pause, else the reference ± d). Outside it the call is
//   extended by extension_ms, the collar widened by widen_bp of the reference
//   in the direction of the imbalance, up to max_extensions times; after that
//   the cross runs at the collar boundary.
// - Whatever is left of the parked orders after their cross expires
//   (CancelReason AUCTION); so does everything parked when the day closes.
// - Imbalance information (the indicative cross) is published on a cadence
//   from `imbalance_from` until the call begins, faster from
//   `imbalance_fast_from`.
//
// Nothing here is on the continuous-matching path: the engine parks an
// on-open / on-close order here and never looks at it again until a cross.
import type { Book } from '../book.ts';
import { PhaseCause } from '../events.ts';
import { ConfigError, ceilToTick, floorToTick, isOnTick, type Instrument } from '../instrument.ts';
import { mulDivFloor } from '../money.ts';
import type { Order } from '../order.ts';
import { OrdType, RejectReason, Side, TimeInForce, TradingPhase } from '../types.ts';
import type { Why } from '../validate.ts';
import type { CollarConfig, CrossConfig, CrossesConfig } from './config.ts';
import { timeOfDay } from './phases.ts';
import { US_PER_DAY, type ZoneClock } from '../time.ts';

const NEVER = Number.MAX_SAFE_INTEGER;
const MS = 1000;

/** Price validation of one kind of cross. */
export interface Collar {
  bp: number;
  /** price units */
  min: number;
  extensionUs: number;
  maxExtensions: number;
  widenBp: number;
}

/** One opening or closing cross's settings (local times of day in µs). */
export interface Cross extends Collar {
  /** the call (and the end of imbalance publication) */
  at: number;
  marketUntil: number;
  limitUntil: number;
  ioUntil: number;
  freezeFrom: number;
  /** imbalance publication: from, every; faster from, every (0 = none) */
  imbalanceFrom: number;
  imbalanceEveryUs: number;
  fastFrom: number;
  fastEveryUs: number;
}

/** The outcome of a cross computation: the price and what it pairs, and its validation. */
export interface CrossResult {
  /** price 0 = nothing would execute */
  price: number;
  qty: number;
  surplus: number;
  surplusSide: Side | 0;
  /** the price at which the parked orders alone would cross (0 = none) */
  far: number;
  reference: number;
  /** the collar the price was validated against (0 = none) */
  collarLow: number;
  collarHigh: number;
  /** the unconstrained price lay above (1) or below (−1) the collar, else 0 */
  outside: -1 | 0 | 1;
  extensions: number;
  extendedUntil: number;
}

export const newCrossResult = (): CrossResult => ({
  price: 0, qty: 0, surplus: 0, surplusSide: 0, far: 0, reference: 0, collarLow: 0, collarHigh: 0, outside: 0, extensions: 0, extendedUntil: 0,
});

/** What kind of cross an uncross is. */
export const CrossKind = { OPENING: 1, CLOSING: 2, REOPENING: 3 } as const;
export type CrossKind = (typeof CrossKind)[keyof typeof CrossKind];

/** One instrument's crosses: settings, parked orders, extension and publication state. */
export class InstrumentCrosses {
  readonly opening: Cross | null;
  readonly closing: Cross | null;
  readonly reopening: Collar;
  /** the call book is shown level by level (else only the indicative data) */
  readonly showCallBook: boolean;
  /** parked on-open and on-close orders, in arrival order (a Set: any one leaves in O(1)) */
  readonly open = new Set<Order>();
  readonly close = new Set<Order>();
  /** the continuous best bid / offer when the current call began (IO limits, collars) */
  callBid = 0;
  callAsk = 0;
  /** the LULD band when a halt began (the reopening collar), 0 = none */
  haltLow = 0;
  haltHigh = 0;
  /** an extended call ends at extendUntil (0 = none), then moves to extendTo */
  extendUntil = 0;
  extendTo: TradingPhase = TradingPhase.CONTINUOUS;
  extendCause: PhaseCause = PhaseCause.SCHEDULE;
  extensions = 0;
  /** the collar widened by widen_bp this many times up / down */
  widenUp = 0;
  widenDown = 0;
  /** the next imbalance publication (NEVER = none) */
  nextPublish = NEVER;

  constructor(cfg: CrossesConfig, readonly inst: Instrument, readonly clock: ZoneClock, where: string) {
    if (typeof cfg !== 'object' || cfg === null) throw new ConfigError(where, 'must be an object');
    this.opening = cfg.opening === undefined ? null : cross(cfg.opening, inst, `${where}.opening`);
    this.closing = cfg.closing === undefined ? null : cross(cfg.closing, inst, `${where}.closing`);
    this.reopening = collar(cfg.reopening ?? {}, inst, `${where}.reopening`);
    const cb = cfg.call_book ?? 'levels';
    if (cb !== 'levels' && cb !== 'indicative') throw new ConfigError(`${where}.call_book`, `must be 'levels' or 'indicative', got ${JSON.stringify(cb)}`);
    this.showCallBook = cb === 'levels';
  }

  /** The cross an AT_THE_OPENING / AT_THE_CLOSE order is for (null = none configured). */
  crossOf(tif: number): Cross | null {
    return tif === TimeInForce.AT_THE_OPENING ? this.opening : this.closing;
  }

  /** Entry window of a new on-open / on-close order at engine time `now`. */
  admit(tif: number, ordType: number, imbalanceOnly: boolean, phase: TradingPhase, now: number, why: Why): RejectReason | 0 {
    const c = this.crossOf(tif);
    const name = tif === TimeInForce.AT_THE_OPENING ? 'opening' : 'closing';
    if (c === null) {
      why.text = `no ${name} cross on ${this.inst.symbol}`;
      return RejectReason.NO_AUCTION;
    }
    if (phase === TradingPhase.CLOSED) return RejectReason.MARKET_CLOSED;
    const tod = this.clock.timeOfDay(now);
    const until = imbalanceOnly ? c.ioUntil : ordType === OrdType.MARKET ? c.marketUntil : c.limitUntil;
    if (tod >= until) {
      why.text = `${imbalanceOnly ? 'imbalance-only' : ordType === OrdType.MARKET ? 'market' : 'limit'} ${name} orders are accepted until ${hhmmss(until)} local time`;
      return RejectReason.AUCTION_CUTOFF;
    }
    return 0;
  }

  /** Cancel / amend of a parked order: refused from the freeze. */
  admitChange(o: Order, now: number, why: Why): RejectReason | 0 {
    const c = this.crossOf(o.tif);
    if (c === null) return 0;
    if (this.clock.timeOfDay(now) >= c.freezeFrom) {
      why.text = `${o.tif === TimeInForce.AT_THE_OPENING ? 'on-open' : 'on-close'} orders cannot be cancelled or amended from ${hhmmss(c.freezeFrom)} local time`;
      return RejectReason.AUCTION_CUTOFF;
    }
    return 0;
  }

  park(o: Order): void {
    (o.tif === TimeInForce.AT_THE_OPENING ? this.open : this.close).add(o);
  }

  unpark(o: Order): void {
    (o.tif === TimeInForce.AT_THE_OPENING ? this.open : this.close).delete(o);
  }

  /** The first imbalance publication after t (NEVER = none configured). */
  publishAfter(t: number): number {
    let next = NEVER;
    for (const c of [this.opening, this.closing]) {
      if (c === null || c.imbalanceEveryUs === 0) continue;
      const n = nextTick(c, this.clock, t);
      if (n < next) next = n;
    }
    return next;
  }

  /** The cross whose imbalance publication window holds t, or null. */
  publishing(t: number): { cross: Cross; kind: CrossKind } | null {
    const tod = this.clock.timeOfDay(t);
    if (this.opening !== null && this.opening.imbalanceEveryUs > 0 && tod >= this.opening.imbalanceFrom && tod < this.opening.at) return { cross: this.opening, kind: CrossKind.OPENING };
    if (this.closing !== null && this.closing.imbalanceEveryUs > 0 && tod >= this.closing.imbalanceFrom && tod < this.closing.at) return { cross: this.closing, kind: CrossKind.CLOSING };
    return null;
  }

  /** The parked orders of a kind of cross (a reopening has none). */
  parked(kind: CrossKind): ReadonlySet<Order> {
    return kind === CrossKind.OPENING ? this.open : kind === CrossKind.CLOSING ? this.close : NONE;
  }

  collarOf(kind: CrossKind): Collar {
    const c = kind === CrossKind.OPENING ? this.opening : kind === CrossKind.CLOSING ? this.closing : null;
    return c ?? this.reopening;
  }

  /** Forgets an extension (the call ended or the day moved on). */
  resetExtension(): void {
    this.extendUntil = 0;
    this.extensions = this.widenUp = this.widenDown = 0;
  }
}

const NONE: ReadonlySet<Order> = new Set();

/** "HH:MM:SS" of a local time of day in µs. */
function hhmmss(us: number): string {
  const s = Math.floor(us / 1_000_000);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`;
}

/** The next publication tick after t: from + k·every (fast_from + k·fast_every), inside [from, at); else tomorrow's from. */
function nextTick(c: Cross, clock: ZoneClock, t: number): number {
  const tod = clock.timeOfDay(t);
  const midnight = t - tod; // local midnight of t's day, on t's UTC offset
  let next: number;
  if (tod < c.imbalanceFrom) next = c.imbalanceFrom;
  else {
    const fast = c.fastEveryUs > 0 && tod >= c.fastFrom;
    const base = fast ? c.fastFrom : c.imbalanceFrom;
    const step = fast ? c.fastEveryUs : c.imbalanceEveryUs;
    next = base + (Math.floor((tod - base) / step) + 1) * step;
    if (!fast && c.fastEveryUs > 0 && next > c.fastFrom) next = c.fastFrom;
  }
  if (next >= c.at) next = US_PER_DAY + c.imbalanceFrom;
  // the offset of the target instant (daylight saving may change overnight)
  const local = clock.local(t) - tod + next;
  const utc = local - clock.offset(local - clock.offset(t));
  return utc > t ? utc : midnight + next;
}

function intIn(v: unknown, field: string, min: number, max: number, dflt?: number): number {
  const x = v ?? dflt;
  if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < min || x > max) {
    throw new ConfigError(field, `must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  }
  return x;
}

function collar(c: CollarConfig, inst: Instrument, where: string): Collar {
  if (typeof c !== 'object' || c === null) throw new ConfigError(where, 'must be an object');
  return {
    bp: intIn(c.collar_bp, `${where}.collar_bp`, 0, 10_000, 0),
    min: intIn(c.collar_min, `${where}.collar_min`, 0, inst.maxPrice, 0),
    extensionUs: intIn(c.extension_ms, `${where}.extension_ms`, 0, 3_600_000, 0) * MS,
    maxExtensions: intIn(c.max_extensions, `${where}.max_extensions`, 0, 100, 0),
    widenBp: intIn(c.widen_bp, `${where}.widen_bp`, 0, 10_000, 0),
  };
}

function cross(c: CrossConfig, inst: Instrument, where: string): Cross {
  if (typeof c !== 'object' || c === null) throw new ConfigError(where, 'must be an object');
  const at = timeOfDay(c.at, `${where}.at`);
  const opt = (v: unknown, field: string, dflt: number): number => (v === undefined ? dflt : timeOfDay(v, `${where}.${field}`));
  const marketUntil = timeOfDay(c.market_until, `${where}.market_until`);
  const limitUntil = opt(c.limit_until, 'limit_until', marketUntil);
  const ioUntil = opt(c.io_until, 'io_until', at);
  const freezeFrom = opt(c.freeze_from, 'freeze_from', marketUntil);
  for (const [name, v] of [['market_until', marketUntil], ['limit_until', limitUntil], ['io_until', ioUntil], ['freeze_from', freezeFrom]] as const) {
    if (v > at) throw new ConfigError(`${where}.${name}`, `must not be after the cross (at ${hhmmss(at)})`);
  }
  const every = intIn(c.imbalance_every_ms, `${where}.imbalance_every_ms`, 0, 3_600_000, 0) * MS;
  const imbalanceFrom = opt(c.imbalance_from, 'imbalance_from', at);
  const fastEvery = intIn(c.imbalance_fast_every_ms, `${where}.imbalance_fast_every_ms`, 0, 3_600_000, 0) * MS;
  const fastFrom = opt(c.imbalance_fast_from, 'imbalance_fast_from', at);
  if (every > 0 && imbalanceFrom >= at) throw new ConfigError(`${where}.imbalance_from`, 'must be before the cross');
  if (fastEvery > 0 && (fastFrom < imbalanceFrom || fastFrom >= at)) throw new ConfigError(`${where}.imbalance_fast_from`, 'must be in [imbalance_from, at)');
  return { ...collar(c, inst, where), at, marketUntil, limitUntil, ioUntil, freezeFrom, imbalanceFrom, imbalanceEveryUs: every, fastFrom, fastEveryUs: fastEvery };
}

// ---- the cross price ----

/** One side's interest: limit prices with quantities, and market quantity. */
export class Interest {
  prices: number[] = [];
  qtys: number[] = [];
  /** per limit entry: an imbalance-only order (IO orders are never market orders) */
  io: boolean[] = [];
  market = 0;

  clear(): void {
    this.prices.length = this.qtys.length = this.io.length = 0;
    this.market = 0;
  }

  add(price: number, qty: number, market: boolean, io: boolean): void {
    if (market) this.market += qty;
    else {
      this.prices.push(price);
      this.qtys.push(qty);
      this.io.push(io);
    }
  }

  /** Quantity willing to trade at p (buy interest priced ≥ p, sell interest ≤ p): all, or only IO / only the rest. */
  at(p: number, buy: boolean, which: 'all' | 'io' | 'other' = 'all'): number {
    let q = which === 'io' ? 0 : this.market;
    const ps = this.prices;
    for (let i = 0; i < ps.length; i++) {
      if ((which === 'io' && !this.io[i]) || (which === 'other' && this.io[i])) continue;
      if (buy ? ps[i] >= p : ps[i] <= p) q += this.qtys[i];
    }
    return q;
  }
}

// the interest of the last computation: everything (bids / asks), the parked orders alone (far)
const bids = new Interest();
const asks = new Interest();
const farBids = new Interest();
const farAsks = new Interest();

/** The effective price of an IO order: a buy at most the call's best bid, a sell at least its best offer. */
function ioPrice(o: Order, callBid: number, callAsk: number): number {
  if (o.side === Side.BUY) return callBid > 0 && callBid < o.price ? callBid : o.price;
  return callAsk > 0 && callAsk > o.price ? callAsk : o.price;
}

/**
 * Chooses the price over the interest in `bids` / `asks` (auction.ts's steps: most volume, least
 * surplus, market pressure, nearest the reference, the higher). Candidates: the distinct limit
 * prices and the reference (when on the tick grid). Writes price 0 when nothing crosses.
 */
function choose(bids: Interest, asks: Interest, inst: Instrument, reference: number, out: CrossResult): void {
  const cands = [...new Set([...bids.prices, ...asks.prices])];
  if (reference > 0 && isOnTick(inst, reference)) cands.push(reference);
  cands.sort((a, b) => a - b);
  // one ascending sweep: demand falls as bids priced below p drop out, supply grows with asks ≤ p
  const bi = byPrice(bids);
  const ai = byPrice(asks);
  let d = bids.market + bids.qtys.reduce((a, q) => a + q, 0);
  let s = asks.market;
  let i = 0, j = 0;
  let best = 0, bestSurplus = 0;
  let tied: { p: number; side: Side | 0; surplus: number }[] = [];
  for (const p of cands) {
    while (i < bi.length && bids.prices[bi[i]] < p) d -= bids.qtys[bi[i++]];
    while (j < ai.length && asks.prices[ai[j]] <= p) s += asks.qtys[ai[j++]];
    const q = d < s ? d : s;
    if (q === 0) continue;
    const surplus = d > s ? d - s : s - d;
    const side: Side | 0 = d > s ? Side.BUY : s > d ? Side.SELL : 0;
    if (q > best || (q === best && surplus < bestSurplus)) {
      best = q;
      bestSurplus = surplus;
      tied = [];
    } else if (q < best || surplus > bestSurplus) continue;
    if (tied.length === 0 || tied[tied.length - 1].p !== p) tied.push({ p, side, surplus });
  }
  if (best === 0) {
    out.price = out.qty = out.surplus = out.surplusSide = 0;
    return;
  }
  let pick: { p: number; side: Side | 0 };
  if (tied.every((x) => x.side === Side.BUY)) pick = tied[tied.length - 1];
  else if (tied.every((x) => x.side === Side.SELL)) pick = tied[0];
  else {
    const target = reference > 0 ? reference : (tied[0].p + tied[tied.length - 1].p) / 2;
    pick = tied[0];
    for (const x of tied) if (Math.abs(x.p - target) <= Math.abs(pick.p - target)) pick = x;
  }
  out.price = pick.p;
  out.qty = best;
  out.surplus = bestSurplus;
  out.surplusSide = pick.side;
}

/** The indices of an interest's limit entries, by ascending price. */
function byPrice(x: Interest): number[] {
  return x.prices.map((_, k) => k).sort((a, b) => x.prices[a] - x.prices[b]);
}

function addBook(book: Book, bids: Interest, asks: Interest): void {
  for (const l of book.bids.toArray()) bids.add(l.price, l.qty, false, false);
  for (const l of book.asks.toArray()) asks.add(l.price, l.qty, false, false);
}

/**
 * Paired quantity and imbalance at price p: IO orders fill only what they offset, so the imbalance
 * is that of the other orders less the IO quantity against it, never turned round by it.
 */
function pairAt(b: Interest, a: Interest, p: number, out: CrossResult): void {
  const d = b.at(p, true);
  const s = a.at(p, false);
  out.price = p;
  out.qty = d < s ? d : s;
  let x = b.at(p, true, 'other') - a.at(p, false, 'other');
  if (x > 0) x = Math.max(0, x - a.at(p, false, 'io'));
  else if (x < 0) x = Math.min(0, x + b.at(p, true, 'io'));
  out.surplus = x < 0 ? -x : x;
  out.surplusSide = x > 0 ? Side.BUY : x < 0 ? Side.SELL : 0;
  if (out.qty === 0) out.price = 0;
}

/** Adds the parked orders: all but IO, or (io) the IO orders on the side opposite `imbalance` (none if 0). */
function addParked(orders: ReadonlySet<Order>, io: boolean, imbalance: Side | 0, callBid: number, callAsk: number, bids: Interest, asks: Interest): void {
  for (const o of orders) {
    if (o.imbalanceOnly !== io || (io && (imbalance === 0 || o.side === imbalance))) continue;
    const into = o.side === Side.BUY ? bids : asks;
    into.add(io ? ioPrice(o, callBid, callAsk) : o.price, o.leaves, o.ordType === OrdType.MARKET, io);
  }
}

/** A side with interest facing none: its imbalance when nothing pairs. */
function loneSide(): Side | 0 {
  const b = bids.market > 0 || bids.prices.length > 0;
  const a = asks.market > 0 || asks.prices.length > 0;
  return b && !a ? Side.BUY : a && !b ? Side.SELL : 0;
}

/**
 * The cross of the continuous book with the parked orders: the price over everything but IO
 * orders; then, if one side is left over, again with the IO orders of the other side. Also the
 * far price: the parked orders alone. Returns the imbalance side the IO orders offset (0 = none).
 */
export function crossPrice(book: Book, parked: ReadonlySet<Order>, inst: Instrument, reference: number, callBid: number, callAsk: number, out: CrossResult): Side | 0 {
  bids.clear();
  asks.clear();
  addBook(book, bids, asks);
  addParked(parked, false, 0, 0, 0, bids, asks);
  let imbalance: Side | 0 = 0;
  if ([...parked].some((o) => o.imbalanceOnly)) {
    choose(bids, asks, inst, reference, out);
    imbalance = out.qty > 0 ? out.surplusSide : loneSide();
    addParked(parked, true, imbalance, callBid, callAsk, bids, asks);
  }
  choose(bids, asks, inst, reference, out);
  if (out.qty > 0) pairAt(bids, asks, out.price, out);
  out.reference = reference;
  const { price, qty, surplus, surplusSide } = out;
  farBids.clear();
  farAsks.clear();
  addParked(parked, false, 0, 0, 0, farBids, farAsks);
  addParked(parked, true, imbalance, callBid, callAsk, farBids, farAsks);
  choose(farBids, farAsks, inst, reference, out);
  out.far = out.price;
  out.price = price;
  out.qty = qty;
  out.surplus = surplus;
  out.surplusSide = surplusSide;
  return imbalance;
}

/** The collar of a cross: [low, high], on the tick grid (0, 0 = none). */
export function collarRange(cx: InstrumentCrosses, kind: CrossKind, bid: number, ask: number, reference: number): [number, number] {
  const inst = cx.inst;
  const c = cx.collarOf(kind);
  let lo: number, hi: number;
  if (kind === CrossKind.REOPENING && cx.haltHigh > 0) {
    lo = cx.haltLow;
    hi = cx.haltHigh;
  } else {
    if (c.bp === 0 && c.min === 0) return [0, 0];
    const b = bid > 0 ? bid : ask > 0 ? ask : reference;
    const a = ask > 0 ? ask : bid > 0 ? bid : reference;
    if (b === 0) return [0, 0];
    const d = Math.max(mulDivFloor(Math.floor((a + b) / 2), c.bp, 10_000), c.min);
    lo = b - d;
    hi = a + d;
  }
  const w = reference > 0 ? mulDivFloor(reference, c.widenBp, 10_000) : 0;
  lo -= w * cx.widenDown;
  hi += w * cx.widenUp;
  return [ceilToTick(inst, Math.max(inst.minPrice, lo)), floorToTick(inst, Math.min(inst.maxPrice, hi))];
}

/**
 * Validates the last crossPrice against the collar: inside, or `outside` with the price moved to
 * the nearer boundary and the volume paired there (the caller decides between extending the call
 * and crossing at the boundary).
 */
export function validate(cx: InstrumentCrosses, kind: CrossKind, bid: number, ask: number, out: CrossResult): void {
  const [lo, hi] = collarRange(cx, kind, bid, ask, out.reference);
  out.collarLow = lo;
  out.collarHigh = hi;
  out.extensions = cx.extensions;
  out.extendedUntil = cx.extendUntil;
  out.outside = out.qty === 0 || hi === 0 ? 0 : out.price > hi ? 1 : out.price < lo ? -1 : 0;
  if (out.outside === 0) return;
  pairAt(bids, asks, out.price > hi ? hi : lo, out);
}

/**
 * The orders that execute at `price`, per side in execution order: market orders, then by price,
 * then by time; IO orders (only those offsetting `imbalance`) after every other order of their side.
 */
export function eligible(book: Book, parked: ReadonlySet<Order>, price: number, imbalance: Side | 0, callBid: number, callAsk: number): [Order[], Order[]] {
  const buys: Order[] = [];
  const sells: Order[] = [];
  for (const l of book.bids.toArray()) if (l.price >= price) for (let o = l.first(); o !== null; o = l.after(o)) buys.push(o);
  for (const l of book.asks.toArray()) if (l.price <= price) for (let o = l.first(); o !== null; o = l.after(o)) sells.push(o);
  for (const o of parked) {
    if (o.imbalanceOnly && (imbalance === 0 || o.side === imbalance)) continue;
    const p = o.imbalanceOnly ? ioPrice(o, callBid, callAsk) : o.price;
    const market = o.ordType === OrdType.MARKET;
    if (o.side === Side.BUY ? market || p >= price : market || p <= price) (o.side === Side.BUY ? buys : sells).push(o);
  }
  const key = (o: Order, buy: boolean): number => (o.ordType === OrdType.MARKET ? -Infinity : buy ? -o.price : o.price);
  const order = (buy: boolean) => (a: Order, b: Order): number =>
    Number(a.imbalanceOnly) - Number(b.imbalanceOnly) || key(a, buy) - key(b, buy) || a.time - b.time || a.id - b.id;
  buys.sort(order(true));
  sells.sort(order(false));
  return [buys, sells];
}
