// A lean order-entry client for the gateway bench: raw protobuf Envelopes over
// one /ws/trade WebSocket (bench-codec.ts in steady state, no SDK; raw-ws.ts,
// not the ws package), so the client costs as little CPU as possible next to
// the server it measures. For the open loop, prepare() encodes and masks the
// operations ahead of time, so each due operation is one socket write.
//
// Each connection runs an endless, deterministic stream of operations that
// never crosses and keeps its account's resting orders bounded: new GTC limit
// orders away from the mid, and, once `resting` orders are live, a cancel of
// the oldest one after every new order. Every operation gets exactly one
// ExecutionReport (NEW or CANCELED), and the server answers one connection's
// messages in the order they were sent, so a FIFO of what is in flight pairs
// each report with its request without any lookup.
import { TickCork } from '../gateway/tick-cork.ts';
import { decodeEnvelope, encodeEnvelope } from '../gateway/wire.ts';
import { BENCH_SYMBOL, benchApiKey, passivePrice } from './gateway-config.ts';
import { clOrdIdIs, encodeCancel, encodeNewOrder, ENVELOPE_EXECUTION_REPORT, frame, readFrame } from './bench-codec.ts';
import { clientFrame, RawWebSocket } from './raw-ws.ts';

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
   * sending_time_us (µs) since the epoch.
   */
  onAck: (scheduledMs: number, sentMs: number, transactUs: number, sendingUs: number) => void = () => {};
  private seqOut = 1;
  private seqInExpected = 1;
  private newCount = 0;
  private cancelCount = 0;
  private readonly inFlightOps = new InFlight();
  /** operations encoded ahead by prepare(), from `preparedAt` on: their frames, ids and msg_seq_nums */
  private preparedFrames: Buffer[] = [];
  private preparedIds: string[] = [];
  private preparedSeqs: number[] = [];
  private preparedAt = 0;
  /** closed loop: the sends of one tick (a whole window's worth) go out in one writev, so the client takes less CPU from the server it measures */
  private cork: TickCork | null = null;
  private ws!: RawWebSocket;
  private logonWaiter: (() => void) | null = null;
  private drainWaiter: (() => void) | null = null;
  /** the next new order's fields, refilled per order */
  private readonly order = { clOrdId: '', symbol: BENCH_SYMBOL, side: 1, price: 0, qty: 100 };
  /** the Envelope of the operation nextOp() encoded last */
  private encoded: Buffer = Buffer.alloc(0);

  private constructor(readonly index: number, private readonly resting: number, private prefix = 'a') {}

  static async open(url: string, index: number, resting: number): Promise<BenchConn> {
    const c = new BenchConn(index, resting);
    c.ws = await RawWebSocket.connect(url, '/ws/trade', (d) => c.onFrame(d), (why) => c.fail(why));
    await c.logon();
    return c;
  }

  get inFlight(): number {
    return this.inFlightOps.size;
  }

  /**
   * Starts a new phase: order ids get a fresh prefix so they never collide
   * with earlier phases' resting orders; `corked`: a tick's sends go out in
   * one write (closed loop) rather than each at once (open loop).
   */
  phase(prefix: string, corked: boolean): void {
    this.discardPrepared();
    this.prefix = prefix;
    this.newCount = this.cancelCount = 0;
    this.acked = 0;
    this.cork = corked ? new TickCork(this.ws.socket) : null;
  }

  private logon(): Promise<void> {
    return new Promise((res) => {
      this.logonWaiter = res;
      const logon = { api_key: benchApiKey(this.index), reset_seq_num: true, heartbeat_interval_ms: 30_000 };
      this.write(encodeEnvelope({ msg_seq_num: this.seqOut++, sending_time_us: 0, logon }));
    });
  }

  /** Encodes and masks the next `n` operations now, so that sendOp only writes them. */
  prepare(n: number): void {
    if (this.preparedAt < this.preparedFrames.length) throw new Error('prepare() again before the prepared operations were sent');
    for (let i = 0; i < n; i++) {
      this.preparedSeqs.push(this.seqOut);
      this.preparedIds.push(this.nextOp());
      this.preparedFrames.push(clientFrame(this.encoded));
    }
  }

  /** Sends the next operation of the stream; `scheduledMs` is when it was due (for latency). */
  sendOp(scheduledMs: number): void {
    let id: string;
    if (this.preparedAt < this.preparedFrames.length) {
      id = this.preparedIds[this.preparedAt];
      this.ws.send(this.preparedFrames[this.preparedAt++]);
    } else {
      id = this.nextOp();
      this.write(this.encoded);
    }
    this.inFlightOps.push(id, scheduledMs, performance.now());
  }

  /** Encodes the stream's next operation into `encoded` (taking its msg_seq_num); returns its client order id. */
  private nextOp(): string {
    if (this.newCount - this.cancelCount > this.resting) {
      const n = this.cancelCount++;
      const id = `${this.prefix}x${n}`;
      this.encoded = encodeCancel(this.seqOut++, id, `${this.prefix}n${n}`, BENCH_SYMBOL);
      return id;
    }
    const n = this.newCount++;
    const side = (n & 1) === 0 ? 1 : 2;
    this.order.clOrdId = `${this.prefix}n${n}`;
    this.order.side = side;
    this.order.price = passivePrice(side, n);
    this.encoded = encodeNewOrder(this.seqOut++, this.order);
    return this.order.clOrdId;
  }

  /** Drops what prepare() encoded and was not sent (at a phase change, which restarts the operation stream): numbering goes on from the first unsent msg_seq_num. */
  private discardPrepared(): void {
    if (this.preparedAt < this.preparedSeqs.length) this.seqOut = this.preparedSeqs[this.preparedAt];
    this.preparedFrames = [];
    this.preparedIds = [];
    this.preparedSeqs = [];
    this.preparedAt = 0;
  }

  /** Resolves once every operation sent so far is acknowledged. */
  drained(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((res) => { this.drainWaiter = res; });
  }

  close(): void {
    this.ws.close();
  }

  private write(envelope: Uint8Array): void {
    this.cork?.hold();
    this.ws.send(clientFrame(envelope));
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
    // heartbeats, and the scorecard every few seconds (docs/scorecard.md), are not part of the load
    if (env.body !== 'heartbeat' && env.body !== 'scorecard_status') this.fail(`unexpected ${env.body}: ${JSON.stringify(env[env.body ?? ''])}`);
  }

  private onReport(): void {
    const ops = this.inFlightOps;
    if (ops.size === 0) return this.fail('report with no operation in flight');
    if (!clOrdIdIs(ops.id())) return this.fail(`report for another order than ${ops.id()}`);
    const due = ops.due();
    const sent = ops.sent();
    ops.shift();
    this.acked++;
    this.onAck(due, sent, frame.transactTime, frame.sendingTime);
    if (ops.size === 0 && this.drainWaiter) {
      this.drainWaiter();
      this.drainWaiter = null;
    }
  }

  private fail(why: string): void {
    if (this.errors.length < 10) this.errors.push(`conn ${this.index}: ${why}`);
  }
}

/**
 * Operations in flight, oldest first, with their due and send times: a ring of
 * preallocated slots (doubling if it ever fills). Growing JS arrays here made
 * their backing stores the bulk of what each of the client's scavenges had to
 * copy (~100 KB), and those pauses are in the latency being measured.
 */
class InFlight {
  private ids: string[];
  private dues: Float64Array;
  private sents: Float64Array;
  private head = 0;
  size = 0;

  constructor(capacity = 4096) {
    this.ids = new Array<string>(capacity).fill('');
    this.dues = new Float64Array(capacity);
    this.sents = new Float64Array(capacity);
  }

  push(id: string, due: number, sent: number): void {
    if (this.size === this.ids.length) this.grow();
    const at = (this.head + this.size) % this.ids.length;
    this.ids[at] = id;
    this.dues[at] = due;
    this.sents[at] = sent;
    this.size++;
  }

  /** the oldest operation's id, due and send time (size > 0) */
  id(): string { return this.ids[this.head]; }
  due(): number { return this.dues[this.head]; }
  sent(): number { return this.sents[this.head]; }

  shift(): void {
    this.head = (this.head + 1) % this.ids.length;
    this.size--;
  }

  private grow(): void {
    const cap = this.ids.length;
    const order = (k: number): number => (this.head + k) % cap;
    const ids = new Array<string>(cap * 2).fill('');
    const dues = new Float64Array(cap * 2);
    const sents = new Float64Array(cap * 2);
    for (let k = 0; k < this.size; k++) {
      ids[k] = this.ids[order(k)];
      dues[k] = this.dues[order(k)];
      sents[k] = this.sents[order(k)];
    }
    this.ids = ids;
    this.dues = dues;
    this.sents = sents;
    this.head = 0;
  }
}
