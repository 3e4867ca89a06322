// One WebSocket carrying protobuf Envelopes, with FIX-style liveness: a
// Heartbeat when we have been quiet for the interval, a TestRequest when the
// peer has been silent for it, and the socket declared dead (terminated) if
// the peer stays silent — a half-open TCP connection never closes by itself.
// Sequence numbering belongs to the session using the socket, not to it.
import type { RawData } from 'ws';
import { realTimers, unref, type TimerHandle, type Timers } from '../gateway/timers.ts';
import { encodeEnvelope, readFrame, type Envelope } from '../gateway/wire.ts';
import { ClientError } from './errors.ts';
import { wsTransport, type Connection, type Transport } from './transport.ts';

/** Largest frame accepted from the exchange (a full-depth snapshot of a deep book is the big one). */
const MAX_INBOUND_FRAME = 64 * 1024 * 1024;

export interface WireSocketEvents {
  envelope(env: Envelope): void;
  /** a frame that is not an Envelope (the peer is broken; logged by the owner) */
  garbage(error: string): void;
  close(reason: string): void;
}

export interface LivenessHooks {
  heartbeat(): void;
  testRequest(id: string): void;
}

/** http(s)://host:port or ws(s)://host:port, with or without a path, to the ws URL of `endpoint`. */
export function endpointUrl(base: string, endpoint: string): string {
  const u = new URL(base);
  u.protocol = u.protocol === 'https:' || u.protocol === 'wss:' ? 'wss:' : 'ws:';
  u.pathname = u.pathname.endsWith(endpoint) ? u.pathname : u.pathname.replace(/\/$/, '') + endpoint;
  return u.toString();
}

/** How a socket reaches the exchange and keeps time: the network and the wall clock unless given. */
export interface SocketEnvironment {
  transport?: Transport;
  timers?: Timers;
}

export interface WireSocketOptions extends SocketEnvironment {
  timeoutMs: number;
  maxBufferedBytes: number;
}

export class WireSocket {
  private lastIn: number;
  private lastOut: number;
  private testRequestAt = 0;
  private timer: TimerHandle | null = null;
  private closed = false;

  private constructor(
    private readonly conn: Connection, private readonly events: WireSocketEvents, private readonly maxBufferedBytes: number,
    private readonly timers: Timers,
  ) {
    this.lastIn = this.lastOut = timers.now();
  }

  static async open(url: string, events: WireSocketEvents, opts: WireSocketOptions): Promise<WireSocket> {
    const timers = opts.timers ?? realTimers;
    let sock: WireSocket | null = null;
    // Nothing arrives before we send (the exchange speaks only when spoken to), so a frame cannot come before `sock` is set.
    const conn = await (opts.transport ?? wsTransport).connect(url, opts.timeoutMs, {
      frame: (data, isBinary) => sock?.onMessage(data, isBinary),
      close: (reason) => sock?.finish(reason),
    }).catch((e: Error) => {
      throw new ClientError('connection_failed', `cannot connect to ${url}: ${e.message}`);
    });
    sock = new WireSocket(conn, events, opts.maxBufferedBytes, timers);
    return sock;
  }

  get isOpen(): boolean {
    return !this.closed && this.conn.open;
  }

  /** Encodes and sends one envelope. Throws ClientError if the socket is gone or the peer is not reading. */
  send(seq: number, body: string, msg: Record<string, unknown>, possDup = false): void {
    if (!this.isOpen) throw new ClientError('not_connected', 'the connection is not open');
    if (this.conn.bufferedAmount > this.maxBufferedBytes) {
      throw new ClientError('backpressure', `send buffer over ${this.maxBufferedBytes} bytes: the exchange is not reading`);
    }
    this.lastOut = this.timers.now();
    this.conn.send(encodeEnvelope({ msg_seq_num: seq, sending_time_us: Math.round(this.lastOut * 1000), poss_dup: possDup, [body]: msg }));
  }

  /**
   * Starts liveness checks at the session's heartbeat interval. Timing
   * follows the server's own rules (README): heartbeat after `intervalMs`
   * of our silence, TestRequest after interval + 0.5 s of the peer's, dead
   * after twice the interval + 1 s.
   */
  startLiveness(intervalMs: number, hooks: LivenessHooks): void {
    this.stopLiveness();
    this.timer = this.timers.setInterval(() => {
      const now = this.timers.now();
      const silent = now - this.lastIn;
      if (silent >= intervalMs * 2 + 1000) {
        this.terminate(`no message from the exchange for ${silent} ms`);
        return;
      }
      if (silent >= intervalMs + 500 && this.testRequestAt === 0) {
        this.testRequestAt = now;
        hooks.testRequest(`live-${now}`);
      }
      if (now - this.lastOut >= intervalMs) hooks.heartbeat();
    }, Math.max(50, Math.min(1000, intervalMs / 4)));
    unref(this.timer);
  }

  /** Orderly close (a Logout has normally been exchanged first). */
  close(reason: string): void {
    if (this.closed) return;
    this.conn.close(1000, reason.slice(0, 100));
    // A peer that does not answer the close handshake must not keep us waiting.
    unref(this.timers.setTimeout(() => this.terminate(reason), 1000));
  }

  /** Drops the connection at once, as a network failure would. */
  terminate(reason: string): void {
    if (this.closed) return;
    this.conn.terminate();
    this.finish(reason);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.closed) return;
    this.lastIn = this.timers.now();
    this.testRequestAt = 0;
    // the server's own frame checks; its frames are bounded by what it sends (snapshots can be large)
    const f = readFrame(data, isBinary, MAX_INBOUND_FRAME);
    if (!f.ok) return this.events.garbage(f.text);
    this.events.envelope(f.env);
  }

  private stopLiveness(): void {
    if (this.timer) this.timers.clearInterval(this.timer);
    this.timer = null;
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.stopLiveness();
    this.events.close(reason);
  }
}
