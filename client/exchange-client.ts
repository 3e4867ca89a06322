// ExchangeClient: order entry on /ws/trade for a bot. It logs on, loads the
// SecurityList (so orders are given as decimal strings and reports come back
// as them), sends requests and matches each answer to its request. The FIX
// session rules — numbering, in-order exactly-once delivery, heartbeats,
// reconnect without reset and replay of what was missed — live in
// OrderEntrySession; this class turns its messages into typed reports and
// events.
//
// Outcomes: a request's promise resolves with the exchange's answer — also
// when the answer is a refusal (a REJECTED ExecutionReport, an
// OrderCancelReject as { ok: false }), because that is business, not
// failure. It rejects with a ClientError only when no answer will come:
// not connected, lost in flight, timed out, refused by the session layer,
// or the client was closed. Pending requests survive a reconnect.
import { EventEmitter } from 'node:events';
import { realTimers } from '../gateway/timers.ts';
import type { Envelope } from '../gateway/wire.ts';
import { DecimalError } from './decimal.ts';
import { ClientError } from './errors.ts';
import { Instrument } from './instrument.ts';
import { OrderEntrySession, type ExchangeRestart, type ReconnectInfo, type SessionOptions } from './order-entry-session.ts';
import { PendingRequests } from './pending.ts';
import {
  ordTypeValue, sessionRejectName, sideValue, stpValue, tifValue,
  type OrdTypeName, type SessionRejectReasonName, type SideName, type StpModeName, type TimeInForceName,
  type WireBusinessMessageReject, type WireExecutionReport, type WireMassQuoteAck,
  type WireOrderCancelReject, type WireOrderMassCancelReport, type WirePositionReport, type WireReject,
  type WireSecurity, type WireSecurityStatus, type WireUserNotification, type WireObligationStatus, type WireObligationReport,
  type WireLimitState, type WireAccountTerms,
} from './protocol.ts';
import {
  toCancelReject, toExecutionReport, toMassCancelReport, toMassQuoteAck, toObligationReport, toObligationStatus, toPositionReport,
  toSecurityStatus, toUserNotification, toLimitState, toAccountTerms,
  type AccountTerms, type LimitState, type CancelReject, type Delivery, type ExecutionReport, type MassCancelReport, type MassQuoteAck, type ObligationReport,
  type ObligationStatus, type PositionReport, type SecurityStatus, type UserNotification,
} from './reports.ts';

import { toScorecardStatus, type ScorecardStatus, type WireScorecardStatus } from './scorecard.ts';

export type { ExchangeRestart, ReconnectInfo } from './order-entry-session.ts';

/** Session options (see SessionOptions: cancelOnDisconnect, heartbeatMs, reconnect, …) plus the request table's. */
export interface ExchangeClientOptions extends SessionOptions {
  /** how long a request may wait for its answer, ms (default 10000) */
  requestTimeoutMs?: number;
  /** requests awaiting an answer at once (default 10000) */
  maxPending?: number;
  /** prefix of generated cl_ord_ids, quote ids and request ids (default 'mb') */
  idPrefix?: string;
}

export interface OrderParams {
  symbol: string;
  side: SideName;
  /** default 'limit' */
  type?: OrdTypeName;
  /** decimal string; required for limit and stop-limit orders, ignored for market and stop orders; a midpoint peg's optional cap */
  price?: string;
  qty: string;
  /**
   * default: GTC for limits, IOC for market orders. 'at_the_opening' / 'at_the_close': the order waits
   * off the book for the opening / closing cross (market: MOO / MOC, limit: LOO / LOC)
   */
  tif?: TimeInForceName;
  postOnly?: boolean;
  /** with postOnly: re-priced one tick inside the opposite best instead of rejected (the NEW report's priceSlid says so) */
  postOnlySlide?: boolean;
  /** 'stop' / 'stop_limit': the trigger price, decimal string */
  stopPx?: string;
  /** an iceberg: the quantity shown at a time, decimal string */
  displayQty?: string;
  /** an imbalance-only (IO) order of a cross: a limit order with tif 'at_the_opening' or 'at_the_close' */
  imbalanceOnly?: boolean;
  /** default: the account's mode */
  stp?: StpModeName;
  /** GTD only: µs since the epoch */
  expireTime?: number;
  /** generated when omitted */
  clOrdId?: string;
}

/** An order named by the exchange's order id (number) or by the cl_ord_id of a live order (string). */
export type OrderRef = number | string;

export interface AmendParams {
  symbol: string;
  order: OrderRef;
  /** the new price and the new TOTAL quantity (fills included), as FIX OrderCancelReplaceRequest */
  price: string;
  qty: string;
  clOrdId?: string;
}

export interface QuoteSide {
  price: string;
  qty: string;
}

export interface MassQuoteParams {
  symbol: string;
  /** a side left out is left empty */
  bid?: QuoteSide;
  ask?: QuoteSide;
  quoteId?: string;
  /** reset the account's market-maker protection on the symbol first (after a trip every quote is refused until one carries it) */
  mmpReset?: boolean;
}

/** The answer to a cancel or an amend: the report of what happened, or the refusal. */
export type OrderChangeResult = { ok: true; report: ExecutionReport } | { ok: false; reject: CancelReject };

/** A message the exchange refused at the session layer (Reject) or as a business message (BusinessMessageReject). */
export interface SessionReject extends Delivery {
  kind: 'session' | 'business';
  /** our message's sequence number */
  refSeqNum: number;
  /** session Rejects: the reason */
  reason: SessionRejectReasonName | null;
  /** business rejects: the refused message's body name, e.g. 'new_order_single' */
  refMsgType: string;
  text: string;
}

/** Typed events; each report is emitted once, in the exchange's sequence order. */
export interface ExchangeClientEvents {
  executionReport: [report: ExecutionReport];
  /** an ExecutionReport of exec type 'trade' (also emitted as executionReport) */
  fill: [report: ExecutionReport];
  cancelReject: [reject: CancelReject];
  massCancelReport: [report: MassCancelReport];
  massQuoteAck: [ack: MassQuoteAck];
  /** every PositionReport: asked for, or sent after a fill changed the position */
  positionReport: [report: PositionReport];
  /** an instrument's phase changed (halt, resume, auction, close…), with the cause and a timed halt's end */
  securityStatus: [status: SecurityStatus];
  /** an instrument entered the LULD limit state (with the time it would halt) or left it */
  limitState: [state: LimitState];
  /** the account's kill switch turned on or off, its order-to-trade ratio was flagged, or it was banned (a logout follows) */
  userNotification: [notification: UserNotification];
  /** maker programme member: the live obligation status on an instrument (each change of compliance, and every status interval) */
  obligationStatus: [status: ObligationStatus];
  /** maker programme member: a window closed (pass / fail, figures, claw-back or tier change) */
  obligationReport: [report: ObligationReport];
  /** the exchange's scorecard of this account on an instrument (P&L split, markouts, quote quality), every few seconds once it trades or quotes there */
  scorecard: [status: ScorecardStatus];
  reject: [reject: SessionReject];
  /** the exchange logged this session out (the connection closes next) */
  logout: [text: string];
  /** the connection dropped; a reconnect follows if enabled */
  disconnect: [reason: string];
  /** logged on again after a drop */
  reconnect: [info: ReconnectInfo];
  /** logged on again to an exchange that restarted: every order, position and id known before is gone (state is in memory only) */
  exchangeRestarted: [info: ExchangeRestart];
}

/** The answer of setKillSwitch. */
export interface KillSwitchState {
  /** the state now */
  killSwitch: boolean;
  /** false when it already was in that state */
  changed: boolean;
  /** orders the switch cancelled */
  cancelled: number;
}

/** What each kind of request resolves with. */
interface Answers {
  order: ExecutionReport;
  change: OrderChangeResult;
  massCancel: MassCancelReport;
  quote: MassQuoteAck;
  positions: PositionReport[];
  securityList: WireSecurity[];
  terms: AccountTerms;
}

export class ExchangeClient extends EventEmitter<ExchangeClientEvents> {
  private readonly session: OrderEntrySession;
  private readonly pending: PendingRequests<Answers>;
  private readonly bySymbol = new Map<string, Instrument>();
  /** position reports collected per RequestForPositions until its closing heartbeat */
  private readonly positionBatches = new Map<string, PositionReport[]>();
  private readonly idPrefix: string;
  private readonly idBase: string;
  private idSeq = 0;
  /** requests the exchange reported it never received */
  lostRequests = 0;

  constructor(private readonly url: string, private readonly apiKey: string, options: ExchangeClientOptions = {}) {
    super();
    this.session = new OrderEntrySession(url, apiKey, options);
    const timers = options.timers ?? realTimers;
    this.pending = new PendingRequests<Answers>(options.maxPending ?? 10_000, options.requestTimeoutMs ?? 10_000, timers);
    this.idBase = Math.floor(timers.now()).toString(36);
    this.idPrefix = options.idPrefix ?? 'mb';
    const s = this.session;
    s.on('message', (env) => this.dispatch(env));
    s.on('reject', (env, m) => this.onSessionReject(env, m));
    s.on('lost', (begin, end) => {
      this.lostRequests += this.pending.failSeqRange(begin, end, (seq) =>
        new ClientError('lost', `message ${seq} never reached the exchange (the connection dropped); it was not resent`));
    });
    s.on('sessionReset', () => this.pending.failAll(new ClientError('session_reset', 'the exchange reset its session state; the answer is lost')));
    s.on('logout', (text) => this.emit('logout', text));
    s.on('disconnect', (reason) => this.emit('disconnect', reason));
    s.on('reconnect', (info) => this.emit('reconnect', info));
    s.on('exchangeRestarted', (info) => {
      this.pending.failAll(new ClientError('session_reset', 'the exchange restarted; the answer is lost'));
      this.emit('exchangeRestarted', info);
    });
    s.on('closed', (reason) => this.pending.failAll(new ClientError('closed', reason)));
  }

  /** Creates a client, logs on and loads the SecurityList. */
  static async connect(url: string, apiKey: string, options: ExchangeClientOptions = {}): Promise<ExchangeClient> {
    const c = new ExchangeClient(url, apiKey, options);
    await c.connect();
    return c;
  }

  /** Logs on and loads the SecurityList. Rejects with a ClientError ('connection_failed', 'logon_refused', …). */
  async connect(): Promise<void> {
    await this.session.open();
    try {
      const securities = await this.request('securityList', this.newId('sl'), 'security_list_request', (id) => ({ security_req_id: id }));
      for (const sec of securities) this.bySymbol.set(sec.symbol, new Instrument(sec));
    } catch (e) {
      await this.session.close();
      throw e;
    }
  }

  // ---- session facts ----

  /** true while logged on (requests can be sent) */
  get connected(): boolean {
    return this.session.connected;
  }

  /** the account id the exchange reported at logon */
  get accountId(): string {
    return this.session.accountId;
  }

  /** the last inbound sequence number processed in order */
  get inboundSeq(): number {
    return this.session.inboundSeq;
  }

  /** the last outbound sequence number sent */
  get outboundSeq(): number {
    return this.session.outboundSeq;
  }

  /** session counters: duplicates dropped, resend requests sent, reconnects */
  get stats(): OrderEntrySession['stats'] {
    return this.session.stats;
  }

  instrument(symbol: string): Instrument | undefined {
    return this.bySymbol.get(symbol);
  }

  instruments(): Instrument[] {
    return [...this.bySymbol.values()];
  }

  // ---- requests ----

  /** Sends a NewOrderSingle; resolves with the first ExecutionReport for its cl_ord_id (NEW, or REJECTED with rejectCode). */
  placeOrder(p: OrderParams): Promise<ExecutionReport> {
    return this.attempt(() => {
      const inst = this.instrumentFor(p.symbol);
      const type = p.type ?? 'limit';
      const limit = type === 'limit' || type === 'stop_limit';
      if (limit && p.price === undefined) throw new ClientError('invalid_argument', `a ${type} order needs a price`);
      if ((type === 'stop' || type === 'stop_limit') && p.stopPx === undefined) throw new ClientError('invalid_argument', `a ${type} order needs a stopPx`);
      const clOrdId = p.clOrdId ?? this.newId('o');
      const priced = limit || (type === 'midpoint_peg' && p.price !== undefined);
      return this.request('order', clOrdId, 'new_order_single', () => ({
        cl_ord_id: clOrdId, symbol: p.symbol, side: sideValue(p.side), ord_type: ordTypeValue(type),
        time_in_force: p.tif ? tifValue(p.tif) : 0, price: priced ? inst.priceUnits(p.price as string) : 0,
        order_qty: inst.qtyUnits(p.qty), expire_time: p.expireTime ?? 0, post_only: p.postOnly ?? false,
        stp_mode: p.stp ? stpValue(p.stp) : 0, stop_px: p.stopPx === undefined ? 0 : inst.priceUnits(p.stopPx),
        display_qty: p.displayQty === undefined ? 0 : inst.qtyUnits(p.displayQty), post_only_slide: p.postOnlySlide ?? false,
        imbalance_only: p.imbalanceOnly ?? false,
      }));
    });
  }

  /** An iceberg: a GTC limit order showing `displayQty` at a time; each new slice goes to the back of its level. */
  placeIceberg(p: Omit<OrderParams, 'type' | 'displayQty'> & { price: string; displayQty: string }): Promise<ExecutionReport> {
    return this.placeOrder({ ...p, type: 'limit' });
  }

  /** A post-only limit order that slides one tick inside the opposite best rather than take (report.priceSlid). */
  placePostOnlySlide(p: Omit<OrderParams, 'type' | 'postOnly' | 'postOnlySlide'> & { price: string }): Promise<ExecutionReport> {
    return this.placeOrder({ ...p, type: 'limit', postOnly: true, postOnlySlide: true });
  }

  /**
   * A stop (market) order, or a stop-limit when `price` is given: held off the book until a trade at
   * or through `stopPx` (a buy at or above, a sell at or below), then reported 'triggered' and entered.
   */
  placeStop(p: Omit<OrderParams, 'type'> & { stopPx: string }): Promise<ExecutionReport> {
    return this.placeOrder({ ...p, type: p.price === undefined ? 'stop' : 'stop_limit' });
  }

  /** A midpoint peg: hidden, at the mid of the best bid and offer (within `price`, the cap, when given). */
  placeMidpointPeg(p: Omit<OrderParams, 'type' | 'stopPx' | 'displayQty' | 'postOnly' | 'postOnlySlide'>): Promise<ExecutionReport> {
    return this.placeOrder({ ...p, type: 'midpoint_peg' });
  }

  /** Cancels one order; resolves with { ok: true, report } (CANCELED) or { ok: false, reject } (e.g. unknown order). */
  cancel(order: OrderRef, symbol: string): Promise<OrderChangeResult> {
    return this.attempt(() => {
      const clOrdId = this.newId('c');
      return this.request('change', clOrdId, 'order_cancel_request', () => ({ cl_ord_id: clOrdId, symbol, ...orderRefFields(order) }));
    });
  }

  /** Cancel-replace: resolves with { ok: true, report } (REPLACED, or CANCELED when amended to the filled quantity) or the refusal. */
  amend(p: AmendParams): Promise<OrderChangeResult> {
    return this.attempt(() => {
      const inst = this.instrumentFor(p.symbol);
      const clOrdId = p.clOrdId ?? this.newId('r');
      return this.request('change', clOrdId, 'order_cancel_replace_request', () => ({
        cl_ord_id: clOrdId, symbol: p.symbol, ...orderRefFields(p.order), price: inst.priceUnits(p.price), order_qty: inst.qtyUnits(p.qty),
      }));
    });
  }

  /** Cancels the account's orders (all, or one symbol and/or side); resolves with the OrderMassCancelReport. */
  massCancel(symbol?: string, side?: SideName): Promise<MassCancelReport> {
    return this.attempt(() => {
      const clOrdId = this.newId('m');
      return this.request('massCancel', clOrdId, 'order_mass_cancel_request', () => ({
        cl_ord_id: clOrdId, symbol: symbol ?? '', side: side ? sideValue(side) : 0,
      }));
    });
  }

  /** Replaces the account's two-sided quote on a symbol (post-only); resolves with the MassQuoteAck. */
  massQuote(p: MassQuoteParams): Promise<MassQuoteAck> {
    return this.attempt(() => {
      const inst = this.instrumentFor(p.symbol);
      const quoteId = p.quoteId ?? this.newId('q');
      return this.request('quote', quoteId, 'mass_quote', () => ({
        quote_id: quoteId, symbol: p.symbol,
        bid_px: p.bid ? inst.priceUnits(p.bid.price) : 0, bid_size: p.bid ? inst.qtyUnits(p.bid.qty) : 0,
        offer_px: p.ask ? inst.priceUnits(p.ask.price) : 0, offer_size: p.ask ? inst.qtyUnits(p.ask.qty) : 0,
        mmp_reset: p.mmpReset === true,
      }));
    });
  }

  /** Withdraws the account's quote on a symbol (all symbols when omitted); resolves with the MassQuoteAck. */
  quoteCancel(symbol?: string): Promise<MassQuoteAck> {
    return this.attempt(() => {
      const quoteId = this.newId('q');
      return this.request('quote', quoteId, 'quote_cancel', () => ({ quote_id: quoteId, symbol: symbol ?? '' }));
    });
  }

  /** The account's own terms: effective fee rates (fee tiers and programme rates included), position and risk limits. */
  accountTerms(): Promise<AccountTerms> {
    return this.attempt(() => this.request('terms', this.newId('t'), 'account_terms_request', (id) => ({ req_id: id })));
  }

  /** The account's positions (one instrument, or all). */
  positions(symbol?: string): Promise<PositionReport[]> {
    return this.attempt(async () => {
      const id = this.newId('p');
      this.positionBatches.set(id, []);
      try {
        // One PositionReport per instrument; the last has last_rpt_requested set.
        return await this.request('positions', id, 'request_for_positions', () => ({ pos_req_id: id, symbol: symbol ?? '' }));
      } finally {
        this.positionBatches.delete(id);
      }
    });
  }

  /**
   * Turns the account's kill switch on (the exchange cancels every order and
   * refuses new ones) or off, over REST (POST /api/v1/kill-switch). The
   * session also hears it as a userNotification and the cancels as reports.
   */
  async setKillSwitch(on: boolean, text?: string): Promise<KillSwitchState> {
    const u = new URL(this.url);
    u.protocol = u.protocol === 'wss:' || u.protocol === 'https:' ? 'https:' : 'http:';
    u.pathname = '/api/v1/kill-switch';
    u.search = '';
    let res: Response;
    try {
      res = await fetch(u, {
        method: 'POST', headers: { 'x-api-key': this.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify(text === undefined ? { on } : { on, text }),
      });
    } catch (e) {
      throw new ClientError('connection_failed', `kill switch: ${(e as Error).message}`);
    }
    const body = await res.json().catch(() => ({})) as { kill_switch?: boolean; changed?: boolean; cancelled?: number; message?: string };
    if (!res.ok) throw new ClientError('http_error', `kill switch: HTTP ${res.status} ${body.message ?? ''}`.trim());
    return { killSwitch: body.kill_switch === true, changed: body.changed === true, cancelled: body.cancelled ?? 0 };
  }

  /**
   * Asks the exchange to send messages begin … end again (end 0 = up to the
   * latest). Whatever was already processed arrives as a duplicate and is
   * dropped; used after a suspected loss, and by tests.
   */
  requestResend(begin: number, end = 0): void {
    this.session.requestResend(begin, end);
  }

  /** Drops the connection abruptly, as a network failure would (reconnect logic then runs). For drills and tests. */
  dropConnection(): void {
    this.session.drop();
  }

  /** Logs out, closes the connection and stops reconnecting. Pending requests are rejected with 'closed'. */
  close(): Promise<void> {
    return this.session.close();
  }

  // ---- sending ----

  /** Runs a request builder, turning argument errors into a rejected promise rather than a throw. */
  private async attempt<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof DecimalError) throw new ClientError('invalid_argument', e.message);
      throw e;
    }
  }

  /** Registers the answer slot, builds and sends the message; `after` sends follow-ups in the same turn. */
  private request<K extends keyof Answers & string>(kind: K, id: string, body: string, build: (id: string) => Record<string, unknown>, after?: () => void): Promise<Answers[K]> {
    const msg = build(id); // may throw on a bad argument: before anything is registered or sent
    const answer = this.pending.open(kind, id);
    try {
      this.pending.sent(kind, id, this.session.send(body, msg));
      after?.();
    } catch (e) {
      this.pending.abort(kind, id, e as Error);
    }
    return answer;
  }

  private instrumentFor(symbol: string): Instrument {
    const inst = this.bySymbol.get(symbol);
    if (!inst) throw new ClientError('unknown_symbol', `unknown symbol ${symbol} (not in the SecurityList)`);
    return inst;
  }

  private newId(kind: string): string {
    return `${this.idPrefix}${kind}${this.idBase}-${++this.idSeq}`;
  }

  // ---- inbound ----

  private onSessionReject(env: Envelope, m: WireReject): void {
    this.pending.failSeq(m.ref_seq_num, new ClientError('session_reject', `rejected by the session: ${m.text}`));
    this.emit('reject', { ...delivery(env), kind: 'session', refSeqNum: m.ref_seq_num, reason: sessionRejectName(m.reason), refMsgType: '', text: m.text });
  }

  /** In-order delivery of application messages (and heartbeats, which close position requests). */
  private dispatch(env: Envelope): void {
    const d = delivery(env);
    switch (env.body) {
      case 'execution_report': {
        const m = env.execution_report as WireExecutionReport;
        const report = toExecutionReport(m, this.bySymbol.get(m.symbol), d);
        // The first report for an order's cl_ord_id answers placeOrder; a cancel's or amend's own cl_ord_id answers it.
        if (!this.pending.settle('order', m.cl_ord_id, report)) this.pending.settle('change', m.cl_ord_id, { ok: true, report });
        this.emit('executionReport', report);
        if (report.execType === 'trade') this.emit('fill', report);
        return;
      }
      case 'order_cancel_reject': {
        const reject = toCancelReject(env.order_cancel_reject as WireOrderCancelReject, d);
        this.pending.settle('change', reject.clOrdId, { ok: false, reject });
        this.emit('cancelReject', reject);
        return;
      }
      case 'order_mass_cancel_report': {
        const report = toMassCancelReport(env.order_mass_cancel_report as WireOrderMassCancelReport, d);
        this.pending.settle('massCancel', report.clOrdId, report);
        this.emit('massCancelReport', report);
        return;
      }
      case 'mass_quote_ack': {
        const ack = toMassQuoteAck(env.mass_quote_ack as WireMassQuoteAck, d);
        this.pending.settle('quote', ack.quoteId, ack);
        this.emit('massQuoteAck', ack);
        return;
      }
      case 'position_report': {
        const m = env.position_report as WirePositionReport;
        const report = toPositionReport(m, this.bySymbol.get(m.symbol), d);
        const batch = m.pos_req_id ? this.positionBatches.get(m.pos_req_id) : undefined;
        // an unknown symbol is answered by one report saying so: an empty list here
        if (batch && !m.text) batch.push(report);
        if (batch && m.last_rpt_requested) this.pending.settle('positions', m.pos_req_id, batch);
        this.emit('positionReport', report);
        return;
      }
      case 'security_list': {
        const m = env.security_list as { security_req_id: string; securities: WireSecurity[] };
        this.pending.settle('securityList', m.security_req_id, m.securities);
        return;
      }
      case 'security_status':
        this.emit('securityStatus', toSecurityStatus(env.security_status as WireSecurityStatus, d));
        return;
      case 'limit_state': {
        const m = env.limit_state as WireLimitState;
        this.emit('limitState', toLimitState(m, this.bySymbol.get(m.symbol), d));
        return;
      }
      case 'account_terms': {
        const m = env.account_terms as WireAccountTerms;
        this.pending.settle('terms', m.req_id, toAccountTerms(m, (s) => this.bySymbol.get(s)));
        return;
      }
      case 'user_notification':
        this.emit('userNotification', toUserNotification(env.user_notification as WireUserNotification, d));
        return;
      case 'obligation_status':
        this.emit('obligationStatus', toObligationStatus(env.obligation_status as WireObligationStatus, d));
        return;
      case 'obligation_report': {
        const m = env.obligation_report as WireObligationReport;
        this.emit('obligationReport', toObligationReport(m, this.bySymbol.get(m.symbol), d));
        return;
      }
      case 'scorecard_status':
        this.emit('scorecard', toScorecardStatus(env.scorecard_status as WireScorecardStatus, d));
        return;
      case 'business_message_reject': {
        const m = env.business_message_reject as WireBusinessMessageReject;
        this.pending.failSeq(m.ref_seq_num, new ClientError('business_reject', `${m.ref_msg_type} refused: ${m.text}`));
        this.emit('reject', { ...d, kind: 'business', refSeqNum: m.ref_seq_num, reason: null, refMsgType: m.ref_msg_type, text: m.text });
        return;
      }
      default:
        return; // nothing else is addressed to an order-entry client
    }
  }
}

function delivery(env: Envelope): Delivery {
  return { seq: env.msg_seq_num, possDup: env.poss_dup };
}

function orderRefFields(order: OrderRef): Record<string, unknown> {
  if (typeof order === 'number') return { order_id: order };
  if (order === '') throw new ClientError('invalid_argument', 'an order reference must be an order id or a non-empty cl_ord_id');
  return { orig_cl_ord_id: order };
}
