// Connection and market-data limits: the logon timeout, the /ws/md heartbeat,
// the global and per-address connection caps (with their close codes), capped
// and rate-limited snapshots, the incremental open-order count, stalled
// subscribers dropped and the memory they may hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../gateway/index.ts';
import { marketDataHub } from '../gateway/md.ts';
import { CloseCode, ConnectionRate } from '../gateway/connection-limits.ts';
import type { SessionLimits } from '../gateway/trade-session.ts';
import { Exchange } from '../gateway/exchange.ts';
import { validateConfig } from '../gateway/config.ts';
import { prng } from './prng.ts';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// A full collection before each memory reading, so the figure is what is held, not the test's own garbage.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;
/**
 * A full collection, twice: the array buffers one frees are swept off the thread and count as
 * external memory until then; the second collection finishes that sweep first.
 */
const gc = (): void => {
  collect();
  collect();
};
import { Raw } from './gateway-raw-client.ts';
import { KeyedBuckets } from '../gateway/token-bucket.ts';
import type { Envelope } from '../gateway/wire.ts';

const SYMBOL = 'BTC-USD';
const CONFIG = {
  instruments: [{ symbol: SYMBOL, price_scale: 1, qty_scale: 4, tick_size: 1, lot: 1, min_qty: 1, max_qty: 1_000_000, max_price: 10_000_000, maker_fee_bp: -1, taker_fee_bp: 2 }],
  accounts: [{ name: 'maker', api_key: 'maker-key-0123456789' }, { name: 'taker', api_key: 'taker-key-0123456789' }],
};

async function withServer(limits: Partial<SessionLimits>, fn: (s: RunningServer) => Promise<void>): Promise<void> {
  const s = await startServer({ config: structuredClone(CONFIG), limits });
  try { await fn(s); } finally { await s.close(); }
}

/** The close code and reason a WebSocket gets, or 'open' if it stays open `ms`. */
function closeOf(ws: WebSocket, ms = 3000): Promise<{ code: number; reason: string } | 'open'> {
  return new Promise((res) => {
    const t = setTimeout(() => res('open'), ms);
    ws.once('close', (code, reason) => { clearTimeout(t); res({ code, reason: reason.toString() }); });
  });
}

function open(url: string, path: string, opts: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  const ws = new WebSocket(url.replace('http', 'ws') + path, opts);
  ws.on('error', () => {});
  return new Promise((res, rej) => { ws.once('open', () => res(ws)); ws.once('error', rej); });
}

/** Rests `n` one-lot orders of the maker on distinct prices, both sides, straight into the exchange. */
function fillBook(s: RunningServer, n: number, perLevel = 1): void {
  const account = (s.exchange.authenticate('maker-key-0123456789') as { id: number }).id;
  for (let i = 0; i < n; i++) {
    const side = i % 2 === 0 ? 1 : 2;
    const off = 1 + Math.floor(i / 2 / perLevel);
    s.exchange.newOrder({ account, symbol: SYMBOL, side, ordType: 1, tif: 1, price: side === 1 ? 500_000 - off : 500_000 + off, qty: 1 } as never);
  }
}

test('/ws/trade: a connection that never logs on is closed after logonTimeoutMs (4001)', () => withServer({ logonTimeoutMs: 200 }, async (s) => {
  const ws = await open(s.url, '/ws/trade');
  const t0 = Date.now();
  const closed = await closeOf(ws);
  assert.notEqual(closed, 'open');
  assert.equal((closed as { code: number }).code, CloseCode.LOGON_TIMEOUT);
  assert.ok(Date.now() - t0 < 1500);
  // a logged-on session is not affected
  const a = await Raw.logon(s.url, 'maker-key-0123456789');
  assert.equal(await closeOf(a.ws, 500), 'open');
  a.ws.close();
}));

test('/ws/md: a connection answering no ping is closed (4002); one that answers stays', () => withServer({ mdHeartbeatMs: 150 }, async (s) => {
  const deaf = await open(s.url, '/ws/md', { autoPong: false });
  const alive = await open(s.url, '/ws/md');
  const closed = await closeOf(deaf);
  assert.equal((closed as { code: number }).code, CloseCode.HEARTBEAT_TIMEOUT);
  assert.equal(await closeOf(alive, 400), 'open');
  alive.close();
}));

test('connection caps: per address (4029) and for the server (1013), counted on both endpoints and freed on close', async () => {
  await withServer({ maxConnectionsPerIp: 3, maxConnections: 100 }, async (s) => {
    const held = [await open(s.url, '/ws/trade'), await open(s.url, '/ws/md'), await open(s.url, '/ws/md')];
    const extra = await open(s.url, '/ws/md');
    const c = await closeOf(extra);
    assert.equal((c as { code: number }).code, CloseCode.TOO_MANY_FROM_ADDRESS);
    assert.match((c as { reason: string }).reason, /too many connections from this address/);
    held[0].close();
    await closeOf(held[0]);
    await new Promise((r) => setTimeout(r, 50));
    const again = await open(s.url, '/ws/md');
    assert.equal(await closeOf(again, 300), 'open');
    for (const ws of [...held, again]) ws.close();
  });
  await withServer({ maxConnections: 2 }, async (s) => {
    const held = [await open(s.url, '/ws/md'), await open(s.url, '/ws/trade')];
    const c = await closeOf(await open(s.url, '/ws/trade'));
    assert.equal((c as { code: number }).code, CloseCode.SERVER_FULL);
    for (const ws of held) ws.close();
  });
});

test('/ws/md snapshots are capped (levels and L3 orders) and rate-limited per connection and per server', () => withServer({
  mdSnapshotLevels: 50, mdSnapshotOrders: 60, mdSnapshotBurst: 3, mdSnapshotsPerSec: 1, mdServerSnapshotsPerSec: 1, mdServerSnapshotBurst: 5,
}, async (s) => {
  fillBook(s, 400, 2); // 100 levels a side, 2 orders each
  const m = await Raw.open(s.url, '/ws/md');
  m.send('market_data_request', { md_req_id: 's1', symbol: SYMBOL, subscription: 1, market_depth: 0, channels: [1, 2] });
  const snap = await m.next<{ bids: unknown[]; asks: unknown[]; orders: { side: number }[] }>('market_data_snapshot_full_refresh');
  assert.equal(snap.bids.length, 50);
  assert.equal(snap.asks.length, 50);
  assert.equal(snap.orders.length, 60); // 15 whole levels a side
  for (const id of ['s2', 's3', 's4']) m.send('market_data_request', { md_req_id: id, symbol: SYMBOL, subscription: 1, channels: [1] });
  const rej = await m.next<{ md_req_id: string; text: string }>('market_data_request_reject');
  assert.equal(rej.md_req_id, 's4');
  assert.match(rej.text, /snapshot rate limit: 1\/s per connection \(burst 3\); retry in \d+ ms/);
  // other connections share the server's allowance (a burst of 5, then 1 a second): 2 are left
  const others = await Promise.all([0, 1, 2].map(() => Raw.open(s.url, '/ws/md')));
  others.forEach((o, i) => o.send('market_data_request', { md_req_id: `o${i}`, symbol: SYMBOL, subscription: 1, channels: [4] }));
  const answers = await Promise.all(others.map((o) => o.waitFor((e) => e.body === 'market_data_snapshot_full_refresh' || e.body === 'market_data_request_reject')));
  assert.deepEqual(answers.map((e) => e.body).sort(), ['market_data_request_reject', 'market_data_snapshot_full_refresh', 'market_data_snapshot_full_refresh']);
  assert.match(String(answers.map((e) => e.market_data_request_reject).find(Boolean) && (answers.find((e) => e.body === 'market_data_request_reject')?.market_data_request_reject as { text: string }).text), /server snapshot rate limit/);
  // a client that keeps asking before the retry time it was given gets no more answers, and is
  // logged out after mdIgnoredRefusals (20) such requests
  for (let i = 0; i < 25; i++) m.send('market_data_request', { md_req_id: `loop${i}`, symbol: SYMBOL, subscription: 1, channels: [1] });
  assert.match((await m.next<{ text: string }>('logout')).text, /too many snapshot requests while refused by the rate limit \(20 before the retry time\)/);
  await m.closed();
  assert.deepEqual(m.of<{ md_req_id: string }>('market_data_request_reject').map((r) => r.md_req_id), ['s4']);
  assert.equal(marketDataHub(s.exchange)?.stats.refusalsUnanswered, 20);
  for (const c of others) c.ws.close();
}));

test('/ws/md snapshots per address: new connections share their address\'s allowance (first subscriptions too); another address has its own', () => withServer({
  mdSnapshotBurst: 3, mdSnapshotsPerSec: 1, mdAddressSnapshotBurst: 5, mdAddressSnapshotsPerSec: 1,
}, async (s) => {
  fillBook(s, 40);
  const ask = (m: Raw, id: string, subscription = 1): void => m.send('market_data_request', { md_req_id: id, symbol: SYMBOL, subscription, channels: [1] });
  const answer = (m: Raw, id: string): Promise<Envelope> => m.waitFor((e) => (e.body === 'market_data_snapshot_full_refresh' || e.body === 'market_data_request_reject')
    && (e[e.body] as { md_req_id: string }).md_req_id === id);
  // one connection takes its own burst of 3; a second from the same address gets the 2 the address has left
  const a = await Raw.open(s.url, '/ws/md');
  for (const id of ['a1', 'a2', 'a3']) ask(a, id);
  for (const id of ['a1', 'a2', 'a3']) assert.equal((await answer(a, id)).body, 'market_data_snapshot_full_refresh');
  const b = await Raw.open(s.url, '/ws/md');
  for (const id of ['b1', 'b2', 'b3']) ask(b, id);
  assert.equal((await answer(b, 'b1')).body, 'market_data_snapshot_full_refresh');
  assert.equal((await answer(b, 'b2')).body, 'market_data_snapshot_full_refresh');
  const refused = await answer(b, 'b3');
  assert.equal(refused.body, 'market_data_request_reject');
  assert.match((refused.market_data_request_reject as { text: string }).text, /snapshot rate limit: 1\/s per address \(burst 5\); retry in \d+ ms/);
  // a third connection's first subscription, free for the connection, still counts for the address
  const c = await Raw.open(s.url, '/ws/md');
  ask(c, 'c1', 0);
  assert.equal((await answer(c, 'c1')).body, 'market_data_request_reject');
  // another address (127.0.0.2, same machine) has an allowance of its own
  const other = new WebSocket(s.url.replace('http', 'ws') + '/ws/md', { localAddress: '127.0.0.2' });
  await new Promise((res, rej) => { other.once('open', res); other.once('error', rej); });
  const d = new Raw(other);
  ask(d, 'd1', 0);
  ask(d, 'd2');
  assert.equal((await answer(d, 'd1')).body, 'market_data_snapshot_full_refresh');
  assert.equal((await answer(d, 'd2')).body, 'market_data_snapshot_full_refresh');
  for (const m of [a, b, c, d]) m.ws.close();
}));

test('KeyedBuckets: a burst then a steady rate per key, a bounded table', () => {
  const buckets = new KeyedBuckets(2, 10, 3);
  assert.equal(buckets.take('a', 0), 0);
  assert.equal(buckets.take('a', 0), 0);
  assert.equal(buckets.take('a', 0), 100);
  assert.equal(buckets.take('b', 0), 0); // another key has its own
  assert.equal(buckets.take('a', 100), 0);
  // at most 3 keys: the ones idle long enough to be full again go first, else the oldest
  buckets.take('c', 100);
  for (let i = 0; i < 100; i++) buckets.take(`x${i}`, 1000 + i);
  assert.equal(buckets.tracked, 3);
});

/** How an upgrade ends: 'open', the HTTP status of a refusal, or 'dropped' (the socket closed without an answer). */
function upgrade(url: string, path: string): Promise<{ result: 'open' | 'dropped' | number; retryAfter?: string; ws: WebSocket }> {
  const ws = new WebSocket(url.replace('http', 'ws') + path);
  return new Promise((res) => {
    ws.once('open', () => res({ result: 'open', ws }));
    ws.once('unexpected-response', (_req, r) => { res({ result: r.statusCode ?? 0, retryAfter: r.headers['retry-after'], ws }); r.resume(); });
    ws.once('error', () => res({ result: 'dropped', ws }));
  });
}

test('new connections per address are rate-limited at the upgrade: 429 with Retry-After once, then dropped unanswered', () => withServer({ connectBurstPerIp: 3, connectsPerIpPerSec: 4 }, async (s) => {
  const held = await Promise.all([upgrade(s.url, '/ws/md'), upgrade(s.url, '/ws/trade'), upgrade(s.url, '/ws/md')]);
  assert.deepEqual(held.map((h) => h.result), ['open', 'open', 'open']);
  const refused = await upgrade(s.url, '/ws/md');
  assert.equal(refused.result, 429);
  assert.equal(refused.retryAfter, '1');
  // asking again before the retry time: no answer at all
  assert.equal((await upgrade(s.url, '/ws/trade')).result, 'dropped');
  // the connections already open are not affected
  const m = new Raw(held[0].ws);
  m.send('market_data_request', { md_req_id: 'a', symbol: SYMBOL, subscription: 1, channels: [4] });
  await m.next('market_data_snapshot_full_refresh');
  // a token comes back every 250 ms
  await new Promise((r) => setTimeout(r, 400));
  const again = await upgrade(s.url, '/ws/md');
  assert.equal(again.result, 'open');
  for (const h of [...held, again]) h.ws.close();
}));

test('ConnectionRate: a burst then a steady rate per address, one answered refusal per wait, a bounded table', () => {
  const rate = new ConnectionRate(2, 10, 3);
  assert.equal(rate.admit('a', 0), null);
  assert.equal(rate.admit('a', 0), null);
  assert.deepEqual(rate.admit('a', 0), { retryAfterMs: 100, answer: true });
  assert.deepEqual(rate.admit('a', 40), { retryAfterMs: 60, answer: false });
  assert.equal(rate.admit('b', 40), null); // another address has its own allowance
  assert.equal(rate.admit('a', 100), null);
  // at most 3 addresses: the ones idle long enough (their burst back) are forgotten first, else the oldest
  assert.equal(rate.admit('c', 100), null);
  assert.equal(rate.admit('d', 1000), null);
  assert.ok(rate.tracked <= 3);
  for (let i = 0; i < 100; i++) rate.admit(`x${i}`, 1000);
  assert.equal(rate.tracked, 3);
});

test('/ws/md: once the retry time of a refusal has passed, the next snapshot request is served', () => withServer({ mdSnapshotBurst: 1, mdSnapshotsPerSec: 5 }, async (s) => {
  const m = await Raw.open(s.url, '/ws/md');
  m.send('market_data_request', { md_req_id: 'a', symbol: SYMBOL, subscription: 1, channels: [4] });
  m.send('market_data_request', { md_req_id: 'b', symbol: SYMBOL, subscription: 1, channels: [4] });
  m.send('market_data_request', { md_req_id: 'c', symbol: SYMBOL, subscription: 1, channels: [4] });
  const rej = await m.next<{ md_req_id: string; text: string }>('market_data_request_reject');
  assert.equal(rej.md_req_id, 'b');
  const wait = Number(/retry in (\d+) ms/.exec(rej.text)?.[1]);
  assert.ok(wait > 0 && wait <= 200);
  await new Promise((r) => setTimeout(r, wait + 20));
  m.send('market_data_request', { md_req_id: 'd', symbol: SYMBOL, subscription: 1, channels: [4] });
  await m.next('market_data_snapshot_full_refresh', (x: { md_req_id: string }) => x.md_req_id === 'd');
  // 'c' came before the retry time: never answered
  assert.deepEqual([...m.of<{ md_req_id: string }>('market_data_snapshot_full_refresh'), ...m.of<{ md_req_id: string }>('market_data_request_reject')].map((x) => x.md_req_id).sort(), ['a', 'b', 'd']);
  m.ws.close();
}));

test('open orders for /metrics are counted as they rest and leave, equal to a walk of the book', () => {
  const ex = new Exchange(structuredClone(CONFIG));
  const accounts = [1, 2];
  const r = prng(42);
  for (let i = 0; i < 5000; i++) {
    const side = r() < 0.5 ? 1 : 2;
    const account = accounts[Math.floor(r() * 2)];
    const roll = r();
    if (roll < 0.6) ex.newOrder({ account, symbol: SYMBOL, side, ordType: 1, tif: r() < 0.2 ? 2 : 1, price: 500_000 + Math.floor((r() - 0.5) * 40), qty: 1 + Math.floor(r() * 5) } as never);
    else if (roll < 0.7) ex.newOrder({ account, symbol: SYMBOL, side, ordType: 2, tif: 2, qty: 1 + Math.floor(r() * 20) } as never);
    else {
      const open = ex.engine.openOrders(account);
      if (open.length) ex.cancel({ account, symbol: SYMBOL, orderId: open[Math.floor(r() * open.length)].orderId } as never);
    }
    if (i % 250 === 0 || i === 4999) {
      const d = ex.engine.depth(SYMBOL, Number.MAX_SAFE_INTEGER);
      const walked = [...(d?.bids ?? []), ...(d?.asks ?? [])].reduce((n, l) => n + l.count, 0);
      assert.equal(ex.engine.restingOrderCount(SYMBOL), walked, `step ${i}`);
    }
  }
});

/** Each stalled subscriber's budget (SessionLimits.maxBufferedBytes): small here; the soak run (bench/abuse-soak.ts) uses the default 8 MiB. */
const STALLED_BUDGET = Number(process.env.STALLED_BUDGET ?? 512 * 1024);

test('a subscriber stalled longer than mdStallMs is dropped (4003); 40 stalled subscribers stay within their budgets', () => withServer({
  maxBufferedBytes: STALLED_BUDGET, mdStallMs: 1500,
}, async (s) => {
  const hub = marketDataHub(s.exchange);
  assert.ok(hub);
  const stalled = await Promise.all(Array.from({ length: 40 }, () => open(s.url, '/ws/md')));
  const codes = stalled.map((ws) => closeOf(ws, 60_000));
  for (const [i, ws] of stalled.entries()) ws.send(encodeRequest(i));
  await new Promise((r) => setTimeout(r, 200));
  // stop reading: the kernel buffers fill, then the server's
  for (const ws of stalled) (ws as unknown as { _socket: { pause(): void } })._socket.pause();
  gc();
  const before = process.memoryUsage();
  const used = (m: NodeJS.MemoryUsage): number => m.heapUsed + m.external;
  // the book moves: each round rests 1,000 orders and mass-cancels them (1,001 incrementals per subscriber)
  const maker = (s.exchange.authenticate('maker-key-0123456789') as { id: number }).id;
  let peakHeld = 0;
  let peakGrown = 0;
  for (let round = 0; round < 1000 && hub.stats.slowConsumersDropped < 40; round++) {
    fillBook(s, 1000);
    s.exchange.massCancelOrders(maker, '', SYMBOL);
    await new Promise((r) => setTimeout(r, 20));
    const held = hub.connections().reduce((n, c) => n + c.bufferedAmount, 0);
    for (const c of hub.connections()) assert.ok(c.bufferedAmount <= STALLED_BUDGET + 128 * 1024, `held ${c.bufferedAmount}`);
    if (held > peakHeld && hub.stats.slowConsumersDropped === 0) {
      // the memory while the most is held (every 4th round: a full collection takes a while)
      peakHeld = held;
      if (round % 4 === 0) {
        gc();
        peakGrown = Math.max(peakGrown, used(process.memoryUsage()) - used(before));
      }
    }
  }
  // every subscriber may hold its high-water mark (half the budget) and a little more: the figure of docs/performance.md
  const bound = 40 * (STALLED_BUDGET / 2) * 1.25 + 16 * 2 ** 20;
  console.log(`stalled-subscribers: 40 at a ${(STALLED_BUDGET / 2 ** 20).toFixed(1)} MiB budget: held ${(peakHeld / 2 ** 20).toFixed(1)} MiB, heap+external grew ${(peakGrown / 2 ** 20).toFixed(1)} MiB (bound ${(bound / 2 ** 20).toFixed(1)} MiB), rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
  assert.ok(peakGrown < bound, `grew ${(peakGrown / 2 ** 20).toFixed(1)} MiB`);
  assert.equal(hub.stats.slowConsumersDropped, 40);
  assert.equal(hub.connections().length, 0);
  // the clients read again: each finds its connection closed
  for (const ws of stalled) (ws as unknown as { _socket: { resume(): void } })._socket.resume();
  assert.ok((await Promise.all(codes)).every((c) => c !== 'open'));
}));

import { encodeEnvelope } from '../gateway/wire.ts';
function encodeRequest(i: number): Uint8Array {
  return encodeEnvelope({ msg_seq_num: 1, sending_time_us: 0, market_data_request: { md_req_id: `m${i}`, symbol: SYMBOL, subscription: 0, channels: [1, 2, 3, 4] } });
}

test('limits come from the configuration file ("limits", each a positive integer) and startServer\'s option over it', async () => {
  const base = { instruments: CONFIG.instruments };
  assert.doesNotThrow(() => validateConfig({ ...base, limits: { logonTimeoutMs: 100, maxConnectionsPerIp: 4 } }));
  assert.throws(() => validateConfig({ ...base, limits: { logonTimeoutMS: 100 } }), /limits\.logonTimeoutMS: unknown field/);
  assert.throws(() => validateConfig({ ...base, limits: { mdStallMs: 0 } }), /limits\.mdStallMs: must be a positive integer/);
  assert.throws(() => validateConfig({ ...base, limits: { authFailures: 1.5 } }), /limits\.authFailures: must be a positive integer/);
  const s = await startServer({ config: { ...structuredClone(CONFIG), limits: { logonTimeoutMs: 100, maxConnections: 5 } }, limits: { maxConnections: 7 } });
  try {
    const t0 = Date.now();
    assert.equal(((await closeOf(await open(s.url, '/ws/trade'))) as { code: number }).code, CloseCode.LOGON_TIMEOUT);
    assert.ok(Date.now() - t0 < 1000);
  } finally {
    await s.close();
  }
});
