// The gateway bench client's own codec (bench/bench-codec.ts) against
// protobufjs: what it sends decodes to the intended orders, and what it reads
// from a report agrees with protobufjs's decoding of the same bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clOrdIdIs, encodeCancel, encodeNewOrder, ENVELOPE_EXECUTION_REPORT, frame, readFrame } from '../bench/bench-codec.ts';
import { executionReportFrame } from '../gateway/fast-encode.ts';
import { decodeEnvelope, encodeEnvelope } from '../gateway/wire.ts';
import { prng } from './prng.ts';

function decode(bytes: Uint8Array): Record<string, unknown> {
  const d = decodeEnvelope(bytes);
  assert.ok(d.ok, d.ok ? '' : d.error);
  return d.env as unknown as Record<string, unknown>;
}

test('orders and cancels decode with protobufjs to the fields sent, at any sequence number and price', () => {
  const r = prng(7);
  for (let i = 0; i < 500; i++) {
    const seq = Math.floor(r() * 2 ** 40) + 1;
    const o = { clOrdId: `a${Math.floor(r() * 1e9)}`, symbol: 'BENCH-USD', side: 1 + (i & 1), price: Math.floor(r() * 2 ** 45), qty: 1 + Math.floor(r() * 1e6) };
    const env = decode(encodeNewOrder(seq, o));
    assert.equal(env.msg_seq_num, seq);
    assert.equal(env.body, 'new_order_single');
    assert.deepEqual({ ...(env.new_order_single as object) }, {
      cl_ord_id: o.clOrdId, symbol: o.symbol, side: o.side, ord_type: 2, time_in_force: 1, price: o.price, order_qty: o.qty,
    });
    const c = decode(encodeCancel(seq + 1, 'x1', o.clOrdId, o.symbol));
    assert.equal(c.msg_seq_num, seq + 1);
    assert.deepEqual({ ...(c.order_cancel_request as object) }, { cl_ord_id: 'x1', orig_cl_ord_id: o.clOrdId, symbol: o.symbol });
  }
});

test('a report read in place: sequence number, body, exec_type, cl_ord_id and both timestamps as protobufjs reads them, whatever the field order', () => {
  // orig_cl_ord_id (a length-delimited field skipped) comes before exec_type in tag order
  const er = { order_id: 77, cl_ord_id: 'an123', orig_cl_ord_id: 'an122', exec_id: 9, exec_type: 4, ord_status: 4, symbol: 'BENCH-USD', side: 2, price: 100_001, order_qty: 100, text: 'why', transact_time: 1_795_281_737_341_299 };
  const sendingTime = 1_795_281_737_341_304;
  for (const bytes of [executionReportFrame(er, sendingTime), encodeEnvelope({ sending_time_us: sendingTime, execution_report: er })]) {
    // the gateway numbers a shared frame by prepending msg_seq_num; do the same
    const numbered = Buffer.concat([encodeEnvelope({ msg_seq_num: 123_456_789 }), bytes]);
    assert.ok(readFrame(numbered));
    assert.equal(frame.seq, 123_456_789);
    assert.equal(frame.body, ENVELOPE_EXECUTION_REPORT);
    assert.equal(frame.execType, 4);
    assert.equal(frame.transactTime, er.transact_time);
    // µs since the epoch are well below 2^53: read exactly
    assert.equal(frame.sendingTime, sendingTime);
    assert.ok(clOrdIdIs('an123'));
    assert.ok(!clOrdIdIs('an12'));
    assert.ok(!clOrdIdIs('an124'));
    assert.equal(decode(numbered).msg_seq_num, 123_456_789);
  }
});

test('other bodies are named by field number, and truncated bytes are refused', () => {
  const hb = encodeEnvelope({ msg_seq_num: 5, heartbeat: { test_req_id: 'abc' } });
  assert.ok(readFrame(Buffer.from(hb)));
  assert.equal(frame.seq, 5);
  assert.equal(frame.body, 12); // Envelope.heartbeat
  const report = encodeEnvelope({ msg_seq_num: 6, execution_report: { cl_ord_id: 'abcdef', exec_type: 1 } });
  assert.ok(!readFrame(Buffer.from(report).subarray(0, report.length - 2)));
});
