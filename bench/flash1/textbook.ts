// The comparison for `npm run bench:engine -- --compare`: a textbook
// price-time FIFO over the same workloads and the same report log — a sorted
// price array per side (best last, binary search), a Map from price to a FIFO
// array of orders (cancelled orders are skipped lazily), a Map from order id to
// order. No accounts, fees, rules, validation or market data: the simplest
// correct matcher, to show what the engine's extra work costs.
import { MSG_CANCEL, MSG_NEW, type Workload } from './workload.ts';
import { ReportLog, R_ACK, R_CANCEL_ACK, R_CANCEL_REJECT, R_MODIFY_ACK, R_MODIFY_REJECT, R_TRADE } from './reports.ts';
import { cpuSince, type ReplayResult } from './replay.ts';

interface Order { id: number; side: number; price: number; qty: number; live: boolean }
interface Level { orders: Order[]; head: number; qty: number }

class Side {
  readonly prices: number[] = []; // worst … best
  readonly levels = new Map<number, Level>();
  constructor(readonly sign: number) {} // +1 bids, -1 asks

  add(o: Order): void {
    let lvl = this.levels.get(o.price);
    if (lvl === undefined) {
      lvl = { orders: [], head: 0, qty: 0 };
      this.levels.set(o.price, lvl);
      const k = o.price * this.sign;
      let lo = 0, hi = this.prices.length;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (this.prices[mid] * this.sign < k) lo = mid + 1; else hi = mid; }
      this.prices.splice(lo, 0, o.price);
    }
    lvl.orders.push(o);
    lvl.qty += o.qty;
  }

  /** Drops the level at `price` if no live order is left in it. */
  tidy(price: number, lvl: Level): void {
    if (lvl.qty > 0) return;
    this.levels.delete(price);
    const k = price * this.sign;
    let lo = 0, hi = this.prices.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (this.prices[mid] * this.sign < k) lo = mid + 1; else hi = mid; }
    this.prices.splice(lo, 1);
  }
}

export class TextbookBook {
  private readonly sides = [new Side(1), new Side(-1)];
  private readonly byId = new Map<number, Order>();
  constructor(readonly log: ReportLog) {}

  /** Matches o (at message seq) against the other side, then rests what is left unless ioc. */
  private enter(seq: number, o: Order, ioc: boolean): void {
    const opp = this.sides[1 - o.side];
    while (o.qty > 0 && opp.prices.length > 0) {
      const best = opp.prices[opp.prices.length - 1];
      if ((best - o.price) * opp.sign < 0) break;
      const lvl = opp.levels.get(best) as Level;
      while (o.qty > 0 && lvl.head < lvl.orders.length) {
        const m = lvl.orders[lvl.head];
        if (!m.live) { lvl.head++; continue; }
        const q = Math.min(o.qty, m.qty);
        m.qty -= q; o.qty -= q; lvl.qty -= q;
        this.log.push(R_TRADE, seq, best, q, m.id, o.id);
        if (m.qty === 0) { m.live = false; this.byId.delete(m.id); lvl.head++; }
      }
      opp.tidy(best, lvl);
    }
    if (o.qty === 0) return;
    if (ioc) this.log.push(R_CANCEL_ACK, seq, o.side, o.id, o.price, 0);
    else { this.byId.set(o.id, o); this.sides[o.side].add(o); }
  }

  /** Takes a resting order out of the book. */
  private remove(o: Order): void {
    o.live = false;
    this.byId.delete(o.id);
    const side = this.sides[o.side];
    const lvl = side.levels.get(o.price) as Level;
    lvl.qty -= o.qty;
    side.tidy(o.price, lvl);
  }

  replay(w: Workload, count: number): void {
    for (let i = 0; i < count; i++) {
      const id = w.orderId[i];
      const t = w.type[i];
      if (t === MSG_NEW) {
        const o: Order = { id, side: w.side[i], price: w.price[i], qty: w.qty[i], live: true };
        this.log.push(R_ACK, i, o.side, id, o.price, o.qty);
        this.enter(i, o, w.ioc[i] === 1);
        continue;
      }
      const o = this.byId.get(id);
      if (o === undefined) this.log.push(t === MSG_CANCEL ? R_CANCEL_REJECT : R_MODIFY_REJECT, i, id, 0, 0, 0);
      else if (t === MSG_CANCEL) {
        this.remove(o);
        this.log.push(R_CANCEL_ACK, i, o.side, id, o.price, 0);
      } else {
        this.remove(o);
        const n: Order = { id, side: o.side, price: w.price[i], qty: w.qty[i], live: true };
        this.log.push(R_MODIFY_ACK, i, n.side, id, n.price, n.qty);
        this.enter(i, n, false);
      }
    }
  }
}

/** Replays the first `count` messages through a fresh textbook book, timed like replay(). */
export function replayTextbook(w: Workload, count = w.count, log = new ReportLog(count * 2)): Omit<ReplayResult, 'engine'> {
  log.clear();
  const book = new TextbookBook(log);
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  book.replay(w, count);
  return { log, seconds: Number(process.hrtime.bigint() - t0) / 1e9, cpuSeconds: cpuSince(c0) };
}
