// Momentum followers: now and then they look at the mid's return over the
// lookback and, past a threshold, buy a rise or sell a fall with a market
// order sized by how far past the threshold it went.
import { Side } from '../../engine/types.ts';
import type { Rng } from '../rng.ts';
import type { Timer } from '../scheduler.ts';
import { qtyFor, waitUs, type Agent, type MarketContext, type SymbolState } from './context.ts';
import { sendMarket } from './taker.ts';

export class MomentumFollowers implements Agent {
  readonly type = 'momentum' as const;
  private timer: Timer | null = null;
  private running = false;

  constructor(private readonly ctx: MarketContext, readonly account: number, private readonly rng: Rng) {}

  start(): void {
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer) this.ctx.scheduler.cancel(this.timer);
  }

  private schedule(): void {
    if (!this.running) return;
    const w = waitUs(this.rng, this.ctx.params.momentum.rate_per_s);
    this.timer = this.ctx.scheduler.after(w === Infinity ? 1_000_000 : w, () => {
      if (w !== Infinity) for (const s of this.ctx.symbols) this.check(s);
      this.schedule();
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
