// A fast rival maker: every few milliseconds it joins (or improves by a tick)
// the best bid and ask with one mass quote, but never closer to the current
// fair value than min_edge_bp — the competitor a bot meets at the touch.
import { Side } from '../../engine/types.ts';
import { tickAt } from '../../engine/instrument.ts';
import { askPx, bidPx, qtyFor, TimedAgent, type SymbolState } from './context.ts';
import { touch } from './taker.ts';

export class RivalMaker extends TimedAgent {
  readonly type = 'rival' as const;

  protected begin(): void {
    this.repeat(0, () => this.ctx.params.rival.refresh_ms * 1000 * (0.5 + this.rng.next()), () => {
      if (this.ctx.params.rival.enabled >= 1) for (const s of this.ctx.symbols) this.quote(s);
    });
  }

  private quote(s: SymbolState): void {
    const p = this.ctx.params.rival;
    const inst = s.inst;
    const fv = this.ctx.process.value(s.pi, this.ctx.scheduler.now());
    const bestBid = touch(this.ctx, s, Side.SELL);
    const bestAsk = touch(this.ctx, s, Side.BUY);
    if (bestBid === 0 || bestAsk === 0) return;
    const step = p.improve >= 1 ? 1 : 0;
    let bid = Math.min(bestBid + step * tickAt(inst, bestBid), bidPx(inst, fv * (1 - p.min_edge_bp * 1e-4)));
    let ask = Math.max(bestAsk - step * tickAt(inst, bestAsk), askPx(inst, fv * (1 + p.min_edge_bp * 1e-4)));
    if (bid >= bestAsk) bid = bestAsk - tickAt(inst, bestAsk);
    if (ask <= bestBid) ask = bestBid + tickAt(inst, bestBid);
    if (bid >= ask) return;
    const qty = qtyFor(inst, p.notional, fv);
    if (qty === 0) return;
    this.ctx.commands++;
    this.ctx.exchange.massQuote({ account: this.account, symbol: s.symbol, bidPx: bid, bidSize: qty, offerPx: ask, offerSize: qty });
  }
}
