// One symbol's market data. While a command runs, the feed collects what it
// changed (levels, trades, L3 order states); when the command commits, those
// changes become one MarketDataIncrementalRefresh carrying the symbol's new
// update id, encoded once per distinct content and streamed to every
// subscription. Also builds full snapshots.
import type { FillEvent, LevelEvent } from '../engine/events.ts';
import type { DepthView, LevelView } from '../engine/query.ts';
import { Side } from '../engine/types.ts';
import type { Exchange } from './exchange.ts';
import type { MdSession } from './md-session.ts';
import type { MdAuction } from './translate.ts';
import { Bit, MASKS, bboOf, sameBbo, sharedFrame, type MdBbo, type MdLevel, type MdOrder, type MdTrade } from './md-wire.ts';

/** One connection's SNAPSHOT_AND_UPDATES request for one symbol (a connection has at most one per symbol). */
export interface Subscription {
  readonly session: MdSession;
  readonly symbol: string;
  readonly mdReqId: string;
  /** channel bits (md-wire Bit) */
  readonly mask: number;
  /** levels per side in snapshots; 0 = all */
  readonly depth: number;
}

export class SymbolFeed {
  readonly subs = new Set<Subscription>();
  /** L3 subscriptions among subs: order changes are collected only while there are some */
  l3 = 0;
  /** already listed for publishing at the next commit */
  dirty = false;
  /** the update id the subscribers' books are at (the exchange's, between commands) */
  private lastId = 0;
  /** the BBO last published, to tell whether a commit changed it */
  private bbo: MdBbo = { bid_px: 0, bid_qty: 0, ask_px: 0, ask_qty: 0 };
  private readonly bids: MdLevel[] = [];
  private readonly asks: MdLevel[] = [];
  private readonly orders: MdOrder[] = [];
  private readonly trades: MdTrade[] = [];
  /** the command's latest auction indication (or uncross), sent on every channel set */
  private auctionInfo: MdAuction | undefined = undefined;
  /** engine time of the command's last event (µs) */
  private time = 0;
  /** per-commit cache: the encoded incremental for each effective channel mask */
  private readonly frames: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(MASKS);
  /**
   * The venue hides its call book (rules.crosses.call_book 'indicative'): the levels subscribers
   * were last shown, kept to tell them what changed when the call ends; while hidden, level and
   * order changes are not streamed (L3 notes wait in heldOrders), only the indicative cross.
   */
  private readonly hides: boolean;
  private readonly shown = { bids: new Map<number, MdLevel>(), asks: new Map<number, MdLevel>() };
  private hidden = false;
  /** engine time the call book went out of sight: L3 snapshots meanwhile show only older orders */
  private hiddenSince = 0;
  private readonly heldOrders = new Map<number, MdOrder>();

  constructor(readonly symbol: string, private readonly exchange: Exchange) {
    this.hides = exchange.engine.hidesCallBook(symbol);
  }

  /** The first subscriber arrives: streaming resumes from the symbol's current state. */
  activate(): void {
    this.lastId = this.exchange.updateId(this.symbol);
    this.bbo = bboOf(this.exchange.engine, this.symbol);
    if (!this.hides) return;
    this.shown.bids.clear();
    this.shown.asks.clear();
    this.heldOrders.clear();
    // joining during a hidden call: an empty book, filled in when the call ends
    this.hidden = this.exchange.callBookHidden(this.symbol);
    this.hiddenSince = this.exchange.engine.time;
    if (this.hidden) this.bbo = { bid_px: 0, bid_qty: 0, ask_px: 0, ask_qty: 0 };
    else {
      const book = this.exchange.engine.depth(this.symbol, Number.MAX_SAFE_INTEGER);
      this.remember(book?.bids ?? [], book?.asks ?? []);
    }
  }

  /** The book as subscribers see it while the call book is hidden (null when it is not). */
  shownBook(): { bids: MdLevel[]; asks: MdLevel[]; since: number } | null {
    if (!this.hidden) return null;
    return {
      bids: [...this.shown.bids.values()].sort((a, b) => b.price - a.price),
      asks: [...this.shown.asks.values()].sort((a, b) => a.price - b.price),
      since: this.hiddenSince,
    };
  }

  private remember(bids: readonly MdLevel[], asks: readonly MdLevel[]): void {
    for (const [levels, map] of [[bids, this.shown.bids], [asks, this.shown.asks]] as const) {
      for (const l of levels) {
        if (l.qty === 0) map.delete(l.price);
        else map.set(l.price, { price: l.price, qty: l.qty, count: l.count });
      }
    }
  }

  /** Before streaming a commit of a symbol whose venue hides call books: hold, or release what was held. */
  private screen(): void {
    const hiddenNow = this.exchange.callBookHidden(this.symbol);
    if (hiddenNow) {
      if (!this.hidden) this.hiddenSince = this.exchange.engine.time;
      this.bids.length = this.asks.length = 0;
      for (const o of this.orders) this.heldOrders.set(o.order_id, o);
      this.orders.length = 0;
    } else if (this.hidden) {
      // the call ended: every level that differs from what subscribers were shown, and the held L3 notes
      const now = this.exchange.engine.depth(this.symbol, Number.MAX_SAFE_INTEGER);
      this.bids.length = this.asks.length = 0;
      diff(this.shown.bids, now?.bids ?? [], this.bids);
      diff(this.shown.asks, now?.asks ?? [], this.asks);
      for (const o of this.orders) this.heldOrders.set(o.order_id, o);
      this.orders.length = 0;
      this.orders.push(...this.heldOrders.values());
      this.heldOrders.clear();
    }
    this.hidden = hiddenNow;
    if (!hiddenNow) this.remember(this.bids, this.asks);
  }

  // ---- collecting one command's changes (engine events are reused objects: copy) ----

  level(e: LevelEvent): void {
    (e.side === Side.BUY ? this.bids : this.asks).push({ price: e.price, qty: e.qty, count: e.count });
    this.time = e.time;
  }

  trade(e: FillEvent): void {
    this.trades.push({
      trade_id: e.tradeId, price: e.price, qty: e.qty, aggressor_side: e.aggressorSide, transact_time: e.time, auction: e.auction,
    });
    this.time = e.time;
  }

  /** A final uncross is kept over a later indication of the same command: its trades are in this update. */
  auction(a: MdAuction): void {
    if (!this.auctionInfo?.final) this.auctionInfo = a;
  }

  order(orderId: number, side: Side, price: number, qty: number): void {
    if (this.l3 > 0) this.orders.push({ order_id: orderId, side, price, qty });
  }

  // ---- the command committed ----

  /**
   * Streams the collected changes as one incremental if the symbol's update id
   * moved. It does not move when only L3 notes arrived for orders that never
   * rested (an IOC that found nothing): the books are unchanged, nothing to say.
   */
  publish(): void {
    this.dirty = false;
    const id = this.exchange.updateId(this.symbol);
    if (this.hides) this.screen();
    if (id !== this.lastId && this.subs.size > 0) this.stream(this.lastId + 1, id);
    this.lastId = id;
    this.bids.length = this.asks.length = this.orders.length = this.trades.length = 0;
    this.auctionInfo = undefined;
    this.time = 0;
  }

  /**
   * Every subscription gets an incremental for every update id, even when
   * nothing on its channels changed (then only the ids), so a client can check
   * first_update_id = previous last_update_id + 1. Subscriptions whose channels
   * see the same content share one encoding.
   */
  private stream(first: number, last: number): void {
    const bbo = this.hidden ? this.bbo : bboOf(this.exchange.engine, this.symbol);
    const present = (this.bids.length + this.asks.length > 0 ? Bit.L2 : 0) | (this.orders.length > 0 ? Bit.L3 : 0)
      | (this.trades.length > 0 ? Bit.TRADES : 0) | (sameBbo(bbo, this.bbo) ? 0 : Bit.BBO);
    this.bbo = bbo;
    this.frames.fill(undefined);
    for (const sub of this.subs) {
      const mask = sub.mask & present;
      let frame = this.frames[mask];
      if (frame === undefined) this.frames[mask] = frame = sharedFrame('market_data_incremental_refresh', this.incremental(mask, first, last));
      sub.session.stream(frame);
    }
  }

  private incremental(mask: number, first: number, last: number): Record<string, unknown> {
    return {
      symbol: this.symbol,
      first_update_id: first,
      last_update_id: last,
      bids: mask & Bit.L2 ? this.bids : undefined,
      asks: mask & Bit.L2 ? this.asks : undefined,
      orders: mask & Bit.L3 ? this.orders : undefined,
      trades: mask & Bit.TRADES ? this.trades : undefined,
      bbo: mask & Bit.BBO ? this.bbo : undefined,
      transact_time: this.time || this.exchange.engine.time,
      auction: this.auctionInfo,
    };
  }
}

/**
 * The book as of the symbol's current update id, with the parts the channels
 * ask for: `depth` levels per side (0 = all), and for L3 the orders of the best
 * levels, whole levels only, at most `maxOrders` of them.
 */
export function snapshot(
  exchange: Exchange, symbol: string, mdReqId: string, mask: number, depth: number, maxOrders = Number.MAX_SAFE_INTEGER,
  shown: ReturnType<SymbolFeed['shownBook']> = null,
): Record<string, unknown> {
  const engine = exchange.engine;
  // the engine's depth(n) returns n levels; the contract's 0 means all
  const n = depth > 0 ? depth : Number.MAX_SAFE_INTEGER;
  const book: DepthView | null = shown !== null ? { symbol, bids: shown.bids.slice(0, n), asks: shown.asks.slice(0, n) }
    : mask & (Bit.L2 | Bit.L3) ? engine.depth(symbol, n) : null;
  const bbo = shown === null ? bboOf(engine, symbol)
    : { bid_px: shown.bids[0]?.price ?? 0, bid_qty: shown.bids[0]?.qty ?? 0, ask_px: shown.asks[0]?.price ?? 0, ask_qty: shown.asks[0]?.qty ?? 0 };
  return {
    md_req_id: mdReqId,
    symbol,
    last_update_id: exchange.updateId(symbol),
    bids: mask & Bit.L2 ? book?.bids : undefined,
    asks: mask & Bit.L2 ? book?.asks : undefined,
    orders: mask & Bit.L3 && book ? restingOrders(exchange, book, maxOrders, shown?.since ?? Number.MAX_SAFE_INTEGER) : undefined,
    bbo: mask & Bit.BBO ? bbo : undefined,
    auction: exchange.auctionState(symbol),
  };
}

/** Appends to `out` every level of `now` that differs from `shown`, and a removal for each level gone. */
function diff(shown: ReadonlyMap<number, MdLevel>, now: readonly LevelView[], out: MdLevel[]): void {
  const seen = new Set<number>();
  for (const l of now) {
    seen.add(l.price);
    const s = shown.get(l.price);
    if (s === undefined || s.qty !== l.qty || s.count !== l.count) out.push({ price: l.price, qty: l.qty, count: l.count });
  }
  for (const p of shown.keys()) if (!seen.has(p)) out.push({ price: p, qty: 0, count: 0 });
}

/**
 * The orders of the snapshot's levels, bids then asks, best level first, in
 * queue priority within a level; each side stops at the first level whose
 * orders would pass its half of `maxOrders`.
 */
function restingOrders(exchange: Exchange, book: DepthView, maxOrders: number, before: number): MdOrder[] {
  const out: MdOrder[] = [];
  const add = (side: Side, levels: LevelView[], room: number): void => {
    for (const l of levels) {
      if (l.count > room) return;
      room -= l.count;
      // an iceberg shows its slice
      for (const o of exchange.engine.levelOrders(book.symbol, side, l.price)) if (o.time <= before) out.push({ order_id: o.orderId, side, price: o.price, qty: o.shown });
    }
  };
  add(Side.BUY, book.bids, Math.ceil(maxOrders / 2));
  add(Side.SELL, book.asks, Math.floor(maxOrders / 2));
  return out;
}
