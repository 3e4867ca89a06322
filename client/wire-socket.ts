// One WebSocket carrying protobuf Envelopes, with FIX-style liveness: a
// Heartbeat when we have been quiet for the interval, a TestRequest when the
// peer has been silent for it, and the socket declared dead (terminated) if
// the peer stays silent — a half-open TCP connection never closes by itself.
// Sequence numbering belongs to the session using the socket, not to it.
import WebSocket, { type RawData } from 'ws';
import { encodeEnvelope, nowNanos, readFrame, type Envelope } from '../gateway/wire.ts';
import { ClientError } from './errors.ts';

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

export class WireSocket {
  private lastIn = Date.now();
  private lastOut = Date.now();
  private testRequestAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  private constructor(private readonly ws: WebSocket, private readonly events: WireSocketEvents, private readonly maxBufferedBytes: number) {
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', (code, reason) => this.finish(reason.toString() || `closed (${code})`));
    ws.on('error', (e) => this.finish(e.message));
  }

  static open(url: string, events: WireSocketEvents, opts: { timeoutMs: number; maxBufferedBytes: number }): Promise<WireSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { handshakeTimeout: opts.timeoutMs, perMessageDeflate: false });
      const fail = (e: Error): void => {
        ws.removeAllListeners();
        ws.on('error', () => undefined); // a late error after terminate must not crash the process
        ws.terminate();
        reject(new ClientError('connection_failed', `cannot connect to ${url}: ${e.message}`));
      };
      ws.once('error', fail);
      ws.once('open', () => {
        ws.off('error', fail);
        resolve(new WireSocket(ws, events, opts.maxBufferedBytes));
      });
    });
  }

  get isOpen(): boolean {
    return !this.closed && this.ws.readyState === WebSocket.OPEN;
  }

  /** Encodes and sends one envelope. Throws ClientError if the socket is gone or the peer is not reading. */
  send(seq: number, body: string, msg: Record<string, unknown>, possDup = false): void {
    if (!this.isOpen) throw new ClientError('not_connected', 'the connection is not open');
    if (this.ws.bufferedAmount > this.maxBufferedBytes) {
      throw new ClientError('backpressure', `send buffer over ${this.maxBufferedBytes} bytes: the exchange is not reading`);
    }
    this.lastOut = Date.now();
    this.ws.send(encodeEnvelope({ msg_seq_num: seq, sending_time: nowNanos(), poss_dup: possDup, [body]: msg }));
  }

  /**
   * Starts liveness checks at the session's heartbeat interval. Timing
   * follows the server's own rules (README): heartbeat after `intervalMs`
   * of our silence, TestRequest after interval + 0.5 s of the peer's, dead
   * after twice the interval + 1 s.
   */
  startLiveness(intervalMs: number, hooks: LivenessHooks): void {
    this.stopLiveness();
    this.timer = setInterval(() => {
      const now = Date.now();
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
    this.timer.unref();
  }

  /** Orderly close (a Logout has normally been exchanged first). */
  close(reason: string): void {
    if (this.closed) return;
    this.ws.close(1000, reason.slice(0, 100));
    // A peer that does not answer the close handshake must not keep us waiting.
    setTimeout(() => this.terminate(reason), 1000).unref();
  }

  /** Drops the connection at once, as a network failure would. */
  terminate(reason: string): void {
    if (this.closed) return;
    this.ws.terminate();
    this.finish(reason);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.closed) return;
    this.lastIn = Date.now();
    this.testRequestAt = 0;
    // the server's own frame checks; its frames are bounded by what it sends (snapshots can be large)
    const f = readFrame(data, isBinary, MAX_INBOUND_FRAME);
    if (!f.ok) return this.events.garbage(f.text);
    this.events.envelope(f.env);
  }

  private stopLiveness(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.stopLiveness();
    this.ws.on('error', () => undefined);
    this.events.close(reason);
  }
}
