// REQUEST_WEIGHT per IP as Binance spot applies it (binance-spot-api-docs
// rest-api.md "LIMITS" / developers.binance.com …/rest-api/limits): every
// request has a weight, summed per IP over fixed intervals (6,000 a minute on
// spot); the used weight is returned in X-MBX-USED-WEIGHT-(intervalNum)(intervalLetter);
// a request past the limit gets 429 with Retry-After; "repeatedly violating rate
// limits and/or failing to back off after receiving 429s will result in an
// automated IP ban (HTTP status 418)"; "IP bans are tracked and scale in
// duration for repeat offenders, from 2 minutes to 3 days". Depth weighs by
// limit: 1–100 → 5, 101–500 → 25, 501–1000 → 50, 1001–5000 → 250.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { Clock } from '../gateway/exchange.ts';
import { startServer } from '../gateway/index.ts';
import { profileConfig } from '../gateway/profiles.ts';
import { defaultConfig, validateConfig } from '../gateway/config.ts';
import { RequestWeights } from '../gateway/request-weight.ts';
import { decodeEnvelope, encodeEnvelope, type Envelope } from '../gateway/wire.ts';
import { RejectReason } from '../engine/types.ts';
import { MarketDataClient } from '../client/market-data.ts';
import { ClientError } from '../client/errors.ts';

const S = 1_000_000;
/** a whole minute in µs */
const T0 = 29_000_000 * 60 * S;

test('weights: depth by levels as Binance (5 / 25 / 50 / 250), route weights, and the header name', () => {
  const w = new RequestWeights({ limit: 6000 }, () => T0);
  assert.deepEqual([1, 100, 101, 500, 501, 1000, 1001, 5000, 0].map((n) => w.depthWeight(n)), [5, 5, 25, 25, 50, 50, 250, 250, 250]);
  assert.equal(w.routeWeight('GET /api/v1/depth/:symbol', {}), 5, 'the default 100 levels');
  assert.equal(w.routeWeight('GET /api/v1/depth/:symbol', { levels: '5000' }), 250);
  assert.deepEqual(
    ['GET /api/v1/instruments', 'GET /api/v1/trades/:symbol', 'GET /api/v1/account', 'POST /api/v1/orders', 'DELETE /api/v1/orders/:id'].map((r) => w.routeWeight(r, {})),
    [20, 25, 20, 1, 1]);
  assert.deepEqual([w.routeWeight('GET /api/v1/orders', { symbol: 'BTC-USD' }), w.routeWeight('GET /api/v1/orders', {})], [6, 80], 'openOrders: 6 with a symbol, 80 without');
  assert.equal(w.header, 'X-MBX-USED-WEIGHT-1M');
  assert.equal(new RequestWeights({ limit: 10, interval_ms: 10_000, weights: { 'POST /api/v1/orders': 2 } }, () => T0).header, 'X-MBX-USED-WEIGHT-10S');
});

test('bans escalate: 2 minutes, doubling each time, capped at 3 days', () => {
  let now = T0;
  const w = new RequestWeights({ limit: 10, ban_after: 1 }, () => now);
  const lengths: number[] = [];
  for (let i = 0; i < 14; i++) {
    now = now - (now % (60 * S)) + 60 * S; // a fresh minute
    assert.equal(w.take('10.0.0.1', 10), null);
    assert.equal(w.take('10.0.0.1', 1)?.banned, false, 'the first refusal is a 429');
    const ban = w.take('10.0.0.1', 1);
    assert.ok(ban?.banned, 'sending again after it: banned');
    lengths.push((ban.retryAt - now) / S);
    now += S;
    assert.deepEqual([w.take('10.0.0.1', 1)?.banned, w.take('10.0.0.1', 1)?.retryAt], [true, ban.retryAt], 'refused until the ban ends');
    now = ban.retryAt;
  }
  assert.deepEqual(lengths, [120, 240, 480, 960, 1920, 3840, 7680, 15_360, 30_720, 61_440, 122_880, 245_760, 259_200, 259_200]);
  assert.equal(w.take('10.0.0.2', 10), null, 'another address has its own weight');
});

test('config: rules.request_weight is checked field by field', () => {
  const cfg = (rw: unknown): unknown => ({ ...defaultConfig(), rules: { request_weight: rw } });
  assert.throws(() => validateConfig(cfg({ limit: 0 })), /^ConfigError: invalid config: rules\.request_weight\.limit: must be an integer in \[1, 1000000000\], got 0$/);
  assert.throws(() => validateConfig(cfg({ limit: 10, depth_weights: [{ up_to: 100, weight: 5 }, { up_to: 50, weight: 1 }] })), /rules\.request_weight\.depth_weights\[1\]\.up_to/);
  assert.throws(() => validateConfig(cfg({ limit: 10, weights: { '/depth': 1 } })), /must be "METHOD \/api\/v1\/path"/);
  assert.throws(() => validateConfig(cfg({ limit: 10, ban: 1 })), /rules\.request_weight\.ban: unknown field/);
  assert.equal(validateConfig(cfg({ limit: 10 })).rules?.request_weight?.limit, 10);
});

test('crypto-spot REST: 24 depth requests of 5,000 levels use the 6,000 weight of the minute; then 429, 418 after 5 more, and the ban lifts after 2 minutes', async () => {
  let now = T0 + 10 * S;
  const s = await startServer({ config: profileConfig('crypto-spot'), adminToken: 'admin', clock: new Clock(() => now) });
  try {
    const depth = (): Promise<Response> => fetch(`${s.url}/api/v1/depth/BTC-USD?levels=5000`);
    for (let i = 1; i <= 24; i++) {
      const r = await depth();
      assert.deepEqual([r.status, r.headers.get('x-mbx-used-weight-1m')], [200, String(250 * i)], `request ${i}`);
    }
    const r = await depth();
    const body = await r.json() as Record<string, unknown>;
    // the interval ends at T0 + 60 s: 50 s to wait
    assert.deepEqual([r.status, r.headers.get('retry-after'), r.headers.get('x-mbx-used-weight-1m'), body.code, body.retry_after_ms],
      [429, '50', '6000', 'TOO_MANY_REQUESTS', 50_000]);
    // a lighter request does not fit either; the refused ones are not counted
    const light = await fetch(`${s.url}/api/v1/trades/BTC-USD`);
    assert.deepEqual([light.status, light.headers.get('x-mbx-used-weight-1m')], [429, '6000']);
    // the dashboard's own polling is not weighed: the page sets a cookie the browser sends back;
    // a made-up cookie or the old header counts like any request
    const cookie = (await fetch(`${s.url}/`)).headers.get('set-cookie')?.split(';')[0] ?? '';
    assert.match(cookie, /^makerbench_dashboard=[0-9a-f]{32}$/);
    const dash = await fetch(`${s.url}/api/v1/depth/BTC-USD?levels=5000`, { headers: { cookie: `theme=dark; ${cookie}` } });
    assert.deepEqual([dash.status, dash.headers.get('x-mbx-used-weight-1m')], [200, null]);
    const forged: Record<string, string>[] = [{ cookie: 'makerbench_dashboard=0123456789abcdef0123456789abcdef' }, { 'x-makerbench-client': 'dashboard' }];
    for (const headers of forged) {
      assert.equal((await fetch(`${s.url}/api/v1/depth/BTC-USD?levels=5000`, { headers })).status, 429);
    }
    assert.equal((await depth()).status, 429); // the fifth 429
    // a sixth over-limit request after five 429s: banned for 2 minutes
    now += S;
    const ban = await depth();
    const banBody = await ban.json() as Record<string, unknown>;
    assert.deepEqual([ban.status, ban.headers.get('retry-after'), banBody.code, banBody.retry_after_ms], [418, '120', 'IP_BANNED', 120_000]);
    now += 60 * S; // a new minute, still banned: even a weight-1 order is refused
    const order = await fetch(`${s.url}/api/v1/orders`, {
      method: 'POST', headers: { 'x-api-key': 'demo-maker-1', 'content-type': 'application/json' },
      body: JSON.stringify({ cl_ord_id: 'o1', symbol: 'BTC-USD', side: 'BUY', price: '99000.00', order_qty: '0.01000' }),
    });
    assert.deepEqual([order.status, order.headers.get('retry-after')], [418, '60']);
    // admin routes are not weighed
    const admin = await fetch(`${s.url}/api/v1/admin/clock`, { headers: { 'x-admin-token': 'admin' } });
    assert.equal(admin.status, 200);
    now += 60 * S; // the ban is over
    const after = await depth();
    assert.deepEqual([after.status, after.headers.get('x-mbx-used-weight-1m')], [200, '250']);
  } finally {
    await s.close();
  }
});

test('the default venue has no request weight: no header, no 429', async () => {
  const s = await startServer({ config: defaultConfig(), adminToken: 'admin' });
  try {
    for (let i = 0; i < 30; i++) {
      const r = await fetch(`${s.url}/api/v1/depth/BTC-USD?levels=5000`);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('x-mbx-used-weight-1m'), null);
    }
  } finally {
    await s.close();
  }
});

test('crypto-spot /ws/md: snapshots weigh like depth and share the address\'s weight with REST; past it a MarketDataRequestReject RATE_LIMITED with retry_after', async () => {
  let now = T0 + 30 * S;
  const s = await startServer({ config: profileConfig('crypto-spot'), adminToken: 'admin', clock: new Clock(() => now) });
  const ws = new WebSocket(`${s.url.replace('http', 'ws')}/ws/md`);
  try {
    const got: Envelope[] = [];
    ws.on('message', (d: Buffer) => { const r = decodeEnvelope(d); if (r.ok) got.push(r.env); });
    await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
    // REST uses 5,900 of the minute: 23 depths of 5,000 levels (5,750) and 6 instruments lists (120) and 6 depths of 100 (30)
    for (let i = 0; i < 23; i++) assert.equal((await fetch(`${s.url}/api/v1/depth/BTC-USD?levels=5000`)).status, 200);
    for (let i = 0; i < 6; i++) assert.equal((await fetch(`${s.url}/api/v1/instruments`)).status, 200);
    for (let i = 0; i < 5; i++) assert.equal((await fetch(`${s.url}/api/v1/depth/BTC-USD`)).status, 200);
    const last = await fetch(`${s.url}/api/v1/depth/BTC-USD`);
    assert.equal(last.headers.get('x-mbx-used-weight-1m'), '5900');
    let seq = 1;
    const request = (id: string, depth: number): void => {
      ws.send(encodeEnvelope({ msg_seq_num: seq++, sending_time_us: 0, market_data_request: { md_req_id: id, symbol: 'BTC-USD', subscription: 1, market_depth: depth } }));
    };
    request('fits', 500); // 25 → 5,925
    request('too-big', 0); // all levels: 250 → over
    const answers = async (n: number): Promise<Envelope[]> => {
      const deadline = Date.now() + 3000;
      const mine = (): Envelope[] => got.filter((e) => e.body === 'market_data_snapshot_full_refresh' || e.body === 'market_data_request_reject');
      while (mine().length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      return mine();
    };
    const [snap, reject] = await answers(2);
    assert.equal(snap.body, 'market_data_snapshot_full_refresh');
    const rj = reject.market_data_request_reject as { md_req_id: string; reject_code: number; retry_after: number; text: string };
    assert.deepEqual([rj.md_req_id, rj.reject_code, Number(rj.retry_after)], ['too-big', RejectReason.RATE_LIMITED, T0 + 60 * S]);
    assert.match(rj.text, /request weight 5925 \+ 250 over the limit 6000 per 1M/);
    // REST from the same address sees the md request's weight
    const rest = await fetch(`${s.url}/api/v1/depth/BTC-USD`);
    assert.equal(rest.headers.get('x-mbx-used-weight-1m'), '5930');
  } finally {
    ws.terminate();
    await s.close();
  }
});

test('SDK: a MarketDataClient whose address used its weight fails with business_reject and hears when to retry', async () => {
  const now = T0 + 30 * S;
  const s = await startServer({ config: profileConfig('crypto-spot'), adminToken: 'admin', clock: new Clock(() => now) });
  try {
    for (let i = 0; i < 24; i++) assert.equal((await fetch(`${s.url}/api/v1/depth/BTC-USD?levels=5000`)).status, 200);
    const md = new MarketDataClient(s.url, 'BTC-USD', { reconnect: false });
    const heard: [string, number][] = [];
    md.on('subscriptionRejected', (text, retryAfter) => heard.push([text, retryAfter]));
    await assert.rejects(md.connect(), (e: unknown) => e instanceof ClientError && e.code === 'business_reject' && /request weight 6000 \+ 250/.test(e.message));
    assert.deepEqual(heard.map(([, t]) => t), [T0 + 60 * S]);
    md.close();
  } finally {
    await s.close();
  }
});
