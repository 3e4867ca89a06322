// One connection on /ws/md. Public data, so no logon; otherwise the framing of
// /ws/trade: binary Envelopes, msg_seq_num per direction (the server's from 1
// per connection), typed Rejects for bad input and a Logout after too many.
// Requests go to the host (the hub); incrementals come in through stream(),
// which refuses to queue past the high-water mark so a slow reader cannot make
// the server hold unbounded memory (the hub resyncs it later); past the whole
// per-socket budget (SessionLimits.maxBufferedBytes) the connection is cut.
//
// The budget counts what the connection really holds: the bytes queued on the
// socket plus a fixed cost per queued frame (each write is a buffer and a
// queue entry, more than a small frame's own bytes: counting bytes alone let a
// stalled subscriber hold 3.5 times its budget).
import type { Socket } from 'node:net';
import type { RawData } from 'ws';
import type { Subscription } from './md-feed.ts';
import { sharedFrame } from './md-wire.ts';
import { sendNumbered, sendNumberedParts, type PeerSocket } from './ws-frame.ts';
import type { FrameParts } from './md-snapshot-cache.ts';
import { TokenBucket } from './token-bucket.ts';
import { unref, type Timers } from './timers.ts';
import type { SessionLimits } from './trade-session.ts';
import { CloseCode } from './connection-limits.ts';
import { LogoutReason, MAX_SEQ, readFrame, SessionRejectReason, type Envelope } from './wire.ts';

/** MarketDataRequest as decoded (proto3 defaults fill absent fields). */
export interface MdRequest {
  md_req_id: string;
  symbol: string;
  subscription: number;
  market_depth: number;
  channels: number[];
}

/** What a session needs from the hub. */
export interface MdHost {
  readonly limits: SessionLimits;
  /** the server's clock and timers (a simulation's in virtual time) */
  readonly timers: Timers;
  /** send-buffer bytes beyond which incrementals stop */
  readonly highWater: number;
  request(s: MdSession, req: MdRequest, refSeq: number): void;
  securityList(): Record<string, unknown>[];
  stall(s: MdSession): void;
  /** the session corked its socket: uncork it once the current burst of commands is done */
  corked(s: MdSession): void;
  closed(s: MdSession): void;
}

/** Memory one queued frame holds besides its bytes (the write's queue entry and buffer object, measured on Node 20). */
export const FRAME_OVERHEAD = 192;

/** Bytes written under one cork before they are flushed anyway. */
const CORK_FLUSH_BYTES = 64 * 1024;

/** Order-entry messages: they belong on /ws/trade (Reject WRONG_ENDPOINT). */
const ORDER_ENTRY: ReadonlySet<string> = new Set([
  'new_order_single', 'order_cancel_request', 'order_cancel_replace_request', 'order_mass_cancel_request',
  'mass_quote', 'quote_cancel', 'request_for_positions', 'account_terms_request',
]);

export class MdSession {
  /** by symbol */
  readonly subs = new Map<string, Subscription>();
  /** incrementals are being dropped until the send buffer drains and snapshots resync the client */
  stalled = false;
  private nextIn = 1;
  private nextOut = 1;
  private rejects = 0;
  /** a refused snapshot request was told to retry at this time (the hub's timers, ms); requests before then get no answer */
  refusedUntil = 0;
  /** requests sent before that time since the last one served */
  ignoredRefusals = 0;
  private closed = false;
  private corked = false;
  /** frames written since the socket's queue was last seen empty */
  private queuedFrames = 0;
  /** a pong or a message since the last ping */
  heard = true;
  /** when incrementals stopped (timers.now(), ms), while stalled */
  stalledSince = 0;
  /** the snapshot requests this connection may make */
  private readonly snapshots: TokenBucket;
  private readonly everSubscribed = new Set<string>();
  /** a Heartbeat message goes out after this long without any other message (a Logon sets it) */
  heartbeatMs: number;
  /** ms without a message sent, counted by the hub's heartbeat tick */
  idleMs = 0;
  /** something was sent since the last heartbeat tick */
  sent = false;

  /**
   * `socket` is the TCP socket under `ws`: frames are written to it whole,
   * corked while a burst is written (one syscall instead of one each). Null
   * for an in-process peer (sim/bot-host.ts): frames then go by ws.send.
   */
  /** the remote address (request weight is counted per address) */
  readonly address: string;

  constructor(private readonly ws: PeerSocket, private readonly socket: Socket | null, private readonly host: MdHost) {
    this.address = socket?.remoteAddress ?? '';
    this.snapshots = new TokenBucket(host.limits.mdSnapshotBurst, host.limits.mdSnapshotsPerSec, host.timers.now());
    this.heartbeatMs = host.limits.defaultHeartbeatMs;
    ws.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    ws.on('pong', () => (this.heard = true));
    ws.on('close', () => this.onClose());
    ws.on('error', () => this.onClose());
  }

  /** What the connection holds for the client: bytes queued, and each queued frame's own cost. */
  get bufferedAmount(): number {
    const bytes = this.ws.bufferedAmount;
    if (bytes === 0) this.queuedFrames = 0;
    return bytes + this.queuedFrames * FRAME_OVERHEAD;
  }

  /** True the first time the connection subscribes to `symbol` (a bounded set: symbols are the instruments). */
  firstSubscription(symbol: string): boolean {
    if (this.everSubscribed.has(symbol)) return false;
    this.everSubscribed.add(symbol);
    return true;
  }

  /** 0 when a snapshot may be served now (and counts it), else the milliseconds until one may. */
  takeSnapshot(now: number): number {
    return this.snapshots.take(now);
  }

  /** The heartbeat: a connection that answered nothing since the last ping is gone; otherwise ping it again. */
  ping(): void {
    if (this.closed) return;
    if (!this.heard) return this.drop(CloseCode.HEARTBEAT_TIMEOUT, `no pong or message within ${this.host.limits.mdHeartbeatMs} ms`);
    this.heard = false;
    this.ws.ping();
  }

  /**
   * Closes the connection for a reason the client can read in the close frame
   * if it still reads; one that does not is cut a second later (its queued
   * bytes are freed then).
   */
  drop(code: number, reason: string): void {
    if (this.closed) return;
    this.ws.close(code, reason.slice(0, 120));
    unref(this.host.timers.setTimeout(() => this.ws.terminate(), 1000));
    this.onClose();
  }

  // ---- inbound ----

  private onFrame(data: RawData, isBinary: boolean): void {
    if (this.closed) return;
    this.heard = true;
    const f = readFrame(data, isBinary, this.host.limits.maxFrameBytes);
    if (!f.ok) return this.reject(f.refSeq, f.reason, f.text);
    if (this.inSequence(f.env)) this.dispatch(f.env);
  }

  /**
   * A number below the expected one is a duplicate (ignored with poss_dup, else
   * rejected). A gap is accepted: nothing here depends on earlier client
   * messages, and there is no order state to resend.
   */
  private inSequence(env: Envelope): boolean {
    const seq = env.msg_seq_num;
    if (seq > MAX_SEQ) {
      this.reject(0, SessionRejectReason.INVALID_VALUE, `msg_seq_num above ${MAX_SEQ}`);
      return false;
    }
    if (seq >= this.nextIn) {
      this.nextIn = seq + 1;
      return true;
    }
    if (!env.poss_dup) this.reject(seq, SessionRejectReason.SEQ_TOO_LOW, `msg_seq_num ${seq} below expected ${this.nextIn}`);
    return false;
  }

  private dispatch(env: Envelope): void {
    const body = env.body as string;
    const m = env[body] as Record<string, unknown>;
    const seq = env.msg_seq_num;
    switch (body) {
      case 'market_data_request': return this.host.request(this, m as unknown as MdRequest, seq);
      case 'security_list_request':
        return this.send('security_list', { security_req_id: m.security_req_id, securities: this.host.securityList() });
      case 'test_request': return this.send('heartbeat', { test_req_id: m.test_req_id });
      // optional here: it sets the heartbeat interval, and a client written for /ws/trade gets its answer
      case 'logon': {
        const hb = (m.heartbeat_interval_ms as number) || this.host.limits.defaultHeartbeatMs;
        this.heartbeatMs = Math.min(60_000, Math.max(1_000, hb));
        return this.send('logon', { heartbeat_interval_ms: this.heartbeatMs, next_expected_msg_seq_num: this.nextIn });
      }
      case 'logout': return this.logout('logout acknowledged', LogoutReason.CLIENT_LOGOUT);
      case 'heartbeat': case 'reject': case 'sequence_reset': return;
      default:
        if (ORDER_ENTRY.has(body)) return this.reject(seq, SessionRejectReason.WRONG_ENDPOINT, `${body} is served on /ws/trade, not /ws/md`);
        // resend_request and server-side messages: understood, not served (as /ws/trade answers them)
        return this.send('business_message_reject', {
          ref_seq_num: seq, ref_msg_type: body, business_reject_reason: 3,
          text: body === 'resend_request' ? 'market data is not resent: request a snapshot' : `${body} is not accepted from clients`,
        });
    }
  }

  // ---- outbound ----

  /** Answers and session messages: always sent (the client's own requests pace them). */
  send(body: string, msg: Record<string, unknown>): void {
    this.sendFrame(sharedFrame(body, msg));
  }

  /**
   * Puts a shared frame on the wire under this connection's next sequence
   * number. Incrementals stop at the high-water mark, so only a client that
   * keeps asking without reading gets past the whole budget: it is cut off.
   */
  sendFrame(shared: Uint8Array): void {
    if (!this.mayWrite()) return;
    sendNumbered(this.ws, this.socket, this.nextOut++, shared);
    this.wrote(1);
  }

  /** sendFrame for a frame in two parts (a kept snapshot, md-snapshot-cache.ts): its body is written as it is, not copied. */
  sendParts(frame: FrameParts): void {
    if (!this.mayWrite()) return;
    sendNumberedParts(this.ws, this.socket, this.nextOut++, frame.head, frame.body);
    this.wrote(2);
  }

  /** False (and the connection is cut) past the whole budget; else corks the socket for the burst being written. */
  private mayWrite(): boolean {
    if (this.closed) return false;
    if (this.bufferedAmount > this.host.limits.maxBufferedBytes) {
      this.ws.terminate();
      this.onClose();
      return false;
    }
    if (!this.corked && this.socket) {
      this.corked = true;
      this.socket.cork();
      this.host.corked(this);
    }
    return true;
  }

  /** Counts `writes` queued writes of one frame. */
  private wrote(writes: number): void {
    this.queuedFrames += writes;
    this.sent = true;
    // a long burst is written out in slices, so it cannot pass the high-water mark before the kernel saw any of it
    if (this.ws.bufferedAmount > CORK_FLUSH_BYTES) this.uncork();
  }

  /** Writes out what was sent since the socket was corked. */
  uncork(): void {
    if (!this.corked) return;
    this.corked = false;
    this.socket?.uncork();
  }

  /** An incremental: sent only while the connection keeps up. */
  stream(shared: Uint8Array): void {
    if (this.streaming()) this.sendFrame(shared);
  }

  /** False once the send buffer passed the high-water mark (which stalls the connection until it drains). */
  streaming(): boolean {
    if (this.stalled) return false;
    if (this.bufferedAmount <= this.host.highWater) return true;
    this.host.stall(this);
    return false;
  }

  reject(refSeq: number, reason: number, text: string): void {
    this.send('reject', { ref_seq_num: refSeq, reason, text });
    if (++this.rejects >= this.host.limits.maxRejects) this.logout(`too many rejected messages (${this.rejects})`, LogoutReason.TOO_MANY_REJECTS);
  }

  /**
   * Called every `tickMs` by the hub: a Heartbeat once nothing was sent for
   * the heartbeat interval (a quiet symbol looks the same as a dead link
   * without one).
   */
  heartbeatTick(tickMs: number): void {
    if (this.stalled) return; // behind on its data already: a heartbeat would only add to the queue
    if (this.sent) {
      this.sent = false;
      this.idleMs = 0;
      return;
    }
    this.idleMs += tickMs;
    if (this.idleMs >= this.heartbeatMs) {
      this.send('heartbeat', { test_req_id: '' });
      this.sent = false;
      this.idleMs = 0;
    }
  }

  /** Sends a Logout with its reason and closes the connection. */
  logout(text: string, reason: number): void {
    if (this.closed) return;
    this.send('logout', { text, reason });
    this.ws.close(1000, text.slice(0, 100));
    this.onClose();
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.host.closed(this);
  }
}

/** The bytes of a frame, whichever form ws delivered them in. */
