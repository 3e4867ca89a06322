// Failed authentications are throttled per address (REST and Logon share the
// count): 429 with Retry-After, then refused until the block ends, logged;
// configured api keys have at least 16 characters; the demo keys are served
// on loopback only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../gateway/index.ts';
import { AuthThrottle } from '../gateway/auth-throttle.ts';
import { CloseCode } from '../gateway/connection-limits.ts';
import { DEFAULT_CONFIG, DEMO_API_KEYS, isLoopbackHost, validateConfig, withoutDemoKeys } from '../gateway/config.ts';
import type { SessionLimits } from '../gateway/trade-session.ts';
import { Raw } from './gateway-raw-client.ts';

const KEY = 'alice-key-0123456789';
const CONFIG = {
  instruments: [{ symbol: 'BTC-USD', price_scale: 1, qty_scale: 4, tick_size: 1, lot: 1, min_qty: 1, max_qty: 1_000_000, max_price: 10_000_000, maker_fee_bp: -1, taker_fee_bp: 2 }],
  accounts: [{ name: 'alice', api_key: KEY }],
};

async function withServer(limits: Partial<SessionLimits>, fn: (s: RunningServer) => Promise<void>): Promise<void> {
  const s = await startServer({ config: structuredClone(CONFIG), limits });
  try { await fn(s); } finally { await s.close(); }
}

const account = (s: RunningServer, key: string): Promise<Response> => fetch(`${s.url}/api/v1/account`, { headers: { 'x-api-key': key } });

test('REST: wrong keys past the limit → 429 with Retry-After, even for the right key, until the block ends', () => withServer({
  authFailures: 5, authWindowMs: 10_000, authBlockMs: 600,
}, async (s) => {
  assert.equal((await account(s, KEY)).status, 200);
  for (let i = 0; i < 5; i++) assert.equal((await account(s, `wrong-key-${i}-0123456789`)).status, 401);
  const blocked = await account(s, KEY);
  assert.equal(blocked.status, 429);
  assert.equal(blocked.headers.get('retry-after'), '1');
  assert.equal((await blocked.json() as { code: string }).code, 'AUTH_BLOCKED');
  assert.equal((await account(s, 'another-wrong-key-0123')).status, 429);
  await new Promise((r) => setTimeout(r, 700));
  assert.equal((await account(s, KEY)).status, 200);
}));

test('Logon: wrong keys count with REST ones; a blocked address gets a Logout and close code 4004', () => withServer({
  authFailures: 4, authBlockMs: 60_000,
}, async (s) => {
  for (let i = 0; i < 2; i++) assert.equal((await account(s, `wrong-key-${i}-0123456789`)).status, 401);
  for (let i = 0; i < 2; i++) {
    const r = await Raw.logon(s.url, `bad-logon-key-${i}-0123456789`);
    assert.match(String(r.of<{ text: string }>('logout')[0]?.text), /unknown api key/);
  }
  const ws = new WebSocket(`${s.url.replace('http', 'ws')}/ws/trade`);
  const raw = new Raw(ws);
  await new Promise((res) => ws.once('open', res));
  const closed = new Promise<number>((res) => ws.once('close', (code) => res(code)));
  raw.send('logon', { api_key: KEY, reset_seq_num: true });
  assert.match((await raw.next<{ text: string }>('logout')).text, /too many failed authentications from this address; retry in 60 s/);
  assert.equal(await closed, CloseCode.AUTH_BLOCKED);
}));

test('the throttle logs each block with the address and count, and forgets a window that passed', () => {
  let now = 0;
  let failures = 0;
  const logs: unknown[] = [];
  const t = new AuthThrottle({ authFailures: 3, authWindowMs: 1000, authBlockMs: 5000 }, (level, fields, message) => {
    if (level === 'warn') logs.push({ ...fields, message });
    else failures++;
  }, () => now);
  t.failed('10.0.0.1');
  t.failed('10.0.0.1');
  now = 2000; // the window passed: counting starts again
  t.failed('10.0.0.1');
  t.failed('10.0.0.1');
  assert.equal(t.retryAfter('10.0.0.1'), 0);
  t.failed('10.0.0.1');
  assert.equal(t.retryAfter('10.0.0.1'), 5000);
  assert.equal(t.retryAfter('10.0.0.2'), 0);
  assert.deepEqual(logs, [{ address: '10.0.0.1', failures: 3, blocked_ms: 5000, message: 'authentication blocked: too many failed attempts from this address' }]);
  assert.equal(failures, 5);
  now = 7001;
  assert.equal(t.retryAfter('10.0.0.1'), 0);
});

test('configured api keys: at least 16 characters; the demo keys are the exception, kept on loopback only', () => {
  const base = { instruments: CONFIG.instruments };
  assert.throws(() => validateConfig({ ...base, accounts: [{ name: 'a', api_key: 'fifteen-chars-x' }] }), /accounts\[0\]\.api_key: a string of 16-128/);
  assert.doesNotThrow(() => validateConfig({ ...base, accounts: [{ name: 'a', api_key: 'sixteen-chars-xx' }] }));
  assert.doesNotThrow(() => validateConfig(structuredClone(DEFAULT_CONFIG)));
  assert.doesNotThrow(() => validateConfig({ profile: 'crypto-spot' }));
  const open = withoutDemoKeys(structuredClone(DEFAULT_CONFIG) as never);
  assert.ok(open.accounts?.every((a) => a.api_key === undefined));
  assert.equal(DEMO_API_KEYS.size, 3);
  for (const h of ['127.0.0.1', 'localhost', '::1', '127.1.2.3']) assert.ok(isLoopbackHost(h), h);
  for (const h of ['0.0.0.0', '10.0.0.1', '::', 'example.com']) assert.ok(!isLoopbackHost(h), h);
});
