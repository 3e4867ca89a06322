// The headless simulator: an exchange with its simulated market in virtual
// time, as fast as the work allows.
//
//   npm run sim -- --scenario 1011 --duration 2h --seed 7 --out DIR
//
// DIR gets trades.csv, book.csv (one row per simulated second) and
// summary.json; the stylised facts of the tape are printed. runSim() is the
// same run as a function, with hooks for an in-process bot (attach, and
// afterTimer to let an async bot's promises settle between timers).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Clock, Exchange } from '../gateway/exchange.ts';
import { profileConfig } from '../gateway/profiles.ts';
import type { EventSink } from '../engine/events.ts';
import { VirtualScheduler } from './scheduler.ts';
import { startMarket, type SimMarket } from './market.ts';
import { loadScenario, parseDuration, ScenarioError, BUILT_IN_SCENARIOS, type Scenario } from './scenario.ts';
import { Tape } from './tape.ts';
import { formatFacts, type StylisedFacts } from './stylised-facts.ts';
import type { MarkoutCell } from './markout.ts';
import type { Strategy } from '../client/bots/bot-runtime.ts';
import { BotHost } from './bot-host.ts';
import type { LatencyModel } from './bot-link.ts';
import { BotSpecError, BUILT_IN_BOTS, latencyFromFlags, loadStrategy } from './bot-spec.ts';
import { Rng } from './rng.ts';
import { RunScorecard } from './scorecard-run.ts';
import type { ReportData } from '../gateway/scorecard/report.ts';

/** An exchange on a profile of the scenario, its clock reading the scheduler's time. */
export function createSimExchange(scenario: Scenario, scheduler: { now(): number }): Exchange {
  return new Exchange(profileConfig(scenario.profile), new Clock(() => scheduler.now()));
}

export interface RunContext {
  exchange: Exchange;
  scheduler: VirtualScheduler;
  market: SimMarket;
  scenario: Scenario;
  seed: number;
}

export interface RunOptions {
  scenario: Scenario;
  seed: number;
  /** default: the scenario's duration */
  durationUs?: number;
  /** directory for trades.csv, book.csv and summary.json (created if missing) */
  out?: string;
  /** sees every engine event (after the exchange and the market) */
  observe?: Partial<EventSink>;
  /** called once the market runs, before the first timer: attach a bot (it schedules on ctx.scheduler) */
  attach?: (ctx: RunContext) => void | Promise<void>;
  /** awaited after every timer when given (an async bot's promise chains settle in virtual time) */
  afterTimer?: () => Promise<void>;
  /** an SDK bot run in-process on the scenario's first symbol (sim/bot-host.ts; its account's type is 'bot') */
  bot?: SimBot;
}

export interface SimBot {
  strategy: Strategy;
  latency: LatencyModel;
  /** quote size per side, decimal (default: the runtime's, 100 lots) */
  size?: string;
}

export interface RunSummary {
  scenario: string;
  seed: number;
  profile: string;
  symbols: string[];
  start_time: string;
  simulated_s: number;
  wall_ms: number;
  simulated_s_per_wall_s: number;
  agent_commands: number;
  agent_commands_per_simulated_s: number;
  timers_run: number;
  trades: number;
  accounts: { account: number; name: string; type: string }[];
  liquidations: SimMarket['liquidations'];
  facts: Record<string, StylisedFacts>;
  /** 10 s markouts by account name and counterparty type */
  markouts_10s: Record<string, Record<string, MarkoutCell>>;
  /** the in-process bot (--bot): its account (named 'bot'), latencies and last status line */
  bot?: { strategy: string; account: number; latency: LatencyModel; status: string };
  /** the scorecards of the external (non-agent) accounts that traded or quoted (docs/scorecard.md) */
  scorecards: ReportData['scorecards'];
}

export interface RunResult {
  summary: RunSummary;
  tape: Tape;
  /** the scorecard report's data (also DIR/report.html and DIR/scorecard.csv with --out) */
  report: ReportData;
}

export async function runSim(o: RunOptions): Promise<RunResult> {
  const sc = o.scenario;
  const durationUs = o.durationUs ?? sc.durationUs;
  const scheduler = new VirtualScheduler(sc.startUs);
  const exchange = createSimExchange(sc, scheduler);
  const scorecard = new RunScorecard(exchange, scheduler);
  const market = startMarket({ exchange, scheduler, scenario: sc, seed: o.seed });
  scorecard.start(market);
  if (o.observe) market.observe(o.observe);
  if (o.out) mkdirSync(o.out, { recursive: true });
  const tape = new Tape(exchange, scheduler, market, sc.symbols, o.out);
  await o.attach?.({ exchange, scheduler, market, scenario: sc, seed: o.seed });
  const host = o.bot ? startBot(o.bot, exchange, scheduler, market, tape, sc.symbols[0], o.seed) : null;
  const afterTimer = host ? () => host.settle() : o.afterTimer;
  const end = sc.startUs + durationUs;
  const wall0 = performance.now();
  let timers = 0;
  if (afterTimer) {
    while (scheduler.step(end)) {
      timers++;
      await afterTimer();
    }
    scheduler.run(end);
  } else {
    timers = scheduler.run(end);
  }
  const wallMs = performance.now() - wall0;
  market.stop();
  tape.close();
  const report = scorecard.finish({ source: 'sim', scenario: sc.name, seed: o.seed, bot: o.bot?.strategy.name }, o.out);
  const names = new Map(market.agents.map((a) => [String(a.account), a.name]));
  const markouts: RunSummary['markouts_10s'] = {};
  for (const [acct, row] of Object.entries(tape.markouts.table())) {
    markouts[names.get(acct) ?? exchange.accountInfo(Number(acct))?.name ?? acct] = row;
  }
  const simS = durationUs / 1e6;
  const summary: RunSummary = {
    scenario: sc.name, seed: o.seed, profile: sc.profile, symbols: sc.symbols, start_time: new Date(sc.startUs / 1000).toISOString(),
    simulated_s: simS, wall_ms: Math.round(wallMs), simulated_s_per_wall_s: Math.round(simS / (wallMs / 1000)),
    agent_commands: market.commands, agent_commands_per_simulated_s: Math.round((market.commands / simS) * 10) / 10,
    timers_run: timers, trades: tape.tradeCount, accounts: market.agents.map((a) => ({ ...a })), liquidations: { ...market.liquidations },
    facts: tape.facts(), markouts_10s: markouts, scorecards: report.scorecards,
  };
  if (host && o.bot) {
    summary.bot = { strategy: o.bot.strategy.name, account: host.accountId, latency: o.bot.latency, status: host.bot?.statusLine() ?? host.lastStatus };
    host.close();
  }
  if (o.out) writeFileSync(join(o.out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  return { summary, tape, report };
}

/** The bot's account, labelled 'bot' on the tape, its orders delayed further in the scenario's latency spikes. */
function startBot(b: SimBot, exchange: Exchange, scheduler: VirtualScheduler, market: SimMarket, tape: Tape, symbol: string, seed: number): BotHost {
  const host = new BotHost(exchange, scheduler, new Rng(seed).fork('bot'), b.latency, { orderDelayUs: (rng) => market.externalDelayUs(rng) });
  // latency spikes delay the bot's link (above); reject bursts refuse its order messages at the session
  const rejects = new Rng(seed).fork('bot-rejects');
  host.trade.conditions = { delayMs: () => 0, reject: () => market.rejectExternal(rejects) };
  host.start({ strategy: b.strategy, symbol, size: b.size }).catch(() => undefined); // a failure rejects host.settle(), which ends the run
  tape.labels.set(host.accountId, 'bot');
  return host;
}

const USAGE = `usage: npm run sim -- --scenario <${BUILT_IN_SCENARIOS.join('|')}|file.json> [--duration 2h] [--seed 7] [--out DIR] [--json]
         [--bot ${BUILT_IN_BOTS.join('|')}|PATH [--bot-size QTY] [--feed-latency 2ms] [--order-latency 1ms] [--jitter 0.5ms]]

  --scenario  a built-in scenario or a scenario JSON file (docs/simulation.md)
  --duration  simulated time: seconds or 90s, 15m, 2h, 1h30m (default: the scenario's)
  --seed      integer seed (default 1); the same seed and scenario give the same run
  --out       directory for trades.csv, book.csv, summary.json, report.html and scorecard.csv
  --json      print summary.json to stdout instead of the facts table
  --bot       run an SDK bot in-process in virtual time on the first symbol: naive, as, or a module
              exporting a Strategy (docs/bots.md, "Bots in virtual time")
  --bot-size  its quote size per side (default 100 lots)
  --feed-latency, --order-latency  one-way latency of market data / order entry (default 2ms / 1ms)
  --jitter    up to this much more on every frame, uniform, seeded (default 0.5ms)`;

/** A bad command-line value: one line, exit status 1. */
class CliError extends Error {}

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv, strict: true, allowPositionals: false,
      options: {
        scenario: { type: 'string' }, duration: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' },
        json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
        bot: { type: 'string' }, 'bot-size': { type: 'string' }, 'feed-latency': { type: 'string' }, 'order-latency': { type: 'string' },
        jitter: { type: 'string' },
      },
    }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message.split('\n')[0]}\n${USAGE}\n`);
    return 1;
  }
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  try {
    if (!values.scenario) throw new CliError('--scenario is required');
    const scenario = loadScenario(values.scenario);
    const seed = values.seed === undefined ? 1 : Number(values.seed);
    if (!/^\d+$/.test(values.seed ?? '1') || seed > 0xffffffff) throw new CliError(`--seed must be an integer 0-4294967295, got '${values.seed}'`);
    const durationUs = values.duration === undefined ? undefined : cliDuration(values.duration);
    const latency = latencyFromFlags(values);
    const bot = values.bot === undefined ? undefined : { strategy: await loadStrategy(values.bot), latency, size: values['bot-size'] };
    const { summary } = await runSim({ scenario, seed, durationUs, out: values.out, bot });
    if (values.json) {
      process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      return 0;
    }
    const lines = [
      `scenario ${summary.scenario}, seed ${seed}: ${summary.simulated_s} simulated s in ${(summary.wall_ms / 1000).toFixed(1)} s `
        + `(${summary.simulated_s_per_wall_s} simulated s per wall s), ${summary.agent_commands} agent commands, ${summary.trades} trades`,
      ...Object.entries(summary.facts).map(([s, f]) => formatFacts(f, s)),
      `liquidations: ${summary.liquidations.liquidatedLongs} longs, ${summary.liquidations.liquidatedShorts} shorts, `
        + `${Math.round(summary.liquidations.liquidatedNotional)} notional on the book, ADL ${summary.liquidations.adlCount}`,
      summary.bot ? botLine(summary) : '',
      values.out ? `wrote ${join(values.out, 'trades.csv')}, book.csv, summary.json, report.html, scorecard.csv` : '',
    ];
    process.stdout.write(lines.filter(Boolean).join('\n') + '\n');
    return 0;
  } catch (e) {
    if (e instanceof ScenarioError || e instanceof CliError || e instanceof BotSpecError) {
      process.stderr.write(e.message + '\n');
      return 1;
    }
    throw e;
  }
}

/** The bot's last status, its 10 s markouts against each counterparty type and its order→ack latency at the exchange. */
function botLine(s: RunSummary): string {
  const m = Object.entries(s.markouts_10s.bot ?? {}).map(([type, c]) => `${type} ${c.mean_bp} bp (${c.fills})`).join(', ');
  const l = s.scorecards.find((c) => c.account === s.bot?.account)?.order_ack_latency;
  const ack = l ? `p50 ${l.p50_us} µs, p99 ${l.p99_us} µs, max ${l.max_us} µs over ${l.messages} order messages` : 'no order message';
  return `bot: ${s.bot?.status}\nbot 10 s markouts by counterparty: ${m || 'no fills'}\nbot order→ack at the exchange, ${l?.clock ?? 'virtual'} clock (exchange time): ${ack}`;
}

function cliDuration(v: string): number {
  let us: number;
  try {
    us = parseDuration(/^\d+(\.\d+)?$/.test(v) ? Number(v) : v, '--duration');
  } catch {
    us = 0;
  }
  if (!(us > 0)) throw new CliError(`--duration must be positive seconds or a duration like 90s, 15m, 2h, 1h30m, got '${v}'`);
  return us;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
