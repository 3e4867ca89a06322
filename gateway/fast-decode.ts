// A hand-written decoder for the hottest inbound messages: an Envelope
// carrying NewOrderSingle, OrderCancelRequest, OrderCancelReplaceRequest or
// MassQuote. protobufjs builds a reader, an Envelope, the body and a LongBits
// per 64-bit field for every frame, and its `body` oneof getter allocates an
// Object.keys array on each read: ~850 of the ~3,700 bytes the server
// allocated per order in the gateway bench, and allocation sets how often the
// young-generation GC runs. This reads the proto3 wire format straight from
// the Buffer into objects reused from one frame to the next.
//
// The rule: whenever fastDecode returns an envelope, protobufjs would have
// decoded the same bytes to the same field values. It answers null — and the
// caller decodes with protobufjs, whose errors and rejects are the contract's
// — for any other body, a frame without a body or with two, a known field with
// an unexpected wire type, a group, anything truncated or running past its
// message, and for varints protobufjs reads in its own way. Unknown fields
// are skipped as protobufjs skips them. It never throws on input.
//
// Field numbers and types must match proto/makerbench.proto: they are checked
// against the loaded contract when this module loads (a mismatch throws at
// start-up), and test/gateway-fast-decode.test.ts compares both decoders.
import { EnvelopeType } from './wire.ts';

/**
 * Whether sessions use this decoder: off with MAKERBENCH_FAST_DECODE=0 (every
 * frame then goes through protobufjs — an escape hatch, and the A side of an
 * A/B measurement), or with setFastDecode(false).
 */
export let fastDecodeOn = process.env.MAKERBENCH_FAST_DECODE !== '0';

/** Turns the fast path on or off for every session (tests compare both). */
export function setFastDecode(on: boolean): void {
  fastDecodeOn = on;
}

// ---- the decoded shapes (proto field names; int64/uint64 as numbers, as protobufjs without Long) ----

export type FastNewOrderSingle = {
  cl_ord_id: string; symbol: string; side: number; ord_type: number; time_in_force: number;
  price: number; order_qty: number; expire_time: number; post_only: boolean; stp_mode: number; imbalance_only: boolean;
  stop_px: number; display_qty: number; post_only_slide: boolean;
};
export type FastOrderCancelRequest = { cl_ord_id: string; orig_cl_ord_id: string; order_id: number; symbol: string };
export type FastOrderCancelReplaceRequest = {
  cl_ord_id: string; orig_cl_ord_id: string; order_id: number; symbol: string; price: number; order_qty: number;
};
export type FastMassQuote = { quote_id: string; symbol: string; bid_px: number; bid_size: number; offer_px: number; offer_size: number; mmp_reset: boolean };

type Header = { msg_seq_num: number; sending_time_us: number; poss_dup: boolean };

/** A decoded envelope: the header, `body` naming the message, and the message under that name (as protobufjs decodes it). */
export type FastEnvelope =
  | (Header & { body: 'new_order_single'; new_order_single: FastNewOrderSingle })
  | (Header & { body: 'order_cancel_request'; order_cancel_request: FastOrderCancelRequest })
  | (Header & { body: 'order_cancel_replace_request'; order_cancel_replace_request: FastOrderCancelReplaceRequest })
  | (Header & { body: 'mass_quote'; mass_quote: FastMassQuote });

// One envelope and one message per kind, overwritten by every decode: a result
// is valid until the next call, and a caller copies what it keeps (strings are
// immutable values; the engine copies command fields into its own orders).
const NOS: FastNewOrderSingle = {
  cl_ord_id: '', symbol: '', side: 0, ord_type: 0, time_in_force: 0, price: 0, order_qty: 0, expire_time: 0, post_only: false, stp_mode: 0,
  imbalance_only: false, stop_px: 0, display_qty: 0, post_only_slide: false,
};
const OCR: FastOrderCancelRequest = { cl_ord_id: '', orig_cl_ord_id: '', order_id: 0, symbol: '' };
const OCRR: FastOrderCancelReplaceRequest = { cl_ord_id: '', orig_cl_ord_id: '', order_id: 0, symbol: '', price: 0, order_qty: 0 };
const MQ: FastMassQuote = { quote_id: '', symbol: '', bid_px: 0, bid_size: 0, offer_px: 0, offer_size: 0, mmp_reset: false };
const ENV_NOS: FastEnvelope = { msg_seq_num: 0, sending_time_us: 0, poss_dup: false, body: 'new_order_single', new_order_single: NOS };
const ENV_OCR: FastEnvelope = { msg_seq_num: 0, sending_time_us: 0, poss_dup: false, body: 'order_cancel_request', order_cancel_request: OCR };
const ENV_OCRR: FastEnvelope = {
  msg_seq_num: 0, sending_time_us: 0, poss_dup: false, body: 'order_cancel_replace_request', order_cancel_replace_request: OCRR,
};
const ENV_MQ: FastEnvelope = { msg_seq_num: 0, sending_time_us: 0, poss_dup: false, body: 'mass_quote', mass_quote: MQ };

// ---- field numbers (proto/makerbench.proto) ----

const F_MSG_SEQ_NUM = 1; // uint64
const F_SENDING_TIME = 4; // int64
const F_POSS_DUP = 3; // bool
const F_NEW_ORDER_SINGLE = 20;
const F_ORDER_CANCEL_REQUEST = 21;
const F_ORDER_CANCEL_REPLACE_REQUEST = 22;
const F_MASS_QUOTE = 24;

const WIRE_VARINT = 0;
const WIRE_LEN = 2;

// ---- the reader: one frame at a time, module state (no object per frame) ----

const EMPTY = Buffer.alloc(0);
let buf: Buffer = EMPTY;
let pos = 0;
/** false once something was not what the fast path handles: the caller falls back to protobufjs */
let ok = true;

function fail(): number {
  ok = false;
  return 0;
}

/**
 * protobufjs's uint32 (tags, lengths, enums, bools): the low 32 bits of a
 * varint of at most 5 bytes, or of exactly 10 (a negative int32: protobufjs
 * reads five bytes and steps over five more unread, so any other length would
 * leave it somewhere else). Every byte must lie before `end`.
 */
function u32(end: number): number {
  if (pos >= end) return fail();
  let b = buf[pos++];
  if (b < 128) return b; // the common case: one byte
  let v = b & 127;
  for (let shift = 7; shift < 28; shift += 7) {
    if (pos >= end) return fail();
    b = buf[pos++];
    v |= (b & 127) << shift;
    if (b < 128) return v >>> 0;
  }
  if (pos >= end) return fail();
  b = buf[pos++];
  v = (v | ((b & 15) << 28)) >>> 0;
  if (b < 128) return v;
  for (let i = 0; i < 5; i++) {
    if (pos >= end) return fail();
    b = buf[pos++];
    if (b < 128) return i === 4 ? v : fail();
  }
  return fail();
}

const TWO_32 = 4294967296;

/**
 * protobufjs's int64 / uint64 without Long: a varint of at most 10 bytes, its
 * low and high 32 bits (only bit 0 of a tenth byte counts) → a number.
 */
function long(end: number, unsigned: boolean): number {
  if (pos >= end) return fail();
  let b = buf[pos++];
  if (b < 128) return b;
  let lo = b & 127;
  for (let shift = 7; shift < 28; shift += 7) {
    if (pos >= end) return fail();
    b = buf[pos++];
    lo |= (b & 127) << shift;
    if (b < 128) return lo; // < 2^28: no sign bit
  }
  if (pos >= end) return fail();
  b = buf[pos++];
  lo = (lo | ((b & 127) << 28)) >>> 0;
  let hi = (b & 127) >> 4;
  if (b >= 128) {
    for (let shift = 3; ; shift += 7) {
      if (shift > 31) return fail(); // an 11th byte: protobufjs throws
      if (pos >= end) return fail();
      b = buf[pos++];
      hi = (hi | ((b & 127) << shift)) >>> 0;
      if (b < 128) break;
    }
  }
  // LongBits.toNumber
  if (!unsigned && hi >>> 31) {
    const l = (~lo + 1) >>> 0;
    let h = ~hi >>> 0;
    if (!l) h = (h + 1) >>> 0;
    return -(l + h * TWO_32);
  }
  return lo + hi * TWO_32;
}

interface Utf8Slicer { utf8Slice(start: number, end: number): string }
const hasUtf8Slice = typeof (Buffer.prototype as unknown as Partial<Utf8Slicer>).utf8Slice === 'function';

/** A length-delimited field's bytes, inside `end`: where they start (pos moves past them), or -1. */
function delimited(end: number): number {
  const len = u32(end);
  if (!ok || len > end - pos) return fail() - 1;
  const start = pos;
  pos += len;
  return start;
}

/** Bytes as a string, as protobufjs's BufferReader reads them (Node's UTF-8 decoding, replacement characters and all). */
function utf8(start: number, stop: number): string {
  if (start === stop) return '';
  return hasUtf8Slice ? (buf as unknown as Utf8Slicer).utf8Slice(start, stop) : buf.toString('utf8', start, stop);
}

function str(end: number): string {
  const start = delimited(end);
  return start < 0 ? '' : utf8(start, pos);
}

// Symbols repeat on every order: the last few are kept with their bytes, and
// the same bytes give back the same string instead of a new one.
const SYMBOL_CACHE_SIZE = 16;
const SYMBOL_MAX_BYTES = 32;
const symbolBytes: Buffer[] = [];
const symbolStrings: string[] = [];
let symbolNext = 0;

function symbol(end: number): string {
  const start = delimited(end);
  if (start < 0 || start === pos) return '';
  const len = pos - start;
  for (let i = 0; i < symbolBytes.length; i++) {
    const s = symbolBytes[i];
    if (s.length !== len) continue;
    let k = 0;
    while (k < len && s[k] === buf[start + k]) k++;
    if (k === len) return symbolStrings[i];
  }
  const v = utf8(start, pos);
  if (len <= SYMBOL_MAX_BYTES) {
    const i = symbolNext;
    symbolNext = (symbolNext + 1) % SYMBOL_CACHE_SIZE;
    symbolBytes[i] = Buffer.from(buf.subarray(start, pos)); // a copy: the frame's buffer is not ours to keep
    symbolStrings[i] = v;
  }
  return v;
}

/** Steps over an unknown field as protobufjs's skipType does; groups (and wire types 4, 6, 7) are left to protobufjs. */
function skip(wire: number, end: number): void {
  switch (wire) {
    case 0:
      for (;;) {
        if (pos >= end) return void fail();
        if (buf[pos++] < 128) return;
      }
    case 1:
      if (end - pos < 8) return void fail();
      pos += 8;
      return;
    case 2:
      delimited(end);
      return;
    case 5:
      if (end - pos < 4) return void fail();
      pos += 4;
      return;
    default:
      fail();
  }
}

// ---- the messages ----
// protobufjs reads a known field by its declared type whatever its wire type
// says; a mismatch is left to it (ok = false). A repeated scalar: the last wins.

function newOrderSingle(m: FastNewOrderSingle, end: number): void {
  m.cl_ord_id = ''; m.symbol = ''; m.side = 0; m.ord_type = 0; m.time_in_force = 0;
  m.price = 0; m.order_qty = 0; m.expire_time = 0; m.post_only = false; m.stp_mode = 0; m.imbalance_only = false;
  m.stop_px = 0; m.display_qty = 0; m.post_only_slide = false;
  while (ok && pos < end) {
    const t = u32(end);
    if (!ok) return;
    const wire = t & 7;
    switch (t >>> 3) {
      case 1: if (wire !== WIRE_LEN) return void fail(); m.cl_ord_id = str(end); break;
      case 2: if (wire !== WIRE_LEN) return void fail(); m.symbol = symbol(end); break;
      case 3: if (wire !== WIRE_VARINT) return void fail(); m.side = u32(end) | 0; break;
      case 4: if (wire !== WIRE_VARINT) return void fail(); m.ord_type = u32(end) | 0; break;
      case 5: if (wire !== WIRE_VARINT) return void fail(); m.time_in_force = u32(end) | 0; break;
      case 6: if (wire !== WIRE_VARINT) return void fail(); m.price = long(end, false); break;
      case 7: if (wire !== WIRE_VARINT) return void fail(); m.order_qty = long(end, false); break;
      case 8: if (wire !== WIRE_VARINT) return void fail(); m.expire_time = long(end, false); break;
      case 9: if (wire !== WIRE_VARINT) return void fail(); m.post_only = u32(end) !== 0; break;
      case 10: if (wire !== WIRE_VARINT) return void fail(); m.stp_mode = u32(end) | 0; break;
      case 20: if (wire !== WIRE_VARINT) return void fail(); m.imbalance_only = u32(end) !== 0; break;
      case 30: if (wire !== WIRE_VARINT) return void fail(); m.stop_px = long(end, false); break;
      case 31: if (wire !== WIRE_VARINT) return void fail(); m.display_qty = long(end, false); break;
      case 32: if (wire !== WIRE_VARINT) return void fail(); m.post_only_slide = u32(end) !== 0; break;
      default: skip(wire, end);
    }
  }
}

/** OrderCancelRequest (fields 1–4) and OrderCancelReplaceRequest (the same, plus 5 price and 6 order_qty). */
function orderRef(m: FastOrderCancelRequest | FastOrderCancelReplaceRequest, end: number, replace: FastOrderCancelReplaceRequest | null): void {
  m.cl_ord_id = ''; m.orig_cl_ord_id = ''; m.order_id = 0; m.symbol = '';
  if (replace) replace.price = replace.order_qty = 0;
  while (ok && pos < end) {
    const t = u32(end);
    if (!ok) return;
    const wire = t & 7;
    const field = t >>> 3;
    switch (field) {
      case 1: if (wire !== WIRE_LEN) return void fail(); m.cl_ord_id = str(end); break;
      case 2: if (wire !== WIRE_LEN) return void fail(); m.orig_cl_ord_id = str(end); break;
      case 3: if (wire !== WIRE_VARINT) return void fail(); m.order_id = long(end, true); break;
      case 4: if (wire !== WIRE_LEN) return void fail(); m.symbol = symbol(end); break;
      case 5: case 6:
        if (!replace) {
          skip(wire, end);
          break;
        }
        if (wire !== WIRE_VARINT) return void fail();
        if (field === 5) replace.price = long(end, false);
        else replace.order_qty = long(end, false);
        break;
      default: skip(wire, end);
    }
  }
}

function massQuote(m: FastMassQuote, end: number): void {
  m.quote_id = ''; m.symbol = ''; m.bid_px = 0; m.bid_size = 0; m.offer_px = 0; m.offer_size = 0; m.mmp_reset = false;
  while (ok && pos < end) {
    const t = u32(end);
    if (!ok) return;
    const wire = t & 7;
    switch (t >>> 3) {
      case 1: if (wire !== WIRE_LEN) return void fail(); m.quote_id = str(end); break;
      case 2: if (wire !== WIRE_LEN) return void fail(); m.symbol = symbol(end); break;
      case 3: if (wire !== WIRE_VARINT) return void fail(); m.bid_px = long(end, false); break;
      case 4: if (wire !== WIRE_VARINT) return void fail(); m.bid_size = long(end, false); break;
      case 5: if (wire !== WIRE_VARINT) return void fail(); m.offer_px = long(end, false); break;
      case 6: if (wire !== WIRE_VARINT) return void fail(); m.offer_size = long(end, false); break;
      case 40: if (wire !== WIRE_VARINT) return void fail(); m.mmp_reset = long(end, false) !== 0; break;
      default: skip(wire, end);
    }
  }
}

// Envelope field numbers protobufjs knows (so does not skip): the header and every body.
const KNOWN_ENVELOPE_FIELD = new Uint8Array(64);
for (const f of EnvelopeType.fieldsArray) {
  if (f.id >= KNOWN_ENVELOPE_FIELD.length) throw new Error(`fast-decode: Envelope field ${f.name} = ${f.id} is beyond its table`);
  KNOWN_ENVELOPE_FIELD[f.id] = 1;
}

/**
 * Decodes one inbound frame if it is a hot order message, else null (decode
 * it with protobufjs). The envelope and its message are reused: valid until
 * the next call. Never throws.
 */
export function fastDecode(bytes: Buffer): FastEnvelope | null {
  buf = bytes;
  pos = 0;
  ok = true;
  const end = bytes.length;
  let seq = 0;
  let time = 0;
  let dup = false;
  let env: FastEnvelope | null = null;
  while (ok && pos < end) {
    const t = u32(end);
    if (!ok) break;
    const wire = t & 7;
    const field = t >>> 3;
    if (field === F_MSG_SEQ_NUM) {
      if (wire !== WIRE_VARINT) fail();
      else seq = long(end, true);
    } else if (field === F_SENDING_TIME) {
      if (wire !== WIRE_VARINT) fail();
      else time = long(end, false);
    } else if (field === F_POSS_DUP) {
      if (wire !== WIRE_VARINT) fail();
      else dup = u32(end) !== 0;
    } else if (field < KNOWN_ENVELOPE_FIELD.length && KNOWN_ENVELOPE_FIELD[field] === 1) {
      // a body: exactly one, of a kind handled here, length-delimited and inside the frame
      if (env !== null || wire !== WIRE_LEN) {
        fail();
        break;
      }
      const len = u32(end);
      if (!ok || len > end - pos) {
        fail();
        break;
      }
      const stop = pos + len;
      switch (field) {
        case F_NEW_ORDER_SINGLE: env = ENV_NOS; newOrderSingle(NOS, stop); break;
        case F_ORDER_CANCEL_REQUEST: env = ENV_OCR; orderRef(OCR, stop, null); break;
        case F_ORDER_CANCEL_REPLACE_REQUEST: env = ENV_OCRR; orderRef(OCRR, stop, OCRR); break;
        case F_MASS_QUOTE: env = ENV_MQ; massQuote(MQ, stop); break;
        default: fail();
      }
    } else {
      skip(wire, end);
    }
  }
  buf = EMPTY; // do not hold on to the frame
  if (!ok || env === null) return null;
  env.msg_seq_num = seq;
  env.sending_time_us = time;
  env.poss_dup = dup;
  return env;
}

// ---- the contract check, at load ----

type Kind = 'string' | 'int64' | 'uint64' | 'bool' | 'enum';

const LAYOUT: Record<string, { id: number; fields: Record<string, [number, Kind]> }> = {
  new_order_single: {
    id: F_NEW_ORDER_SINGLE,
    fields: {
      cl_ord_id: [1, 'string'], symbol: [2, 'string'], side: [3, 'enum'], ord_type: [4, 'enum'], time_in_force: [5, 'enum'],
      price: [6, 'int64'], order_qty: [7, 'int64'], expire_time: [8, 'int64'], post_only: [9, 'bool'], stp_mode: [10, 'enum'],
      imbalance_only: [20, 'bool'], stop_px: [30, 'int64'], display_qty: [31, 'int64'], post_only_slide: [32, 'bool'],
    },
  },
  order_cancel_request: {
    id: F_ORDER_CANCEL_REQUEST,
    fields: { cl_ord_id: [1, 'string'], orig_cl_ord_id: [2, 'string'], order_id: [3, 'uint64'], symbol: [4, 'string'] },
  },
  order_cancel_replace_request: {
    id: F_ORDER_CANCEL_REPLACE_REQUEST,
    fields: {
      cl_ord_id: [1, 'string'], orig_cl_ord_id: [2, 'string'], order_id: [3, 'uint64'], symbol: [4, 'string'],
      price: [5, 'int64'], order_qty: [6, 'int64'],
    },
  },
  mass_quote: {
    id: F_MASS_QUOTE,
    fields: {
      quote_id: [1, 'string'], symbol: [2, 'string'], bid_px: [3, 'int64'], bid_size: [4, 'int64'], offer_px: [5, 'int64'], offer_size: [6, 'int64'],
      mmp_reset: [40, 'bool'],
    },
  },
};

const HEADER: Record<string, [number, Kind]> = { msg_seq_num: [F_MSG_SEQ_NUM, 'uint64'], sending_time_us: [F_SENDING_TIME, 'int64'], poss_dup: [F_POSS_DUP, 'bool'] };

interface ReflectedField { name: string; id: number; type: string; repeated: boolean; resolvedType: unknown; resolve(): unknown; partOf?: unknown }

function kindOf(f: ReflectedField): string {
  f.resolve();
  const rt = f.resolvedType as { values?: unknown } | null;
  if (rt && typeof rt === 'object' && 'values' in rt) return 'enum';
  return f.repeated ? `repeated ${f.type}` : f.type;
}

/** Throws if proto/makerbench.proto no longer says what this decoder assumes. */
function checkContract(): void {
  const wrong = (what: string): never => {
    throw new Error(`gateway/fast-decode.ts does not match proto/makerbench.proto: ${what}`);
  };
  const fieldsOf = (type: { fieldsArray: ReflectedField[] }): Map<string, ReflectedField> => new Map(type.fieldsArray.map((f) => [f.name, f]));
  const env = fieldsOf(EnvelopeType as unknown as { fieldsArray: ReflectedField[] });
  for (const [name, [id, kind]] of Object.entries(HEADER)) {
    const f = env.get(name);
    if (!f || f.id !== id || kindOf(f) !== kind) wrong(`Envelope.${name}`);
  }
  for (const [body, { id, fields }] of Object.entries(LAYOUT)) {
    const f = env.get(body);
    if (!f || f.id !== id || !f.partOf) wrong(`Envelope.${body}`);
    const type = (f as ReflectedField).resolvedType as { name: string; fieldsArray: ReflectedField[] } | null;
    if (!type || !Array.isArray(type.fieldsArray)) return wrong(`Envelope.${body} is not a message`);
    if (type.fieldsArray.length !== Object.keys(fields).length) wrong(`${type.name} has ${type.fieldsArray.length} fields`);
    for (const g of type.fieldsArray) {
      const want = fields[g.name];
      if (!want || want[0] !== g.id || want[1] !== kindOf(g)) wrong(`${type.name}.${g.name} = ${g.id} (${kindOf(g)})`);
    }
  }
}

checkContract();
