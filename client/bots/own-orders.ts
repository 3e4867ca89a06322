// The bot's own resting orders, from its ExecutionReports, so it can see the
// book as others made it. A quoter that read its own quotes back as "the
// market" would chase itself: an inventory skew moves its quotes, which move
// the mid, which moves the quotes again, without end.
import type { BookLevel } from '../local-book.ts';
import type { ExecutionReport } from '../reports.ts';
import type { MarketView } from './quoting.ts';

interface Resting {
  side: 'buy' | 'sell';
  price: number;
  leaves: number;
}

export class OwnOrders {
  private readonly live = new Map<number, Resting>();

  constructor(readonly symbol: string) {}

  /** Every ExecutionReport of the account; reports for other symbols are ignored. */
  onReport(r: ExecutionReport): void {
    if (r.symbol !== this.symbol || r.orderId === 0) return;
    const open = (r.ordStatus === 'new' || r.ordStatus === 'partially_filled') && r.raw.leaves_qty > 0;
    if (open) this.live.set(r.orderId, { side: r.side, price: r.raw.price, leaves: r.raw.leaves_qty });
    else this.live.delete(r.orderId);
  }

  /** After a cancel-on-disconnect nothing of ours rests (the replayed CANCELED reports confirm it later). */
  clear(): void {
    this.live.clear();
  }

  get size(): number {
    return this.live.size;
  }

  /** Best bid and ask with our own quantity taken out of each level. */
  externalView(bids: readonly BookLevel[], asks: readonly BookLevel[]): MarketView {
    return { bestBid: this.firstForeign(bids, 'buy'), bestAsk: this.firstForeign(asks, 'sell') };
  }

  private firstForeign(levels: readonly BookLevel[], side: 'buy' | 'sell'): number | null {
    for (const l of levels) {
      let mine = 0;
      for (const o of this.live.values()) if (o.side === side && o.price === l.price) mine += o.leaves;
      if (l.qty > mine) return l.price;
    }
    return null;
  }
}
