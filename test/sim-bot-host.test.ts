// The SDK bot in virtual time (sim/bot-host.ts): the naive bot runs in-process
// through the gateway's session code, with a latency model on both
// connections — against a tiny seeded market of its own (a random-walk fair
// value, one background maker, noise takers, an informed taker), and in the
// simulator's toxic scenario (npm run sim --bot).
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Clock, Exchange } from '../gateway/exchange.ts';
import { OrdType, Side } from '../engine/types.ts';
import { naiveStrategy } from '../client/bots/naive-quoter.ts';
import { BotHost, runWithBot } from '../sim/bot-host.ts';
import { Link, parseLatency, type LatencyModel } from '../sim/bot-link.ts';
import { EventDigest } from '../sim/event-digest.ts';
import { BotSpecError, latencyFromFlags, loadStrategy } from '../sim/bot-spec.ts';
import { runSim, type RunSummary } from '../sim/run.ts';
import { loadScenario } from '../sim/scenario.ts';
import { Rng } from '../sim/rng.ts';
import { VirtualScheduler } from '../sim/scheduler.ts';
import { virtualTimers } from '../sim/virtual-timers.ts';
import { BTC } from './client-test-helpers.ts';

const START = Date.UTC(2026, 0, 5, 14, 0, 0) * 1000;
const LATENCY: LatencyModel = { feedUs: 2000, orderUs: 1000, jitterUs: 500 };

interface Outcome {
  digest: string;
  events: number;
  botFills: number;
  status: string;
}

/** 40 s (or `seconds`) of the tiny market with the naive bot in it. */
async function runMarket(seed: number, seconds = 40): Promise<Outcome> {
  const sched = new VirtualScheduler(START);
  const rng = new Rng(seed);
  const ex = new Exchange({ instruments: [{ ...BTC, max_qty: 10_000_000 }] }, new Clock(() => sched.now()));
  const digest = EventDigest.of(ex);
  const account = (name: string): number => {
    const a = ex.createAccount(name);
    if ('error' in a) throw new Error(a.error);
    return a.id;
  };
  const maker = account('maker');
  const noise = account('noise');
  const informed = account('informed');
  const symbol = BTC.symbol;
  let fair = 1_000_000;
  const walk = rng.fork('fair');
  const every = (us: number, fn: () => void): void => {
    const tick = (): void => {
      fn();
      sched.after(us, tick);
    };
    sched.after(us, tick);
  };
  every(100_000, () => (fair += Math.round(walk.normal() * 3)));
  // the maker sees the fair value late (its quote lags): stale quotes are what the informed taker hits
  let makerView = fair;
  every(1_000_000, () => (makerView = fair));
  every(200_000, () => ex.massQuote({ account: maker, session: 0, symbol, bidPx: makerView - 6, bidSize: 5000, offerPx: makerView + 6, offerSize: 5000 }));
  const noiseRng = rng.fork('noise');
  const arrive = (): void => {
    sched.after(Math.round(noiseRng.exp(500_000)), () => {
      ex.newOrder({ account: noise, symbol, side: noiseRng.chance(0.5) ? Side.BUY : Side.SELL, ordType: OrdType.MARKET, qty: noiseRng.int(100, 300) });
      arrive();
    });
  };
  arrive();
  every(250_000, () => {
    if (fair > makerView + 8) ex.newOrder({ account: informed, symbol, side: Side.BUY, ordType: OrdType.MARKET, qty: 200 });
    if (fair < makerView - 8) ex.newOrder({ account: informed, symbol, side: Side.SELL, ordType: OrdType.MARKET, qty: 200 });
  });

  const host = new BotHost(ex, sched, rng.fork('bot'), LATENCY);
  const started = host.start({ strategy: naiveStrategy(2), symbol, size: '0.01' });
  await runWithBot(sched, START + seconds * 1_000_000, host);
  const bot = await started;
  const status = bot.statusLine();
  // stopping (mass cancel, logout) takes virtual time too
  const stopped = bot.stop();
  await runWithBot(sched, START + (seconds + 5) * 1_000_000, host);
  assert.match(await stopped, /cancelled \d+ order/);
  host.close();
  return { digest: digest.hex(), events: digest.count, botFills: Number(/fills (\d+)/.exec(status)?.[1] ?? 0), status };
}

test('latencies parse from flags; a link keeps order under jitter and stays within fixed … fixed + jitter', () => {
  assert.equal(parseLatency('2ms'), 2000);
  assert.equal(parseLatency('0.5ms'), 500);
  assert.equal(parseLatency('750us'), 750);
  assert.equal(parseLatency('1s'), 1_000_000);
  assert.equal(parseLatency('3'), 3000);
  assert.equal(parseLatency('fast'), null);
  assert.equal(parseLatency('-1ms'), null);
  const sched = new VirtualScheduler(0);
  const link = new Link(sched, 1000, 500, new Rng(1));
  const arrived: [number, number][] = [];
  for (let i = 0; i < 200; i++) sched.at(i * 10, () => link.carry(() => arrived.push([i, sched.now() - i * 10])));
  sched.run(1_000_000);
  assert.deepEqual(arrived.map(([i]) => i), [...Array(200).keys()]);
  for (const [, d] of arrived) assert.ok(d >= 1000 && d < 1500, `delay ${d}`);
  assert.ok(new Set(arrived.map(([, d]) => d)).size > 20, 'jitter varies the delay');
});

test('--bot: built-in names, or a module exporting a Strategy (or a function returning one); bad flags name themselves', async () => {
  assert.equal((await loadStrategy('naive')).name, 'naive');
  assert.equal((await loadStrategy('as')).name, 'A-S');
  const dir = mkdtempSync(join(tmpdir(), 'mb-bot-'));
  writeFileSync(join(dir, 'wide.mjs'), 'export default () => ({ name: "wide", quote: (c) => ({ bid: c.mid - 50, ask: c.mid + 50 }) });\n');
  writeFileSync(join(dir, 'none.mjs'), 'export const x = 1;\n');
  const wide = await loadStrategy(join(dir, 'wide.mjs'));
  assert.equal(wide.name, 'wide');
  await assert.rejects(loadStrategy(join(dir, 'none.mjs')), /exports no Strategy/);
  await assert.rejects(loadStrategy(join(dir, 'missing.mjs')), (e: Error) => e instanceof BotSpecError && /cannot be loaded/.test(e.message));
  assert.deepEqual(latencyFromFlags({ 'feed-latency': '5ms', jitter: '0' }), { feedUs: 5000, orderUs: 1000, jitterUs: 0 });
  assert.throws(() => latencyFromFlags({ 'order-latency': 'soon' }), /--order-latency: a duration/);
});

test('virtual timers: timeouts and intervals fire in exchange time, cancel cleanly', () => {
  const sched = new VirtualScheduler(5_000_000);
  const t = virtualTimers(sched);
  const seen: string[] = [];
  t.setTimeout(() => seen.push(`timeout@${t.now()}`), 1.5);
  const gone = t.setTimeout(() => seen.push('cancelled'), 1);
  t.clearTimeout(gone);
  const iv = t.setInterval(() => {
    seen.push(`tick@${t.now()}`);
    if (seen.length >= 3) t.clearInterval(iv);
  }, 1);
  // a fractional delay lands on a whole µs: exchange time stays an integer
  t.setTimeout(() => seen.push(`integer ${Number.isInteger(sched.now())}`), 249.99999997);
  sched.run(5_300_000);
  assert.deepEqual(seen, ['tick@5001', 'timeout@5001.5', 'tick@5002', 'integer true']);
});

test('the naive bot in virtual time: connects through the gateway sessions, quotes, gets filled; same seed → same event stream', async () => {
  const wall = Date.now();
  const a = await runMarket(7);
  const b = await runMarket(7);
  assert.ok(a.botFills > 0, `the bot got no fills: ${a.status}`);
  assert.ok(a.events > 1000, `only ${a.events} events`);
  assert.equal(a.digest, b.digest);
  assert.equal(a.events, b.events);
  const c = await runMarket(8);
  assert.notEqual(c.digest, a.digest);
  console.log(`# ${a.events} events, bot fills ${a.botFills}, 3 runs of 40 simulated s in ${Date.now() - wall} ms; ${a.status}`);
});

test('toxic with the naive bot: same seed → byte-identical engine event stream; the bot is labelled bot in trades.csv and summary.json', async () => {
  const run = async (seed: number, out?: string): Promise<{ digest: string; events: number; summary: RunSummary }> => {
    const digest = new EventDigest();
    const { summary } = await runSim({
      scenario: loadScenario('toxic'), seed, durationUs: 3 * 60_000_000, out, observe: digest,
      bot: { strategy: naiveStrategy(), latency: LATENCY },
    });
    return { digest: digest.hex(), events: digest.count, summary };
  };
  const out = mkdtempSync(join(tmpdir(), 'mb-sim-bot-'));
  const a = await run(7, out);
  const b = await run(7);
  assert.equal(a.digest, b.digest);
  assert.equal(a.events, b.events);
  assert.notEqual((await run(8)).digest, a.digest);
  const bot = a.summary.bot;
  assert.ok(bot && bot.strategy === 'naive' && bot.account > 0, JSON.stringify(bot));
  assert.match(bot.status, /fills [1-9]/);
  const trades = readFileSync(join(out, 'trades.csv'), 'utf8').split('\n');
  assert.ok(trades.some((l) => l.endsWith(',bot') || l.includes(',bot,')), 'a bot trade in trades.csv');
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).bot.latency, LATENCY);
});

test('toxic, a simulated hour: the naive bot loses on fills against informed takers and earns on fills against noise takers (10 s markouts)', async () => {
  const wall = Date.now();
  const { summary } = await runSim({ scenario: loadScenario('toxic'), seed: 7, durationUs: 3_600_000_000, bot: { strategy: naiveStrategy(), latency: LATENCY } });
  const m = summary.markouts_10s.bot;
  console.log(`# bot markouts ${JSON.stringify(m)}; ${summary.bot?.status}; ${Date.now() - wall} ms`);
  assert.ok(m.informed.fills > 100 && m.noise.fills > 100, JSON.stringify(m));
  assert.ok(m.informed.mean_bp < 0, `vs informed ${m.informed.mean_bp} bp`);
  assert.ok(m.noise.mean_bp > 0, `vs noise ${m.noise.mean_bp} bp`);
});
