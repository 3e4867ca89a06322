// The journal's record format. A record is
//
//   u32 payload length | u32 CRC32C of the payload | payload
//   payload = f64 seq | f64 exchange time (µs) | u8 kind | values…
//
// Values are tagged so any JS value a command can carry comes back exactly as
// it went in (a bad field must replay into the same typed reject): numbers as
// f64 (NaN, ±Infinity and -0 included), strings as UTF-8 (UTF-16 code units
// when not well formed), booleans, undefined, null, and JSON for the rare
// object-valued fields of admin commands. Little-endian throughout.
import { crc32c } from '@node-rs/crc32';

/** What a record holds: one command into the exchange (or a marker). */
export const RecordKind = {
  NEW_ORDER: 1,
  CANCEL: 2,
  REPLACE: 3,
  MASS_CANCEL: 4,
  MASS_QUOTE: 5,
  QUOTE_CANCEL: 6,
  SET_PHASE: 7,
  KILL_SWITCH: 8,
  SET_REFERENCE: 9,
  SET_STRESS: 10,
  TICK: 11,
  CREATE_ACCOUNT: 12,
  SET_FEE_TIER: 13,
  /** a point recovery can name (admin request); changes nothing */
  CHECKPOINT: 14,
  /** order-entry sessions: a session state begun or reset; a stored non-report message; the next inbound sequence number */
  SESSION_ATTACH: 15,
  SESSION_OUT: 16,
  SESSION_IN: 17,
  /** an account resets its market-maker protection on a symbol (REST) */
  MMP_RESET: 30,
} as const;
export type RecordKind = (typeof RecordKind)[keyof typeof RecordKind];

const T_UNDEFINED = 0, T_NUMBER = 1, T_STRING = 2, T_TRUE = 3, T_FALSE = 4, T_NULL = 5, T_JSON = 6, T_UTF16 = 7;

export const HEADER_BYTES = 8;
/** payload bytes before the values: seq, time, kind */
const PREFIX_BYTES = 17;
/** A record longer than this is corruption (commands are small; admin JSON is bounded by the REST body limit). */
export const MAX_RECORD_BYTES = 1 << 20;

/**
 * Encodes records one after another into a reused buffer (no allocation per
 * record beyond what a string's UTF-8 encoding needs in V8).
 */
export class RecordEncoder {
  buf: Buffer;
  pos = 0;
  private start = 0;

  constructor(bytes = 1 << 20) {
    this.buf = Buffer.allocUnsafe(bytes);
  }

  begin(seq: number, time: number, kind: RecordKind): void {
    this.ensure(HEADER_BYTES + PREFIX_BYTES);
    this.start = this.pos;
    this.pos += HEADER_BYTES;
    this.buf.writeDoubleLE(seq, this.pos);
    this.buf.writeDoubleLE(time, this.pos + 8);
    this.buf[this.pos + 16] = kind;
    this.pos += PREFIX_BYTES;
  }

  /** Finishes the record begun last: length and checksum. Throws (leaving nothing behind) when it is too long. */
  end(): void {
    const len = this.pos - this.start - HEADER_BYTES;
    if (len > MAX_RECORD_BYTES) {
      this.pos = this.start;
      throw new RangeError(`journal record of ${len} bytes is over ${MAX_RECORD_BYTES}`);
    }
    this.buf.writeUInt32LE(len, this.start);
    this.buf.writeUInt32LE(crc32c(this.buf.subarray(this.start + HEADER_BYTES, this.pos)), this.start + 4);
  }

  /** Drops every finished record (they were written out). */
  reset(): void {
    this.pos = 0;
  }

  value(v: unknown): void {
    switch (typeof v) {
      case 'number':
        this.ensure(9);
        this.buf[this.pos] = T_NUMBER;
        this.buf.writeDoubleLE(v, this.pos + 1);
        this.pos += 9;
        return;
      case 'string':
        return this.string(v);
      case 'boolean':
        return this.tag(v ? T_TRUE : T_FALSE);
      case 'undefined':
        return this.tag(T_UNDEFINED);
      default:
        if (v === null) return this.tag(T_NULL);
        this.tag(T_JSON);
        return this.raw(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) ?? 'null');
    }
  }

  private string(s: string): void {
    if (!(s as unknown as { isWellFormed(): boolean }).isWellFormed()) {
      this.tag(T_UTF16);
      this.ensure(4 + s.length * 2);
      this.buf.writeUInt32LE(s.length, this.pos);
      this.pos += 4;
      for (let i = 0; i < s.length; i++, this.pos += 2) this.buf.writeUInt16LE(s.charCodeAt(i), this.pos);
      return;
    }
    this.tag(T_STRING);
    this.raw(s);
  }

  private raw(s: string): void {
    this.ensure(4 + s.length * 3);
    const n = this.buf.write(s, this.pos + 4, 'utf8');
    this.buf.writeUInt32LE(n, this.pos);
    this.pos += 4 + n;
  }

  private tag(t: number): void {
    this.ensure(1);
    this.buf[this.pos++] = t;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }
}

/** One decoded record. */
export interface JournalRecord {
  seq: number;
  time: number;
  kind: RecordKind;
  values: unknown[];
}

/** Why a record could not be read at `offset`. */
export type ReadFailure = 'short' | 'length' | 'checksum' | 'value';

/**
 * Reads the record at `offset` of `buf`: the record and the offset after it,
 * or why it is not a valid record (a torn write at the end of a journal).
 */
export function readRecord(buf: Buffer, offset: number): { record: JournalRecord; next: number } | { failure: ReadFailure } {
  if (offset + HEADER_BYTES > buf.length) return { failure: 'short' };
  const len = buf.readUInt32LE(offset);
  if (len < PREFIX_BYTES || len > MAX_RECORD_BYTES) return { failure: 'length' };
  const end = offset + HEADER_BYTES + len;
  if (end > buf.length) return { failure: 'short' };
  const payload = buf.subarray(offset + HEADER_BYTES, end);
  if (crc32c(payload) !== buf.readUInt32LE(offset + 4)) return { failure: 'checksum' };
  const values = decodeValues(payload, PREFIX_BYTES);
  if (!values) return { failure: 'value' };
  return {
    record: { seq: payload.readDoubleLE(0), time: payload.readDoubleLE(8), kind: payload[16] as RecordKind, values },
    next: end,
  };
}

function decodeValues(p: Buffer, at: number): unknown[] | null {
  const out: unknown[] = [];
  while (at < p.length) {
    const t = p[at++];
    switch (t) {
      case T_NUMBER: out.push(p.readDoubleLE(at)); at += 8; break;
      case T_STRING: case T_JSON: {
        const n = p.readUInt32LE(at);
        const s = p.toString('utf8', at + 4, at + 4 + n);
        out.push(t === T_STRING ? s : JSON.parse(s));
        at += 4 + n;
        break;
      }
      case T_UTF16: {
        const n = p.readUInt32LE(at);
        out.push(p.toString('utf16le', at + 4, at + 4 + 2 * n));
        at += 4 + 2 * n;
        break;
      }
      case T_TRUE: out.push(true); break;
      case T_FALSE: out.push(false); break;
      case T_UNDEFINED: out.push(undefined); break;
      case T_NULL: out.push(null); break;
      default: return null;
    }
    if (at > p.length) return null;
  }
  return out;
}
