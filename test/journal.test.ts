// The journal: record format round trips, torn tails, and a live run whose
// event stream and state a replay of its journal reproduces exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordEncoder, RecordKind, readRecord } from '../gateway/journal/codec.ts';
import { JournalError, nonZeroEnd, scanJournal, segmentFiles, segmentName } from '../gateway/journal/segments.ts';
import { openJournal, replayInto, type JournalOptions } from '../gateway/journal/journal.ts';
import { EventTap, stateHash } from '../gateway/journal/state.ts';
import { defaultConfig } from '../gateway/config.ts';
import type { Exchange } from '../gateway/exchange.ts';
import { OrdType, Side, TimeInForce, TradingPhase } from '../engine/types.ts';
import { profileConfig } from '../gateway/profiles.ts';
import { Rng } from '../sim/rng.ts';

/** Runs `body` in a fresh folder, removed afterwards. */
async function inTmpDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mb-journal-'));
  try {
    await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The time the journals of a test read, and drive() advances. */
class Clock {
  now = 1_800_000_000_000_000;
  readonly read = (): number => this.now;
  readonly set = (t: number): void => {
    this.now = t;
  };
}

/** Opens a journal on the clock, recovers it, drives it (seed, n steps) and closes it; returns its last sequence number. */
async function writeJournal(clock: Clock, opts: JournalOptions, seed: number, n: number): Promise<number> {
  const j = openJournal(defaultConfig(), clock.read, opts);
  j.recover();
  await drive(j.exchange, clock.set, seed, n);
  const seq = j.recorder().writer.seq;
  await j.close();
  return seq;
}

test('record values round-trip exactly, whatever their type', () => {
  const values = [1, -0, NaN, Infinity, 2 ** 53 - 1, 0.1, 'abc', 'é€😀', 'a\ud800b', '', true, false, undefined, null, { a: [1, 'x'], b: { c: true } }];
  const e = new RecordEncoder(16); // grows
  e.begin(7, 1_700_000_000_000_000, RecordKind.NEW_ORDER);
  for (const v of values) e.value(v);
  e.end();
  const r = readRecord(e.buf.subarray(0, e.pos), 0);
  assert.ok('record' in r);
  assert.equal(r.record.seq, 7);
  assert.equal(r.record.time, 1_700_000_000_000_000);
  assert.equal(r.record.kind, RecordKind.NEW_ORDER);
  assert.deepEqual(r.record.values, values);
  assert.ok(Object.is(r.record.values[1], -0));
  assert.equal(r.next, e.pos);
  // one flipped bit anywhere in the payload fails the checksum
  e.buf[20] ^= 1;
  assert.deepEqual(readRecord(e.buf.subarray(0, e.pos), 0), { failure: 'checksum' });
});

/** A manual clock and a seeded stream of every kind of command. */
async function drive(x: Exchange, setTime: (t: number) => void, seed: number, n: number): Promise<void> {
  const rng = new Rng(seed);
  const accounts = [1, 2, 3].map((i) => x.createAccount(`trader${i}`)).map((a) => ('id' in a ? a.id : 0));
  let t = 1_800_000_000_000_000;
  for (let i = 0; i < n; i++) {
    if (i % 500 === 499) await new Promise<void>((r) => x.whenDurable(r)); // a group commit between bursts
    t += rng.int(0, 2000);
    setTime(t);
    const account = accounts[rng.int(0, accounts.length - 1)];
    const side = rng.next() < 0.5 ? Side.BUY : Side.SELL;
    const r = rng.next();
    if (r < 0.6) x.newOrder({ account, symbol: 'BTC-USD', side, price: 30_000 + rng.int(-20, 20), qty: rng.int(1, 50), clOrdId: `c${i}` });
    else if (r < 0.75) x.cancel({ account, symbol: 'BTC-USD', orderId: rng.int(1, i + 1) });
    else if (r < 0.85) x.replace({ account, symbol: 'BTC-USD', orderId: rng.int(1, i + 1), price: 30_000 + rng.int(-20, 20), qty: rng.int(1, 80) });
    else if (r < 0.9) x.massQuote({ account, symbol: 'ETH-USD', bidPx: 200_000 - rng.int(1, 9), bidSize: 5, offerPx: 200_000 + rng.int(0, 9), offerSize: 5 });
    else if (r < 0.93) x.newOrder({ account, symbol: 'ETH-USD', side, price: 200_000, qty: rng.int(1, 9), ordType: 2 } as never);
    else if (r < 0.95) x.massCancelOrders(account, `m${i}`, rng.next() < 0.5 ? 'BTC-USD' : undefined);
    else if (r < 0.96) x.killSwitch(account, rng.next() < 0.5, 'test');
    else if (r < 0.97) x.setPhase('ETH-USD', rng.next() < 0.5 ? TradingPhase.HALTED : TradingPhase.CONTINUOUS, 'test');
    else if (r < 0.98) x.newOrder({ account, symbol: 'BTC-USD', side: 9 as Side, price: NaN, qty: -1 }); // rejected the same way on replay
    else x.tick();
  }
}

test('a replay of the journal reproduces the live event stream and state byte for byte; a restart continues ids', () => inTmpDir(async (dir) => {
  let now = 0;
  const j = openJournal(defaultConfig(), () => now, { dir, fsync: 'off', segmentBytes: 64 * 1024 });
  j.recover();
  const live = new EventTap(j.exchange);
  j.exchange.engine.setSink(live);
  await drive(j.exchange, (t) => { now = t; }, 42, 3000);
  const liveHash = stateHash(j.exchange);
  const nextOrderId = j.exchange.engine.nextOrderIdPreview();
  const keys = j.exchange.engine.accountIds().map((id) => j.exchange.accountInfo(id)?.apiKey);
  await j.close();
  assert.ok(segmentFiles(dir).length > 2, 'segments rolled by size');

  let replayTap: EventTap | undefined;
  const r = replayInto(dir, { before: (x) => x.engine.setSink((replayTap = new EventTap(x))) });
  assert.equal(r.scan.tornBytes, 0);
  assert.ok(live.events > 3000);
  assert.equal(replayTap?.events, live.events);
  assert.equal(replayTap?.digest(), live.digest());
  assert.equal(stateHash(r.exchange), liveHash);

  // a restart recovers the same state and goes on numbering where it stopped
  const k = openJournal(defaultConfig(), () => now + 1, { dir, fsync: 'off' });
  k.recover();
  assert.equal(stateHash(k.exchange), liveHash);
  assert.equal(k.exchange.engine.nextOrderIdPreview(), nextOrderId);
  assert.deepEqual(k.exchange.engine.accountIds().map((id) => k.exchange.accountInfo(id)?.apiKey), keys, 'generated api keys survive');
  await k.close();
}));

test('segments are preallocated: the zero-filled tail reads as the end of the journal; a restart writes on in place', () => inTmpDir(async (dir) => {
  const clock = new Clock();
  await writeJournal(clock, { dir, fsync: 'batch', segmentBytes: 256 * 1024 }, 3, 300);
  const files = segmentFiles(dir);
  assert.equal(files.length, 1);
  assert.equal(statSync(join(dir, files[0])).size, 256 * 1024, 'created at full size');
  const full = scanJournal(dir, () => {});
  assert.equal(full.tornBytes, 0);
  assert.ok(full.records >= 300 && (full.endOffset ?? 0) < 256 * 1024);
  // a restart goes on writing after the last record, in the same file
  const seq = await writeJournal(clock, { dir, fsync: 'always', segmentBytes: 256 * 1024 }, 4, 100);
  assert.deepEqual(segmentFiles(dir), files);
  const again = scanJournal(dir, () => {});
  assert.equal(again.lastSeq, seq);
  assert.equal(again.tornBytes, 0);
}));

test('a torn last write is dropped and zeroed on recovery, wherever its bytes landed; damage inside the journal is refused', () => inTmpDir(async (dir) => {
  const clock = new Clock();
  const opts = { dir, fsync: 'always' as const, segmentBytes: 16 * 1024 };
  await writeJournal(clock, opts, 7, 600);
  assert.ok(segmentFiles(dir).length > 1, 'segments rolled');
  const full = scanJournal(dir, () => {});
  const last = join(dir, segmentFiles(dir).at(-1) as string);
  const end = full.endOffset as number;
  // a group commit cut short: the head of a record in place, and a later sector of the same write (a whole, valid record) further on
  const later = new RecordEncoder(64);
  later.begin(full.lastSeq + 2, clock.now, RecordKind.TICK);
  later.end();
  const gap = Math.min(4096, statSync(last).size - end - later.pos);
  assert.ok(gap > 100);
  const fd = openSync(last, 'r+');
  writeSync(fd, Buffer.from([40, 0, 0, 0, 1, 2, 3]), 0, 7, end);
  writeSync(fd, later.buf, 0, later.pos, end + gap);
  closeSync(fd);
  const size = statSync(last).size;
  const k = openJournal(defaultConfig(), clock.read, opts);
  const recovery = k.recover();
  assert.equal(recovery?.records, full.records);
  assert.equal(recovery?.tornBytes, gap + later.pos);
  assert.equal(statSync(last).size, size, 'the segment keeps its size');
  assert.equal(nonZeroEnd(readFileSync(last), end), end, 'the torn bytes are zeroed');
  // journaling goes on where the valid records end; nothing of the torn write comes back
  await drive(k.exchange, clock.set, 8, 50);
  const seq = k.recorder().writer.seq;
  await k.close();
  const after = scanJournal(dir, () => {});
  assert.equal(after.tornBytes, 0);
  assert.equal(after.lastSeq, seq);
  assert.equal(after.records, seq);
  // a bad byte in a segment that is not the last one is corruption, not a torn write
  const seg = join(dir, segmentFiles(dir)[0]);
  const b = readFileSync(seg);
  b[100] ^= 0xff;
  writeFileSync(seg, b);
  assert.throws(() => scanJournal(dir, () => {}), JournalError);
  // and so is anything after the zeros that end a segment in the middle
  b[100] ^= 0xff;
  b[b.length - 1] = 1;
  writeFileSync(seg, b);
  assert.throws(() => scanJournal(dir, () => {}), /non-zero bytes/);
}));

test('a segment whose header a crash cut short is created again', () => inTmpDir(async (dir) => {
  const clock = new Clock();
  const opts = { dir, fsync: 'off' as const, segmentBytes: 64 * 1024 };
  const seq = await writeJournal(clock, opts, 9, 100);
  writeFileSync(join(dir, segmentName(seq + 1)), Buffer.from('MBJ'));
  const k = openJournal(defaultConfig(), clock.read, opts);
  assert.equal(k.recover()?.lastSeq, seq);
  k.exchange.tick();
  await k.close();
  const after = scanJournal(dir, () => {});
  assert.equal(after.lastSeq, seq + 1);
  assert.equal(statSync(join(dir, segmentName(seq + 1))).size, 64 * 1024);
}));

test('a journal is refused under another configuration', () => inTmpDir(async (dir) => {
  const j = openJournal(defaultConfig(), () => 1, { dir, fsync: 'off' });
  j.recover();
  await j.close();
  const other = defaultConfig();
  other.instruments = other.instruments.slice(1);
  assert.throws(() => openJournal(other, () => 1, { dir }), /another configuration/);
}));

test('an imbalance-only on-close order replays as one (us-equity)', () => inTmpDir(async (dir) => {
  const now = Date.parse('2026-07-15T15:00:00-04:00') * 1000;
  const j = openJournal(profileConfig('us-equity'), () => now, { dir, fsync: 'off' });
  j.recover();
  const account = j.exchange.engine.accountIds()[0];
  assert.ok(j.exchange.newOrder({ account, symbol: 'AAPL', side: Side.SELL, ordType: OrdType.LIMIT, tif: TimeInForce.AT_THE_CLOSE, price: 190_00, qty: 100, clOrdId: 'io', imbalanceOnly: true }) > 0);
  await j.close();
  const r = replayInto(dir);
  assert.deepEqual(r.exchange.engine.openOrders(account).map((o) => [o.clOrdId, o.tif, o.imbalanceOnly]), [['io', TimeInForce.AT_THE_CLOSE, true]]);
}));

test('a stop, an iceberg and a sliding post-only replay as they were entered', () => inTmpDir(async (dir) => {
  const j = openJournal(defaultConfig(), () => 1_800_000_000_000_000, { dir, fsync: 'off' });
  j.recover();
  const [a, b] = j.exchange.engine.accountIds();
  const x = j.exchange;
  assert.ok(x.newOrder({ account: b, symbol: 'ETH-USD', side: Side.SELL, price: 3000_00, qty: 5000, displayQty: 1000, clOrdId: 'ice' }) > 0);
  assert.ok(x.newOrder({ account: a, symbol: 'ETH-USD', side: Side.BUY, price: 3001_00, qty: 1000, postOnly: true, postOnlySlide: true, clOrdId: 'po' }) > 0);
  assert.ok(x.newOrder({ account: a, symbol: 'ETH-USD', side: Side.BUY, ordType: OrdType.STOP, stopPx: 3010_00, qty: 1000, clOrdId: 'st' }) > 0);
  await j.close();
  const r = replayInto(dir);
  const view = (acct: number): unknown[] => r.exchange.engine.openOrders(acct).map((o) => [o.clOrdId, o.price, o.shown, o.displayQty, o.stopPx, o.held]);
  assert.deepEqual(view(b), [['ice', 3000_00, 1000, 1000, 0, '']]);
  assert.deepEqual(view(a), [['po', 2999_99, 1000, 0, 0, ''], ['st', 0, 0, 0, 3010_00, 'stop']]);
}));
