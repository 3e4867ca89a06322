// Informed takers: they see the fair value `lead_ms` ahead of everyone and
// take only quotes that are stale against it (better than the future value by
// edge_bp), with IOC limits at that value. Arrivals are Poisson at
// share/(1 − share) × the noise flow's mean rate, so share_pct is the
// toxicity knob: the share of taker orders that are informed (when there is
// an edge to take; the measured share is in the run's summary).
import { Side } from '../../engine/types.ts';
import { Hawkes } from '../hawkes.ts';
import type { Rng } from '../rng.ts';
import type { Timer } from '../scheduler.ts';
import { askPx, bidPx, qtyFor, waitUs, type Agent, type MarketContext, type SymbolState } from './context.ts';
import { sendIoc, touch } from './taker.ts';

export class InformedTakers implements Agent {
  readonly type = 'informed' as const;
  private readonly timers: (Timer | null)[];
  private running = false;

  constructor(private readonly ctx: MarketContext, readonly account: number, private readonly rng: Rng) {
    this.timers = ctx.symbols.map(() => null);
  }

  /** The longest look-ahead the price process must keep. */
  static maxLeadUs(p: { lead_ms: number }): number {
    return Math.round(p.lead_ms * 1000);
  }

  start(): void {
    this.running = true;
    this.ctx.symbols.forEach((s, i) => this.schedule(s, i));
  }

  stop(): void {
    this.running = false;
    for (const t of this.timers) if (t) this.ctx.scheduler.cancel(t);
  }

  private rate(): number {
    const { informed: p, noise: n } = this.ctx.params;
    const share = p.share_pct / 100;
    return (share / (1 - share)) * Hawkes.meanRate(n.rate_per_s, n.branching) * this.ctx.flowMult();
  }

  private schedule(s: SymbolState, i: number): void {
    if (!this.running) return;
    const w = waitUs(this.rng, this.rate());
    this.timers[i] = this.ctx.scheduler.after(w === Infinity ? 1_000_000 : w, () => {
      if (w !== Infinity) this.trade(s);
      this.schedule(s, i);
    });
  }

  private trade(s: SymbolState): void {
    const p = this.ctx.params.informed;
    const now = this.ctx.scheduler.now();
    const future = this.ctx.process.value(s.pi, now + p.lead_ms * 1000);
    const edge = p.edge_bp * 1e-4;
    const ask = touch(this.ctx, s, Side.BUY);
    const bid = touch(this.ctx, s, Side.SELL);
    let side: Side;
    let limit: number;
    if (ask > 0 && ask < future * (1 - edge)) {
      side = Side.BUY;
      limit = bidPx(s.inst, future * (1 - edge));
    } else if (bid > 0 && bid > future * (1 + edge)) {
      side = Side.SELL;
      limit = askPx(s.inst, future * (1 + edge));
    } else return;
    const qty = qtyFor(s.inst, this.rng.lognormal(p.median_notional, p.size_sigma), future);
    sendIoc(this.ctx, this.account, s, side, qty, limit);
  }
}
