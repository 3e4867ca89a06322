// The simulated market (sim/): scenario validation, the agents' exemption
// from rate limits, reproducibility, and the stylised facts and crash
// behaviour the scenarios are calibrated for (docs/simulation.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { EventSink } from '../engine/events.ts';
import { Exchange, Clock } from '../gateway/exchange.ts';
import { profileConfig } from '../gateway/profiles.ts';
import { Side } from '../engine/types.ts';
import { loadScenario, parseScenario, ScenarioError, BUILT_IN_SCENARIOS } from '../sim/scenario.ts';
import { runSim } from '../sim/run.ts';
import { median } from '../sim/stylised-facts.ts';
import { Hawkes } from '../sim/hawkes.ts';
import { Rng } from '../sim/rng.ts';
import { PriceProcess } from '../sim/price-process.ts';
import { defaultRegimes } from '../sim/params.ts';

const MIN = 60_000_000;

function scenarioError(json: unknown): string {
  try {
    parseScenario(json);
  } catch (e) {
    assert.ok(e instanceof ScenarioError);
    return e.message;
  }
  return 'no error';
}

test('scenarios: every built-in loads; a bad one is one line naming the path', () => {
  for (const name of BUILT_IN_SCENARIOS) assert.equal(loadScenario(name).name, name);
  assert.equal(
    scenarioError({ timeline: [{ at: 1, type: 'regime', regime: 'calm' }, { at: 2, type: 'jump', jump_pct: 1 }, { at: 3, type: 'regime', regime: 'calm' }, { at: 4, type: 'withdraw', withdraw_pct: 120 }] }),
    'invalid scenario: scenario.timeline[3].withdraw_pct: must be 0-100, got 120',
  );
  assert.match(scenarioError({ agents: { makers: { levelz: 3 } } }), /^invalid scenario: scenario\.agents\.makers\.levelz: unknown field/);
  assert.match(scenarioError({ symbols: ['DOGE'] }), /^invalid scenario: scenario\.symbols\[0\]: unknown symbol "DOGE"/);
  assert.match(scenarioError({ timeline: [{ at: '5 minutes', type: 'regime', regime: 'calm' }] }), /scenario\.timeline\[0\]\.at: must be seconds or a duration/);
  assert.match(scenarioError({ timeline: [{ at: 5, type: 'regime', regime: 'panic' }] }), /scenario\.timeline\[0\]\.regime: must be one of calm, choppy, trending, crisis/);
  assert.match(scenarioError({ timeline: [{ at: 5, type: 'set', params: { makers: { count: 2 } } }] }), /scenario\.timeline\[0\]\.params\.makers\.count: cannot change during a run/);
  assert.match(scenarioError([]), /^invalid scenario: scenario: must be an object$/);
  assert.throws(() => loadScenario('no-such-scenario'), /invalid scenario: scenario: no built-in scenario or readable file 'no-such-scenario'/);
  for (const m of [scenarioError({ profile: 'nyse' }), scenarioError({ cycle: [{ regime: 'calm', for: '0s' }] })]) assert.doesNotMatch(m, /\n/);
});

test('agent accounts are exempt from the order-rate limits; members are not', () => {
  let t = Date.UTC(2025, 0, 6) * 1000;
  const ex = new Exchange(profileConfig('crypto-spot'), new Clock(() => t));
  const agent = ex.createAccount('sim-agent', undefined, undefined, undefined, true);
  const member = ex.createAccount('member');
  assert.ok(!('error' in agent) && !('error' in member));
  const countRejected = (account: number): number => {
    let refused = 0;
    for (let i = 0; i < 60; i++) {
      t += 1000;
      const before = ex.engine.openOrders(account).length;
      ex.newOrder({ account, symbol: 'BTC-USD', side: Side.BUY, price: 99_000_00, qty: 100 });
      if (ex.engine.openOrders(account).length === before) refused++;
    }
    return refused;
  };
  assert.equal(countRejected((agent as { id: number }).id), 0, '60 orders in 60 ms, none refused');
  assert.equal(countRejected((member as { id: number }).id), 10, 'binance-spot: 50 per 10 s, the rest RATE_LIMITED');
});

test('Hawkes arrivals: the mean rate is μ / (1 − branching), and they cluster', () => {
  const h = new Hawkes(new Rng(3), 0.6, 2);
  const n = 20_000;
  let t = 0;
  const gaps: number[] = [];
  for (let i = 0; i < n; i++) {
    const next = h.next(1);
    gaps.push(next - t);
    t = next;
  }
  const rate = n / t;
  assert.ok(Math.abs(rate - 2.5) / 2.5 < 0.1, `rate ${rate}`);
  // clustering: gaps vary more than a Poisson process's (coefficient of variation > 1)
  const mean = t / n;
  const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / n);
  assert.ok(sd / mean > 1.1, `cv ${sd / mean}`);
});

test('price process: a value read ahead (informed) is the value read when its time comes (without trades)', () => {
  const regimes = defaultRegimes();
  const p = new PriceProcess({ step_ms: 100, vol_of_vol: 0.3, vol_tau_s: 300, correlation: 0.5, regimes },
    [{ symbol: 'A', start: 10_000_00, sigma_mult: 1 }, { symbol: 'B', start: 3_000_00, sigma_mult: 1.3 }], 0, new Rng(1), 5e6, 2e6, [], 'crisis', true);
  const ahead: number[] = [];
  for (let t = 0; t < 60e6; t += 250_000) {
    p.advance(t);
    ahead.push(p.value(0, t + 2e6));
    if (t >= 2e6) assert.equal(p.value(0, t), ahead[(t - 2e6) / 250_000]);
  }
  p.shift(0, 100);
  const now = 60e6;
  assert.ok(Math.abs(Math.log(p.value(0, now) / ahead[ahead.length - 8]) - 0.01) < 1e-9, 'impact shifts the present');
  assert.equal(p.value(0, now - 3e6), ahead[ahead.length - 20], 'the past keeps the impact it had');
});

/** sha256 over every engine event of a run (every field, in order). */
function hashingSink(h: ReturnType<typeof createHash>): Partial<EventSink> {
  const put = (kind: string, e: object): void => { h.update(kind + JSON.stringify(e) + '\n'); };
  return {
    order: (e) => put('o', e), fill: (e) => put('f', e), level: (e) => put('l', e), massCancel: (e) => put('m', e),
    phase: (e) => put('p', e), auction: (e) => put('a', e), rule: (e) => put('r', e), obligation: (e) => put('b', { ...e, status: e.status, report: e.report }),
  };
}

test('same seed and scenario give a byte-identical event stream; another seed does not', async () => {
  const run = async (seed: number): Promise<string> => {
    const h = createHash('sha256');
    await runSim({ scenario: loadScenario('1011'), seed, durationUs: 20.5 * MIN, observe: hashingSink(h) });
    return h.digest('hex');
  };
  const a = await run(7);
  assert.equal(await run(7), a);
  assert.notEqual(await run(8), a);
});

test('regimes, a simulated hour: heavy tails, volatility clustering, wider spreads in the high-vol regime', async () => {
  const { summary, tape } = await runSim({ scenario: loadScenario('regimes'), seed: 7, durationUs: 60 * MIN });
  const f = summary.facts['BTC-USD'];
  assert.ok(f.returns_1m.excess_kurtosis > 1, `excess kurtosis ${f.returns_1m.excess_kurtosis}`);
  assert.ok(f.returns_1m.mean_abs_autocorrelation_1_5 > 0.1, `mean acf |r| 1-5 ${f.returns_1m.mean_abs_autocorrelation_1_5}`);
  assert.ok(f.spread_ticks.by_regime.crisis > f.spread_ticks.by_regime.calm, JSON.stringify(f.spread_ticks.by_regime));
  assert.ok(f.spread_ticks.by_regime.choppy > f.spread_ticks.by_regime.calm, JSON.stringify(f.spread_ticks.by_regime));
  const s = tape.series('BTC-USD');
  assert.ok(s && s.mids.length === 3601);
  for (const type of ['maker', 'noise', 'informed']) assert.ok((f.volume_share.by_participant[type] ?? 0) > 0, `${type} traded`);
});

test('1011: 1 %-depth falls ≥ 90 % within 10 s of the withdrawal; the median spread after is ≥ 10× the one before', async () => {
  const sc = loadScenario('1011');
  const withdrawal = sc.timeline.find((e) => e.type === 'withdraw');
  assert.ok(withdrawal);
  const at = withdrawal.atUs / 1e6;
  const { tape, summary } = await runSim({ scenario: sc, seed: 7, durationUs: (at + 600) * 1e6 });
  const s = tape.series('BTC-USD');
  assert.ok(s);
  const before = s.depth[at - 1];
  const after = s.depth[at + 10];
  assert.ok(before > 500_000, `depth before ${before}`);
  assert.ok(after <= before * 0.1, `depth ${before} → ${after}`);
  const spreadBefore = median(s.spreadBp.slice(0, at - 30).filter(Number.isFinite));
  const spreadAfter = median(s.spreadBp.slice(at, at + 600).filter(Number.isFinite));
  assert.ok(spreadBefore < 10, `spread before ${spreadBefore} bp`);
  assert.ok(spreadAfter >= 10 * spreadBefore, `spread ${spreadBefore} → ${spreadAfter} bp`);
  assert.ok(summary.liquidations.liquidatedLongs > 100, 'a liquidation wave');
});

test('toxic: makers lose on fills against informed takers and earn against noise takers (10 s markouts)', async () => {
  const { summary } = await runSim({ scenario: loadScenario('toxic'), seed: 7, durationUs: 20 * MIN });
  const share = summary.facts['BTC-USD'].volume_share.by_aggressor;
  assert.ok(share.informed > 0.15, `informed share ${share.informed}`);
  let informed = 0;
  let noise = 0;
  let n = 0;
  for (const [name, row] of Object.entries(summary.markouts_10s)) {
    if (!name.startsWith('sim-maker-')) continue;
    informed += row.informed.mean_bp * row.informed.fills;
    noise += row.noise.mean_bp * row.noise.fills;
    n++;
  }
  assert.ok(n >= 3);
  assert.ok(informed < 0, `vs informed ${informed}`);
  assert.ok(noise > 0, `vs noise ${noise}`);
});

test('beside a running gateway (npm start -- --scenario): agents quote and trade on the exchange clock', async () => {
  const { startServer } = await import('../gateway/index.ts');
  const { ExchangeClock } = await import('../sim/clock.ts');
  const { serveMarket } = await import('../sim/serve.ts');
  const server = await startServer({ config: profileConfig('crypto-spot'), port: 0, exchangeClock: new ExchangeClock({ mode: 'scaled', speed: 50 }) });
  const served = serveMarket(server, loadScenario('calm'), 3);
  try {
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok(server.exchange.trades('BTC-USD').length > 0, 'trades on the tape');
    assert.ok(server.exchange.engine.bestBid('BTC-USD') && server.exchange.engine.bestAsk('BTC-USD'), 'a two-sided book');
    const maker = served.market.agents.find((a) => a.type === 'maker');
    assert.ok(maker && server.exchange.engine.openOrders(maker.account).length > 0);
    assert.equal(served.market.agentType(1), undefined, 'the demo accounts are external');
  } finally {
    served.stop();
    await server.close();
  }
});
