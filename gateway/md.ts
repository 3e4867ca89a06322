// Public market data on /ws/md. The hub listens to the Exchange and keeps one
// feed per subscribed symbol; clients subscribe per symbol to channels (L2
// levels, L3 orders, trades, BBO), get a snapshot at the symbol's current
// update id, then one incremental per update id (Binance U/u rule, no gaps).
//
// Slow consumers are conflated, not buffered: when a connection's send buffer
// passes the high-water mark its incrementals stop; once the buffer drains
// below the low-water mark it gets a fresh snapshot of each subscription and
// the incrementals resume from there. A client sees a jump in update ids
// preceded by a snapshot, which is exactly Binance's resync. Only a client
// that keeps asking for more without reading reaches the whole per-socket
// budget; it is disconnected (md-session).
import type { Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import type { FillEvent, LevelEvent, PhaseEvent } from '../engine/events.ts';
import { RejectReason, TradingPhase, type Side } from '../engine/types.ts';
import type { Exchange, MarketListener } from './exchange.ts';
import { SymbolFeed, snapshot, type Subscription } from './md-feed.ts';
import { SnapshotCache } from './md-snapshot-cache.ts';
import { MdSession, type MdHost, type MdRequest } from './md-session.ts';
import type { PeerSocket } from './ws-frame.ts';
import { unref, type TimerHandle, type Timers } from './timers.ts';
import { Bit, channelMask, sharedFrame } from './md-wire.ts';
import { securityList } from './reference.ts';
import { limitState, phaseToWire, securityStatus, type LimitState, type MdAuction, type SecurityStatus } from './translate.ts';
import { extendServer } from './server.ts';
import { CloseCode } from './connection-limits.ts';
import { KeyedBuckets, TokenBucket } from './token-bucket.ts';
import { requestWeightsOf, type RequestWeights } from './request-weight.ts';
import { LogoutReason, SessionRejectReason, type SessionLimits, type TradeSessions } from './trade-session.ts';

/** Subscriptions one connection may hold (each costs work on every update of its symbol). */
export const MAX_SUBSCRIPTIONS = 64;
/** md_req_id is echoed in every snapshot: keep it short. */
export const MAX_MD_REQ_ID = 64;
/** How often stalled connections are checked for a drained buffer. */
export const DRAIN_POLL_MS = 10;
/** How often connections are checked for a due Heartbeat (the interval's resolution). */
export const HEARTBEAT_TICK_MS = 250;

/** MdSubscription numbers of the contract. */
const MdSubscription = { SNAPSHOT_AND_UPDATES: 0, SNAPSHOT: 1, UNSUBSCRIBE: 2 } as const;

export interface MdStats {
  /** times a connection fell behind and its incrementals stopped */
  conflations: number;
  /** times a fallen-behind connection drained and was resynced with snapshots */
  resyncs: number;
  /** connections dropped for staying stalled longer than SessionLimits.mdStallMs */
  slowConsumersDropped: number;
  /** snapshot requests refused by a rate limit */
  snapshotsThrottled: number;
  /** … of which not answered: sent before the retry time an earlier refusal gave */
  refusalsUnanswered: number;
}

export interface MdConnectionInfo {
  bufferedAmount: number;
  stalled: boolean;
  subscriptions: number;
}

export class MdHub implements MarketListener, MdHost {
  /**
   * Incrementals stop past half the server's per-socket budget
   * (SessionLimits.maxBufferedBytes, 8 MB by default → 4 MB), so the resync
   * snapshots still fit within the budget.
   */
  readonly highWater: number;
  /** resync once the buffer is this small again: low enough that a resync is not followed at once by another stall */
  readonly lowWater: number;
  readonly stats: MdStats = { conflations: 0, resyncs: 0, slowConsumersDropped: 0, snapshotsThrottled: 0, refusalsUnanswered: 0 };
  private readonly feeds = new Map<string, SymbolFeed>();
  /** feeds changed by the command in progress */
  private dirty: SymbolFeed[] = [];
  /** SecurityStatus messages of the command in progress (sent at commit, once the engine is out of its command) */
  private statuses: SecurityStatus[] = [];
  private readonly sessions = new Set<MdSession>();
  private readonly stalled = new Set<MdSession>();
  /** sessions whose socket is corked until the current burst of commands is done */
  private corkedSessions: MdSession[] = [];
  private drainTimer: TimerHandle | null = null;
  private readonly heartbeatTimer: TimerHandle;
  /** the Heartbeat messages of quiet connections (the pings above are the transport's liveness check) */
  private readonly messageHeartbeatTimer: TimerHandle;
  /** the order-entry sessions' clock and timers (a simulation's in virtual time) */
  readonly timers: Timers;
  /** REQUEST_WEIGHT per address, shared with REST (null = not configured) */
  private readonly weights: RequestWeights | null;
  private readonly unsubscribeMarket: () => void;
  /** the server-wide snapshot allowance (like each connection's) */
  private readonly snapshots: TokenBucket;
  /** each remote address's snapshot allowance, over all its connections */
  private readonly addressSnapshots: KeyedBuckets;
  private readonly unsubscribeRules: () => void;
  /** symbols in a LULD limit state now: the LimitState a late subscriber is told */
  private readonly limitStates = new Map<string, LimitState>();
  /** encoded snapshots kept while the levels they show are unchanged */
  readonly cache: SnapshotCache;

  constructor(private readonly exchange: Exchange, readonly limits: SessionLimits, private readonly tradeSessions: TradeSessions) {
    this.timers = tradeSessions.timers;
    this.weights = requestWeightsOf(exchange, () => exchange.clock.now());
    this.highWater = Math.floor(limits.maxBufferedBytes / 2);
    this.lowWater = Math.floor(this.highWater / 8);
    this.cache = new SnapshotCache(exchange, limits.mdSnapshotCacheEntries);
    this.snapshots = new TokenBucket(limits.mdServerSnapshotBurst, limits.mdServerSnapshotsPerSec, this.timers.now());
    this.addressSnapshots = new KeyedBuckets(limits.mdAddressSnapshotBurst, limits.mdAddressSnapshotsPerSec);
    this.unsubscribeMarket = exchange.subscribeMarket(this);
    this.unsubscribeRules = exchange.subscribeRules((e) => {
      const ls = limitState(e);
      if (ls) this.announceLimitState(ls);
    });
    this.heartbeatTimer = this.timers.setInterval(() => { for (const s of this.sessions) s.ping(); }, limits.mdHeartbeatMs);
    this.messageHeartbeatTimer = unref(this.timers.setInterval(() => {
      for (const s of this.sessions) s.heartbeatTick(HEARTBEAT_TICK_MS);
    }, HEARTBEAT_TICK_MS));
  }

  /** `socket`: the TCP socket under `ws`; null for an in-process peer */
  accept(ws: PeerSocket, socket: Socket | null): void {
    this.sessions.add(new MdSession(ws, socket, this));
  }

  /** For monitoring and tests: every open connection's state. */
  connections(): MdConnectionInfo[] {
    return [...this.sessions].map((s) => ({ bufferedAmount: s.bufferedAmount, stalled: s.stalled, subscriptions: s.subs.size }));
  }

  close(): void {
    this.unsubscribeMarket();
    this.unsubscribeRules();
    this.timers.clearInterval(this.heartbeatTimer);
    this.timers.clearInterval(this.messageHeartbeatTimer);
    if (this.drainTimer) this.timers.clearInterval(this.drainTimer);
    this.drainTimer = null;
    for (const s of this.sessions) s.logout('server shutting down', LogoutReason.SERVER_SHUTDOWN);
    for (const s of this.sessions) this.closed(s);
  }

  // ---- MarketListener: collect per command, publish at commit ----

  level(e: LevelEvent): void {
    this.cache.level(e.symbol, e.side, e.price);
    this.touch(e.symbol)?.level(e);
  }

  trade(e: FillEvent): void {
    this.touch(e.symbol)?.trade(e);
  }

  order(symbol: string, orderId: number, side: Side, price: number, qty: number): void {
    this.touch(symbol)?.order(orderId, side, price, qty);
  }

  phase(e: PhaseEvent): void {
    // a phase change ends a limit state (the halt it led to, or any other): its SecurityStatus says so
    this.limitStates.delete(e.symbol);
    this.cache.forget(e.symbol);
    this.statuses.push(securityStatus(e));
    // a hidden call book is shown (or hidden) from this commit on
    if (this.exchange.engine.hidesCallBook(e.symbol)) this.touch(e.symbol);
  }

  auction(symbol: string, a: MdAuction): void {
    this.cache.forget(symbol);
    this.touch(symbol)?.auction(a);
  }

  /**
   * The lists are swapped out before anything is sent: sending to a trade
   * session can close it, and cancel-on-disconnect then runs a command (and a
   * nested commit) right here.
   */
  commit(): void {
    const statuses = this.statuses;
    const feeds = this.dirty;
    this.statuses = [];
    this.dirty = [];
    // the phase first: a halt's SecurityStatus, then its first auction indication; a reopening's, then the uncross
    for (const st of statuses) this.announce(st);
    for (const f of feeds) f.publish();
  }

  /** The symbol's feed if anyone listens to it, listed for publishing at the next commit. */
  private touch(symbol: string): SymbolFeed | undefined {
    const f = this.feeds.get(symbol);
    if (f === undefined || f.subs.size === 0) return undefined;
    if (!f.dirty) {
      f.dirty = true;
      this.dirty.push(f);
    }
    return f;
  }

  /** A SecurityStatus goes to the symbol's md subscribers and to every order-entry session. */
  private announce(status: SecurityStatus): void {
    const frame = sharedFrame('security_status', status);
    for (const sub of this.feeds.get(status.symbol)?.subs ?? []) sub.session.sendFrame(frame);
    this.tradeSessions.broadcast('security_status', status);
  }

  /** A LimitState, like a SecurityStatus, goes to the symbol's md subscribers and to every order-entry session. */
  private announceLimitState(ls: LimitState): void {
    if (ls.active) this.limitStates.set(ls.symbol, ls);
    else this.limitStates.delete(ls.symbol);
    const frame = sharedFrame('limit_state', ls);
    for (const sub of this.feeds.get(ls.symbol)?.subs ?? []) sub.session.sendFrame(frame);
    this.tradeSessions.broadcast('limit_state', ls);
  }

  // ---- MdHost: requests ----

  securityList(): Record<string, unknown>[] {
    return securityList(this.exchange);
  }

  /** Without an md_req_id a reject could not be matched to its request: a session Reject. Everything else answers by id. */
  request(s: MdSession, req: MdRequest, refSeq: number): void {
    if (!req.md_req_id) return s.reject(refSeq, SessionRejectReason.MISSING_FIELD, 'market_data_request.md_req_id is required');
    if (req.md_req_id.length > MAX_MD_REQ_ID) {
      return s.reject(refSeq, SessionRejectReason.INVALID_VALUE, `market_data_request.md_req_id longer than ${MAX_MD_REQ_ID}`);
    }
    if (this.weights !== null && this.overWeight(s, req, this.weights)) return;
    const refused = this.serve(s, req);
    if (refused) s.send('market_data_request_reject', { md_req_id: req.md_req_id, text: refused });
  }

  /**
   * REQUEST_WEIGHT (request-weight.ts), per address with REST: a snapshot weighs as a REST depth of
   * its market_depth (0 = all: the largest tier), an unsubscribe 1. Over the limit the reject says
   * RATE_LIMITED or BANNED and when to retry (retry_after, exchange time).
   */
  private overWeight(s: MdSession, req: MdRequest, w: RequestWeights): boolean {
    const weight = req.subscription === MdSubscription.UNSUBSCRIBE ? 1 : w.depthWeight(req.market_depth);
    const refused = w.take(s.address, weight);
    if (refused === null) return false;
    s.send('market_data_request_reject', {
      md_req_id: req.md_req_id, text: refused.text, reject_code: refused.banned ? RejectReason.BANNED : RejectReason.RATE_LIMITED, retry_after: refused.retryAt,
    });
    return true;
  }

  /** Carries a request out; returns why it was refused, or '' when served (or refused without an answer). */
  private serve(s: MdSession, req: MdRequest): string {
    if (!this.exchange.instrument(req.symbol)) return `unknown symbol ${JSON.stringify(req.symbol)}`;
    const mask = channelMask(req.channels);
    if (mask === null) return `invalid channels [${req.channels.join(',')}]: L2 (1), L3 (2), TRADES (3), BBO (4)`;
    const sub: Subscription = { session: s, symbol: req.symbol, mdReqId: req.md_req_id, mask, depth: req.market_depth };
    if (req.subscription === MdSubscription.SNAPSHOT_AND_UPDATES || req.subscription === MdSubscription.SNAPSHOT) {
      const refused = this.snapshotAllowance(s, req.subscription === MdSubscription.SNAPSHOT_AND_UPDATES && s.firstSubscription(req.symbol));
      if (refused !== null) return refused;
    }
    switch (req.subscription) {
      case MdSubscription.SNAPSHOT_AND_UPDATES: return this.subscribe(sub);
      case MdSubscription.SNAPSHOT:
        if (!s.streaming()) return 'connection is behind on market data: snapshot refused until it catches up';
        this.sendSnapshot(sub);
        return '';
      case MdSubscription.UNSUBSCRIBE: {
        const old = s.subs.get(req.symbol);
        if (!old) return `no subscription on ${req.symbol}`;
        this.drop(old);
        return '';
      }
      default: return `invalid subscription ${req.subscription}`;
    }
  }

  /**
   * Snapshots are built on the thread that runs the engine: each is capped
   * (sendSnapshot) and kept encoded while the levels it shows are unchanged
   * (SnapshotCache), and their number is limited per connection, per remote
   * address and for the whole server, so a client looping on the largest one
   * cannot stall order entry, nor take the allowance of others by opening new
   * connections (each with a fresh burst of its own). A symbol's first
   * subscription on a connection (`free`) takes no token of the connection's:
   * a bot subscribing to every symbol at start is not refused; it counts for
   * its address and the server. In-process peers (a simulation's bots, no
   * address) have no address allowance. Returns why a request is refused (''
   * when the refusal goes unanswered), null when it may be served.
   */
  private snapshotAllowance(s: MdSession, free: boolean): string | null {
    const now = this.timers.now();
    // told when to retry, it asked again before then: no answer, no token, no work
    if (!free && now < s.refusedUntil) return this.ignored(s);
    const own = free ? 0 : s.takeSnapshot(now);
    if (own) return this.throttled(s, now, own, `snapshot rate limit: ${this.limits.mdSnapshotsPerSec}/s per connection (burst ${this.limits.mdSnapshotBurst}); retry in ${own} ms`);
    const address = s.address === '' ? 0 : this.addressSnapshots.take(s.address, now);
    if (address) {
      return this.throttled(s, now, address, `snapshot rate limit: ${this.limits.mdAddressSnapshotsPerSec}/s per address (burst ${this.limits.mdAddressSnapshotBurst}); retry in ${address} ms`);
    }
    const server = this.snapshots.take(now);
    if (server) return this.throttled(s, now, server, `server snapshot rate limit: ${this.limits.mdServerSnapshotsPerSec}/s; retry in ${server} ms`);
    s.ignoredRefusals = 0;
    return null;
  }

  /** The first refusal of a wait is answered, and says when to retry. */
  private throttled(s: MdSession, now: number, retryMs: number, why: string): string {
    this.stats.snapshotsThrottled++;
    s.refusedUntil = now + retryMs;
    return why;
  }

  /**
   * A request sent before the retry time its refusal gave costs a decode and
   * nothing more: it is not answered, and a client that keeps asking is logged
   * out after mdIgnoredRefusals of them.
   */
  private ignored(s: MdSession): string {
    this.stats.snapshotsThrottled++;
    this.stats.refusalsUnanswered++;
    if (++s.ignoredRefusals >= this.limits.mdIgnoredRefusals) {
      s.logout(`too many snapshot requests while refused by the rate limit (${s.ignoredRefusals} before the retry time)`, LogoutReason.RATE_LIMIT);
    }
    return '';
  }

  /** A second request for the same symbol replaces the first (new channels, new snapshot). */
  private subscribe(sub: Subscription): string {
    const s = sub.session;
    const old = s.subs.get(sub.symbol);
    if (!old && s.subs.size >= MAX_SUBSCRIPTIONS) return `at most ${MAX_SUBSCRIPTIONS} subscriptions per connection`;
    if (old) this.drop(old);
    this.add(sub);
    if (s.streaming()) this.sendSnapshot(sub); // else the snapshot comes with the resync
    // the snapshot does not say the symbol is halted, closed or in an auction; a bot joining then must hear it
    const status = this.currentStatus(sub.symbol);
    if (status) s.send('security_status', status);
    const ls = this.limitStates.get(sub.symbol);
    if (ls) s.send('limit_state', ls);
    return '';
  }

  /** The symbol's status when it is not CONTINUOUS: its last phase change, or (a phase it started in) one made now. */
  private currentStatus(symbol: string): SecurityStatus | null {
    const phase = this.exchange.engine.phaseOf(symbol);
    if (phase === null || phase === TradingPhase.CONTINUOUS) return null;
    const last = this.exchange.status(symbol);
    if (last && last.trading_phase === phaseToWire(phase)) return last;
    return { symbol, trading_phase: phaseToWire(phase), text: '', transact_time: this.exchange.engine.time, cause: 0, halt_end_time: 0 };
  }

  private sendSnapshot(sub: Subscription): void {
    const { mdSnapshotLevels: levels, mdSnapshotOrders: orders } = this.limits;
    const depth = sub.depth > 0 && sub.depth < levels ? sub.depth : levels;
    const shown = this.feeds.get(sub.symbol)?.shownBook() ?? null;
    // a hidden call book is shown as subscribers last saw it: built each time (calls are never cached anyway)
    if (shown !== null) sub.session.send('market_data_snapshot_full_refresh', snapshot(this.exchange, sub.symbol, sub.mdReqId, sub.mask, depth, orders, shown));
    else sub.session.sendParts(this.cache.parts(sub.symbol, sub.mdReqId, sub.mask, depth, orders));
  }

  private add(sub: Subscription): void {
    let f = this.feeds.get(sub.symbol);
    if (!f) this.feeds.set(sub.symbol, (f = new SymbolFeed(sub.symbol, this.exchange)));
    if (f.subs.size === 0) f.activate();
    f.subs.add(sub);
    sub.session.subs.set(sub.symbol, sub);
    // the Exchange only reports order changes (L3) while someone listens
    if (sub.mask & Bit.L3) {
      f.l3++;
      this.exchange.l3Listeners++;
    }
  }

  private drop(sub: Subscription): void {
    const f = this.feeds.get(sub.symbol);
    if (!f?.subs.delete(sub)) return;
    sub.session.subs.delete(sub.symbol);
    if (sub.mask & Bit.L3) {
      f.l3--;
      this.exchange.l3Listeners--;
    }
  }

  // ---- MdHost: slow consumers ----

  stall(s: MdSession): void {
    s.stalled = true;
    s.stalledSince = this.timers.now();
    this.stalled.add(s);
    this.stats.conflations++;
    this.drainTimer ??= this.timers.setInterval(() => this.resyncDrained(), DRAIN_POLL_MS);
  }

  /** Connections whose buffer drained get a snapshot per subscription; incrementals resume after it. */
  private resyncDrained(): void {
    const now = this.timers.now();
    for (const s of this.stalled) {
      if (now - s.stalledSince > this.limits.mdStallMs) {
        this.stats.slowConsumersDropped++;
        s.drop(CloseCode.SLOW_CONSUMER, `slow consumer: market data stalled for more than ${this.limits.mdStallMs} ms`);
        continue;
      }
      if (s.bufferedAmount > this.lowWater) continue;
      this.stalled.delete(s);
      s.stalled = false;
      this.stats.resyncs++;
      for (const sub of s.subs.values()) {
        // big snapshots can fill the buffer again: then it stalls again and every subscription is resynced at the next drain
        if (!s.streaming()) break;
        this.sendSnapshot(sub);
      }
    }
    if (this.stalled.size === 0 && this.drainTimer) {
      this.timers.clearInterval(this.drainTimer);
      this.drainTimer = null;
    }
  }

  /**
   * Sockets are uncorked on the next tick: a burst of commands (a chunk of
   * order messages, a replay) reaches each client in one write, while a lone
   * command still goes out before the event loop waits for I/O again.
   */
  corked(s: MdSession): void {
    if (this.corkedSessions.push(s) === 1) process.nextTick(() => this.uncorkAll());
  }

  private uncorkAll(): void {
    const list = this.corkedSessions;
    this.corkedSessions = [];
    for (const s of list) s.uncork();
  }

  closed(s: MdSession): void {
    if (!this.sessions.delete(s)) return;
    this.stalled.delete(s);
    for (const sub of s.subs.values()) this.drop(sub);
  }
}

const hubs = new WeakMap<Exchange, MdHub>();

/** The market-data hub of a running server (monitoring, tests). */
export function marketDataHub(exchange: Exchange): MdHub | undefined {
  return hubs.get(exchange);
}

extendServer((ctx) => {
  const hub = new MdHub(ctx.exchange, ctx.limits, ctx.trade);
  hubs.set(ctx.exchange, hub);
  // ws's own cap is a backstop well above ours, so an oversize frame gets a Reject instead of a dropped socket
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * ctx.limits.maxFrameBytes });
  // req.socket is the TCP socket the upgrade handed to ws
  wss.on('connection', (ws, req) => hub.accept(ws, req.socket));
  return { onUpgrade: { '/ws/md': wss }, close: () => hub.close() };
});
