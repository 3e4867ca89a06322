// GET /api/v1/rule-events (gateway/rule-log.ts): rule events and phase changes
// one by one, newest first, filtered by kind and symbol, bounded; an account is
// named only to the admin token and to its own key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../gateway/index.ts';
import { Clock, Exchange } from '../gateway/exchange.ts';
import { RuleLog } from '../gateway/rule-log.ts';
import { TradingPhase } from '../engine/types.ts';
import { BTC, TEST_CONFIG } from './client-test-helpers.ts';

const ADMIN = 'rule-events-admin';
const ALICE = 'alice-key-1-0123456';
const BOB = 'bob-key-01-01234567';
type Row = Record<string, unknown>;

test('rule events: a ban and a kill switch, newest first; names and texts for the admin and the account itself only; kind and symbol filters', async () => {
  const config = {
    ...structuredClone(TEST_CONFIG),
    rules: { rate_limits: [{ name: 'orders-1m', scope: 'account' as const, window: 'sliding' as const, limit: 1, interval_ms: 60_000 }], rate_ban: { breaches: 2, window_ms: 60_000, ban_ms: 120_000 } },
  };
  const s = await startServer({ config, adminToken: ADMIN, port: 0 });
  try {
    const get = async (query: string, headers: Record<string, string> = {}): Promise<{ status: number; events: Row[] }> => {
      const r = await fetch(`${s.url}/api/v1/rule-events${query}`, { headers });
      const body = (await r.json()) as { events: Row[] };
      return { status: r.status, events: body.events };
    };
    const alice = s.exchange.authenticate(ALICE);
    const bob = s.exchange.authenticate(BOB);
    assert.ok(alice && bob);
    s.exchange.killSwitch(bob.id, true, "bob's desk pulled the plug");
    s.exchange.setPhase(BTC.symbol, TradingPhase.HALTED, 'halted by admin', 60_000_000);
    s.exchange.setPhase(BTC.symbol, TradingPhase.CONTINUOUS, 'resumed by admin');
    for (let i = 0; i < 3; i++) {
      await fetch(`${s.url}/api/v1/orders`, {
        method: 'POST', headers: { 'x-api-key': ALICE, 'content-type': 'application/json' },
        body: JSON.stringify({ cl_ord_id: `o${i}`, symbol: BTC.symbol, side: 'BUY', price: '90000.0', order_qty: '0.0010' }),
      });
    }

    const admin = await get('', { 'x-admin-token': ADMIN });
    assert.equal(admin.status, 200);
    assert.deepEqual(admin.events.map((e) => e.kind), ['BAN', 'PHASE', 'PHASE', 'KILL_SWITCH_ON'], 'newest first');
    const [ban, resume, halt, kill] = admin.events;
    assert.deepEqual([ban.account, ban.name, ban.symbol], [alice.id, 'alice', null]);
    assert.equal((ban.until as number) - (ban.time as number), 120_000_000, 'banned for ban_ms');
    assert.deepEqual([kill.account, kill.name, kill.text], [bob.id, 'bob', "bob's desk pulled the plug"]);
    assert.deepEqual([halt.symbol, halt.phase, halt.cause, halt.text], [BTC.symbol, 'HALTED', 'ADMIN', 'halted by admin']);
    assert.equal((halt.halt_end_time as number) - (halt.time as number), 60_000_000);
    assert.deepEqual([resume.phase, resume.halt_end_time], ['CONTINUOUS', null]);
    assert.ok((ban.id as number) > (kill.id as number));

    // the public: that some account was banned, not which, nor the operator's text
    const anyone = await get('');
    assert.deepEqual(anyone.events.map((e) => [e.kind, e.account ?? null, e.name ?? null]), [['BAN', null, null], ['PHASE', null, null], ['PHASE', null, null], ['KILL_SWITCH_ON', null, null]]);
    assert.equal(anyone.events[3].text, null);
    assert.doesNotMatch(JSON.stringify(anyone.events), /alice|bob/);
    // an account: its own events named, the others not
    const own = await get('', { 'x-api-key': ALICE });
    assert.deepEqual(own.events.filter((e) => e.kind !== 'PHASE').map((e) => [e.kind, e.name]), [['BAN', 'alice'], ['KILL_SWITCH_ON', null]]);

    assert.deepEqual((await get('?kind=KILL_SWITCH_ON,KILL_SWITCH_OFF', { 'x-admin-token': ADMIN })).events.map((e) => e.kind), ['KILL_SWITCH_ON']);
    assert.deepEqual((await get(`?kind=PHASE&symbol=${BTC.symbol}&limit=1`)).events.map((e) => e.phase), ['CONTINUOUS']);
    assert.equal((await get('?kind=PHASE&symbol=ETH-USD')).events.length, 0);
    assert.equal((await get('?kind=NOPE')).status, 400);
    assert.equal((await get('?limit=0')).status, 400);
    assert.equal((await get('?limit=1001')).status, 400);
    assert.equal((await get('', { 'x-api-key': 'not-a-key' })).status, 401);
    assert.equal((await get('', { 'x-admin-token': 'wrong' })).status, 401);
  } finally {
    await s.close();
  }
});

test('the rule log keeps its last N events', () => {
  let now = 1_000_000;
  const ex = new Exchange(structuredClone(TEST_CONFIG), new Clock(() => now));
  const log = new RuleLog(ex, 3);
  for (let i = 0; i < 5; i++) {
    now += 1000;
    ex.killSwitch(1, i % 2 === 0, `switch ${i}`);
  }
  assert.deepEqual(log.rows('admin', 10, new Set()).map((r) => r.text), ['switch 4', 'switch 3', 'switch 2']);
  assert.deepEqual(log.rows('admin', 10, new Set(['KILL_SWITCH_OFF'])).map((r) => r.text), ['switch 3']);
  log.close();
});
