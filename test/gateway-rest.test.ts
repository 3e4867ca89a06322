// The REST API, /health and /metrics over a real socket, with the built-in
// default configuration (BTC-USD, ETH-USD, ACME and the demo accounts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../gateway/index.ts';
import { defaultConfig } from '../gateway/config.ts';
import { decodeEnvelope, encodeEnvelope, EnvelopeType, type Envelope } from '../gateway/wire.ts';
import type { Message } from 'protobufjs';
import { RejectReason } from '../engine/types.ts';
import { restReport } from '../gateway/rest-format.ts';
import { FILLS_KEPT, FINISHED_ORDERS_KEPT, History } from '../gateway/rest-history.ts';
import { withoutEffectiveTime } from './client-test-helpers.ts';

const ADMIN = 'test-admin-token';
const MAKER = 'demo-maker-1';
const MAKER2 = 'demo-maker-2';
const TAKER = 'demo-taker';
const BTC = 'BTC-USD';

const REJECT_NAME: Record<number, string> = Object.fromEntries(Object.entries(RejectReason).map(([name, n]) => [n, name]));

type Json = Record<string, unknown>;
interface Res { status: number; body: Json; text: string; type: string }

interface Call { key?: string; admin?: string; body?: unknown; raw?: string; contentType?: string }

async function call(s: RunningServer, method: string, path: string, c: Call = {}): Promise<Res> {
  const headers: Record<string, string> = {};
  if (c.key !== undefined) headers['x-api-key'] = c.key;
  if (c.admin !== undefined) headers['x-admin-token'] = c.admin;
  let payload: string | undefined = c.raw;
  if (c.body !== undefined) payload = JSON.stringify(c.body);
  if (payload !== undefined) headers['content-type'] = c.contentType ?? 'application/json';
  const r = await fetch(s.url + path, { method, headers, body: payload });
  const text = await r.text();
  const type = r.headers.get('content-type') ?? '';
  return { status: r.status, text, type, body: type.includes('json') ? withoutEffectiveTime(method, path, r.status, JSON.parse(text) as Json) : {} };
}

const order = (s: RunningServer, key: string, body: Json): Promise<Res> => call(s, 'POST', '/api/v1/orders', { key, body });

/** A wire NewOrderSingle's fields as a REST body in the integer form (price_units, order_qty_units). */
const unitsBody = ({ price, order_qty: qty, ...rest }: Json): Json => ({
  ...rest, ...(price === undefined ? {} : { price_units: price }), ...(qty === undefined ? {} : { order_qty_units: qty }),
});

let nextId = 0;
/** A GTC limit order body, price and quantity in instrument units (the integer form). */
const limit = (side: 1 | 2, price: number, qty: number, extra: Json = {}): Json =>
  ({ cl_ord_id: `c${++nextId}`, symbol: BTC, side, ord_type: 2, price_units: price, order_qty_units: qty, ...extra });

async function withServer(fn: (s: RunningServer) => Promise<void>, config = defaultConfig()): Promise<void> {
  // ids from 1 (idEpoch 0), so the assertions can name them
  const s = await startServer({ config, adminToken: ADMIN, idEpoch: 0 });
  try { await fn(s); } finally { await s.close(); }
}

/** A minimal /ws/trade client: logs on, sends NewOrderSingles, takes reports by cl_ord_id in arrival order. */
class Trader {
  private readonly got: Envelope[] = [];
  private seq = 1;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d: Buffer) => {
      const r = decodeEnvelope(d);
      if (r.ok) this.got.push(r.env);
    });
  }
  static async logon(s: RunningServer, apiKey: string): Promise<Trader> {
    const ws = new WebSocket(s.url.replace('http', 'ws') + '/ws/trade');
    await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
    const t = new Trader(ws);
    t.send('logon', { api_key: apiKey, reset_seq_num: true });
    await t.waitFor((e) => e.body === 'logon');
    return t;
  }
  send(body: string, msg: Json): void {
    this.ws.send(encodeEnvelope({ msg_seq_num: this.seq++, sending_time_us: 0, [body]: msg }));
  }
  async report(clOrdId: string): Promise<Json> {
    const e = await this.waitFor((x) => x.body === 'execution_report' && (x.execution_report as Json).cl_ord_id === clOrdId);
    // proto3 leaves default values off the wire: compare with every field present, as REST shows it
    return (EnvelopeType.toObject(e as unknown as Message, { defaults: true }) as Json).execution_report as Json;
  }
  private async waitFor(pred: (e: Envelope) => boolean): Promise<Envelope> {
    const deadline = Date.now() + 2000;
    for (;;) {
      const i = this.got.findIndex(pred);
      if (i >= 0) return this.got.splice(i, 1)[0];
      if (Date.now() > deadline) throw new Error(`timeout; got ${this.got.map((e) => e.body).join(',')}`);
      await new Promise((res) => setTimeout(res, 5));
    }
  }
}

/** Polls until `fn` returns true (state that follows a socket close is asynchronous). */
async function eventually(fn: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((res) => setTimeout(res, 10));
  }
}

// ---- reference and market data ----

test('GET /instruments lists every instrument with scales, tick table, limits and fees', () => withServer(async (s) => {
  const r = await call(s, 'GET', '/api/v1/instruments');
  assert.equal(r.status, 200);
  const list = r.body as unknown as Json[];
  assert.deepEqual(list.map((i) => i.symbol), ['BTC-USD', 'ETH-USD', 'ACME']);
  const [btc, , acme] = list;
  // scales as integers; prices, quantities and money as decimal strings in the instrument's units
  assert.deepEqual(
    [btc.price_scale, btc.qty_scale, btc.tick_table, btc.lot, btc.min_qty, btc.max_qty, btc.maker_fee_bp, btc.taker_fee_bp, btc.trading_phase],
    [1, 4, [{ from_price: '0.0', tick: '0.1' }], '0.0001', '0.0001', '100.0000', -1, 2, 1],
  );
  // MiFID II RTS 11 Annex, liquidity band 6
  assert.deepEqual(acme.tick_table, [
    ['0.0000', '0.0001'], ['1.0000', '0.0002'], ['2.0000', '0.0005'], ['5.0000', '0.0010'], ['10.0000', '0.0020'], ['20.0000', '0.0050'],
    ['50.0000', '0.0100'], ['100.0000', '0.0200'], ['200.0000', '0.0500'], ['500.0000', '0.1000'], ['1000.0000', '0.2000'],
  ].map(([from_price, tick]) => ({ from_price, tick })));
  assert.deepEqual([acme.min_notional, acme.max_position, acme.min_price, acme.market_remainder], ['1.000000', '250000', '0.0001', 'cancel']);
}));

test('GET /depth: best first, levels limit, update id; bad levels 400, unknown symbol 404', () => withServer(async (s) => {
  for (const [side, price] of [[1, 999_990], [1, 1_000_000], [1, 999_980], [2, 1_000_010], [2, 1_000_030]] as const) {
    assert.equal((await order(s, MAKER, limit(side, price, 100))).status, 200);
  }
  assert.equal((await order(s, MAKER2, limit(1, 1_000_000, 50))).status, 200);
  const d = await call(s, 'GET', `/api/v1/depth/${BTC}?levels=2`);
  assert.equal(d.status, 200);
  assert.deepEqual(d.body, {
    symbol: BTC, last_update_id: s.exchange.updateId(BTC),
    bids: [['100000.0', '0.0150'], ['99999.0', '0.0100']], asks: [['100001.0', '0.0100'], ['100003.0', '0.0100']],
  });
  assert.equal(d.body.last_update_id, 6);
  assert.equal(((await call(s, 'GET', `/api/v1/depth/${BTC}`)).body.bids as unknown[]).length, 3);
  for (const q of ['levels=0', 'levels=5001', 'levels=abc', 'levels=1.5']) {
    const bad = await call(s, 'GET', `/api/v1/depth/${BTC}?${q}`);
    assert.equal(bad.status, 400, q);
    assert.equal(bad.body.code, 'INVALID_REQUEST');
  }
  assert.equal((await call(s, 'GET', `/api/v1/depth/${BTC}?levels=5000`)).status, 200);
  const unknown = await call(s, 'GET', '/api/v1/depth/NOPE');
  assert.deepEqual([unknown.status, unknown.body.code], [404, 'UNKNOWN_SYMBOL']);
}));

test('GET /trades: newest last, limit; bad limit 400, unknown symbol 404', () => withServer(async (s) => {
  await order(s, MAKER, limit(2, 1_000_000, 300));
  await order(s, TAKER, limit(1, 1_000_000, 100, { time_in_force: 3 }));
  await order(s, TAKER, limit(1, 1_000_000, 200, { time_in_force: 3 }));
  const all = await call(s, 'GET', `/api/v1/trades/${BTC}`);
  assert.equal(all.status, 200);
  const trades = all.body.trades as Json[];
  assert.deepEqual(trades.map((t) => [t.trade_id, t.price, t.qty, t.aggressor_side]), [[1, '100000.0', '0.0100', 'BUY'], [2, '100000.0', '0.0200', 'BUY']]);
  const last = await call(s, 'GET', `/api/v1/trades/${BTC}?limit=1`);
  assert.deepEqual((last.body.trades as Json[]).map((t) => t.trade_id), [2]);
  assert.equal((await call(s, 'GET', `/api/v1/trades/${BTC}?limit=0`)).status, 400);
  assert.equal((await call(s, 'GET', `/api/v1/trades/${BTC}?limit=1001`)).status, 400);
  assert.equal((await call(s, 'GET', '/api/v1/trades/NOPE')).status, 404);
}));

// ---- authenticated ----

test('missing or unknown x-api-key is 401 on every account route, before the body is looked at', () => withServer(async (s) => {
  for (const key of [undefined, 'not-a-key']) {
    for (const [method, path, body] of [['GET', '/api/v1/account', undefined], ['POST', '/api/v1/orders', { junk: true }], ['DELETE', `/api/v1/orders/1?symbol=${BTC}`, undefined]] as const) {
      const r = await call(s, method, path, { key, body });
      assert.deepEqual([r.status, r.body.code], [401, 'UNAUTHORIZED'], `${method} ${path} key=${key}`);
      assert.equal(typeof r.body.message, 'string');
    }
  }
}));

test('POST /orders: an accepted order answers 200 with its execution reports', () => withServer(async (s) => {
  const r = await order(s, MAKER, limit(1, 1_000_000, 10, { cl_ord_id: 'bid-1', post_only: true }));
  assert.equal(r.status, 200);
  assert.deepEqual([r.body.order_id, r.body.cl_ord_id, r.body.ord_status], [1, 'bid-1', 'NEW']);
  const [er] = r.body.execution_reports as Json[];
  assert.deepEqual([er.exec_type, er.ord_status, er.side, er.price, er.order_qty, er.leaves_qty], ['NEW', 'NEW', 'BUY', '100000.0', '0.0010', '0.0010']);
  // an IOC with nothing to trade against is accepted, then expires in the same call
  const ioc = await order(s, TAKER, limit(2, 1_000_010, 10, { time_in_force: 3 }));
  assert.equal(ioc.status, 200);
  assert.deepEqual((ioc.body.execution_reports as Json[]).map((e) => e.exec_type), ['NEW', 'EXPIRED']);
  assert.equal(ioc.body.ord_status, 'EXPIRED');
}));

test('POST /orders rejects are the engine\'s, identical to /ws/trade\'s (400, code = RejectCode name)', () => withServer(async (s) => {
  // state both accounts share: an ask from maker-2 to post into, resting ACME bids near the position limit, a live cl_ord_id
  assert.equal((await order(s, MAKER2, limit(2, 1_000_000, 50))).status, 200);
  const ws = await Trader.logon(s, TAKER);
  for (const key of [MAKER, 'ws']) {
    for (const o of [{ cl_ord_id: 'dup' }, { cl_ord_id: 'big1', symbol: 'ACME', price: 100_0000 }, { cl_ord_id: 'big2', symbol: 'ACME', price: 100_0000 }]) {
      const body = { symbol: BTC, side: 1, ord_type: 2, price: 900_000, order_qty: 100_000, ...o };
      if (key === 'ws') {
        ws.send('new_order_single', body);
        assert.equal((await ws.report(o.cl_ord_id)).exec_type, 1);
      } else assert.equal((await order(s, key, unitsBody(body))).status, 200);
    }
  }
  const base = { symbol: BTC, side: 1, ord_type: 2, price: 900_000, order_qty: 10 };
  const cases: [number, Json][] = [
    [1, { symbol: 'NOPE' }],
    [3, { side: 0 }],
    [3, { side: 3 }],
    [3, { ord_type: 7 }],
    [3, { time_in_force: 9 }],
    [3, { stp_mode: 9 }],
    [3, { cl_ord_id: 'x'.repeat(65) }],
    [3, { ord_type: 1, time_in_force: 1 }],
    [4, { symbol: 'ACME', price: 10_0001 }],
    [5, { price: 0 }],
    [5, { price: 10_000_001 }],
    [7, { order_qty: 0 }],
    [7, { order_qty: 1_000_001 }],
    [8, { symbol: 'ACME', price: 5000, order_qty: 1 }],
    [9, { cl_ord_id: 'dup' }],
    [11, { price: 1_000_000, post_only: true }],
    [12, { price: 1_000_000, order_qty: 51, time_in_force: 4 }],
    [13, { symbol: 'ETH-USD', ord_type: 1 }],
    [14, { time_in_force: 6, expire_time: 1 }],
    [16, { symbol: 'ACME', price: 100_0000, order_qty: 100_000 }],
  ];
  for (const [i, [expected, fields]] of cases.entries()) {
    const body = { ...base, cl_ord_id: `r${i}`, ...fields };
    const rest = await order(s, MAKER, unitsBody(body));
    ws.send('new_order_single', body);
    const viaWs = await ws.report(body.cl_ord_id.slice(0, 64)); // a reject echoes at most 64 characters
    const what = JSON.stringify(fields);
    assert.equal(rest.status, 400, what);
    assert.deepEqual([rest.body.reject_code, rest.body.code], [expected, REJECT_NAME[expected]], what);
    const [restEr] = rest.body.execution_reports as Json[];
    // ids and times differ between the two calls; the engine time also appears in the GTD reject text
    const noTime = (text: unknown): string => String(text).replace(/\d{13,}/g, '<time>');
    const strip = ({ exec_id: _e, transact_time: _t, text, ...er }: Json): Json => ({ ...er, text: noTime(text) });
    // The wire message has every field (defaults included); REST omits the trade-only ones, which must be defaults here.
    // REST shows the same report in its units and names.
    const inst = s.exchange.instrument(String(body.symbol));
    const wire = strip(restReport(viaWs, inst));
    const json = strip(restEr);
    for (const k of Object.keys(wire)) if (!(k in json)) assert.ok(viaWs[k] === 0 || viaWs[k] === '', `${what}: ${k} = ${String(viaWs[k])}`);
    assert.deepEqual(json, Object.fromEntries(Object.keys(json).map((k) => [k, wire[k]])), what);
    assert.deepEqual([noTime(rest.body.message), rest.body.ord_rej_reason], [noTime(wire.text), viaWs.ord_rej_reason], what);
  }
  ws.ws.close();
}));

test('POST /orders bad input: types, unknown fields, JSON, size, media type → clean 4xx; the server keeps serving', () => withServer(async (s) => {
  const good = limit(1, 1_000_000, 1);
  const cases: [string, Call, number, string][] = [
    ['string units', { body: { ...good, order_qty_units: '5' } }, 400, 'INVALID_REQUEST'],
    ['boolean price', { body: { ...good, price_units: true } }, 400, 'INVALID_REQUEST'],
    ['fractional units', { body: { ...good, price_units: 1.5 } }, 400, 'INVALID_REQUEST'],
    ['a number as a decimal price', { body: { ...good, price_units: undefined, price: 100000.5 } }, 400, 'INVALID_REQUEST'],
    ['too many decimals', { body: { ...good, price_units: undefined, price: '100000.55' } }, 400, 'INVALID_FIELD'],
    ['not a decimal', { body: { ...good, order_qty_units: undefined, order_qty: '1e3' } }, 400, 'INVALID_FIELD'],
    ['price and price_units', { body: { ...good, price: '100000.5' } }, 400, 'INVALID_FIELD'],
    ['unknown side name', { body: { ...good, side: 'LONG' } }, 400, 'INVALID_FIELD'],
    ['a number string as side', { body: { ...good, side: '1' } }, 400, 'INVALID_FIELD'],
    ['null side', { body: { ...good, side: null } }, 400, 'INVALID_REQUEST'],
    ['numeric cl_ord_id', { body: { ...good, cl_ord_id: 5 } }, 400, 'INVALID_REQUEST'],
    ['missing cl_ord_id', { body: { symbol: BTC, side: 1, price: 1, order_qty: 1 } }, 400, 'INVALID_REQUEST'],
    ['unknown field', { body: { ...good, qty: 5 } }, 400, 'INVALID_REQUEST'],
    ['array body', { body: [good] }, 400, 'INVALID_REQUEST'],
    ['bad JSON', { raw: '{"cl_ord_id": ' }, 400, 'INVALID_JSON'],
    ['empty JSON', { raw: '' }, 400, 'INVALID_JSON'],
    ['text body', { raw: 'buy 1', contentType: 'text/plain' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['JSON as a form', { raw: JSON.stringify(good), contentType: 'application/x-www-form-urlencoded' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['xml body', { raw: '<order/>', contentType: 'application/xml' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['huge body', { body: { ...good, cl_ord_id: 'x'.repeat(70 * 1024) } }, 413, 'PAYLOAD_TOO_LARGE'],
  ];
  for (const [what, c, status, code] of cases) {
    const r = await call(s, 'POST', '/api/v1/orders', { key: MAKER, ...c });
    assert.deepEqual([r.status, r.body.code], [status, code], `${what}: ${r.text}`);
    assert.equal(typeof r.body.message, 'string', what);
  }
  const unknownField = await order(s, MAKER, { ...good, qty: 5 });
  assert.deepEqual([unknownField.body.field, unknownField.body.message], ['qty', "body: unknown field 'qty'"]);
  // errors name the wire field and its unit
  const messages: [Json, string, RegExp][] = [
    [{ price_units: undefined, price: 100000.5 }, 'price', /^body: price: the limit price as a decimal string in the quote currency, e\.g\. "100000\.5"/],
    [{ price_units: undefined, price: '100000.55' }, 'price', /^price: a decimal string such as "12\.5", at most 1 decimal for BTC-USD \(price_scale 1\); got "100000\.55"$/],
    [{ order_qty_units: undefined, order_qty: '0.00001' }, 'order_qty', /^order_qty: .* at most 4 decimals for BTC-USD \(qty_scale 4\)/],
    [{ side: 'LONG' }, 'side', /^side: one of BUY, SELL \(or the wire number\), got "LONG"$/],
    [{ time_in_force: 'DAY' }, 'time_in_force', /^time_in_force: one of GTC, AT_THE_OPENING, IOC, FOK, GTD, AT_THE_CLOSE/],
    [{ cl_ord_id: undefined }, 'cl_ord_id', /^body: cl_ord_id is required: /],
    [{ expire_time: '2026-01-01' }, 'expire_time', /µs since the epoch/],
  ];
  for (const [fields, field, message] of messages) {
    const r = await order(s, MAKER, { ...good, ...fields });
    assert.equal(r.body.field, field, JSON.stringify(fields));
    assert.match(r.body.message as string, message);
  }
  const noType = await fetch(`${s.url}/api/v1/orders`, { method: 'POST', headers: { 'x-api-key': MAKER }, body: new Uint8Array(Buffer.from(JSON.stringify(good))) });
  const noTypeBody = await noType.json() as Json;
  assert.deepEqual([noType.status, noTypeBody.code], [415, 'UNSUPPORTED_MEDIA_TYPE']);
  assert.equal(noTypeBody.message, 'the body must be JSON sent with the header "content-type: application/json" (got no content-type)');
  const nf = await call(s, 'GET', '/api/v1/nothing-here');
  assert.deepEqual([nf.status, nf.body.code], [404, 'NOT_FOUND']);
  assert.equal(s.exchange.engine.openOrders(1).length, 0); // nothing reached the engine
  assert.equal((await order(s, MAKER, good)).status, 200);
  assert.equal((await call(s, 'GET', '/health')).body.status, 'ok');
}));

test('a cross between two accounts: fills, fees and positions agree in both GET /account views', () => withServer(async (s) => {
  const ask = await order(s, MAKER, limit(2, 1_000_000, 5_000, { cl_ord_id: 'ask' }));
  const askId = ask.body.order_id;
  // the taker buys 0.3 BTC at 100000.0: notional 30000 USD, taker fee 2 bp = 6 USD; maker-1 is in the demo
  // maker programme (btc-mm), so its rebate is the enhanced 1.5 bp = 4.5 USD instead of the instrument's 1 bp
  const buy = await order(s, TAKER, limit(1, 1_000_000, 3_000, { cl_ord_id: 'buy', time_in_force: 3 }));
  assert.equal(buy.status, 200);
  assert.equal(buy.body.ord_status, 'FILLED');
  const ers = buy.body.execution_reports as Json[];
  assert.deepEqual(ers.map((e) => e.exec_type), ['NEW', 'TRADE']);
  assert.ok(ers.every((e) => e.order_id === buy.body.order_id), 'only the taker\'s own reports');
  assert.deepEqual([ers[1].last_px, ers[1].last_qty, ers[1].liquidity, ers[1].fee, ers[1].cum_quote_qty], ['100000.0', '0.3000', 'TAKER', '6.0000000', '30000.0000000']);

  const [maker, taker] = await Promise.all([MAKER, TAKER].map((key) => call(s, 'GET', '/api/v1/account', { key })));
  assert.deepEqual([maker.status, maker.body.account_id, maker.body.name], [200, '1', 'maker-1']);
  assert.deepEqual([taker.body.account_id, taker.body.name], ['3', 'taker']);
  const pos = (r: Res): Json => (r.body.positions as Json[]).find((p) => p.symbol === BTC) as Json;
  const m = pos(maker);
  const t = pos(taker);
  assert.deepEqual([m.position, t.position], ['-0.3000', '0.3000']);
  assert.deepEqual([t.fees_paid, t.rebates_received, t.cash], ['6.0000000', '0.0000000', '-30006.0000000']);
  assert.deepEqual([m.fees_paid, m.rebates_received, m.cash], ['0.0000000', '4.5000000', '30004.5000000']);
  assert.deepEqual(maker.body.settlements, [], 'no programme window has ended');
  assert.deepEqual([m.volume_qty, t.volume_qty, m.volume_notional, t.volume_notional], ['0.3000', '0.3000', '30000.0000000', '30000.0000000']);
  assert.deepEqual([t.cost_basis, t.realised_pnl, t.cash_scale], ['30000.0000000', '0.0000000', 7]);
  assert.equal((taker.body.open_orders as Json[]).length, 0);
  const [rest] = maker.body.open_orders as Json[];
  assert.deepEqual(
    [rest.order_id, rest.cl_ord_id, rest.symbol, rest.side, rest.price, rest.order_qty, rest.leaves_qty, rest.cum_qty, rest.avg_px, rest.ord_type, rest.time_in_force],
    [askId, 'ask', BTC, 'SELL', '100000.0', '0.5000', '0.2000', '0.3000', '100000.0', 'LIMIT', 'GTC'],
  );
  // the effective fees (maker-1's programme rate) and limits per instrument
  const terms = (r: Res): Json => (r.body.instruments as Json[]).find((i) => i.symbol === BTC) as Json;
  assert.deepEqual([terms(maker).maker_fee_bp, terms(maker).taker_fee_bp, terms(taker).maker_fee_bp], [-1.5, 2, -1]);
  assert.equal(maker.body.max_open_orders, 100_000);
  const acme = (taker.body.instruments as Json[]).find((i) => i.symbol === 'ACME') as Json;
  assert.deepEqual(acme, {
    symbol: 'ACME', maker_fee_bp: -0.5, taker_fee_bp: 1.5, max_position: '250000',
    risk_limits: { max_order_qty: null, max_order_notional: null, max_long: null, max_short: null, max_gross_notional: null },
  });
}));

test('DELETE /orders/:id cancels the caller\'s order; unknown or another account\'s order is 404', () => withServer(async (s) => {
  const mine = (await order(s, MAKER, limit(1, 999_000, 10, { cl_ord_id: 'mine' }))).body.order_id as number;
  const theirs = (await order(s, MAKER2, limit(1, 999_000, 10))).body.order_id as number;
  const stolen = await call(s, 'DELETE', `/api/v1/orders/${theirs}?symbol=${BTC}`, { key: MAKER });
  const missing = await call(s, 'DELETE', `/api/v1/orders/999?symbol=${BTC}`, { key: MAKER });
  for (const r of [stolen, missing]) {
    assert.deepEqual([r.status, r.body.code, r.body.reject_code], [404, 'UNKNOWN_ORDER', 10]);
    assert.deepEqual([(r.body.order_cancel_reject as Json).cxl_rej_reason, (r.body.order_cancel_reject as Json).reject_code], [1, 'UNKNOWN_ORDER']);
  }
  assert.deepEqual(stolen.body.message, missing.body.message, 'another account\'s order looks exactly like a missing one');
  assert.ok(s.exchange.engine.order(theirs), 'their order is untouched');

  const ok = await call(s, 'DELETE', `/api/v1/orders/${mine}?symbol=${BTC}`, { key: MAKER });
  assert.equal(ok.status, 200);
  assert.deepEqual([ok.body.order_id, ok.body.cl_ord_id, ok.body.ord_status], [mine, 'mine', 'CANCELED']);
  assert.deepEqual((ok.body.execution_reports as Json[]).map((e) => [e.exec_type, e.cancel_reason]), [['CANCELED', 'USER']]);
  assert.equal((await call(s, 'DELETE', `/api/v1/orders/${mine}?symbol=${BTC}`, { key: MAKER })).status, 404);
  assert.equal((await call(s, 'DELETE', `/api/v1/orders/${theirs}?symbol=ETH-USD`, { key: MAKER2 })).status, 404);
  assert.equal((await call(s, 'DELETE', `/api/v1/orders/${theirs}?symbol=NOPE`, { key: MAKER2 })).body.code, 'UNKNOWN_SYMBOL');
  // without a symbol: the order's own; another account's order is unknown all the same
  assert.deepEqual([(await call(s, 'DELETE', `/api/v1/orders/${theirs}`, { key: MAKER })).status, (await call(s, 'DELETE', '/api/v1/orders/999', { key: MAKER })).body.code], [404, 'UNKNOWN_ORDER']);
  for (const path of [`/api/v1/orders/abc?symbol=${BTC}`, `/api/v1/orders/0?symbol=${BTC}`, `/api/v1/orders/${theirs}?symbol=`]) {
    const r = await call(s, 'DELETE', path, { key: MAKER2 });
    assert.deepEqual([r.status, r.body.code], [400, 'INVALID_REQUEST'], path);
  }
}));

test('POST /orders in decimals and enum names; unit rejects speak decimals and name the field', () => withServer(async (s) => {
  const r = await order(s, MAKER, { cl_ord_id: 'd1', symbol: BTC, side: 'BUY', ord_type: 'LIMIT', time_in_force: 'gtc', price: '99990.5', order_qty: '0.0100' });
  assert.equal(r.status, 200, r.text);
  const live = s.exchange.engine.order(r.body.order_id as number);
  assert.deepEqual([live?.side, live?.price, live?.qty], [1, 999_905, 100], 'decimals reach the engine in units');
  assert.deepEqual((await order(s, MAKER, { cl_ord_id: 'd2', symbol: BTC, side: 2, ord_type: 2, price: '100010', order_qty: '1' })).body.ord_status, 'NEW');
  const rejects: [Json, number, string, string, string][] = [
    [{ symbol: 'ACME', price: '10.0001', order_qty: '10' }, 400, 'PRICE_OFF_TICK', 'price', 'price 10.0001 is not on the tick grid (tick 0.0020 at this price)'],
    [{ price: '2000000.0' }, 400, 'PRICE_OUT_OF_RANGE', 'price', 'price 2000000.0 outside [0.1, 1000000.0]'],
    [{ order_qty: '200' }, 400, 'QTY_OUT_OF_RANGE', 'order_qty', 'quantity 200.0000 outside [0.0001, 100.0000]'],
    [{ ord_type: 'MARKET', time_in_force: 'GTC' }, 400, 'INVALID_FIELD', 'time_in_force', 'invalid field time_in_force: a market order is IOC, FOK, AT_THE_OPENING or AT_THE_CLOSE'],
    [{ cl_ord_id: 'd1' }, 400, 'DUPLICATE_CL_ORD_ID', 'cl_ord_id', 'duplicate client order id among live orders'],
  ];
  for (const [fields, status, code, field, message] of rejects) {
    const body = { cl_ord_id: `x${++nextId}`, symbol: BTC, side: 'BUY', price: '99000.0', order_qty: '0.0010', ...fields };
    const x = await order(s, MAKER, body);
    assert.deepEqual([x.status, x.body.code, x.body.field, x.body.message], [status, code, field, message], JSON.stringify(fields));
  }
  // money limits as decimals: an account with risk limits on ACME (cash_scale 6)
  const cfg = defaultConfig();
  cfg.accounts![2].risk = { ACME: { max_order_qty: 50_000, max_order_notional: 5_000_000_000_000 } };
  await withServer(async (s2) => {
    const acme = ((await call(s2, 'GET', '/api/v1/account', { key: TAKER })).body.instruments as Json[]).find((i) => i.symbol === 'ACME');
    assert.deepEqual((acme as Json).risk_limits, { max_order_qty: '50000', max_order_notional: '5000000.000000', max_long: null, max_short: null, max_gross_notional: null });
    const big = await order(s2, TAKER, { cl_ord_id: 'big', symbol: 'ACME', side: 'BUY', price: '150.0000', order_qty: '40000' });
    assert.deepEqual([big.body.code, big.body.message], ['RISK_ORDER_NOTIONAL', 'order notional 6000000.000000 above the account limit 5000000.000000']);
  }, cfg);
}));

test('open orders, order status by order id or cl_ord_id (open and finished), own fills', () => withServer(async (s) => {
  const bid = (await order(s, MAKER, { cl_ord_id: 'b1', symbol: BTC, side: 'BUY', price: '99990.0', order_qty: '0.0100' })).body.order_id as number;
  const ask = (await order(s, MAKER, { cl_ord_id: 'a1', symbol: BTC, side: 'SELL', price: '100010.0', order_qty: '0.0100' })).body.order_id as number;
  await order(s, MAKER, { cl_ord_id: 'e1', symbol: 'ETH-USD', side: 'BUY', price: '3000.00', order_qty: '1.000' });
  await order(s, MAKER2, { cl_ord_id: 'b1', symbol: BTC, side: 'BUY', price: '99980.0', order_qty: '0.0100' });
  const all = await call(s, 'GET', '/api/v1/orders', { key: MAKER });
  assert.deepEqual((all.body.orders as Json[]).map((o) => [o.cl_ord_id, o.symbol, o.side, o.ord_status, o.open]),
    [['b1', BTC, 'BUY', 'NEW', true], ['a1', BTC, 'SELL', 'NEW', true], ['e1', 'ETH-USD', 'BUY', 'NEW', true]]);
  assert.deepEqual(((await call(s, 'GET', '/api/v1/orders?symbol=ETH-USD', { key: MAKER })).body.orders as Json[]).map((o) => o.cl_ord_id), ['e1']);

  // the taker lifts part of the ask: both see their fill
  const lift = await order(s, TAKER, { cl_ord_id: 't1', symbol: BTC, side: 'BUY', time_in_force: 'IOC', price: '100010.0', order_qty: '0.0040' });
  assert.equal(lift.body.ord_status, 'FILLED');
  const byId = await call(s, 'GET', `/api/v1/orders/${ask}`, { key: MAKER });
  const byCl = await call(s, 'GET', '/api/v1/orders/by-cl-ord-id/a1', { key: MAKER });
  assert.deepEqual(byId.body, byCl.body);
  assert.deepEqual([byId.body.ord_status, byId.body.cum_qty, byId.body.leaves_qty, byId.body.avg_px, byId.body.open], ['PARTIALLY_FILLED', '0.0040', '0.0060', '100010.0', true]);
  // a finished order: its last report
  const taker = await call(s, 'GET', `/api/v1/orders/${lift.body.order_id as number}`, { key: TAKER });
  assert.deepEqual([taker.body.ord_status, taker.body.cum_qty, taker.body.open], ['FILLED', '0.0040', false]);
  assert.equal((await call(s, 'GET', '/api/v1/orders/by-cl-ord-id/t1', { key: TAKER })).body.order_id, lift.body.order_id);
  // another account's order, or an unknown one, is 404
  for (const path of [`/api/v1/orders/${bid}`, '/api/v1/orders/999', '/api/v1/orders/by-cl-ord-id/a1']) {
    const r = await call(s, 'GET', path, { key: TAKER });
    assert.deepEqual([r.status, r.body.code], [404, 'UNKNOWN_ORDER'], path);
  }
  assert.equal((await call(s, 'GET', '/api/v1/orders/by-cl-ord-id/b1', { key: MAKER2 })).body.price, '99980.0', 'cl_ord_ids are per account');

  const fills = await call(s, 'GET', '/api/v1/fills', { key: MAKER });
  assert.deepEqual((fills.body.fills as Json[]).map((f) => [f.order_id, f.side, f.last_px, f.last_qty, f.liquidity, f.fee]),
    [[ask, 'SELL', '100010.0', '0.0040', 'MAKER', '-0.0600060']]);
  await order(s, TAKER, { cl_ord_id: 't2', symbol: BTC, side: 'SELL', time_in_force: 'IOC', price: '99990.0', order_qty: '0.0010' });
  const takerFills = (await call(s, 'GET', '/api/v1/fills', { key: TAKER })).body.fills as Json[];
  assert.deepEqual(takerFills.map((f) => f.cl_ord_id), ['t1', 't2'], 'oldest first');
  assert.deepEqual(((await call(s, 'GET', '/api/v1/fills?limit=1', { key: TAKER })).body.fills as Json[]).map((f) => f.cl_ord_id), ['t2']);
  assert.deepEqual(((await call(s, 'GET', '/api/v1/fills?symbol=ETH-USD', { key: TAKER })).body.fills as Json[]), []);
  for (const q of ['limit=0', 'limit=1001']) assert.equal((await call(s, 'GET', `/api/v1/fills?${q}`, { key: TAKER })).status, 400, q);
}));

test('amend (PATCH) by order id or cl_ord_id; mass cancel (DELETE /orders) by symbol and side', () => withServer(async (s) => {
  const id = (await order(s, MAKER, { cl_ord_id: 'q1', symbol: BTC, side: 'BUY', price: '99990.0', order_qty: '0.0100' })).body.order_id as number;
  const up = await call(s, 'PATCH', `/api/v1/orders/${id}`, { key: MAKER, body: { price: '99995.0', cl_ord_id: 'q2' } });
  assert.equal(up.status, 200, up.text);
  assert.deepEqual([up.body.order_id, up.body.cl_ord_id, up.body.ord_status], [id, 'q2', 'NEW']);
  const [rep] = up.body.execution_reports as Json[];
  assert.deepEqual([rep.exec_type, rep.orig_cl_ord_id, rep.price, rep.order_qty], ['REPLACED', 'q1', '99995.0', '0.0100'], 'the quantity is kept');
  const down = await call(s, 'PATCH', '/api/v1/orders/by-cl-ord-id/q2', { key: MAKER, body: { order_qty_units: 50 } });
  assert.deepEqual([(down.body.execution_reports as Json[])[0].order_qty, (down.body.execution_reports as Json[])[0].price], ['0.0050', '99995.0']);
  const offTick = await call(s, 'PATCH', `/api/v1/orders/${id}`, { key: MAKER, body: { price: '99995.05' } });
  assert.deepEqual([offTick.status, offTick.body.code, offTick.body.field], [400, 'INVALID_FIELD', 'price']);
  const outOfRange = await call(s, 'PATCH', `/api/v1/orders/${id}`, { key: MAKER, body: { price: '0.0' } });
  assert.deepEqual([outOfRange.status, outOfRange.body.code, outOfRange.body.message], [400, 'PRICE_OUT_OF_RANGE', 'price 0.0 outside [0.1, 1000000.0]']);
  assert.equal((outOfRange.body.order_cancel_reject as Json).cxl_rej_response_to, 2);
  for (const [path, key] of [[`/api/v1/orders/${id}`, MAKER2], ['/api/v1/orders/by-cl-ord-id/q1', MAKER], ['/api/v1/orders/999', MAKER]] as const) {
    assert.deepEqual((await call(s, 'PATCH', path, { key, body: { price: '99000.0' } })).body.code, 'UNKNOWN_ORDER', path);
  }
  assert.equal((await call(s, 'PATCH', `/api/v1/orders/${id}`, { key: MAKER, body: { qty: 1 } })).status, 400);

  for (const [cl, symbol, side] of [['m1', BTC, 'BUY'], ['m2', BTC, 'SELL'], ['m3', 'ETH-USD', 'BUY']] as const) {
    await order(s, MAKER, { cl_ord_id: cl, symbol, side, price: side === 'BUY' ? '90000.0' : '110000.0', order_qty: '0.0010', ...(symbol === BTC ? {} : { price: '3000.00', order_qty: '1.000' }) });
  }
  const sells = await call(s, 'DELETE', `/api/v1/orders?symbol=${BTC}&side=SELL`, { key: MAKER });
  assert.deepEqual([sells.status, sells.body.total_affected_orders], [200, 1], sells.text);
  const btc = await call(s, 'DELETE', `/api/v1/orders?symbol=${BTC}`, { key: MAKER });
  assert.equal(btc.body.total_affected_orders, 2);
  assert.deepEqual(((await call(s, 'GET', '/api/v1/orders', { key: MAKER })).body.orders as Json[]).map((o) => o.cl_ord_id), ['m3']);
  assert.equal((await call(s, 'DELETE', '/api/v1/orders', { key: MAKER })).body.total_affected_orders, 1);
  assert.deepEqual([(await call(s, 'GET', '/api/v1/orders/by-cl-ord-id/m3', { key: MAKER })).body.cancel_reason], ['MASS_CANCEL']);
  assert.deepEqual((await call(s, 'DELETE', '/api/v1/orders?symbol=NOPE', { key: MAKER })).status, 404);
  assert.deepEqual((await call(s, 'DELETE', '/api/v1/orders?side=UP', { key: MAKER })).body.field, 'side');
  // cancel by cl_ord_id
  await order(s, MAKER, { cl_ord_id: 'c9', symbol: BTC, side: 'BUY', price: '90000.0', order_qty: '0.0010' });
  const c9 = await call(s, 'DELETE', '/api/v1/orders/by-cl-ord-id/c9', { key: MAKER });
  assert.deepEqual([c9.status, c9.body.ord_status], [200, 'CANCELED']);
}));

test('History keeps the latest finished orders and fills of accounts that use REST, bounded', () => {
  let tap: ((account: number, body: string, msg: Json) => void) | undefined;
  const h = new History({ tapReports: (fn: typeof tap) => { tap = fn; return () => {}; } } as never);
  const report = (account: number, i: number): void => tap?.(account, 'execution_report', { order_id: i, cl_ord_id: `c${i}`, exec_type: 6, ord_status: 3, symbol: BTC });
  report(1, 99_999);
  assert.equal(h.finishedOrder(1, 99_999), undefined, 'an account is recorded from its first REST request on');
  h.watch(1);
  for (let i = 1; i <= FINISHED_ORDERS_KEPT + 5; i++) report(1, i);
  tap?.(1, 'execution_report', { order_id: 0, cl_ord_id: 'rej', exec_type: 4, ord_status: 5 });
  assert.equal(h.finishedOrder(1, 5), undefined);
  assert.equal(h.finishedByClOrdId(1, 'c5'), undefined);
  assert.equal(h.finishedOrder(1, 6)?.cl_ord_id, 'c6');
  assert.equal(h.finishedByClOrdId(1, `c${FINISHED_ORDERS_KEPT + 5}`)?.order_id, FINISHED_ORDERS_KEPT + 5);
  assert.equal(h.finishedByClOrdId(1, 'rej'), undefined);
  const fills = h.fills(1, FILLS_KEPT + 10);
  assert.ok(fills.length >= FILLS_KEPT && fills.length < 2 * FILLS_KEPT);
  assert.equal(fills[fills.length - 1].order_id, FINISHED_ORDERS_KEPT + 5);
  assert.deepEqual(h.fills(2, 10), []);
});

// ---- admin ----

test('admin: wrong or missing token is 401; accounts are created with a working key', () => withServer(async (s) => {
  for (const admin of [undefined, 'wrong', `${ADMIN}x`]) {
    const r = await call(s, 'POST', '/api/v1/admin/accounts', { admin, body: { name: 'x' } });
    assert.deepEqual([r.status, r.body.code], [401, 'UNAUTHORIZED']);
  }
  const created = await call(s, 'POST', '/api/v1/admin/accounts', { admin: ADMIN, body: { name: 'bot' } });
  assert.equal(created.status, 201);
  assert.equal(created.body.account_id, '4');
  const key = created.body.api_key as string;
  assert.match(key, /^[0-9a-f]{48}$/);
  const acct = await call(s, 'GET', '/api/v1/account', { key });
  assert.deepEqual([acct.status, acct.body.account_id, acct.body.name], [200, '4', 'bot']);
  const fixed = await call(s, 'POST', '/api/v1/admin/accounts', { admin: ADMIN, body: { name: 'fixed', api_key: 'my-fixed-key-0123456' } });
  assert.deepEqual([fixed.status, fixed.body.api_key], [201, 'my-fixed-key-0123456']);
  const bad: [Json, number, string][] = [
    [{ name: 'fixed2', api_key: 'my-fixed-key-0123456' }, 409, 'CONFLICT'],
    [{ name: 'y', api_key: 'has space in it' }, 400, 'INVALID_FIELD'],
    [{ name: 'x'.repeat(65) }, 400, 'INVALID_FIELD'],
    [{ name: '' }, 400, 'INVALID_FIELD'],
    [{ name: 7 }, 400, 'INVALID_REQUEST'],
    [{}, 400, 'INVALID_REQUEST'],
  ];
  for (const [body, status, code] of bad) {
    const r = await call(s, 'POST', '/api/v1/admin/accounts', { admin: ADMIN, body });
    assert.deepEqual([r.status, r.body.code], [status, code], JSON.stringify(body));
  }
}));

test('admin fee tier changes the fees of the account\'s next fills', () => withServer(async (s) => {
  const tier = await call(s, 'POST', '/api/v1/admin/fee-tiers', { admin: ADMIN, body: { account_id: '3', symbol: BTC, maker_fee_bp: 0, taker_fee_bp: 5 } });
  assert.deepEqual([tier.status, tier.body], [200, { account_id: '3', symbol: BTC, maker_fee_bp: 0, taker_fee_bp: 5 }]);
  await order(s, MAKER, limit(2, 1_000_000, 10_000));
  const buy = await order(s, TAKER, limit(1, 1_000_000, 10_000, { time_in_force: 3 }));
  const fill = (buy.body.execution_reports as Json[]).find((e) => e.exec_type === 'TRADE') as Json;
  // 100000 USD × 5 bp = 50 USD
  assert.equal(fill.fee, '50.0000000');
  const terms = ((await call(s, 'GET', '/api/v1/account', { key: TAKER })).body.instruments as Json[]).find((i) => i.symbol === BTC) as Json;
  assert.deepEqual([terms.maker_fee_bp, terms.taker_fee_bp], [0, 5], '/account shows the tier');
  const bad: [Json, number, string][] = [
    [{ account_id: 99, maker_fee_bp: 0, taker_fee_bp: 1 }, 404, 'UNKNOWN_ACCOUNT'],
    [{ account_id: 1, symbol: 'NOPE', maker_fee_bp: 0, taker_fee_bp: 1 }, 404, 'UNKNOWN_SYMBOL'],
    [{ account_id: 1, maker_fee_bp: 0.001, taker_fee_bp: 1 }, 400, 'INVALID_FIELD'],
    [{ account_id: '01', maker_fee_bp: 0, taker_fee_bp: 1 }, 400, 'INVALID_REQUEST'],
    [{ account_id: 1, maker_fee_bp: '1', taker_fee_bp: 1 }, 400, 'INVALID_REQUEST'],
  ];
  for (const [body, status, code] of bad) {
    const r = await call(s, 'POST', '/api/v1/admin/fee-tiers', { admin: ADMIN, body });
    assert.deepEqual([r.status, r.body.code], [status, code], JSON.stringify(body));
  }
}));

test('admin halt: IOC orders reject with INSTRUMENT_HALTED (17), limits wait, cancels still work; resume trades again', () => withServer(async (s) => {
  const resting = (await order(s, MAKER, limit(1, 999_000, 10))).body.order_id as number;
  const halt = await call(s, 'POST', `/api/v1/admin/instruments/${BTC}/halt`, { admin: ADMIN, body: { text: 'maintenance' } });
  assert.deepEqual([halt.status, halt.body], [200, { symbol: BTC, trading_phase: 2, phase: 'HALTED', changed: true, halt_end_time: 0 }]);
  assert.equal((await call(s, 'POST', `/api/v1/admin/instruments/${BTC}/halt`, { admin: ADMIN })).body.changed, false);
  const instruments = (await call(s, 'GET', '/api/v1/instruments')).body as unknown as Json[];
  assert.deepEqual([instruments[0].trading_phase, instruments[0].phase], [2, 'HALTED']);
  const rejected = await order(s, TAKER, limit(1, 999_000, 10, { time_in_force: 3 }));
  assert.deepEqual([rejected.status, rejected.body.code, rejected.body.reject_code, rejected.body.ord_rej_reason], [400, 'INSTRUMENT_HALTED', 17, 2]);
  const queued = await order(s, TAKER, limit(1, 999_000, 10));
  assert.deepEqual([queued.status, queued.body.ord_status], [200, 'NEW'], 'a limit order is collected for the reopening auction');
  assert.equal((await order(s, TAKER, { ...limit(1, 10_000, 1), symbol: 'ETH-USD' })).status, 200, 'other instruments trade on');
  assert.equal((await call(s, 'DELETE', `/api/v1/orders/${resting}?symbol=${BTC}`, { key: MAKER })).status, 200);
  const resume = await call(s, 'POST', `/api/v1/admin/instruments/${BTC}/resume`, { admin: ADMIN });
  assert.deepEqual([resume.status, resume.body], [200, { symbol: BTC, trading_phase: 1, phase: 'CONTINUOUS', changed: true, halt_end_time: 0 }]);
  assert.equal((await order(s, TAKER, limit(1, 999_000, 10, { time_in_force: 3 }))).status, 200);
  assert.equal((await call(s, 'POST', '/api/v1/admin/instruments/NOPE/halt', { admin: ADMIN })).status, 404);
  assert.equal((await call(s, 'POST', `/api/v1/admin/instruments/${BTC}/halt`, { admin: ADMIN, body: { text: 1 } })).status, 400);
  assert.equal((await call(s, 'POST', `/api/v1/admin/instruments/${BTC}/halt`)).status, 401);
}));

// ---- operations ----

test('/health counts trade and market-data sessions', () => withServer(async (s) => {
  const health = async (): Promise<Json> => (await call(s, 'GET', '/health')).body;
  const h = await health();
  assert.deepEqual([h.status, h.sessions], ['ok', { trade: 0, md: 0 }]);
  assert.equal(typeof h.uptime_s, 'number');
  const t = await Trader.logon(s, MAKER);
  const md = new WebSocket(s.url.replace('http', 'ws') + '/ws/md');
  await new Promise((res, rej) => { md.once('open', res); md.once('error', rej); });
  assert.deepEqual((await health()).sessions, { trade: 1, md: 1 });
  t.ws.close();
  md.close();
  await eventually(async () => JSON.stringify((await health()).sessions) === JSON.stringify({ trade: 0, md: 0 }));
}));

test('/metrics: Prometheus text with default Node metrics and the exchange counters (REST and /ws/trade alike)', () => withServer(async (s) => {
  await order(s, MAKER, limit(2, 1_000_000, 10));
  await order(s, TAKER, limit(1, 1_000_000, 10, { time_in_force: 3 }));
  await order(s, TAKER, limit(1, 0, 10));
  const ws = await Trader.logon(s, MAKER2);
  ws.send('new_order_single', { cl_ord_id: 'w1', symbol: BTC, side: 1, ord_type: 2, price: 990_000, order_qty: 1 });
  await ws.report('w1');
  await call(s, 'POST', `/api/v1/admin/instruments/${BTC}/halt`, { admin: ADMIN });
  await order(s, TAKER, limit(1, 1_000_000, 10, { time_in_force: 3 }));
  await call(s, 'DELETE', `/api/v1/orders/77?symbol=${BTC}`, { key: MAKER });
  const created = await call(s, 'POST', '/api/v1/admin/accounts', { admin: ADMIN, body: { name: 'late' } });
  await order(s, created.body.api_key as string, { ...limit(1, 10_000, 1), symbol: 'ETH-USD' });

  const r = await call(s, 'GET', '/metrics');
  assert.equal(r.status, 200);
  assert.match(r.type, /^text\/plain/);
  const value = (series: string): number => {
    const line = r.text.split('\n').find((l) => l.startsWith(series + ' '));
    assert.ok(line, `${series} missing`);
    return Number(line.split(' ')[1]);
  };
  assert.equal(value('makerbench_orders_received_total'), 6);
  assert.equal(value('makerbench_execution_reports_total{exec_type="NEW"}'), 4);
  assert.equal(value('makerbench_execution_reports_total{exec_type="TRADE"}'), 2);
  assert.equal(value('makerbench_execution_reports_total{exec_type="REJECTED"}'), 2);
  assert.equal(value('makerbench_rejects_total{reject_code="PRICE_OUT_OF_RANGE",request="new_order"}'), 1);
  assert.equal(value('makerbench_rejects_total{reject_code="INSTRUMENT_HALTED",request="new_order"}'), 1);
  assert.equal(value('makerbench_rejects_total{reject_code="UNKNOWN_ORDER",request="cancel"}'), 1);
  assert.equal(value('makerbench_trades_total{symbol="BTC-USD"}'), 1);
  assert.equal(value('makerbench_trade_sessions'), 1);
  assert.equal(value('makerbench_md_sessions'), 0);
  assert.equal(value('makerbench_open_orders{symbol="BTC-USD"}'), 1);
  assert.equal(value('makerbench_open_orders{symbol="ETH-USD"}'), 1);
  assert.equal(value('makerbench_http_requests_total{method="POST",route="/api/v1/orders",status="400"}'), 2);
  assert.equal(value('makerbench_trading_phase{symbol="BTC-USD"}'), 2);
  assert.equal(value('makerbench_trading_phase{symbol="ETH-USD"}'), 1);
  assert.equal(value('makerbench_phase_changes_total{symbol="BTC-USD",phase="HALTED",cause="ADMIN"}'), 1);
  assert.ok(value('process_cpu_user_seconds_total') >= 0);
  assert.match(r.text, /^nodejs_eventloop_lag_seconds /m);
  ws.ws.close();
}));
