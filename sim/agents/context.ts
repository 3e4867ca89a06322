// What every agent sees of the simulated market: the exchange it trades on
// (through the ordinary command path), the scheduler, the latent price
// process, live parameters and the per-symbol state the market keeps.
import type { Exchange } from '../../gateway/exchange.ts';
import type { FillEvent, OrderEvent } from '../../engine/events.ts';
import { ceilToTick, floorToTick, type Instrument } from '../../engine/instrument.ts';
import type { Scheduler, Timer } from '../scheduler.ts';
import type { PriceProcess } from '../price-process.ts';
import type { Rng } from '../rng.ts';
import type { AgentParams, ImpactParams } from '../params.ts';

/** The labels fills are attributed by. */
export type AgentType = 'maker' | 'noise' | 'informed' | 'momentum' | 'liquidation' | 'rival';

/** A simulated instrument: its engine reference data and what the market tracks of it. */
export interface SymbolState {
  readonly symbol: string;
  readonly inst: Instrument;
  /** index in the price process */
  readonly pi: number;
  /** last trade price (price units; 0 before any) */
  lastTrade: number;
  /** mid samples, one per simulated second, in a ring (0 = no two-sided book then) */
  readonly mids: Float64Array;
  /** number of samples taken */
  samples: number;
}

export interface Agent {
  readonly type: AgentType;
  readonly account: number;
  start(): void;
  stop(): void;
  /** a fill of one of this agent's orders (`maker`: its order was resting) */
  onFill?(e: FillEvent, maker: boolean): void;
  /** an order event of this agent's account (cancels, rejects) */
  onOrder?(e: OrderEvent): void;
}

export interface MarketContext {
  readonly exchange: Exchange;
  readonly scheduler: Scheduler;
  readonly process: PriceProcess;
  readonly symbols: readonly SymbolState[];
  /** live parameters: timeline `set` events change them in place */
  readonly params: AgentParams;
  readonly impact: ImpactParams;
  /** agent commands sent so far */
  commands: number;
  /** the arrival-rate multiplier of the current regime */
  flowMult(): number;
  /** the instrument's mid `secondsAgo` seconds ago from the 1-s samples (0 if unknown) */
  midAgo(s: SymbolState, secondsAgo: number): number;
}

export const MID_RING = 3600;

/** A quantity (qty units, on the lot grid) worth about `notional` of quote currency at `price` (price units); 0 if below the minimums. */
export function qtyFor(inst: Instrument, notional: number, price: number): number {
  if (!(price > 0) || !(notional > 0)) return 0;
  const pxQuote = price / 10 ** inst.priceScale;
  let q = Math.floor((notional / pxQuote) * 10 ** inst.qtyScale);
  q -= q % inst.lot;
  if (q > inst.maxQty) q = inst.maxQty - (inst.maxQty % inst.lot);
  if (q < inst.minQty) return 0;
  if (inst.minNotional > 0 && q * Math.round(price) * inst.notionalMultiplier < inst.minNotional) return 0;
  return q;
}

/** Quote-currency notional of qty units at price units. */
export const notionalOf = (inst: Instrument, qty: number, price: number): number =>
  (qty / 10 ** inst.qtyScale) * (price / 10 ** inst.priceScale);

/** A bid price on the tick grid at or below `p` (clamped into the instrument's range). */
export function bidPx(inst: Instrument, p: number): number {
  const c = Math.min(Math.max(Math.floor(p), inst.minPrice), inst.maxPrice);
  return floorToTick(inst, c);
}

/** An ask price on the tick grid at or above `p` (clamped into the instrument's range). */
export function askPx(inst: Instrument, p: number): number {
  const c = Math.min(Math.max(Math.ceil(p), inst.minPrice), inst.maxPrice);
  const a = ceilToTick(inst, c);
  return a > inst.maxPrice ? floorToTick(inst, inst.maxPrice) : a;
}

/** The prices a limit order may carry now (the static percent band and the daily limits); agents keep inside it rather than be rejected. */
export function allowedRange(ctx: MarketContext, s: SymbolState): { lo: number; hi: number } {
  let lo = s.inst.minPrice;
  let hi = s.inst.maxPrice;
  const pc = ctx.exchange.engine.priceControls(s.symbol);
  const rules = ctx.exchange.instrumentRulesOf(s.symbol);
  const bs = rules.price_band_by_side;
  const up = bs ? Math.min(bs.bid_up_bp, bs.ask_up_bp) : rules.price_band_bp;
  const down = bs ? Math.min(bs.bid_down_bp, bs.ask_down_bp) : rules.price_band_bp;
  if (pc && pc.referencePrice > 0 && up !== undefined && down !== undefined) {
    lo = Math.max(lo, Math.ceil(pc.referencePrice * (1 - down / 1e4)));
    hi = Math.min(hi, Math.floor(pc.referencePrice * (1 + up / 1e4)));
  }
  if (pc?.dailyLimits) {
    lo = Math.max(lo, pc.dailyLimits.lower);
    hi = Math.min(hi, pc.dailyLimits.upper);
  }
  return { lo: askPx(s.inst, lo), hi: bidPx(s.inst, hi) };
}

/** Exponential waiting time in µs for a rate per second (Infinity for rate 0). */
export const waitUs = (rng: { exp(mean: number): number }, ratePerS: number): number =>
  ratePerS > 0 ? Math.max(1, Math.round(rng.exp(1e6 / ratePerS))) : Infinity;

/**
 * An agent driven by repeating timers: `repeat` runs `fn` after each delay
 * `next()` returns (µs; Infinity = nothing to do now, look again in a second)
 * until the agent stops. One timer per slot (e.g. per symbol).
 */
export abstract class TimedAgent implements Agent {
  abstract readonly type: AgentType;
  private readonly timers: (Timer | null)[] = [];
  private running = false;

  constructor(protected readonly ctx: MarketContext, readonly account: number, protected readonly rng: Rng) {}

  start(): void {
    this.running = true;
    this.begin();
  }

  stop(): void {
    this.running = false;
    for (const t of this.timers) if (t) this.ctx.scheduler.cancel(t);
  }

  /** Starts the agent's timers (with `repeat`). */
  protected abstract begin(): void;

  protected repeat(slot: number, next: () => number, fn: () => void): void {
    if (!this.running) return;
    const w = next();
    this.timers[slot] = this.ctx.scheduler.after(w === Infinity ? 1_000_000 : Math.max(1, w), () => {
      if (w !== Infinity) fn();
      this.repeat(slot, next, fn);
    });
  }
}
