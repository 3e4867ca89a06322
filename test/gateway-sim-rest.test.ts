// The simulated market's REST routes (gateway/rest-sim.ts): its fair value and
// regime, and the admin's triggers, against a server running the calm scenario.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../gateway/index.ts';
import { loadConfig } from '../gateway/config.ts';
import { serveMarket } from '../sim/serve.ts';
import { loadScenario } from '../sim/scenario.ts';
import { withoutEffectiveTime } from './client-test-helpers.ts';

const ADMIN = 'sim-rest';

async function call(s: RunningServer, method: string, url: string, body?: unknown, token = ADMIN): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers: Record<string, string> = token ? { 'x-admin-token': token } : {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(`${s.url}/api/v1${url}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, json: withoutEffectiveTime(method, url, r.status, (await r.json()) as Record<string, unknown>) };
}

const fairValue = async (s: RunningServer): Promise<number> => Number(((await call(s, 'GET', '/sim')).json.symbols as { fair_value: string }[])[0].fair_value);

test('without a scenario the sim routes answer 404 NO_SCENARIO', async () => {
  const s = await startServer({ config: loadConfig(undefined, 'crypto-spot'), adminToken: ADMIN });
  try {
    for (const [method, url] of [['GET', '/sim'], ['POST', '/admin/sim/withdraw']]) {
      const r = await call(s, method, url);
      assert.equal(r.status, 404);
      assert.equal(r.json.code, 'NO_SCENARIO');
    }
  } finally {
    await s.close();
  }
});

test('a running scenario: fair value and regime; withdraw, restore and jump for the admin only', async () => {
  const scenario = loadScenario('calm');
  const s = await startServer({ config: loadConfig(undefined, scenario.profile), adminToken: ADMIN });
  const market = serveMarket(s, scenario, 3);
  try {
    const sim = (await call(s, 'GET', '/sim', undefined, '')).json;
    assert.equal(sim.scenario, 'calm');
    assert.deepEqual((sim.symbols as { symbol: string; regime: string }[]).map((x) => [x.symbol, x.regime]), [['BTC-USD', 'calm']]);
    assert.match((sim.symbols as { fair_value: string }[])[0].fair_value, /^\d+\.\d{2}$/);

    assert.equal((await call(s, 'POST', '/admin/sim/withdraw', {}, '')).status, 401);
    const w = await call(s, 'POST', '/admin/sim/withdraw', { withdraw_pct: 80, within_s: 0 });
    assert.deepEqual(w.json, { scenario: 'calm', triggered: { type: 'withdraw', withdraw_pct: 80, within_s: 0 } });
    assert.deepEqual((await call(s, 'POST', '/admin/sim/restore')).json.triggered, { type: 'restore', depth_pct: 100, within_s: 3 });

    const before = await fairValue(s);
    const j = await call(s, 'POST', '/admin/sim/jump', { jump_pct: -20, symbol: 'BTC-USD' });
    assert.equal(j.status, 200);
    const after = await fairValue(s);
    assert.ok(after < before * 0.82 && after > before * 0.78, `${before} → ${after}`);

    assert.equal((await call(s, 'POST', '/admin/sim/jump', { jump_pct: 5, symbol: 'ETH-USD' })).json.code, 'UNKNOWN_SYMBOL');
    assert.equal((await call(s, 'POST', '/admin/sim/jump', {})).status, 400);
    assert.equal((await call(s, 'POST', '/admin/sim/jump', { jump_pct: -90 })).status, 400);
    assert.equal((await call(s, 'POST', '/admin/sim/withdraw', { withdraw_pct: 10, extra: 1 })).status, 400);
  } finally {
    market.stop();
    await s.close();
  }
});
