// The exchange as the gateway sees it: the engine plus accounts and API keys,
// the clock, and the routing of engine events — reports to the owning
// account's listeners, book changes to market-data listeners. Every order
// rule stays in the engine; this file only translates and routes.
import { randomBytes } from 'node:crypto';
import { Engine, type FeeTier } from '../engine/engine.ts';
import type { AuctionEvent, ObligationEvent, FillEvent, LevelEvent, MassCancelEvent, OrderEvent, PhaseEvent, RuleEvent, EventSink } from '../engine/events.ts';
import { OrderEventKind, RuleEventKind } from '../engine/events.ts';
import type { Instrument, InstrumentConfig } from '../engine/instrument.ts';
import type { MassCancel, MassQuote, NewOrder, QuoteResult, Replace, Cancel, SetReference } from '../engine/commands.ts';
import type { AccountRiskConfig, InstrumentRulesConfig, RulesConfig } from '../engine/rules/config.ts';
import type { ProgrammeConfig } from '../engine/obligations/config.ts';
import { CancelReason, TradingPhase, type Side } from '../engine/types.ts';
import { formatUnits } from '../engine/money.ts';
import { echoed } from '../engine/validate.ts';
import {
  cancelReject, executionReport, fillReports, isCallPhase, mdAuction, securityStatus, stpFromConfig, stpToWire, userNotification, wireText,
  type MdAuction, type SecurityStatus,
} from './translate.ts';
import { obligationReport, obligationStatus, settledBy, type ObligationStatus } from './obligations.ts';
import { Touched } from './touched.ts';
import { wallUs } from '../sim/clock.ts';
import type { SessionLimits } from './limits.ts';

export interface AccountConfig {
  name: string;
  /** fixed API key (demo accounts); generated when omitted */
  api_key?: string;
  /** default self-trade prevention: the wire's StpMode number or name (translate.stpFromConfig) */
  stp?: number | string;
  /** per-instrument risk limits by symbol ('*' = every instrument) */
  risk?: AccountRiskConfig;
}

/** The ready-made venue configurations (gateway/profiles.ts). */
export type ProfileName = 'crypto-spot' | 'us-equity' | 'eu-derivatives';

export interface ExchangeConfig {
  instruments: InstrumentConfig[];
  accounts?: AccountConfig[];
  max_open_orders_per_account?: number;
  /** venue-wide rules: rate limits, rate-limit bans, order-to-trade ratio, market-wide breaker */
  rules?: RulesConfig;
  /** a config file may start from a venue profile; its own fields override the profile's (resolved by config.ts) */
  profile?: ProfileName;
  /** maker programmes: members are account names of `accounts` */
  programmes?: ProgrammeConfig[];
  /** the server's connection, session and market-data limits (SessionLimits; each field optional, defaults in docs/configuration.md) */
  limits?: Partial<SessionLimits>;
}

/** A report for one account: the Envelope body field name and the message. */
export type AccountListener = (body: string, msg: Record<string, unknown>) => void;

/** Book and tape changes, as the market-data hub consumes them. */
export interface MarketListener {
  level(e: LevelEvent): void;
  trade(e: FillEvent): void;
  /** an order's resting state after a command (L3): qty 0 = it left the book */
  order(symbol: string, orderId: number, side: Side, price: number, qty: number): void;
  phase(e: PhaseEvent): void;
  /** the indicative (or final) uncross of a symbol in a call phase changed; marks the symbol's update */
  auction(symbol: string, a: MdAuction): void;
  /** a command finished: the changes since the previous commit form one update (Exchange.updateId of each changed symbol is already advanced) */
  commit(): void;
}

export interface TapeTrade {
  trade_id: number;
  price: number;
  qty: number;
  /** the taker's side */
  aggressor_side: Side;
  /** µs since the epoch */
  time: number;
  /** an execution of an auction uncross */
  auction: boolean;
}

/** Sees the engine's order, fill and level events as the exchange gets them, and the end of every command (the scorecard). */
export interface ExchangeObserver {
  order(e: OrderEvent): void;
  fill(e: FillEvent): void;
  level(e: LevelEvent): void;
  commit(): void;
}

/** A RuleEvent as delivered to rule listeners: a copy, after the command that caused it has finished. */
export type RuleNotice = Readonly<Omit<RuleEvent, 'seq'>>;

/** Trades kept per symbol for GET /api/v1/trades. */
export const TAPE_LENGTH = 1000;

/** A command without its time yet: the exchange stamps it. */
type Stampable<T extends { time: number }> = Omit<T, 'time'> & { time?: number };

export interface AccountInfo {
  id: number;
  name: string;
  apiKey: string;
}

/** A member's obligation: account, programme and symbol (names may hold any character but NUL). */
const obligationKey = (account: number, programme: string, symbol: string): string => `${account}\u0000${programme}\u0000${symbol}`;

/** 2020-01-01T00:00:00Z in ms: id epochs count from it. */
const ID_EPOCH_ORIGIN_MS = Date.UTC(2020, 0, 1);
/** Ids one run may use per millisecond of its uptime before reaching the next run's epoch. */
export const IDS_PER_MS = 4096;

/**
 * The id epoch of a run started at `bootMs`: milliseconds since 2020 × 4,096.
 * A later boot gets a higher epoch, above every id of an earlier run as long
 * as that run used fewer than 4,096 ids (of each kind) per millisecond of its
 * uptime; ids stay below 2^53 until 2089.
 */
export function bootEpoch(bootMs: number = Date.now()): number {
  return Math.max(0, Math.floor(bootMs) - ID_EPOCH_ORIGIN_MS) * IDS_PER_MS;
}

/** The wall clock in µs since the epoch. */
export const wallClockUs = wallUs;

/** Microseconds since the epoch, never going backwards; `source` is the exchange clock (sim/clock.ts) under a server, else the wall clock. */
export class Clock {
  private last = 0;
  constructor(private readonly source: () => number = wallClockUs) {}
  now(): number {
    const t = this.source();
    this.last = t > this.last ? t : this.last;
    return this.last;
  }
}

/** Account creation as journaled: everything needed to create the same account again. */
export interface AccountCreation {
  name: string;
  apiKey: string;
  /** as in a config file: the wire's StpMode number or name */
  stp?: number | string;
  risk?: AccountRiskConfig;
  rateLimitExempt: boolean;
}

export type { FeeTier };

/**
 * Sees every command just before the engine runs it, with the time it runs at
 * (the journal, gateway/journal/); `whenDurable` holds what tells a client
 * about the commands so far until they are durable.
 */
export interface CommandRecorder {
  newOrder(c: NewOrder): void;
  cancel(c: Cancel): void;
  replace(c: Replace): void;
  massCancel(c: MassCancel, clOrdId: string): void;
  massQuote(c: MassQuote): void;
  quoteCancel(time: number, account: number, symbol: string | undefined): void;
  setPhase(time: number, symbol: string, phase: TradingPhase, text: string, durationUs: number | undefined): void;
  killSwitch(time: number, account: number, on: boolean, text: string): void;
  setReference(c: SetReference): void;
  setStress(time: number, symbol: string, on: boolean): void;
  mmpReset(time: number, account: number, symbol: string): void;
  tick(time: number): void;
  createAccount(time: number, a: AccountCreation): void;
  setFeeTier(time: number, account: number, tier: FeeTier): void;
  /** an order-entry session state begun or reset (trade-session.ts): from here on it stores the account's reports */
  sessionAttach(account: number, reset: boolean): void;
  /** a session-level message or request answer stored (and numbered) in an account's session */
  sessionOut(account: number, body: string, msg: Record<string, unknown>): void;
  whenDurable(fn: () => void): void;
}

export class Exchange implements EventSink {
  /** the journal, when the server keeps one */
  recorder: CommandRecorder | null = null;
  readonly engine: Engine;
  private readonly byKey = new Map<string, AccountInfo>();
  private readonly byId = new Map<number, AccountInfo>();
  private readonly listeners = new Map<number, Set<AccountListener>>();
  /** observers of every account's reports (metrics) */
  private readonly taps = new Set<(account: number, body: string, msg: Record<string, unknown>) => void>();
  private readonly market = new Set<MarketListener>();
  private observers: ExchangeObserver[] = [];
  private readonly bySymbol = new Map<string, Instrument>();
  private nextExecId = 0;
  /** positions changed in the current command, as account × instrument count + instrument index */
  private readonly touchedPositions = new Touched<number>();
  /** orders whose resting state changed in the current command (only tracked for L3 listeners) */
  private readonly touchedOrders = new Map<number, { symbol: string; side: Side; price: number }>();
  l3Listeners = 0;
  /** per-symbol market-data update id: +1 for every command that changed the symbol's book or tape */
  private readonly updateIds = new Map<string, number>();
  private readonly dirty = new Touched<string>();
  /** recent trades per symbol, newest last (bounded) */
  private readonly tapes = new Map<string, TapeTrade[]>();
  /** the cl_ord_id of the mass cancel being processed */
  private massCancelClOrdId = '';
  /** the latest retry-after of a rate-limit reject in the current command (mass quote acks carry it) */
  private retryAfter = 0;
  /** each symbol's latest phase change, as SecurityStatus */
  private readonly statuses = new Map<string, SecurityStatus>();
  /** each symbol's current indicative uncross, while in a call phase */
  private readonly auctions = new Map<string, MdAuction>();
  /** account → end of its latest account-wide ban (µs) */
  private readonly bans = new Map<number, number>();
  /** rule events of the current command, delivered once it is over */
  private pendingRules: RuleNotice[] = [];
  private readonly ruleListeners = new Set<(e: RuleNotice) => void>();
  /** the configured rules of each instrument, and the venue's (for GET /api/v1/instruments and /rules) */
  private readonly instrumentRules = new Map<string, InstrumentRulesConfig>();
  readonly rules: Readonly<RulesConfig>;
  /** the venue profile the configuration started from, if any */
  readonly profile: ProfileName | undefined;
  /** the latest ObligationStatus sent per account, programme and symbol */
  private readonly obligationStatuses = new Map<string, ObligationStatus>();

  /** `idEpoch`: order, trade and exec ids start after it (bootEpoch() in a server, so they never repeat across restarts) */
  constructor(config: ExchangeConfig, readonly clock = new Clock(), readonly idEpoch = 0) {
    this.rules = structuredClone(config.rules ?? {});
    this.profile = config.profile;
    this.nextExecId = idEpoch;
    this.engine = new Engine({
      instruments: config.instruments, maxOpenOrdersPerAccount: config.max_open_orders_per_account, rules: config.rules,
      programmes: config.programmes, idEpoch,
    }, this);
    for (const i of this.engine.instruments) this.bySymbol.set(i.symbol, i);
    for (const i of config.instruments) this.instrumentRules.set(i.symbol, structuredClone(i.rules ?? {}));
    for (const a of config.accounts ?? []) {
      const r = this.createAccount(a.name, a.api_key, a.stp, a.risk);
      if ('error' in r) throw new Error(`invalid config: accounts: ${r.error}`);
    }
  }

  instrument(symbol: string): Instrument | undefined {
    return this.bySymbol.get(symbol);
  }

  // ---- accounts ----

  /** `stp` as in a config file (wire numbering or name); `rateLimitExempt`: for the simulated market's agent accounts only (see AccountOptions). */
  createAccount(name: string, apiKey?: string, stp?: number | string, risk?: AccountRiskConfig, rateLimitExempt = false): AccountInfo | { error: string } {
    const key = apiKey ?? randomBytes(24).toString('hex');
    if (this.byKey.has(key)) return { error: 'api key already in use' };
    const mode = stpFromConfig(stp);
    if ('error' in mode) return mode;
    this.recorder?.createAccount(this.clock.now(), { name, apiKey: key, stp, risk, rateLimitExempt });
    const id = this.engine.addAccount({ name, stp: mode.stp, risk, rateLimitExempt });
    if (typeof id !== 'number') return { error: id.ok ? 'unknown' : id.text };
    const info: AccountInfo = { id, name, apiKey: key };
    this.byKey.set(key, info);
    this.byId.set(id, info);
    return info;
  }

  /** An account's own fees (admin): see Engine.setFeeTier. */
  setFeeTier(account: number, tier: FeeTier): ReturnType<Engine['setFeeTier']> {
    this.recorder?.setFeeTier(this.clock.now(), account, tier);
    return this.engine.setFeeTier(account, tier);
  }

  /** Calls `fn` once every command so far is durable in the journal (at once without one). */
  whenDurable(fn: () => void): void {
    if (this.recorder) this.recorder.whenDurable(fn);
    else fn();
  }

  authenticate(apiKey: unknown): AccountInfo | undefined {
    return typeof apiKey === 'string' ? this.byKey.get(apiKey) : undefined;
  }

  accountInfo(id: number): AccountInfo | undefined {
    return this.byId.get(id);
  }

  /** Reports for the account go to `fn` until the returned function is called. */
  subscribeAccount(id: number, fn: AccountListener): () => void {
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  /** Sees every report to every account (for metrics); it does not make the exchange build extra reports. */
  tapReports(fn: (account: number, body: string, msg: Record<string, unknown>) => void): () => void {
    this.taps.add(fn);
    return () => this.taps.delete(fn);
  }

  subscribeMarket(l: MarketListener): () => void {
    this.market.add(l);
    return () => this.market.delete(l);
  }

  /** Sends a message built by `build` to the account's sessions, as the exchange's own reports go; false (nothing built) when none listens. */
  notify(account: number, body: string, build: () => Record<string, unknown>): boolean {
    if (!this.listeners.get(account)?.size) return false;
    this.toAccount(account, body, build());
    return true;
  }

  /** Engine events as they come, and each command's end (returns: stop observing). */
  observe(o: ExchangeObserver): () => void {
    this.observers = [...this.observers, o];
    return () => { this.observers = this.observers.filter((x) => x !== o); };
  }

  /** Rule events (bans, kill switches, OTR flags, limit states), each after the command that caused it has finished. */
  subscribeRules(fn: (e: RuleNotice) => void): () => void {
    this.ruleListeners.add(fn);
    return () => this.ruleListeners.delete(fn);
  }

  // ---- rule state as the gateway saw it in the events ----

  /** The symbol's latest phase change (undefined while it never changed). */
  status(symbol: string): SecurityStatus | undefined {
    return this.statuses.get(symbol);
  }

  /** The symbol is in a call phase whose book its venue does not show (only the indicative cross). */
  callBookHidden(symbol: string): boolean {
    return this.engine.hidesCallBook(symbol) && isCallPhase(this.engine.phaseOf(symbol));
  }

  /**
   * The symbol's current indicative uncross: in a call phase, or an imbalance published before a
   * cross during continuous trading (undefined otherwise, or before the first indication).
   */
  auctionState(symbol: string): MdAuction | undefined {
    const a = this.auctions.get(symbol);
    return a !== undefined && (isCallPhase(this.engine.phaseOf(symbol)) || a.reference_price !== 0) ? a : undefined;
  }

  killSwitchOn(account: number): boolean {
    return this.engine.killSwitchOf(account) === true;
  }

  /** End of the account's ban (µs), or 0 when it is not banned now. */
  bannedUntil(account: number, now = this.clock.now()): number {
    const until = this.bans.get(account) ?? 0;
    return until > now ? until : 0;
  }

  /** The latest ObligationStatus the account was sent for its obligation on `symbol` in `programme`, if any. */
  obligationStatus(account: number, programme: string, symbol: string): ObligationStatus | undefined {
    return this.obligationStatuses.get(obligationKey(account, programme, symbol));
  }

  /** Every account's latest ObligationStatus per programme and symbol (metrics). */
  obligationStatusList(): { account: number; status: ObligationStatus }[] {
    return [...this.obligationStatuses].map(([key, status]) => ({ account: Number(key.split('\u0000')[0]), status }));
  }

  /** The configured rules of an instrument ({} when none). */
  instrumentRulesOf(symbol: string): Readonly<InstrumentRulesConfig> {
    return this.instrumentRules.get(symbol) ?? {};
  }

  // ---- commands (time is stamped here; rules are the engine's) ----

  // The command objects passed in are the caller's fresh ones: the time is stamped on them in
  // place (a copy per order was measurable in the gateway profile).

  newOrder(c: Stampable<NewOrder>): number {
    c.time = this.clock.now();
    this.recorder?.newOrder(c as NewOrder);
    return this.after(this.engine.newOrder(c as NewOrder));
  }

  cancel(c: Stampable<Cancel>): number {
    c.time = this.clock.now();
    this.recorder?.cancel(c as Cancel);
    return this.after(this.engine.cancel(c as Cancel));
  }

  replace(c: Stampable<Replace>): number {
    c.time = this.clock.now();
    this.recorder?.replace(c as Replace);
    return this.after(this.engine.replace(c as Replace));
  }

  massCancelOrders(account: number, clOrdId: string, symbol?: string, side?: Side, onDisconnect = false): number {
    this.massCancelClOrdId = echoed(clOrdId);
    const cause = onDisconnect ? CancelReason.DISCONNECT : CancelReason.MASS_CANCEL;
    const cmd: MassCancel = { time: this.clock.now(), account, symbol, side, cause };
    this.recorder?.massCancel(cmd, clOrdId);
    return this.run(() => this.engine.massCancel(cmd));
  }

  /** A mass quote; `retryAfter` is set when a side was refused by a rate limit or a ban. */
  massQuote(c: Omit<MassQuote, 'time'>): QuoteResult & { retryAfter: number } {
    let r: QuoteResult | undefined;
    this.retryAfter = 0;
    this.run(() => {
      const cmd: MassQuote = { ...c, time: this.clock.now() };
      this.recorder?.massQuote(cmd);
      r = this.engine.massQuote(cmd);
      return 0;
    });
    return { ...(r as QuoteResult), retryAfter: this.retryAfter };
  }

  quoteCancel(account: number, symbol?: string): number {
    const time = this.clock.now();
    this.recorder?.quoteCancel(time, account, symbol);
    return this.run(() => this.engine.quoteCancel({ time, account, symbol }));
  }

  /** Moves an instrument to a phase (a halt may be timed: durationUs). Returns 1 if the phase changed. */
  setPhase(symbol: string, phase: TradingPhase, text: string, durationUs?: number): number {
    const time = this.clock.now();
    this.recorder?.setPhase(time, symbol, phase, text, durationUs);
    return this.run(() => this.engine.setPhase({ time, symbol, phase, text, durationUs }));
  }

  /** An account's kill switch on (cancel everything, refuse new orders) or off. Returns 1 if it changed state. */
  killSwitch(account: number, on: boolean, text: string): number {
    const time = this.clock.now();
    this.recorder?.killSwitch(time, account, on, text);
    return this.run(() => this.engine.killSwitch({ time, account, on, text }));
  }

  /** Sets an instrument's reference price and/or previous close. Returns 1 if done. */
  setReference(c: Omit<SetReference, 'time'>): number {
    const cmd: SetReference = { ...c, time: this.clock.now() };
    this.recorder?.setReference(cmd);
    return this.run(() => this.engine.setReference(cmd));
  }

  /** Stressed-market mode of an instrument's maker programmes on or off (admin). Returns 1 if done. */
  setStress(symbol: string, on: boolean): number {
    const time = this.clock.now();
    this.recorder?.setStress(time, symbol, on);
    return this.run(() => this.engine.setStress({ time, symbol, on }));
  }

  /** Resets an account's market-maker protection on a symbol. Returns 1 if it was triggered (now reset), else 0. */
  mmpReset(account: number, symbol: string): number {
    const time = this.clock.now();
    this.recorder?.mmpReset(time, account, symbol);
    return this.run(() => this.engine.mmpReset({ time, account, symbol }));
  }

  /** Expires GTD orders whose time has come (the server calls this on a timer). */
  tick(): void {
    const time = this.clock.now();
    this.recorder?.tick(time);
    this.run(() => this.engine.advanceTime(time));
  }

  /** Position reports for an account (all instruments, or one). */
  positionReports(account: number, symbol?: string, posReqId = ''): Record<string, unknown>[] {
    const view = this.engine.accountView(account);
    if (!view) return [];
    const rows = view.positions.filter((p) => symbol === undefined || symbol === '' || p.symbol === symbol);
    // an answer is never empty: the client waits for last_rpt_requested
    if (rows.length === 0) {
      return [{ pos_req_id: posReqId, symbol, total_num_pos_reports: 1, last_rpt_requested: true, text: 'unknown symbol' }];
    }
    return rows.map((p, i) => ({
      pos_req_id: posReqId, symbol: p.symbol, position: p.position, cost_basis: String(p.costBasis),
      realised_pnl: p.realisedPnl.toString(), fees_paid: p.feesPaid.toString(), rebates_received: p.rebatesReceived.toString(),
      cash: p.cash.toString(), volume_qty: p.volumeQty.toString(), volume_notional: p.volumeNotional.toString(), cash_scale: p.cashScale,
      total_num_pos_reports: rows.length, last_rpt_requested: i === rows.length - 1, text: '',
    }));
  }

  /** The account's terms as the wire's AccountTerms: effective fee rates, position and risk limits (0 = none). */
  accountTerms(account: number, reqId = ''): Record<string, unknown> | null {
    const t = this.engine.accountTerms(account);
    if (!t) return null;
    return {
      req_id: reqId, account_id: String(account), max_open_orders: t.maxOpenOrders, open_orders: t.openOrders, kill_switch: t.killSwitch,
      stp_mode: stpToWire(t.stp), transact_time: this.engine.time,
      instruments: t.instruments.map((i) => {
        const r = i.risk;
        const limit = (v: number): number => (v >= Number.MAX_SAFE_INTEGER ? 0 : v);
        return {
          symbol: i.symbol, maker_fee_bp: i.makerRate / 100, taker_fee_bp: i.takerRate / 100, max_position: i.maxPosition,
          max_order_qty: limit(r.maxOrderQty), max_order_notional: limit(r.maxOrderNotional), max_long: limit(r.maxLong),
          max_short: limit(r.maxShort), max_gross_notional: limit(r.maxGrossNotional), programmes: i.programmes,
        };
      }),
    };
  }

  /** Money in cash units as a decimal string of the instrument's quote currency. */
  money(symbol: string, units: bigint | number): string {
    const inst = this.bySymbol.get(symbol);
    return inst ? formatUnits(units, inst.cashScale) : String(units);
  }

  /** The last market-data update id of a symbol (0 before any change). */
  updateId(symbol: string): number {
    return this.updateIds.get(symbol) ?? 0;
  }

  /** Recent trades of a symbol, oldest first. */
  trades(symbol: string, limit = TAPE_LENGTH): TapeTrade[] {
    const tape = this.tapes.get(symbol) ?? [];
    return tape.slice(Math.max(0, tape.length - limit));
  }

  /** Runs one engine command, then flushes what it changed to positions and market data. */
  private run(cmd: () => number): number {
    return this.after(cmd());
  }

  /** After every engine command: update ids, position reports, L3 notes, and the market-data commit. */
  private after(r: number): number {
    for (let i = 0; i < this.dirty.size; i++) {
      const symbol = this.dirty.at(i);
      this.updateIds.set(symbol, this.updateId(symbol) + 1);
    }
    this.dirty.clear();
    this.flushPositions();
    this.flushOrders();
    for (const l of this.market) l.commit();
    for (const o of this.observers) o.commit();
    // Rule listeners may log sessions out, which may run commands (cancel on disconnect): only now, between commands.
    if (this.pendingRules.length > 0) {
      const rules = this.pendingRules;
      this.pendingRules = [];
      for (const e of rules) for (const fn of this.ruleListeners) fn(e);
    }
    return r;
  }

  // ---- EventSink: engine events → reports and market data ----

  order(e: OrderEvent): void {
    for (const o of this.observers) o.order(e);
    if (e.kind === OrderEventKind.CANCEL_REJECTED || e.kind === OrderEventKind.REPLACE_REJECTED) {
      this.toAccount(e.account, 'order_cancel_reject', cancelReject(e));
      return;
    }
    if (e.retryAfter > this.retryAfter) this.retryAfter = e.retryAfter;
    const er = executionReport(e, this.bySymbol.get(e.symbol), ++this.nextExecId);
    if (er) this.toAccount(e.account, 'execution_report', er);
    // held stops and midpoint pegs are not in market data (a triggered stop is: its TRIGGERED event is not hidden)
    if (this.l3Listeners > 0 && e.orderId !== 0 && !e.hidden) this.touchedOrders.set(e.orderId, { symbol: e.symbol, side: e.side, price: e.price });
  }

  fill(e: FillEvent): void {
    const inst = this.bySymbol.get(e.symbol) as Instrument;
    const [maker, taker] = fillReports(e, inst, ++this.nextExecId, ++this.nextExecId);
    this.toAccount(e.makerAccount, 'execution_report', maker);
    this.toAccount(e.takerAccount, 'execution_report', taker);
    const n = this.engine.instruments.length;
    this.touchedPositions.add(e.makerAccount * n + inst.index);
    this.touchedPositions.add(e.takerAccount * n + inst.index);
    if (this.l3Listeners > 0) {
      this.touchedOrders.set(e.makerOrderId, { symbol: e.symbol, side: (3 - e.aggressorSide) as Side, price: e.price });
      this.touchedOrders.set(e.takerOrderId, { symbol: e.symbol, side: e.aggressorSide, price: e.takerPrice });
    }
    this.dirty.add(e.symbol);
    let tape = this.tapes.get(e.symbol);
    if (!tape) this.tapes.set(e.symbol, (tape = []));
    tape.push({ trade_id: e.tradeId, price: e.price, qty: e.qty, aggressor_side: e.aggressorSide, time: e.time, auction: e.auction });
    if (tape.length > TAPE_LENGTH * 2) tape.splice(0, tape.length - TAPE_LENGTH); // amortised trim
    for (const l of this.market) l.trade(e);
    for (const o of this.observers) o.fill(e);
  }

  level(e: LevelEvent): void {
    this.dirty.add(e.symbol);
    for (const l of this.market) l.level(e);
    for (const o of this.observers) o.level(e);
  }

  massCancel(e: MassCancelEvent): void {
    this.toAccount(e.account, 'order_mass_cancel_report', {
      cl_ord_id: this.massCancelClOrdId, total_affected_orders: e.cancelled, rejected: e.reason !== 0, reject_code: e.reason, text: wireText(e.reason, e.text),
    });
    this.massCancelClOrdId = '';
  }

  phase(e: PhaseEvent): void {
    this.statuses.set(e.symbol, securityStatus(e));
    if (!isCallPhase(e.phase)) this.auctions.delete(e.symbol);
    // a venue that hides its call book shows it again (or stops) with a market-data update
    if (this.engine.hidesCallBook(e.symbol)) this.dirty.add(e.symbol);
    for (const l of this.market) l.phase(e);
  }

  auction(e: AuctionEvent): void {
    const a = mdAuction(e);
    if (a.final) this.auctions.delete(e.symbol);
    else this.auctions.set(e.symbol, a);
    // an auction indication is part of the symbol's market-data update
    this.dirty.add(e.symbol);
    for (const l of this.market) l.auction(e.symbol, a);
  }

  /** Maker programmes: a member's live status or a closed window's report, to the member's sessions (stored like reports). */
  obligation(e: ObligationEvent): void {
    if (e.status) {
      const msg = obligationStatus(e.programme, e.status);
      this.obligationStatuses.set(obligationKey(e.account, e.programme, e.symbol), msg);
      this.toAccount(e.account, 'obligation_status', msg);
    } else if (e.report) {
      // the engine settles a window before reporting it: its claw-back or tier change is in the ledger already
      const settled = settledBy(this.engine.settlements(e.account), e.programme, e.time, e.report);
      this.toAccount(e.account, 'obligation_report', obligationReport(e.programme, e.time, e.report, settled));
    }
  }

  rule(e: RuleEvent): void {
    // an account ban keeps the account out (logon refused); a session ban ends with its connection
    if (e.kind === RuleEventKind.BAN && e.session === 0 && e.until > (this.bans.get(e.account) ?? 0)) this.bans.set(e.account, e.until);
    const note = userNotification(e);
    if (note) this.toAccount(e.account, 'user_notification', note);
    const { seq: _seq, ...copy } = e;
    this.pendingRules.push(copy);
  }

  private toAccount(account: number, body: string, msg: Record<string, unknown>): void {
    const set = this.listeners.get(account);
    if (set) for (const fn of set) fn(body, msg);
    for (const tap of this.taps) tap(account, body, msg);
  }

  private flushPositions(): void {
    const touched = this.touchedPositions;
    const n = this.engine.instruments.length;
    for (let i = 0; i < touched.size; i++) {
      const id = Math.floor(touched.at(i) / n);
      if (!this.listeners.get(id)?.size) continue;
      const symbol = this.engine.instruments[touched.at(i) % n].symbol;
      for (const r of this.positionReports(id, symbol)) this.toAccount(id, 'position_report', r);
    }
    touched.clear();
  }

  private flushOrders(): void {
    if (this.touchedOrders.size === 0) return;
    for (const [id, t] of this.touchedOrders) {
      const o = this.engine.order(id);
      for (const l of this.market) {
        if (!o) l.order(t.symbol, id, t.side, t.price, 0);
        else if (o.held === '') l.order(t.symbol, id, o.side, o.price, o.shown); // an iceberg shows its slice; held stops and pegs nothing
      }
    }
    this.touchedOrders.clear();
  }
}
