// Forced liquidations (domain.md §1, §3): a population of leveraged positions
// held elsewhere (perpetual futures, margin), each with a liquidation price a
// little inside 1/leverage from its entry. The venue's liquidation engine
// polls the mark (the last trade price): every position whose liquidation
// price is crossed is closed by market orders on this book, in chunks. The
// sells move the price (and, through impact, the fair value), which crosses
// more liquidation prices: a cascade. With `adl`, what the book cannot absorb
// is closed off-book against the most profitable opposite positions
// (auto-deleveraging), as counted in the summary.
import type { FillEvent, OrderEvent } from '../../engine/events.ts';
import { Side } from '../../engine/types.ts';
import type { Rng } from '../rng.ts';
import type { Timer } from '../scheduler.ts';
import { notionalOf, qtyFor, type Agent, type MarketContext, type SymbolState } from './context.ts';
import { sendMarket } from './taker.ts';

interface Position {
  /** liquidation price, price units */
  liq: number;
  entry: number;
  /** quote currency */
  notional: number;
  expires: number;
}

const MAX_POSITIONS = 50_000;

class Book {
  /** longs by liquidation price, highest first; shorts lowest first */
  readonly longs: Position[] = [];
  readonly shorts: Position[] = [];
  /** liquidation notional waiting to be sold / bought */
  pendingSell = 0;
  pendingBuy = 0;
  constructor(readonly s: SymbolState) {}
}

/** Inserts keeping `arr` sorted so that arr[0] is the first to be triggered (`desc`: highest liq first). */
function insert(arr: Position[], p: Position, desc: boolean): void {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (desc ? arr[mid].liq >= p.liq : arr[mid].liq <= p.liq) lo = mid + 1;
    else hi = mid;
  }
  arr.splice(lo, 0, p);
}

export interface LiquidationStats {
  liquidatedLongs: number;
  liquidatedShorts: number;
  /** quote currency */
  liquidatedNotional: number;
  adlCount: number;
  adlNotional: number;
}

export class Liquidations implements Agent {
  readonly type = 'liquidation' as const;
  private readonly books: Book[];
  private poll: Timer | null = null;
  private refill: Timer | null = null;
  private running = false;
  private filled = 0;
  readonly stats: LiquidationStats = { liquidatedLongs: 0, liquidatedShorts: 0, liquidatedNotional: 0, adlCount: 0, adlNotional: 0 };

  constructor(private readonly ctx: MarketContext, readonly account: number, private readonly rng: Rng) {
    this.books = ctx.symbols.map((s) => new Book(s));
  }

  start(): void {
    this.running = true;
    this.topUp(100);
    this.scheduleRefill();
    this.schedulePoll();
  }

  stop(): void {
    this.running = false;
    if (this.poll) this.ctx.scheduler.cancel(this.poll);
    if (this.refill) this.ctx.scheduler.cancel(this.refill);
  }

  /** A scenario wave: positions whose liquidation prices spread evenly over `withinPct` of the fair value. */
  wave(notional: number, withinPct: number, longPct: number): void {
    const now = this.ctx.scheduler.now();
    const p = this.ctx.params.liquidations;
    for (const b of this.books) {
      const fv = this.ctx.process.value(b.s.pi, now);
      let left = notional;
      while (left > 0 && b.longs.length + b.shorts.length < MAX_POSITIONS) {
        const n = Math.min(left, this.rng.lognormal(p.median_notional * 5, 1));
        left -= n;
        const long = this.rng.chance(longPct / 100);
        const d = this.rng.next() * withinPct / 100;
        const liq = long ? fv * (1 - d) : fv * (1 + d);
        const pos = { liq, entry: fv, notional: n, expires: now + 3_600_000_000 };
        insert(long ? b.longs : b.shorts, pos, long);
      }
    }
  }

  private schedulePoll(): void {
    if (!this.running) return;
    this.poll = this.ctx.scheduler.after(Math.round(this.ctx.params.liquidations.poll_ms * 1000), () => {
      for (const b of this.books) this.check(b);
      this.schedulePoll();
    });
  }

  private scheduleRefill(): void {
    if (!this.running) return;
    this.refill = this.ctx.scheduler.after(Math.round(this.ctx.params.liquidations.replenish_s * 1e6), () => {
      this.topUp(this.ctx.params.liquidations.replenish_pct);
      this.scheduleRefill();
    });
  }

  /** Adds fresh positions at today's price, up to `pct` of open_notional more (never past it), and drops expired ones. */
  private topUp(pct: number): void {
    const p = this.ctx.params.liquidations;
    const now = this.ctx.scheduler.now();
    for (const b of this.books) {
      const keep = (x: Position): boolean => x.expires > now;
      b.longs.splice(0, b.longs.length, ...b.longs.filter(keep));
      b.shorts.splice(0, b.shorts.length, ...b.shorts.filter(keep));
      let open = 0;
      for (const x of b.longs) open += x.notional;
      for (const x of b.shorts) open += x.notional;
      const fv = this.ctx.process.value(b.s.pi, now);
      const mm = p.maintenance_pct / 100;
      const target = Math.min(p.open_notional, open + (p.open_notional * pct) / 100);
      while (open < target && b.longs.length + b.shorts.length < MAX_POSITIONS) {
        const n = this.rng.lognormal(p.median_notional, 1);
        open += n;
        const lev = p.leverage_min * Math.pow(p.leverage_max / p.leverage_min, this.rng.next());
        const long = this.rng.chance(p.long_pct / 100);
        const dist = Math.max(0.0005, 1 / lev - mm);
        const pos = { liq: long ? fv * (1 - dist) : fv * (1 + dist), entry: fv, notional: n, expires: now + Math.round(this.rng.exp(1800e6)) };
        insert(long ? b.longs : b.shorts, pos, long);
      }
    }
  }

  private check(b: Book): void {
    const mark = b.s.lastTrade || this.ctx.process.value(b.s.pi, this.ctx.scheduler.now());
    while (b.longs.length > 0 && b.longs[0].liq >= mark) {
      const x = b.longs.shift() as Position;
      b.pendingSell += x.notional;
      this.stats.liquidatedLongs++;
    }
    while (b.shorts.length > 0 && b.shorts[0].liq <= mark) {
      const x = b.shorts.shift() as Position;
      b.pendingBuy += x.notional;
      this.stats.liquidatedShorts++;
    }
    if (b.pendingSell > 0) b.pendingSell = this.close(b, Side.SELL, b.pendingSell, mark);
    if (b.pendingBuy > 0) b.pendingBuy = this.close(b, Side.BUY, b.pendingBuy, mark);
  }

  /** One chunk of a forced close; returns the notional still to close. */
  private close(b: Book, side: Side, pending: number, mark: number): number {
    const p = this.ctx.params.liquidations;
    const chunk = Math.min(pending, p.chunk_notional);
    const qty = qtyFor(b.s.inst, chunk, mark);
    if (qty === 0) return 0; // a remnant below the venue's minimum is written off
    this.filled = 0;
    sendMarket(this.ctx, this.account, b.s, side, qty);
    const done = notionalOf(b.s.inst, this.filled, mark);
    this.stats.liquidatedNotional += done;
    let left = pending - done;
    if (p.adl >= 1 && this.filled < qty) left -= this.deleverage(b, side, Math.min(left, chunk - done), mark);
    return left > 0 ? left : 0;
  }

  /** Closes `notional` of the most profitable opposite positions off-book; returns what it closed. */
  private deleverage(b: Book, side: Side, notional: number, mark: number): number {
    // a forced sell of longs meets profitable shorts (entry above the mark), most profitable first
    const opp = side === Side.SELL ? b.shorts : b.longs;
    let closed = 0;
    while (closed < notional) {
      let best = -1;
      for (let i = 0; i < opp.length; i++) {
        const profit = side === Side.SELL ? opp[i].entry - mark : mark - opp[i].entry;
        if (profit > 0 && (best < 0 || profit > (side === Side.SELL ? opp[best].entry - mark : mark - opp[best].entry))) best = i;
      }
      if (best < 0) break;
      closed += opp[best].notional;
      opp.splice(best, 1);
      this.stats.adlCount++;
    }
    this.stats.adlNotional += closed;
    return closed;
  }

  onFill(e: FillEvent, maker: boolean): void {
    if (!maker) this.filled += e.qty;
  }

  onOrder(_e: OrderEvent): void {}
}
