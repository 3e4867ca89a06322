// The wire codec: one binary protobuf Envelope per WebSocket frame. The
// contract lives in proto/makerbench.proto and is loaded at start-up with
// protobufjs reflection. int64 fields travel as JS numbers: every int64 the
// exchange sends is a safe integer by construction (instrument limits are
// validated so), and larger money totals are sent as decimal strings.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import type { RawData } from 'ws';
import { executionReportFrame } from './fast-encode.ts';

// Without Long, protobufjs reads and writes 64-bit fields as plain numbers.
(protobuf.util as { Long: unknown }).Long = undefined;
protobuf.configure();

export const PROTO_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../proto/makerbench.proto');

// keepCase: field names stay snake_case, as in the contract.
const root = new protobuf.Root().loadSync(PROTO_FILE, { keepCase: true });
export const EnvelopeType = root.lookupType('makerbench.v1.Envelope');

/**
 * Generates every message type's encoder and decoder now, once per process.
 * protobufjs writes them on a type's first use: a server doing that while
 * trading stalls its event loop the first time a message of a new type comes
 * or goes (a market-data client's first requests, refusals and Logout cost
 * order entry ~17 ms of code generation in one go). startServer calls it
 * before it listens (~60 ms, at boot).
 */
export function warmCodecs(): void {
  if (warmed) return;
  warmed = true;
  const visit = (ns: protobuf.NamespaceBase): void => {
    for (const o of ns.nestedArray) {
      if (o instanceof protobuf.Type) o.setup();
      if (o instanceof protobuf.Namespace) visit(o);
    }
  };
  visit(root);
}
let warmed = false;

/** The names of the Envelope's `body` oneof, e.g. 'new_order_single'. */
export const BODY_NAMES: readonly string[] = EnvelopeType.oneofs.body.oneof;

/** Enum values by name, e.g. enumValues('Side').SIDE_BUY === 1. */
export function enumValues(name: string): Record<string, number> {
  return root.lookupEnum(`makerbench.v1.${name}`).values;
}

/** A decoded envelope: header fields plus exactly one body message under its field name. */
export interface Envelope {
  msg_seq_num: number;
  sending_time_us: number;
  poss_dup: boolean;
  /** the name of the body field that is set, or undefined if none is */
  body?: string;
  [message: string]: unknown;
}

export type Decoded = { ok: true; env: Envelope } | { ok: false; error: string };

export function decodeEnvelope(bytes: Uint8Array): Decoded {
  try {
    const msg = EnvelopeType.decode(bytes) as unknown as Envelope;
    return { ok: true, env: msg };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

/** Encodes a plain object { msg_seq_num, sending_time_us, poss_dup?, <body name>: {...} }. */
export function encodeEnvelope(env: Record<string, unknown>): Uint8Array {
  return EnvelopeType.encode(env).finish();
}

/** Microseconds since the epoch: the wire's one unit of time (Envelope.sending_time_us). */
export function nowMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1e3);
}

/** SessionRejectReason numbers of the contract, for the frame checks every endpoint shares. */
export const SessionRejectReason = {
  NOT_BINARY: 1, DECODE_ERROR: 2, FRAME_TOO_LARGE: 3, EMPTY_BODY: 4, MISSING_FIELD: 5, INVALID_VALUE: 6,
  NOT_LOGGED_ON: 7, SEQ_TOO_LOW: 8, WRONG_ENDPOINT: 9,
} as const;

/** LogoutReason numbers of the contract: why a session ended (Logout.reason). */
export const LogoutReason = {
  CLIENT_LOGOUT: 1, UNKNOWN_API_KEY: 2, BANNED: 3, ALREADY_LOGGED_ON: 4, NOT_LOGGED_ON: 5, SEQ_TOO_LOW: 6,
  TOO_MANY_REJECTS: 7, HEARTBEAT_TIMEOUT: 8, SERVER_SHUTDOWN: 9, RATE_LIMIT: 10, LOGON_TIMEOUT: 11,
  AUTH_BLOCKED: 12,
} as const;

/** An inbound frame: a decoded Envelope with a body, or why it is refused (reason, text, ref seq). */
export type Frame = { ok: true; env: Envelope & { body: string } } | { ok: false; reason: number; text: string; refSeq: number };

/** The checks every WebSocket endpoint applies to a frame before looking at its message. */
export function readFrame(data: RawData, isBinary: boolean, maxBytes: number): Frame {
  const R = SessionRejectReason;
  if (!isBinary) return { ok: false, reason: R.NOT_BINARY, text: 'frames must be binary protobuf Envelopes', refSeq: 0 };
  const bytes = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data;
  if (bytes.length > maxBytes) {
    return { ok: false, reason: R.FRAME_TOO_LARGE, text: `frame of ${bytes.length} bytes exceeds ${maxBytes}`, refSeq: peekSeq(bytes) };
  }
  const d = decodeEnvelope(bytes);
  if (!d.ok) return { ok: false, reason: R.DECODE_ERROR, text: `undecodable Envelope: ${d.error}`, refSeq: peekSeq(bytes) };
  if (!d.env.body) {
    return { ok: false, reason: R.EMPTY_BODY, text: 'Envelope carries no message (or one this server does not know)', refSeq: d.env.msg_seq_num };
  }
  return { ok: true, env: d.env as Envelope & { body: string } };
}

/** Sequence numbers are safe integers: a larger one cannot be counted on (n + 1 === n past 2^53). */
export const MAX_SEQ = Number.MAX_SAFE_INTEGER;

/**
 * The msg_seq_num of a frame that cannot be decoded whole (too large, broken
 * further on), when it leads the frame as encoders write it; 0 = unknown. A
 * Reject then names the frame it refuses, never the one before.
 */
export function peekSeq(bytes: Uint8Array): number {
  if (bytes.length < 2 || bytes[0] !== 0x08) return 0;
  let v = 0;
  let scale = 1;
  for (let i = 1; i < Math.min(bytes.length, 9); i++) {
    const b = bytes[i];
    v += (b & 0x7f) * scale;
    if (b < 0x80) return v <= MAX_SEQ ? v : 0;
    scale *= 0x80;
  }
  return 0;
}

/**
 * An Envelope without its msg_seq_num, encoded once: a message is stored and
 * resent, or fanned out to many connections, as these bytes.
 */
export function sharedFrame(body: string, msg: Record<string, unknown>): Uint8Array {
  // The hottest message has a hand-written encoder (fast-encode.ts); the rest go through protobufjs.
  if (body === 'execution_report') return executionReportFrame(msg, nowMicros());
  return encodeEnvelope({ sending_time_us: nowMicros(), [body]: msg });
}

/**
 * A shared frame with this connection's msg_seq_num (and poss_dup) written in
 * front: protobuf merges concatenated encodings of one message, so the result
 * decodes as a single Envelope.
 */
export function numbered(seq: number, shared: Uint8Array, possDup = false): Buffer {
  // the exact size up front: one buffer (from Node's pool), no subarray view
  const out = Buffer.allocUnsafe(numberedHeaderLength(seq, possDup) + shared.length);
  out.set(shared, writeNumberedHeader(out, 0, seq, possDup));
  return out;
}

/** Bytes of the msg_seq_num (and poss_dup) fields that numbered() puts in front of a shared frame. */
export function numberedHeaderLength(seq: number, possDup: boolean): number {
  return 1 + varintLength(seq) + (possDup ? 2 : 0);
}

/** Writes those fields at `i`; returns where the shared frame goes. */
export function writeNumberedHeader(out: Uint8Array, i: number, seq: number, possDup: boolean): number {
  out[i++] = 0x08; // field 1 (msg_seq_num), varint
  i = writeVarint(out, i, seq);
  if (possDup) {
    out[i++] = 0x18; // field 3 (poss_dup), varint
    out[i++] = 1;
  }
  return i;
}

/** Bytes of `v` (a safe integer ≥ 0) as a protobuf varint. */
export function varintLength(v: number): number {
  let n = 1;
  for (; v >= 0x80; v = Math.floor(v / 0x80)) n++;
  return n;
}

/** Writes `v` (a safe integer ≥ 0) as a protobuf varint at `i`; returns the index after it. */
export function writeVarint(out: Uint8Array, i: number, v: number): number {
  // division, not bit shifts: values may pass 2^31
  while (v >= 0x80) {
    out[i++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  out[i++] = v;
  return i;
}
