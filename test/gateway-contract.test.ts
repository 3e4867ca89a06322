// The wire contract's promises over real sockets: the one time unit, Logout
// reason codes, cancels by order id alone, complete PositionReport answers,
// the QuoteCancel answer, the account's own terms, the LULD limit state,
// /ws/md heartbeats, one STP numbering and the Logout every session gets when
// the server stops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../gateway/index.ts';
import type { ExchangeConfig } from '../gateway/exchange.ts';
import { validateConfig } from '../gateway/config.ts';
import { enumValues } from '../gateway/wire.ts';
import { ConfigError } from '../engine/instrument.ts';
import { Raw } from './gateway-raw-client.ts';
import { ExchangeClient, MarketDataClient } from '../client/index.ts';
import { waitFor } from './client-test-helpers.ts';

const ADMIN = 'contract-admin-token';
const X = 'X-USD';
const ALICE = 'alice-key-1';
const BOB = 'bob-key-01';
const LR = enumValues('LogoutReason');

function config(): ExchangeConfig {
  return {
    instruments: [
      {
        symbol: X, price_scale: 0, qty_scale: 0, cash_scale: 0, tick_size: 1, max_position: 5000, lot: 1, min_qty: 1, max_qty: 1000, max_price: 100_000, maker_fee_bp: -1, taker_fee_bp: 2,
        rules: { reference_price: 1000, luld: { band_bp: 500, window_ms: 300_000, limit_state_ms: 15_000, halt_ms: 300_000 } },
      },
      { symbol: 'Y-USD', price_scale: 2, qty_scale: 0, tick_size: 1, lot: 1, min_qty: 1, max_qty: 1000, max_price: 100_000, maker_fee_bp: 0, taker_fee_bp: 0 },
    ],
    accounts: [
      { name: 'alice', api_key: ALICE, stp: 'CANCEL_BOTH', risk: { [X]: { max_order_qty: 50, max_gross_notional: 90_000 } } },
      { name: 'bob', api_key: BOB, stp: 0 },
    ],
  };
}

async function withServer(fn: (s: RunningServer) => Promise<void>): Promise<void> {
  const s = await startServer({ config: config(), adminToken: ADMIN });
  try { await fn(s); } finally { await s.close(); }
}

type Json = Record<string, unknown>;
let nextId = 0;
const order = (side: 1 | 2, price: number, qty: number, symbol = X): Json =>
  ({ cl_ord_id: `c${++nextId}`, symbol, side, ord_type: 2, price, order_qty: qty });

test('times are µs since the epoch: sending_time_us beside transact_time', async () => {
  await withServer(async (s) => {
    const a = await Raw.logon(s.url, ALICE);
    const before = Date.now() * 1000;
    a.send('new_order_single', order(1, 990, 1));
    const er = await a.waitFor((e) => e.body === 'execution_report');
    const after = Date.now() * 1000;
    const t = er.sending_time_us as number;
    assert.ok(t >= before - 1000 && t <= after + 1000, `${t} within [${before}, ${after}]`);
    const transact = (er.execution_report as Json).transact_time as number;
    assert.ok(Math.abs(transact - t) < 1_000_000, 'the same unit as the engine time');
    a.ws.close();
  });
});

test('Logon refusals and logouts carry a LogoutReason', async () => {
  await withServer(async (s) => {
    const bad = await Raw.logon(s.url, 'no-such-key-1');
    assert.deepEqual({ ...await bad.next('logout') }, { text: 'unknown api key', reason: LR.LOGOUT_REASON_UNKNOWN_API_KEY, until: 0 });
    const a = await Raw.logon(s.url, ALICE);
    const twice = await Raw.logon(s.url, ALICE);
    assert.equal((await twice.next<Json>('logout')).reason, LR.LOGOUT_REASON_ALREADY_LOGGED_ON);
    a.send('logout', { text: 'bye' });
    assert.equal((await a.next<Json>('logout')).reason, LR.LOGOUT_REASON_CLIENT_LOGOUT);
    const first = await Raw.open(s.url);
    first.send('heartbeat', {});
    assert.equal((await first.next<Json>('logout')).reason, LR.LOGOUT_REASON_NOT_LOGGED_ON);
  });
});

test('a cancel or replace names the order by order_id or orig_cl_ord_id alone, without symbol', async () => {
  await withServer(async (s) => {
    const a = await Raw.logon(s.url, ALICE);
    const o1 = order(1, 990, 2);
    const o2 = order(1, 991, 2, 'Y-USD');
    a.send('new_order_single', o1);
    a.send('new_order_single', o2);
    const n1 = await a.next<Json>('execution_report', (m) => m.cl_ord_id === o1.cl_ord_id);
    await a.next<Json>('execution_report', (m) => m.cl_ord_id === o2.cl_ord_id);
    a.send('order_cancel_replace_request', { cl_ord_id: 'r1', order_id: n1.order_id, price: 989, order_qty: 2 });
    const rep = await a.next<Json>('execution_report', (m) => m.cl_ord_id === 'r1');
    assert.deepEqual([rep.exec_type, rep.price, rep.symbol], [3, 989, X]);
    a.send('order_cancel_request', { cl_ord_id: 'x1', order_id: n1.order_id });
    assert.equal((await a.next<Json>('execution_report', (m) => m.cl_ord_id === 'x1')).exec_type, 2);
    a.send('order_cancel_request', { cl_ord_id: 'x2', orig_cl_ord_id: o2.cl_ord_id });
    const c2 = await a.next<Json>('execution_report', (m) => m.cl_ord_id === 'x2');
    assert.deepEqual([c2.exec_type, c2.symbol], [2, 'Y-USD']);
    // a symbol that is not the order's still refuses it (the order is unknown there)
    a.send('new_order_single', order(1, 990, 1));
    const n3 = await a.next<Json>('execution_report', (m) => m.exec_type === 1 && m.order_id !== n1.order_id);
    a.send('order_cancel_request', { cl_ord_id: 'x3', order_id: n3.order_id, symbol: 'Y-USD' });
    assert.equal((await a.next<Json>('order_cancel_reject', (m) => m.cl_ord_id === 'x3')).cxl_rej_reason, 1);
    a.ws.close();
  });
});

test('a RequestForPositions answer is complete: total_num_pos_reports, last_rpt_requested, cost_basis a string', async () => {
  await withServer(async (s) => {
    const a = await Raw.logon(s.url, ALICE);
    const b = await Raw.logon(s.url, BOB);
    b.send('new_order_single', order(2, 1000, 3));
    await b.next('execution_report');
    a.send('new_order_single', order(1, 1000, 3));
    // the unsolicited report after the fill: one, complete by itself
    const fill = await a.next<Json>('position_report', (m) => m.pos_req_id === '');
    assert.deepEqual([fill.symbol, fill.position, fill.cost_basis, fill.total_num_pos_reports, fill.last_rpt_requested], [X, 3, '3000', 1, true]);
    a.send('request_for_positions', { pos_req_id: 'all' });
    await a.next<Json>('position_report', (m) => m.pos_req_id === 'all' && m.last_rpt_requested === true);
    const all = a.of<Json>('position_report').filter((m) => m.pos_req_id === 'all');
    assert.deepEqual(all.map((m) => [m.symbol, m.total_num_pos_reports, m.last_rpt_requested]), [[X, 2, false], ['Y-USD', 2, true]]);
    assert.equal(typeof all[0].realised_pnl, 'string');
    a.send('request_for_positions', { pos_req_id: 'none', symbol: 'NOPE' });
    const none = await a.next<Json>('position_report', (m) => m.pos_req_id === 'none');
    assert.deepEqual([none.symbol, none.total_num_pos_reports, none.last_rpt_requested, none.text], ['NOPE', 1, true, 'unknown symbol']);
    a.ws.close();
    b.ws.close();
  });
});

test('QuoteCancel is answered by a MassQuoteAck with withdrawn_orders, after the CANCELED reports', async () => {
  await withServer(async (s) => {
    const a = await Raw.logon(s.url, ALICE);
    a.send('mass_quote', { quote_id: 'q1', symbol: X, bid_px: 990, bid_size: 1, offer_px: 1010, offer_size: 1 });
    await a.next('mass_quote_ack');
    a.send('quote_cancel', { quote_id: 'qc', symbol: X });
    const ack = await a.next<Json>('mass_quote_ack', (m) => m.quote_id === 'qc');
    assert.deepEqual([ack.symbol, ack.rejected, ack.withdrawn_orders, ack.text], [X, false, 2, '2 quote orders withdrawn']);
    const bodies = a.got.map((e) => e.body);
    const ackAt = bodies.lastIndexOf('mass_quote_ack');
    const cancels = a.of<Json>('execution_report').filter((m) => m.exec_type === 2 && m.cancel_reason === 9);
    assert.equal(cancels.length, 2);
    assert.ok(a.got.slice(0, ackAt).filter((e) => e.body === 'execution_report' && (e.execution_report as Json).exec_type === 2).length === 2);
    a.send('quote_cancel', { quote_id: 'qc2', symbol: X });
    assert.equal((await a.next<Json>('mass_quote_ack', (m) => m.quote_id === 'qc2')).withdrawn_orders, 0);
    a.ws.close();
  });
});

test('AccountTerms: effective fees (a fee tier included), limits and stp; admin answers carry effective_time', async () => {
  await withServer(async (s) => {
    const a = await Raw.logon(s.url, ALICE);
    a.send('account_terms_request', { req_id: 't1' });
    const t1 = await a.next<Json>('account_terms');
    const x1 = (t1.instruments as Json[])[0];
    assert.deepEqual([t1.req_id, t1.stp_mode, t1.kill_switch, x1.symbol, x1.maker_fee_bp, x1.taker_fee_bp, x1.max_position, x1.max_order_qty,
      x1.max_order_notional, x1.max_gross_notional], ['t1', 3, false, X, -1, 2, 5000, 50, 0, 90_000]);
    const r = await fetch(`${s.url}/api/v1/admin/fee-tiers`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-admin-token': ADMIN },
      body: JSON.stringify({ account_id: t1.account_id, symbol: X, maker_fee_bp: -2.5, taker_fee_bp: 1 }),
    });
    const body = await r.json() as Json;
    assert.equal(r.status, 200);
    assert.equal(typeof body.effective_time, 'number');
    assert.ok(Math.abs((body.effective_time as number) - Date.now() * 1000) < 5_000_000, 'engine time, µs since the epoch');
    a.send('account_terms_request', { req_id: 't2' });
    const x2 = ((await a.next<Json>('account_terms', (m) => m.req_id === 't2')).instruments as Json[])[0];
    assert.deepEqual([x2.maker_fee_bp, x2.taker_fee_bp], [-2.5, 1]);
    const b = await Raw.logon(s.url, BOB);
    b.send('account_terms_request', { req_id: 'b' });
    assert.equal((await b.next<Json>('account_terms')).stp_mode, 5, 'stp 0 in the config: NONE');
    a.ws.close();
    b.ws.close();
  });
});

test('the LULD limit state is on the wire: LimitState with the halt time, to traders and md subscribers, late ones included', async () => {
  await withServer(async (s) => {
    const md = await Raw.open(s.url, '/ws/md');
    md.send('market_data_request', { md_req_id: 'm1', symbol: X });
    await md.next('market_data_snapshot_full_refresh');
    const a = await Raw.logon(s.url, ALICE);
    const b = await Raw.logon(s.url, BOB);
    b.send('new_order_single', order(2, 1060, 5));
    await b.next('execution_report');
    a.send('new_order_single', order(1, 1100, 3)); // slides to the upper band, 1050: limit up
    const onA = await a.next<Json>('limit_state');
    const onMd = await md.next<Json>('limit_state');
    assert.deepEqual(onA, onMd);
    assert.deepEqual([onA.symbol, onA.active, onA.side, onA.limit_price], [X, true, 1, 1050]);
    assert.equal((onA.halt_time as number) - (onA.transact_time as number), 15_000_000);
    const late = await Raw.open(s.url, '/ws/md');
    late.send('market_data_request', { md_req_id: 'm2', symbol: X });
    assert.deepEqual(await late.next<Json>('limit_state'), onA);
    const snapAt = late.got.findIndex((e) => e.body === 'market_data_snapshot_full_refresh');
    assert.ok(snapAt >= 0 && snapAt < late.got.findIndex((e) => e.body === 'limit_state'), 'after the snapshot');
    // the bid leaves the band: the limit state ends
    a.send('order_mass_cancel_request', { cl_ord_id: 'mc' });
    const off = await md.next<Json>('limit_state', (m) => m.active === false);
    assert.deepEqual([off.active, off.side, off.limit_price, off.halt_time], [false, 0, 0, 0]);
    for (const c of [md, late, a, b]) c.ws.close();
  });
});

test('/ws/md sends Heartbeats when quiet; a Logon sets the interval', async () => {
  await withServer(async (s) => {
    const md = await Raw.open(s.url, '/ws/md');
    md.send('logon', { heartbeat_interval_ms: 1000 });
    assert.equal((await md.next<Json>('logon')).heartbeat_interval_ms, 1000);
    const t0 = Date.now();
    await md.next('heartbeat', () => true, 3000);
    const waited = Date.now() - t0;
    assert.ok(waited >= 900 && waited < 2000, `heartbeat after ${waited} ms`);
    md.ws.close();
  });
});

test('the config takes the wire StpMode by number or name; anything else names the field', () => {
  const with_ = (stp: unknown): unknown => ({ ...config(), accounts: [{ name: 'z', stp }] });
  for (const ok of [0, 1, 5, 'none', 'STP_MODE_DECREMENT', 'cancel_maker']) assert.doesNotThrow(() => validateConfig(with_(ok)), String(ok));
  for (const bad of [6, -1, 'bogus', true]) {
    assert.throws(() => validateConfig(with_(bad)), (e: unknown) => e instanceof ConfigError && /accounts\[0\].*stp: a StpMode of the wire/.test(e.message));
  }
});

test('closing the server sends every session a Logout SERVER_SHUTDOWN', async () => {
  const s = await startServer({ config: config(), adminToken: ADMIN });
  const a = await Raw.logon(s.url, ALICE);
  const md = await Raw.open(s.url, '/ws/md');
  md.send('security_list_request', { security_req_id: 's' });
  await md.next('security_list');
  await s.close();
  await Promise.all([a.closed(), md.closed()]);
  assert.equal(a.of<Json>('logout')[0]?.reason, LR.LOGOUT_REASON_SERVER_SHUTDOWN);
  assert.equal(md.of<Json>('logout')[0]?.reason, LR.LOGOUT_REASON_SERVER_SHUTDOWN);
});

test('the SDK: accountTerms() in decimals, limitState events on both clients, logon refusals name their reason', async () => {
  await withServer(async (s) => {
    const a = await ExchangeClient.connect(s.url, ALICE, { reconnect: false });
    const b = await ExchangeClient.connect(s.url, BOB, { reconnect: false });
    const md = await MarketDataClient.connect(s.url, X);
    try {
      const terms = await a.accountTerms();
      assert.deepEqual([terms.stpMode, terms.killSwitch, terms.instruments[0].maxOrderQty, terms.instruments[0].maxOrderNotional, terms.instruments[1].maxGrossNotional],
        ['cancel_both', false, '50', null, null]);
      const onA = waitFor(a, 'limitState');
      const onMd = waitFor(md, 'limitState');
      await b.placeOrder({ symbol: X, side: 'sell', price: '1060', qty: '5' });
      await a.placeOrder({ symbol: X, side: 'buy', price: '1100', qty: '3' });
      const [[la], [lm]] = await Promise.all([onA, onMd]);
      assert.deepEqual([la.active, la.side, la.limitPrice, lm.limitPrice, la.haltTime - la.transactTime], [true, 'buy', '1050', '1050', 15_000_000]);
      await assert.rejects(ExchangeClient.connect(s.url, ALICE, { reconnect: false }), /logon refused \(already_logged_on\)/);
    } finally {
      await Promise.all([a.close(), b.close(), md.close()]);
    }
  });
});
