// A background market maker (domain.md §2): a ladder of post-only limit
// orders around its own estimate of the fair value — late by its lag, off by
// its own slowly varying error — with a half-spread of spread_k × σ̂ × √horizon
// (≈ 0.75 σ per side), σ̂ its running estimate of volatility; size thinned as
// σ̂ rises and pulled altogether above withdraw_sigma; an inventory skew of the
// reservation price and a stop on the side that would add past the inventory
// limit; inventory is hedged off-book over time. Filled levels refill at the next re-quote. A scenario withdrawal
// cancels both sides at once (one mass cancel) and shows less depth after.
import type { FillEvent, OrderEvent } from '../../engine/events.ts';
import { OrderEventKind } from '../../engine/events.ts';
import { OrdType, Side, TimeInForce } from '../../engine/types.ts';
import type { Rng } from '../rng.ts';
import type { Timer } from '../scheduler.ts';
import { allowedRange, askPx, bidPx, notionalOf, qtyFor, type Agent, type MarketContext, type SymbolState } from './context.ts';

const BP = 1e-4;

/** One side's levels on one symbol: order id (0 = none), price, total order qty, leaves. */
class Ladder {
  readonly ids: Float64Array;
  readonly px: Float64Array;
  readonly qty: Float64Array;
  readonly leaves: Float64Array;
  /** signed inventory, qty units */
  inventory = 0;
  /** estimate error (log) and the lagged value and time it last saw */
  noise = 0;
  lastLog = NaN;
  lastT = 0;
  /** EWMA of squared log returns per second, bp² / s */
  sigVar: number;
  lastEst = 0;

  constructor(readonly s: SymbolState, levels: number, calmSigma: number) {
    this.ids = new Float64Array(2 * levels);
    this.px = new Float64Array(2 * levels);
    this.qty = new Float64Array(2 * levels);
    this.leaves = new Float64Array(2 * levels);
    this.sigVar = calmSigma * calmSigma;
  }

  slotOf(orderId: number): number {
    const ids = this.ids;
    for (let k = 0; k < ids.length; k++) if (ids[k] === orderId) return k;
    return -1;
  }

  /** Quote-currency notional resting on both sides. */
  shown(): number {
    let n = 0;
    for (let k = 0; k < this.ids.length; k++) if (this.ids[k] !== 0) n += notionalOf(this.s.inst, this.leaves[k], this.px[k]);
    return n;
  }
}

export class Maker implements Agent {
  readonly type = 'maker' as const;
  private readonly ladders: Ladder[];
  private readonly lagUs: number;
  private timer: Timer | null = null;
  private running = false;
  /** the share of normal depth this maker shows (scenario withdraw / restore) */
  depthPct: number;
  private pulled = false;
  /** the share of its normal size the maker showed at its last re-quote (0 = pulled): the market's impact scales with it */
  sizeShare = 1;

  constructor(private readonly ctx: MarketContext, readonly account: number, private readonly rng: Rng) {
    const p = ctx.params.makers;
    this.lagUs = Math.round((p.lag_min_ms + rng.next() * (p.lag_max_ms - p.lag_min_ms)) * 1000);
    this.depthPct = p.depth_pct;
    this.ladders = ctx.symbols.map((s) => new Ladder(s, p.levels, p.calm_sigma_bp_s));
  }

  /** The largest lag any maker may use (the price process keeps that much history). */
  static maxLagUs(p: { lag_max_ms: number }): number {
    return Math.round(p.lag_max_ms * 1000);
  }

  start(): void {
    this.running = true;
    this.requote(); // the book is there from the first instant
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer) this.ctx.scheduler.cancel(this.timer);
  }

  /** Scenario withdrawal or restoration: cancels everything at once, then re-quotes at the new depth. */
  setDepth(pct: number): void {
    const cut = pct < this.depthPct;
    this.depthPct = pct;
    if (cut) this.cancelAll();
    this.requote();
  }

  /** Notional this maker shows now (both sides, all symbols). */
  shown(): number {
    let n = 0;
    for (const l of this.ladders) n += l.shown();
    return n;
  }

  private schedule(): void {
    if (!this.running) return;
    const mean = this.ctx.params.makers.refresh_ms * 1000;
    this.timer = this.ctx.scheduler.after(Math.max(1, Math.round(this.rng.exp(mean))), () => {
      this.requote();
      this.schedule();
    });
  }

  private cancelAll(): void {
    this.ctx.commands++;
    this.ctx.exchange.massCancelOrders(this.account, '');
    for (const l of this.ladders) l.ids.fill(0);
  }

  private requote(): void {
    const p = this.ctx.params.makers;
    const now = this.ctx.scheduler.now();
    for (const l of this.ladders) this.quote(l, p, now);
  }

  private quote(l: Ladder, p: MarketContext['params']['makers'], now: number): void {
    const levels = l.ids.length >> 1;
    const proc = this.ctx.process;
    const seen = proc.logValue(l.s.pi, now - this.lagUs);
    // volatility from what the maker saw (its estimate error excluded: it does not know it)
    if (!Number.isNaN(l.lastLog) && now > l.lastT) {
      const dt = (now - l.lastT) / 1e6;
      const r = (seen - l.lastLog) / BP;
      const w = 1 - Math.exp((-dt * Math.LN2) / p.sigma_halflife_s);
      l.sigVar += w * ((r * r) / dt - l.sigVar);
      const decay = Math.exp(-dt / 30);
      l.noise = l.noise * decay + p.noise_bp * BP * Math.sqrt(1 - decay * decay) * this.rng.normal();
      if (p.hedge_halflife_s > 0) l.inventory = Math.trunc(l.inventory * Math.exp((-dt * Math.LN2) / p.hedge_halflife_s));
    }
    l.lastLog = seen;
    l.lastT = now;
    const sigma = Math.sqrt(l.sigVar);
    const pull = sigma > p.withdraw_sigma_bp_s || this.depthPct <= 0;
    if (pull) {
      if (!this.pulled) this.cancelAll();
      this.pulled = true;
      this.sizeShare = 0;
      return;
    }
    this.pulled = false;
    const est = Math.exp(seen + l.noise);
    const inst = l.s.inst;
    const hs = Math.max(p.min_half_spread_bp, p.spread_k * sigma * Math.sqrt(p.horizon_s)) * p.spread_mult;
    const thin = sigma > p.calm_sigma_bp_s ? Math.pow(p.calm_sigma_bp_s / sigma, p.thin_power) : 1;
    const sizeMult = (this.depthPct / 100) * thin;
    this.sizeShare = sizeMult;
    const invNotional = notionalOf(inst, l.inventory, est);
    const invFrac = p.max_inventory_notional > 0 ? Math.max(-1, Math.min(1, invNotional / p.max_inventory_notional)) : 0;
    const r = est * (1 - invFrac * p.skew * hs * BP);
    const requote = Math.max(1, est * p.requote_bp * BP);
    const up = est >= l.lastEst;
    l.lastEst = est;
    const band = allowedRange(this.ctx, l.s);
    // move the side away from the new price first, so the ladder never crosses itself
    for (let pass = 0; pass < 2; pass++) {
      const side = (pass === 0) === up ? Side.SELL : Side.BUY;
      const blocked = side === Side.BUY ? invFrac >= 1 : invFrac <= -1;
      for (let k = 0; k < levels; k++) {
        const off = (hs + k * p.level_step * hs) * BP;
        let target = side === Side.BUY ? bidPx(inst, r * (1 - off)) : askPx(inst, r * (1 + off));
        // inside the venue's band: pulled in only if still on its own side of the estimate (or to shed a large inventory), else that level stays empty
        let inBand = true;
        if (target < band.lo) {
          target = band.lo;
          inBand = side === Side.SELL || (k === 0 && (target <= est * (1 - p.min_half_spread_bp * BP) || invFrac <= -0.5));
        } else if (target > band.hi) {
          target = band.hi;
          inBand = side === Side.BUY || (k === 0 && (target >= est * (1 + p.min_half_spread_bp * BP) || invFrac >= 0.5));
        }
        const size = blocked || !inBand ? 0 : qtyFor(inst, p.level_notional * (1 + k * p.size_growth) * sizeMult, target);
        this.place(l, side === Side.BUY ? k : levels + k, side, target, size, requote);
      }
    }
  }

  /** Brings one slot to price × size with the fewest commands: nothing, a replace, a new order or a cancel. */
  private place(l: Ladder, k: number, side: Side, price: number, size: number, requote: number): void {
    const ex = this.ctx.exchange;
    const symbol = l.s.symbol;
    const id = l.ids[k];
    if (size === 0) {
      if (id !== 0) {
        this.ctx.commands++;
        ex.cancel({ account: this.account, symbol, orderId: id });
        l.ids[k] = 0;
      }
      return;
    }
    if (id === 0) {
      this.ctx.commands++;
      const nid = ex.newOrder({ account: this.account, symbol, side, ordType: OrdType.LIMIT, tif: TimeInForce.GTC, price, qty: size, postOnly: true });
      if (nid !== 0) {
        l.ids[k] = nid;
        l.px[k] = price;
        l.qty[k] = size;
        l.leaves[k] = size;
      }
      return;
    }
    const leaves = l.leaves[k];
    if (Math.abs(l.px[k] - price) < requote && leaves * 2 >= size && leaves <= size * 2) return;
    const cum = l.qty[k] - leaves;
    this.ctx.commands++;
    l.px[k] = price;
    l.qty[k] = cum + size;
    l.leaves[k] = size;
    // a replace that now crosses trades (the fills arrive during the call); one that fails leaves the slot empty
    if (ex.replace({ account: this.account, symbol, orderId: id, price, qty: cum + size }) === 0) {
      this.ctx.commands++;
      ex.cancel({ account: this.account, symbol, orderId: id });
      l.ids[k] = 0;
    }
  }

  onFill(e: FillEvent, maker: boolean): void {
    const l = this.ladderOf(e.symbol);
    if (!l) return;
    const orderId = maker ? e.makerOrderId : e.takerOrderId;
    const bought = maker ? e.aggressorSide === Side.SELL : e.aggressorSide === Side.BUY;
    l.inventory += bought ? e.qty : -e.qty;
    const k = l.slotOf(orderId);
    if (k < 0) return;
    l.leaves[k] -= e.qty;
    if (l.leaves[k] <= 0) l.ids[k] = 0;
  }

  onOrder(e: OrderEvent): void {
    if (e.kind !== OrderEventKind.CANCELLED) return;
    const l = this.ladderOf(e.symbol);
    const k = l ? l.slotOf(e.orderId) : -1;
    if (l && k >= 0) l.ids[k] = 0;
  }

  private ladderOf(symbol: string): Ladder | undefined {
    for (const l of this.ladders) if (l.s.symbol === symbol) return l;
    return undefined;
  }
}
