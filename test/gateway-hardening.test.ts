// The server's edges under abuse, one finding per test: strict inputs (query
// integers, cl_ord_id, sequence numbers, resend and reset requests, what a
// Reject refers to). Connection limits, throttling, snapshots and slow
// consumers have their own files (gateway-limits, gateway-auth-throttle,
// gateway-md-limits).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../gateway/index.ts';
import { encodeEnvelope } from '../gateway/wire.ts';
import { Raw } from './gateway-raw-client.ts';

const CONFIG = {
  instruments: [{ symbol: 'BTC-USD', price_scale: 1, qty_scale: 4, tick_size: 1, lot: 1, min_qty: 1, max_qty: 1_000_000, max_price: 10_000_000, maker_fee_bp: -1, taker_fee_bp: 2 }],
  accounts: [{ name: 'alice', api_key: 'alice-key-0123456789' }],
};
const KEY = 'alice-key-0123456789';

async function withServer(fn: (s: RunningServer) => Promise<void>): Promise<void> {
  const s = await startServer({ config: structuredClone(CONFIG) });
  try { await fn(s); } finally { await s.close(); }
}

type Msg = Record<string, unknown>;
const REJECTED = 4;
/** 2^64−1 as a varint: protobufjs cannot write it from a JS number */
const U64_MAX = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
/** An Envelope whose msg_seq_num is these varint bytes. */
const withSeqBytes = (seq: Buffer, body: string, msg: Msg): Buffer =>
  Buffer.concat([Buffer.from([0x08]), seq, Buffer.from(encodeEnvelope({ sending_time_us: 0, [body]: msg }))]);
const order = (clOrdId: string): Msg => ({ cl_ord_id: clOrdId, symbol: 'BTC-USD', side: 1, ord_type: 2, price: 1_000_000, order_qty: 10_000 });

test('integer query parameters are plain safe integers: ?levels=Infinity, 400 nines, 1e3, 0x10 → 400', () => withServer(async (s) => {
  for (const bad of ['Infinity', '9'.repeat(400), '1e3', '0x10', '%205', '5.0', '-Infinity', 'NaN']) {
    const r = await fetch(`${s.url}/api/v1/depth/BTC-USD?levels=${bad}`);
    assert.equal(r.status, 400, `levels=${bad}`);
    assert.equal((await r.json() as Msg).code, 'INVALID_REQUEST');
  }
  const trades = await fetch(`${s.url}/api/v1/trades/BTC-USD?limit=Infinity`);
  assert.equal(trades.status, 400);
  assert.equal((await fetch(`${s.url}/api/v1/depth/BTC-USD?levels=10`)).status, 200);
}));

test('cl_ord_id: invalid UTF-8, control characters and U+FFFD are refused; two byte strings never name one order', () => withServer(async (s) => {
  const a = await Raw.logon(s.url, KEY);
  // hand-encoded: protobufjs would not write invalid UTF-8
  const raw = (seq: number, clOrdId: Buffer): Buffer => {
    const ok = Buffer.from(encodeEnvelope({ msg_seq_num: seq, sending_time_us: 0, new_order_single: { ...order('PLACEHOLDER') } }));
    const at = ok.indexOf('PLACEHOLDER');
    const out = Buffer.concat([ok.subarray(0, at - 1), Buffer.from([clOrdId.length]), clOrdId, ok.subarray(at + 11)]);
    // the body's length byte (one byte: small message) changes by the difference
    const bodyLenAt = ok.indexOf(Buffer.from([0x0a, 'PLACEHOLDER'.length])) - 1;
    out[bodyLenAt] += clOrdId.length - 11;
    return out;
  };
  a.ws.send(raw(2, Buffer.from([0x61, 0xff])));
  a.ws.send(raw(3, Buffer.from([0x61, 0xfe])));
  for (const [i, id] of ['a\u0000b', 'a\r\nb', 'x\u007f', '\u0085', '\ufffd', '\ud800x'].entries()) a.send('new_order_single', order(id), 4 + i);
  const reports = (): Msg[] => a.of('execution_report');
  await a.waitFor(() => reports().length >= 8);
  for (const r of reports()) {
    assert.equal(r.exec_type, REJECTED, `rejected: ${JSON.stringify(r.cl_ord_id)}`);
    assert.match(String(r.text), /printable characters of valid UTF-8/);
  }
  a.send('new_order_single', order('plain-é-😀'), 10);
  const ok = await a.next('execution_report', (r) => r.cl_ord_id === 'plain-é-😀');
  assert.equal(ok.exec_type, 1);
  a.ws.close();
}));

test('a rejected 60,000-character cl_ord_id is echoed as at most 64 characters', () => withServer(async (s) => {
  const a = await Raw.logon(s.url, KEY);
  a.send('new_order_single', order('x'.repeat(60_000)));
  const r = await a.next('execution_report');
  assert.equal(r.exec_type, REJECTED);
  assert.equal(String(r.cl_ord_id).length, 64);
  a.send('order_mass_cancel_request', { cl_ord_id: 'y'.repeat(60_000), symbol: 'BTC-USD' });
  const m = await a.next('order_mass_cancel_report');
  assert.equal(String(m.cl_ord_id).length, 64);
  a.ws.close();
}));

test('msg_seq_num = 2^64−1 is refused, without a ResendRequest, and the session goes on', () => withServer(async (s) => {
  const a = await Raw.logon(s.url, KEY);
  a.ws.send(withSeqBytes(U64_MAX, 'heartbeat', {}));
  const rej = await a.next('reject');
  assert.equal(rej.reason, 6);
  assert.match(String(rej.text), /msg_seq_num above/);
  assert.deepEqual(a.of('resend_request'), []);
  a.send('new_order_single', order('after'), 2);
  assert.equal((await a.next('execution_report')).exec_type, 1);
  assert.deepEqual(a.of('resend_request'), []);
  a.ws.close();
}));

test('a huge SequenceReset is refused and does not poison the session', () => withServer(async (s) => {
  const a = await Raw.logon(s.url, KEY);
  // new_seq_no = 2^64−1: field 1 of SequenceReset, hand-encoded
  const reset = Buffer.from(encodeEnvelope({ msg_seq_num: 2, sending_time_us: 0, sequence_reset: { gap_fill: true } }));
  const at = reset.lastIndexOf(Buffer.from([0x10, 0x01])); // gap_fill = true, the body's only field
  a.ws.send(Buffer.concat([reset.subarray(0, at - 1), Buffer.from([2 + 1 + U64_MAX.length, 0x08]), U64_MAX, reset.subarray(at)]));
  const rej = await a.next('reject');
  assert.equal(rej.ref_seq_num, 2);
  assert.match(String(rej.text), /new_seq_no above/);
  a.send('new_order_single', order('after-reset'), 3);
  assert.equal((await a.next('execution_report')).exec_type, 1);
  a.ws.close();
}));

test('ResendRequest{begin_seq_no: 0}, or a range not sent yet, is rejected (not left unanswered)', () => withServer(async (s) => {
  const a = await Raw.logon(s.url, KEY);
  a.send('resend_request', { begin_seq_no: 0, end_seq_no: 0 }, 2);
  const rej = await a.next('reject', (r) => r.ref_seq_num === 2);
  assert.equal(rej.reason, 6);
  assert.match(String(rej.text), /begin_seq_no must be at least 1/);
  a.send('resend_request', { begin_seq_no: 1000, end_seq_no: 0 }, 3);
  assert.match(String((await a.next('reject', (r) => r.ref_seq_num === 3)).text), /nothing sent/);
  a.ws.close();
}));

test('the frame-too-large Reject names the frame it rejects, not the one before', () => withServer(async (s) => {
  const a = await Raw.logon(s.url, KEY);
  a.send('heartbeat', {}, 2);
  a.send('new_order_single', order('big'.padEnd(70_000 / 1, 'g')), 3);
  const rej = await a.next('reject');
  assert.equal(rej.reason, 3);
  assert.equal(rej.ref_seq_num, 3);
  // an undecodable frame after a good header: also named by its number
  const broken = Buffer.concat([Buffer.from(encodeEnvelope({ msg_seq_num: 4, sending_time_us: 0 })), Buffer.from([0xff, 0xff, 0xff])]);
  a.ws.send(broken);
  const rej2 = await a.next('reject', (r) => r.reason === 2);
  assert.equal(rej2.ref_seq_num, 4);
  a.ws.close();
}));

test('/ws/md: msg_seq_num past 2^53 is refused and later requests are served', () => withServer(async (s) => {
  const m = await Raw.open(s.url, '/ws/md');
  m.ws.send(withSeqBytes(U64_MAX, 'test_request', { test_req_id: 'huge' }));
  assert.match(String((await m.next('reject')).text), /msg_seq_num above/);
  m.send('test_request', { test_req_id: 'next' }, 1);
  assert.equal((await m.next('heartbeat')).test_req_id, 'next');
  m.ws.close();
}));

void WebSocket;
