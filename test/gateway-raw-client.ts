// A bare protocol client for gateway tests: opens /ws/trade (or /ws/md),
// numbers what it sends and collects what arrives, decoded.
import WebSocket from 'ws';
import { decodeEnvelope, encodeEnvelope, type Envelope } from '../gateway/wire.ts';
import { firstEnvelope } from './envelope-wait.ts';

export class Raw {
  readonly got: Envelope[] = [];
  private seq = 1;
  private waiters: (() => void)[] = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (d: Buffer) => {
      const r = decodeEnvelope(d);
      if (r.ok) this.got.push(r.env);
      for (const w of this.waiters.splice(0)) w();
    });
    // a client the server cut off may still be writing (EPIPE); tests look at the close
    ws.on('error', () => {});
  }
  static async open(url: string, path = '/ws/trade'): Promise<Raw> {
    const ws = new WebSocket(url.replace('http', 'ws') + path);
    await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
    return new Raw(ws);
  }
  /** Opens /ws/trade and logs on (reset_seq_num); resolves once the answer (Logon or Logout) arrived. */
  static async logon(url: string, apiKey: string): Promise<Raw> {
    const r = await Raw.open(url);
    r.send('logon', { api_key: apiKey, reset_seq_num: true });
    await r.waitFor((e) => e.body === 'logon' || e.body === 'logout');
    return r;
  }
  send(body: string, msg: Record<string, unknown>, seq = this.seq++): void {
    this.ws.send(encodeEnvelope({ msg_seq_num: seq, sending_time_us: 0, [body]: msg }));
  }
  waitFor(pred: (e: Envelope) => boolean, ms = 2000): Promise<Envelope> {
    return firstEnvelope(this.got, pred, ms, () => new Promise<void>((res) => { this.waiters.push(res); setTimeout(res, 50); }));
  }
  /** Every message received so far with this body, in order. */
  of<T = Record<string, unknown>>(body: string): T[] {
    return this.got.filter((e) => e.body === body).map((e) => e[body] as T);
  }
  /** The first message with this body that satisfies pred, waiting for it. */
  async next<T = Record<string, unknown>>(body: string, pred: (m: T) => boolean = () => true, ms = 2000): Promise<T> {
    const e = await this.waitFor((x) => x.body === body && pred(x[body] as T), ms);
    return e[body] as T;
  }
  closed(): Promise<void> {
    return new Promise((res) => (this.ws.readyState === WebSocket.CLOSED ? res() : this.ws.once('close', () => res())));
  }
}
