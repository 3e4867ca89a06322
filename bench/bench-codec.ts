// The bench client's own protobuf codec for the only messages it sends and
// reads in steady state: NewOrderSingle and OrderCancelRequest out, and the
// ExecutionReport answering each, read in place. protobufjs built a full
// object per report and per order; on the shared 2-core machine that cost
// (the client's scavenges and send lag) showed up in the very latency being
// measured. Field numbers are proto/makerbench.proto's; the bench's
// decodeEnvelope fallback (any other body) and test/bench-codec.test.ts check
// these bytes against protobufjs.

const ENVELOPE_MSG_SEQ_NUM = 1;
const ENVELOPE_NEW_ORDER_SINGLE = 20;
const ENVELOPE_ORDER_CANCEL_REQUEST = 21;
export const ENVELOPE_EXECUTION_REPORT = 30;
const ER_CL_ORD_ID = 2;
const ER_EXEC_TYPE = 5;
const ER_TRANSACT_TIME = 23;
const ENVELOPE_SENDING_TIME = 4;

const scratch = Buffer.allocUnsafe(1024);
let pos = 0;

function varint(n: number): void {
  while (n > 127) {
    scratch[pos++] = (n % 128) | 128;
    n = Math.floor(n / 128);
  }
  scratch[pos++] = n;
}

function key(field: number, wireType: number): void {
  varint(field * 8 + wireType);
}

function intField(field: number, v: number): void {
  if (v === 0) return;
  key(field, 0);
  varint(v);
}

/** ASCII only (the bench's ids and symbol). */
function stringField(field: number, s: string): void {
  key(field, 2);
  varint(s.length);
  for (let i = 0; i < s.length; i++) scratch[pos++] = s.charCodeAt(i);
}

/** Wraps what was written from `bodyStart` as the Envelope's body field `field`, behind msg_seq_num; returns a fresh Buffer. */
function envelope(seq: number, field: number, bodyStart: number): Buffer {
  const body = scratch.subarray(bodyStart, pos);
  const head = pos;
  intField(ENVELOPE_MSG_SEQ_NUM, seq);
  key(field, 2);
  varint(body.length);
  const out = Buffer.allocUnsafe(pos - head + body.length);
  scratch.copy(out, 0, head, pos);
  body.copy(out, pos - head);
  return out;
}

export interface BenchOrder {
  clOrdId: string;
  symbol: string;
  side: number;
  price: number;
  qty: number;
}

/** Envelope{msg_seq_num, new_order_single: a GTC limit order}. */
export function encodeNewOrder(seq: number, o: BenchOrder): Buffer {
  pos = 0;
  stringField(1, o.clOrdId);
  stringField(2, o.symbol);
  intField(3, o.side);
  intField(4, 2); // ORD_TYPE_LIMIT
  intField(5, 1); // TIME_IN_FORCE_GTC
  intField(6, o.price);
  intField(7, o.qty);
  return envelope(seq, ENVELOPE_NEW_ORDER_SINGLE, 0);
}

/** Envelope{msg_seq_num, order_cancel_request}. */
export function encodeCancel(seq: number, clOrdId: string, origClOrdId: string, symbol: string): Buffer {
  pos = 0;
  stringField(1, clOrdId);
  stringField(2, origClOrdId);
  stringField(4, symbol);
  return envelope(seq, ENVELOPE_ORDER_CANCEL_REQUEST, 0);
}

/** What readFrame found: read these right after the call (they are overwritten by the next). */
export const frame = {
  seq: 0,
  /** the Envelope's body field number, 0 if none */
  body: 0,
  /** ExecutionReport only: exec_type and where cl_ord_id's bytes are */
  execType: 0,
  clOrdIdStart: 0,
  clOrdIdEnd: 0,
  /** the Envelope's sending_time_us (µs since the epoch) */
  sendingTime: 0,
  /** ExecutionReport only: transact_time (µs since the epoch) */
  transactTime: 0,
};

let buf: Buffer = scratch;
let at = 0;

function readVarint(): number {
  let v = 0;
  let mul = 1;
  let b: number;
  do {
    b = buf[at++];
    v += (b & 127) * mul;
    mul *= 128;
  } while (b & 128 && at < buf.length);
  return v;
}

function skip(wireType: number): void {
  if (wireType === 0) readVarint();
  else if (wireType === 1) at += 8;
  else if (wireType === 2) {
    const len = readVarint(); // first: `at += readVarint()` would add to `at` as it was before the length's bytes
    at += len;
  }
  else if (wireType === 5) at += 4;
  else at = buf.length; // groups are not in the contract: stop
}

/**
 * Reads an Envelope's msg_seq_num, sending_time_us and body field, and for an
 * ExecutionReport its exec_type, transact_time and cl_ord_id position,
 * without allocating. False if the frame is malformed (the caller falls back
 * to protobufjs for the details).
 */
export function readFrame(b: Buffer): boolean {
  buf = b;
  at = 0;
  frame.seq = frame.body = frame.execType = frame.clOrdIdStart = frame.clOrdIdEnd = frame.sendingTime = frame.transactTime = 0;
  let bodyEnd = 0;
  while (at < b.length) {
    const k = readVarint();
    const field = Math.floor(k / 8);
    const wt = k & 7;
    if (field === ENVELOPE_MSG_SEQ_NUM && wt === 0) frame.seq = readVarint();
    else if (field === ENVELOPE_SENDING_TIME && wt === 0) frame.sendingTime = readVarint();
    else if (field >= 10 && wt === 2) {
      frame.body = field;
      const len = readVarint();
      bodyEnd = at + len;
      if (field === ENVELOPE_EXECUTION_REPORT) readExecutionReport(bodyEnd);
      at = bodyEnd;
    } else skip(wt);
  }
  return at === b.length;
}

function readExecutionReport(end: number): void {
  while (at < end) {
    const k = readVarint();
    const field = Math.floor(k / 8);
    const wt = k & 7;
    if (field === ER_EXEC_TYPE && wt === 0) frame.execType = readVarint();
    else if (field === ER_TRANSACT_TIME && wt === 0) frame.transactTime = readVarint();
    else if (field === ER_CL_ORD_ID && wt === 2) {
      const len = readVarint();
      frame.clOrdIdStart = at;
      frame.clOrdIdEnd = at += len;
    } else skip(wt);
  }
}

/** Whether the last frame's cl_ord_id bytes spell `id` (ASCII). */
export function clOrdIdIs(id: string): boolean {
  const { clOrdIdStart: s, clOrdIdEnd: e } = frame;
  if (e - s !== id.length) return false;
  for (let i = 0; i < id.length; i++) if (buf[s + i] !== id.charCodeAt(i)) return false;
  return true;
}
