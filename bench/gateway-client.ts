// A lean order-entry client for the gateway bench: raw protobuf Envelopes over
// one /ws/trade WebSocket (bench-codec.ts in steady state, no SDK), so the client costs as
// little CPU as possible next to the server it measures.
//
// Each connection runs an endless, deterministic stream of operations that
// never crosses and keeps its account's resting orders bounded: new GTC limit
// orders away from the mid, and, once `resting` orders are live, a cancel of
// the oldest one after every new order. Every operation gets exactly one
// ExecutionReport (NEW or CANCELED), and the server answers one connection's
// messages in the order they were sent, so a FIFO of what is in flight pairs
// each report with its request without any lookup.
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { TickCork } from '../gateway/tick-cork.ts';
import { decodeEnvelope, encodeEnvelope } from '../gateway/wire.ts';
import { BENCH_SYMBOL, benchApiKey, passivePrice } from './gateway-config.ts';
import { clOrdIdIs, encodeCancel, encodeNewOrder, ENVELOPE_EXECUTION_REPORT, frame, readFrame } from './bench-codec.ts';

const EXEC_NEW = 1;
const EXEC_CANCELED = 2;


export class BenchConn {
  /** operations acknowledged (NEW + CANCELED reports) */
  acked = 0;
  /** anything unexpected: a report out of order, a reject, a gap in the server's numbering */
  errors: string[] = [];
  /**
   * Called for each acknowledged operation with its scheduled and its actual
   * send time (ms, performance.now), and the report's transact_time (µs) and
   * sending_time (ns) since the epoch.
   */
  onAck: (scheduledMs: number, sentMs: number, transactUs: number, sendingNs: number) => void = () => {};
  private seqOut = 1;
  private seqInExpected = 1;
  private newCount = 0;
  private cancelCount = 0;
  /**
   * In-flight operations, oldest first, from `head` on: client order ids and
   * scheduled and actual send times, as parallel arrays (no object per operation).
   */
  private readonly pendingIds: string[] = [];
  private readonly pendingT: number[] = [];
  private readonly pendingS: number[] = [];
  private head = 0;
  /** the client's sends of one tick (a whole window's worth) go out in one writev, so it takes less CPU from the server it measures */
  private readonly cork: TickCork;
  private logonWaiter: (() => void) | null = null;
  private drainWaiter: (() => void) | null = null;
  /** the next new order's fields, refilled per order */
  private readonly order = { clOrdId: '', symbol: BENCH_SYMBOL, side: 1, price: 0, qty: 100 };

  private constructor(readonly ws: WebSocket, readonly index: number, private readonly resting: number, private prefix = 'a') {
    // the TCP socket under the WebSocket (ws keeps it in a private field)
    this.cork = new TickCork((ws as unknown as { _socket: Socket })._socket);
    ws.on('message', (d: Buffer) => this.onFrame(d));
  }

  static async open(url: string, index: number, resting: number): Promise<BenchConn> {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws/trade`, { perMessageDeflate: false });
    await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
    const c = new BenchConn(ws, index, resting);
    await c.logon();
    return c;
  }

  get inFlight(): number {
    return this.pendingIds.length - this.head;
  }

  /** Starts a new phase: order ids get a fresh prefix so they never collide with earlier phases' resting orders. */
  phase(prefix: string): void {
    this.prefix = prefix;
    this.newCount = this.cancelCount = 0;
    this.acked = 0;
  }

  private logon(): Promise<void> {
    return new Promise((res) => {
      this.logonWaiter = res;
      const logon = { api_key: benchApiKey(this.index), reset_seq_num: true, heartbeat_interval_ms: 30_000 };
      this.write(encodeEnvelope({ msg_seq_num: this.seqOut++, sending_time: 0, logon }));
    });
  }

  /** Sends the next operation of the stream; `scheduledMs` is when it was due (for latency). */
  sendOp(scheduledMs: number): void {
    let id: string;
    if (this.newCount - this.cancelCount > this.resting) {
      const n = this.cancelCount++;
      id = `${this.prefix}x${n}`;
      this.write(encodeCancel(this.seqOut++, id, `${this.prefix}n${n}`, BENCH_SYMBOL));
    } else {
      const n = this.newCount++;
      const side = (n & 1) === 0 ? 1 : 2;
      id = `${this.prefix}n${n}`;
      this.order.clOrdId = id;
      this.order.side = side;
      this.order.price = passivePrice(side, n);
      this.write(encodeNewOrder(this.seqOut++, this.order));
    }
    this.pendingIds.push(id);
    this.pendingT.push(scheduledMs);
    this.pendingS.push(performance.now());
  }

  /** Resolves once every operation sent so far is acknowledged. */
  drained(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((res) => { this.drainWaiter = res; });
  }

  close(): void {
    this.ws.close();
  }

  private write(frameBytes: Uint8Array): void {
    this.cork.hold();
    this.ws.send(frameBytes);
  }

  /** Reports are read in place (bench-codec.ts); anything else, or anything odd, through protobufjs. */
  private onFrame(d: Buffer): void {
    if (!readFrame(d)) return this.fail(`undecodable frame: ${decodeEnvelope(d).ok ? 'bench-codec disagrees with protobufjs' : 'bad bytes'}`);
    if (frame.seq !== this.seqInExpected) this.fail(`server seq ${frame.seq}, expected ${this.seqInExpected}`);
    this.seqInExpected = frame.seq + 1;
    if (frame.body === ENVELOPE_EXECUTION_REPORT && (frame.execType === EXEC_NEW || frame.execType === EXEC_CANCELED)) return this.onReport();
    const r = decodeEnvelope(d);
    if (!r.ok) return this.fail(`undecodable frame: ${r.error}`);
    const env = r.env;
    if (env.body === 'execution_report') {
      const er = env.execution_report as { cl_ord_id: string; exec_type: number; text: string };
      return this.fail(`exec_type ${er.exec_type} for ${er.cl_ord_id}: ${er.text}`);
    }
    if (env.body === 'logon') {
      this.logonWaiter?.();
      this.logonWaiter = null;
      return;
    }
    if (env.body !== 'heartbeat') this.fail(`unexpected ${env.body}: ${JSON.stringify(env[env.body ?? ''])}`);
  }

  private onReport(): void {
    const want = this.pendingIds[this.head];
    if (!clOrdIdIs(want)) return this.fail(`report for another order than ${want}`);
    const t = this.pendingT[this.head];
    const sent = this.pendingS[this.head++];
    this.compact();
    this.acked++;
    this.onAck(t, sent, frame.transactTime, frame.sendingTime);
    if (this.inFlight === 0 && this.drainWaiter) {
      this.drainWaiter();
      this.drainWaiter = null;
    }
  }

  /** Drops the consumed front of the FIFO now and then (amortised O(1), no per-ack shift). */
  private compact(): void {
    if (this.head < 4096 || this.head * 2 < this.pendingIds.length) return;
    this.pendingIds.splice(0, this.head);
    this.pendingT.splice(0, this.head);
    this.pendingS.splice(0, this.head);
    this.head = 0;
  }

  private fail(why: string): void {
    if (this.errors.length < 10) this.errors.push(`conn ${this.index}: ${why}`);
  }
}
