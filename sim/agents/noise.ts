// Noise takers: uninformed flow standing for many small traders. Arrivals are
// a Hawkes process per symbol (clustering; rate × the regime's flow_mult),
// sizes heavy-tailed (lognormal body, Pareto tail), sides at random; a share
// are market orders, the rest IOC limits a few bp through the touch.
import { Side } from '../../engine/types.ts';
import { Hawkes } from '../hawkes.ts';
import type { Rng } from '../rng.ts';
import { askPx, bidPx, qtyFor, TimedAgent, type SymbolState } from './context.ts';
import { sendIoc, sendMarket, touch } from './taker.ts';
import type { NoiseParams } from '../params.ts';

/** A heavy-tailed order notional: lognormal body, Pareto tail, capped. */
export function drawNotional(rng: Rng, p: NoiseParams): number {
  const n = rng.chance(p.tail_pct / 100) ? rng.pareto(p.tail_min_notional, p.tail_alpha) : rng.lognormal(p.median_notional, p.size_sigma);
  return Math.min(n, p.max_notional);
}

export class NoiseTakers extends TimedAgent {
  readonly type = 'noise' as const;
  private hawkes: Hawkes[] = [];

  protected begin(): void {
    const p = this.ctx.params.noise;
    const sched = this.ctx.scheduler;
    const t0 = sched.now();
    this.hawkes = this.ctx.symbols.map(() => new Hawkes(this.rng, p.branching, p.decay_s));
    this.ctx.symbols.forEach((s, i) => {
      const h = this.hawkes[i];
      this.repeat(i, () => {
        const next = h.next(this.ctx.params.noise.rate_per_s * this.ctx.flowMult());
        // no flow now: the process waits a second (a `set` or a regime change may restart it)
        if (next === Infinity) h.skipTo((sched.now() - t0) / 1e6 + 1);
        return next === Infinity ? Infinity : t0 + Math.round(next * 1e6) - sched.now();
      }, () => this.trade(s));
    });
  }

  private trade(s: SymbolState): void {
    const p = this.ctx.params.noise;
    const side = this.rng.chance(0.5) ? Side.BUY : Side.SELL;
    const fv = this.ctx.process.value(s.pi, this.ctx.scheduler.now());
    const qty = qtyFor(s.inst, drawNotional(this.rng, p), fv);
    if (qty === 0) return;
    const market = this.rng.chance(p.market_pct / 100);
    const best = touch(this.ctx, s, side);
    if (best === 0) return;
    // the furthest from the fair value they will trade (a thin book is not swept to the venue's protection price)
    const bound = side === Side.BUY ? bidPx(s.inst, fv * (1 + p.max_slip_bp * 1e-4)) : askPx(s.inst, fv * (1 - p.max_slip_bp * 1e-4));
    const through = side === Side.BUY ? best > bound : best < bound;
    if (market && !through) {
      sendMarket(this.ctx, this.account, s, side, qty);
      return;
    }
    const limit = side === Side.BUY ? askPx(s.inst, best * (1 + p.slippage_bp * 1e-4)) : bidPx(s.inst, best * (1 - p.slippage_bp * 1e-4));
    sendIoc(this.ctx, this.account, s, side, qty, side === Side.BUY ? Math.min(limit, bound) : Math.max(limit, bound));
  }
}
