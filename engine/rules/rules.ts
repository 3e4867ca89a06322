// The exchange rules around matching: trading phases and their schedule,
// halts and reopening auctions, price controls (static band, daily limits,
// LULD band and limit state, velocity), the market-wide breaker, order-rate
// limits, the order-to-trade ratio, kill switches and account risk limits.
//
// The engine calls in at fixed points of each command: begin (timers due),
// admission checks (which only read state), accepted messages (counters),
// matching (MatchWatcher: velocity stop, trades) and end (pending halts,
// limit state, indicative auction prices). Everything runs on command time.
import type { Account } from '../account.ts';
import type { Emitter } from '../emitter.ts';
import { PhaseCause, RuleEventKind } from '../events.ts';
import { ConfigError, type Instrument, type InstrumentConfig } from '../instrument.ts';
import type { Market, MatchWatcher } from '../market.ts';
import type { Order } from '../order.ts';
import type { Programmes } from '../obligations/programme.ts';
import { CancelReason, OrdType, RejectReason, Side, TradingPhase, isCrossTif } from '../types.ts';
import type { Why } from '../validate.ts';
import { uncross, type Uncross } from './auction.ts';
import type { RulesConfig } from './config.ts';
import { CrossKind, crossPrice, eligible, newCrossResult, validate, type CrossResult, type InstrumentCrosses } from './crosses.ts';
import { MarketWide } from './market-wide.ts';
import { OtrCounters } from './otr.ts';
import { MarketMakerProtection, type MmpTrip } from './mmp.ts';
import { InstrumentRules } from './instrument-rules.ts';
import { admitsAmend, admitsOrder, isCallPhase } from './phases.ts';
import type { PriceControls } from './price-controls.ts';
import { MsgKind, RateLimits } from './rate-limit.ts';
import { checkRisk } from './risk.ts';
import { US_PER_DAY } from '../time.ts';


export class Rules implements MatchWatcher {
  /**
   * Nothing can refuse, re-price or count an order right now: no rule is
   * configured, every instrument trades continuously, no account has risk
   * limits or a kill switch on. The engine then skips the rule hooks
   * altogether (the flash1 benchmark runs this way).
   */
  inert = false;
  private readonly configInert: boolean;
  /** accounts with risk limits or their kill switch on */
  private restricted = 0;
  private readonly byIndex: InstrumentRules[];
  readonly rateLimits: RateLimits | null;
  readonly otr: OtrCounters | null;
  /** market-maker protection of mass quotes (rules.mmp) */
  readonly mmp: MarketMakerProtection | null;
  /** protections tripped in this command: their quotes are withdrawn when it ends */
  private readonly tripped: MmpTrip[] = [];
  private readonly marketWide: MarketWide | null;
  /** an unchanged or smaller amend or quote side keeps its queue position (rules.replace_priority) */
  readonly keepsPriority: boolean;
  /** earliest timer of any instrument */
  private nextTimer = 0;
  private started = false;
  private now = 0;
  /** something for end() to look at: a pending halt, a limit state, a call phase */
  private busy = false;
  /** the market-wide index traded in this command */
  private indexTraded = false;
  /** some instrument has a LULD band: look for limit states after every command */
  private readonly watchLimitState: boolean;
  private readonly uncrossOut: Uncross = { price: 0, qty: 0, surplus: 0, surplusSide: 0 };
  private readonly crossOut: CrossResult = newCrossResult();

  constructor(
    instruments: readonly Instrument[],
    configs: readonly InstrumentConfig[],
    cfg: RulesConfig | undefined,
    private readonly market: Market,
    private readonly out: Emitter,
    private readonly accounts: readonly Account[],
    private readonly programmes: Programmes,
  ) {
    const rc = cfg ?? {};
    if (typeof rc !== 'object' || rc === null) throw new ConfigError('rules', 'must be an object');
    this.byIndex = instruments.map((i) => new InstrumentRules(i, configs[i.index]));
    this.rateLimits = rc.rate_limits === undefined && rc.rate_ban === undefined ? null : new RateLimits(rc.rate_limits ?? [], rc.rate_ban);
    this.otr = rc.otr === undefined ? null : new OtrCounters(rc.otr);
    this.marketWide = rc.market_wide === undefined ? null : new MarketWide(rc.market_wide, instruments);
    this.mmp = rc.mmp === undefined ? null : new MarketMakerProtection(rc.mmp, instruments.map((i) => i.symbol));
    const rp = rc.replace_priority ?? 'keep_unchanged';
    if (rp !== 'keep_unchanged' && rp !== 'lose') throw new ConfigError('rules.replace_priority', `must be 'keep_unchanged' or 'lose', got ${JSON.stringify(rp)}`);
    this.keepsPriority = rp === 'keep_unchanged';
    for (const ir of this.byIndex) {
      const c = ir.controls;
      market.watched[ir.inst.index] = c.watchesMatching || c.luld !== null || c.hasStaticBand || this.otr !== null || this.mmp !== null
        || this.marketWide?.index === ir.inst.index || programmes.watches(ir.inst.index);
    }
    market.watcher = market.watched.some(Boolean) ? this : null;
    if (this.byIndex.some((ir) => ir.crosses !== null)) market.unpark = (o) => this.byIndex[o.instrument].crosses?.unpark(o);
    const limits = this.rateLimits?.countsUnfilled ? this.rateLimits : null;
    const otr = this.otr;
    if (limits !== null || otr !== null) {
      market.firstFill = (a, ii) => {
        if (limits !== null && !a.rateLimitExempt) limits.firstFill(a.id, this.now);
        otr?.countExecuted(a.id, ii, this.now);
      };
    }
    this.watchLimitState = this.byIndex.some((ir) => ir.controls.luld !== null);
    this.configInert = market.watcher === null && this.rateLimits === null && this.otr === null && this.marketWide === null
      && this.byIndex.every((ir) => ir.quiet && ir.schedule === null && ir.minQuoteLifeUs === 0 && ir.controls.velocity === null && ir.crosses === null);
    this.refreshInert();
    // Without schedules or crosses the first command's time changes nothing at start: start now,
    // so that no command meets the first-command branch (its optimised code would be thrown away).
    if (this.byIndex.every((ir) => ir.schedule === null && ir.crosses === null)) this.start(0);
  }

  /** A new account: its risk limits, if any, make the rules live. */
  addAccount(a: Account): void {
    this.mmp?.join(a.id, a.name);
    if (!a.riskFree) this.restricted++;
    this.refreshInert();
  }

  /** Re-derives `inert` after a phase change, a kill switch or a new account. */
  private refreshInert(): void {
    this.inert = this.configInert && this.restricted === 0 && this.byIndex.every((ir) => ir.phase === TradingPhase.CONTINUOUS);
  }

  phaseOf(ii: number): TradingPhase {
    return this.byIndex[ii].phase;
  }

  /** The instrument shows only the indicative cross of a call phase, not its book (rules.crosses.call_book 'indicative'). */
  hidesCallBook(ii: number): boolean {
    return this.byIndex[ii].crosses?.showCallBook === false;
  }

  controlsOf(ii: number): PriceControls {
    return this.byIndex[ii].controls;
  }

  // ---- command begin: timers ----

  /**
   * Kept tiny so that the engine's command path inlines it: most commands have no timer due. Until
   * the first command starts the rules nextTimer stays 0 (timers set before only lower it), so the
   * first command always gets here to fireTimers().
   */
  begin(now: number): void {
    this.now = now;
    if (this.nextTimer <= now) this.fireTimers(now);
  }

  private fireTimers(now: number): void {
    if (!this.started) this.start(now);
    if (this.nextTimer > now) return;
    for (const ir of this.byIndex) {
      if (ir.nextTimer() <= now) this.fire(ir, now);
    }
    this.refreshTimer();
  }

  /** The earliest timer of any instrument (after timers fired or were set). */
  private refreshTimer(): void {
    this.nextTimer = Math.min(...this.byIndex.map((ir) => ir.nextTimer()));
  }

  /** The first command: scheduled instruments take their phase for that time of day. */
  private start(now: number): void {
    this.started = true;
    for (const ir of this.byIndex) {
      if (ir.crosses !== null) ir.crosses.nextPublish = ir.crosses.publishAfter(now - 1);
      if (ir.schedule === null) continue;
      const p = ir.schedule.phaseAt(now);
      ir.nextScheduled = ir.schedule.nextAfter(now).time;
      if (p !== ir.phase) this.changePhase(ir, p, PhaseCause.SCHEDULE, 0, 'scheduled phase');
    }
    this.refreshTimer();
  }

  private fire(ir: InstrumentRules, now: number): void {
    const cx = ir.crosses;
    if (cx !== null) this.fireCross(ir, cx, now);
    const luld = ir.controls.luld;
    if (ir.limitStateSince !== 0 && luld !== null && ir.limitStateSince + luld.limitStateUs <= now) {
      ir.limitStateSince = 0;
      // a pause too near the end of continuous trading lasts until it (LULD plan: the close instead of a reopening)
      const toClose = ir.schedule !== null && ir.nextScheduled - now <= luld.closePauseUs && ir.schedule.phaseAt(ir.nextScheduled) !== TradingPhase.CONTINUOUS;
      this.halt(ir, PhaseCause.LIMIT_STATE, toClose ? 0 : luld.haltUs, toClose ? 'LULD limit state near the close: paused until the close' : 'LULD limit state lasted its full time');
    }
    if (ir.haltUntil !== 0 && ir.haltUntil <= now) {
      ir.haltUntil = 0;
      const to = ir.schedule === null ? TradingPhase.CONTINUOUS : ir.schedule.phaseAt(now);
      this.changePhase(ir, to, PhaseCause.HALT_END, 0, 'halt ended: reopening auction');
    }
    const sched = ir.schedule;
    if (sched !== null && ir.nextScheduled <= now) {
      // A scheduled change ends any halt. Each boundary passed applies in
      // order; after a gap of more than a day, straight to the phase of now.
      ir.haltUntil = 0;
      if (now - ir.nextScheduled > US_PER_DAY) {
        ir.nextScheduled = sched.nextAfter(now).time;
        this.changePhase(ir, sched.phaseAt(now), PhaseCause.SCHEDULE, 0, 'scheduled phase');
      }
      while (ir.nextScheduled <= now) {
        const t = ir.nextScheduled;
        ir.nextScheduled = sched.nextAfter(t).time;
        this.changePhase(ir, sched.phaseAt(t), PhaseCause.SCHEDULE, 0, 'scheduled phase');
      }
    }
  }

  /** An extended call that ends, and the imbalance publication of a cross. */
  private fireCross(ir: InstrumentRules, cx: InstrumentCrosses, now: number): void {
    if (cx.extendUntil !== 0 && cx.extendUntil <= now) {
      cx.extendUntil = 0;
      this.changePhase(ir, cx.extendTo, cx.extendCause, 0, 'extended call ended');
    }
    if (cx.nextPublish <= now) {
      cx.nextPublish = cx.publishAfter(now);
      const w = cx.publishing(now);
      if (w !== null && ir.phase === TradingPhase.CONTINUOUS) {
        const book = this.market.books[ir.inst.index];
        const r = this.indicative(ir, cx, w.kind, book.bids.best()?.price ?? 0, book.asks.best()?.price ?? 0);
        // nothing paired and no imbalance: nothing to say
        if (r.qty > 0 || r.surplus > 0) this.out.auction(ir.inst.symbol, w.kind === CrossKind.OPENING ? TradingPhase.OPENING_AUCTION : TradingPhase.CLOSING_AUCTION, r, false, r);
      }
    }
  }

  // ---- phases ----

  /** Admin phase change. Returns false if nothing changed. */
  setPhase(ii: number, phase: TradingPhase, durationUs: number, text: string): boolean {
    const ir = this.byIndex[ii];
    if (phase === TradingPhase.HALTED) {
      if (ir.phase === TradingPhase.HALTED && durationUs === 0 && ir.haltUntil === 0) return false;
      this.halt(ir, PhaseCause.ADMIN, durationUs, text);
      return true;
    }
    if (phase === ir.phase) return false;
    ir.haltUntil = 0;
    this.changePhase(ir, phase, PhaseCause.ADMIN, 0, text);
    this.nextTimer = Math.min(this.nextTimer, ir.nextTimer());
    return true;
  }

  private halt(ir: InstrumentRules, cause: PhaseCause, durationUs: number, text: string): void {
    ir.haltUntil = durationUs > 0 ? this.now + durationUs : 0;
    this.changePhase(ir, TradingPhase.HALTED, cause, ir.haltUntil, text);
    if (ir.haltUntil !== 0 && ir.haltUntil < this.nextTimer) this.nextTimer = ir.haltUntil;
  }

  /**
   * Moves an instrument to a phase. Leaving a call phase for continuous
   * trading (or the closing auction for the close) uncrosses the book first.
   * A halt that began in the closing auction still ends in the closing cross
   * (unless the market-wide breaker closes the day).
   */
  private changePhase(ir: InstrumentRules, phase: TradingPhase, cause: PhaseCause, until: number, text: string): void {
    const from = ir.phase;
    const ii = ir.inst.index;
    if (from === phase && phase !== TradingPhase.HALTED) return;
    const closing = phase === TradingPhase.CLOSED && cause !== PhaseCause.MARKET_WIDE
      && (from === TradingPhase.CLOSING_AUCTION || (from === TradingPhase.HALTED && ir.haltedFrom === TradingPhase.CLOSING_AUCTION));
    const cx = ir.crosses;
    if (isCallPhase(from) && (phase === TradingPhase.CONTINUOUS || closing)) {
      const kindPhase = closing ? TradingPhase.CLOSING_AUCTION : from;
      const price = cx === null ? this.runAuction(ir, kindPhase) : this.runCross(ir, cx, kindPhase, phase, cause);
      if (price < 0) return; // extended: the call goes on
      if (closing) ir.controls.previousClose = price || this.market.lastPrice[ii] || ir.controls.previousClose;
      else ir.controls.reopened(price, isOpening(from === TradingPhase.HALTED ? ir.haltedFrom : from), this.now);
    }
    if (phase === TradingPhase.HALTED && from !== TradingPhase.HALTED) ir.haltedFrom = from;
    if (cx !== null) this.crossPhase(ir, cx, from, phase);
    ir.phase = phase;
    this.refreshInert();
    ir.limitStateSince = 0;
    ir.pendingHalt = 0;
    this.market.calling[ii] = phase !== TradingPhase.CONTINUOUS;
    ir.shown.price = ir.shown.qty = ir.shown.surplus = 0;
    ir.shown.surplusSide = 0;
    this.out.phase(ir.inst.symbol, phase, cause, until, text);
    // a circuit breaker puts the market under stress for the maker programmes (until the next UTC day)
    if (phase === TradingPhase.HALTED && (cause === PhaseCause.LIMIT_STATE || cause === PhaseCause.VELOCITY || cause === PhaseCause.MARKET_WIDE)) {
      this.programmes.setStress(ii, true, this.now, true);
    }
    if (phase === TradingPhase.HALTED && from !== TradingPhase.HALTED && ir.haltCancelsQuotes) this.cancelQuotes(ii);
    this.busy = true;
  }

  /** The uncross: final auction event, then the fills at one price. Returns the price (0 = nothing crossed). */
  private runAuction(ir: InstrumentRules, kind: TradingPhase): number {
    const u = uncross(this.market.books[ir.inst.index], ir.inst, this.auctionReference(ir), this.uncrossOut);
    if (u.qty === 0) return 0;
    this.out.auction(ir.inst.symbol, kind, u, true);
    this.market.uncross(ir.inst, u.price, ir.auctionStp);
    return u.price;
  }

  /** The kind of cross that ends a call phase (the phase an interrupting halt began in decides). */
  private crossKind(ir: InstrumentRules, phase: TradingPhase): CrossKind {
    const p = phase === TradingPhase.HALTED ? ir.haltedFrom : phase;
    return p === TradingPhase.CLOSING_AUCTION ? CrossKind.CLOSING : isOpening(p) ? CrossKind.OPENING : CrossKind.REOPENING;
  }

  /** Cross bookkeeping of a phase change: the call's best bid / offer, the halt's band, the day's end. */
  private crossPhase(ir: InstrumentRules, cx: InstrumentCrosses, from: TradingPhase, to: TradingPhase): void {
    cx.resetExtension();
    if (isCallPhase(to) && !isCallPhase(from)) {
      const book = this.market.books[ir.inst.index];
      cx.callBid = book.bids.best()?.price ?? 0;
      cx.callAsk = book.asks.best()?.price ?? 0;
    }
    if (to === TradingPhase.HALTED && from !== TradingPhase.HALTED) {
      const band = ir.controls.bandView(this.now);
      cx.haltLow = band?.lower ?? 0;
      cx.haltHigh = band?.upper ?? 0;
    }
    // nothing parked outlives the day
    if (to === TradingPhase.CLOSED) for (const o of [...cx.open, ...cx.close]) this.market.cancelResting(o, CancelReason.AUCTION);
  }

  /** The indicative cross of a kind now, validated against its collar. */
  private indicative(ir: InstrumentRules, cx: InstrumentCrosses, kind: CrossKind, bid: number, ask: number): CrossResult {
    const r = this.crossOut;
    crossPrice(this.market.books[ir.inst.index], cx.parked(kind), ir.inst, this.crossReference(ir), bid, ask, r);
    validate(cx, kind, bid, ask, r);
    return r;
  }

  /**
   * A cross with on-open / on-close orders and price validation (crosses.ts). Returns the price
   * (0 = nothing crossed), or −1 when the price lies outside the collar and the call is extended.
   */
  private runCross(ir: InstrumentRules, cx: InstrumentCrosses, kindPhase: TradingPhase, to: TradingPhase, cause: PhaseCause): number {
    const kind = this.crossKind(ir, kindPhase);
    const parked = cx.parked(kind);
    const book = this.market.books[ir.inst.index];
    const r = this.crossOut;
    const imbalance = crossPrice(book, parked, ir.inst, this.crossReference(ir), cx.callBid, cx.callAsk, r);
    validate(cx, kind, cx.callBid, cx.callAsk, r);
    const collar = cx.collarOf(kind);
    if (r.outside !== 0 && collar.extensionUs > 0 && cx.extensions < collar.maxExtensions) {
      cx.extensions++;
      if (r.outside > 0) cx.widenUp++;
      else cx.widenDown++;
      cx.extendUntil = this.now + collar.extensionUs;
      cx.extendTo = to;
      cx.extendCause = cause;
      r.extensions = cx.extensions;
      r.extendedUntil = cx.extendUntil;
      const text = `auction price outside the collar [${r.collarLow}, ${r.collarHigh}]: call extended (${cx.extensions} of ${collar.maxExtensions})`;
      this.out.phase(ir.inst.symbol, ir.phase, cause, cx.extendUntil, text);
      this.out.auction(ir.inst.symbol, kindPhase, r, false, r);
      if (cx.extendUntil < this.nextTimer) this.nextTimer = cx.extendUntil;
      this.busy = true;
      return -1;
    }
    const price = r.price;
    if (r.qty > 0) {
      this.out.auction(ir.inst.symbol, kindPhase, r, true, r);
      const [buys, sells] = eligible(book, parked, price, imbalance, cx.callBid, cx.callAsk);
      for (let i = 0, j = 0; i < buys.length && j < sells.length;) {
        const b = buys[i];
        const a = sells[j];
        if (b.leaves === 0) { i++; continue; }
        if (a.leaves === 0) { j++; continue; }
        const bLater = b.time > a.time || (b.time === a.time && b.id > a.id);
        if (ir.auctionStp && b.account === a.account) this.market.cancelResting(bLater ? b : a, CancelReason.SELF_TRADE);
        else this.market.cross(bLater ? b : a, bLater ? a : b, ir.inst, price, b.leaves < a.leaves ? b.leaves : a.leaves);
      }
    }
    // what is left of the cross's own orders expires with it
    for (const o of [...parked]) this.market.cancelResting(o, CancelReason.AUCTION);
    return price;
  }

  /** A cross's reference: the last trade, else the configured / admin-set reference, else the previous close. */
  private crossReference(ir: InstrumentRules): number {
    return this.market.lastPrice[ir.inst.index] || ir.controls.reference || ir.controls.previousClose;
  }

  /** The auction's reference price: the last trade, else the configured / admin-set reference. */
  private auctionReference(ir: InstrumentRules): number {
    return this.market.lastPrice[ir.inst.index] || ir.controls.reference;
  }

  private cancelQuotes(ii: number): void {
    for (const a of this.accounts) this.market.withdrawQuote(a, ii, CancelReason.HALT);
  }

  // ---- admission (read-only checks) ----

  /** Kill switch and rate limits for any order message of an account. */
  admitMessage(kind: MsgKind, acct: Account, session: number | undefined, why: Why): RejectReason | 0 {
    if (acct.killed && kind !== MsgKind.CANCEL) return RejectReason.KILL_SWITCH;
    if (this.rateLimits === null || acct.rateLimitExempt) return 0;
    const sid = typeof session === 'number' && Number.isSafeInteger(session) && session > 0 ? session : 0;
    const v = this.rateLimits.admit(kind, acct.id, sid, this.now);
    if (v === null) return 0;
    why.text = v.text;
    this.out.retryAfter = v.retryAfter;
    if (v.banned || v.logout) {
      this.out.rule(RuleEventKind.BAN, acct.id, v.scope === 'session' ? sid : 0, '', v.banned ? v.banUntil : this.now, 0, v.text);
    }
    return v.reason;
  }

  /**
   * Phase, price controls, risk and order-to-trade checks of a new order
   * (price: its limit, or a market order's protection price). Most orders on
   * most venues meet no rule at all: they leave on the first line.
   */
  admitOrder(acct: Account, ii: number, side: Side, ordType: number, tif: number, price: number, qty: number, quote: boolean, why: Why): RejectReason | 0 {
    const ir = this.byIndex[ii];
    if (ir.quiet && acct.riskFree && this.otr === null && ir.phase === TradingPhase.CONTINUOUS) return 0;
    let reason = isCrossTif(tif) ? 0 : admitsOrder(ir.phase, ordType, tif, quote);
    if (reason) return reason;
    if (ordType === OrdType.LIMIT && (reason = ir.controls.checkLimitPrice(side, price, this.now, why))) return reason;
    if ((reason = checkRisk(acct.risk[ii], ir.inst, acct.positions[ii], side, price, qty, qty, price * qty, why))) return reason;
    if (this.otr !== null) {
      const c = this.otr.check(acct.id, ii, this.now);
      if (c.flag) this.out.rule(RuleEventKind.OTR_FLAG, acct.id, 0, ir.inst.symbol, 0, c.countRatioMilli, c.text);
      if (c.reason) {
        why.text = c.text;
        return c.reason;
      }
    }
    return 0;
  }

  /** Entry window of an on-open / on-close order (NO_AUCTION without that cross). */
  admitCross(ii: number, ordType: number, tif: number, imbalanceOnly: boolean, why: Why): RejectReason | 0 {
    const ir = this.byIndex[ii];
    if (ir.crosses === null) {
      why.text = `${ir.inst.symbol} has no opening or closing cross`;
      return RejectReason.NO_AUCTION;
    }
    return ir.crosses.admit(tif, ordType, imbalanceOnly, ir.phase, this.now, why);
  }

  /** Cancel or amend of a parked on-open / on-close order: refused from its cross's freeze. */
  admitCrossChange(o: Order, why: Why): RejectReason | 0 {
    return this.byIndex[o.instrument].crosses?.admitChange(o, this.now, why) ?? 0;
  }

  /** Parks an accepted on-open / on-close order until its cross. */
  park(o: Order): void {
    (this.byIndex[o.instrument].crosses as InstrumentCrosses).park(o);
    this.market.park(o);
  }

  /** Checks of an amend of `o` to price × newQty: phase, minimum quote life, then price controls and risk. */
  admitAmend(o: Order, price: number, newQty: number, why: Why): RejectReason | 0 {
    const ii = o.instrument;
    const ir = this.byIndex[ii];
    const addQty = newQty > o.qty ? newQty - o.qty : 0;
    const newLeaves = newQty > o.cum ? newQty - o.cum : 0;
    const early = admitsAmend(ir.phase) || (isCrossTif(o.tif) ? this.admitCrossChange(o, why) : 0) || this.quoteLife(ii, o.time, why);
    if (early || newLeaves === 0) return early; // an amend to at or below the filled quantity is a cancel
    return ir.controls.checkLimitPrice(o.side, price, this.now, why)
      || checkRisk(o.account.risk[ii], ir.inst, o.account.positions[ii], o.side, price, addQty, newQty, price * newLeaves - o.price * o.leaves, why);
  }

  /** Minimum quote life: 0, or TOO_EARLY if an order that entered at `orderTime` may not change yet. */
  quoteLife(ii: number, orderTime: number, why: Why): RejectReason | 0 {
    const life = this.byIndex[ii].minQuoteLifeUs;
    if (life === 0 || this.now >= orderTime + life) return 0;
    why.text = `order rested ${this.now - orderTime} µs of the minimum ${life} µs`;
    return RejectReason.TOO_EARLY;
  }

  /** The price an order may carry now: slid to the daily limit and the LULD band. */
  slide(ii: number, side: Side, price: number): number {
    const ir = this.byIndex[ii];
    return ir.quiet ? price : ir.controls.slide(side, price, this.now, ir.phase === TradingPhase.CONTINUOUS);
  }

  /** RTS 9 counting of an accepted add, amend or user cancel: n messages by the Annex (otr.ts). */
  countOrder(acct: Account, ii: number, qty: number, n = 1): void {
    if (this.otr !== null) this.otr.countOrder(acct.id, ii, qty, this.now, n);
  }

  // ---- kill switch ----

  killSwitch(acct: Account, on: boolean, text: string): boolean {
    if (acct.killed === on) return false;
    acct.killed = on;
    this.restricted += on ? 1 : -1;
    this.refreshInert();
    if (on) {
      for (const o of acct.liveOrders()) this.market.cancelResting(o, CancelReason.KILL_SWITCH); // a copy: a cancelled order leaves the list
      acct.quoteBid.fill(0);
      acct.quoteOffer.fill(0);
    }
    this.out.rule(on ? RuleEventKind.KILL_SWITCH_ON : RuleEventKind.KILL_SWITCH_OFF, acct.id, 0, '', 0, 0, text);
    return true;
  }

  // ---- matching (MatchWatcher) ----

  stops(ii: number, price: number): boolean {
    const ir = this.byIndex[ii];
    if (ir.phase !== TradingPhase.CONTINUOUS || !ir.controls.velocityBreach(price, this.now)) return false;
    // From here on the instrument collects orders: the halt itself is announced when the command ends.
    this.market.calling[ii] = true;
    ir.pendingHalt = PhaseCause.VELOCITY;
    this.busy = true;
    return true;
  }

  traded(ii: number, price: number, qty: number, maker: Account, taker: Account, auction: boolean, makerOrder?: Order): void {
    this.byIndex[ii].controls.onTrade(price, qty, this.now);
    // market-maker protection tallies the fills of quote orders (quotes are post-only: always the resting side)
    if (this.mmp !== null && makerOrder !== undefined && !auction && (makerOrder.id === maker.quoteBid[ii] || makerOrder.id === maker.quoteOffer[ii])) {
      const trip = this.mmp.fill(maker.id, ii, this.now, makerOrder.side === Side.BUY ? 1 : -1, qty, makerOrder.qty);
      if (trip !== null) {
        this.tripped.push(trip);
        this.busy = true;
      }
    }
    this.programmes.traded(ii, price, qty, maker, taker, auction, this.now);
    if (this.otr !== null) {
      // transactions are counted per executed order (firstFill), volume per fill
      this.otr.countVolume(maker.id, ii, qty, this.now);
      if (taker !== maker) this.otr.countVolume(taker.id, ii, qty, this.now);
    }
    if (this.marketWide !== null && this.marketWide.index === ii) this.busy = this.indexTraded = true;
  }

  // ---- command end ----

  /** Kept tiny so that the engine's command path inlines it. */
  end(): void {
    if (this.busy || this.watchLimitState) this.settle();
  }

  /** Pending halts, the market-wide breaker, limit states and indicative auction prices after a command. */
  private settle(): void {
    this.busy = false;
    if (this.tripped.length !== 0) this.withdrawTripped();
    for (const ir of this.byIndex) {
      if (ir.pendingHalt !== 0) {
        const v = ir.controls.velocity;
        ir.pendingHalt = 0;
        this.halt(ir, PhaseCause.VELOCITY, v === null ? 0 : v.haltUs, 'velocity: price moved too far too fast');
      }
    }
    this.checkMarketWide();
    for (const ir of this.byIndex) {
      if (ir.controls.luld !== null) this.checkLimitState(ir);
      if (isCallPhase(ir.phase)) this.publishIndicative(ir);
    }
  }

  /** Market-maker protection tripped in this command: the account's quotes on the instrument are cancelled, then it hears why. */
  private withdrawTripped(): void {
    for (const t of this.tripped) {
      const acct = this.accounts[t.account - 1];
      this.market.withdrawQuote(acct, t.instrument, CancelReason.MMP);
      this.out.rule(RuleEventKind.MMP_TRIGGERED, t.account, 0, this.byIndex[t.instrument].inst.symbol, 0, t.value, t.text);
    }
    this.tripped.length = 0;
  }

  /** A mass quote of the account on the instrument: refused while its market-maker protection is tripped. */
  admitQuote(acct: Account, ii: number, why: Why): RejectReason | 0 {
    if (this.mmp === null || !this.mmp.triggered(acct.id, ii)) return 0;
    why.text = `market-maker protection triggered on ${this.byIndex[ii].inst.symbol}: reset it to quote again`;
    return RejectReason.MMP_TRIGGERED;
  }

  /** The account resets its market-maker protection on the instrument. Returns true if it was triggered. */
  mmpReset(acct: Account, ii: number): boolean {
    if (this.mmp === null || !this.mmp.reset(acct.id, ii)) return false;
    this.out.rule(RuleEventKind.MMP_RESET, acct.id, 0, this.byIndex[ii].inst.symbol, 0, 0, 'market-maker protection reset: quotes accepted again');
    return true;
  }

  private checkMarketWide(): void {
    const mw = this.marketWide;
    if (mw === null || !this.indexTraded) return;
    this.indexTraded = false;
    const index = this.byIndex[mw.index].controls;
    const level = mw.trip(index.reference, index.previousClose, this.now);
    if (level === null) return;
    const text = `market-wide circuit breaker: ${mw.indexSymbol} down ${level.drop_bp / 100} % from the previous close`;
    for (const ir of this.byIndex) {
      if (level.halt_ms > 0) this.halt(ir, PhaseCause.MARKET_WIDE, level.halt_ms * 1000, text);
      else {
        // closed for the day: reopens at the next UTC midnight (or its schedule)
        ir.haltUntil = this.now - (this.now % US_PER_DAY) + US_PER_DAY;
        this.changePhase(ir, TradingPhase.CLOSED, PhaseCause.MARKET_WIDE, ir.haltUntil, text);
      }
    }
    this.refreshTimer();
  }

  /** LULD: the best bid at the upper band or the best ask at the lower band is a limit state; T in it halts. */
  private checkLimitState(ir: InstrumentRules): void {
    const luld = ir.controls.luld;
    if (luld === null || ir.phase !== TradingPhase.CONTINUOUS) return;
    const band = ir.controls.dynamicBand(this.now);
    const book = this.market.books[ir.inst.index];
    const bid = book.bids.best();
    const ask = book.asks.best();
    const at = band !== null && ((bid !== null && bid.price >= band.upper) || (ask !== null && ask.price <= band.lower));
    if (at && ir.limitStateSince === 0) {
      ir.limitStateSince = this.now;
      const until = this.now + luld.limitStateUs;
      const up = bid !== null && band !== null && bid.price >= band.upper;
      // value: the band price, negative for the lower band (limit down)
      const value = band === null ? 0 : up ? band.upper : -band.lower;
      this.out.rule(RuleEventKind.LIMIT_STATE_ON, 0, 0, ir.inst.symbol, until, value, `limit state: ${up ? 'bid at the upper' : 'offer at the lower'} band`);
      if (until < this.nextTimer) this.nextTimer = until;
    } else if (!at && ir.limitStateSince !== 0) {
      ir.limitStateSince = 0;
      this.out.rule(RuleEventKind.LIMIT_STATE_OFF, 0, 0, ir.inst.symbol, 0, 0, 'limit state ended');
    }
  }

  /** Publishes the indicative uncross of a call phase when it changed. */
  private publishIndicative(ir: InstrumentRules): void {
    this.busy = true;
    if (ir.phase === TradingPhase.CLOSED) return;
    const cx = ir.crosses;
    const x = cx === null ? null : this.indicative(ir, cx, this.crossKind(ir, ir.phase), cx.callBid, cx.callAsk);
    const u = x ?? uncross(this.market.books[ir.inst.index], ir.inst, this.auctionReference(ir), this.uncrossOut);
    const s = ir.shown;
    if (u.price === s.price && u.qty === s.qty && u.surplus === s.surplus && u.surplusSide === s.surplusSide && (x === null || x.far === ir.shownFar)) return;
    s.price = u.price;
    s.qty = u.qty;
    s.surplus = u.surplus;
    s.surplusSide = u.surplusSide;
    if (x !== null) ir.shownFar = x.far;
    this.out.auction(ir.inst.symbol, ir.phase, u, false, x);
  }

  /** The engine's next timer, for a driver that wants to wake the engine exactly then. */
  get nextTimerAt(): number {
    return this.nextTimer;
  }
}

export { MsgKind };

const isOpening = (p: TradingPhase): boolean => p === TradingPhase.PRE_OPEN || p === TradingPhase.OPENING_AUCTION;
