// A scenario's stress on external order entry (TradeSessions.conditions, set by
// sim/serve.ts): reject bursts refuse order messages with a BusinessMessageReject,
// latency spikes hold them — in arrival order — before the exchange sees them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../gateway/index.ts';
import { Raw } from './gateway-raw-client.ts';
import { loadScenario } from '../sim/scenario.ts';
import { serveMarket } from '../sim/serve.ts';

const CONFIG = {
  instruments: [{ symbol: 'BTC-USD', price_scale: 1, qty_scale: 4, tick_size: 1, lot: 1, min_qty: 1, max_qty: 1_000_000, max_price: 10_000_000, maker_fee_bp: -1, taker_fee_bp: 2 }],
  accounts: [{ name: 'alice', api_key: 'alice-key-0123456789' }],
};
const KEY = 'alice-key-0123456789';
type Msg = Record<string, unknown>;
const order = (clOrdId: string, price = 1_000_000): Msg => ({ cl_ord_id: clOrdId, symbol: 'BTC-USD', side: 1, ord_type: 2, price, order_qty: 10_000 });

async function withServer(fn: (s: RunningServer) => Promise<void>): Promise<void> {
  const s = await startServer({ config: structuredClone(CONFIG) });
  try { await fn(s); } finally { await s.close(); }
}

test('a reject burst refuses order messages (BusinessMessageReject 4, referring to the message); the session goes on', () => withServer(async (s) => {
  const a = await Raw.logon(s.url, KEY);
  let refuse = true;
  s.trade.conditions = { delayMs: () => 0, reject: () => refuse };
  a.send('new_order_single', order('refused'));
  const r = await a.next<Msg>('business_message_reject');
  assert.equal(r.business_reject_reason, 4);
  assert.equal(r.ref_msg_type, 'new_order_single');
  assert.equal(r.ref_seq_num, 2);
  assert.equal(s.exchange.engine.openOrders(0).length, 0, 'nothing reached the book');
  a.send('test_request', { test_req_id: 'still here' }); // session messages are never refused
  assert.equal((await a.next<Msg>('heartbeat', (h) => h.test_req_id === 'still here')).test_req_id, 'still here');
  refuse = false;
  a.send('new_order_single', order('accepted'));
  assert.equal((await a.next<Msg>('execution_report', (e) => e.cl_ord_id === 'accepted')).exec_type, 1);
}));

test('a latency spike holds order messages for the delay, in arrival order', () => withServer(async (s) => {
  const a = await Raw.logon(s.url, KEY);
  const delays = [150, 0, 0];
  s.trade.conditions = { delayMs: () => delays.shift() ?? 0, reject: () => false };
  const sent = performance.now();
  a.send('new_order_single', order('first', 1_000_000));
  a.send('new_order_single', order('second', 1_000_010));
  a.send('new_order_single', order('third', 1_000_020));
  const third = await a.next<Msg>('execution_report', (e) => e.cl_ord_id === 'third');
  const waited = performance.now() - sent;
  assert.ok(waited >= 140, `the exchange saw them after ${waited.toFixed(0)} ms`);
  const acks = a.of<Msg>('execution_report').map((e) => e.cl_ord_id);
  assert.deepEqual(acks, ['first', 'second', 'third'], 'the undelayed ones waited behind the delayed one');
  assert.ok((third.order_id as number) > 0);
}));

test('npm start -- --scenario 1011 puts its reject burst on external sessions, and takes it off on stop', () => withServer(async (s) => {
  const served = serveMarket(s, loadScenario('1011'), 7);
  try {
    assert.ok(s.trade.conditions, 'conditions attached');
    assert.equal(s.trade.conditions.reject(), false, 'no burst before its time in the timeline');
    assert.equal(s.trade.conditions.delayMs(), 0);
    // 20 minutes in, the timeline starts 300 ms (+ up to 700 ms) of latency and 20 % rejects for 25 minutes
    s.clock.pause();
    s.clock.jumpBy(20 * 60e6 + 1e6);
    const c = s.trade.conditions;
    const draws = Array.from({ length: 1000 }, () => [c.reject(), c.delayMs()] as const);
    const rejected = draws.filter(([r]) => r).length;
    assert.ok(rejected > 150 && rejected < 250, `${rejected} of 1000 refused`);
    assert.ok(draws.every(([, d]) => d >= 300 && d < 1000), 'every order held 300-1000 ms at speed 1');
  } finally {
    served.stop();
  }
  assert.equal(s.trade.conditions, null);
}));
