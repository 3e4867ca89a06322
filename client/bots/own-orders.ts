// The bot's own resting orders, from its ExecutionReports, so it can see the
// book as others made it. A quoter that read its own quotes back as "the
// market" would chase itself: an inventory skew moves its quotes, which move
// the mid, which moves the quotes again, without end.
//
// Reports and market data arrive by different roads: when the feed is slower
// than order entry, the report of a new quote comes while the book still
// shows the old one. Taking out only what rests now would make the old quote
// look like someone else's and the bot would chase it (one requote per
// report, for as long as the feed lags). So each order keeps its recent
// states by exchange time, and a book as of time T loses what rested at T.
import type { BookLevel } from '../local-book.ts';
import type { ExecutionReport } from '../reports.ts';
import type { MarketView } from './quoting.ts';

/** An order's state from an exchange time on: its price and what was left of it. */
interface State {
  time: number;
  price: number;
  leaves: number;
}

interface Own {
  side: 'buy' | 'sell';
  /** oldest first; the last is the state now */
  states: State[];
}

/** Orders kept for a lagging book; beyond this, those that ended go first. */
const MAX_TRACKED = 1000;

export class OwnOrders {
  private readonly orders = new Map<number, Own>();

  constructor(readonly symbol: string) {}

  /** Every ExecutionReport of the account; reports for other symbols are ignored. */
  onReport(r: ExecutionReport): void {
    if (r.symbol !== this.symbol || r.orderId === 0) return;
    const open = (r.ordStatus === 'new' || r.ordStatus === 'partially_filled') && r.raw.leaves_qty > 0;
    let o = this.orders.get(r.orderId);
    if (!o) {
      if (!open) return;
      this.orders.set(r.orderId, (o = { side: r.side, states: [] }));
    }
    o.states.push({ time: r.transactTime, price: r.raw.price, leaves: open ? r.raw.leaves_qty : 0 });
    if (this.orders.size > MAX_TRACKED) this.forgetEnded(-Infinity);
  }

  /** After a cancel-on-disconnect nothing of ours rests (the replayed CANCELED reports confirm it later). */
  clear(): void {
    this.orders.clear();
  }

  /** Orders resting now. */
  get size(): number {
    let n = 0;
    for (const o of this.orders.values()) if (o.states[o.states.length - 1].leaves > 0) n++;
    return n;
  }

  /**
   * Best bid and ask with our own quantity taken out of each level, for a
   * book as of exchange time `asOf` (µs; Infinity: as of now).
   */
  externalView(bids: readonly BookLevel[], asks: readonly BookLevel[], asOf = Infinity): MarketView {
    const view = { bestBid: this.firstForeign(bids, 'buy', asOf), bestAsk: this.firstForeign(asks, 'sell', asOf) };
    if (asOf !== Infinity) this.forgetEnded(asOf);
    return view;
  }

  private firstForeign(levels: readonly BookLevel[], side: 'buy' | 'sell', asOf: number): number | null {
    for (const l of levels) {
      let mine = 0;
      for (const o of this.orders.values()) {
        if (o.side !== side) continue;
        const s = stateAt(o, asOf);
        if (s && s.price === l.price) mine += s.leaves;
      }
      if (l.qty > mine) return l.price;
    }
    return null;
  }

  /** Drops states no book will be as of again (the feed moves forward), and orders that had ended by then. */
  private forgetEnded(asOf: number): void {
    for (const [id, o] of this.orders) {
      const s = o.states;
      let i = 0;
      while (i + 1 < s.length && s[i + 1].time <= asOf) i++;
      if (i > 0) s.splice(0, i);
      const last = s[s.length - 1];
      if (last.leaves === 0 && (last.time <= asOf || asOf === -Infinity)) this.orders.delete(id);
    }
  }
}

/** The order's state at `time` (undefined: it did not exist yet). */
function stateAt(o: Own, time: number): State | undefined {
  let found: State | undefined;
  for (const s of o.states) {
    if (s.time > time) break;
    found = s;
  }
  return found;
}
