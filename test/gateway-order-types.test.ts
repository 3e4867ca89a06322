// The order types over REST (decimal strings and enum names) and /ws/trade
// (wire numbers): iceberg, sliding post-only, stop-limit and midpoint peg,
// with the built-in configuration (BTC-USD: tick 0.1, lot 0.0001).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../gateway/index.ts';
import { defaultConfig } from '../gateway/config.ts';
import { decodeEnvelope, encodeEnvelope, type Envelope } from '../gateway/wire.ts';

type Json = Record<string, unknown>;
const BTC = 'BTC-USD';

async function withServer(fn: (s: RunningServer) => Promise<void>): Promise<void> {
  const s = await startServer({ config: defaultConfig(), adminToken: 'admin', idEpoch: 0 });
  try { await fn(s); } finally { await s.close(); }
}

async function post(s: RunningServer, key: string, body: Json): Promise<{ status: number; body: Json }> {
  const r = await fetch(`${s.url}/api/v1/orders`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as Json };
}

async function get(s: RunningServer, key: string, path: string): Promise<Json> {
  return (await (await fetch(`${s.url}/api/v1${path}`, { headers: { 'x-api-key': key } })).json()) as Json;
}

const reports = (b: Json): Json[] => b.execution_reports as Json[];

test('REST: an iceberg shows its display quantity in the depth; a sliding post-only rests one tick inside', () => withServer(async (s) => {
  const ice = await post(s, 'demo-maker-1', {
    cl_ord_id: 'ice', symbol: BTC, side: 'SELL', price: '100000.0', order_qty: '1.0000', display_qty: '0.1000',
  });
  assert.equal(ice.status, 200);
  assert.deepEqual([reports(ice.body)[0].display_qty, reports(ice.body)[0].leaves_qty], ['0.1000', '1.0000']);
  const depth = await get(s, 'demo-taker', `/depth/${BTC}?levels=1`);
  assert.deepEqual(depth.asks, [['100000.0', '0.1000']]);
  const open = (await get(s, 'demo-maker-1', '/orders')).orders as Json[];
  assert.deepEqual([open[0].leaves_qty, open[0].shown_qty, open[0].display_qty], ['1.0000', '0.1000', '0.1000']);

  // Deribit post_only (without reject_post_only): re-priced just inside the spread
  const slid = await post(s, 'demo-maker-2', {
    cl_ord_id: 'po', symbol: BTC, side: 'BUY', price: '100001.0', order_qty: '0.0100', post_only: true, post_only_slide: true,
  });
  assert.equal(slid.status, 200);
  const ack = reports(slid.body)[0];
  assert.deepEqual([ack.exec_type, ack.price, ack.price_slid], ['NEW', '99999.9', true]);
  const plain = await post(s, 'demo-maker-2', { cl_ord_id: 'po2', symbol: BTC, side: 'BUY', price: '100001.0', order_qty: '0.0100', post_only: true });
  assert.deepEqual([plain.status, plain.body.code], [400, 'POST_ONLY_WOULD_TAKE']);
  const small = await post(s, 'demo-maker-1', { cl_ord_id: 'ice2', symbol: BTC, side: 'SELL', price: '100100.0', order_qty: '1.0000', display_qty: '0.00005' });
  assert.deepEqual([small.status, small.body.field], [400, 'display_qty']);
}));

test('REST: a stop-limit is held, cancellable, rejected when it would trigger at once, and reported TRIGGERED', () => withServer(async (s) => {
  await post(s, 'demo-maker-1', { cl_ord_id: 'a1', symbol: BTC, side: 'SELL', price: '100000.0', order_qty: '0.0100' });
  await post(s, 'demo-maker-1', { cl_ord_id: 'a2', symbol: BTC, side: 'SELL', price: '100010.0', order_qty: '0.0100' });
  await post(s, 'demo-taker', { cl_ord_id: 't0', symbol: BTC, side: 'BUY', price: '100000.0', order_qty: '0.0010' }); // last 100000.0
  const late = await post(s, 'demo-maker-2', { cl_ord_id: 'late', symbol: BTC, side: 'BUY', ord_type: 'STOP', stop_px: '99999.0', order_qty: '0.0010' });
  assert.deepEqual([late.status, late.body.code, late.body.field], [400, 'STOP_WOULD_TRIGGER', 'stop_px']);
  const stop = await post(s, 'demo-maker-2', {
    cl_ord_id: 'stop', symbol: BTC, side: 'BUY', ord_type: 'STOP_LIMIT', stop_px: '100010.0', price: '100010.0', order_qty: '0.0050',
  });
  assert.equal(stop.status, 200);
  assert.deepEqual([reports(stop.body)[0].ord_type, reports(stop.body)[0].stop_px], ['STOP_LIMIT', '100010.0']);
  const depth = await get(s, 'demo-taker', `/depth/${BTC}?levels=5`);
  assert.deepEqual(depth.bids, []); // held: not in the book
  const held = (await get(s, 'demo-maker-2', '/orders')).orders as Json[];
  assert.deepEqual([held[0].held, held[0].shown_qty], ['stop', '0.0000']);
  // the taker lifts 100000.0 and trades 0.0010 at 100010.0: the stop triggers and buys the rest there
  await post(s, 'demo-taker', { cl_ord_id: 't1', symbol: BTC, side: 'BUY', price: '100010.0', order_qty: '0.0100' });
  const done = await get(s, 'demo-maker-2', '/orders/by-cl-ord-id/stop');
  assert.deepEqual([done.ord_status, done.cum_qty, done.avg_px], ['FILLED', '0.0050', '100010.0']);
}));

/** A minimal /ws/trade session: wire numbers, reports collected. */
async function session(s: RunningServer, apiKey: string): Promise<{ send: (m: Json) => void; until: (p: (e: Json) => boolean) => Promise<Json>; close: () => void }> {
  const ws = new WebSocket(s.url.replace('http', 'ws') + '/ws/trade');
  await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
  const got: Envelope[] = [];
  ws.on('message', (d: Buffer) => { const r = decodeEnvelope(d); if (r.ok) got.push(r.env); });
  let seq = 1;
  const raw = (body: string, msg: Json): void => { ws.send(encodeEnvelope({ msg_seq_num: seq++, sending_time_us: 0, [body]: msg })); };
  const until = async (p: (e: Json) => boolean): Promise<Json> => {
    for (let i = 0; i < 500; i++) {
      const hit = got.find((e) => e.body === 'execution_report' && p(e.execution_report as Json));
      if (hit) return hit.execution_report as Json;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('no such report');
  };
  raw('logon', { api_key: apiKey, reset_seq_num: true });
  return { send: (m) => raw('new_order_single', m), until, close: () => ws.close() };
}

test('/ws/trade: a midpoint peg (ord_type 5) rests hidden at the mid and trades there; a STOP reports TRIGGERED (exec_type 20)', () => withServer(async (s) => {
  const mm = await session(s, 'demo-maker-1');
  const peg = await session(s, 'demo-maker-2');
  const tk = await session(s, 'demo-taker');
  try {
    mm.send({ cl_ord_id: 'b', symbol: BTC, side: 1, ord_type: 2, price: 999_000, order_qty: 100 });
    mm.send({ cl_ord_id: 'a', symbol: BTC, side: 2, ord_type: 2, price: 1_001_000, order_qty: 100 });
    await mm.until((r) => r.cl_ord_id === 'a');
    peg.send({ cl_ord_id: 'p', symbol: BTC, side: 1, ord_type: 5, order_qty: 30 });
    const ack = await peg.until((r) => r.cl_ord_id === 'p');
    assert.deepEqual([ack.ord_type, ack.price], [5, 1_000_000]);
    const depth = await get(s, 'demo-taker', `/depth/${BTC}?levels=5`);
    assert.deepEqual(depth.bids, [['99900.0', '0.0100']]);
    tk.send({ cl_ord_id: 't', symbol: BTC, side: 2, ord_type: 1, order_qty: 20 });
    const fill = await peg.until((r) => r.exec_type === 6);
    assert.deepEqual([fill.last_px, fill.last_qty, fill.liquidity], [1_000_000, 20, 1]);
    // a sell STOP below the last trade (100000.0), triggered by a sale at 99900.0
    tk.send({ cl_ord_id: 's', symbol: BTC, side: 2, ord_type: 3, stop_px: 999_500, order_qty: 10 });
    await tk.until((r) => r.cl_ord_id === 's' && r.exec_type === 1);
    mm.send({ cl_ord_id: 'x', symbol: BTC, side: 2, ord_type: 1, order_qty: 15 }); // peg 10 left at the mid, then 5 at 99900.0
    const trig = await tk.until((r) => r.cl_ord_id === 's' && r.exec_type === 20);
    assert.deepEqual([trig.ord_type, trig.stop_px], [3, 999_500]);
  } finally {
    mm.close(); peg.close(); tk.close();
  }
}));
