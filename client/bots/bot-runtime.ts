// What every example bot shares: command-line basics, the two connections
// (order entry with cancel-on-disconnect, market data), inventory and P&L
// bookkeeping, a requote loop that sends a MassQuote only when the wanted
// quote changed (one in flight at a time), a one-line status at most once a
// second (with the maker-programme obligation status when the account is a
// member), and a clean stop on SIGINT that cancels everything. A bot supplies
// only its quoting rule (a Strategy). BotRuntime.start runs one in-process
// (tests); BotRuntime.run is the command line's.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { realTimers, type TimerHandle, type Timers } from '../../gateway/timers.ts';
import type { ReconnectPolicy } from '../backoff.ts';
import { ExchangeClient } from '../exchange-client.ts';
import { MarketDataClient } from '../market-data.ts';
import { ClientError } from '../errors.ts';
import type { Instrument } from '../instrument.ts';
import type { ExecutionReport, MassQuoteAck, ObligationStatus, PositionReport } from '../reports.ts';
import { fromUnits } from '../decimal.ts';
import { scorecardText, type ScorecardStatus } from '../scorecard.ts';
import type { SocketEnvironment } from '../wire-socket.ts';
import { OwnOrders } from './own-orders.ts';
import { midOf, type MarketView, type TwoSided } from './quoting.ts';

/** `npm start`'s default address (gateway/main.ts DEFAULT_HOST / DEFAULT_PORT). */
export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** parseArgs options every bot accepts. */
export const COMMON_OPTIONS = {
  url: { type: 'string', default: DEFAULT_URL },
  key: { type: 'string' },
  symbol: { type: 'string', default: 'BTC-USD' },
  /** quote size per side, decimal; default 100 lots */
  size: { type: 'string' },
  /** a mid to quote around while the book has no two-sided market of others */
  'ref-price': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface CommonSettings {
  url: string;
  apiKey: string;
  symbol: string;
  size?: string;
  refPrice?: string;
}

export function commonSettings(v: { url: string; key?: string; symbol: string; size?: string; 'ref-price'?: string }, defaultKey: string): CommonSettings {
  return { url: v.url, apiKey: v.key ?? defaultKey, symbol: v.symbol, size: v.size, refPrice: v['ref-price'] };
}

/** A positive finite number from a flag, or exit with a one-line message. */
export function numberFlag(name: string, text: string | undefined, dflt: number): number {
  if (text === undefined) return dflt;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) fail(`--${name} must be a positive number, got '${text}'`);
  return n;
}

/** True when the module at `importMetaUrl` is the script node was started with (so importing a bot does not run it). */
export function isMain(importMetaUrl: string): boolean {
  return process.argv[1] !== undefined && fileURLToPath(importMetaUrl) === path.resolve(process.argv[1]);
}

export function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

/** What a strategy sees when asked for a quote (price and quantity units). */
export interface QuoteContext {
  inst: Instrument;
  /** the book without the bot's own orders */
  market: MarketView;
  /** the mid quoted around: the others' mid, else the last trade, else --ref-price */
  mid: number;
  /** signed position, quantity units */
  inventory: number;
  /** quote size per side, quantity units */
  size: number;
  nowMs: number;
}

export interface Strategy {
  readonly name: string;
  /** The wanted bid and ask (price units, on the grid), or null to stand aside. */
  quote(ctx: QuoteContext): TwoSided | null;
  /** Called on every market update (before any quote), e.g. to sample volatility; mid in price units. */
  observe?(nowMs: number, mid: number | null, inst: Instrument): void;
  /** Extra text for the status line. */
  status?(): string;
}

interface Working {
  bid: number;
  ask: number;
  size: number;
}

export interface RuntimeOptions {
  /**
   * where the bot's lines go (default: stdout). `keep` marks a line that stays
   * (the start banner, the last status at stop); on a terminal the others
   * rewrite each other.
   */
  print?: (line: string, keep: boolean) => void;
  /**
   * How the bot reaches the exchange and keeps time: by default WebSockets
   * and the wall clock; a simulation passes its in-process transport and
   * virtual timers (sim/bot-host.ts), and a reconnect policy without jitter.
   */
  env?: SocketEnvironment & { reconnect?: ReconnectPolicy };
  /**
   * The least time between two quote messages, ms (default 250: 4 a second,
   * inside the crypto-spot profile's 50 orders per 10 s). A change wanted
   * sooner goes out when the interval is over, as the quote wanted then.
   */
  minQuoteIntervalMs?: number;
}

/** Quote messages at most 4 a second unless told otherwise. */
const DEFAULT_MIN_QUOTE_INTERVAL_MS = 250;
/** How long to hold off after a rate-limit refusal when its retry time cannot be read against the exchange clock. */
const RATE_LIMIT_HOLD_MS = 1000;
/** after the exchange's market-maker protection pulled our quotes: pause this long, then quote again with the reset */
const MMP_PAUSE_MS = 1000;

/**
 * A maker-programme obligation in a few words: "btc-mm ok 93.512/90.000 %",
 * "btc-mm too_wide 85.000/90.000 % cannot pass"; snapshot programmes show the
 * share of snapshots passed; "exempt" while the time is not measured.
 */
export function obligationText(o: ObligationStatus): string {
  const state = !o.measured ? 'exempt' : o.compliant ? 'ok' : o.reason;
  const share = o.snapshots ? `snapshots ${o.snapshots.passPct ?? '-'}/${o.snapshots.requiredPct} %` : `${o.presencePct ?? '-'}/${o.requiredPct} %`;
  const flags = [o.stressed ? 'stressed' : '', o.graceUntil ? 'grace' : '', o.cannotPass ? 'cannot pass' : ''].filter(Boolean);
  return [o.programme, state, share, ...flags].join(' ');
}

export class BotRuntime {
  private readonly own: OwnOrders;
  private inventory = 0;
  private position: PositionReport | null = null;
  private working: Working | null = null;
  /** the market-maker protection tripped: the next quote carries the reset */
  private mmpReset = false;
  private inFlight = false;
  private again = false;
  private stopping = false;
  private lastTrade: number | null = null;
  /** the exchange time the local book is as of (µs; Infinity after a snapshot: as of when it came) */
  private bookTime = Infinity;
  private lastProblem = '';
  /** the exchange's latest scorecard of the bot on its symbol (P&L split, markouts) */
  private scorecard: ScorecardStatus | null = null;
  private fills = 0;
  private lastStatus = '';
  private intervals: TimerHandle[] = [];
  private readonly clock: Timers;
  private readonly minQuoteIntervalMs: number;
  /** bot clock, ms: when the last quote message went out, and before when none may (a rate limit's retry-after) */
  private lastQuoteAt = -Infinity;
  private holdUntil = -Infinity;
  /** a requote waiting for the pacing interval */
  private paced: TimerHandle | null = null;
  private readonly size: number;
  private readonly refPrice: number | null;
  /** the latest obligation status per programme on this symbol (the account is a member of those) */
  private readonly obligations = new Map<string, ObligationStatus>();
  private readonly print: (line: string, keep: boolean) => void;

  private constructor(
    private readonly s: CommonSettings,
    private readonly strategy: Strategy,
    private readonly ex: ExchangeClient,
    private readonly md: MarketDataClient,
    private readonly inst: Instrument,
    opts: RuntimeOptions,
  ) {
    this.own = new OwnOrders(s.symbol);
    this.size = s.size !== undefined ? inst.qtyUnits(s.size) : 100 * Math.max(inst.lot, inst.minQty);
    this.refPrice = s.refPrice !== undefined ? inst.priceUnits(s.refPrice) : null;
    this.print = opts.print ?? ((line, keep) => this.printToStdout(line, keep));
    this.clock = opts.env?.timers ?? realTimers;
    this.minQuoteIntervalMs = opts.minQuoteIntervalMs ?? DEFAULT_MIN_QUOTE_INTERVAL_MS;
  }

  /** Connects and starts quoting; stop() ends it. Throws a ClientError when it cannot connect, an Error for an unknown symbol. */
  static async start(s: CommonSettings, strategy: Strategy, opts: RuntimeOptions = {}): Promise<BotRuntime> {
    const env = opts.env ?? {};
    const ex = await ExchangeClient.connect(s.url, s.apiKey, { cancelOnDisconnect: true, heartbeatMs: 2000, ...env });
    const inst = ex.instrument(s.symbol);
    if (!inst) {
      await ex.close();
      throw new Error(`unknown symbol ${s.symbol}; the exchange lists ${ex.instruments().map((i) => i.symbol).join(', ')}`);
    }
    const md = await MarketDataClient.connect(s.url, s.symbol, env);
    const bot = new BotRuntime(s, strategy, ex, md, inst, opts);
    await bot.begin();
    return bot;
  }

  /** The command line's: quotes until SIGINT / SIGTERM, then cancels everything, logs out and exits. */
  static async run(s: CommonSettings, strategy: Strategy): Promise<void> {
    const bot = await BotRuntime.start(s, strategy);
    const onSignal = (): void => {
      process.once('SIGINT', () => process.exit(1)); // a second Ctrl-C does not wait
      void bot.stop().then((outcome) => {
        console.log(`${strategy.name}: stopped, ${outcome}`);
        process.exit(0);
      });
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }

  /** The order-entry client (its events: fills, obligation statuses, …). */
  get client(): ExchangeClient {
    return this.ex;
  }

  /** The latest obligation status of a programme on the bot's symbol (the first one when not named); undefined when not a member. */
  obligation(programme?: string): ObligationStatus | undefined {
    return programme === undefined ? this.obligations.values().next().value : this.obligations.get(programme);
  }

  private async begin(): Promise<void> {
    const { ex, md } = this;
    // Start from the account's actual position: it may carry inventory from an earlier run.
    const mine = (await ex.positions(this.s.symbol))[0];
    if (mine) this.onPosition(mine);
    await ex.massCancel(this.s.symbol); // leftovers of a crashed run would distort the own-order view
    ex.on('executionReport', (r) => this.own.onReport(r));
    ex.on('fill', (r) => this.onFill(r));
    ex.on('positionReport', (r) => this.onPosition(r));
    ex.on('scorecard', (c) => {
      if (c.symbol === this.s.symbol) this.scorecard = c;
    });
    ex.on('obligationStatus', (o) => {
      if (o.symbol === this.s.symbol) this.obligations.set(o.programme, o);
    });
    ex.on('userNotification', (n) => {
      if (n.event !== 'mmp_triggered' || n.symbol !== this.s.symbol) return;
      // the exchange pulled our quotes: pause, then quote again resetting the protection
      this.working = null;
      this.mmpReset = true;
      this.holdUntil = Math.max(this.holdUntil, this.clock.now() + MMP_PAUSE_MS);
      this.lastProblem = n.text;
      this.requote();
    });
    ex.on('disconnect', (why) => {
      // cancel-on-disconnect took our quotes down with the connection
      this.working = null;
      this.own.clear();
      this.lastProblem = `disconnected: ${why}`;
    });
    ex.on('reconnect', () => {
      this.lastProblem = '';
      // Missed fills are replayed, but if the exchange itself restarted they are gone: ask for the truth.
      ex.positions(this.s.symbol).then(([p]) => p && this.onPosition(p), () => undefined);
      this.requote();
    });
    md.on('update', (u) => {
      this.bookTime = u.transactTime ?? Infinity;
      this.requote();
    });
    md.on('trade', (t) => (this.lastTrade = t.price));
    md.on('resync', (reason) => (this.lastProblem = `market data resync (${reason})`));
    // time-dependent strategies (the A–S horizon) need a nudge even in a quiet market
    this.intervals.push(this.clock.setInterval(() => this.requote(), 1000));
    this.intervals.push(this.clock.setInterval(() => this.printStatus(false), 1000));
    this.print(`${this.strategy.name}: quoting ${this.s.symbol} as account ${ex.accountId}, ${this.inst.formatQty(this.size)} per side; Ctrl-C stops`, true);
    this.requote();
  }

  // ---- bookkeeping ----

  private onFill(r: ExecutionReport): void {
    if (r.symbol !== this.s.symbol) return;
    this.fills++;
    this.inventory += r.side === 'buy' ? r.raw.last_qty : -r.raw.last_qty;
    this.requote();
  }

  private onPosition(p: PositionReport): void {
    if (p.symbol !== this.s.symbol) return;
    this.position = p;
    // The exchange's figure is the truth; fills keep the inventory current between reports.
    this.inventory = p.raw.position;
  }

  // ---- quoting ----

  private marketView(): MarketView {
    // a book being resynced is not the market: show nothing rather than stale prices
    if (!this.md.book.synced) return { bestBid: null, bestAsk: null };
    return this.own.externalView(this.md.bids(8), this.md.asks(8), this.bookTime);
  }

  /** Recomputes the wanted quote; sends it if it changed. At most one MassQuote is in flight. */
  private requote(): void {
    if (this.stopping || !this.md.book.synced) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    const market = this.marketView();
    const now = this.clock.now();
    const fair = midOf(market);
    this.strategy.observe?.(now, fair, this.inst);
    const mid = fair ?? this.lastTrade ?? this.refPrice;
    if (mid === null) {
      this.lastProblem = 'waiting for a two-sided market (or pass --ref-price)';
      return;
    }
    const q = this.strategy.quote({ inst: this.inst, market, mid, inventory: this.inventory, size: this.size, nowMs: now });
    const w = this.working;
    if (q === null) {
      if (w && !this.mustWait(now)) void this.send(() => this.ex.quoteCancel(this.s.symbol), null);
      return;
    }
    if (w && w.bid === q.bid && w.ask === q.ask && w.size === this.size) return;
    if (this.mustWait(now)) return;
    const inst = this.inst;
    const side = { qty: inst.formatQty(this.size) };
    const mmpReset = this.mmpReset;
    void this.send(() => this.ex.massQuote({
      symbol: this.s.symbol, bid: { ...side, price: inst.formatPrice(q.bid) }, ask: { ...side, price: inst.formatPrice(q.ask) }, mmpReset,
    }), { ...q, size: this.size });
  }

  /** True when no quote message may go out now; a requote is then planned for when one may. */
  private mustWait(now: number): boolean {
    const at = Math.max(this.lastQuoteAt + this.minQuoteIntervalMs, this.holdUntil);
    if (at <= now) return false;
    this.paced ??= this.clock.setTimeout(() => {
      this.paced = null;
      this.requote();
    }, at - now);
    return true;
  }

  private async send(request: () => Promise<MassQuoteAck>, next: Working | null): Promise<void> {
    this.inFlight = true;
    this.lastQuoteAt = this.clock.now();
    try {
      const ack = await request();
      if (ack.retryAfter > 0) this.holdOff(ack.retryAfter);
      const problem = ack.rejected || ack.bidRejectCode || ack.offerRejectCode;
      this.working = problem ? null : next;
      if (!problem && next !== null) this.mmpReset = false;
      this.lastProblem = problem ? `quote refused: bid ${ack.bidRejectCode ?? 'ok'}, ask ${ack.offerRejectCode ?? 'ok'} ${ack.text}`.trim() : '';
    } catch (e) {
      this.working = null;
      this.lastProblem = e instanceof ClientError ? `${e.code}: ${e.message}` : String(e);
    } finally {
      this.inFlight = false;
    }
    if (this.again) {
      this.again = false;
      this.requote();
    }
  }

  /** A rate limit refused the quote: nothing goes out before `retryAfter` (exchange time, µs), as near as the book's clock tells. */
  private holdOff(retryAfter: number): void {
    const wait = Number.isFinite(this.bookTime) ? Math.max(0, (retryAfter - this.bookTime) / 1000) : RATE_LIMIT_HOLD_MS;
    this.holdUntil = Math.max(this.holdUntil, this.clock.now() + wait);
  }

  // ---- status and stop ----

  /** The one-line status: inventory, mid, quotes, P&L, fees, fills, the strategy's figures, obligations, the last problem. */
  statusLine(): string {
    const inst = this.inst;
    const m = this.marketView();
    const mid = midOf(m);
    const p = this.position;
    const w = this.working;
    const parts = [
      `${this.strategy.name} ${this.s.symbol}`,
      `inv ${inst.formatQty(this.inventory)}`,
      `mid ${mid === null ? '-' : formatMid(inst, mid)}`,
      w ? `quotes ${inst.formatPrice(w.bid)} / ${inst.formatPrice(w.ask)} × ${inst.formatQty(w.size)}` : 'quotes -',
      `rPnL ${p?.realisedPnl ?? '0'}`,
      `fees ${p?.feesPaid ?? '0'} rebates ${p?.rebatesReceived ?? '0'}`,
      `fills ${this.fills}`,
    ];
    const extra = this.strategy.status?.();
    if (extra) parts.push(extra);
    if (this.scorecard) parts.push(scorecardText(this.scorecard));
    for (const o of this.obligations.values()) parts.push(obligationText(o));
    if (this.lastProblem) parts.push(`! ${this.lastProblem}`);
    return parts.join(' | ');
  }

  /** Once a second at most (the caller's timer). */
  private printStatus(keep: boolean): void {
    this.print(this.statusLine(), keep);
  }

  /** On a terminal the status line rewrites itself; elsewhere a line is printed when it changed. */
  private printToStdout(line: string, keep: boolean): void {
    if (process.stdout.isTTY) {
      process.stdout.write(`\r\x1b[2K${line}${keep ? '\n' : ''}`);
    } else if (line !== this.lastStatus || keep) {
      console.log(line);
    }
    this.lastStatus = line;
  }

  /** Stops quoting: cancels everything, prints the last status line, logs out. Resolves with what the cancel did. */
  async stop(): Promise<string> {
    if (this.stopping) return 'already stopped';
    this.stopping = true;
    for (const t of this.intervals) this.clock.clearInterval(t);
    if (this.paced) this.clock.clearTimeout(this.paced);
    let outcome: string;
    try {
      const r = await this.ex.massCancel();
      outcome = `cancelled ${r.totalAffectedOrders} order(s)`;
    } catch (e) {
      // cancel-on-disconnect still takes them down when the connection closes
      outcome = `mass cancel failed (${(e as Error).message}); relying on cancel-on-disconnect`;
    }
    this.working = null;
    this.printStatus(true);
    await this.ex.close();
    this.md.close();
    return outcome;
  }
}

function formatMid(inst: Instrument, mid: number): string {
  // a mid between two ticks is a half unit: show it with one more decimal
  return Number.isInteger(mid) ? inst.formatPrice(mid) : fromUnits(Math.round(mid * 10), inst.priceScale + 1);
}
