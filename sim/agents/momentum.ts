// Momentum followers: now and then they look at the mid's return over the
// lookback and, past a threshold, buy a rise or sell a fall with a market
// order sized by how far past the threshold it went.
import { Side } from '../../engine/types.ts';
import { qtyFor, TimedAgent, waitUs, type SymbolState } from './context.ts';
import { sendMarket } from './taker.ts';

export class MomentumFollowers extends TimedAgent {
  readonly type = 'momentum' as const;

  protected begin(): void {
    this.repeat(0, () => waitUs(this.rng, this.ctx.params.momentum.rate_per_s), () => {
      for (const s of this.ctx.symbols) this.check(s);
    });
  }

  private check(s: SymbolState): void {
    const p = this.ctx.params.momentum;
    const now = this.ctx.midAgo(s, 0);
    const then = this.ctx.midAgo(s, p.lookback_s);
    if (now === 0 || then === 0) return;
    const ret = (now / then - 1) * 1e4;
    const excess = Math.abs(ret) - p.threshold_bp;
    if (excess <= 0) return;
    const notional = Math.min(p.max_notional, p.notional_per_bp * excess);
    sendMarket(this.ctx, this.account, s, ret > 0 ? Side.BUY : Side.SELL, qtyFor(s.inst, notional, now));
  }
}
