// The hand-written inbound decoder (gateway/fast-decode.ts) must decode every
// frame it accepts exactly as protobufjs does, and hand everything else back
// (null) without throwing — so a session's answers are the same with the fast
// path on or off, rejects included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import protobuf from 'protobufjs';
import type { WebSocket } from 'ws';
import { fastDecode, setFastDecode, fastDecodeOn, type FastEnvelope } from '../gateway/fast-decode.ts';
import { EnvelopeType, encodeEnvelope } from '../gateway/wire.ts';
import { Clock, Exchange, type ExchangeConfig } from '../gateway/exchange.ts';
import { DEFAULT_SESSION_LIMITS, TradeSessions } from '../gateway/trade-session.ts';
import { prng } from './prng.ts';

type Rng = () => number;
const int = (r: Rng, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[int(r, xs.length)];

const HOT = ['new_order_single', 'order_cancel_request', 'order_cancel_replace_request', 'mass_quote'] as const;
const HEADER = ['msg_seq_num', 'sending_time_us', 'poss_dup'] as const;

const bodyType = (body: string): protobuf.Type => EnvelopeType.fields[body].resolvedType as protobuf.Type;

// ---------------------------------------------------------------------------
// The comparison

type Outcome = 'fast' | 'fallback';

/** fastDecode must not throw; when it answers, protobufjs must decode the same bytes to the same values, field by field. */
function check(bytes: Buffer, what: string): Outcome {
  let fast: FastEnvelope | null = null;
  assert.doesNotThrow(() => { fast = fastDecode(bytes); }, what);
  if (fast === null) return 'fallback';
  const f = fast as FastEnvelope & Record<string, unknown>;
  let ref: Record<string, unknown>;
  try {
    ref = EnvelopeType.decode(bytes) as unknown as Record<string, unknown>;
  } catch (e) {
    assert.fail(`${what}: fast-decoded, but protobufjs throws ${(e as Error).message}`);
  }
  assert.equal(f.body, ref.body, `${what}: body`);
  for (const h of HEADER) assert.ok(Object.is(f[h], ref[h]), `${what}: ${h} ${String(f[h])} vs ${String(ref[h])}`);
  const type = bodyType(f.body);
  const got = f[f.body] as Record<string, unknown>;
  const want = ref[f.body] as Record<string, unknown>;
  assert.deepEqual(Object.keys(got).sort(), type.fieldsArray.map((x) => x.name).sort(), `${what}: fields`);
  for (const field of type.fieldsArray) {
    assert.ok(Object.is(got[field.name], want[field.name]), `${what}: ${f.body}.${field.name} ${String(got[field.name])} vs ${String(want[field.name])}`);
  }
  return 'fast';
}

// ---------------------------------------------------------------------------
// Frames built field by field with protobufjs's writer, so field order,
// repeats and unknown fields can be varied.

const STRINGS = ['', 'a1', 'BTC-USD', 'ordre-é-€-😀', 'x'.repeat(64), 'ü'.repeat(200), '\u0000', 'Ω≈ç√∫'];
const INT64 = [0, 1, -1, 127, 128, 16_383, 16_384, 2 ** 28 - 1, 2 ** 28, 2 ** 31, -(2 ** 31), 2 ** 32, 2 ** 35, -(2 ** 35),
  Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 60, -(2 ** 62), 2 ** 63];
const ENUMS = [0, 1, 2, 3, 4, 5, 6, 7, 99, 127, 128, 2 ** 31 - 1, -1, -(2 ** 31)];

function randomInt64(r: Rng): number {
  if (r() < 0.4) return pick(r, INT64);
  const v = Math.floor(r() * 2 ** (1 + int(r, 53)));
  return r() < 0.3 ? -v : v;
}

/** A random value of a field of the hot messages (int64/uint64 as numbers, enums as int32). */
function randomValue(r: Rng, f: protobuf.Field): unknown {
  const rt = f.resolve().resolvedType;
  if (rt instanceof protobuf.Enum) return r() < 0.7 ? pick(r, Object.values(rt.values)) : pick(r, ENUMS);
  switch (f.type) {
    case 'string': return r() < 0.3 ? `c${int(r, 1e9)}` : pick(r, STRINGS);
    case 'bool': return r() < 0.5;
    case 'int64': return randomInt64(r);
    case 'uint64': return Math.abs(randomInt64(r));
    default: throw new Error(`unexpected field type ${f.type}`);
  }
}

const writerType = (f: protobuf.Field): string => (f.resolve().resolvedType instanceof protobuf.Enum ? 'int32' : f.type);
const WIRE_OF: Record<string, number> = { string: 2, bool: 0, int32: 0, int64: 0, uint64: 0 };

/** One field, encoded: tag and value. */
function fieldBytes(f: protobuf.Field, v: unknown): Uint8Array {
  const t = writerType(f);
  const w = protobuf.Writer.create().uint32((f.id << 3) | WIRE_OF[t]);
  (w as unknown as Record<string, (x: unknown) => protobuf.Writer>)[t](v);
  return w.finish();
}

/** An unknown field (a number the message does not have) of wire type 0, 1, 2 or 5. */
function unknownField(r: Rng, known: (id: number) => boolean): Uint8Array {
  let id: number;
  do id = pick(r, [int(r, 16), 11 + int(r, 30), 52 + int(r, 200), 1000 + int(r, 1e6), 536_870_911]); while (known(id));
  const w = protobuf.Writer.create();
  switch (pick(r, [0, 1, 2, 5])) {
    case 0: w.uint32(id << 3).uint64(Math.abs(randomInt64(r))); break;
    case 1: w.uint32((id << 3) | 1).fixed64(int(r, 2 ** 32)); break;
    case 2: w.uint32((id << 3) | 2).bytes(Buffer.from(pick(r, STRINGS))); break;
    default: w.uint32((id << 3) | 5).fixed32(int(r, 2 ** 32)); break;
  }
  return w.finish();
}

function shuffle<T>(r: Rng, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = int(r, i + 1);
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

const envelopeKnows = (id: number): boolean => EnvelopeType.fieldsArray.some((f) => f.id === id);

/** A valid frame of a hot message: fields in any order, some repeated, some absent, unknown fields here and there. */
function craftedFrame(r: Rng, body: string): Buffer {
  const type = bodyType(body);
  const parts: Uint8Array[] = [];
  for (const f of type.fieldsArray) {
    if (r() < 0.25) continue; // absent: the default
    parts.push(fieldBytes(f, randomValue(r, f)));
    if (r() < 0.1) parts.push(fieldBytes(f, randomValue(r, f))); // repeated: the last one counts
  }
  const unknowns = r() < 0.5 ? int(r, 4) : 0;
  for (let i = 0; i < unknowns; i++) parts.push(unknownField(r, (id) => type.fieldsArray.some((f) => f.id === id)));
  const inner = Buffer.concat(r() < 0.5 ? shuffle(r, parts) : parts);
  const head: Uint8Array[] = [];
  const hf = EnvelopeType.fields;
  if (r() < 0.9) head.push(fieldBytes(hf.msg_seq_num, r() < 0.8 ? 1 + int(r, 1e6) : Math.abs(randomInt64(r))));
  if (r() < 0.7) head.push(fieldBytes(hf.sending_time_us, r() < 0.5 ? 1_795_281_737_341_304 + int(r, 1e9) : randomInt64(r)));
  if (r() < 0.3) head.push(fieldBytes(hf.poss_dup, r() < 0.5));
  if (r() < 0.1) head.push(fieldBytes(hf.msg_seq_num, int(r, 1000))); // a header field twice
  const bodyField = protobuf.Writer.create().uint32((EnvelopeType.fields[body].id << 3) | 2).bytes(inner).finish();
  const outer = [...head, bodyField];
  const envUnknowns = r() < 0.3 ? 1 + int(r, 2) : 0;
  for (let i = 0; i < envUnknowns; i++) outer.push(unknownField(r, envelopeKnows));
  return Buffer.concat(r() < 0.3 ? shuffle(r, outer) : outer);
}

/** A hot message as a plain object, encoded by protobufjs in one go. */
function plainFrame(r: Rng, body: string): Buffer {
  const msg: Record<string, unknown> = {};
  for (const f of bodyType(body).fieldsArray) if (r() < 0.8) msg[f.name] = randomValue(r, f);
  return Buffer.from(encodeEnvelope({ msg_seq_num: 1 + int(r, 1e9), sending_time_us: randomInt64(r), poss_dup: r() < 0.2, [body]: msg }));
}

// ---------------------------------------------------------------------------

test('random valid hot messages decode exactly as protobufjs decodes them, on the fast path', () => {
  const r = prng(7);
  for (let i = 0; i < 4000; i++) {
    const body = pick(r, HOT);
    const bytes = i % 2 === 0 ? plainFrame(r, body) : craftedFrame(r, body);
    assert.equal(check(bytes, `frame ${i} (${body}) ${bytes.toString('hex')}`), 'fast', `frame ${i} fell back: ${bytes.toString('hex')}`);
  }
});

test('defaults are restored between frames (the envelope and message objects are reused)', () => {
  const full = encodeEnvelope({
    msg_seq_num: 9, sending_time_us: -5, poss_dup: true,
    new_order_single: {
      cl_ord_id: 'a', symbol: 'S', side: 2, ord_type: 2, time_in_force: 6, price: -7, order_qty: 3, expire_time: 11, post_only: true, stp_mode: 4,
      imbalance_only: true, stop_px: 5, display_qty: 2, post_only_slide: true,
    },
  });
  assert.equal(check(Buffer.from(full), 'full'), 'fast');
  const empty = encodeEnvelope({ new_order_single: {} });
  assert.equal(check(Buffer.from(empty), 'empty'), 'fast');
  const env = fastDecode(Buffer.from(empty)) as FastEnvelope & { new_order_single: Record<string, unknown> };
  assert.deepEqual({ ...env.new_order_single }, {
    cl_ord_id: '', symbol: '', side: 0, ord_type: 0, time_in_force: 0, price: 0, order_qty: 0, expire_time: 0, post_only: false, stp_mode: 0,
    imbalance_only: false, stop_px: 0, display_qty: 0, post_only_slide: false,
  });
  assert.deepEqual([env.msg_seq_num, env.sending_time_us, env.poss_dup], [0, 0, false]);
});

test('a frame inside a larger buffer (ws hands out slices) decodes the same', () => {
  const r = prng(11);
  for (let i = 0; i < 200; i++) {
    const frame = craftedFrame(r, pick(r, HOT));
    const junk = Buffer.from(Array.from({ length: 1 + int(r, 40) }, () => int(r, 256)));
    const slice = Buffer.concat([junk, frame, junk]).subarray(junk.length, junk.length + frame.length);
    assert.equal(check(slice, `slice ${i}`), 'fast');
  }
});

test('invalid UTF-8 in strings decodes as protobufjs does (replacement characters)', () => {
  const bad = [Buffer.from([0xff]), Buffer.from([0xc3]), Buffer.from([0xe2, 0x82]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('ok\u00e9', 'latin1')];
  for (const b of bad) {
    const nos = protobuf.Writer.create().uint32((1 << 3) | 2).bytes(b).uint32((2 << 3) | 2).bytes(b).finish();
    const frame = Buffer.concat([Buffer.from([0x08, 0x01, ...tag(20, 2), nos.length]), nos]);
    assert.equal(check(Buffer.from(frame), b.toString('hex')), 'fast');
  }
});

/** A tag's bytes (a varint: two bytes from field 16 on). */
function tag(field: number, wire: number): number[] {
  return [...protobuf.Writer.create().uint32((field << 3) | wire).finish()];
}

/** An Envelope {msg_seq_num: 1, <field>: inner bytes}. */
const envelopeWith = (field: number, inner: number[]): Buffer => Buffer.from([0x08, 0x01, ...tag(field, 2), inner.length, ...inner]);

test('frames the fast path leaves to protobufjs', () => {
  const cases: Record<string, Buffer> = {
    'no body': Buffer.from([0x08, 0x01, 0x10, 0x02]),
    'empty frame': Buffer.alloc(0),
    'another body (logon)': Buffer.from(encodeEnvelope({ msg_seq_num: 1, logon: { api_key: 'k' } })),
    'two bodies': Buffer.concat([envelopeWith(20, [0x0a, 0x01, 0x61]), Buffer.from([...tag(21, 2), 0])]),
    'the same body twice': Buffer.concat([envelopeWith(20, [0x0a, 0x01, 0x61]), Buffer.from([...tag(20, 2), 0])]),
    'body with a varint wire type': Buffer.from([0x08, 0x01, ...tag(20, 0), 0x05]),
    'header field with a length wire type': Buffer.from([0x0a, 0x01, 0x01, ...tag(20, 2), 0]),
    'price with a length wire type': envelopeWith(20, [(6 << 3) | 2, 0x01, 0x05]),
    'cl_ord_id with a varint wire type': envelopeWith(20, [1 << 3, 0x05]),
    'an unknown group': envelopeWith(20, [...tag(30, 3), ...tag(30, 4)]),
    'an end-group tag': envelopeWith(20, [...tag(30, 4)]),
    'an unknown group in the envelope': Buffer.concat([envelopeWith(20, []), Buffer.from([...tag(9, 3), ...tag(9, 4)])]),
    'wire type 7': envelopeWith(21, [(9 << 3) | 7, 0]),
    'body longer than the frame': Buffer.from([0x08, 0x01, ...tag(20, 2), 0x10, 0x0a, 0x01, 0x61]),
    'string longer than its message': envelopeWith(20, [0x0a, 0x05, 0x61]),
    'varint running past its message': Buffer.from([0x08, 0x01, ...tag(20, 2), 0x02, 6 << 3, 0x81, 0x01]),
    'string running past its message': Buffer.concat([Buffer.from([0x08, 0x01, ...tag(20, 2), 0x03, 0x0a, 0x03, 0x61]), Buffer.from('bc')]),
    'enum as a 6-byte varint (protobufjs steps over 10)': envelopeWith(20, [3 << 3, 0x81, 0x80, 0x80, 0x80, 0x80, 0x00]),
    'int64 as an 11-byte varint': envelopeWith(20, [6 << 3, 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]),
    'truncated tag': Buffer.from([0x08, 0x01, 0x80]),
    'fixed64 unknown cut short': Buffer.concat([envelopeWith(20, []), Buffer.from([...tag(9, 1), 1, 2, 3])]),
    'fixed32 unknown cut short in the body': envelopeWith(20, [...tag(12, 5), 1, 2, 3]),
    'unknown length field cut short': envelopeWith(21, [...tag(12, 2), 9, 1]),
  };
  for (const [what, bytes] of Object.entries(cases)) {
    assert.equal(check(bytes, what), 'fallback', what);
  }
});

test('varint edge cases the fast path takes: 10-byte negative enums, uint64 above 2^53, a 10th byte with spare bits', () => {
  const cases: Record<string, number[]> = {
    'side -1': [3 << 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
    'side 2^31 as int32': [3 << 3, 0x80, 0x80, 0x80, 0x80, 0xf8, 0xff, 0xff, 0xff, 0xff, 0x01],
    'enum with high bits in the 5th byte': [3 << 3, 0xff, 0xff, 0xff, 0xff, 0x7f],
    'price, 10th byte 0x7f': [6 << 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f],
    'price -1': [6 << 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
    'price non-canonical zero': [6 << 3, 0x80, 0x80, 0x80, 0x00],
    'post_only 2': [9 << 3, 0x02],
    'post_only as a 10-byte varint': [9 << 3, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
  };
  for (const [what, inner] of Object.entries(cases)) {
    assert.equal(check(envelopeWith(20, inner), what), 'fast', what);
  }
  const big = Buffer.from(encodeEnvelope({ msg_seq_num: 2 ** 64 - 2 ** 12, order_cancel_request: { order_id: 2 ** 63 + 2 ** 11, cl_ord_id: 'x' } }));
  assert.equal(check(big, 'uint64 above 2^63'), 'fast');
});

test('mutated and truncated frames: the fast path decodes them as protobufjs does, or hands them back, never throws', () => {
  const r = prng(2024);
  const seen = { fast: 0, fallback: 0 };
  for (let i = 0; i < 20_000; i++) {
    const frame = Buffer.from(r() < 0.5 ? plainFrame(r, pick(r, HOT)) : craftedFrame(r, pick(r, HOT)));
    let m: Buffer;
    switch (int(r, 7)) {
      case 0: m = frame.subarray(0, int(r, frame.length)); break; // truncated
      case 1: m = Buffer.from(frame); m[int(r, m.length)] = int(r, 256); break; // one byte changed
      case 2: m = Buffer.from(frame); m[int(r, m.length)] ^= 1 << int(r, 8); break; // one bit flipped
      case 3: { const k = int(r, frame.length); m = Buffer.concat([frame.subarray(0, k), Buffer.from([int(r, 256)]), frame.subarray(k)]); break; } // a byte inserted
      case 4: { const k = int(r, frame.length); m = Buffer.concat([frame.subarray(0, k), frame.subarray(k + 1)]); break; } // a byte removed
      case 5: m = Buffer.concat([frame, Buffer.from(Array.from({ length: 1 + int(r, 8) }, () => int(r, 256)))]); break; // trailing junk
      default: m = Buffer.from(Array.from({ length: int(r, 60) }, () => int(r, 256))); // noise
    }
    seen[check(m, `mutation ${i}: ${m.toString('hex')}`)]++;
  }
  // every prefix of a few frames
  for (let i = 0; i < 50; i++) {
    const frame = craftedFrame(r, pick(r, HOT));
    for (let n = 0; n <= frame.length; n++) seen[check(frame.subarray(0, n), `prefix ${n} of ${frame.toString('hex')}`)]++;
  }
  assert.ok(seen.fast > 1000 && seen.fallback > 1000, JSON.stringify(seen));
});

// ---------------------------------------------------------------------------
// A session end to end, fast path on and off: the same frames in, the same
// answers out (rejects, business rejects, logouts, execution reports).

const SYMBOL = 'FD-USD';
const CONFIG: ExchangeConfig = {
  instruments: [{ symbol: SYMBOL, price_scale: 2, qty_scale: 0, tick_size: 5, lot: 1, min_qty: 1, max_qty: 1000, max_price: 1_000_000, maker_fee_bp: -1, taker_fee_bp: 2 }],
  accounts: [{ name: 'fd', api_key: 'fd-key' }],
} as ExchangeConfig;

/** Just enough of a ws WebSocket for a TradeSession: frames in by emit('message'), frames out recorded. */
class FakeWs extends EventEmitter {
  bufferedAmount = 0;
  readonly out: Uint8Array[] = [];
  shut = false;
  send(d: Uint8Array): void {
    this.out.push(Uint8Array.from(d));
  }
  close(): void {
    this.shut = true;
  }
  terminate(): void {
    this.shut = true;
  }
}

/** Plausible hot messages (they reach the engine: rests, trades, duplicate ids, unknown orders) with some garbage mixed in. */
function sessionFrame(r: Rng, seq: number): { data: Buffer | string; binary: boolean } {
  const id = (): string => `o${int(r, 40)}`;
  const px = (): number => 10_000 + 5 * int(r, 20) + (r() < 0.05 ? 1 : 0);
  const qty = (): number => (r() < 0.05 ? 0 : 1 + int(r, 20));
  const k = int(r, 100);
  const sym = r() < 0.95 ? SYMBOL : pick(r, ['', 'NOPE', 'fd-usd']);
  let msg: Record<string, unknown>;
  let body: string;
  if (k < 40) {
    body = 'new_order_single';
    msg = { cl_ord_id: r() < 0.97 ? id() : '', symbol: sym, side: r() < 0.97 ? 1 + int(r, 2) : pick(r, [0, 3, -1]), ord_type: pick(r, [0, 2, 2, 1, 7]),
      time_in_force: pick(r, [0, 1, 1, 3, 4, 6, 9]), price: px(), order_qty: qty(), expire_time: r() < 0.5 ? 0 : 1_800_000_000_000_000 + int(r, 3) * 1e6,
      post_only: r() < 0.2, stp_mode: pick(r, [0, 0, 1, 2, 3, 4, 5, 8]) };
  } else if (k < 60) {
    body = 'order_cancel_request';
    msg = r() < 0.8 ? { cl_ord_id: `x${int(r, 99)}`, orig_cl_ord_id: id(), symbol: sym } : { order_id: int(r, 60), symbol: sym };
  } else if (k < 75) {
    body = 'order_cancel_replace_request';
    msg = { cl_ord_id: r() < 0.8 ? id() : '', orig_cl_ord_id: r() < 0.8 ? id() : '', order_id: r() < 0.2 ? int(r, 60) : 0, symbol: sym, price: px(), order_qty: qty() };
  } else if (k < 85) {
    body = 'mass_quote';
    msg = { quote_id: `q${int(r, 9)}`, symbol: sym, bid_px: px() - 50, bid_size: qty(), offer_px: px() + 50, offer_size: qty() };
  } else if (k < 88) {
    body = pick(r, ['heartbeat', 'test_request', 'order_mass_cancel_request', 'execution_report', 'market_data_request']);
    msg = body === 'order_mass_cancel_request' ? { cl_ord_id: 'm', symbol: SYMBOL } : {};
  } else {
    // garbage: mutated hot frames, text frames, oversize frames
    const g = int(r, 10);
    if (g === 0) return { data: 'hello', binary: false };
    if (g === 1) return { data: Buffer.alloc(DEFAULT_SESSION_LIMITS.maxFrameBytes + 1, 0x0a), binary: true };
    const base = craftedFrame(r, pick(r, HOT));
    const m = Buffer.from(base);
    m[int(r, m.length)] = int(r, 256);
    return { data: r() < 0.5 ? m : m.subarray(0, int(r, m.length)), binary: true };
  }
  return { data: Buffer.from(encodeEnvelope({ msg_seq_num: seq, sending_time_us: 0, [body]: msg })), binary: true };
}

/** Runs one seeded client script against a fresh exchange; returns what the server sent, per connection, decoded (sending_time_us dropped). */
function runSession(seed: number, frames: number): string[][] {
  const exchange = new Exchange(CONFIG, new Clock(() => 1_800_000_000_000_000));
  const sessions = new TradeSessions(exchange, { ...DEFAULT_SESSION_LIMITS, maxRejects: 1_000_000 });
  const r = prng(seed);
  const conns: FakeWs[] = [];
  let ws: FakeWs | null = null;
  let seq = 1;
  for (let i = 0; i < frames; i++) {
    if (!ws || ws.shut) {
      ws = new FakeWs();
      conns.push(ws);
      sessions.accept(ws as unknown as WebSocket, null);
      ws.emit('message', Buffer.from(encodeEnvelope({ msg_seq_num: 1, logon: { api_key: 'fd-key', reset_seq_num: true } })), true);
      seq = 2;
    }
    const f = sessionFrame(r, seq);
    seq++;
    ws.emit('message', f.data, f.binary);
  }
  for (const c of conns) c.emit('close');
  sessions.close();
  return conns.map((c) => c.out.map((bytes) => {
    const o = EnvelopeType.toObject(EnvelopeType.decode(bytes), { defaults: true }) as Record<string, unknown>;
    delete o.sending_time_us;
    return JSON.stringify(o);
  }));
}

test('a session answers the same frames identically with the fast path on and off', () => {
  const was = fastDecodeOn;
  try {
    for (const seed of [1, 2, 3]) {
      setFastDecode(false);
      const reference = runSession(seed, 3000);
      setFastDecode(true);
      const fast = runSession(seed, 3000);
      assert.equal(fast.length, reference.length, `seed ${seed}: connections`);
      for (let c = 0; c < reference.length; c++) assert.deepEqual(fast[c], reference[c], `seed ${seed}, connection ${c}`);
      const all = reference.flat().join('\n');
      // the script reaches what it should: fills, engine rejects, session rejects, business rejects
      for (const s of ['"exec_type":6', '"exec_type":4', '"reject":', '"business_message_reject":', '"mass_quote_ack":', '"order_cancel_reject":']) {
        assert.ok(all.includes(s), `seed ${seed}: no ${s}`);
      }
    }
  } finally {
    setFastDecode(was);
  }
});
