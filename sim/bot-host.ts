// An SDK bot inside a simulation: the same BotRuntime + Strategy that trades
// over the gateway, connected through an in-process Transport to the
// gateway's own session code (TradeSessions for /ws/trade, the market-data
// hub for /ws/md) with a latency model in between (bot-link.ts), and running
// on the simulation's clock (virtual-timers.ts).
//
// Bot code is asynchronous (requests are promises). Whenever something
// reaches the bot — a frame, one of its timers — the host notes it, and the
// runner's loop (runWithBot, or sim/run.ts) awaits BotHost.settle(), which
// lets every pending promise continuation run before virtual time moves on:
// the run is then a pure function of the seed.
import type { Exchange } from '../gateway/exchange.ts';
import { MdHub } from '../gateway/md.ts';
import type { Timers } from '../gateway/timers.ts';
import { DEFAULT_SESSION_LIMITS, TradeSessions, type SessionLimits } from '../gateway/trade-session.ts';
import type { Connection, ConnectionEvents, Transport } from '../client/transport.ts';
import { BotRuntime, type Strategy } from '../client/bots/bot-runtime.ts';
import { Link, Pipe, type LatencyModel, type ServerEnd } from './bot-link.ts';
import type { Rng } from './rng.ts';
import type { Scheduler, VirtualScheduler } from './scheduler.ts';
import { virtualTimers } from './virtual-timers.ts';

const SETTLED: Promise<void> = Promise.resolve();

/** The address bots are given; any host would do, only the path (/ws/trade, /ws/md) is used. */
export const SIM_URL = 'http://sim.invalid';

export interface BotSpec {
  strategy: Strategy;
  symbol: string;
  /** quote size per side, decimal (default: the runtime's, 100 lots) */
  size?: string;
  /** the account's name (default 'bot') */
  name?: string;
}

export interface BotHostOptions {
  /** the gateway's session limits (default: DEFAULT_SESSION_LIMITS) */
  limits?: Partial<SessionLimits>;
  /** extra delay of the bot's orders on their way in, µs, now (a scenario's latency spike) */
  orderDelayUs?: (rng: Rng) => number;
}

export class BotHost {
  /** the bot's way to the exchange and its clock */
  readonly transport: Transport;
  readonly timers: Timers;
  readonly trade: TradeSessions;
  readonly md: MdHub;
  /** the bot's account id (0 before start) */
  accountId = 0;
  /** the bot's last status line (BotRuntime.statusLine, printed every simulated second) */
  lastStatus = '';
  /** why the bot could not start, once it failed */
  failure: Error | null = null;
  private runtime: BotRuntime | null = null;
  private touched = false;
  private links = 0;

  constructor(
    private readonly exchange: Exchange, private readonly sched: Scheduler, private readonly rng: Rng, readonly latency: LatencyModel,
    private readonly opts: BotHostOptions = {},
  ) {
    const touch = (fn: () => void): void => {
      this.touched = true;
      fn();
    };
    // the gateway's sessions keep their heartbeats on the simulation's clock too
    this.trade = new TradeSessions(exchange, { ...DEFAULT_SESSION_LIMITS, ...opts.limits }, virtualTimers(sched));
    this.md = new MdHub(exchange, this.trade.limits, this.trade);
    this.timers = virtualTimers(sched, touch);
    this.transport = { connect: (url, _timeoutMs, events) => this.connect(url, events, touch) };
  }

  /** Creates the bot's account and starts the bot; the runner's loop must be running for it to get anywhere. */
  start(spec: BotSpec): Promise<BotRuntime> {
    const name = spec.name ?? 'bot';
    const apiKey = `sim-${name}-key`; // no one else can connect to an in-process exchange
    const account = this.exchange.createAccount(name, apiKey);
    if ('error' in account) return Promise.reject(new Error(`bot account: ${account.error}`));
    this.accountId = account.id;
    const started = BotRuntime.start({ url: SIM_URL, apiKey, symbol: spec.symbol, size: spec.size }, spec.strategy, {
      print: (line) => (this.lastStatus = line),
      // no random jitter on reconnects: Math.random would make the run differ
      env: { transport: this.transport, timers: this.timers, reconnect: { jitter: 0 } },
    });
    started.then((bot) => (this.runtime = bot), (e: Error) => (this.failure = e));
    return started;
  }

  /** The running bot (null before it has connected). */
  get bot(): BotRuntime | null {
    return this.runtime;
  }

  /**
   * After each timer: when bot code ran, waits until its promise chains have
   * settled (so it acts at this virtual time); rejects if the bot failed to start.
   */
  settle(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.touched) return SETTLED;
    this.touched = false;
    return new Promise((resolve) => setImmediate(resolve)); // every pending continuation and process.nextTick runs first
  }

  close(): void {
    this.md.close();
    this.trade.close();
  }

  private connect(url: string, events: ConnectionEvents, touch: (fn: () => void) => void): Promise<Connection> {
    const path = new URL(url).pathname;
    const accept = path === '/ws/trade'
      ? (s: ServerEnd) => void this.trade.accept(s)
      : path === '/ws/md' ? (s: ServerEnd) => this.md.accept(s, null) : null;
    if (!accept) return Promise.reject(new Error(`no endpoint ${path} (the simulation serves /ws/trade and /ws/md)`));
    const trade = path === '/ws/trade';
    const fixed = trade ? this.latency.orderUs : this.latency.feedUs;
    const n = ++this.links;
    const link = (dir: string, extra: BotHostOptions['orderDelayUs'] = undefined): Link =>
      new Link(this.sched, fixed, this.latency.jitterUs, this.rng.fork(`bot-link-${n}-${dir}`), extra ?? null);
    return new Pipe(link('up', trade ? this.opts.orderDelayUs : undefined), link('down'), touch).open(events, accept);
  }
}

/**
 * Runs the scheduler to `untilUs` like VirtualScheduler.run, letting the
 * bot's promises settle after each timer (BotHost.settle). Returns the number
 * of timers run.
 */
export async function runWithBot(sched: VirtualScheduler, untilUs: number, host: BotHost): Promise<number> {
  let n = 0;
  while (sched.step(untilUs)) {
    n++;
    await host.settle();
  }
  sched.run(untilUs); // no timer left before untilUs: this only moves the clock
  return n;
}
