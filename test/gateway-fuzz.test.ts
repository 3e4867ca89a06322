// Robustness under hostile input, over real sockets: while one well-behaved
// session keeps placing and cancelling orders, several connections throw
// thousands of random and mutated frames at /ws/trade (and one at /ws/md).
// The server must survive, answer garbage with typed rejects and a Logout,
// leave the good session untouched (every request answered, in order, with
// contiguous sequence numbers) and keep the engine's book consistent.
// Everything random comes from one seeded PRNG: a failure replays exactly
// (up to socket timing) with the same FUZZ_SEED. FUZZ_VERBOSE=1 prints what
// the server answered, by message type.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prng } from './prng.ts';
import { firstEnvelope } from './envelope-wait.ts';
import WebSocket from 'ws';
import protobuf from 'protobufjs';
import { startServer, type RunningServer } from '../gateway/index.ts';
import { BODY_NAMES, EnvelopeType, decodeEnvelope, encodeEnvelope, type Envelope } from '../gateway/wire.ts';

const SYMBOL = 'FUZZ-USD';
const SEED = Number(process.env.FUZZ_SEED ?? 20240611);
const BAD_ACCOUNTS = 3;
/** frames each garbage worker sends in total (across its reconnects); FUZZ_FRAMES raises it for a soak run */
const FRAMES_PER_WORKER = Number(process.env.FUZZ_FRAMES ?? 1500);

const CONFIG = {
  instruments: [{ symbol: SYMBOL, price_scale: 2, qty_scale: 4, tick_size: 1, lot: 1, min_qty: 1, max_qty: 1_000_000, max_price: 2_000_000, maker_fee_bp: -1, taker_fee_bp: 2 }],
  accounts: [
    { name: 'good', api_key: 'good-key' },
    ...Array.from({ length: BAD_ACCOUNTS }, (_, i) => ({ name: `bad${i}`, api_key: `bad-key-${i}` })),
  ],
};

// ---------------------------------------------------------------------------
// Seeded randomness

type Rng = () => number;


const int = (r: Rng, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[int(r, xs.length)];

/** Picks a key by weight. */
function weighted<K extends string>(r: Rng, w: Record<K, number>): K {
  const keys = Object.keys(w) as K[];
  let x = r() * keys.reduce((a, k) => a + w[k], 0);
  for (const k of keys) if ((x -= w[k]) < 0) return k;
  return keys[keys.length - 1];
}

// ---------------------------------------------------------------------------
// Garbage messages, built from the contract itself (protobufjs reflection), so
// every message type and field is covered without a hand-written list.

/** Numbers a careless or hostile client might send: edges of every integer width, non-integers (encode as garbage bits). */
const NASTY_INTS = [0, 1, -1, 2, 3, 7, 99, 255, 2 ** 31 - 1, -(2 ** 31), 2 ** 32, 2 ** 53 - 1, 2 ** 53 + 2, -(2 ** 53), 1e18, 2 ** 63, -(2 ** 63), 1e30, NaN, Infinity, -Infinity, 0.5];
const NASTY_STRINGS = ['', 'x', SYMBOL, 'BTC-USD', 'a'.repeat(65), 'z'.repeat(10_000), '\u0000', '\ud800', '😀'.repeat(50), '../../etc/passwd', '%s%n', '{"$gt":""}'];
const NASTY_FLOATS = [NaN, Infinity, -Infinity, -1e308, 0, 1.5, -0];

/** Plausible values, so that part of the garbage passes validation and reaches deeper engine paths (resting, trading). */
function plausible(r: Rng, type: string, name: string): unknown {
  if (type === 'string') return name === 'symbol' ? SYMBOL : `g${int(r, 50)}`;
  if (name.includes('px') || name.includes('price')) return 950_000 + int(r, 100_000);
  if (name.includes('qty') || name.includes('size')) return 1 + int(r, 1000);
  if (name.includes('seq')) return int(r, 50);
  return int(r, 1000);
}

const INT_TYPES = new Set(['int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64']);

function fieldValue(r: Rng, f: protobuf.Field, depth: number): unknown {
  const rt = f.resolve().resolvedType;
  if (rt instanceof protobuf.Enum) return r() < 0.6 ? pick(r, Object.values(rt.values)) : pick(r, NASTY_INTS);
  if (rt instanceof protobuf.Type) return depth < 2 ? garbageMessage(r, rt, depth + 1) : {};
  if (f.type === 'bool') return r() < 0.5;
  if (f.type === 'double' || f.type === 'float') return pick(r, NASTY_FLOATS);
  if (f.type === 'string') return r() < 0.5 ? plausible(r, 'string', f.name) : pick(r, NASTY_STRINGS);
  if (INT_TYPES.has(f.type)) return r() < 0.5 ? plausible(r, f.type, f.name) : pick(r, NASTY_INTS);
  return undefined;
}

function garbageMessage(r: Rng, type: protobuf.Type, depth = 0): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  for (const f of type.fieldsArray) {
    if (r() < 0.25) continue; // absent: proto3 zero value
    m[f.name] = f.repeated ? Array.from({ length: int(r, 4) }, () => fieldValue(r, f, depth)) : fieldValue(r, f, depth);
  }
  return m;
}

/** Order entry dominates (it reaches the engine); a Logout is rare because it ends the session early. */
function garbageBody(r: Rng): string {
  if (r() < 0.5) return pick(r, ['new_order_single', 'order_cancel_request', 'order_cancel_replace_request', 'order_mass_cancel_request', 'mass_quote', 'quote_cancel']);
  const body = pick(r, BODY_NAMES);
  return body === 'logout' && r() < 0.9 ? 'heartbeat' : body;
}

function bodyType(body: string): protobuf.Type {
  return EnvelopeType.fields[body].resolve().resolvedType as protobuf.Type;
}

/** A well-formed new order or cancel: keeps the bad accounts' books busy so garbage cancels and replaces hit live orders. */
function plausibleOrder(r: Rng): [string, Record<string, unknown>] {
  const id = `g${int(r, 50)}`;
  if (r() < 0.3) return ['order_cancel_request', { cl_ord_id: `c${int(r, 1e6)}`, orig_cl_ord_id: id, symbol: SYMBOL }];
  return ['new_order_single', {
    cl_ord_id: id, symbol: SYMBOL, side: 1 + int(r, 2), ord_type: 2, time_in_force: pick(r, [1, 1, 3, 4]), price: 990_000 + int(r, 20_000), order_qty: 1 + int(r, 100),
  }];
}

type FrameKind = 'fields' | 'plausible' | 'bitflip' | 'truncate' | 'random' | 'badseq' | 'text' | 'oversize' | 'empty';

const FRAME_WEIGHTS: Record<FrameKind, number> = {
  fields: 30, plausible: 20, bitflip: 12, truncate: 8, random: 12, badseq: 3, text: 4, oversize: 1, empty: 3,
};

/** One garbage frame for a session whose next expected client seq is `seq.next` (advanced as the server will). */
function garbageFrame(r: Rng, seq: { next: number }): Buffer | string {
  const kind = weighted(r, FRAME_WEIGHTS);
  const env = (s: number, body: string, msg: Record<string, unknown>): Buffer => {
    try {
      return Buffer.from(encodeEnvelope({ msg_seq_num: s, sending_time_us: pick(r, [0, -1, 2 ** 63, 1]), poss_dup: r() < 0.05, [body]: msg }));
    } catch {
      return randomBytes(r, 16); // a value protobufjs refuses to encode: send noise instead
    }
  };
  const fields = (): Buffer => {
    const body = garbageBody(r);
    return env(seq.next++, body, garbageMessage(r, bodyType(body)));
  };
  switch (kind) {
    case 'fields': return fields();
    case 'plausible': return env(seq.next++, ...plausibleOrder(r));
    case 'bitflip': {
      const b = fields();
      for (let i = 1 + int(r, 4); i > 0 && b.length > 0; i--) b[int(r, b.length)] ^= 1 << int(r, 8);
      return b;
    }
    case 'truncate': {
      const b = fields();
      return b.subarray(0, int(r, b.length));
    }
    case 'random': return randomBytes(r, int(r, 200));
    case 'badseq': {
      const s = pick(r, [0, seq.next - 1 - int(r, 3), seq.next + 1 + int(r, 1000), 2 ** 53 + 2]);
      if (s > seq.next) seq.next = s + 1; // the server accepts a gap (asks for a resend) and expects s + 1 next
      return env(s, 'heartbeat', {});
    }
    case 'text': return pick(r, ['hello', '', '{"new_order_single":{}}', 'é'.repeat(300)]);
    case 'oversize': return Buffer.alloc(65 * 1024 + int(r, 10_000), int(r, 256)); // above the 64 KB frame limit, below ws's hard cap
    case 'empty': return r() < 0.5 ? Buffer.alloc(0) : env(seq.next++, 'heartbeat', {}).subarray(0, 4);
  }
}

function randomBytes(r: Rng, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = int(r, 256);
  return b;
}

// ---------------------------------------------------------------------------
// Connections

/** Messages that say "refused": what every garbage session must receive. */
function isRefusal(e: Envelope): boolean {
  switch (e.body) {
    case 'reject': case 'business_message_reject': case 'order_cancel_reject': case 'market_data_request_reject': return true;
    case 'execution_report': return (e.execution_report as { exec_type: number }).exec_type === 4;
    case 'order_mass_cancel_report': return (e.order_mass_cancel_report as { rejected: boolean }).rejected;
    case 'mass_quote_ack': return (e.mass_quote_ack as { rejected: boolean }).rejected;
    default: return false;
  }
}

/** What the server answered, across all connections (FUZZ_VERBOSE=1 prints it: shows how deep the garbage got). */
const answers = new Map<string, number>();

function tally(e: Envelope): void {
  let k = e.body ?? '(none)';
  if (e.body === 'execution_report') k += `:exec_type=${(e.execution_report as { exec_type: number }).exec_type}`;
  if (e.body === 'reject') k += `:reason=${(e.reject as { reason: number }).reason}`;
  answers.set(k, (answers.get(k) ?? 0) + 1);
}

/** A raw connection that checks the server's numbering: live messages 1, 2, 3…; resends (poss_dup) may repeat older numbers. */
class Conn {
  readonly got: Envelope[] = [];
  readonly problems: string[] = [];
  refusals = 0;
  logouts = 0;
  private expectSeq = 1;
  private readonly closedP: Promise<number>;
  onEnvelope: (e: Envelope) => void = () => {};

  constructor(readonly ws: WebSocket, private readonly keep = true) {
    this.closedP = new Promise((res) => ws.once('close', (code: number) => res(code)));
    ws.on('error', () => {}); // a server-side close mid-send is expected here; the close event tells the story
    ws.on('message', (d: Buffer, isBinary: boolean) => this.onMessage(d, isBinary));
  }

  static async open(s: RunningServer, path = '/ws/trade', keep = true): Promise<Conn> {
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}${path}`, { perMessageDeflate: false });
    await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
    return new Conn(ws, keep);
  }

  private onMessage(d: Buffer, isBinary: boolean): void {
    const r = decodeEnvelope(d);
    if (!isBinary || !r.ok) return void this.problems.push(`server sent an undecodable or text frame (${d.length} bytes)`);
    const e = r.env;
    if (!e.poss_dup) {
      if (e.msg_seq_num !== this.expectSeq) this.problems.push(`server seq ${e.msg_seq_num}, expected ${this.expectSeq} (${e.body})`);
      this.expectSeq = e.msg_seq_num + 1;
    }
    tally(e);
    if (isRefusal(e)) this.refusals++;
    if (e.body === 'logout') this.logouts++;
    if (this.keep) this.got.push(e);
    this.onEnvelope(e);
  }

  send(frame: Buffer | string): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(frame, () => {}); // errors after the server closed are expected
  }

  waitFor(pred: (e: Envelope) => boolean, ms = 2000): Promise<Envelope> {
    return firstEnvelope(this.got, pred, ms, () => new Promise((res) => setTimeout(res, 5)));
  }

  /** The close code, or 'timeout' if the server has not closed within `ms`. */
  closed(ms = 3000): Promise<number | 'timeout'> {
    return Promise.race([this.closedP, new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), ms).unref())]);
  }
}

// ---------------------------------------------------------------------------
// The well-behaved session: a closed loop of new orders and cancels that
// checks every request is answered, in order, by the report it expects.

class GoodSession {
  sent = 0;
  answered = 0;
  readonly problems: string[] = [];
  private seq = 1;
  private running = true;
  private newCount = 0;
  private cancelCount = 0;
  private readonly pending: { id: string; kind: 'new' | 'cancel' }[] = [];
  private drainedCb: (() => void) | null = null;

  constructor(private readonly c: Conn, private readonly window = 8) {
    c.onEnvelope = (e) => this.onEnvelope(e);
  }

  static async start(s: RunningServer): Promise<GoodSession> {
    const c = await Conn.open(s, '/ws/trade', false);
    const g = new GoodSession(c);
    const logon = new Promise<void>((res) => { g.onLogon = res; });
    g.send('logon', { api_key: 'good-key', reset_seq_num: true, heartbeat_interval_ms: 30_000 });
    await logon;
    for (let i = 0; i < g.window; i++) g.next();
    return g;
  }

  private onLogon: () => void = () => {};

  private send(body: string, msg: Record<string, unknown>): void {
    this.c.send(Buffer.from(encodeEnvelope({ msg_seq_num: this.seq++, sending_time_us: 0, [body]: msg })));
  }

  /** New orders far below the garbage's price band (a buy at 1.00-2.00 hardly ever trades); the oldest is cancelled once 4 rest. */
  private next(): void {
    let id: string;
    if (this.newCount - this.cancelCount >= 4) {
      const n = this.cancelCount++;
      id = `x${n}`;
      this.send('order_cancel_request', { cl_ord_id: id, orig_cl_ord_id: `n${n}`, symbol: SYMBOL });
      this.pending.push({ id, kind: 'cancel' });
    } else {
      const n = this.newCount++;
      id = `n${n}`;
      this.send('new_order_single', { cl_ord_id: id, symbol: SYMBOL, side: 1, ord_type: 2, time_in_force: 1, price: 100 + (n % 100), order_qty: 10 });
      this.pending.push({ id, kind: 'new' });
    }
    this.sent++;
  }

  private onEnvelope(e: Envelope): void {
    if (e.body === 'logon') return this.onLogon();
    if (e.body === 'execution_report') {
      const er = e.execution_report as { exec_type: number; cl_ord_id: string; text: string };
      if (er.exec_type === 6) return; // a fill, should a garbage order ever reach down here: unsolicited, not an answer
      return this.answer(er.cl_ord_id, er.exec_type === 1 ? 'new' : er.exec_type === 2 ? 'cancel' : `exec_type ${er.exec_type} (${er.text})`);
    }
    if (e.body === 'order_cancel_reject') return this.answer((e.order_cancel_reject as { cl_ord_id: string }).cl_ord_id, 'cancel');
    if (e.body !== 'position_report' && e.body !== 'heartbeat' && e.body !== 'scorecard_status') this.problems.push(`unexpected ${e.body}`);
  }

  private answer(id: string, kind: string): void {
    const want = this.pending.shift();
    if (!want || want.id !== id || want.kind !== kind) this.problems.push(`answer ${kind} for ${id}, expected ${want?.kind} for ${want?.id}`);
    this.answered++;
    if (this.running) this.next();
    else if (this.pending.length === 0) this.drainedCb?.();
  }

  /** Stops the loop, cancels what still rests, and resolves once every request has its answer (or after `ms`). */
  async stop(ms = 3000): Promise<void> {
    this.running = false;
    await this.drained(ms);
    while (this.cancelCount < this.newCount) {
      const n = this.cancelCount++;
      this.send('order_cancel_request', { cl_ord_id: `x${n}`, orig_cl_ord_id: `n${n}`, symbol: SYMBOL });
      this.pending.push({ id: `x${n}`, kind: 'cancel' });
      this.sent++;
    }
    await this.drained(ms);
    this.c.ws.close();
  }

  private drained(ms: number): Promise<void> {
    if (this.pending.length === 0) return Promise.resolve();
    return Promise.race([new Promise<void>((res) => { this.drainedCb = res; }), new Promise<void>((res) => setTimeout(res, ms).unref())]);
  }

  get connProblems(): string[] {
    return this.c.problems;
  }
}

// ---------------------------------------------------------------------------
// Garbage workers

interface WorkerReport { frames: number; sessions: number; problems: string[] }

/**
 * One garbage session: log on, a text frame (a Reject is then certain), a
 * burst of garbage, then undecodable frames until the reject limit forces a
 * Logout. Checks the session got refusals, a Logout and a close.
 */
async function garbageSession(s: RunningServer, r: Rng, apiKey: string, path: string, out: WorkerReport): Promise<void> {
  const c = await Conn.open(s, path);
  const seq = { next: 1 };
  if (path === '/ws/trade') {
    c.send(Buffer.from(encodeEnvelope({ msg_seq_num: seq.next++, sending_time_us: 0, logon: { api_key: apiKey, reset_seq_num: true, cancel_on_disconnect: true } })));
    await c.waitFor((e) => e.body === 'logon', 5000);
  }
  c.send('not protobuf');
  const n = 30 + int(r, 170);
  for (let i = 0; i < n; i++) c.send(garbageFrame(r, seq));
  for (let i = 0; i < 25; i++) c.send(Buffer.from([0xff, 0xff]));
  out.frames += n + 26;
  out.sessions++;
  const code = await c.closed();
  const where = `${path} session ${out.sessions} (${apiKey})`;
  if (code === 'timeout') out.problems.push(`${where}: not closed by the server`);
  if (c.logouts !== 1) out.problems.push(`${where}: ${c.logouts} Logouts`);
  if (c.refusals === 0) out.problems.push(`${where}: no Reject`);
  for (const p of c.problems) out.problems.push(`${where}: ${p}`);
}

async function garbageWorker(s: RunningServer, seed: number, apiKey: string, path = '/ws/trade'): Promise<WorkerReport> {
  const r: Rng = prng(seed);
  const out: WorkerReport = { frames: 0, sessions: 0, problems: [] };
  while (out.frames < FRAMES_PER_WORKER) await garbageSession(s, r, apiKey, path, out);
  return out;
}

/** Before logon: garbage, and logons with wrong keys or a key whose session is live elsewhere. Each must end in a Logout. */
async function preLogonWorker(s: RunningServer, seed: number): Promise<WorkerReport> {
  const r: Rng = prng(seed);
  const out: WorkerReport = { frames: 0, sessions: 0, problems: [] };
  while (out.frames < FRAMES_PER_WORKER / 3) {
    const c = await Conn.open(s);
    const what = pick(r, ['garbage', 'bad-key', 'hijack'] as const);
    if (what === 'garbage') {
      for (let i = 0; i < 30; i++) c.send(r() < 0.5 ? randomBytes(r, int(r, 64)) : 'text');
    } else {
      const key = what === 'hijack' ? 'good-key' : pick(r, NASTY_STRINGS);
      c.send(Buffer.from(encodeEnvelope({ msg_seq_num: 1, sending_time_us: 0, logon: { api_key: key, reset_seq_num: true } })));
    }
    out.frames += what === 'garbage' ? 30 : 1;
    out.sessions++;
    const code = await c.closed();
    if (code === 'timeout' || c.logouts !== 1) out.problems.push(`pre-logon ${what}: close ${code}, ${c.logouts} Logouts`);
    if (c.got.some((e) => e.body === 'logon')) out.problems.push(`pre-logon ${what}: was logged on`);
  }
  return out;
}

/** A frame beyond ws's own hard cap: the socket is dropped (no Logout possible), the server lives on. */
async function beyondCap(s: RunningServer): Promise<string[]> {
  const c = await Conn.open(s);
  c.send(Buffer.from(encodeEnvelope({ msg_seq_num: 1, sending_time_us: 0, logon: { api_key: 'bad-key-0', reset_seq_num: true } })));
  await c.waitFor((e) => e.body === 'logon').catch(() => undefined);
  c.send(Buffer.alloc(2 * 1024 * 1024, 7));
  const code = await c.closed();
  return code === 'timeout' ? ['a 2 MB frame did not close the connection'] : [];
}

// ---------------------------------------------------------------------------
// Engine consistency

/** The book is sorted, positive, uncrossed, and equals the sum of every account's open orders. */
function checkBook(s: RunningServer): void {
  const e = s.exchange.engine;
  const d = e.depth(SYMBOL, 1_000_000);
  assert.ok(d, 'depth of the fuzz symbol');
  d.bids.forEach((l, i) => assert.ok(i === 0 || l.price < d.bids[i - 1].price, `bids descending at ${i}`));
  d.asks.forEach((l, i) => assert.ok(i === 0 || l.price > d.asks[i - 1].price, `asks ascending at ${i}`));
  for (const l of [...d.bids, ...d.asks]) assert.ok(l.qty > 0 && l.count > 0 && Number.isSafeInteger(l.qty), `level ${l.price} qty ${l.qty} count ${l.count}`);
  if (d.bids.length && d.asks.length) assert.ok(d.bids[0].price < d.asks[0].price, `crossed book ${d.bids[0].price} >= ${d.asks[0].price}`);
  const agg = new Map<string, { qty: number; count: number }>();
  for (const id of e.accountIds()) {
    for (const o of e.openOrders(id)) {
      const k = `${o.side}@${o.price}`;
      const a = agg.get(k) ?? { qty: 0, count: 0 };
      a.qty += o.leaves;
      a.count++;
      agg.set(k, a);
    }
  }
  const levels = [...d.bids.map((l) => [`1@${l.price}`, l] as const), ...d.asks.map((l) => [`2@${l.price}`, l] as const)];
  assert.equal(levels.length, agg.size, 'book levels = distinct (side, price) of open orders');
  for (const [k, l] of levels) assert.deepEqual(agg.get(k), { qty: l.qty, count: l.count }, `level ${k}`);
}

async function untilNoSessions(s: RunningServer, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (s.trade.live.size > 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 10));
}

// ---------------------------------------------------------------------------

test(`fuzz: garbage on /ws/trade and /ws/md never hurts the server, the good session or the book (seed ${SEED})`, { timeout: 30_000 }, async () => {
  // garbage logons carry wrong keys from the same address as the good session: no throttling here (gateway-auth-throttle.test.ts covers it)
  const s = await startServer({ config: structuredClone(CONFIG), limits: { authFailures: Number.MAX_SAFE_INTEGER } });
  try {
    const good = await GoodSession.start(s);
    const started = Date.now();
    const reports = await Promise.all([
      ...Array.from({ length: BAD_ACCOUNTS }, (_, i) => garbageWorker(s, SEED + i, `bad-key-${i}`)),
      garbageWorker(s, SEED + 100, '', '/ws/md'),
      preLogonWorker(s, SEED + 200),
    ]);
    const capProblems = await beyondCap(s);
    await good.stop();
    await untilNoSessions(s);

    const frames = reports.reduce((a, w) => a + w.frames, 0);
    const sessions = reports.reduce((a, w) => a + w.sessions, 0);
    console.log(`fuzz seed=${SEED} frames=${frames} garbage_sessions=${sessions} good_requests=${good.sent} ms=${Date.now() - started}`);
    if (process.env.FUZZ_VERBOSE) console.log([...answers].sort().map(([k, v]) => `${k}=${v}`).join(' '));
    assert.ok(frames >= 5000, `only ${frames} garbage frames sent`);
    assert.deepEqual([...reports.flatMap((w) => w.problems), ...capProblems].slice(0, 10), []);

    // the good session: everything answered, in order, numbered without a gap
    assert.deepEqual([...good.problems, ...good.connProblems].slice(0, 10), []);
    assert.equal(good.answered, good.sent, 'every request of the good session answered');
    assert.ok(good.sent > 200, `the good session made only ${good.sent} requests`);

    // cancel-on-disconnect took the garbage sessions' orders, the good session cancelled its own: the book is empty and consistent
    checkBook(s);
    for (const id of s.exchange.engine.accountIds()) assert.deepEqual(s.exchange.engine.openOrders(id).map((o) => o.clOrdId), [], `open orders of account ${id}`);

    // and the server still works for a newcomer
    const after = await Conn.open(s);
    after.send(Buffer.from(encodeEnvelope({ msg_seq_num: 1, sending_time_us: 0, logon: { api_key: 'bad-key-1', reset_seq_num: true } })));
    await after.waitFor((e) => e.body === 'logon');
    after.send(Buffer.from(encodeEnvelope({ msg_seq_num: 2, sending_time_us: 0, new_order_single: { cl_ord_id: 'ok', symbol: SYMBOL, side: 1, ord_type: 2, price: 100, order_qty: 1 } })));
    const er = await after.waitFor((e) => e.body === 'execution_report');
    assert.equal((er.execution_report as { exec_type: number }).exec_type, 1);
    after.ws.close();
  } finally {
    await s.close();
  }
});
