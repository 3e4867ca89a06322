// One order-entry connection on /ws/trade: logon, sequence numbers both ways,
// heartbeats and test requests, resend and gap fill, bad-input handling, and
// the translation of order messages into Exchange commands. A session only
// ever acts for, and hears about, its own account.
import type { SnapshotPart } from './journal/snapshot.ts';
import type { Socket } from 'node:net';
import type { RawData } from 'ws';
import type { Exchange, AccountInfo, RuleNotice } from './exchange.ts';
import { SessionState } from './session-state.ts';
import { TickCork } from './tick-cork.ts';
import { sendNumbered, wsNumberedFrame, type PeerSocket } from './ws-frame.ts';
import { realTimers, type TimerHandle, type Timers } from './timers.ts';
import { encodeEnvelope, LogoutReason, MAX_SEQ, nowMicros, readFrame, sharedFrame, SessionRejectReason, type Envelope } from './wire.ts';
import { blankNewOrder, newOrderFromWire, type NewOrderWire } from './translate.ts';
import { fastDecode, fastDecodeOn } from './fast-decode.ts';
import { securityList } from './reference.ts';
import type { Side } from '../engine/types.ts';
import type { Cancel, Replace } from '../engine/commands.ts';
import { RuleEventKind } from '../engine/events.ts';
import { CloseCode } from './connection-limits.ts';
import type { SessionLimits } from './limits.ts';
import { authenticateFrom } from './auth-throttle.ts';
import { orderLatencyOf, type OrderLatency } from './scorecard/latency.ts';

export { DEFAULT_SESSION_LIMITS, type SessionLimits } from './limits.ts';

export { SessionRejectReason, LogoutReason };

/**
 * What happened to an order-entry session, for the operator's log: logons,
 * logouts (reason = LogoutReason, 0 when the connection just dropped) and the
 * session Rejects it was sent.
 */
export type SessionEvent =
  | { kind: 'logon'; session: number; account: number; name: string }
  | { kind: 'logout'; session: number; account: number; reason: number; text: string }
  | { kind: 'reject'; session: number; account: number; reason: number; text: string };

/** Session-level messages: gap-filled, never resent. */
const ADMIN_BODIES: ReadonlySet<string> = new Set(['logon', 'logout', 'heartbeat', 'test_request', 'resend_request', 'sequence_reset', 'reject']);

/**
 * True while a frame decoded by fast-decode.ts is being handled: its envelope
 * and message, and the commands below, are reused from frame to frame. A frame
 * arriving meanwhile (none can today: handling is synchronous and reads no
 * socket) would take the protobufjs path with fresh objects.
 */
let fastBusy = false;

type CancelCommand = Omit<Cancel, 'time'> & { time: number };
type ReplaceCommand = Omit<Replace, 'time'> & { time: number };

/** Commands with every field present (one shape each), to fill. */
const blankCancel = (): CancelCommand => ({ time: 0, account: 0, session: 0, symbol: '', clOrdId: '', orderId: undefined, origClOrdId: undefined });
const blankReplace = (): ReplaceCommand => ({
  time: 0, account: 0, session: 0, symbol: '', clOrdId: undefined, orderId: undefined, origClOrdId: undefined, price: 0, qty: 0,
});

/** Commands reused by fast-decoded frames (the Exchange stamps the time in place; the engine copies what it keeps). */
const NEW_ORDER = blankNewOrder();
const CANCEL = blankCancel();
const REPLACE = blankReplace();

/** Per-account session state and the connection currently attached to it. */
interface Binding {
  state: SessionState;
  conn: TradeSession | null;
  /** the inbound sequence number last written to the journal */
  journaledIn: number;
}

/** All order-entry sessions of a server: one session state per account, kept across reconnects. */
/**
 * Stress on external order entry from a simulated market (a scenario's latency
 * spikes and reject bursts, as exchanges showed on 10–11 Oct 2025): asked once
 * per order message, after the session layer has accepted it.
 */
export interface SessionConditions {
  /** wall milliseconds to hold an order message before the exchange sees it (0: none) */
  delayMs(): number;
  /** true: refuse this order message now (BusinessMessageReject, application not available) */
  reject(): boolean;
}

/** The messages a scenario's conditions delay or refuse: everything that reaches the book. */
const ORDER_MESSAGES = new Set(['new_order_single', 'order_cancel_request', 'order_cancel_replace_request', 'order_mass_cancel_request', 'mass_quote', 'quote_cancel']);

/** FIX BusinessRejectReason 4: application not available. */
const APPLICATION_NOT_AVAILABLE = 4;

export class TradeSessions {
  /** a simulated market's stress on order entry (sim/serve.ts); null: none */
  conditions: SessionConditions | null = null;
  private readonly byAccount = new Map<number, Binding>();
  readonly live = new Set<TradeSession>();
  /** the last connection id given out (ids are unique per server, from 1) */
  private lastId = 0;
  private readonly unsubscribeRules: () => void;
  /** listeners of session events (the operator's log) */
  readonly events = new Set<(e: SessionEvent) => void>();
  /** order→ack latencies, per account, measured by the sessions */
  readonly latency: OrderLatency;
  /** the clock latencies are measured on, µs */
  readonly nowUs: () => number;

  /** `timers`: logon timeouts and heartbeats run on the wall clock unless a simulation gives its own */
  constructor(readonly exchange: Exchange, readonly limits: SessionLimits, readonly timers: Timers = realTimers) {
    this.unsubscribeRules = exchange.subscribeRules((e) => this.onRule(e));
    this.latency = orderLatencyOf(exchange);
    this.latency.clock = timers.clock ?? 'wall';
    this.nowUs = timers.nowUs ? () => (timers.nowUs as () => number)() : () => timers.now() * 1000;
  }

  /** `socket` is the connection's TCP socket (from the upgrade request): reports are written to it as whole frames, batched per tick. */
  accept(ws: PeerSocket, socket: Socket | null = null): TradeSession {
    const s = new TradeSession(ws, this, socket, ++this.lastId);
    this.live.add(s);
    return s;
  }

  close(): void {
    this.unsubscribeRules();
  }

  emit(e: SessionEvent): void {
    for (const fn of this.events) fn(e);
  }

  /** Logs every session out with this reason (SERVER_SHUTDOWN when the server stops). */
  logoutAll(text: string, reason: number = LogoutReason.SERVER_SHUTDOWN): void {
    for (const s of [...this.live]) s.kick(text, reason);
  }

  /**
   * A ban logs out the banned session (the engine names its connection id), or
   * every session of the account when the whole account is banned. The
   * account's reports already carry the BANNED UserNotification.
   */
  private onRule(e: RuleNotice): void {
    if (e.kind !== RuleEventKind.BAN) return;
    const text = banText(e);
    const banned = e.until > e.time;
    for (const s of [...this.live]) {
      if (e.session !== 0 ? s.id === e.session : s.accountId === e.account) {
        s.kick(text, banned ? LogoutReason.BANNED : LogoutReason.RATE_LIMIT, banned ? e.until : 0);
      }
    }
  }

  /** Attaches a connection to its account's session; false if another connection holds it. */
  attach(conn: TradeSession, account: AccountInfo, reset: boolean): SessionState | null {
    const had = this.byAccount.get(account.id);
    if (had?.conn && had.conn !== conn) return null;
    if (!had || reset) this.exchange.recorder?.sessionAttach(account.id, reset);
    const b = had ?? this.bind(account.id);
    if (reset) {
      b.state.reset();
      b.journaledIn = 1;
    }
    b.conn = conn;
    return b.state;
  }

  /** The account's session state, begun now: from here on it numbers and stores the account's reports. */
  private bind(account: number): Binding {
    const binding: Binding = { state: new SessionState(this.limits.resendStore), conn: null, journaledIn: 1 };
    this.exchange.subscribeAccount(account, (body, msg) => {
      const frame = sharedFrame(body, msg);
      const seq = binding.state.store(body, frame);
      binding.conn?.transmit(seq, frame, false);
    });
    this.byAccount.set(account, binding);
    return binding;
  }

  // ---- the journal (gateway/journal): session state rebuilt on recovery ----

  replayAttach(account: number, reset: boolean): void {
    const b = this.byAccount.get(account) ?? this.bind(account);
    if (reset) {
      b.state.reset();
      b.journaledIn = 1;
    }
  }

  replayOut(account: number, body: string, msg: Record<string, unknown>): void {
    this.byAccount.get(account)?.state.store(body, sharedFrame(body, msg));
  }

  replayIn(account: number, nextIn: number): void {
    const b = this.byAccount.get(account);
    if (b) b.state.nextIn = b.journaledIn = nextIn;
  }

  /**
   * The sessions in a journal snapshot: each account's sequence numbers and resend store. The inbound
   * number saved is the one journaled, as a replay of the records up to the snapshot would leave it.
   */
  snapshotPart(): SnapshotPart {
    return {
      save: () => [...this.byAccount].map(([account, b]) => ({
        account, nextIn: b.journaledIn, nextOut: b.state.nextOut,
        stored: b.state.range(b.state.oldest, b.state.nextOut - 1).map((m) => [m.body, Buffer.from(m.frame).toString('base64')]),
      })),
      load: (data) => {
        for (const s of data as { account: number; nextIn: number; nextOut: number; stored: [string, string][] }[]) {
          const b = this.byAccount.get(s.account) ?? this.bind(s.account);
          b.state.restore(s.nextIn, s.nextOut, s.stored.map(([body, f]) => ({ body, frame: new Uint8Array(Buffer.from(f, 'base64')) })));
          b.journaledIn = s.nextIn;
        }
      },
    };
  }

  /** Journals the inbound sequence numbers that moved since the last commit (called as each group commit begins). */
  recordProgress(recorder: { sessionIn(account: number, nextIn: number): void }): void {
    for (const [account, b] of this.byAccount) {
      if (b.state.nextIn === b.journaledIn) continue;
      b.journaledIn = b.state.nextIn;
      recorder.sessionIn(account, b.state.nextIn);
    }
  }

  detach(conn: TradeSession, account: AccountInfo): void {
    const b = this.byAccount.get(account.id);
    if (b?.conn === conn) b.conn = null;
    this.live.delete(conn);
  }

  /** Sends an unsolicited message (e.g. SecurityStatus) to every logged-on session. */
  broadcast(body: string, msg: Record<string, unknown>): void {
    for (const s of this.live) s.sendAdmin(body, msg);
  }
}

/** The Logout text of a ban: why, and until when (a breach of a 'logout' limiter may come without a ban). */
export function banText(e: RuleNotice): string {
  const why = e.text || 'repeated rate-limit breaches';
  return e.until > e.time ? `banned until ${new Date(Math.ceil(e.until / 1000)).toISOString()}: ${why}` : `logged out: ${why}`;
}

export class TradeSession {
  private account: AccountInfo | null = null;
  private state: SessionState | null = null;
  private cancelOnDisconnect = false;
  private heartbeatMs = 0;
  private lastIn: number;
  private lastOut: number;
  private testRequestSent = 0;
  private timer: TimerHandle | null = null;
  private rejects = 0;
  private closed = false;
  /** order messages held by a scenario's latency spike, in arrival order: [due (the session timers' ms), envelope copy, arrival (µs)] */
  private held: [number, Envelope, number][] = [];
  private heldTimer: TimerHandle | null = null;
  /** sequence number of the message being processed (for Reject.ref_seq_num) */
  private refSeq = 0;
  /** batches the reports of one tick into one write (none without the TCP socket) */
  private readonly cork: TickCork | null;
  /** when the frame being handled arrived (TradeSessions.nowUs) */
  private arrivedUs = 0;
  /** the account logged on (kept after logout: responses may still be written then) */
  private latencyAccount = 0;
  /** the arrival of the order message being handled while it has had no response yet; −1: none */
  private awaitingUs = -1;

  /**
   * `id` numbers the connection (unique per server): it goes with every
   * command as the engine's `session`, for per-connection rate limits.
   */
  constructor(
    private readonly ws: PeerSocket, private readonly sessions: TradeSessions, private readonly socket: Socket | null, readonly id: number,
  ) {
    this.lastIn = this.lastOut = sessions.timers.now();
    this.cork = socket ? new TickCork(socket, (send) => sessions.exchange.whenDurable(send), (marks) => this.acked(marks)) : null;
    // a socket that never logs on would be held for ever (and with it a file descriptor)
    this.timer = sessions.timers.setTimeout(() => this.onLogonTimeout(), this.limits.logonTimeoutMs);
    ws.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    ws.on('close', () => this.onClose());
    ws.on('error', () => this.onClose());
  }

  /** the logged-on account's id (0 before logon) */
  get accountId(): number {
    return this.account?.id ?? 0;
  }

  /** Logs the session out with this reason and closes the connection (a ban, a shutdown). */
  kick(text: string, reason: number, until = 0): void {
    this.logout(text, reason, until);
  }

  private get exchange(): Exchange {
    return this.sessions.exchange;
  }

  private get limits(): SessionLimits {
    return this.sessions.limits;
  }

  // ---- inbound ----

  private onFrame(data: RawData, isBinary: boolean): void {
    if (this.closed) return;
    this.arrivedUs = this.sessions.nowUs();
    this.lastIn = this.sessions.timers.now();
    this.testRequestSent = 0;
    // The hot order messages are decoded by hand into reused objects; anything
    // else, and anything the fast decoder is unsure of, goes through protobufjs
    // and its checks (readFrame), so rejects stay the contract's.
    if (fastDecodeOn && isBinary && !fastBusy && Buffer.isBuffer(data) && data.length <= this.limits.maxFrameBytes) {
      const fast = fastDecode(data);
      if (fast !== null) {
        fastBusy = true;
        try {
          this.onEnvelope(fast as unknown as Envelope, true);
        } finally {
          fastBusy = false;
        }
        return;
      }
    }
    const f = readFrame(data, isBinary, this.limits.maxFrameBytes);
    if (!f.ok) return this.reject(f.refSeq, f.reason, f.text);
    this.onEnvelope(f.env, false);
  }

  /** `reuse`: the envelope is fast-decode.ts's, and the reused commands are free to fill. */
  private onEnvelope(env: Envelope, reuse: boolean): void {
    this.refSeq = env.msg_seq_num;
    // past 2^53 a number is no longer exact (n + 1 === n): refused, and the expected number stays
    if (env.msg_seq_num > MAX_SEQ) return this.reject(0, SessionRejectReason.INVALID_VALUE, `msg_seq_num above ${MAX_SEQ}`);
    if (!this.account) return this.onFirstMessage(env);
    if (!this.checkSequence(env)) return;
    this.dispatch(env, reuse);
  }

  private onFirstMessage(env: Envelope): void {
    if (env.body !== 'logon') {
      this.reject(env.msg_seq_num, SessionRejectReason.NOT_LOGGED_ON, 'the first message must be a Logon');
      return this.logout('not logged on', LogoutReason.NOT_LOGGED_ON);
    }
    const logon = env.logon as {
      api_key: string; heartbeat_interval_ms: number; reset_seq_num: boolean; cancel_on_disconnect: boolean; exchange_epoch: number;
    };
    const auth = authenticateFrom(this.exchange, logon.api_key, this.socket?.remoteAddress ?? '');
    if (auth === null) return this.logout('unknown api key', LogoutReason.UNKNOWN_API_KEY);
    if ('retryAfterMs' in auth) {
      return this.logout(
        `too many failed authentications from this address; retry in ${Math.ceil(auth.retryAfterMs / 1000)} s`, LogoutReason.AUTH_BLOCKED, 0, CloseCode.AUTH_BLOCKED,
      );
    }
    const account = auth.account;
    const banned = this.exchange.bannedUntil(account.id);
    if (banned) {
      return this.logout(`banned until ${new Date(Math.ceil(banned / 1000)).toISOString()}: repeated rate-limit breaches`, LogoutReason.BANNED, banned);
    }
    const state = this.sessions.attach(this, account, logon.reset_seq_num);
    if (!state) return this.logout('another session of this account is logged on', LogoutReason.ALREADY_LOGGED_ON);
    this.account = account;
    this.latencyAccount = account.id;
    this.state = state;
    this.cancelOnDisconnect = logon.cancel_on_disconnect;
    const hb = logon.heartbeat_interval_ms || this.limits.defaultHeartbeatMs;
    this.heartbeatMs = Math.min(60_000, Math.max(1_000, hb));
    // The Logon consumes its own sequence number; a lower one than expected is refused.
    if (env.msg_seq_num < state.nextIn && !logon.reset_seq_num) {
      this.reject(env.msg_seq_num, SessionRejectReason.SEQ_TOO_LOW, `msg_seq_num ${env.msg_seq_num} below expected ${state.nextIn}`);
      return this.logout('sequence number too low', LogoutReason.SEQ_TOO_LOW);
    }
    const gapFrom = env.msg_seq_num > state.nextIn ? state.nextIn : 0;
    state.nextIn = env.msg_seq_num + 1;
    this.sendAdmin('logon', {
      heartbeat_interval_ms: this.heartbeatMs, reset_seq_num: logon.reset_seq_num, cancel_on_disconnect: this.cancelOnDisconnect,
      account_id: String(account.id), next_expected_msg_seq_num: state.nextIn,
      // a client that knew another run of the exchange hears that its state is gone
      exchange_epoch: this.exchange.idEpoch, exchange_restarted: logon.exchange_epoch > 0 && logon.exchange_epoch !== this.exchange.idEpoch,
    });
    this.sessions.emit({ kind: 'logon', session: this.id, account: account.id, name: account.name });
    if (gapFrom) this.sendAdmin('resend_request', { begin_seq_no: gapFrom, end_seq_no: env.msg_seq_num - 1 });
    if (this.timer) this.sessions.timers.clearTimeout(this.timer);
    this.timer = this.sessions.timers.setInterval(() => this.onTimer(), Math.min(1000, this.heartbeatMs / 2));
  }

  private onLogonTimeout(): void {
    if (this.closed || this.account) return;
    this.logout(`no Logon within ${this.limits.logonTimeoutMs} ms`, LogoutReason.LOGON_TIMEOUT, 0, CloseCode.LOGON_TIMEOUT);
  }

  /** FIX rules: a gap asks for a resend; a lower number is a duplicate (poss_dup) or an error. */
  private checkSequence(env: Envelope): boolean {
    const state = this.state as SessionState;
    const seq = env.msg_seq_num;
    if (seq === state.nextIn) {
      state.nextIn++;
      return true;
    }
    if (seq > state.nextIn) {
      this.sendAdmin('resend_request', { begin_seq_no: state.nextIn, end_seq_no: seq - 1 });
      state.nextIn = seq + 1;
      return true;
    }
    if (env.poss_dup) return false; // a resend of something already processed
    if (env.body === 'sequence_reset') return true;
    this.reject(seq, SessionRejectReason.SEQ_TOO_LOW, `msg_seq_num ${seq} below expected ${state.nextIn}`);
    this.logout('sequence number too low', LogoutReason.SEQ_TOO_LOW);
    return false;
  }

  private dispatch(env: Envelope, reuse: boolean): void {
    if (!ORDER_MESSAGES.has(env.body as string)) return this.route(env, reuse);
    const c = this.sessions.conditions;
    if (c !== null && !this.underConditions(c, env)) return;
    this.routeOrder(env, reuse, this.arrivedUs);
  }

  /** An order message: its first response's write ends its order→ack latency (transmit). */
  private routeOrder(env: Envelope, reuse: boolean, arrivedUs: number): void {
    this.awaitingUs = arrivedUs;
    try {
      this.route(env, reuse);
    } finally {
      this.awaitingUs = -1;
    }
  }

  /** A scenario's reject burst or latency spike; true when the message may go on now. */
  private underConditions(c: SessionConditions, env: Envelope): boolean {
    if (c.reject()) {
      this.awaitingUs = this.arrivedUs;
      this.businessReject(env, APPLICATION_NOT_AVAILABLE, 'exchange busy: request not processed (simulated outage), send it again');
      this.awaitingUs = -1;
      return false;
    }
    const delay = c.delayMs();
    if (delay <= 0 && this.held.length === 0) return true;
    // held messages keep their order, as on one TCP connection; the copy outlives the reused decode buffers
    this.held.push([this.sessions.timers.now() + Math.max(0, delay), structuredClone(env), this.arrivedUs]);
    this.planHeld();
    return false;
  }

  private planHeld(): void {
    if (this.heldTimer !== null || this.held.length === 0) return;
    this.heldTimer = this.sessions.timers.setTimeout(() => {
      this.heldTimer = null;
      while (!this.closed && this.held.length > 0 && this.held[0][0] <= this.sessions.timers.now()) {
        const [, env, arrivedUs] = this.held.shift() as [number, Envelope, number];
        this.routeOrder(env, false, arrivedUs);
      }
      if (this.closed) this.held = [];
      this.planHeld();
    }, Math.max(0, this.held[0][0] - this.sessions.timers.now()));
  }

  private route(env: Envelope, reuse: boolean): void {
    const account = (this.account as AccountInfo).id;
    const m = env[env.body as string] as Record<string, unknown>;
    switch (env.body) {
      case 'heartbeat': return;
      case 'test_request': return this.sendAdmin('heartbeat', { test_req_id: m.test_req_id });
      case 'logout': return this.logout('logout acknowledged', LogoutReason.CLIENT_LOGOUT);
      case 'resend_request': return this.resend(env.msg_seq_num, m.begin_seq_no as number, m.end_seq_no as number);
      case 'sequence_reset': return this.sequenceReset(env.msg_seq_num, m.new_seq_no as number);
      case 'reject': return;
      case 'new_order_single': return this.newOrder(account, m, reuse);
      case 'order_cancel_request': return this.cancel(account, m, reuse);
      case 'order_cancel_replace_request': return this.replace(account, m, reuse);
      case 'order_mass_cancel_request':
        this.exchange.massCancelOrders(account, m.cl_ord_id as string, (m.symbol as string) || undefined, (m.side as Side) || undefined);
        return;
      case 'mass_quote': return this.massQuote(account, m);
      case 'quote_cancel': {
        const n = this.exchange.quoteCancel(account, (m.symbol as string) || undefined);
        return this.sendAdmin('mass_quote_ack', { quote_id: m.quote_id, symbol: m.symbol, withdrawn_orders: n, text: `${n} quote orders withdrawn` });
      }
      case 'security_list_request':
        return this.sendAdmin('security_list', { security_req_id: m.security_req_id, securities: securityList(this.exchange) });
      case 'request_for_positions':
        for (const r of this.exchange.positionReports(account, m.symbol as string, m.pos_req_id as string)) this.sendAdmin('position_report', r);
        return;
      case 'account_terms_request':
        return this.sendAdmin('account_terms', this.exchange.accountTerms(account, m.req_id as string) ?? { req_id: m.req_id });
      case 'market_data_request':
        return this.businessReject(env, 0, 'market data is served on /ws/md');
      default:
        return this.businessReject(env, 3, `${env.body} is not accepted from clients`);
    }
  }

  private newOrder(account: number, m: Record<string, unknown>, reuse: boolean): void {
    if (!m.cl_ord_id) return this.businessReject(null, 5, 'new_order_single.cl_ord_id is required', 'new_order_single');
    this.exchange.newOrder(newOrderFromWire(account, m as unknown as NewOrderWire, this.id, reuse ? NEW_ORDER : undefined));
  }

  private cancel(account: number, m: Record<string, unknown>, reuse: boolean): void {
    const c = reuse ? CANCEL : blankCancel();
    this.orderRef(c, account, m, m.cl_ord_id as string);
    this.exchange.cancel(c);
  }

  private replace(account: number, m: Record<string, unknown>, reuse: boolean): void {
    const c = reuse ? REPLACE : blankReplace();
    this.orderRef(c, account, m, (m.cl_ord_id as string) || undefined);
    c.price = m.price as number;
    c.qty = m.order_qty as number;
    this.exchange.replace(c);
  }

  /** The order-naming fields of a cancel or cancel-replace. */
  private orderRef(c: CancelCommand, account: number, m: Record<string, unknown>, clOrdId: string | undefined): void {
    c.account = account;
    c.session = this.id;
    c.symbol = m.symbol as string;
    c.clOrdId = clOrdId;
    c.orderId = (m.order_id as number) || undefined;
    c.origClOrdId = (m.orig_cl_ord_id as string) || undefined;
  }

  private massQuote(account: number, m: Record<string, unknown>): void {
    const r = this.exchange.massQuote({
      account, session: this.id, symbol: m.symbol as string, bidPx: m.bid_px as number, bidSize: m.bid_size as number,
      offerPx: m.offer_px as number, offerSize: m.offer_size as number, mmpReset: m.mmp_reset === true,
    });
    this.sendAdmin('mass_quote_ack', {
      quote_id: m.quote_id, symbol: m.symbol, rejected: r.bidOrderId === 0 && r.offerOrderId === 0 && (r.bidReject !== 0 || r.offerReject !== 0),
      bid_reject_code: r.bidReject, offer_reject_code: r.offerReject, bid_order_id: r.bidOrderId, offer_order_id: r.offerOrderId,
      retry_after: r.retryAfter,
    });
  }

  /**
   * Sends stored messages again with poss_dup. As in FIX, session messages
   * (heartbeats, logons, …) are not resent: they and anything no longer stored
   * are covered by SequenceReset gap fills.
   */
  private resend(refSeq: number, begin: number, end: number): void {
    const state = this.state as SessionState;
    const last = end === 0 || end >= state.nextOut ? state.nextOut - 1 : end;
    if (!(begin >= 1) || begin > last) {
      const range = `resend_request ${begin}..${end}`;
      const why = begin < 1 ? 'begin_seq_no must be at least 1' : `nothing sent in that range (last sent ${state.nextOut - 1})`;
      return this.reject(refSeq, SessionRejectReason.INVALID_VALUE, `${range}: ${why}`);
    }
    let gapFrom = begin; // first sequence number not yet covered
    for (const m of state.range(begin, last)) {
      if (ADMIN_BODIES.has(m.body)) continue;
      if (gapFrom < m.seq) this.gapFill(gapFrom, m.seq);
      this.transmit(m.seq, m.frame, true);
      gapFrom = m.seq + 1;
    }
    if (gapFrom <= last) this.gapFill(gapFrom, last + 1);
  }

  private gapFill(seq: number, newSeq: number): void {
    this.transmit(seq, sharedFrame('sequence_reset', { new_seq_no: newSeq, gap_fill: true }), true);
  }

  /** A reset past 2^53 would leave every later number "too low": refused, the session keeps its numbers. */
  private sequenceReset(refSeq: number, newSeq: number): void {
    const state = this.state as SessionState;
    if (!(newSeq <= MAX_SEQ)) return this.reject(refSeq, SessionRejectReason.INVALID_VALUE, `sequence_reset.new_seq_no above ${MAX_SEQ}`);
    if (newSeq > state.nextIn) state.nextIn = newSeq;
  }

  // ---- outbound ----

  /** Sends a session-level or request-answer message: numbered and stored like every report. */
  sendAdmin(body: string, msg: Record<string, unknown>): void {
    if (!this.state || this.closed) return;
    this.sessions.exchange.recorder?.sessionOut(this.accountId, body, msg);
    const frame = sharedFrame(body, msg);
    this.transmit(this.state.store(body, frame), frame, false);
  }

  /** Puts one envelope on the wire: the stored frame under its sequence number. */
  transmit(seq: number, frame: Uint8Array, possDup: boolean): void {
    if (this.closed) return;
    if (this.ws.bufferedAmount > this.limits.maxBufferedBytes) {
      // A consumer this slow would make the server hold unbounded memory: drop it (its reports stay stored for a resend).
      this.closeNow('slow consumer: send buffer limit exceeded');
      return;
    }
    this.lastOut = this.sessions.timers.now();
    // the first response to an order message ends its latency once written
    const arrived = this.awaitingUs;
    this.awaitingUs = -1;
    if (this.cork && this.ws.readyState === this.ws.OPEN) {
      this.cork.write(wsNumberedFrame(seq, frame, possDup), arrived);
    } else {
      sendNumbered(this.ws, this.socket, seq, frame, possDup);
      if (arrived >= 0) this.acked([arrived]);
    }
  }

  /** Responses to order messages arrived at `arrivals` (µs) were just written to the socket. */
  private acked(arrivals: readonly number[]): void {
    const now = this.sessions.nowUs();
    for (const t of arrivals) this.sessions.latency.record(this.latencyAccount, now - t);
  }

  private reject(refSeq: number, reason: number, text: string): void {
    const msg = { ref_seq_num: refSeq, reason, text };
    if (this.state) this.sendAdmin('reject', msg);
    else this.sendUnsequenced('reject', msg);
    this.sessions.emit({ kind: 'reject', session: this.id, account: this.accountId, reason, text });
    if (++this.rejects >= this.limits.maxRejects) this.logout(`too many rejected messages (${this.rejects})`, LogoutReason.TOO_MANY_REJECTS);
  }

  private businessReject(env: Envelope | null, reason: number, text: string, refMsgType = env?.body ?? ''): void {
    this.sendAdmin('business_message_reject', { ref_seq_num: env?.msg_seq_num ?? this.refSeq, ref_msg_type: refMsgType, business_reject_reason: reason, text });
  }

  /** Before logon there is no session state: messages go out numbered 1 and are not stored. */
  private sendUnsequenced(body: string, msg: Record<string, unknown>): void {
    if (this.closed) return;
    this.ws.send(encodeEnvelope({ msg_seq_num: 1, sending_time_us: nowMicros(), [body]: msg }));
  }

  /** `code`: the WebSocket close code (1000, or one of CloseCode). */
  private logout(text: string, reason: number, until = 0, code = 1000): void {
    if (this.closed) return;
    const msg = { text, reason, until };
    if (this.state) this.sendAdmin('logout', msg);
    else this.sendUnsequenced('logout', msg);
    this.sessions.emit({ kind: 'logout', session: this.id, account: this.accountId, reason, text });
    this.closed = true;
    this.ws.close(code, text.slice(0, 100));
    this.onClose();
  }

  private closeNow(reason: string): void {
    this.closed = true;
    this.ws.terminate();
    this.sessions.emit({ kind: 'logout', session: this.id, account: this.accountId, reason: 0, text: reason });
    this.onClose();
  }

  private onTimer(): void {
    if (this.closed) return;
    const now = this.sessions.timers.now();
    if (now - this.lastOut >= this.heartbeatMs) this.sendAdmin('heartbeat', { test_req_id: '' });
    const silent = now - this.lastIn;
    if (silent >= this.heartbeatMs * 2 + 1000) return this.logout('heartbeat timeout: no message from the client', LogoutReason.HEARTBEAT_TIMEOUT);
    if (silent >= this.heartbeatMs + 500 && this.testRequestSent === 0) {
      this.testRequestSent = now;
      this.sendAdmin('test_request', { test_req_id: `tr-${now}` });
    }
  }

  private onClose(): void {
    if (this.timer) this.sessions.timers.clearInterval(this.timer); // clears the logon timeout too
    this.timer = null;
    // not closed by a Logout of ours: the client dropped the connection
    if (!this.closed && this.account) this.sessions.emit({ kind: 'logout', session: this.id, account: this.account.id, reason: 0, text: 'connection closed' });
    this.closed = true;
    const account = this.account;
    if (!account) {
      this.sessions.live.delete(this);
      return;
    }
    this.account = null;
    this.sessions.detach(this, account);
    if (this.cancelOnDisconnect) this.exchange.massCancelOrders(account.id, '', undefined, undefined, true);
  }
}
