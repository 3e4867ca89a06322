// Informed takers: they see the fair value `lead_ms` ahead of everyone and
// take only quotes that are stale against it (better than the future value by
// edge_bp), with IOC limits at that value. Arrivals are Poisson at
// share/(1 − share) × the noise flow's mean rate, so share_pct is the
// toxicity knob: the share of taker orders that are informed (when there is
// an edge to take; the measured share is in the run's summary).
import { Side } from '../../engine/types.ts';
import { Hawkes } from '../hawkes.ts';
import { askPx, bidPx, qtyFor, TimedAgent, waitUs, type SymbolState } from './context.ts';
import { sendIoc, touch } from './taker.ts';

export class InformedTakers extends TimedAgent {
  readonly type = 'informed' as const;

  /** The longest look-ahead the price process must keep. */
  static maxLeadUs(p: { lead_ms: number }): number {
    return Math.round(p.lead_ms * 1000);
  }

  protected begin(): void {
    this.ctx.symbols.forEach((s, i) => this.repeat(i, () => waitUs(this.rng, this.rate()), () => this.trade(s)));
  }

  private rate(): number {
    const { informed: p, noise: n } = this.ctx.params;
    const share = p.share_pct / 100;
    return (share / (1 - share)) * Hawkes.meanRate(n.rate_per_s, n.branching) * this.ctx.flowMult();
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
