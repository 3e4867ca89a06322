// Order entry over a real socket: logon, an order and its execution report,
// a cross between two accounts, and the session rules at their edges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../gateway/server.ts';
import { encodeEnvelope } from '../gateway/wire.ts';
import { Raw } from './gateway-raw-client.ts';

const CONFIG = {
  instruments: [{ symbol: 'BTC-USD', price_scale: 1, qty_scale: 4, tick_size: 1, lot: 1, min_qty: 1, max_qty: 1_000_000, max_price: 10_000_000, maker_fee_bp: -1, taker_fee_bp: 2 }],
  accounts: [{ name: 'alice', api_key: 'alice-key' }, { name: 'bob', api_key: 'bob-key' }],
};

async function withServer(fn: (s: RunningServer) => Promise<void>): Promise<void> {
  const s = await startServer({ config: structuredClone(CONFIG) });
  try { await fn(s); } finally { await s.close(); }
}

test('logon, new order, execution report; a cross reports both sides with fees', () => withServer(async (s) => {
  const a = await Raw.open(s.url);
  a.send('logon', { api_key: 'alice-key', reset_seq_num: true });
  const logon = await a.waitFor((e) => e.body === 'logon');
  assert.equal((logon.logon as { account_id: string }).account_id, '1');
  a.send('new_order_single', { cl_ord_id: 'a1', symbol: 'BTC-USD', side: 1, ord_type: 2, price: 1_000_000, order_qty: 10_000 });
  const ack = (await a.waitFor((e) => e.body === 'execution_report')).execution_report as Record<string, number | string>;
  assert.equal(ack.exec_type, 1);
  assert.equal(ack.ord_status, 1);
  assert.equal(ack.cl_ord_id, 'a1');
  assert.equal(ack.leaves_qty, 10_000);

  const b = await Raw.open(s.url);
  b.send('logon', { api_key: 'bob-key', reset_seq_num: true });
  await b.waitFor((e) => e.body === 'logon');
  b.send('new_order_single', { cl_ord_id: 'b1', symbol: 'BTC-USD', side: 2, ord_type: 1, order_qty: 4_000 });
  const taker = (await b.waitFor((e) => e.body === 'execution_report' && (e.execution_report as { exec_type: number }).exec_type === 6)).execution_report as Record<string, number>;
  const maker = (await a.waitFor((e) => e.body === 'execution_report' && (e.execution_report as { exec_type: number }).exec_type === 6)).execution_report as Record<string, number>;
  assert.equal(taker.trade_id, maker.trade_id);
  assert.deepEqual([maker.last_px, maker.last_qty, maker.liquidity, maker.leaves_qty, maker.ord_status], [1_000_000, 4_000, 1, 6_000, 2]);
  assert.deepEqual([taker.last_px, taker.last_qty, taker.liquidity, taker.ord_status], [1_000_000, 4_000, 2, 3]);
  // notional 100000.0 × 0.4 = 40000 USD; taker 2 bp = 8 USD, maker rebate 1 bp = 4 USD
  const cashScale = s.exchange.instrument('BTC-USD')!.cashScale;
  assert.equal(taker.fee, 8 * 10 ** cashScale);
  assert.equal(maker.fee, -4 * 10 ** cashScale);
  // sequence numbers from the server are dense per session
  assert.deepEqual(a.got.map((e) => e.msg_seq_num), a.got.map((_, i) => i + 1));
  a.ws.close();
  b.ws.close();
}));

test('unknown api key → Logout and close; first message not a Logon → Reject then Logout', () => withServer(async (s) => {
  const a = await Raw.open(s.url);
  a.send('logon', { api_key: 'nope' });
  const out = await a.waitFor((e) => e.body === 'logout');
  assert.match((out.logout as { text: string }).text, /unknown api key/);
  await a.closed();
  const b = await Raw.open(s.url);
  b.send('new_order_single', { cl_ord_id: 'x', symbol: 'BTC-USD', side: 1, price: 1, order_qty: 1 });
  assert.equal(((await b.waitFor((e) => e.body === 'reject')).reject as { reason: number }).reason, 7);
  await b.waitFor((e) => e.body === 'logout');
  await b.closed();
}));

test('garbage frames get typed Rejects, then a Logout; another session keeps trading', () => withServer(async (s) => {
  const good = await Raw.open(s.url);
  good.send('logon', { api_key: 'bob-key', reset_seq_num: true });
  await good.waitFor((e) => e.body === 'logon');
  const bad = await Raw.open(s.url);
  bad.send('logon', { api_key: 'alice-key', reset_seq_num: true });
  await bad.waitFor((e) => e.body === 'logon');
  bad.ws.send('hello');                                    // text frame
  bad.ws.send(Buffer.from([0xff, 0xff, 0xff]));            // undecodable
  bad.ws.send(encodeEnvelope({ msg_seq_num: 2 }));         // empty body
  bad.ws.send(Buffer.alloc(70 * 1024, 1));                 // too large
  const reasons = async (): Promise<number[]> => {
    await bad.waitFor(() => bad.got.filter((e) => e.body === 'reject').length >= 4);
    return bad.got.filter((e) => e.body === 'reject').map((e) => (e.reject as { reason: number }).reason);
  };
  assert.deepEqual(await reasons(), [1, 2, 4, 3]);
  for (let i = 0; i < 30; i++) bad.ws.send(Buffer.from([0xff]));
  await bad.waitFor((e) => e.body === 'logout');
  await bad.closed();
  good.send('new_order_single', { cl_ord_id: 'g1', symbol: 'BTC-USD', side: 1, ord_type: 2, price: 1_000_000, order_qty: 1 });
  await good.waitFor((e) => e.body === 'execution_report');
  good.ws.close();
}));

test('reconnect without reset: a ResendRequest replays missed reports with poss_dup', () => withServer(async (s) => {
  const a = await Raw.open(s.url);
  a.send('logon', { api_key: 'alice-key', reset_seq_num: true });
  await a.waitFor((e) => e.body === 'logon');
  a.send('new_order_single', { cl_ord_id: 'r1', symbol: 'BTC-USD', side: 1, ord_type: 2, price: 1_000_000, order_qty: 5 });
  await a.waitFor((e) => e.body === 'execution_report');
  const lastSeen = Math.max(...a.got.map((e) => e.msg_seq_num));
  a.ws.close();
  await a.closed();
  // while alice is away, bob trades against her order: her fill report is numbered and stored
  const b = await Raw.open(s.url);
  b.send('logon', { api_key: 'bob-key', reset_seq_num: true });
  await b.waitFor((e) => e.body === 'logon');
  b.send('new_order_single', { cl_ord_id: 'b1', symbol: 'BTC-USD', side: 2, ord_type: 2, price: 1_000_000, order_qty: 5 });
  await b.waitFor((e) => e.body === 'execution_report' && (e.execution_report as { exec_type: number }).exec_type === 6);
  const a2 = await Raw.open(s.url);
  a2.send('logon', { api_key: 'alice-key' }, 3);
  await a2.waitFor((e) => e.body === 'logon');
  a2.send('resend_request', { begin_seq_no: lastSeen + 1, end_seq_no: 0 }, 4);
  const fill = await a2.waitFor((e) => e.body === 'execution_report' && e.poss_dup);
  assert.equal((fill.execution_report as { exec_type: number }).exec_type, 6);
  assert.equal(fill.msg_seq_num, lastSeen + 1);
  a2.ws.close();
  b.ws.close();
}));

test('a resend gap-fills session messages and resends reports only', () => withServer(async (s) => {
  const a = await Raw.open(s.url);
  a.send('logon', { api_key: 'alice-key', reset_seq_num: true });            // server seq 1: logon
  await a.waitFor((e) => e.body === 'logon');
  a.send('test_request', { test_req_id: 't1' });                              // server seq 2: heartbeat
  await a.waitFor((e) => e.body === 'heartbeat');
  a.send('new_order_single', { cl_ord_id: 'r1', symbol: 'BTC-USD', side: 1, ord_type: 2, price: 1_000_000, order_qty: 5 }); // seq 3: report
  await a.waitFor((e) => e.body === 'execution_report');
  const before = a.got.length;
  a.send('resend_request', { begin_seq_no: 1, end_seq_no: 0 });
  await a.waitFor(() => a.got.length >= before + 2);
  const resent = a.got.slice(before);
  assert.equal(resent[0].body, 'sequence_reset');
  assert.deepEqual([resent[0].msg_seq_num, (resent[0].sequence_reset as { new_seq_no: number }).new_seq_no], [1, 3]);
  assert.deepEqual([resent[1].body, resent[1].msg_seq_num, resent[1].poss_dup], ['execution_report', 3, true]);
  a.ws.close();
}));

test('a silent client gets a TestRequest, then is logged out; its heartbeat answer keeps it alive', () => withServer(async (s) => {
  const quiet = await Raw.open(s.url);
  quiet.send('logon', { api_key: 'alice-key', reset_seq_num: true, heartbeat_interval_ms: 1000 });
  const live = await Raw.open(s.url);
  live.send('logon', { api_key: 'bob-key', reset_seq_num: true, heartbeat_interval_ms: 1000 });
  await quiet.waitFor((e) => e.body === 'logon');
  await live.waitFor((e) => e.body === 'logon');
  const tr = await live.waitFor((e) => e.body === 'test_request', 3000);
  live.send('heartbeat', { test_req_id: (tr.test_request as { test_req_id: string }).test_req_id });
  await quiet.waitFor((e) => e.body === 'test_request', 3000);
  const out = await quiet.waitFor((e) => e.body === 'logout', 4000);
  assert.match((out.logout as { text: string }).text, /heartbeat timeout/);
  await quiet.closed();
  assert.equal(live.ws.readyState, WebSocket.OPEN, 'the answering client stays logged on');
  assert.ok(live.got.some((e) => e.body === 'heartbeat'), 'the server heartbeats when it has nothing else to send');
  live.ws.close();
}));

test('reject texts name the wire fields, not the engine\'s', () => withServer(async (s) => {
  const a = await Raw.logon(s.url, 'alice-key');
  const report = async (clOrdId: string): Promise<Record<string, unknown>> =>
    (await a.waitFor((e) => e.body === 'execution_report' && (e.execution_report as { cl_ord_id: string }).cl_ord_id === clOrdId)).execution_report as Record<string, unknown>;
  a.send('new_order_single', { cl_ord_id: 'm1', symbol: 'BTC-USD', side: 1, ord_type: 1, time_in_force: 1, order_qty: 10_000 });
  assert.equal((await report('m1')).text, 'invalid field time_in_force: a market order is IOC, FOK, AT_THE_OPENING or AT_THE_CLOSE');
  a.send('new_order_single', { cl_ord_id: 'p1', symbol: 'BTC-USD', side: 1, ord_type: 2, price: 1_000_000, order_qty: 10_000, time_in_force: 3, post_only: true });
  assert.equal((await report('p1')).text, 'invalid field post_only: post-only needs a GTC or GTD limit order');
  a.send('new_order_single', { cl_ord_id: 'o1', symbol: 'BTC-USD', side: 1, ord_type: 9, price: 1_000_000, order_qty: 10_000 });
  assert.doesNotMatch(String((await report('o1')).text), /ordType|\(\d\)/);
  a.send('order_cancel_request', { cl_ord_id: 'c1', symbol: 'BTC-USD' });
  const cxl = (await a.waitFor((e) => e.body === 'order_cancel_reject')).order_cancel_reject as Record<string, unknown>;
  assert.equal(cxl.text, 'invalid field order_id: give order_id or orig_cl_ord_id');
  a.ws.close();
}));
