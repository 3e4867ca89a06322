// Snapshots: the state captured as an object graph and restored into a fresh
// exchange is the same state (hash, a second capture, and the events of the
// commands that follow), and recovery from snapshot + tail equals a full
// replay and the live run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openJournal, replayInto } from '../gateway/journal/journal.ts';
import { encodeSnapshot, encodeSnapshotSliced, EXCHANGE_SNAPSHOT_POLICY, graphPart, snapshotFiles } from '../gateway/journal/snapshot.ts';
import { EventTap, stateHash } from '../gateway/journal/state.ts';
import { defaultConfig } from '../gateway/config.ts';
import { profileConfig } from '../gateway/profiles.ts';
import { Clock, Exchange, type ExchangeConfig } from '../gateway/exchange.ts';
import { OrdType, Side, TimeInForce, TradingPhase } from '../engine/types.ts';
import { Rng } from '../sim/rng.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'mb-snapshot-'));
const T0 = 1_800_000_000_000_000;

/** The default venue with every rule that keeps state: rate limits of each window kind, bans, OTR, a velocity halt, a LULD-free band. */
function ruledConfig(): ExchangeConfig {
  const c = defaultConfig();
  c.rules = {
    rate_limits: [
      { name: 'acct-sliding', scope: 'account', window: 'sliding', limit: 40, interval_ms: 1000 },
      { name: 'acct-fixed', scope: 'account', window: 'fixed', limit: 60, interval_ms: 2000 },
      { name: 'sess-bucket', scope: 'session', window: 'bucket', limit: 30, interval_ms: 1000 },
    ],
    rate_ban: { breaches: 20, window_ms: 5000, ban_ms: 2000 },
    otr: { max_count_ratio: 3, min_orders: 20, mode: 'flag' },
  };
  c.instruments[0].rules = { price_band_bp: 300, velocity: { ticks: 30, window_ms: 500, halt_ms: 1000 } };
  return c;
}

/** A seeded stream of every kind of command, `n` of them from time `t`; returns the time reached. */
function drive(x: Exchange, setTime: (t: number) => void, rng: Rng, n: number, t: number, symbol: string, px: number): number {
  const accounts = x.engine.accountIds();
  for (let i = 0; i < n; i++) {
    t += rng.int(0, 3000);
    setTime(t);
    const account = accounts[rng.int(0, accounts.length - 1)];
    const side = rng.next() < 0.5 ? Side.BUY : Side.SELL;
    const r = rng.next();
    const price = px + rng.int(-20, 20);
    if (r < 0.45) x.newOrder({ account, session: rng.int(0, 2), symbol, side, price, qty: rng.int(1, 50), clOrdId: `c${t}` });
    else if (r < 0.5) x.newOrder({ account, symbol, side, price, qty: rng.int(1, 50), clOrdId: `g${t}`, tif: TimeInForce.GTD, expireTime: t + rng.int(1000, 400_000) });
    else if (r < 0.62) x.cancel({ account, symbol, orderId: x.engine.nextOrderIdPreview() - rng.int(1, 60) });
    else if (r < 0.72) x.replace({ account, symbol, orderId: x.engine.nextOrderIdPreview() - rng.int(1, 60), price, qty: rng.int(1, 80) });
    else if (r < 0.8) x.massQuote({ account, session: 1, symbol, bidPx: px - rng.int(1, 9), bidSize: 5, offerPx: px + rng.int(1, 9), offerSize: 5 });
    else if (r < 0.85) x.newOrder({ account, symbol, side, price, qty: rng.int(1, 30), ordType: OrdType.MARKET, tif: TimeInForce.IOC });
    else if (r < 0.87) x.massCancelOrders(account, `m${t}`, rng.next() < 0.5 ? symbol : undefined);
    else if (r < 0.88) x.killSwitch(account, rng.next() < 0.3, 'test');
    else if (r < 0.89) x.setPhase(symbol, rng.next() < 0.5 ? TradingPhase.HALTED : TradingPhase.CONTINUOUS, 'test');
    else if (r < 0.9) x.newOrder({ account, symbol, side: 9 as Side, price: NaN, qty: -1 });
    // order types: an iceberg, a held stop-limit, a midpoint peg (held off the book)
    else if (r < 0.91) x.newOrder({ account, symbol, side, price, qty: rng.int(10, 50), displayQty: 5, clOrdId: `i${t}` });
    else if (r < 0.92) x.newOrder({ account, symbol, side, ordType: OrdType.STOP_LIMIT, stopPx: side === Side.BUY ? px + 15 : px - 15, price, qty: rng.int(1, 20), clOrdId: `s${t}` });
    else if (r < 0.93) x.newOrder({ account, symbol, side, ordType: OrdType.MIDPOINT_PEG, qty: rng.int(1, 20), clOrdId: `p${t}` });
    else x.tick();
  }
  return t;
}

const cases: { name: string; config: () => ExchangeConfig; symbol: string; px: number }[] = [
  { name: 'default venue with rate limits, bans, OTR, velocity halts', config: ruledConfig, symbol: 'BTC-USD', px: 1_000_000 },
  { name: 'us-equity profile (LULD, auctions, schedule)', config: () => profileConfig('us-equity'), symbol: 'ACME', px: 100_000 },
  { name: 'crypto-spot profile', config: () => profileConfig('crypto-spot'), symbol: 'BTC-USD', px: 1_000_000 },
];

for (const c of cases) {
  test(`a restored snapshot is the same state and behaves the same: ${c.name}`, () => {
    let now = T0;
    const setTime = (t: number): void => { now = t; };
    const make = (): Exchange => new Exchange(c.config(), new Clock(() => now), 5_000_000);
    const live = make();
    for (let k = 0; k < 4; k++) live.createAccount(`t${k}`, `key-${k}`);
    const rng = new Rng(7);
    let t = drive(live, setTime, rng, 4000, T0, c.symbol, c.px);
    const open = live.engine.accountIds().flatMap((id) => live.engine.openOrders(id));
    if (c.config === ruledConfig) assert.ok(open.some((o) => o.held !== ''), 'held stops or pegs in the snapshot');
    const policy = EXCHANGE_SNAPSHOT_POLICY;
    const saved = JSON.stringify(graphPart(live, policy).save());

    const back = make();
    const part = graphPart(back, policy);
    assert.equal(part.check?.(JSON.parse(saved)), null, 'every class of the snapshot is known');
    part.load(JSON.parse(saved));
    assert.equal(stateHash(back), stateHash(live));
    // (after the same queries on both: a query may grow scratch space)
    assert.equal(JSON.stringify(graphPart(back, policy).save()), JSON.stringify(graphPart(live, policy).save()), 'a second capture is the same snapshot');
    assert.deepEqual(back.engine.accountIds().map((id) => back.accountInfo(id)), live.engine.accountIds().map((id) => live.accountInfo(id)));
    assert.equal(back.authenticate('key-2')?.name, 't2', 'api keys');

    // the same commands from here give the same events
    const tapLive = new EventTap(live);
    live.engine.setSink(tapLive);
    const tapBack = new EventTap(back);
    back.engine.setSink(tapBack);
    const t1 = t;
    t = drive(live, setTime, new Rng(99), 3000, t1, c.symbol, c.px);
    drive(back, setTime, new Rng(99), 3000, t1, c.symbol, c.px);
    assert.ok(tapLive.events > 2000);
    assert.equal(tapBack.digest(), tapLive.digest());
    assert.equal(stateHash(back), stateHash(live));
  });
}

test('recovery loads the newest valid snapshot and replays the tail: same state as a full replay and as the live run', async () => {
  const dir = tmp();
  try {
    let now = T0;
    const setTime = (t: number): void => { now = t; };
    const config = ruledConfig();
    const j = openJournal(config, () => now, { dir, fsync: 'off', segmentBytes: 32 * 1024, snapshots: { every: 1500, keep: 3 } });
    j.recover();
    for (let k = 0; k < 3; k++) j.exchange.createAccount(`t${k}`);
    const rng = new Rng(3);
    let t = T0;
    for (let burst = 0; burst < 10; burst++) {
      t = drive(j.exchange, setTime, rng, 500, t, 'BTC-USD', 1_000_000);
      await new Promise((r) => setImmediate(r)); // between commands: an automatic snapshot is taken here when due
    }
    await j.snapshots.take(); // on request (as the admin endpoint does)
    t = drive(j.exchange, setTime, rng, 700, t, 'BTC-USD', 1_000_000); // the tail after it
    const liveHash = stateHash(j.exchange);
    const lastSeq = j.recorder().writer.seq;
    await j.close();
    const snaps = snapshotFiles(dir);
    assert.equal(snaps.length, 3, 'the newest 3 kept');
    assert.ok(snaps[0].seq < lastSeq && snaps[0].seq > lastSeq - 800);

    const full = replayInto(dir);
    assert.equal(stateHash(full.exchange), liveHash, 'full replay = live');

    const k = openJournal(config, () => now, { dir, fsync: 'off' });
    const r = k.recover();
    assert.equal(r?.snapshot?.seq, snaps[0].seq, 'loaded the newest snapshot');
    assert.equal(r?.records, lastSeq - snaps[0].seq, 'replayed only the tail');
    assert.equal(stateHash(k.exchange), liveHash, 'snapshot + tail = live');
    await k.close();

    // a damaged newest snapshot: the next older one is used
    appendFileSync(join(dir, snaps[0].file), 'x');
    const m = openJournal(config, () => now, { dir, fsync: 'off' });
    const r2 = m.recover();
    assert.equal(r2?.snapshot?.seq, snaps[1].seq);
    assert.match(r2?.skippedSnapshots[0] ?? '', /bytes of payload/);
    assert.equal(stateHash(m.exchange), liveHash);
    await m.close();

    // every snapshot damaged: a full replay
    for (const s of snapshotFiles(dir)) truncateSync(join(dir, s.file), 30);
    const f = openJournal(config, () => now, { dir, fsync: 'off' });
    const r3 = f.recover();
    assert.equal(r3?.snapshot, null);
    assert.equal(r3?.skippedSnapshots.length, 3);
    assert.equal(stateHash(f.exchange), liveHash);
    await f.close();
    assert.ok(readdirSync(dir).every((n) => !n.endsWith('.tmp')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a snapshot encoded in slices (one part per turn) is byte for byte the one encoded at once', async () => {
  const content = { seq: 42, time: T0, parts: { a: { x: [1, 'é', null], y: true }, gone: undefined, b: 'text "q"', c: [] } };
  assert.deepEqual(await encodeSnapshotSliced(content), encodeSnapshot(content));
});
