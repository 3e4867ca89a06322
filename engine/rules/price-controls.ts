// Price controls of one instrument:
// - static band (Binance PERCENT_PRICE[_BY_SIDE]): a limit price outside
//   reference × [1 − down, 1 + up] is rejected; the reference is the last
//   trade, or the configured / admin-set price before the first trade; with
//   price_band_average_ms, the quantity-weighted average price of the trades
//   of that window (Binance avgPriceMins), the last trade when it has none;
// - daily limits: ± daily_limit_bp of the previous close, rounded inward to the
//   tick (or half-up to the nearest tick, SSE/SZSE); nothing rests or trades
//   beyond them;
// - LULD-style dynamic band: the arithmetic mean of the trade prices of the
//   last window_ms (the last known mean when the window is empty), moved only
//   when it changes by reference_move_bp or more, ± band_bp or the LULD plan's
//   tiered bands (doubled in a local time window near the close); the first
//   reference after a call phase is its uncross price (else, at the open, the
//   previous close); an order priced through the band is re-priced to it
//   ("price sliding") in continuous trading only;
// - velocity: a trade N ticks or more away from any trade of the last W ms.
// Bounds are exact integers: upper edges floor to the tick, lower edges ceil.
import { ConfigError, ceilToTick, floorToTick, tickAt, type Instrument } from '../instrument.ts';
import { mulDivFloor } from '../money.ts';
import { RejectReason, Side } from '../types.ts';
import type { Why } from '../validate.ts';
import type { InstrumentRulesConfig, LuldConfig } from './config.ts';
import { timeOfDay } from './phases.ts';
import { zoneClock, type ZoneClock } from '../time.ts';

const MS = 1000;
/** trades kept for the LULD mean; past this the oldest drop out (the mean then covers fewer trades) */
const MAX_WINDOW_TRADES = 1 << 20;

export interface Band {
  lower: number;
  upper: number;
}

/** A ring of (time, price) with a running sum: the LULD reference window. */
export class TradeWindow {
  private readonly times: number[] = [];
  private readonly prices: number[] = [];
  private head = 0;
  private size = 0;
  private sum = 0;
  /** the last mean computed over a non-empty window */
  lastMean = 0;

  /** Forgets every trade: the reference is `mean` until the next trade. */
  reset(mean: number): void {
    this.head = this.size = this.sum = 0;
    this.lastMean = mean;
  }

  push(time: number, price: number): void {
    if (this.size === MAX_WINDOW_TRADES) this.dropOldest();
    const i = (this.head + this.size) % MAX_WINDOW_TRADES;
    this.times[i] = time;
    this.prices[i] = price;
    this.size++;
    this.sum += price;
    this.lastMean = Math.floor(this.sum / this.size);
  }

  /** Drops trades at or before `cutoff` and returns the mean of the rest (the last mean if none). */
  meanAfter(cutoff: number): number {
    while (this.size > 0 && this.times[this.head] <= cutoff) this.dropOldest();
    if (this.size > 0) this.lastMean = Math.floor(this.sum / this.size);
    return this.lastMean;
  }

  private dropOldest(): void {
    this.sum -= this.prices[this.head];
    this.head = (this.head + 1) % MAX_WINDOW_TRADES;
    this.size--;
  }
}

/**
 * The trades of the last W as (time, price, qty) with exact running sums of price × qty and qty:
 * Binance's weighted average price (avgPriceMins). Σ price × qty may pass 2^53: bigint.
 */
export class WeightedWindow {
  private readonly times: number[] = [];
  private readonly prices: number[] = [];
  private readonly qtys: number[] = [];
  private head = 0;
  private size = 0;
  sumPq = 0n;
  sumQ = 0n;
  /** changes whenever the window's trades do: bounds computed from it stay valid while it is the same */
  version = 0;

  clear(): void {
    this.head = this.size = 0;
    this.sumPq = this.sumQ = 0n;
    this.version++;
  }

  push(time: number, price: number, qty: number): void {
    if (this.size === MAX_WINDOW_TRADES) this.dropOldest();
    const i = (this.head + this.size) % MAX_WINDOW_TRADES;
    this.times[i] = time;
    this.prices[i] = price;
    this.qtys[i] = qty;
    this.size++;
    this.sumPq += BigInt(price) * BigInt(qty);
    this.sumQ += BigInt(qty);
    this.version++;
  }

  /** Drops trades at or before `cutoff`; true if any trade is left. */
  keepAfter(cutoff: number): boolean {
    while (this.size > 0 && this.times[this.head] <= cutoff) this.dropOldest();
    return this.size > 0;
  }

  private dropOldest(): void {
    const h = this.head;
    this.sumPq -= BigInt(this.prices[h]) * BigInt(this.qtys[h]);
    this.sumQ -= BigInt(this.qtys[h]);
    this.head = (h + 1) % MAX_WINDOW_TRADES;
    this.size--;
    this.version++;
  }
}

/** Monotonic deques over the trades of the last W: the window's low and high in O(1) amortised. */
export class Extremes {
  private readonly lo: { t: number; p: number }[] = [];
  private readonly hi: { t: number; p: number }[] = [];
  private loHead = 0;
  private hiHead = 0;

  push(t: number, p: number): void {
    while (this.lo.length > this.loHead && this.lo[this.lo.length - 1].p >= p) this.lo.pop();
    this.lo.push({ t, p });
    while (this.hi.length > this.hiHead && this.hi[this.hi.length - 1].p <= p) this.hi.pop();
    this.hi.push({ t, p });
  }

  expire(cutoff: number): void {
    while (this.loHead < this.lo.length && this.lo[this.loHead].t <= cutoff) this.loHead++;
    while (this.hiHead < this.hi.length && this.hi[this.hiHead].t <= cutoff) this.hiHead++;
    if (this.loHead > 1024 && this.loHead * 2 > this.lo.length) { this.lo.splice(0, this.loHead); this.loHead = 0; }
    if (this.hiHead > 1024 && this.hiHead * 2 > this.hi.length) { this.hi.splice(0, this.hiHead); this.hiHead = 0; }
  }

  low(): number { return this.loHead < this.lo.length ? this.lo[this.loHead].p : 0; }
  high(): number { return this.hiHead < this.hi.length ? this.hi[this.hiHead].p : 0; }
}

/** Number of ticks between prices a ≤ b on a (possibly banded) tick grid. */
export function ticksBetween(inst: Instrument, a: number, b: number): number {
  let n = 0;
  for (let p = a; p < b; ) {
    const tick = tickAt(inst, p);
    const band = inst.tickTable.find((t) => t.from_price > p);
    const end = band === undefined || band.from_price > b ? b : band.from_price;
    n += Math.ceil((end - p) / tick);
    p = end;
  }
  return n;
}

function bp(v: unknown, field: string, max = 10_000): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1 || v > max) {
    throw new ConfigError(field, `must be an integer number of basis points in [1, ${max}], got ${JSON.stringify(v)}`);
  }
  return v;
}

function ms(v: unknown, field: string, dflt: number, min = 1): number {
  const x = v ?? dflt;
  if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < min || x > 7 * 86_400_000) {
    throw new ConfigError(field, `must be an integer number of milliseconds in [${min}, 604800000], got ${JSON.stringify(v)}`);
  }
  return x;
}

export class PriceControls {
  /** static band reference: the last trade, or configured / admin-set (0 = no band yet) */
  reference: number;
  /** the static band is centred on the weighted average price of this window (µs; 0 = on the reference) */
  readonly averageUs: number;
  private readonly average = new WeightedWindow();
  /** the average band's [lo, hi] per side (BUY, SELL) for the window's version `boundsOf` */
  private boundsOf = -1;
  private readonly bounds = [0, 0, 0, 0];
  /** daily limits round half-up to the nearest tick (SSE, SZSE) instead of inward */
  private readonly halfUp: boolean;
  /** the daily limits of `limitsFor` (recomputed when the previous close changes) */
  private limitsFor = 0;
  private limits: Band | null = null;
  /** previous close for the daily limits and the market-wide breaker (0 = none) */
  previousClose: number;
  private readonly bidUp: number;
  private readonly bidDown: number;
  private readonly askUp: number;
  private readonly askDown: number;
  private readonly dailyBp: number;
  readonly luld: Luld | null;
  /** the LULD reference in effect (moves only by reference_move_bp or more; 0 = none yet) */
  private luldRef = 0;
  /** the instrument's local time (time_zone) */
  readonly clock: ZoneClock | null;
  readonly velocity: { ticks: number; windowUs: number; haltUs: number } | null;
  private readonly window = new TradeWindow();
  private extremes = new Extremes();
  /** matching must consult velocity() at each new price level */
  readonly watchesMatching: boolean;
  /** a static band is configured (its reference follows every trade) */
  readonly hasStaticBand: boolean;

  constructor(private readonly inst: Instrument, cfg: InstrumentRulesConfig, where: string) {
    const side = cfg.price_band_by_side;
    const sym = cfg.price_band_bp === undefined ? 0 : bp(cfg.price_band_bp, `${where}.price_band_bp`);
    this.bidUp = side ? bp(side.bid_up_bp, `${where}.price_band_by_side.bid_up_bp`, 1_000_000) : sym;
    this.bidDown = side ? bp(side.bid_down_bp, `${where}.price_band_by_side.bid_down_bp`) : sym;
    this.askUp = side ? bp(side.ask_up_bp, `${where}.price_band_by_side.ask_up_bp`, 1_000_000) : sym;
    this.askDown = side ? bp(side.ask_down_bp, `${where}.price_band_by_side.ask_down_bp`) : sym;
    this.reference = cfg.reference_price === undefined ? 0 : this.price(cfg.reference_price, `${where}.reference_price`);
    this.previousClose = cfg.previous_close === undefined ? 0 : this.price(cfg.previous_close, `${where}.previous_close`);
    this.dailyBp = cfg.daily_limit_bp === undefined ? 0 : bp(cfg.daily_limit_bp, `${where}.daily_limit_bp`);
    const rounding = cfg.daily_limit_rounding ?? 'inward';
    if (rounding !== 'inward' && rounding !== 'half_up') {
      throw new ConfigError(`${where}.daily_limit_rounding`, `must be 'inward' or 'half_up', got ${JSON.stringify(rounding)}`);
    }
    this.halfUp = rounding === 'half_up';
    this.averageUs = cfg.price_band_average_ms === undefined ? 0 : ms(cfg.price_band_average_ms, `${where}.price_band_average_ms`, 0) * MS;
    this.luld = cfg.luld === undefined ? null : luldConfig(cfg.luld, `${where}.luld`);
    if (this.luld && this.reference > 0) this.window.lastMean = this.reference;
    else if (this.luld && this.previousClose > 0) this.window.lastMean = this.previousClose;
    this.luldRef = this.window.lastMean;
    this.clock = zoneClock(cfg.time_zone ?? 'UTC');
    if (this.clock === null) throw new ConfigError(`${where}.time_zone`, `must be an IANA time zone such as "America/New_York", got ${JSON.stringify(cfg.time_zone)}`);
    const v = cfg.velocity;
    this.velocity = v === undefined ? null : {
      ticks: intIn(v.ticks, `${where}.velocity.ticks`, 1, 1_000_000),
      windowUs: ms(v.window_ms, `${where}.velocity.window_ms`, 0) * MS,
      haltUs: ms(v.halt_ms, `${where}.velocity.halt_ms`, 0) * MS,
    };
    this.watchesMatching = this.velocity !== null;
    this.hasStaticBand = this.bidUp > 0 || this.askUp > 0;
  }

  private price(v: unknown, field: string): number {
    return intIn(v, field, this.inst.minPrice, this.inst.maxPrice);
  }

  /** Static band and daily limits for a limit price at time `now`. */
  checkLimitPrice(side: Side, price: number, now: number, why: Why): RejectReason | 0 {
    const ref = this.reference;
    if (ref > 0 && (this.bidUp > 0 || this.askUp > 0)) {
      const up = side === Side.BUY ? this.bidUp : this.askUp;
      const down = side === Side.BUY ? this.bidDown : this.askDown;
      let hi: number;
      let lo: number;
      let centre: string;
      if (this.averageUs > 0 && this.average.keepAfter(now - this.averageUs)) {
        const b = this.averageBounds();
        const i = side === Side.BUY ? 0 : 2;
        lo = b[i];
        hi = b[i + 1];
        centre = `weighted average price ${this.bandReference(now)}`;
      } else {
        hi = mulDivFloor(ref, 10_000 + up, 10_000);
        lo = ref - mulDivFloor(ref, down, 10_000);
        centre = `reference ${ref}`;
      }
      if (price > hi || price < lo) {
        why.text = `price ${price} outside the band [${lo}, ${hi}] (${centre})`;
        return RejectReason.PRICE_BAND;
      }
    }
    const limits = this.dailyLimits();
    if (limits !== null && (price > limits.upper || price < limits.lower)) {
      why.text = `price ${price} beyond the daily limits [${limits.lower}, ${limits.upper}] (previous close ${this.previousClose})`;
      return RejectReason.PRICE_LIMIT;
    }
    return 0;
  }

  dailyLimits(): Band | null {
    const pc = this.previousClose;
    if (this.dailyBp === 0 || pc === 0) return null;
    if (pc !== this.limitsFor) {
      this.limitsFor = pc;
      this.limits = this.halfUp ? this.halfUpEdges(pc, this.dailyBp) : this.edges(pc, this.dailyBp);
    }
    return this.limits;
  }

  /**
   * [buy lo, buy hi, sell lo, sell hi] around the window's weighted average, exact: Σpq × (1 ± bp) ÷ Σq,
   * the upper edges floored, the lower ceiled; recomputed only when the window changed.
   */
  private averageBounds(): number[] {
    const w = this.average;
    if (this.boundsOf === w.version) return this.bounds;
    const den = w.sumQ * 10_000n;
    const edges = (down: number, up: number, at: number): void => {
      this.bounds[at] = Number((w.sumPq * BigInt(10_000 - down) + den - 1n) / den);
      this.bounds[at + 1] = Number((w.sumPq * BigInt(10_000 + up)) / den);
    };
    edges(this.bidDown, this.bidUp, 0);
    edges(this.askDown, this.askUp, 2);
    this.boundsOf = w.version;
    return this.bounds;
  }

  /** The static band's centre now, for display: the weighted average of the window, else the reference. */
  bandReference(now: number): number {
    if (this.averageUs === 0 || !this.average.keepAfter(now - this.averageUs)) return this.reference;
    return Number(this.average.sumPq / this.average.sumQ);
  }

  /** An admin-set reference: the band's centre until the next trade. */
  setReference(price: number): void {
    this.reference = price;
    this.average.clear();
  }

  /** pc × (1 ± bp), each rounded half-up to the nearest tick (exact), inside the price range. */
  private halfUpEdges(pc: number, bandBp: number): Band {
    const i = this.inst;
    const round = (num: bigint): number => {
      // num ÷ 10,000 in price units; the tick of the price it rounds from
      const floor = Number(num / 10_000n);
      const tick = BigInt(tickAt(i, Math.min(i.maxPrice, Math.max(0, floor))));
      const den = 10_000n * tick;
      return Number(((2n * num + den) / (2n * den)) * tick);
    };
    const clamp = (p: number): number => Math.max(i.minPrice, Math.min(i.maxPrice, p));
    return {
      lower: ceilToTick(i, clamp(round(BigInt(pc) * BigInt(10_000 - bandBp)))),
      upper: floorToTick(i, clamp(round(BigInt(pc) * BigInt(10_000 + bandBp)))),
    };
  }

  /** The LULD band now, or null (no LULD, or no reference yet); moves the reference if the mean moved enough. */
  dynamicBand(now: number): Band | null {
    const l = this.luld;
    if (l === null) return null;
    if (!this.luldHours(l, now)) return null;
    const mean = this.window.meanAfter(now - l.windowUs);
    const ref = this.luldRef;
    if (ref === 0 || Math.abs(mean - ref) * 10_000 >= l.moveBp * ref) this.luldRef = mean;
    return this.luldRef === 0 ? null : this.around(this.luldRef, this.luldDelta(l, this.luldRef, now));
  }

  /** The LULD band as it stands, for display: the reference is not moved. */
  bandView(now: number): Band | null {
    const l = this.luld;
    if (l === null || !this.luldHours(l, now)) return null;
    const ref = l.moveBp === 0 ? this.window.meanAfter(now - l.windowUs) : this.luldRef;
    return ref === 0 ? null : this.around(ref, this.luldDelta(l, ref, now));
  }

  /** The reference after a call phase: its uncross price; at the open without one, the previous close. */
  reopened(price: number, opening: boolean, now: number): void {
    // velocity re-anchors at the reopening price: the trades before the call no longer count (CME velocity logic)
    if (this.velocity !== null) {
      this.extremes = new Extremes();
      if (price > 0) this.extremes.push(now, price);
    }
    if (this.luld === null) return;
    const ref = price > 0 ? price : opening ? this.previousClose : 0;
    if (ref === 0) return;
    this.window.reset(ref);
    if (price > 0) this.window.push(now, price); // the opening print is an eligible trade of the next 5 minutes
    this.luldRef = ref;
  }

  /** Inside the LULD's hours (luld.from/until, local; none = always)? */
  private luldHours(l: Luld, now: number): boolean {
    if (l.until === 0 || this.clock === null) return true;
    const tod = this.clock.timeOfDay(now);
    return tod >= l.from && tod < l.until;
  }

  /** Half the LULD band at reference `ref` (price units), doubled in the configured local window. */
  private luldDelta(l: Luld, ref: number, now: number): number {
    let d: number;
    let doubles = true;
    if (l.tier === 0) d = mulDivFloor(ref, l.bandBp, 10_000);
    else {
      const usd = (cents: number): number => mulDivFloor(cents, 10 ** this.inst.priceScale, 100);
      if (ref > usd(300)) {
        d = mulDivFloor(ref, l.tier === 1 ? 500 : 1000, 10_000);
        doubles = l.tier === 1; // tier 2 doubles only at 3.00 and below
      } else if (ref >= usd(75)) d = mulDivFloor(ref, 2000, 10_000);
      else d = Math.min(usd(15), mulDivFloor(ref, 7500, 10_000));
    }
    if (doubles && l.doubleUntil > 0 && this.clock !== null) {
      const tod = this.clock.timeOfDay(now);
      if (tod >= l.doubleFrom && tod < l.doubleUntil) d *= 2;
    }
    return d;
  }

  /** ref ± bp on the tick grid, inside the instrument's price range. */
  private edges(ref: number, bandBp: number): Band {
    return this.around(ref, mulDivFloor(ref, bandBp, 10_000));
  }

  /** ref ± d on the tick grid, inside the instrument's price range. */
  private around(ref: number, d: number): Band {
    const i = this.inst;
    return {
      lower: ceilToTick(i, Math.max(i.minPrice, Math.min(i.maxPrice, ref - d))),
      upper: floorToTick(i, Math.min(i.maxPrice, ref + d)),
    };
  }

  /** The most aggressive price an order may carry now: its own, slid to the daily limit and (in continuous trading) the LULD band. */
  slide(side: Side, price: number, now: number, continuous: boolean): number {
    const daily = this.dailyLimits();
    const dyn = continuous ? this.dynamicBand(now) : null;
    let p = price;
    if (side === Side.BUY) {
      if (daily && p > daily.upper) p = daily.upper;
      if (dyn && p > dyn.upper) p = dyn.upper;
    } else {
      if (daily && p < daily.lower) p = daily.lower;
      if (dyn && p < dyn.lower) p = dyn.lower;
    }
    return p;
  }

  /** True if a trade at `price` now would move N ticks or more from a trade of the velocity window. */
  velocityBreach(price: number, now: number): boolean {
    const v = this.velocity;
    if (v === null) return false;
    this.extremes.expire(now - v.windowUs);
    const lo = this.extremes.low();
    const hi = this.extremes.high();
    if (lo === 0) return false;
    return (price > lo && ticksBetween(this.inst, lo, price) >= v.ticks) || (price < hi && ticksBetween(this.inst, price, hi) >= v.ticks);
  }

  onTrade(price: number, qty: number, now: number): void {
    this.reference = price;
    if (this.averageUs > 0) this.average.push(now, price, qty);
    if (this.luld) this.window.push(now, price);
    if (this.velocity) this.extremes.push(now, price);
  }
}

function intIn(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new ConfigError(field, `must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  }
  return v;
}

interface Luld {
  /** 0 with a tier */
  bandBp: number;
  /** 0 = band_bp; 1 or 2 = the LULD plan's tiers */
  tier: number;
  windowUs: number;
  limitStateUs: number;
  haltUs: number;
  moveBp: number;
  /** local time of day (µs) window of doubled bands; doubleUntil 0 = none */
  doubleFrom: number;
  doubleUntil: number;
  closePauseUs: number;
  /** local time of day (µs) hours of the band; until 0 = always */
  from: number;
  until: number;
}

function luldConfig(l: LuldConfig, where: string): Luld {
  if (typeof l !== 'object' || l === null) throw new ConfigError(where, 'must be an object');
  if ((l.band_bp === undefined) === (l.tier === undefined)) throw new ConfigError(`${where}.band_bp`, 'give band_bp or tier, one of them');
  if (l.tier !== undefined && l.tier !== 1 && l.tier !== 2) throw new ConfigError(`${where}.tier`, `must be 1 or 2, got ${JSON.stringify(l.tier)}`);
  const doubleFrom = l.double_from === undefined ? 0 : timeOfDay(l.double_from, `${where}.double_from`);
  const doubleUntil = l.double_until === undefined ? 0 : timeOfDay(l.double_until, `${where}.double_until`);
  if ((l.double_from === undefined) !== (l.double_until === undefined) || (l.double_until !== undefined && doubleUntil <= doubleFrom)) {
    throw new ConfigError(`${where}.double_until`, 'give double_from and double_until together, until after from');
  }
  if ((l.from === undefined) !== (l.until === undefined) || (l.until !== undefined && timeOfDay(l.until, `${where}.until`) <= timeOfDay(l.from, `${where}.from`))) {
    throw new ConfigError(`${where}.until`, 'give from and until together, until after from');
  }
  return {
    bandBp: l.band_bp === undefined ? 0 : bp(l.band_bp, `${where}.band_bp`),
    tier: l.tier ?? 0,
    windowUs: ms(l.window_ms, `${where}.window_ms`, 300_000) * MS,
    limitStateUs: ms(l.limit_state_ms, `${where}.limit_state_ms`, 15_000, 0) * MS,
    haltUs: ms(l.halt_ms, `${where}.halt_ms`, 300_000) * MS,
    moveBp: l.reference_move_bp === undefined ? 0 : intIn(l.reference_move_bp, `${where}.reference_move_bp`, 0, 10_000),
    doubleFrom,
    doubleUntil,
    closePauseUs: ms(l.close_pause_ms, `${where}.close_pause_ms`, 0, 0) * MS,
    from: l.from === undefined ? 0 : timeOfDay(l.from, `${where}.from`),
    until: l.until === undefined ? 0 : timeOfDay(l.until, `${where}.until`),
  };
}
