// The FIX session layer of /ws/trade, client side: logon, outbound
// numbering, inbound messages released strictly in sequence and exactly once,
// TestRequest answers and heartbeats, and after a dropped connection a new
// logon WITHOUT reset_seq_num (our numbering continues) followed by a
// ResendRequest from the last number processed + 1, so what was produced
// while we were away is replayed (poss_dup) and delivered once.
//
// It knows nothing of orders: application messages come out as 'message'
// events, in order; what the exchange says about our own messages (a session
// Reject, a range it never received) comes out as events too, for the
// ExchangeClient to settle its requests with.
import { EventEmitter } from 'node:events';
import { realTimers, unref, type TimerHandle } from '../gateway/timers.ts';
import type { Envelope } from '../gateway/wire.ts';
import { Backoff, type ReconnectPolicy } from './backoff.ts';
import { ClientError } from './errors.ts';
import { InboundSequencer, type SequencerResult } from './inbound-sequence.ts';
import type { WireHeartbeat, WireLogon, WireReject, WireResendRequest, WireSequenceReset } from './protocol.ts';
import { logoutReasonName } from './protocol.ts';
import { wsTransport } from './transport.ts';
import { endpointUrl, WireSocket, type SocketEnvironment } from './wire-socket.ts';

/** `transport` and `timers` default to WebSockets over the network and the wall clock. */
export interface SessionOptions extends SocketEnvironment {
  /** ask the exchange to cancel this account's orders when the connection drops (default false) */
  cancelOnDisconnect?: boolean;
  /** heartbeat interval asked for at logon, ms (default 5000; the exchange clamps to 1000 … 60000) */
  heartbeatMs?: number;
  /** reconnect after a drop (default true); a policy tunes the backoff */
  reconnect?: boolean | ReconnectPolicy;
  /** the first logon starts both sequence directions at 1 (default true); reconnects never reset */
  resetSeqNum?: boolean;
  /** opening the socket and the logon answer, ms (default 5000) */
  connectTimeoutMs?: number;
  /** messages held while a sequence gap is being filled (default 10000; beyond it the connection is restarted) */
  maxOutOfOrder?: number;
  /** unsent bytes on the socket beyond which sends fail with 'backpressure' (default 4 MiB) */
  maxBufferedBytes?: number;
}

export interface ReconnectInfo {
  /** attempts it took */
  attempts: number;
  /** the first sequence number asked for again, or null if nothing was missed */
  resendFrom: number | null;
}

export interface ExchangeRestart {
  /** the run this client knew, and the one it is logged on to now (ExchangeClient epochs) */
  previousEpoch: number;
  epoch: number;
}

export interface SessionEvents {
  /** an application message (or a heartbeat), in sequence order, each once */
  message: [env: Envelope];
  /** the exchange refused one of our messages at the session layer */
  reject: [env: Envelope, reject: WireReject];
  /** the exchange never received our messages begin … end (they were in flight when the connection dropped) */
  lost: [begin: number, end: number];
  /** the exchange numbers from below where we are: its session state is gone (it restarted) */
  sessionReset: [];
  /** the exchange restarted since the previous logon: its state (orders, positions, ids) is new */
  exchangeRestarted: [info: ExchangeRestart];
  /** the exchange logged this session out (the connection closes next) */
  logout: [text: string];
  /** the connection dropped; a reconnect follows if enabled */
  disconnect: [reason: string];
  /** logged on again after a drop */
  reconnect: [info: ReconnectInfo];
  /** for good: close() was called, reconnecting is off, or it gave up */
  closed: [reason: string];
}

/** Session messages acted on as they arrive (liveness and recovery cannot wait for a gap to heal). */
const ACT_ON_ARRIVAL = new Set(['logon', 'logout', 'test_request', 'resend_request', 'reject']);

type State = 'idle' | 'opening' | 'open' | 'reconnecting' | 'closing' | 'closed';

export class OrderEntrySession extends EventEmitter<SessionEvents> {
  private readonly url: string;
  private readonly opts: Required<Omit<SessionOptions, 'reconnect'>>;
  private readonly backoff: Backoff | null;
  private readonly inbound: InboundSequencer<Envelope>;
  private state: State = 'idle';
  private socket: WireSocket | null = null;
  private loggedOn = false;
  private nextOut = 1;
  private logonWaiter: { resolve(l: WireLogon): void; reject(e: Error): void } | null = null;
  private closeWaiter: (() => void) | null = null;
  private reconnectTimer: TimerHandle | null = null;
  private watchdog: TimerHandle | null = null;
  private lastResendFrom: number | null = null;
  private account = '';
  /** counters for diagnostics and tests */
  readonly stats = { duplicatesDropped: 0, resendRequestsSent: 0, reconnects: 0 };

  constructor(url: string, private readonly apiKey: string, options: SessionOptions = {}) {
    super();
    this.url = endpointUrl(url, '/ws/trade');
    this.opts = {
      cancelOnDisconnect: options.cancelOnDisconnect ?? false,
      heartbeatMs: options.heartbeatMs ?? 5000,
      resetSeqNum: options.resetSeqNum ?? true,
      connectTimeoutMs: options.connectTimeoutMs ?? 5000,
      maxOutOfOrder: options.maxOutOfOrder ?? 10_000,
      maxBufferedBytes: options.maxBufferedBytes ?? 4 * 1024 * 1024,
      transport: options.transport ?? wsTransport,
      timers: options.timers ?? realTimers,
    };
    const rc = options.reconnect ?? true;
    this.backoff = rc === false ? null : new Backoff(rc === true ? {} : rc);
    this.inbound = new InboundSequencer<Envelope>(this.opts.maxOutOfOrder);
  }

  /** true while logged on (messages can be sent) */
  get connected(): boolean {
    return this.loggedOn && this.state !== 'closing' && this.state !== 'closed';
  }

  /** the exchange run of the latest logon (0 before the first) */
  epoch = 0;
  /** the account id the exchange reported at logon */
  get accountId(): string {
    return this.account;
  }

  /** the last inbound sequence number processed in order */
  get inboundSeq(): number {
    return this.inbound.nextExpected - 1;
  }

  /** the last outbound sequence number sent */
  get outboundSeq(): number {
    return this.nextOut - 1;
  }

  /** The first logon. Rejects with a ClientError ('connection_failed', 'logon_refused', …). */
  async open(): Promise<void> {
    if (this.state !== 'idle') throw new ClientError('invalid_argument', `open() called in state ${this.state}`);
    this.state = 'opening';
    try {
      await this.logOn(this.opts.resetSeqNum);
      this.state = 'open';
      this.startWatchdog();
    } catch (e) {
      this.state = 'closed';
      this.socket?.terminate('logon failed');
      throw e;
    }
  }

  /** Sends a numbered message on the logged-on session; returns its sequence number. Throws a ClientError. */
  send(body: string, msg: Record<string, unknown>): number {
    const sock = this.socket;
    if (!sock || !this.loggedOn || this.state === 'closing' || this.state === 'closed') {
      throw new ClientError('not_connected', `not logged on (${this.state})`);
    }
    const seq = this.nextOut;
    sock.send(seq, body, msg);
    this.nextOut++; // only a message that left consumes a number
    return seq;
  }

  /** Asks for messages begin … end again (end 0 = up to the latest); what was processed already is dropped as a duplicate. */
  requestResend(begin: number, end = 0): void {
    this.send('resend_request', { begin_seq_no: begin, end_seq_no: end });
    this.stats.resendRequestsSent++;
  }

  /** Drops the connection abruptly, as a network failure would (reconnect logic then runs). For drills and tests. */
  drop(): void {
    this.socket?.terminate('connection dropped by the client');
  }

  /** Logs out, closes the connection and stops reconnecting. */
  async close(): Promise<void> {
    if (this.state === 'closed' || this.state === 'closing') return;
    this.state = 'closing';
    if (this.reconnectTimer) this.opts.timers.clearTimeout(this.reconnectTimer);
    if (this.socket && this.loggedOn) {
      const closed = new Promise<void>((resolve) => (this.closeWaiter = resolve));
      this.sendAdmin('logout', { text: 'client logout' });
      // The exchange answers a Logout with its own and closes; do not wait forever for it.
      await Promise.race([closed, new Promise((r) => unref(this.opts.timers.setTimeout(() => r(undefined), 1000)))]);
    }
    this.socket?.terminate('client closed');
    this.finishClosed('the client was closed');
  }

  /** Session upkeep messages: a failure here surfaces as the connection closing, not as an error. */
  private sendAdmin(body: string, msg: Record<string, unknown>): void {
    const sock = this.socket;
    if (!sock?.isOpen) return;
    try {
      sock.send(this.nextOut, body, msg);
      this.nextOut++;
    } catch {
      /* the close event follows */
    }
  }

  // ---- logon ----

  /** Opens a socket and logs on; resolves once the exchange's Logon arrived. */
  private async logOn(reset: boolean): Promise<void> {
    let sock: WireSocket | null = null;
    sock = await WireSocket.open(this.url, {
      envelope: (env) => sock === this.socket && this.onEnvelope(env),
      garbage: () => undefined, // the exchange only sends Envelopes; nothing useful to do with noise
      close: (reason) => this.onSocketClose(sock as WireSocket, reason),
    }, { timeoutMs: this.opts.connectTimeoutMs, maxBufferedBytes: this.opts.maxBufferedBytes, transport: this.opts.transport, timers: this.opts.timers });
    if (this.state === 'closing' || this.state === 'closed') {
      sock.terminate('client closed');
      throw new ClientError('closed', 'the client was closed');
    }
    if (reset) {
      this.nextOut = 1;
      this.inbound.reset(1);
    }
    this.inbound.newConnection();
    this.socket = sock;
    this.loggedOn = false;
    this.lastResendFrom = null;
    const answer = new Promise<WireLogon>((resolve, reject) => (this.logonWaiter = { resolve, reject }));
    const timer = this.opts.timers.setTimeout(() => sock.terminate('no Logon answer in time'), this.opts.connectTimeoutMs);
    try {
      sock.send(this.nextOut++, 'logon', {
        api_key: this.apiKey, heartbeat_interval_ms: this.opts.heartbeatMs, reset_seq_num: reset,
        cancel_on_disconnect: this.opts.cancelOnDisconnect, exchange_epoch: this.epoch,
      });
      await answer;
    } finally {
      this.opts.timers.clearTimeout(timer);
      this.logonWaiter = null;
    }
  }

  /**
   * Before the logon completes only the answer matters: Logon (accepted) or
   * Logout (refused; sent unsequenced). State changes happen here, not after
   * the await: the messages that follow may arrive in the same I/O turn.
   */
  private onLogonAnswer(env: Envelope): void {
    const waiter = this.logonWaiter;
    if (!waiter) return;
    if (env.body === 'logout') {
      const out = env.logout as { text: string; reason: number };
      waiter.reject(new ClientError('logon_refused', `logon refused (${logoutReasonName(out.reason) ?? 'unspecified'}): ${out.text}`));
      return;
    }
    if (env.body !== 'logon') return;
    const logon = env.logon as WireLogon;
    if (env.msg_seq_num < this.inbound.nextExpected && !logon.reset_seq_num) {
      this.inbound.reset(env.msg_seq_num);
      this.emit('sessionReset');
    }
    const previousEpoch = this.epoch;
    this.epoch = logon.exchange_epoch;
    if (logon.exchange_restarted || (previousEpoch !== 0 && previousEpoch !== logon.exchange_epoch)) {
      this.emit('exchangeRestarted', { previousEpoch, epoch: logon.exchange_epoch });
    }
    this.loggedOn = true;
    this.account = logon.account_id;
    (this.socket as WireSocket).startLiveness(logon.heartbeat_interval_ms || this.opts.heartbeatMs, {
      heartbeat: () => this.sendAdmin('heartbeat', { test_req_id: '' }),
      testRequest: (id) => this.sendAdmin('test_request', { test_req_id: id }),
    });
    this.afterSequencing(this.inbound.receive(env.msg_seq_num, null));
    waiter.resolve(logon);
  }

  // ---- inbound ----

  private onEnvelope(env: Envelope): void {
    if (!this.loggedOn) return this.onLogonAnswer(env);
    if (env.body === 'sequence_reset') {
      const m = env.sequence_reset as WireSequenceReset;
      if (m.gap_fill) return this.afterSequencing(this.inbound.gapFill(env.msg_seq_num, m.new_seq_no));
      this.inbound.reset(m.new_seq_no); // reset mode: the sender restarts its numbering, no questions asked
      return;
    }
    const actNow = ACT_ON_ARRIVAL.has(env.body ?? '');
    // Replays (poss_dup) of session messages are history; only live ones are acted on.
    if (actNow && !env.poss_dup && env.msg_seq_num >= this.inbound.nextExpected) this.onSessionMessage(env);
    this.afterSequencing(this.inbound.receive(env.msg_seq_num, actNow ? null : env));
  }

  private onSessionMessage(env: Envelope): void {
    switch (env.body) {
      case 'test_request':
        return this.sendAdmin('heartbeat', { test_req_id: (env.test_request as WireHeartbeat).test_req_id });
      case 'resend_request': {
        // The exchange missed numbers we sent: they were in flight when the connection dropped.
        // Orders are not replayed (a stale order is worse than none): the range is gap-filled,
        // sent as number begin_seq_no with poss_dup (FIX), which consumes none of our numbers.
        const m = env.resend_request as WireResendRequest;
        try {
          this.socket?.send(m.begin_seq_no, 'sequence_reset', { new_seq_no: this.nextOut, gap_fill: true }, true);
        } catch {
          /* the connection is closing; the next logon reopens the question */
        }
        this.emit('lost', m.begin_seq_no, m.end_seq_no || this.nextOut - 1);
        return;
      }
      case 'reject':
        this.emit('reject', env, env.reject as WireReject);
        return;
      case 'logout':
        this.emit('logout', (env.logout as { text: string }).text);
        return;
      default:
        return; // a second Logon: nothing to do
    }
  }

  private afterSequencing(r: SequencerResult<Envelope>): void {
    if (r.duplicate) this.stats.duplicatesDropped++;
    if (r.overflow) {
      // The gap is not healing; a fresh connection asks for it again from the expected number.
      this.socket?.terminate(`more than ${this.opts.maxOutOfOrder} messages held behind a sequence gap`);
      return;
    }
    if (r.resend) {
      this.lastResendFrom ??= r.resend.begin;
      this.sendAdmin('resend_request', { begin_seq_no: r.resend.begin, end_seq_no: r.resend.end });
      this.stats.resendRequestsSent++;
    }
    for (const env of r.ready) this.emit('message', env);
  }

  // ---- drops and reconnects ----

  private onSocketClose(sock: WireSocket, reason: string): void {
    if (sock !== this.socket) return;
    const wasLoggedOn = this.loggedOn;
    this.socket = null;
    this.loggedOn = false;
    this.closeWaiter?.();
    this.closeWaiter = null;
    // A socket that never got logged on belongs to a logOn() call, which reports the failure itself.
    this.logonWaiter?.reject(new ClientError('connection_failed', `connection closed before the logon completed: ${reason}`));
    if (!wasLoggedOn || this.state === 'closing' || this.state === 'closed') return;
    this.emit('disconnect', reason);
    if (!this.backoff) return this.finishClosed(`connection dropped (${reason}) and reconnecting is off`);
    this.state = 'reconnecting';
    this.scheduleReconnect(this.backoff);
  }

  private scheduleReconnect(backoff: Backoff): void {
    if (backoff.exhausted) return this.finishClosed(`gave up reconnecting after ${backoff.attempts} attempts`);
    this.reconnectTimer = this.opts.timers.setTimeout(() => {
      this.reconnectTimer = null;
      this.logOn(false).then(() => {
        if (this.state !== 'reconnecting') return;
        this.state = 'open';
        this.stats.reconnects++;
        const info: ReconnectInfo = { attempts: backoff.attempts, resendFrom: this.lastResendFrom };
        backoff.reset();
        this.emit('reconnect', info);
      }, () => {
        if (this.state === 'reconnecting') this.scheduleReconnect(backoff);
      });
    }, backoff.next());
  }

  /** A gap that stays open (an answer to our ResendRequest got lost too) is asked for again. */
  private startWatchdog(): void {
    let seen = this.inbound.progress;
    this.watchdog = this.opts.timers.setInterval(() => {
      const now = this.inbound.progress;
      if (now === seen && this.inbound.heldCount > 0 && this.loggedOn) {
        const gap = this.inbound.rerequest();
        if (gap) this.sendAdmin('resend_request', { begin_seq_no: gap.begin, end_seq_no: gap.end });
      }
      seen = now;
    }, Math.max(1000, this.opts.heartbeatMs));
    unref(this.watchdog);
  }

  private finishClosed(why: string): void {
    this.state = 'closed';
    if (this.watchdog) this.opts.timers.clearInterval(this.watchdog);
    this.emit('closed', why);
  }
}
