// The simulated market around an Exchange: a latent price process and a mix of
// agents (makers, noise and informed takers, momentum followers, forced
// liquidations, optionally a fast rival maker), each an exchange account that
// trades through the ordinary command path — same rules, fees and limits as
// any member, except the order-rate limits (one agent account stands for many
// firms; AccountOptions.rateLimitExempt). The scenario's timeline runs on the
// same scheduler. Everything random comes from the seed, so a virtual run is
// reproducible to the byte.
import type { Exchange } from '../gateway/exchange.ts';
import type { EventSink, FillEvent, OrderEvent, LevelEvent, MassCancelEvent, PhaseEvent, AuctionEvent, RuleEvent, ObligationEvent } from '../engine/events.ts';
import { Side } from '../engine/types.ts';
import { Rng } from './rng.ts';
import type { Scheduler, Timer } from './scheduler.ts';
import { PriceProcess, type ScriptedShock } from './price-process.ts';
import { startPrices, type Scenario, type TimelineEvent } from './scenario.ts';
import type { AgentParams } from './params.ts';
import { MID_RING, bidPx, notionalOf, type Agent, type AgentType, type MarketContext, type SymbolState } from './agents/context.ts';
import { Maker } from './agents/maker.ts';
import { NoiseTakers } from './agents/noise.ts';
import { InformedTakers } from './agents/informed.ts';
import { MomentumFollowers } from './agents/momentum.ts';
import { Liquidations, type LiquidationStats } from './agents/liquidation.ts';
import { RivalMaker } from './agents/rival.ts';

export type { AgentType } from './agents/context.ts';

/** What the scenario does to external sessions now; a gateway or an in-process transport reads it. */
export interface ExternalConditions {
  /** extra order-entry latency, ms, plus up to jitter_ms more */
  latency_ms: number;
  jitter_ms: number;
  /** share of external orders to refuse (a reject burst; "status unknown" in spirit), % */
  reject_pct: number;
}

export interface SimMarket {
  stop(): void;
  /** the latent fair value now, price units */
  fairValue(symbol: string): number;
  /** the latent fair value at a time up to now (within the process's memory), price units */
  fairValueAt(symbol: string, timeUs: number): number;
  /** the market regime now */
  regime(symbol: string): string;
  /** the agent type trading on an account; undefined = an external account */
  agentType(account: number): AgentType | undefined;
  /** the agent accounts */
  readonly agents: readonly { account: number; type: AgentType; name: string }[];
  /** latency spikes and reject bursts for external sessions (scenario `latency` / `rejects`) */
  readonly conditions: Readonly<ExternalConditions>;
  /** an external order's extra delay now, µs (0 outside latency spikes), drawn from `rng` */
  externalDelayUs(rng: Rng): number;
  /** whether an external order should be refused now, drawn from `rng` */
  rejectExternal(rng: Rng): boolean;
  /** sees every engine event after the exchange has (returns: stop observing) */
  observe(o: Partial<EventSink>): () => void;
  /** agent commands sent so far */
  readonly commands: number;
  readonly liquidations: Readonly<LiquidationStats>;
  /** an operator's trigger (admin REST, rest-sim.ts): the timeline event applied now */
  trigger(e: TriggerEvent): void;
}

/** A timeline event without its time: what an operator can trigger while the market runs. */
type Timeless<E> = E extends TimelineEvent ? Omit<E, 'atUs'> : never;
export type TriggerEvent = Timeless<Extract<TimelineEvent, { type: 'withdraw' | 'restore' | 'jump' }>>;

export interface StartMarketOptions {
  exchange: Exchange;
  scheduler: Scheduler;
  scenario: Scenario;
  seed: number;
}

/** Cycle steps are expanded this far ahead (a run longer than this keeps the last regime). */
const CYCLE_HORIZON_US = 30 * 86_400_000_000;
const MAX_LEAD_US = 60_000_000;

export function startMarket(opts: StartMarketOptions): SimMarket {
  return new Market(opts);
}

class Market implements SimMarket, MarketContext {
  readonly exchange: Exchange;
  readonly scheduler: Scheduler;
  readonly process: PriceProcess;
  readonly symbols: SymbolState[];
  readonly params: AgentParams;
  readonly impact: Scenario['impact'];
  commands = 0;
  readonly agents: { account: number; type: AgentType; name: string }[] = [];
  readonly conditions: ExternalConditions = { latency_ms: 0, jitter_ms: 0, reject_pct: 0 };
  private readonly byAccount: (Agent | undefined)[] = [];
  private readonly makers: Maker[] = [];
  private readonly liq: Liquidations;
  private readonly bySymbol = new Map<string, SymbolState>();
  private readonly observers: Partial<EventSink>[] = [];
  private readonly timers: Timer[] = [];
  private readonly rng: Rng;
  private stopped = false;
  private readonly t0: number;
  /** the engine's sink before the market wrapped it (the Exchange, or another observer wrapping it) */
  private downstream: EventSink;
  /** quote-currency depth all makers show at full size (both sides) */
  private readonly normalDepth: number;

  constructor(o: StartMarketOptions) {
    const sc = o.scenario;
    this.exchange = o.exchange;
    this.scheduler = o.scheduler;
    this.params = structuredClone(sc.agents);
    this.impact = { ...sc.impact };
    this.rng = new Rng(o.seed);
    this.downstream = o.exchange;
    this.t0 = o.scheduler.now();
    const starts = startPrices(sc);
    this.symbols = sc.symbols.map((symbol, pi) => {
      const inst = o.exchange.instrument(symbol);
      if (!inst) throw new Error(`scenario ${sc.name}: the exchange has no instrument ${symbol} (profile ${sc.profile})`);
      const s: SymbolState = { symbol, inst, pi, lastTrade: 0, mids: new Float64Array(MID_RING), samples: 0 };
      this.bySymbol.set(symbol, s);
      return s;
    });
    const lagUs = Math.max(5_000_000, Maker.maxLagUs(sc.agents.makers)) + 1_000_000;
    const markov = sc.switching === 'markov' && sc.cycle.length === 0;
    this.process = new PriceProcess(
      sc.process, sc.symbols.map((symbol) => ({ symbol, start: starts[symbol], sigma_mult: sc.instruments[symbol].sigma_mult })),
      this.t0, this.rng.fork('price'), lagUs, MAX_LEAD_US, this.shocks(sc), sc.cycle[0]?.regime ?? sc.initialRegime, markov,
    );
    for (const s of this.symbols) {
      const r = this.exchange.instrumentRulesOf(s.symbol);
      if (r.price_band_bp !== undefined || r.price_band_by_side !== undefined) {
        this.exchange.setReference({ symbol: s.symbol, referencePrice: bidPx(s.inst, starts[s.symbol]) });
      }
    }

    const p = this.params;
    let ladder = 0;
    for (let k = 0; k < p.makers.levels; k++) ladder += p.makers.level_notional * (1 + k * p.makers.size_growth);
    this.normalDepth = 2 * ladder * p.makers.count * this.symbols.length;
    for (let i = 0; i < p.makers.count; i++) {
      const m = this.add('maker', `sim-maker-${i + 1}`, (acct) => new Maker(this, acct, this.rng.fork(`maker-${i}`)), 'CANCEL_TAKER');
      this.makers.push(m);
    }
    this.add('noise', 'sim-noise', (acct) => new NoiseTakers(this, acct, this.rng.fork('noise')));
    this.add('informed', 'sim-informed', (acct) => new InformedTakers(this, acct, this.rng.fork('informed')));
    this.add('momentum', 'sim-momentum', (acct) => new MomentumFollowers(this, acct, this.rng.fork('momentum')));
    this.liq = this.add('liquidation', 'sim-liquidation', (acct) => new Liquidations(this, acct, this.rng.fork('liquidation')));
    this.add('rival', 'sim-rival', (acct) => new RivalMaker(this, acct, this.rng.fork('rival')));

    this.downstream = this.exchange.engine.sink;
    this.exchange.engine.setSink(this.tee());
    for (const e of sc.timeline) this.timers.push(this.scheduler.at(this.t0 + e.atUs, () => this.apply(e)));
    this.sample();
    for (const id of this.byAccount) id?.start();
  }

  get liquidations(): Readonly<LiquidationStats> {
    return this.liq.stats;
  }

  /** `stp`: the account's self-trade prevention as in a config file (the wire's StpMode name) */
  private add<A extends Agent>(type: AgentType, name: string, make: (account: number) => A, stp?: string): A {
    const info = this.exchange.createAccount(name, undefined, stp, undefined, true);
    if ('error' in info) throw new Error(`simulated market: account ${name}: ${info.error}`);
    const agent = make(info.id);
    this.byAccount[info.id] = agent;
    this.agents.push({ account: info.id, type, name });
    return agent;
  }

  /** Regime changes and jumps the price process applies itself (it generates ahead, so it must know them in advance). */
  private shocks(sc: Scenario): ScriptedShock[] {
    const out: ScriptedShock[] = [];
    if (sc.cycle.length > 0) {
      let t = this.t0;
      for (let i = 0; t < this.t0 + CYCLE_HORIZON_US && out.length < 100_000; i++) {
        const c = sc.cycle[i % sc.cycle.length];
        if (i > 0) out.push({ at: t, kind: 'regime', regime: c.regime });
        t += c.for_s * 1e6;
      }
    }
    for (const e of sc.timeline) {
      if (e.type === 'regime') out.push({ at: this.t0 + e.atUs, kind: 'regime', regime: e.regime });
      else if (e.type === 'jump') out.push({ at: this.t0 + e.atUs, kind: 'jump', symbol: e.symbol, bp: Math.log(1 + e.jump_pct / 100) * 1e4 });
    }
    return out.sort((a, b) => a.at - b.at);
  }

  // ---- the timeline ----

  private apply(e: TimelineEvent): void {
    switch (e.type) {
      case 'regime': case 'jump': return; // in the price process already
      case 'withdraw':
        for (const m of this.makers) this.within(e.within_s, () => m.setDepth(m.depthPct * (1 - e.withdraw_pct / 100)));
        return;
      case 'restore':
        for (const m of this.makers) this.within(e.within_s, () => m.setDepth(e.depth_pct));
        return;
      case 'liquidations': this.liq.wave(e.notional, e.within_pct, e.long_pct); return;
      case 'latency':
        this.conditions.latency_ms = e.latency_ms;
        this.conditions.jitter_ms = e.jitter_ms;
        this.timers.push(this.scheduler.after(e.for_s * 1e6, () => { this.conditions.latency_ms = 0; this.conditions.jitter_ms = 0; }));
        return;
      case 'rejects':
        this.conditions.reject_pct = e.reject_pct;
        this.timers.push(this.scheduler.after(e.for_s * 1e6, () => { this.conditions.reject_pct = 0; }));
        return;
      case 'set':
        for (const [g, v] of Object.entries(e.params)) Object.assign(this.params[g as keyof AgentParams], v);
        return;
    }
  }

  /** Runs `fn` at a uniformly random instant within the next `s` seconds (now if 0). */
  private within(s: number, fn: () => void): void {
    if (s <= 0) fn();
    else this.timers.push(this.scheduler.after(Math.round(this.rng.next() * s * 1e6), fn));
  }

  // ---- every simulated second: mids for the agents, engine timers ----

  private sample(): void {
    if (this.stopped) return;
    const now = this.scheduler.now();
    this.process.advance(now, this.process.decayPerStep(this.impact.reversion_s));
    const eng = this.exchange.engine;
    for (const s of this.symbols) {
      const b = eng.bestBid(s.symbol);
      const a = eng.bestAsk(s.symbol);
      s.mids[s.samples % MID_RING] = b && a ? (b.price + a.price) / 2 : 0;
      s.samples++;
    }
    if (eng.nextTimerAt <= now) this.exchange.tick();
    this.timers.push(this.scheduler.after(1_000_000, () => this.sample()));
    if (this.timers.length > 256) this.pruneTimers();
  }

  private pruneTimers(): void {
    let w = 0;
    for (const t of this.timers) if (t.active) this.timers[w++] = t;
    this.timers.length = w;
  }

  midAgo(s: SymbolState, secondsAgo: number): number {
    const n = Math.round(secondsAgo);
    if (n >= s.samples || n >= MID_RING) return 0;
    return s.mids[(s.samples - 1 - n) % MID_RING];
  }

  flowMult(): number {
    return this.process.regimeParams(this.scheduler.now()).flow_mult;
  }

  // ---- events: the exchange first, then agents' bookkeeping, impact and observers ----

  /**
   * Wraps the engine's sink: each event goes to the previous sink (normally the Exchange) first.
   * Another wrapper installed later must forward to `engine.sink` too, or the agents stop seeing
   * their fills; to watch events, prefer `observe`.
   */
  private tee(): EventSink {
    const ex = this.downstream;
    const obs = this.observers;
    return {
      order: (e: OrderEvent) => {
        ex.order(e);
        this.byAccount[e.account]?.onOrder?.(e);
        for (const o of obs) o.order?.(e);
      },
      fill: (e: FillEvent) => {
        ex.fill(e);
        this.byAccount[e.makerAccount]?.onFill?.(e, true);
        this.byAccount[e.takerAccount]?.onFill?.(e, false);
        this.trade(e);
        for (const o of obs) o.fill?.(e);
      },
      level: (e: LevelEvent) => { ex.level(e); for (const o of obs) o.level?.(e); },
      massCancel: (e: MassCancelEvent) => { ex.massCancel(e); for (const o of obs) o.massCancel?.(e); },
      phase: (e: PhaseEvent) => { ex.phase(e); for (const o of obs) o.phase?.(e); },
      auction: (e: AuctionEvent) => { ex.auction(e); for (const o of obs) o.auction?.(e); },
      rule: (e: RuleEvent) => { ex.rule(e); for (const o of obs) o.rule?.(e); },
      obligation: (e: ObligationEvent) => { ex.obligation(e); for (const o of obs) o.obligation?.(e); },
    };
  }

  /** Permanent impact of a trade on the fair value (Kyle's λ, larger as the makers' depth thins), and price discovery (params.ts IMPACT_SPEC). */
  private trade(e: FillEvent): void {
    const s = this.bySymbol.get(e.symbol);
    if (!s) return;
    s.lastTrade = e.price;
    const ip = this.impact;
    let share = 0;
    let shown = 0;
    for (const m of this.makers) {
      share += m.sizeShare;
      if (ip.follow > 0) shown += m.shown();
    }
    share = this.makers.length > 0 ? share / this.makers.length : 0;
    const ratio = Math.min(ip.max_depth_ratio, share > 0 ? 1 / share : Infinity);
    const notional = notionalOf(s.inst, e.qty, e.price);
    const kyle = Math.min(ip.max_bp, (ip.bp_per_million * notional * ratio) / 1e6);
    this.process.advance(e.time, this.process.decayPerStep(ip.reversion_s));
    let bp = e.aggressorSide === Side.BUY ? kyle : -kyle;
    if (ip.follow > 0) {
      const gap = (Math.log(e.price) - this.process.logValue(s.pi, e.time)) * 1e4;
      // an emptied book counts as 1/max_depth_ratio of its normal depth: a few tiny prints far away do not make the price
      bp += gap * Math.min(ip.max_follow, (ip.follow * notional) / Math.max(shown, this.normalDepth / ip.max_depth_ratio));
    }
    if (bp !== 0) this.process.shift(s.pi, bp);
  }

  // ---- the public face ----

  trigger(e: TriggerEvent): void {
    if (this.stopped) return;
    if (e.type !== 'jump') return this.apply({ ...e, atUs: 0 });
    // a scripted jump is generated ahead in the price process; one triggered now shifts the value as
    // permanent impact does (and fades with it, impact.reversion_s)
    this.process.advance(this.scheduler.now(), this.process.decayPerStep(this.impact.reversion_s));
    const bp = Math.log(1 + e.jump_pct / 100) * 1e4;
    for (const s of this.symbols) if (e.symbol === null || e.symbol === s.symbol) this.process.shift(s.pi, bp);
  }

  fairValue(symbol: string): number {
    const s = this.bySymbol.get(symbol);
    return s ? this.process.value(s.pi, this.scheduler.now()) : NaN;
  }

  fairValueAt(symbol: string, timeUs: number): number {
    const s = this.bySymbol.get(symbol);
    return s ? this.process.value(s.pi, Math.min(timeUs, this.scheduler.now())) : NaN;
  }

  regime(symbol: string): string {
    return this.bySymbol.has(symbol) ? this.process.regimeAt(this.scheduler.now()) : '';
  }

  agentType(account: number): AgentType | undefined {
    return this.byAccount[account]?.type;
  }

  externalDelayUs(rng: Rng): number {
    const c = this.conditions;
    return c.latency_ms > 0 || c.jitter_ms > 0 ? Math.round((c.latency_ms + rng.next() * c.jitter_ms) * 1000) : 0;
  }

  rejectExternal(rng: Rng): boolean {
    return this.conditions.reject_pct > 0 && rng.chance(this.conditions.reject_pct / 100);
  }

  observe(o: Partial<EventSink>): () => void {
    this.observers.push(o);
    return () => {
      const i = this.observers.indexOf(o);
      if (i >= 0) this.observers.splice(i, 1);
    };
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const a of this.byAccount) a?.stop();
    for (const t of this.timers) this.scheduler.cancel(t);
    this.exchange.engine.setSink(this.downstream);
  }
}
