// MarketDataClient: one symbol's public market data from /ws/md, kept as a
// LocalBook. It subscribes (L2 + trades), loads the snapshot, applies
// incrementals by the U/u rule, and resyncs by itself — re-subscribing for a
// fresh snapshot — whenever updates were lost: a gap in update ids, too many
// incrementals before a snapshot, or a dropped connection (it reconnects
// with backoff). /ws/md needs no logon; messages are numbered per connection.
import { EventEmitter } from 'node:events';
import { realTimers, type TimerHandle } from '../gateway/timers.ts';
import type { Envelope } from '../gateway/wire.ts';
import { Backoff, type ReconnectPolicy } from './backoff.ts';
import { ClientError } from './errors.ts';
import { Instrument } from './instrument.ts';
import { LocalBook, type BookLevel } from './local-book.ts';
import {
  MD_CHANNEL, MD_SUBSCRIPTION, sideName,
  type SideName, type TradingPhaseName, type WireHeartbeat, type WireMdAuction, type WireMdIncremental, type WireMdRequestReject,
  type WireMdSnapshot, type WireSecurity, type WireSecurityStatus, type WireLimitState,
} from './protocol.ts';
import { toAuctionInfo, toLimitState, toSecurityStatus, type AuctionInfo, type LimitState, type SecurityStatus } from './reports.ts';
import { wsTransport } from './transport.ts';
import { endpointUrl, WireSocket, type SocketEnvironment } from './wire-socket.ts';

/** `transport` and `timers` default to WebSockets over the network and the wall clock. */
export interface MarketDataOptions extends SocketEnvironment {
  /** reconnect after a drop (default true) */
  reconnect?: boolean | ReconnectPolicy;
  /** how often to prove the connection alive when it is quiet, ms (default 5000) */
  heartbeatMs?: number;
  /** opening the socket and the first snapshot, ms (default 5000) */
  connectTimeoutMs?: number;
  /** incrementals held while waiting for a snapshot (default 10000; beyond it the subscription starts over) */
  maxPendingUpdates?: number;
  maxBufferedBytes?: number;
}

export interface BookUpdate {
  firstUpdateId: number;
  lastUpdateId: number;
  /** the book was (re)loaded from a snapshot rather than changed by an incremental */
  snapshot: boolean;
  /** the best bid or ask (price or quantity) changed */
  bboChanged: boolean;
  /** the exchange time (µs) the book is now as of; null after a snapshot (as of when it was sent) */
  transactTime: number | null;
}

export interface MarketTrade {
  tradeId: number;
  /** price and quantity units */
  price: number;
  qty: number;
  aggressorSide: SideName | null;
  /** µs since the epoch */
  transactTime: number;
  /** an execution of an auction uncross (aggressorSide is then only the later order's side) */
  auction: boolean;
}

/** A SecurityStatus of the symbol: its phase, why it changed, a timed halt's end. */
export type MarketStatus = Omit<SecurityStatus, 'seq' | 'possDup'>;

export type ResyncReason = 'gap' | 'overflow' | 'reconnect' | 'exchange';

export interface MarketDataEvents {
  update: [update: BookUpdate];
  trade: [trade: MarketTrade];
  /** the book was rebuilt from a fresh snapshot after updates were lost */
  resync: [reason: ResyncReason, detail: string];
  securityStatus: [status: MarketStatus];
  /** the symbol entered the LULD limit state (with the time it would halt) or left it */
  limitState: [state: Omit<LimitState, 'seq' | 'possDup'>];
  /** the indicative uncross changed (call phases: pre-open, auctions, halts), or the uncross ran (final) */
  auction: [info: AuctionInfo];
  disconnect: [reason: string];
  /** the exchange refused the subscription (e.g. unknown symbol) */
  /** retryAfter: the exchange time (µs) to ask again from, when the venue's request weight refused it (0 otherwise) */
  subscriptionRejected: [text: string, retryAfter: number];
}

export class MarketDataClient extends EventEmitter<MarketDataEvents> {
  readonly book: LocalBook;
  private readonly mdUrl: string;
  private readonly backoff: Backoff | null;
  private readonly opts: Required<Omit<MarketDataOptions, 'reconnect'>>;
  private socket: WireSocket | null = null;
  private nextOut = 1;
  private reqSeq = 0;
  private mdReqId = '';
  /** incrementals that arrived before the snapshot they follow */
  private early: WireMdIncremental[] = [];
  /** why the next snapshot is loaded (null = the first one) */
  private resyncing: { reason: ResyncReason; detail: string } | null = null;
  private lastTradeId = 0;
  /** the last auction state emitted (to report each once across resyncs) */
  private lastAuctionKey = '';
  private status: MarketStatus | null = null;
  private auctionState: AuctionInfo | null = null;
  private closed = false;
  private reconnectTimer: TimerHandle | null = null;
  private inst: Instrument | undefined;
  private firstSnapshot: { resolve(): void; reject(e: Error): void } | null = null;
  readonly stats = { resyncs: 0, gaps: 0, staleDropped: 0 };

  constructor(url: string, readonly symbol: string, options: MarketDataOptions = {}) {
    super();
    this.mdUrl = endpointUrl(url, '/ws/md');
    this.book = new LocalBook(symbol);
    const rc = options.reconnect ?? true;
    this.backoff = rc === false ? null : new Backoff(rc === true ? {} : rc);
    this.opts = {
      heartbeatMs: options.heartbeatMs ?? 5000,
      connectTimeoutMs: options.connectTimeoutMs ?? 5000,
      maxPendingUpdates: options.maxPendingUpdates ?? 10_000,
      maxBufferedBytes: options.maxBufferedBytes ?? 4 * 1024 * 1024,
      transport: options.transport ?? wsTransport,
      timers: options.timers ?? realTimers,
    };
  }

  /** Creates a client and waits for the first snapshot. */
  static async connect(url: string, symbol: string, options: MarketDataOptions = {}): Promise<MarketDataClient> {
    const c = new MarketDataClient(url, symbol, options);
    await c.connect();
    return c;
  }

  /** Connects, subscribes and resolves once the book holds its first snapshot. */
  async connect(): Promise<void> {
    const first = new Promise<void>((resolve, reject) => (this.firstSnapshot = { resolve, reject }));
    const timer = this.opts.timers.setTimeout(() => this.failFirst(new ClientError('timeout', `no snapshot for ${this.symbol} within ${this.opts.connectTimeoutMs} ms`)),
      this.opts.connectTimeoutMs);
    try {
      await this.open();
      await first;
    } catch (e) {
      this.closed = true;
      this.firstSnapshot = null;
      this.socket?.terminate('connect failed');
      throw e;
    } finally {
      this.opts.timers.clearTimeout(timer);
    }
  }

  /** The instrument's scales (from the SecurityList on /ws/md), once known. */
  get instrument(): Instrument | undefined {
    return this.inst;
  }

  // Book views (integer units), for convenience.
  bids(n?: number): BookLevel[] {
    return this.book.bids(n);
  }

  asks(n?: number): BookLevel[] {
    return this.book.asks(n);
  }

  bbo(): { bid: BookLevel | null; ask: BookLevel | null } {
    return { bid: this.book.bestBid(), ask: this.book.bestAsk() };
  }

  mid(): number | null {
    return this.book.mid();
  }

  /** The symbol's phase as last reported by a SecurityStatus (null: none received, i.e. continuous since the subscription). */
  get tradingPhase(): TradingPhaseName | null {
    return this.status?.tradingPhase ?? null;
  }

  /** The last SecurityStatus of the symbol (null if none arrived). */
  get lastStatus(): MarketStatus | null {
    return this.status;
  }

  /** The current indicative uncross while in a call phase (null otherwise). */
  get auction(): AuctionInfo | null {
    return this.auctionState;
  }

  /** Throws the book away and subscribes again for a fresh snapshot. */
  resync(reason: ResyncReason, detail: string): void {
    this.book.invalidate();
    this.stats.resyncs++;
    this.resyncing = { reason, detail };
    this.subscribe();
  }

  close(): void {
    this.closed = true;
    if (this.reconnectTimer) this.opts.timers.clearTimeout(this.reconnectTimer);
    this.socket?.close('client closed');
    this.failFirst(new ClientError('closed', 'the client was closed'));
  }

  // ---- connection ----

  private async open(): Promise<void> {
    let sock: WireSocket | null = null;
    sock = await WireSocket.open(this.mdUrl, {
      envelope: (env) => sock === this.socket && this.onEnvelope(env),
      garbage: () => undefined,
      close: (reason) => sock === this.socket && this.onClose(reason),
    }, { timeoutMs: this.opts.connectTimeoutMs, maxBufferedBytes: this.opts.maxBufferedBytes, transport: this.opts.transport, timers: this.opts.timers });
    if (this.closed) {
      sock.terminate('client closed');
      return;
    }
    this.socket = sock;
    this.nextOut = 1; // /ws/md numbers per connection
    sock.startLiveness(this.opts.heartbeatMs, {
      heartbeat: () => this.send('heartbeat', { test_req_id: '' }),
      testRequest: (id) => this.send('test_request', { test_req_id: id }),
    });
    if (!this.inst) this.send('security_list_request', { security_req_id: 'md' });
    this.subscribe();
  }

  private subscribe(): void {
    // A new request for the symbol replaces the old subscription on the exchange and brings a new snapshot.
    this.mdReqId = `${this.symbol}#${++this.reqSeq}`;
    this.early = [];
    this.send('market_data_request', {
      md_req_id: this.mdReqId, symbol: this.symbol, subscription: MD_SUBSCRIPTION.SNAPSHOT_AND_UPDATES, market_depth: 0,
      channels: [MD_CHANNEL.L2, MD_CHANNEL.TRADES],
    });
  }

  private send(body: string, msg: Record<string, unknown>): void {
    const sock = this.socket;
    if (!sock?.isOpen) return; // a reconnect subscribes again
    try {
      sock.send(this.nextOut, body, msg);
      this.nextOut++;
    } catch {
      /* the close event follows and the reconnect resubscribes */
    }
  }

  private onClose(reason: string): void {
    this.socket = null;
    this.book.invalidate();
    if (this.closed) return;
    this.emit('disconnect', reason);
    if (this.firstSnapshot) return this.failFirst(new ClientError('connection_failed', `connection closed before the first snapshot: ${reason}`));
    if (!this.backoff) {
      this.closed = true;
      return;
    }
    this.resyncing = { reason: 'reconnect', detail: reason };
    this.scheduleReconnect(this.backoff);
  }

  private scheduleReconnect(backoff: Backoff): void {
    if (backoff.exhausted) {
      this.closed = true;
      return;
    }
    this.reconnectTimer = this.opts.timers.setTimeout(() => {
      this.reconnectTimer = null;
      this.open().then(() => backoff.reset(), () => !this.closed && this.scheduleReconnect(backoff));
    }, backoff.next());
  }

  private failFirst(e: Error): void {
    this.firstSnapshot?.reject(e);
    this.firstSnapshot = null;
  }

  // ---- inbound ----

  private onEnvelope(env: Envelope): void {
    switch (env.body) {
      case 'market_data_snapshot_full_refresh': return this.onSnapshot(env.market_data_snapshot_full_refresh as WireMdSnapshot);
      case 'market_data_incremental_refresh': return this.onIncremental(env.market_data_incremental_refresh as WireMdIncremental);
      case 'test_request': return this.send('heartbeat', { test_req_id: (env.test_request as WireHeartbeat).test_req_id });
      case 'security_list': {
        const s = (env.security_list as { securities: WireSecurity[] }).securities.find((x) => x.symbol === this.symbol);
        if (s) this.inst = new Instrument(s);
        return;
      }
      case 'security_status': {
        const m = env.security_status as WireSecurityStatus;
        if (m.symbol !== this.symbol) return;
        const { seq: _seq, possDup: _dup, ...status } = toSecurityStatus(m, { seq: env.msg_seq_num, possDup: env.poss_dup });
        this.status = status;
        const call = status.tradingPhase !== 'continuous' && status.tradingPhase !== 'closed';
        if (!call) this.auctionState = null;
        this.emit('securityStatus', status);
        return;
      }
      case 'limit_state': {
        const m = env.limit_state as WireLimitState;
        if (m.symbol !== this.symbol) return;
        const { seq: _seq, possDup: _dup, ...state } = toLimitState(m, this.inst, { seq: env.msg_seq_num, possDup: env.poss_dup });
        this.emit('limitState', state);
        return;
      }
      case 'market_data_request_reject': {
        const m = env.market_data_request_reject as WireMdRequestReject;
        if (m.md_req_id !== this.mdReqId) return;
        // a request weight refusal (reject_code set) is the venue's, not a bad argument
        this.failFirst(new ClientError(m.reject_code ? 'business_reject' : 'invalid_argument', `subscription refused: ${m.text}`));
        this.emit('subscriptionRejected', m.text, Number(m.retry_after ?? 0));
        return;
      }
      default:
        return;
    }
  }

  private onSnapshot(s: WireMdSnapshot): void {
    if (s.md_req_id !== this.mdReqId || s.symbol !== this.symbol) return; // an answer to a request we replaced
    const wasSynced = this.book.synced;
    const before = bboKey(this.book);
    this.book.loadSnapshot(s);
    if (s.auction) this.onAuction(s.auction);
    const early = this.early;
    this.early = [];
    const why = this.resyncing ?? (wasSynced ? { reason: 'exchange' as const, detail: 'the exchange sent a fresh snapshot (this connection fell behind)' } : null);
    this.resyncing = null;
    if (why) this.emit('resync', why.reason, why.detail);
    this.emit('update', {
      firstUpdateId: s.last_update_id, lastUpdateId: s.last_update_id, snapshot: true, bboChanged: bboKey(this.book) !== before, transactTime: null,
    });
    if (this.firstSnapshot) {
      this.firstSnapshot.resolve();
      this.firstSnapshot = null;
    }
    for (const inc of early) this.onIncremental(inc);
  }

  private onIncremental(inc: WireMdIncremental): void {
    if (inc.symbol !== this.symbol) return;
    if (inc.auction) this.onAuction(inc.auction);
    this.emitTrades(inc);
    if (!this.book.synced) {
      if (this.early.length >= this.opts.maxPendingUpdates) return this.resync('overflow', `${this.early.length} updates arrived before the snapshot`);
      this.early.push(inc);
      return;
    }
    const expected = this.book.lastUpdateId + 1;
    const before = bboKey(this.book);
    switch (this.book.apply(inc)) {
      case 'stale':
        this.stats.staleDropped++;
        return;
      case 'gap':
        this.stats.gaps++;
        return this.resync('gap', `expected first_update_id ≤ ${expected}, got ${inc.first_update_id}`);
      case 'applied':
        this.emit('update', {
          firstUpdateId: inc.first_update_id, lastUpdateId: inc.last_update_id, snapshot: false, bboChanged: bboKey(this.book) !== before,
          transactTime: inc.transact_time,
        });
    }
  }

  /** Trades are reported once each, whatever happens to the book (a trade is news even in a stale or gapped message). */
  private emitTrades(inc: WireMdIncremental): void {
    for (const t of inc.trades) {
      if (t.trade_id <= this.lastTradeId) continue;
      this.lastTradeId = t.trade_id;
      this.emit('trade', {
        tradeId: t.trade_id, price: t.price, qty: t.qty, aggressorSide: sideName(t.aggressor_side), transactTime: t.transact_time,
        auction: t.auction === true,
      });
    }
  }

  /** An auction state, reported once (a resync snapshot repeats the current one). */
  private onAuction(m: WireMdAuction): void {
    const info = toAuctionInfo(this.symbol, m);
    this.auctionState = info.final ? null : info;
    const key = `${info.tradingPhase}|${info.price}|${info.qty}|${info.surplusQty}|${info.surplusSide}|${info.final}`;
    if (key === this.lastAuctionKey) return;
    this.lastAuctionKey = key;
    this.emit('auction', info);
  }
}

function bboKey(b: LocalBook): string {
  const bid = b.bestBid();
  const ask = b.bestAsk();
  return `${bid?.price ?? 0}:${bid?.qty ?? 0}|${ask?.price ?? 0}:${ask?.qty ?? 0}`;
}
