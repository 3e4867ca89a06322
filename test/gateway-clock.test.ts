// The exchange clock under a real server (port 0): timed rules follow it
// (GTD expiry at speed 100, a scheduled phase after a jump), and the admin
// clock routes read and change it with typed errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../gateway/index.ts';
import { defaultConfig } from '../gateway/config.ts';
import { profileConfig } from '../gateway/profiles.ts';
import type { ExchangeConfig } from '../gateway/exchange.ts';
import { tickWallMs } from '../gateway/exchange-ticker.ts';
import { ExchangeClock, type ExchangeClockOptions } from '../sim/clock.ts';

const ADMIN = 'test-admin-token';
const S = 1_000_000;
/** 2026-03-02T13:25:00Z: 09:25 on the us-equity schedule, 5 minutes before the open */
const T0 = Date.UTC(2026, 2, 2, 13, 25) * 1000;

type Json = Record<string, unknown>;

async function withServer(config: ExchangeConfig, clock: ExchangeClockOptions, fn: (s: RunningServer) => Promise<void>): Promise<void> {
  const s = await startServer({ config, adminToken: ADMIN, exchangeClock: new ExchangeClock(clock) });
  try { await fn(s); } finally { await s.close(); }
}

async function call(s: RunningServer, method: string, path: string, body?: unknown, admin = ADMIN): Promise<{ status: number; body: Json; headers: Headers }> {
  const headers: Record<string, string> = { 'x-admin-token': admin };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(s.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, body: await r.json() as Json, headers: r.headers };
}

const clockAction = (s: RunningServer, body: Json) => call(s, 'POST', '/api/v1/admin/clock', body);
const phaseOf = async (s: RunningServer, symbol: string): Promise<unknown> =>
  ((await call(s, 'GET', '/api/v1/instruments')).body as unknown as Json[]).find((i) => i.symbol === symbol)?.phase;

test('at speed 100 a GTD order 10 s away in exchange time expires after about 100 ms of wall time', () =>
  withServer(defaultConfig(), { mode: 'scaled', speed: 100, startUs: T0 }, async (s) => {
    const account = s.exchange.authenticate('demo-maker-1')!.id;
    let expiredAt = 0;
    let transact = 0;
    s.exchange.subscribeAccount(account, (body, msg) => {
      if (body === 'execution_report' && msg.exec_type === 5) [expiredAt, transact] = [performance.now(), msg.transact_time as number];
    });
    // paused while the order is placed, so the request's own time does not count
    s.clock.pause();
    const expire = s.clock.now() + 10 * S;
    const r = await fetch(`${s.url}/api/v1/orders`, {
      method: 'POST', headers: { 'x-api-key': 'demo-maker-1', 'content-type': 'application/json' },
      body: JSON.stringify({ cl_ord_id: 'gtd', symbol: 'BTC-USD', side: 'BUY', ord_type: 'LIMIT', price_units: 500_000, order_qty_units: 10, time_in_force: 'GTD', expire_time: expire }),
    });
    assert.equal(r.status, 200, await r.text());
    const placedAt = performance.now();
    s.clock.resume();
    while (expiredAt === 0 && performance.now() - placedAt < 3000) await new Promise((res) => setTimeout(res, 2));
    const wallMs = expiredAt - placedAt;
    assert.ok(expiredAt > 0, 'expired');
    // never early, in exchange or wall time; late by the tick (1 ms at speed 100) and the event loop
    assert.ok(transact >= expire, `transact_time ${transact} before expire_time ${expire}`);
    assert.ok(wallMs >= 99 && wallMs < 600, `expired after ${wallMs.toFixed(1)} ms of wall time`);
  }));

test('a scheduled phase change applies as soon as a jump passes it, at the jump\'s exchange time', () =>
  withServer(profileConfig('us-equity'), { mode: 'virtual', startUs: T0 }, async (s) => {
    assert.equal(await phaseOf(s, 'AAPL'), 'CONTINUOUS', '08:25 New York (EST): pre-market');
    const r = await clockAction(s, { action: 'jump', to: '09:30' }); // us-equity's zone, America/New_York: 09:30 EST = 14:30 UTC
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual([r.body.time_us, r.body.time, r.body.mode, r.body.time_zone], [T0 + 3900 * S, '2026-03-02T14:30:00.000000Z', 'virtual', 'America/New_York']);
    assert.equal(await phaseOf(s, 'AAPL'), 'OPENING_AUCTION');
    assert.equal(s.exchange.status('AAPL')?.transact_time, T0 + 3900 * S, 'the phase event carries the exchange time');
    // virtual time stands still between jumps
    await new Promise((res) => setTimeout(res, 30));
    assert.equal((await call(s, 'GET', '/api/v1/admin/clock')).body.time_us, T0 + 3900 * S);
  }));

test('a timed halt ends when a jump passes its end; reports carry the exchange time', () =>
  withServer(defaultConfig(), { mode: 'virtual', startUs: T0 }, async (s) => {
    const account = s.exchange.authenticate('demo-maker-1')!.id;
    const times: number[] = [];
    s.exchange.subscribeAccount(account, (body, msg) => {
      if (body === 'execution_report') times.push(msg.transact_time as number);
    });
    const h = await call(s, 'POST', '/api/v1/admin/instruments/BTC-USD/halt', { duration_ms: 60_000 });
    assert.deepEqual([h.status, h.body.phase, h.body.halt_end_time], [200, 'HALTED', T0 + 60 * S]);
    await clockAction(s, { action: 'jump', by_ms: 59_999 });
    assert.equal(await phaseOf(s, 'BTC-USD'), 'HALTED');
    await clockAction(s, { action: 'jump', by_ms: 1 });
    assert.equal(await phaseOf(s, 'BTC-USD'), 'CONTINUOUS');
    const r = await fetch(`${s.url}/api/v1/orders`, {
      method: 'POST', headers: { 'x-api-key': 'demo-maker-1', 'content-type': 'application/json' },
      body: JSON.stringify({ cl_ord_id: 'o1', symbol: 'BTC-USD', side: 'BUY', ord_type: 'LIMIT', price_units: 500_000, order_qty_units: 10 }),
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-exchange-time'), String(T0 + 60 * S));
    assert.deepEqual(times, [T0 + 60 * S]);
  }));

test('a jump backward is refused with a typed 400 and changes nothing', () =>
  withServer(defaultConfig(), { mode: 'virtual', startUs: T0 }, async (s) => {
    for (const body of [{ action: 'jump', to_us: T0 - 1 }, { action: 'jump', to: '2026-03-02T13:24:59Z' }]) {
      const r = await clockAction(s, body);
      assert.equal(r.status, 400);
      assert.equal(r.body.code, 'BACKWARD_JUMP');
      assert.match(String(r.body.message), /before the exchange time 2026-03-02T13:25:00.000000Z/);
    }
    assert.equal(s.clock.now(), T0);
    const ok = await clockAction(s, { action: 'jump', by_ms: 1500 });
    assert.equal(ok.body.time_us, T0 + 1_500_000);
  }));

test('paused time stands still; resume continues; speed changes apply', () =>
  withServer(defaultConfig(), { mode: 'scaled', speed: 10, startUs: T0 }, async (s) => {
    const p = await clockAction(s, { action: 'pause' });
    assert.deepEqual([p.status, p.body.paused, p.body.mode], [200, true, 'scaled']);
    await new Promise((res) => setTimeout(res, 50));
    const g = await call(s, 'GET', '/api/v1/admin/clock');
    assert.equal(g.body.time_us, p.body.time_us, 'paused');
    assert.equal(g.headers.get('x-exchange-time'), String(p.body.time_us), 'every answer carries the exchange time');
    const sp = await clockAction(s, { action: 'speed', speed: 1000 });
    assert.deepEqual([sp.body.speed, sp.body.paused], [1000, true]);
    await clockAction(s, { action: 'resume' });
    await new Promise((res) => setTimeout(res, 50));
    const after = (await call(s, 'GET', '/api/v1/admin/clock')).body.time_us as number;
    assert.ok(after - (p.body.time_us as number) >= 40 * S, `at speed 1000, 50 ms of wall time is ≥ 40 s: got ${after - (p.body.time_us as number)} µs`);
  }));

test('the clock routes: admin only; bad actions are typed 400s', () =>
  withServer(defaultConfig(), {}, async (s) => {
    const g = await call(s, 'GET', '/api/v1/admin/clock');
    assert.equal(g.status, 200);
    assert.deepEqual(Object.keys(g.body), ['mode', 'time_us', 'time', 'speed', 'paused', 'time_zone', 'min_speed', 'max_speed']);
    assert.deepEqual([g.body.mode, g.body.speed, g.body.paused, g.body.time_zone], ['wall', 1, false, 'UTC']);
    assert.ok(Math.abs((g.body.time_us as number) - Date.now() * 1000) < 5 * S);
    assert.equal((await call(s, 'GET', '/api/v1/admin/clock', undefined, 'wrong')).status, 401);
    assert.equal((await call(s, 'POST', '/api/v1/admin/clock', { action: 'pause' }, 'wrong')).status, 401);
    const cases: [Json, string][] = [
      [{ action: 'speed', speed: 0.01 }, 'SPEED_OUT_OF_RANGE'],
      [{ action: 'speed', speed: 1001 }, 'SPEED_OUT_OF_RANGE'],
      [{ action: 'speed' }, 'INVALID_FIELD'],
      [{ action: 'pause', speed: 2 }, 'INVALID_FIELD'],
      [{ action: 'jump' }, 'INVALID_FIELD'],
      [{ action: 'jump', by_ms: 1, to_us: 1 }, 'INVALID_FIELD'],
      [{ action: 'jump', to: 'soon' }, 'BAD_START_TIME'],
      [{ action: 'jump', to_us: 9e15 }, 'TIME_OUT_OF_RANGE'],
      [{ action: 'rewind' }, 'INVALID_REQUEST'],
      [{ action: 'pause', extra: 1 }, 'INVALID_REQUEST'],
    ];
    for (const [body, code] of cases) {
      const r = await clockAction(s, body);
      assert.deepEqual([r.status, r.body.code], [400, code], JSON.stringify(body));
    }
    assert.equal(s.clock.mode, 'wall', 'refused actions change nothing');
    const j = await clockAction(s, { action: 'jump', by_ms: 60_000 });
    assert.equal(j.body.mode, 'scaled', 'a jump leaves the wall time');
  }));

test('the tick period shrinks with the speed: 100 ms up to speed 1, 100 ms / speed above, at least 1 ms', () => {
  assert.deepEqual([0.1, 1, 10, 100, 1000].map(tickWallMs), [100, 100, 10, 1, 1]);
});
