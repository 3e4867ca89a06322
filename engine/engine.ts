// The exchange as a pure, deterministic state machine: commands in, events
// out. No I/O, no clock, no randomness: time arrives with each command, so the
// same command sequence always yields the same events.
//
// Each command runs: begin (advance time, expire GTD orders) → checks (a
// rejected command leaves state untouched) → mutate + emit → end (one market-
// data update per touched level).
import { Account, type AccountOptions } from './account.ts';
import type { Book } from './book.ts';
import type { Cancel, Command, KillSwitch, MassCancel, MmpReset, SetReference, MassQuote, NewOrder, OrderRef, QuoteCancel, QuoteResult, Replace, SetPhase } from './commands.ts';
import { EventSink, OrderEventKind, nullSink } from './events.ts';
import { Emitter } from './emitter.ts';
import { bpToRate, ConfigError, makeInstrument, overAccessCap, perShareField, type Instrument, type InstrumentConfig } from './instrument.ts';
import type { Accumulator } from './money.ts';
import { Market } from './market.ts';
import type { Order } from './order.ts';
import {
  CancelReason, OrdType, REJECT_REASON_TEXT, RejectReason, Side, StpMode, TimeInForce, TradingPhase, isCrossTif, isSide, isStpMode, isTradingPhase,
} from './types.ts';
import { checkClOrdId, checkDisplay, checkNewOrderFields, checkPrice, checkQty, isOrderId, isTime, type Why } from './validate.ts';
import { mayRest, newOrderState, pegPrice, protectedPrice, replaceState, slidePrice } from './pretrade.ts';
import { PARK_PEG, PARK_STOP } from './order.ts';
import * as query from './query.ts';
import type { RulesConfig } from './rules/config.ts';
import type { OtrCounters } from './rules/otr.ts';
import type { MmpView } from './rules/mmp.ts';
import { MsgKind, Rules } from './rules/rules.ts';
import { resolveRisk } from './rules/risk.ts';
import type { ValidatedProgramme } from './obligations/config.ts';
import { Programmes, type Settlement } from './obligations/programme.ts';
import { objectArray } from './arrays.ts';

export interface EngineOptions {
  instruments: InstrumentConfig[];
  sink?: EventSink;
  /** default cap on one account's resting orders */
  maxOpenOrdersPerAccount?: number;
  /** cap on resting orders across the whole engine */
  maxLiveOrders?: number;
  /** cap on accounts */
  maxAccounts?: number;
  /** venue-wide rules: rate limits, OTR, market-wide breaker */
  rules?: RulesConfig;
  /** maker programmes (engine/obligations/config.ts ProgrammeConfig[]) */
  programmes?: unknown;
  /**
   * Order and trade ids start after this (default 0: from 1). An adapter
   * gives each run a higher one than the last (from its boot time, or where
   * a journal left off), so ids never repeat across restarts.
   */
  idEpoch?: number;
}

/** An account's fee tier: bp rates, and fees per whole share in cash units (default the instrument's). */
export interface FeeTier {
  symbol?: string;
  maker_fee_bp: number;
  taker_fee_bp: number;
  maker_fee_per_share?: number;
  taker_fee_per_share?: number;
}

export type AdminResult = { ok: true } | { ok: false; reason: RejectReason; text: string };

export class Engine {
  readonly instruments: readonly Instrument[];
  private readonly bySymbol = new Map<string, Instrument>();
  private readonly accounts = objectArray<Account>();
  /** the books and their orders */
  private readonly market: Market;
  /** phases, price controls, breakers, rate limits, risk (engine/rules) */
  private readonly rules: Rules;
  /** maker programmes: obligations measured per member (engine/obligations) */
  private readonly programmes: Programmes;
  private readonly maxOpenOrdersPerAccount: number;
  private readonly maxLiveOrders: number;
  private readonly maxAccounts: number;

  private now = 0;
  /** every event leaves through here (sequence numbers, reused event objects) */
  private readonly out: Emitter;
  private readonly why: Why = { text: '' };
  /** the one-entry symbol cache (instrument()), primed with the first instrument: a new engine's first command then takes the path its predecessors' optimised code knows */
  private lastSymbol: string;
  private lastInstrument: Instrument | undefined;
  /**
   * No maker-programme member and no level events: then, with the rules inert and no order held,
   * a command leaves nothing for end() to do (the rules' end work only follows live rules).
   */
  private quietEnd = false;

  constructor(opts: EngineOptions, sink: EventSink = opts.sink ?? nullSink) {
    if (!Array.isArray(opts.instruments) || opts.instruments.length === 0) {
      throw new ConfigError('instruments', 'must be a non-empty array');
    }
    this.instruments = opts.instruments.map((cfg, i) => makeInstrument(cfg, i, opts.rules?.access_fee_cap));
    for (const inst of this.instruments) {
      if (this.bySymbol.has(inst.symbol)) throw new ConfigError(`instruments[${inst.index}].symbol`, `duplicate symbol ${inst.symbol}`);
      this.bySymbol.set(inst.symbol, inst);
    }
    this.lastSymbol = this.instruments[0].symbol;
    this.lastInstrument = this.instruments[0];
    this.maxOpenOrdersPerAccount = limit(opts.maxOpenOrdersPerAccount, 'maxOpenOrdersPerAccount', 100_000);
    this.maxLiveOrders = limit(opts.maxLiveOrders, 'maxLiveOrders', 10_000_000);
    this.maxAccounts = limit(opts.maxAccounts, 'maxAccounts', 100_000);
    this.out = new Emitter(sink, this.instruments);
    const epoch = opts.idEpoch ?? 0;
    if (!Number.isSafeInteger(epoch) || epoch < 0) throw new ConfigError('idEpoch', 'must be a non-negative safe integer');
    this.market = new Market(this.instruments, this.out, epoch);
    this.market.reportLevels(sink.levelEvents !== false);
    this.programmes = new Programmes(opts.programmes, this.instruments, this.market, this.out, (ii) => this.rules.phaseOf(ii));
    this.rules = new Rules(this.instruments, opts.instruments, opts.rules, this.market, this.out, this.accounts, this.programmes);
    this.refreshQuietEnd();
  }

  /** the venue's fee income per instrument (fees − rebates), cash units */
  get venueFees(): readonly Accumulator[] {
    return this.market.venueFees;
  }

  setSink(sink: EventSink): void {
    this.out.sink = sink;
    this.market.reportLevels(sink.levelEvents !== false);
    this.refreshQuietEnd();
  }

  /** Where events go now (an observer that wraps the sink forwards to this one). */
  get sink(): EventSink {
    return this.out.sink;
  }

  /** Engine time: the latest command time seen (µs). */
  get time(): number {
    return this.now;
  }

  /** The id the next accepted order will get (lets an adapter map ids before the events arrive). */
  nextOrderIdPreview(): number {
    return this.market.nextOrderId + 1;
  }

  /** The sequence number of the last event emitted. */
  get lastSeq(): number {
    return this.out.seq;
  }

  // ---- accounts and fee tiers (administrative; typed results, never throws) ----

  addAccount(opts: AccountOptions): number | AdminResult {
    if (this.accounts.length >= this.maxAccounts) return adminFail(RejectReason.INVALID_FIELD, `at most ${this.maxAccounts} accounts`);
    if (typeof opts?.name !== 'string' || opts.name.length === 0 || opts.name.length > 64) {
      return adminFail(RejectReason.INVALID_FIELD, 'name: a string of 1-64 characters');
    }
    if (opts.stp !== undefined && !isStpMode(opts.stp)) return adminFail(RejectReason.INVALID_FIELD, 'stp: a mode 0-4');
    const max = opts.maxOpenOrders ?? this.maxOpenOrdersPerAccount;
    if (!Number.isSafeInteger(max) || max < 0) return adminFail(RejectReason.INVALID_FIELD, 'maxOpenOrders: a non-negative integer');
    const risk = resolveRisk(opts.risk, this.instruments);
    if (typeof risk === 'string') return adminFail(RejectReason.INVALID_FIELD, risk);
    const id = this.accounts.length + 1;
    const acct = new Account(id, opts.name, opts.stp ?? StpMode.NONE, max, this.instruments, this.market.pool.table);
    acct.risk = risk;
    acct.riskFree = opts.risk === undefined;
    acct.rateLimitExempt = opts.rateLimitExempt === true;
    this.accounts.push(acct);
    this.rules.addAccount(acct);
    this.programmes.join(acct);
    this.refreshQuietEnd();
    return id;
  }

  /**
   * Overrides an account's maker/taker rates (and its fees per share, default the instrument's) for one
   * instrument, or all when symbol is omitted.
   */
  setFeeTier(account: number, tier: FeeTier): AdminResult {
    const acct = this.account(account);
    if (!acct) return adminFail(RejectReason.UNKNOWN_ACCOUNT, REJECT_REASON_TEXT[RejectReason.UNKNOWN_ACCOUNT]);
    const inst = tier.symbol === undefined ? null : this.bySymbol.get(tier.symbol);
    if (inst === undefined) return adminFail(RejectReason.UNKNOWN_SYMBOL, `unknown symbol ${String(tier.symbol)}`);
    const targets = this.instruments.filter((i) => inst === null || i === inst);
    let maker: number, taker: number;
    const makerPs: number[] = [], takerPs: number[] = [];
    try {
      maker = bpToRate(tier.maker_fee_bp, 'maker_fee_bp');
      taker = bpToRate(tier.taker_fee_bp, 'taker_fee_bp');
      for (const i of targets) {
        makerPs.push(perShareField(tier.maker_fee_per_share ?? i.makerPerShare, 'maker_fee_per_share', i.maxQty));
        takerPs.push(perShareField(tier.taker_fee_per_share ?? i.takerPerShare, 'taker_fee_per_share', i.maxQty));
        const over = overAccessCap(i, takerPs[takerPs.length - 1]);
        if (over !== null) throw new ConfigError('taker_fee_per_share', `${i.symbol}: ${over}`);
      }
    } catch (e) {
      return adminFail(RejectReason.INVALID_FIELD, (e as Error).message);
    }
    targets.forEach((i, k) => {
      acct.makerRate[i.index] = maker;
      acct.takerRate[i.index] = taker;
      acct.makerPerShare[i.index] = makerPs[k];
      acct.takerPerShare[i.index] = takerPs[k];
    });
    return { ok: true };
  }

  // ---- commands ----

  apply(c: Command): number {
    if (!isObject(c)) return 0;
    switch (c.type) {
      case 'new': return this.newOrder(c);
      case 'cancel': return this.cancel(c);
      case 'replace': return this.replace(c);
      case 'massCancel': return this.massCancel(c);
      case 'phase': return this.setPhase(c);
      case 'massQuote': { const r = this.massQuote(c); return r.bidOrderId || r.offerOrderId ? 1 : 0; }
      case 'quoteCancel': return this.quoteCancel(c);
      case 'killSwitch': return this.killSwitch(c);
      case 'reference': return this.setReference(c);
      case 'mmpReset': return this.mmpReset(c);
      case 'time': return this.advanceTime(c.time);
      default: return 0;
    }
  }

  /** Advances engine time (expiring GTD orders). Returns 1, or 0 if the time is invalid. */
  advanceTime(time: number): number {
    if (!this.begin(time)) return 0;
    this.end();
    return 1;
  }

  /**
   * Moves an instrument to a trading phase (admin). Leaving a call phase for
   * continuous trading runs the auction. Returns 1 if the phase changed (or a
   * halt was re-timed), 0 if refused or unchanged.
   */
  setPhase(cmd: SetPhase): number {
    const c = isObject(cmd) ? cmd : NO_FIELDS as SetPhase;
    const inst = typeof c.symbol === 'string' ? this.instrument(c.symbol) : undefined;
    const duration = c.durationUs ?? 0;
    if (!inst || !isTradingPhase(c.phase) || !isTime(duration) || (duration > 0 && c.phase !== TradingPhase.HALTED) || !this.begin(c.time)) return 0;
    const changed = this.rules.setPhase(inst.index, c.phase, duration, typeof c.text === 'string' ? c.text.slice(0, 200) : '');
    this.end();
    return changed ? 1 : 0;
  }

  /** Kill switch on (cancels all the account's orders, refuses new ones) or off. Returns 1 if it changed state, else 0. */
  killSwitch(cmd: KillSwitch): number {
    const c = isObject(cmd) ? cmd : NO_FIELDS as KillSwitch;
    const acct = this.account(c.account);
    if (!acct || typeof c.on !== 'boolean' || !this.begin(c.time)) return 0;
    const changed = this.rules.killSwitch(acct, c.on, typeof c.text === 'string' ? c.text.slice(0, 200) : '');
    this.end();
    return changed ? 1 : 0;
  }

  /** Sets an instrument's static-band reference price and/or previous close. Returns 1 if done, 0 if refused. */
  setReference(cmd: SetReference): number {
    const c = isObject(cmd) ? cmd : NO_FIELDS as SetReference;
    const inst = typeof c.symbol === 'string' ? this.instrument(c.symbol) : undefined;
    const valid = (p: unknown): boolean => p === undefined || p === 0 || (checkPrice(inst as Instrument, p, this.why) === 0);
    if (!inst || !valid(c.referencePrice) || !valid(c.previousClose) || !this.begin(c.time)) {
      this.why.text = '';
      return 0;
    }
    const ctl = this.rules.controlsOf(inst.index);
    if (c.referencePrice) ctl.setReference(c.referencePrice);
    if (c.previousClose) ctl.previousClose = c.previousClose;
    this.end();
    return 1;
  }

  /** Stressed-market mode of an instrument for the maker programmes (admin). Returns 1 if done, 0 if refused. */
  setStress(cmd: { time: number; symbol: string; on: boolean }): number {
    const c = isObject(cmd) ? cmd : NO_FIELDS as { time: number; symbol: string; on: boolean };
    const inst = typeof c.symbol === 'string' ? this.instrument(c.symbol) : undefined;
    if (!inst || typeof c.on !== 'boolean' || !this.begin(c.time)) return 0;
    this.programmes.setStress(inst.index, c.on, this.now, false);
    this.end();
    return 1;
  }

  /** Resets the account's market-maker protection on a symbol. Returns 1 if it was triggered (now reset), else 0. */
  mmpReset(cmd: MmpReset): number {
    const c = isObject(cmd) ? cmd : NO_FIELDS as MmpReset;
    const acct = this.account(c.account);
    const inst = typeof c.symbol === 'string' ? this.instrument(c.symbol) : undefined;
    if (!acct || !inst || !this.begin(c.time)) return 0;
    const was = this.rules.mmpReset(acct, inst.index);
    this.end();
    return was ? 1 : 0;
  }

  /** The account's market-maker protection per instrument where it has limits: tallies now and whether it is tripped. */
  mmpStatus(account: number): MmpView[] {
    const mmp = this.rules.mmp;
    if (mmp === null || !this.account(account)) return [];
    const out: MmpView[] = [];
    for (const i of this.instruments) {
      const v = mmp.view(account, i.index, this.now);
      if (v !== null) out.push(v);
    }
    return out;
  }

  /** Stressed-market mode of an instrument (admin or circuit breaker), or null for an unknown symbol. */
  stressOf(symbol: string): boolean | null {
    const inst = this.instrument(symbol);
    return inst ? this.programmes.stressed[inst.index] : null;
  }

  /** The maker programmes' definitions (validated config). */
  programmeList(): readonly ValidatedProgramme[] {
    return this.programmes.list;
  }

  /** Per member and instrument: the current window so far, and the closed windows' reports (optionally one programme / account). */
  obligationViews(filter: { programme?: string; account?: number } = {}): query.ObligationView[] {
    return this.programmes.members
      .filter((m) => (filter.programme === undefined || m.programme.name === filter.programme) && (filter.account === undefined || m.acct.id === filter.account))
      .map((m) => ({ programme: m.programme.name, account: m.acct.id, name: m.acct.name, symbol: m.inst.symbol, current: m.meter.preview(this.now), reports: [...m.reports] }));
  }

  /** An account's programme settlements (claw-backs, tier changes). */
  settlements(account: number): Settlement[] {
    return [...(this.account(account)?.settlements ?? [])];
  }

  /** An instrument's reference prices and bands now (for REST and tests). */
  priceControls(symbol: string): query.PriceControlsView | null {
    const inst = this.instrument(symbol);
    return inst ? query.priceControls(this.rules.controlsOf(inst.index), this.now) : null;
  }

  /** The symbol's call book is not for display (only the indicative cross): a market-data setting of the venue. */
  hidesCallBook(symbol: string): boolean {
    const inst = this.instrument(symbol);
    return inst !== undefined && this.rules.hidesCallBook(inst.index);
  }

  phaseOf(symbol: string): TradingPhase | null {
    const inst = this.instrument(symbol);
    return inst ? this.rules.phaseOf(inst.index) : null;
  }

  /** The account's kill switch state, or null for an unknown account. */
  killSwitchOf(account: number): boolean | null {
    const a = this.account(account);
    return a ? a.killed : null;
  }

  /** The account's order-to-trade counters today on one instrument (null without OTR rules or for unknowns). */
  orderToTrade(account: number, symbol: string): ReturnType<OtrCounters['view']> | null {
    const inst = this.instrument(symbol);
    const otr = this.rules.otr;
    return inst && otr && this.account(account) ? otr.view(account, inst.index, this.now) : null;
  }

  /** When the engine next has something to do on its own (a halt ending, a scheduled phase), µs; for drivers that tick time. */
  get nextTimerAt(): number {
    return this.rules.nextTimerAt;
  }

  /** Returns the new order's id, or 0 if it was rejected. */
  newOrder(cmd: NewOrder): number {
    const c = isObject(cmd) ? cmd : NO_FIELDS;
    if (!this.begin(c.time)) {
      this.out.rejectNew(c, RejectReason.INVALID_FIELD, 'invalid field time: a non-negative integer (µs)');
      this.end();
      return 0;
    }
    const id = this.place(c, MsgKind.NEW);
    this.end();
    return id;
  }

  /** A mass quote (see MassQuote). Every refusal is also reported as a REJECTED order event. */
  massQuote(cmd: MassQuote): QuoteResult {
    const c = isObject(cmd) ? cmd : NO_FIELDS as MassQuote;
    const r: QuoteResult = { bidOrderId: 0, offerOrderId: 0, bidReject: 0, offerReject: 0 };
    if (!this.begin(c.time)) {
      r.bidReject = r.offerReject = RejectReason.INVALID_FIELD;
      return r;
    }
    const acct = this.account(c.account);
    const inst = this.instrument(c.symbol);
    let refused = acct ? this.rules.admitMessage(MsgKind.QUOTE, acct, c.session, this.why) : 0;
    // the reset instruction travels on the mass quote (CME tag 9773): the protection is cleared first
    if (!refused && acct && inst && c.mmpReset === true) this.rules.mmpReset(acct, inst.index);
    if (!refused && acct && inst) refused = this.rules.admitQuote(acct, inst.index, this.why) || this.quoteLife(acct, inst.index);
    const kept = acct && inst && !refused ? this.refreshQuote(acct, inst.index, c) : NONE_KEPT;
    const quote = (s: Side, price: number, qty: number): number => {
      const side: NewOrder = { time: c.time, account: c.account, symbol: c.symbol, side: s, price, qty, postOnly: true };
      const keptId = s === Side.BUY ? kept[0] : kept[1];
      if (keptId !== 0) return keptId;
      if (!refused) return this.place(side, MsgKind.QUOTE);
      const retry = this.out.retryAfter;
      this.out.rejectNew(side, refused, this.why.text);
      this.out.retryAfter = retry; // both sides carry it
      return 0;
    };
    if (c.bidSize !== 0) {
      this.out.lastReject = 0;
      r.bidOrderId = quote(Side.BUY, c.bidPx, c.bidSize);
      r.bidReject = this.out.lastReject;
    }
    if (c.offerSize !== 0) {
      this.out.lastReject = 0;
      r.offerOrderId = quote(Side.SELL, c.offerPx, c.offerSize);
      r.offerReject = this.out.lastReject;
    }
    this.out.retryAfter = 0;
    this.why.text = '';
    // Only orders still resting count as the quote (a side may rest, or be rejected).
    if (acct && inst && !refused) {
      acct.quoteBid[inst.index] = this.market.live.get(r.bidOrderId) ? r.bidOrderId : 0;
      acct.quoteOffer[inst.index] = this.market.live.get(r.offerOrderId) ? r.offerOrderId : 0;
    }
    this.end();
    return r;
  }

  /**
   * Replacing a quote: a side at the same price whose size did not go up keeps
   * its queue position (reduced in place, REPLACED), when the venue keeps
   * priority (CME, Eurex mass quotes); every other side of the old quote is
   * cancelled. Returns the kept [bid, offer] order ids (0 = not kept).
   */
  private refreshQuote(acct: Account, ii: number, c: MassQuote): [number, number] {
    const kept: [number, number] = [0, 0];
    for (const o of this.market.quoteOrders(acct, ii)) {
      const buy = o.side === Side.BUY;
      const px = buy ? c.bidPx : c.offerPx;
      const size = buy ? c.bidSize : c.offerSize;
      const inst = this.instruments[ii];
      // a size the order entry would refuse is not kept: the new side is placed (and rejected) as usual
      const valid = Number.isSafeInteger(size) && size >= inst.minQty && size % inst.lot === 0;
      const keep = this.rules.keepsPriority && px === o.price && valid && size <= o.leaves;
      // RTS 9 Annex: a modified quote side counts 2 (a two-sided quote modify 4): 1 here, 1 for the new
      // side (placed, or kept here); a side withdrawn (size 0) is a cancel, 1
      if (!this.rules.inert) this.rules.countOrder(acct, ii, keep ? size : o.leaves, keep ? 2 : 1);
      if (keep) {
        if (size < o.leaves) {
          this.market.reduceResting(o, o.leaves - size);
          this.out.order(OrderEventKind.REPLACED, o, 0, o.clOrdId, o.clOrdId);
        }
        kept[buy ? 0 : 1] = o.id;
      } else {
        this.market.cancelResting(o, CancelReason.QUOTE_REPLACED);
      }
    }
    acct.quoteBid[ii] = acct.quoteOffer[ii] = 0;
    return kept;
  }

  /** Withdraws the account's quotes. Returns how many quote orders were cancelled. */
  quoteCancel(cmd: QuoteCancel): number {
    const c = isObject(cmd) ? cmd : NO_FIELDS as QuoteCancel;
    const acct = this.account(c.account);
    const inst = c.symbol === undefined ? null : this.instrument(c.symbol);
    if (!acct || inst === undefined || !this.begin(c.time)) return 0;
    let n = 0;
    for (const i of this.instruments) {
      if (inst !== null && i !== inst) continue;
      // RTS 9 Annex: each quote side withdrawn is a cancellation, 1 message (a two-sided quote 2)
      if (!this.rules.inert) for (const o of this.market.quoteOrders(acct, i.index)) this.rules.countOrder(acct, i.index, o.leaves);
      n += this.market.withdrawQuote(acct, i.index, CancelReason.QUOTE_REPLACED);
    }
    this.end();
    return n;
  }

  /** Minimum quote life applies to replacing a quote too: TOO_EARLY if a side of the current quote is younger. */
  private quoteLife(acct: Account, ii: number): RejectReason | 0 {
    for (const o of this.market.quoteOrders(acct, ii)) {
      const reason = this.rules.quoteLife(ii, o.time, this.why);
      if (reason) return reason;
    }
    return 0;
  }

  /** Checks and enters one order inside a command (begin/end are the caller's). Returns its id, or 0 if rejected. */
  private place(c: NewOrder, kind: MsgKind): number {
    const ordType = c.ordType ?? OrdType.LIMIT;
    const inst = this.instrument(c.symbol);
    // a market order is IOC unless its remainder rests (market_remainder 'rest', CME: a day order)
    const tif = c.tif ?? (ordType === OrdType.MARKET && inst?.marketRemainderRests !== true ? TimeInForce.IOC : TimeInForce.GTC);
    const acct = this.account(c.account);
    const why = this.why;
    // read once: an order's entry cannot change it (=== true: see end())
    const inert = this.rules.inert === true;
    let reason: RejectReason | 0 = 0;
    // One test decides whether the order asks for anything beyond a plain limit / market order
    // (GTC, IOC, FOK, GTD): only then do the checks and set-up of stops, pegs, icebergs, sliding
    // post-only and on-open / on-close orders run (an invalid type or tif is caught either way; an
    // imbalanceOnly of false asks for nothing: the gateway's commands carry every field).
    const special = ordType > OrdType.MARKET || tif > TimeInForce.GTD || c.displayQty !== undefined || c.postOnlySlide !== undefined || (c.imbalanceOnly !== undefined && c.imbalanceOnly !== false) || c.stopPx !== undefined;
    // an on-open / on-close order waits off the book for its cross (rules/crosses.ts); a market one has no price
    const cross = special && isCrossTif(tif);
    let price = cross && ordType === OrdType.MARKET ? 0 : c.price as number;
    if (!acct) reason = RejectReason.UNKNOWN_ACCOUNT;
    else if (!inst) reason = RejectReason.UNKNOWN_SYMBOL;
    else if (kind === MsgKind.NEW && !inert && (reason = this.rules.admitMessage(kind, acct, c.session, why))) { /* reason set */ }
    // A plain GTC or IOC limit order with a valid side, quantity, price and client order id passes the three field checks:
    // they run (in this order, for the reason) only for anything else. Written out here, not called,
    // so that the checks' code does not use up the inlining budget of this function.
    else if (!(!special && ordType === OrdType.LIMIT && (tif === TimeInForce.GTC || tif === TimeInForce.IOC) && (c.side === Side.BUY || c.side === Side.SELL)
      && c.stp === undefined && (c.postOnly === undefined || c.postOnly === false) && (c.clOrdId === undefined || checkClOrdId(c.clOrdId, 'clOrdId', why) === 0)
      && Number.isSafeInteger(c.qty) && c.qty >= inst.minQty && c.qty <= inst.maxQty && (inst.lot === 1 || c.qty % inst.lot === 0)
      && Number.isSafeInteger(price) && price >= inst.minPrice && price <= inst.maxPrice && (inst.uniformTick === 1 || (inst.uniformTick !== 0 && price % inst.uniformTick === 0)))
      && (reason = checkNewOrderFields(c, ordType, tif, this.now, why, inst.marketRemainderRests, special) || checkQty(inst, c.qty, why)
        || (ordType === OrdType.LIMIT ? checkPrice(inst, price, why) : 0))) { /* reason set */ }
    else if (special && c.displayQty && (reason = checkDisplay(inst, c.displayQty, c.qty, why))) { /* reason set */ }
    else if (ordType > OrdType.MARKET && (reason = this.checkOrderType(c, ordType, inst, why))) { /* reason set */ }
    else if (c.clOrdId && acct.liveByClOrdId.has(c.clOrdId)) reason = RejectReason.DUPLICATE_CL_ORD_ID;
    else if (cross && (reason = this.rules.admitCross(inst.index, ordType, tif, c.imbalanceOnly === true, why))) { /* reason set */ }
    else if (ordType === OrdType.MARKET && !cross && (price = protectedPrice(inst, this.market.books[inst.index], c.side)) === 0) reason = RejectReason.NO_LIQUIDITY;
    else if ((acct.openOrders >= acct.maxOpenOrders || this.market.live.size >= this.maxLiveOrders) && mayRest(ordType, tif)) reason = RejectReason.TOO_MANY_OPEN_ORDERS;
    else if (ordType > OrdType.MARKET) reason = this.admitHeld(c, ordType, tif, acct, inst, kind, why);
    else if (!inert && (reason = this.rules.admitOrder(acct, inst.index, c.side, ordType, tif, price, c.qty, kind === MsgKind.QUOTE, why))) { /* reason set */ }
    else if (special && c.postOnlySlide === true && (price = slidePrice(inst, this.market.books[inst.index], c.side, price)) === 0) reason = RejectReason.PRICE_OUT_OF_RANGE;
    else reason = newOrderState(c, acct, inst, this.market.books[inst.index], inert || cross ? price : (price = this.rules.slide(inst.index, c.side, price)), ordType, tif);
    if (reason) {
      // RTS 9 Annex: a FOK that could not fill was entered and its whole quantity cancelled: 2 messages
      if (reason === RejectReason.FOK_CANNOT_FILL && !inert) this.rules.countOrder(acct as Account, (inst as Instrument).index, c.qty, 2);
      this.out.rejectNew(c, reason, why.text);
      why.text = '';
      return 0;
    }

    const o = this.market.pool.take();
    o.id = ++this.market.nextOrderId;
    o.clOrdId = c.clOrdId ?? '';
    o.account = acct as Account;
    o.instrument = (inst as Instrument).index;
    o.side = c.side;
    o.ordType = ordType;
    o.tif = tif;
    o.postOnly = c.postOnly === true;
    o.stp = c.stp ?? (acct as Account).stp;
    o.price = price;
    o.qty = o.leaves = c.qty;
    o.cum = o.cumPxQty = 0;
    o.expireTime = tif === TimeInForce.GTD ? (c.expireTime as number) : 0;
    o.time = this.now;
    const id = o.id; // execute() may recycle o
    if (special) {
      o.special = true;
      if (ordType > OrdType.MARKET) return this.hold(o, c, inst as Instrument);
      if (this.enterSpecial(o, c, price, cross)) return id;
    } else {
      this.out.order(OrderEventKind.ACCEPTED, o, 0);
      if (!inert) this.rules.countOrder(o.account, o.instrument, c.qty);
    }
    // an IOC remainder of an order slid to a band was stopped by the band
    this.market.execute(o, inst as Instrument, false, price !== c.price && ordType === OrdType.LIMIT ? CancelReason.PRICE_BAND : 0);
    // RTS 9 Annex: an IOC/FOK (or market) order whose remainder is cancelled counts 2
    if (this.market.remainderCancelled && !inert) this.rules.countOrder(acct as Account, (inst as Instrument).index, 0);
    return id;
  }

  /** Stop, stop-limit and midpoint-peg fields: the stop and cap prices, and a stop that would trigger at once. */
  private checkOrderType(c: NewOrder, ordType: OrdType, inst: Instrument, why: Why): RejectReason | 0 {
    if (ordType === OrdType.MIDPOINT_PEG) return c.price === undefined || c.price === 0 ? 0 : checkPrice(inst, c.price, why);
    const reason = checkPrice(inst, c.stopPx, why) || (ordType === OrdType.STOP_LIMIT ? checkPrice(inst, c.price, why) : 0);
    if (reason) return reason;
    const last = this.market.lastPrice[inst.index];
    const stopPx = c.stopPx as number;
    // a buy stop above the last trade, a sell stop below it (CME, Binance: else it would trigger at once)
    if (last !== 0 && (c.side === Side.BUY ? stopPx <= last : stopPx >= last)) {
      why.text = `stop price ${stopPx} is at or through the last trade price ${last}`;
      return RejectReason.STOP_WOULD_TRIGGER;
    }
    return 0;
  }

  /** Checks of a stop or peg against the rules and the account, at its stop price, cap, or current peg price. */
  private admitHeld(c: NewOrder, ordType: OrdType, tif: TimeInForce, acct: Account, inst: Instrument, kind: MsgKind, why: Why): RejectReason | 0 {
    const book = this.market.books[inst.index];
    const price = ordType === OrdType.STOP ? c.stopPx as number
      : ordType === OrdType.STOP_LIMIT ? c.price as number
      : c.price || pegPrice(inst, book, c.side, 0) || (book.sideOf(c.side).best() ?? book.oppositeOf(c.side).best())?.price || 0;
    // an unpriced peg on an empty book is checked without a price
    const asType = price === 0 ? 0 : OrdType.LIMIT;
    if (!this.rules.inert) {
      const reason = this.rules.admitOrder(acct, inst.index, c.side, asType, tif, price, c.qty, kind === MsgKind.QUOTE, why);
      if (reason) return reason;
    }
    return newOrderState(c, acct, inst, book, price, OrdType.LIMIT, tif);
  }

  /**
   * Accepts an iceberg, a sliding post-only or an on-open / on-close order (its feature fields set,
   * its ACCEPTED event, its count). Returns true if it was parked for its cross (nothing to execute).
   */
  private enterSpecial(o: Order, c: NewOrder, price: number, cross: boolean): boolean {
    o.imbalanceOnly = c.imbalanceOnly === true;
    if (c.displayQty !== undefined && c.displayQty < c.qty) o.display = c.displayQty;
    o.slide = c.postOnlySlide === true;
    this.out.slid = o.slide && price !== c.price;
    this.out.order(OrderEventKind.ACCEPTED, o, 0);
    this.out.slid = false;
    if (!this.rules.inert) this.rules.countOrder(o.account, o.instrument, c.qty);
    if (cross) this.rules.park(o);
    return cross;
  }

  /** Holds an accepted stop or midpoint peg off the book (Market.park). Returns its id. */
  private hold(o: Order, c: NewOrder, inst: Instrument): number {
    if (o.ordType === OrdType.MIDPOINT_PEG) {
      o.pegCap = c.price ?? 0;
      o.price = !this.market.calling[inst.index] ? pegPrice(inst, this.market.books[inst.index], o.side, o.pegCap) : 0;
      o.parked = PARK_PEG;
    } else {
      o.stopPx = c.stopPx as number;
      o.price = o.ordType === OrdType.STOP_LIMIT ? (c.price as number) : 0;
      o.parked = PARK_STOP;
    }
    this.out.order(OrderEventKind.ACCEPTED, o, 0);
    if (!this.rules.inert) this.rules.countOrder(o.account, o.instrument, c.qty);
    this.market.hold(o, o.parked);
    return o.id;
  }

  /** Cancels one live order of the account. Returns 1 if cancelled, 0 if refused. */
  cancel(cmd: Cancel): number {
    const c = isObject(cmd) ? cmd : NO_FIELDS;
    const kind = OrderEventKind.CANCEL_REJECTED;
    if (!this.begin(c.time)) return this.refused(kind, c, RejectReason.INVALID_FIELD, 'invalid field time');
    const o = this.resolve(c, kind, MsgKind.CANCEL);
    if (!o) return 0;
    if (this.rules.inert !== true) {
      const reason = this.rules.quoteLife(o.instrument, o.time, this.why) || (isCrossTif(o.tif) ? this.rules.admitCrossChange(o, this.why) : 0);
      if (reason) return this.refused(kind, c, reason, this.why.text);
      this.rules.countOrder(o.account, o.instrument, o.leaves);
    }
    this.market.cancelResting(o, CancelReason.USER, c.clOrdId ?? o.clOrdId, o.clOrdId);
    this.end();
    return 1;
  }

  /**
   * Cancel-replace with venue priority rules: a same-price quantity decrease
   * keeps the queue position; a price change or quantity increase loses it
   * and re-matches if it now crosses; a quantity at or below the filled
   * quantity cancels the order. Returns 1 if done, 0 if refused.
   */
  replace(cmd: Replace): number {
    const c = isObject(cmd) ? cmd : NO_FIELDS;
    const kind = OrderEventKind.REPLACE_REJECTED;
    if (!this.begin(c.time)) return this.refused(kind, c, RejectReason.INVALID_FIELD, 'invalid field time');
    const o = this.resolve(c, kind, MsgKind.AMEND);
    if (!o) return 0;
    if (o.parked !== 0) return this.refused(kind, c, RejectReason.INVALID_FIELD, 'a held stop or midpoint peg order cannot be amended: cancel it and enter a new one');
    const inst = this.instruments[o.instrument];
    const acct = o.account;
    const why = this.why;
    // read once: an amend cannot change them (=== true: see end())
    const inert = this.rules.inert === true;
    const keepsPriority = this.rules.keepsPriority === true;
    const clOrdId = c.clOrdId ?? o.clOrdId;
    // what filled or self-trade prevention took away cannot come back
    const cancels = Number.isSafeInteger(c.qty) && c.qty >= 0 && c.qty <= o.cum + o.prevented;
    // a parked on-open / on-close order is amended in place; a market one keeps price 0
    const parked = o.special && isCrossTif(o.tif);
    const newPrice = parked && o.ordType === OrdType.MARKET ? 0 : c.price;
    // a valid price and quantity pass both checks: they run only otherwise (written out, as in place())
    const valid = Number.isSafeInteger(c.price) && c.price >= inst.minPrice && c.price <= inst.maxPrice && (inst.uniformTick === 1 || (inst.uniformTick !== 0 && c.price % inst.uniformTick === 0))
      && Number.isSafeInteger(c.qty) && c.qty >= inst.minQty && c.qty <= inst.maxQty && (inst.lot === 1 || c.qty % inst.lot === 0);
    let reason: RejectReason | 0 = valid ? 0 : (newPrice === 0 && parked ? 0 : checkPrice(inst, c.price, why)) || (cancels ? 0 : checkQty(inst, c.qty, why));
    if (!reason && clOrdId !== o.clOrdId && clOrdId !== '' && acct.liveByClOrdId.has(clOrdId)) reason = RejectReason.DUPLICATE_CL_ORD_ID;
    if (!reason && !inert) reason = this.rules.admitAmend(o, c.price, c.qty, why);
    let price = reason || inert || parked ? newPrice : this.rules.slide(inst.index, o.side, c.price);
    if (!reason && o.special && o.slide && (price = slidePrice(inst, this.market.books[inst.index], o.side, price)) === 0) reason = RejectReason.PRICE_OUT_OF_RANGE;
    if (!reason && !cancels && o.special && o.display !== 0 && c.qty - o.cum - o.prevented > 0) reason = checkDisplay(inst, o.display, c.qty, why);
    if (!reason && !cancels && !(parked && price === 0)) reason = replaceState(o, inst, this.market.books[inst.index], price, c.qty);
    if (reason) return this.refused(kind, c, reason, why.text);
    // RTS 9 Annex: a limit order modification counts 2
    if (!inert) this.rules.countOrder(acct, inst.index, c.qty, 2);

    const origClOrdId = o.clOrdId;
    this.market.renameClOrdId(o, clOrdId);
    if (cancels) {
      this.market.cancelResting(o, CancelReason.AMENDED_TO_FILLED, clOrdId, origClOrdId);
    } else if (parked) {
      // its time is its priority in the cross: kept by a same-price decrease, as on the book
      this.market.amendParked(o, price, c.qty, price === o.price && c.qty <= o.qty && keepsPriority ? o.time : this.now);
      this.out.order(OrderEventKind.REPLACED, o, 0, o.clOrdId, origClOrdId);
    } else if (price === o.price && c.qty <= o.qty && keepsPriority) {
      this.market.reduceResting(o, o.qty - c.qty);
      this.out.order(OrderEventKind.REPLACED, o, 0, o.clOrdId, origClOrdId);
    } else {
      this.market.takeOffBook(o);
      o.price = price;
      o.qty = c.qty;
      o.leaves = c.qty - o.cum - o.prevented;
      o.reserve = 0; // an iceberg shows a new first slice when it rests again
      o.time = this.now;
      this.out.slid = o.special && o.slide && price !== c.price;
      this.out.order(OrderEventKind.REPLACED, o, 0, o.clOrdId, origClOrdId);
      this.out.slid = false;
      this.market.execute(o, inst, true);
    }
    this.end();
    return 1;
  }

  /** Cancels the account's live orders, optionally for one symbol and/or side. Returns how many (0 if refused). */
  massCancel(cmd: MassCancel): number {
    const c = isObject(cmd) ? cmd : NO_FIELDS;
    if (!this.begin(c.time)) return this.massCancelled(c, 0, RejectReason.INVALID_FIELD, 'invalid field time');
    const acct = this.account(c.account);
    const inst = c.symbol === undefined ? null : this.instrument(c.symbol);
    if (!acct) return this.massCancelled(c, 0, RejectReason.UNKNOWN_ACCOUNT, REJECT_REASON_TEXT[RejectReason.UNKNOWN_ACCOUNT]);
    if (inst === undefined) return this.massCancelled(c, 0, RejectReason.UNKNOWN_SYMBOL, REJECT_REASON_TEXT[RejectReason.UNKNOWN_SYMBOL]);
    if (c.side !== undefined && !isSide(c.side)) return this.massCancelled(c, 0, RejectReason.INVALID_FIELD, 'invalid field side: BUY (1) or SELL (2)');
    const user = c.cause !== CancelReason.DISCONNECT;
    const refused = user ? this.rules.admitMessage(MsgKind.CANCEL, acct, undefined, this.why) : 0;
    if (refused) {
      this.out.retryAfter = 0;
      return this.massCancelled(c, 0, refused, this.why.text);
    }
    let n = 0;
    for (const o of acct.liveOrders()) { // a copy: a cancelled order leaves the list
      // a parked on-open / on-close order past its freeze stays (user and disconnect alike)
      if ((inst === null || o.instrument === inst.index) && (c.side === undefined || o.side === c.side) && !(isCrossTif(o.tif) && this.rules.admitCrossChange(o, this.why))) {
        // RTS 9 counts user cancels, not those of a lost connection
        if (user) this.rules.countOrder(acct, o.instrument, o.leaves);
        this.market.cancelResting(o, user ? CancelReason.MASS_CANCEL : CancelReason.DISCONNECT);
        n++;
      }
    }
    return this.massCancelled(c, n, 0, '');
  }

  // ---- queries (plain copies; safe to keep) ----

  bestBid(symbol: string): query.LevelView | null { return query.best(this.book(symbol)?.bids); }
  bestAsk(symbol: string): query.LevelView | null { return query.best(this.book(symbol)?.asks); }
  depth(symbol: string, levels: number): query.DepthView | null {
    const b = this.book(symbol);
    return b ? query.depth(b, levels) : null;
  }
  /** Resting orders on the symbol's book (both sides); 0 for an unknown symbol. */
  restingOrderCount(symbol: string): number {
    return this.book(symbol)?.orders ?? 0;
  }
  levelOrders(symbol: string, side: Side, price: number): query.OrderView[] {
    const b = this.book(symbol);
    return b && isSide(side) ? query.levelOrders(b.sideOf(side), price, this.instruments) : [];
  }
  order(orderId: number): query.OrderView | null {
    const o = isOrderId(orderId) ? this.market.live.get(orderId) : undefined;
    return o ? query.orderView(o, this.instruments) : null;
  }
  /** The account's live order with this cl_ord_id, or null. */
  orderByClOrdId(account: number, clOrdId: string): query.OrderView | null {
    const o = this.account(account)?.liveByClOrdId.get(clOrdId);
    return o ? query.orderView(o, this.instruments) : null;
  }
  openOrders(account: number): query.OrderView[] {
    return query.accountOrders(this.account(account), this.instruments);
  }
  accountView(account: number): query.AccountView | null {
    const a = this.account(account);
    return a ? query.accountView(a, this.instruments) : null;
  }
  /** The account's effective fee rates and limits per instrument, or null for an unknown account. */
  accountTerms(account: number): query.AccountTermsView | null {
    const a = this.account(account);
    if (!a) return null;
    const programmes = (index: number): string[] =>
      this.programmes.members.filter((m) => m.acct === a && m.inst.index === index).map((m) => m.programme.name);
    return query.accountTerms(a, this.instruments, programmes);
  }
  accountIds(): number[] {
    return this.accounts.map((a) => a.id);
  }

  // ---- command scaffolding ----

  private begin(time: number): boolean {
    if (!isTime(time)) return false;
    if (time > this.now) this.now = time;
    this.out.time = this.now;
    this.why.text = '';
    this.market.changes.begin();
    if (this.market.expiry.next <= this.now) this.expireDue();
    this.rules.begin(this.now);
    return true;
  }

  private end(): void {
    // The plain case (flash1): nothing held, no rule live, no programme member, no level events: nothing to settle.
    // Flags are compared with true on the command path: V8 does not know a field holds a boolean, so a bare
    // `if (flag)` tests the value against every kind of falsy value, a dozen instructions where true is one compare.
    if (this.market.held === 0 && this.rules.inert === true && this.quietEnd === true) return;
    this.settle();
  }

  /** A command's after-work: held orders, the rules' pending work, the maker programmes, market-data updates. */
  private settle(): void {
    if (this.market.held !== 0) this.market.settleParked();
    this.rules.end();
    this.programmes.end(this.now);
    this.market.changes.flushTo(this.out, this.now);
  }

  /** Re-derives quietEnd after what it depends on changed (an account joined, the sink changed). */
  private refreshQuietEnd(): void {
    this.quietEnd = this.programmes.members.length === 0 && !this.market.changes.on;
  }

  private expireDue(): void {
    for (let o = this.market.expiry.popExpired(this.now); o !== null; o = this.market.expiry.popExpired(this.now)) {
      o.expireTime = 0; // already out of the queue
      this.market.cancelResting(o, CancelReason.EXPIRED);
    }
  }

  private account(id: number): Account | undefined {
    return Number.isSafeInteger(id) && id > 0 ? this.accounts[id - 1] : undefined;
  }

  /** Symbol lookup with a one-entry cache: bots and replays hit the same symbol run after run. */
  private instrument(symbol: string): Instrument | undefined {
    if (symbol === this.lastSymbol) return this.lastInstrument;
    const inst = this.bySymbol.get(symbol);
    if (inst) {
      this.lastSymbol = symbol;
      this.lastInstrument = inst;
    }
    return inst;
  }

  private book(symbol: string): Book | undefined {
    const inst = this.instrument(symbol);
    return inst ? this.market.books[inst.index] : undefined;
  }

  /** Finds the live order a cancel/replace names, within the account and symbol; emits the reject if none. */
  private resolve(c: OrderRef, kind: OrderEventKind, msg: MsgKind): Order | null {
    // The common case in few tests: the account's live order by id, no client order ids, no rules to
    // ask (symbols are unique, so comparing them is the symbol check). Anything else, and every
    // refusal, takes the full path, which would find the same order.
    if (this.rules.inert === true && c.clOrdId === undefined && c.origClOrdId === undefined) {
      const o = isOrderId(c.orderId) ? this.market.live.get(c.orderId) : undefined;
      if (o !== undefined && o.account.id === c.account && (c.symbol === '' || c.symbol === this.instruments[o.instrument].symbol)) return o;
    }
    return this.resolveFully(c, kind, msg);
  }

  private resolveFully(c: OrderRef, kind: OrderEventKind, msg: MsgKind): Order | null {
    const acct = this.account(c.account);
    // no symbol: the order's own (an order id or client order id names it alone)
    const anySymbol = c.symbol === '';
    const inst = anySymbol ? undefined : this.instrument(c.symbol);
    const why = this.why;
    let reason: RejectReason | 0 = 0;
    let o: Order | undefined;
    if (!acct) reason = RejectReason.UNKNOWN_ACCOUNT;
    else if (!this.rules.inert && (reason = this.rules.admitMessage(msg, acct, c.session, why))) { /* rate limited, or kill switch on */ }
    else if (!inst && !anySymbol) reason = RejectReason.UNKNOWN_SYMBOL;
    else if ((reason = checkClOrdId(c.clOrdId, 'clOrdId', why) || checkClOrdId(c.origClOrdId, 'origClOrdId', why))) { /* set */ }
    else if (c.orderId !== undefined) {
      if (!isOrderId(c.orderId)) reason = RejectReason.UNKNOWN_ORDER;
      else o = this.market.live.get(c.orderId);
    } else if (c.origClOrdId) o = acct.liveByClOrdId.get(c.origClOrdId);
    else {
      reason = RejectReason.INVALID_FIELD;
      why.text = 'invalid field orderId: give orderId or origClOrdId';
    }
    // Another account's order is reported exactly like a missing one: no information leaks.
    if (!reason && (o === undefined || o.account !== acct || (inst !== undefined && o.instrument !== inst.index))) reason = RejectReason.UNKNOWN_ORDER;
    if (reason) {
      this.refused(kind, c, reason, why.text);
      return null;
    }
    return o as Order;
  }

  /** A refused cancel/replace: its reject event, and the command ends. */
  private refused(kind: OrderEventKind, c: OrderRef | Replace, reason: RejectReason, text: string): number {
    this.out.rejectRef(kind, c, reason, text);
    this.why.text = '';
    this.end();
    return 0;
  }

  private massCancelled(c: MassCancel, cancelled: number, reason: RejectReason | 0, text: string): number {
    this.out.massCancel(c, cancelled, reason, text);
    this.end();
    return cancelled;
  }
}

const isObject = (v: unknown): v is object => typeof v === 'object' && v !== null;

/** Stands in for a command that is not an object at all: every field reads as missing, so it is rejected. */
const NO_FIELDS = Object.freeze({}) as never;
const NONE_KEPT: [number, number] = [0, 0];

function limit(v: number | undefined, field: string, dflt: number): number {
  const n = v ?? dflt;
  if (!Number.isSafeInteger(n) || n < 1) throw new ConfigError(field, `must be a positive integer, got ${String(v)}`);
  return n;
}

const adminFail = (reason: RejectReason, text: string): AdminResult => ({ ok: false, reason, text });
