// Market data over a real socket (/ws/md): a book kept from a snapshot plus
// incrementals equals the engine's, update ids never skip, trades, BBO and L3
// queues are exact, bad input is rejected, halts are announced, and a reader
// that stops reading is conflated instead of buffered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../gateway/index.ts';
import type { Exchange } from '../gateway/exchange.ts';
import { marketDataHub, type MdHub } from '../gateway/md.ts';
import { numbered, sharedFrame } from '../gateway/md-wire.ts';
import type { SessionLimits } from '../gateway/trade-session.ts';
import { decodeEnvelope, encodeEnvelope, type Envelope } from '../gateway/wire.ts';
import { Side, TimeInForce, TradingPhase } from '../engine/types.ts';

const BTC = 'BTC-USD';
const ETH = 'ETH-USD';
const instrument = (symbol: string) => ({ symbol, price_scale: 1, qty_scale: 4, tick_size: 1, lot: 1, min_qty: 1, max_qty: 1_000_000, max_price: 10_000_000, maker_fee_bp: -1, taker_fee_bp: 2 });
const CONFIG = {
  instruments: [instrument(BTC), instrument(ETH)],
  accounts: [{ name: 'alice', api_key: 'alice-key' }, { name: 'bob', api_key: 'bob-key' }],
};
const L2 = 1, L3 = 2, TRADES = 3, BBO = 4;

// ---- the wire messages as decoded ----

interface Level { price: number; qty: number; count: number }
interface Order { order_id: number; side: number; price: number; qty: number }
interface Trade { trade_id: number; price: number; qty: number; aggressor_side: number; transact_time: number }
interface Bbo { bid_px: number; bid_qty: number; ask_px: number; ask_qty: number }
interface Snapshot { md_req_id: string; symbol: string; last_update_id: number; bids: Level[]; asks: Level[]; orders: Order[]; bbo: Bbo | null }
interface Incremental {
  symbol: string; first_update_id: number; last_update_id: number; bids: Level[]; asks: Level[]; orders: Order[]; trades: Trade[]; bbo: Bbo | null; transact_time: number;
}

const levelOf = (l: Level): Level => ({ price: l.price, qty: l.qty, count: l.count });
const bboOf = (b: Bbo): Bbo => ({ bid_px: b.bid_px, bid_qty: b.bid_qty, ask_px: b.ask_px, ask_qty: b.ask_qty });
const queueKey = (side: number, price: number): string => `${side}@${price}`;

/** What a bot keeps: the book from a snapshot, then incrementals with the Binance U/u checks. */
class LocalBook {
  lastId = 0;
  snapshots = 0;
  readonly bids = new Map<number, Level>();
  readonly asks = new Map<number, Level>();
  /** L3: order ids per level in queue order, and each order's state */
  readonly queues = new Map<string, number[]>();
  readonly orders = new Map<number, Order>();
  readonly trades: Trade[] = [];
  bbo: Bbo | null = null;
  /** incrementals whose ids did not follow on from the previous ones (must stay empty) */
  readonly gaps: string[] = [];
  /** BBO messages that disagree with the book's best, or a best change without one (checked when asked) */
  readonly bboErrors: string[] = [];
  checkBbo = false;

  snapshot(s: Snapshot): void {
    this.lastId = s.last_update_id;
    this.snapshots++;
    this.bids.clear();
    this.asks.clear();
    this.queues.clear();
    this.orders.clear();
    for (const l of s.bids) this.bids.set(l.price, levelOf(l));
    for (const l of s.asks) this.asks.set(l.price, levelOf(l));
    for (const o of s.orders) this.applyOrder(o);
    this.bbo = s.bbo ? bboOf(s.bbo) : null;
  }

  incremental(m: Incremental): void {
    if (m.last_update_id <= this.lastId) return; // older than the snapshot
    if (m.first_update_id !== this.lastId + 1) this.gaps.push(`${this.lastId} then ${m.first_update_id}..${m.last_update_id}`);
    this.lastId = m.last_update_id;
    const before = this.best();
    for (const l of m.bids) setLevel(this.bids, l);
    for (const l of m.asks) setLevel(this.asks, l);
    for (const o of m.orders) this.applyOrder(o);
    for (const t of m.trades) this.trades.push({ trade_id: t.trade_id, price: t.price, qty: t.qty, aggressor_side: t.aggressor_side, transact_time: t.transact_time });
    if (m.bbo) this.bbo = bboOf(m.bbo);
    if (this.checkBbo) this.verifyBbo(before, m);
  }

  /** Contract: bbo is set exactly when the best bid or ask changed, and then it is the new best. */
  private verifyBbo(before: Bbo, m: Incremental): void {
    const after = this.best();
    const changed = JSON.stringify(before) !== JSON.stringify(after);
    if (changed && !m.bbo) this.bboErrors.push(`id ${m.last_update_id}: best changed without a bbo`);
    if (m.bbo && JSON.stringify(bboOf(m.bbo)) !== JSON.stringify(after)) this.bboErrors.push(`id ${m.last_update_id}: bbo ≠ book best`);
    if (m.bbo && !changed) this.bboErrors.push(`id ${m.last_update_id}: bbo sent without a change`);
  }

  /** A fill, a decrease or an STP decrement keep the order's place; a new order, a price change or an increase goes to the back. */
  private applyOrder(o: Order): void {
    const prev = this.orders.get(o.order_id);
    if (prev && o.qty > 0 && o.price === prev.price && o.qty <= prev.qty) {
      prev.qty = o.qty;
      return;
    }
    if (prev) {
      const q = this.queues.get(queueKey(prev.side, prev.price)) ?? [];
      q.splice(q.indexOf(o.order_id), 1);
      if (q.length === 0) this.queues.delete(queueKey(prev.side, prev.price));
      this.orders.delete(o.order_id);
    }
    if (o.qty === 0) return;
    this.orders.set(o.order_id, { order_id: o.order_id, side: o.side, price: o.price, qty: o.qty });
    const key = queueKey(o.side, o.price);
    this.queues.set(key, [...(this.queues.get(key) ?? []), o.order_id]);
  }

  depth(): { bids: Level[]; asks: Level[] } {
    return { bids: [...this.bids.values()].sort((a, b) => b.price - a.price), asks: [...this.asks.values()].sort((a, b) => a.price - b.price) };
  }

  best(): Bbo {
    const { bids, asks } = this.depth();
    return { bid_px: bids[0]?.price ?? 0, bid_qty: bids[0]?.qty ?? 0, ask_px: asks[0]?.price ?? 0, ask_qty: asks[0]?.qty ?? 0 };
  }

  /** L3 as level → [order id, qty] in queue order. */
  l3(): Map<string, [number, number][]> {
    const out = new Map<string, [number, number][]>();
    for (const [key, ids] of this.queues) out.set(key, ids.map((id) => [id, (this.orders.get(id) as Order).qty]));
    return out;
  }
}

function setLevel(side: Map<number, Level>, l: Level): void {
  if (l.qty === 0) side.delete(l.price);
  else side.set(l.price, levelOf(l));
}

/** The engine's side of the comparisons. */
function engineDepth(ex: Exchange, symbol: string): { bids: Level[]; asks: Level[] } {
  const d = ex.engine.depth(symbol, 100_000);
  assert.ok(d);
  return { bids: d.bids, asks: d.asks };
}

function engineL3(ex: Exchange, symbol: string): Map<string, [number, number][]> {
  const out = new Map<string, [number, number][]>();
  const { bids, asks } = engineDepth(ex, symbol);
  for (const [side, levels] of [[Side.BUY, bids], [Side.SELL, asks]] as const) {
    for (const l of levels) out.set(queueKey(side, l.price), ex.engine.levelOrders(symbol, side, l.price).map((o) => [o.orderId, o.leaves]));
  }
  return out;
}

/** A bare /ws/md (or /ws/trade) client: numbers its messages, collects what arrives, keeps a book per symbol. */
class Client {
  readonly got: Envelope[] = [];
  readonly books = new Map<string, LocalBook>();
  private seq = 1;
  private waiters: (() => void)[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (d: Buffer) => {
      const r = decodeEnvelope(d);
      assert.ok(r.ok, 'the server sends decodable Envelopes');
      this.got.push(r.env);
      this.apply(r.env);
      for (const w of this.waiters.splice(0)) w();
    });
    // a client the server cut off may still be writing (EPIPE); tests look at the close
    ws.on('error', () => {});
  }

  static async open(url: string, path = '/ws/md'): Promise<Client> {
    const ws = new WebSocket(url.replace('http', 'ws') + path);
    await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
    return new Client(ws);
  }

  private apply(env: Envelope): void {
    if (env.body === 'market_data_snapshot_full_refresh') {
      const s = env.market_data_snapshot_full_refresh as Snapshot;
      this.book(s.symbol).snapshot(s);
    } else if (env.body === 'market_data_incremental_refresh') {
      const m = env.market_data_incremental_refresh as Incremental;
      this.book(m.symbol).incremental(m);
    }
  }

  book(symbol: string): LocalBook {
    let b = this.books.get(symbol);
    if (!b) this.books.set(symbol, (b = new LocalBook()));
    return b;
  }

  send(body: string, msg: Record<string, unknown>, seq = this.seq++): void {
    this.ws.send(encodeEnvelope({ msg_seq_num: seq, sending_time_us: 0, [body]: msg }));
  }

  subscribe(symbol: string, md_req_id: string, more: { channels?: number[]; market_depth?: number; subscription?: number } = {}): void {
    this.send('market_data_request', { md_req_id, symbol, ...more });
  }

  of<T>(body: string): T[] {
    return this.got.filter((e) => e.body === body).map((e) => e[body] as T);
  }

  async until(cond: () => boolean, what: string, ms = 3000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`timeout waiting for ${what}; got ${this.got.map((e) => e.body).slice(-10).join(',')}`);
      await new Promise<void>((res) => { this.waiters.push(res); setTimeout(res, 20); });
    }
  }

  /** Waits until this client's book of the symbol has caught up with the exchange. */
  synced(ex: Exchange, symbol: string): Promise<void> {
    return this.until(() => this.book(symbol).snapshots > 0 && this.book(symbol).lastId === ex.updateId(symbol), `${symbol} in sync`);
  }

  closed(): Promise<void> {
    return new Promise((res) => (this.ws.readyState === WebSocket.CLOSED ? res() : this.ws.once('close', () => res())));
  }
}

async function withServer(fn: (s: RunningServer, hub: MdHub) => Promise<void>, limits?: Partial<SessionLimits>, config = CONFIG): Promise<void> {
  const s = await startServer({ config: structuredClone(config), limits });
  const hub = marketDataHub(s.exchange);
  assert.ok(hub, 'importing the gateway registers /ws/md');
  try { await fn(s, hub); } finally { await s.close(); }
}

const tick = (): Promise<void> => new Promise((res) => setImmediate(res));

/** mulberry32: a small seeded generator, so a failing flow can be replayed. */
function random(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/**
 * A seeded flow from two accounts: resting orders on both sides of 1000 (about
 * one in four crosses), IOCs, cancels and replaces (some lose priority, some cross).
 */
function flow(ex: Exchange, seed: number, n: number, symbol = BTC): void {
  const int = random(seed);
  const live: { account: number; id: number }[] = [];
  for (let i = 0; i < n; i++) {
    const account = 1 + int(2);
    const x = int(100);
    if (x < 50 || live.length === 0) {
      const side = int(2) === 0 ? Side.BUY : Side.SELL;
      const price = 1000 + (side === Side.BUY ? -1 : 1) * (int(30) - 6);
      const tif = x < 5 ? TimeInForce.IOC : undefined;
      const id = ex.newOrder({ account, symbol, clOrdId: `s${seed}-${i}`, side, price, qty: 1 + int(50), tif });
      if (id) live.push({ account, id });
    } else if (x < 80) {
      const [o] = live.splice(int(live.length), 1);
      ex.cancel({ account: o.account, symbol, orderId: o.id });
    } else {
      const o = live[int(live.length)];
      ex.replace({ account: o.account, symbol, orderId: o.id, price: 985 + int(31), qty: 1 + int(60) });
    }
  }
}

test('a shared frame with a sequence number in front decodes as one Envelope, for any sequence number', () => {
  const shared = sharedFrame('heartbeat', { test_req_id: 'hb' });
  for (const seq of [1, 127, 128, 300, 2 ** 31 + 7, 2 ** 40 + 5, Number.MAX_SAFE_INTEGER]) {
    const r = decodeEnvelope(numbered(seq, shared));
    assert.ok(r.ok);
    assert.deepEqual([r.env.msg_seq_num, r.env.body, (r.env.heartbeat as { test_req_id: string }).test_req_id], [seq, 'heartbeat', 'hb']);
    assert.ok(r.env.sending_time_us > 0);
  }
});

test('books kept from snapshot + incrementals equal the engine; a subscriber joining mid-flow gets gap-free ids', () => withServer(async (s) => {
  const ex = s.exchange;
  const early = await Client.open(s.url);
  early.subscribe(BTC, 'early');
  await early.synced(ex, BTC);
  flow(ex, 1, 300);
  flow(ex, 2, 100, ETH); // another symbol's updates must not reach BTC subscribers

  const late = await Client.open(s.url);
  late.subscribe(BTC, 'late', { market_depth: 0 });
  let batch = 0;
  for (; late.book(BTC).snapshots === 0 || batch < 5; batch++) {
    flow(ex, 100 + batch, 50);
    flow(ex, 200 + batch, 10, ETH);
    await tick(); // lets the server read the request between commands
    assert.ok(batch < 1000, 'the late snapshot arrived');
  }
  await early.synced(ex, BTC);
  await late.synced(ex, BTC);

  for (const c of [early, late]) {
    const book = c.book(BTC);
    assert.deepEqual(book.gaps, []);
    assert.deepEqual(book.depth(), engineDepth(ex, BTC));
    assert.ok(book.depth().bids.length > 3 && book.depth().asks.length > 3, 'the flow leaves a real book');
    assert.deepEqual(c.got.map((e) => e.msg_seq_num), c.got.map((_, i) => i + 1), 'server sequence numbers are dense');
    assert.deepEqual(c.of<Incremental>('market_data_incremental_refresh').filter((m) => m.symbol !== BTC), []);
  }
  // the late snapshot is mid-flow and the stream continues from it: U = lastUpdateId + 1
  const snap = late.of<Snapshot>('market_data_snapshot_full_refresh')[0];
  const incs = late.of<Incremental>('market_data_incremental_refresh');
  assert.equal(snap.md_req_id, 'late');
  assert.ok(snap.last_update_id > early.of<Snapshot>('market_data_snapshot_full_refresh')[0].last_update_id);
  assert.ok(snap.last_update_id < ex.updateId(BTC));
  assert.equal(incs[0].first_update_id, snap.last_update_id + 1);
  assert.equal(incs.at(-1)?.last_update_id, ex.updateId(BTC));
  // one incremental per update id
  assert.ok(incs.every((m) => m.first_update_id === m.last_update_id));
  assert.equal(incs.length, ex.updateId(BTC) - snap.last_update_id);
}));

test('trades tape and BBO: exact content, and channels filter what each subscriber gets', () => withServer(async (s) => {
  const ex = s.exchange;
  const full = await Client.open(s.url);
  full.subscribe(BTC, 'full', { channels: [L2, TRADES, BBO] });
  const tape = await Client.open(s.url);
  tape.subscribe(BTC, 'tape', { channels: [TRADES, BBO] });
  await full.synced(ex, BTC);
  await tape.synced(ex, BTC);
  full.book(BTC).checkBbo = true;
  const from = ex.updateId(BTC);
  flow(ex, 7, 400);
  await full.synced(ex, BTC);
  await tape.synced(ex, BTC);

  const expected = ex.trades(BTC).map((t) => ({ trade_id: t.trade_id, price: t.price, qty: t.qty, aggressor_side: t.aggressor_side, transact_time: t.time }));
  assert.ok(expected.length > 20, 'the flow trades');
  for (const c of [full, tape]) assert.deepEqual(c.book(BTC).trades, expected);
  assert.deepEqual(full.book(BTC).bboErrors, []);
  const best = full.book(BTC).best();
  assert.deepEqual(best, { bid_px: ex.engine.bestBid(BTC)?.price, bid_qty: ex.engine.bestBid(BTC)?.qty, ask_px: ex.engine.bestAsk(BTC)?.price, ask_qty: ex.engine.bestAsk(BTC)?.qty });
  assert.deepEqual(full.book(BTC).bbo, best);
  assert.deepEqual(tape.book(BTC).bbo, best);

  // TRADES + BBO only: no levels, yet an incremental for every update id (some with nothing but the ids)
  const incs = tape.of<Incremental>('market_data_incremental_refresh');
  assert.ok(incs.every((m) => m.bids.length === 0 && m.asks.length === 0 && m.orders.length === 0));
  assert.deepEqual(incs.map((m) => m.last_update_id), Array.from({ length: ex.updateId(BTC) - from }, (_, i) => from + i + 1));
  assert.ok(incs.some((m) => m.trades.length === 0 && !m.bbo), 'empty incrementals keep the ids contiguous');
  assert.deepEqual(tape.book(BTC).gaps, []);
  const snap = tape.of<Snapshot>('market_data_snapshot_full_refresh')[0];
  assert.deepEqual([snap.bids.length, snap.asks.length, snap.orders.length], [0, 0, 0]);
}));

test('L3: the order-by-order book equals the engine queues, priority included; depth-limited L2 snapshot', () => withServer(async (s) => {
  const ex = s.exchange;
  flow(ex, 11, 300);
  const l3 = await Client.open(s.url);
  l3.subscribe(BTC, 'l3', { channels: [L3] });
  const top = await Client.open(s.url);
  top.subscribe(BTC, 'top', { market_depth: 2 });
  await l3.synced(ex, BTC);
  await top.synced(ex, BTC);
  assert.equal(ex.l3Listeners, 1);
  const topSnap = top.of<Snapshot>('market_data_snapshot_full_refresh')[0];
  const depth = engineDepth(ex, BTC);
  assert.deepEqual([topSnap.bids.map(levelOf), topSnap.asks.map(levelOf)], [depth.bids.slice(0, 2), depth.asks.slice(0, 2)]);
  assert.deepEqual(l3.book(BTC).l3(), engineL3(ex, BTC));

  flow(ex, 12, 500);
  await l3.synced(ex, BTC);
  assert.deepEqual(l3.book(BTC).gaps, []);
  assert.deepEqual(l3.book(BTC).l3(), engineL3(ex, BTC));
  assert.ok(l3.book(BTC).orders.size > 10);

  // unsubscribing stops the stream and releases the Exchange's L3 tracking
  l3.subscribe(BTC, 'l3', { subscription: 2 });
  l3.send('security_list_request', { security_req_id: 'sync' });
  await l3.until(() => l3.of('security_list').length === 1, 'security list');
  assert.equal(ex.l3Listeners, 0);
  const before = l3.got.length;
  flow(ex, 13, 20);
  await top.synced(ex, BTC);
  assert.equal(l3.got.length, before);
}));

test('bad requests and bad frames: typed rejects, then a Logout; another md session is unaffected', () => withServer(async (s) => {
  const ex = s.exchange;
  const good = await Client.open(s.url);
  good.subscribe(BTC, 'g');
  await good.synced(ex, BTC);
  const bad = await Client.open(s.url);
  bad.subscribe('NOPE', 'r1');
  bad.subscribe(BTC, 'r2', { channels: [9] });
  bad.subscribe(BTC, 'r3', { subscription: 2 });
  bad.subscribe(BTC, '');
  bad.send('new_order_single', { cl_ord_id: 'x', symbol: BTC, side: 1, price: 1000, order_qty: 1 });
  bad.send('security_list_request', { security_req_id: 'sl' });
  await bad.until(() => bad.of('security_list').length === 1, 'security list');
  const mdRejects = bad.of<{ md_req_id: string; text: string }>('market_data_request_reject');
  assert.deepEqual(mdRejects.map((r) => r.md_req_id), ['r1', 'r2', 'r3']);
  assert.match(mdRejects[0].text, /unknown symbol/);
  const list = bad.of<{ security_req_id: string; securities: { symbol: string }[] }>('security_list')[0];
  assert.deepEqual(list.securities.map((x) => x.symbol), [BTC, ETH]);

  bad.ws.send('hello');                                // text frame
  bad.ws.send(Buffer.from([0xff, 0xff, 0xff]));        // undecodable
  bad.ws.send(encodeEnvelope({ msg_seq_num: 99 }));    // empty body
  bad.ws.send(Buffer.alloc(70 * 1024, 1));             // too large
  bad.send('heartbeat', {}, 1);                        // sequence number gone back
  await bad.until(() => bad.of('reject').length >= 7, '7 rejects');
  // missing md_req_id, order on md, then the frame errors
  assert.deepEqual(bad.of<{ reason: number }>('reject').map((r) => r.reason), [5, 9, 1, 2, 4, 3, 8]);
  for (let i = 0; i < 20; i++) bad.ws.send(Buffer.from([0xff]));
  await bad.until(() => bad.of('logout').length === 1, 'logout');
  await bad.closed();
  assert.equal(bad.of('reject').length, s.trade.limits.maxRejects);

  flow(ex, 5, 50);
  await good.synced(ex, BTC);
  assert.deepEqual(good.book(BTC).depth(), engineDepth(ex, BTC));
  assert.deepEqual(good.book(BTC).gaps, []);
}));

test('a one-shot snapshot streams nothing after it; a connection holds at most 64 subscriptions', () => withServer(async (s) => {
  const c = await Client.open(s.url);
  c.subscribe('S0', 'once', { subscription: 1 });
  await c.until(() => c.of('market_data_snapshot_full_refresh').length === 1, 'one-shot snapshot');
  flow(s.exchange, 41, 50, 'S0');
  for (let i = 1; i <= 65; i++) c.subscribe(`S${i}`, `sub-${i}`);
  const answers = (): number => c.of('market_data_snapshot_full_refresh').length + c.of('market_data_request_reject').length;
  await c.until(() => answers() === 66, 'an answer to every request');
  const rejects = c.of<{ md_req_id: string; text: string }>('market_data_request_reject');
  assert.deepEqual(rejects.map((r) => r.md_req_id), ['sub-65']);
  assert.match(rejects[0].text, /at most 64 subscriptions/);
  assert.equal(c.of('market_data_incremental_refresh').length, 0, 'S0 was a snapshot only');
}, undefined, { ...CONFIG, instruments: Array.from({ length: 66 }, (_, i) => instrument(`S${i}`)) }));

test('a halt is announced to the symbol\'s md subscribers and to order-entry sessions', () => withServer(async (s) => {
  const ex = s.exchange;
  const md = await Client.open(s.url);
  md.subscribe(BTC, 'b');
  const other = await Client.open(s.url);
  other.subscribe(ETH, 'e');
  const trader = await Client.open(s.url, '/ws/trade');
  trader.send('logon', { api_key: 'alice-key', reset_seq_num: true });
  await trader.until(() => trader.of('logon').length === 1, 'logon');
  await md.synced(ex, BTC);
  await other.synced(ex, ETH);

  ex.setPhase(BTC, TradingPhase.HALTED, 'halted by admin');
  type Status = { symbol: string; trading_phase: number; text: string; transact_time: number };
  for (const c of [md, trader]) {
    await c.until(() => c.of('security_status').length === 1, 'security status');
    const st = c.of<Status>('security_status')[0];
    assert.deepEqual([st.symbol, st.trading_phase, st.text], [BTC, 2, 'halted by admin']);
    assert.ok(st.transact_time > 0);
  }
  // a subscriber arriving during the halt hears of it after its snapshot
  const late = await Client.open(s.url);
  late.subscribe(BTC, 'late');
  await late.until(() => late.of('security_status').length === 1, 'status for a late subscriber');
  assert.deepEqual(late.got.map((e) => e.body), ['market_data_snapshot_full_refresh', 'security_status']);

  ex.setPhase(BTC, TradingPhase.CONTINUOUS, 'resumed');
  await md.until(() => md.of('security_status').length === 2, 'resume status');
  assert.equal(md.of<Status>('security_status')[1].trading_phase, 1);
  other.send('security_list_request', { security_req_id: 'sync' });
  await other.until(() => other.of('security_list').length === 1, 'security list');
  assert.equal(other.of('security_status').length, 0, 'ETH subscribers hear nothing of BTC');
}));

/**
 * Fills a paused client's socket path cheaply: each SecurityList answer echoes
 * a 60 KB request id (a copy for the server, no encoding work). The kernel
 * takes a few MB before the server's own buffer starts to grow.
 */
async function fill(c: Client, done: () => boolean, what: string): Promise<void> {
  const id = 'x'.repeat(60 * 1024);
  for (let i = 0; i < 2000 && !done(); i++) {
    c.send('security_list_request', { security_req_id: id });
    c.send('security_list_request', { security_req_id: id });
    await new Promise((res) => setTimeout(res, 1));
  }
  assert.ok(done(), what);
}

const BUDGET = { maxBufferedBytes: 1024 * 1024 };

test('a reader that stops reading is conflated: no incrementals queued, then a snapshot and a gap-free stream again', () => withServer(async (s, hub) => {
  const ex = s.exchange;
  flow(ex, 21, 300);
  const slow = await Client.open(s.url);
  slow.subscribe(BTC, 'slow', { channels: [L2, L3, TRADES, BBO] });
  await slow.synced(ex, BTC);
  slow.ws.pause();
  await fill(slow, () => hub.connections()[0].bufferedAmount > hub.highWater, 'the send buffer passed the high-water mark');
  const idBefore = ex.updateId(BTC);
  flow(ex, 22, 1000);
  const [conn] = hub.connections();
  assert.ok(conn.stalled, 'the first incremental past the mark stalled the connection');
  assert.equal(hub.stats.conflations, 1);
  flow(ex, 23, 1000);
  assert.equal(hub.connections()[0].bufferedAmount, conn.bufferedAmount, 'no incrementals are queued for it');
  assert.ok(conn.bufferedAmount < s.trade.limits.maxBufferedBytes);

  slow.ws.resume();
  await slow.synced(ex, BTC);
  assert.equal(hub.stats.resyncs, 1);
  const book = slow.book(BTC);
  assert.deepEqual(book.gaps, []);
  assert.deepEqual(book.depth(), engineDepth(ex, BTC));
  assert.deepEqual(book.l3(), engineL3(ex, BTC));
  // the stream skipped ahead through a fresh snapshot instead of replaying 2000 updates
  const resync = slow.of<Snapshot>('market_data_snapshot_full_refresh').at(-1) as Snapshot;
  assert.equal(resync.last_update_id, ex.updateId(BTC));
  assert.ok(resync.last_update_id > idBefore + 1000);
  const skipped = slow.of<Incremental>('market_data_incremental_refresh').filter((m) => m.last_update_id > idBefore);
  assert.deepEqual(skipped, [], 'conflated, not replayed');
  assert.ok(!hub.connections()[0].stalled);
  // and it streams again from the snapshot on
  flow(ex, 24, 100);
  await slow.synced(ex, BTC);
  assert.deepEqual(book.gaps, []);
  assert.deepEqual(book.l3(), engineL3(ex, BTC));
  assert.equal(slow.of<Incremental>('market_data_incremental_refresh')[0].first_update_id, resync.last_update_id + 1);
}, BUDGET));

test('a client that keeps asking without reading is cut off at the buffer budget; others stream on', () => withServer(async (s, hub) => {
  const ex = s.exchange;
  const fine = await Client.open(s.url);
  fine.subscribe(BTC, 'fine');
  await fine.synced(ex, BTC);
  const hog = await Client.open(s.url);
  hog.ws.pause();
  await fill(hog, () => hub.connections().length === 1, 'the hog was disconnected');
  hog.ws.resume();
  await hog.closed();
  flow(ex, 31, 200);
  await fine.synced(ex, BTC);
  assert.deepEqual(fine.book(BTC).depth(), engineDepth(ex, BTC));
}, BUDGET));
