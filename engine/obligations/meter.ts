// The quote-obligation meter of one (member, instrument): exact, event-driven
// time accounting of a maker programme's obligation.
//
// - The engine calls update(now, state) after every command that changes the
//   member's quote, the phase or the stress flag. The state set at t is in
//   force on [t, next update): time is accumulated exactly between updates,
//   with no sampling. The interval is split exactly at window boundaries and
//   at the end of a grace period, the only two changes that happen between
//   updates.
// - Compliance, checked in this order: no bid → NO_BID; no ask → NO_ASK;
//   spread (ticks on the tick table, or bp of the member's own mid) above the
//   limit (× the stress multiplier while stressed) → TOO_WIDE, exactly at the
//   limit is compliant; a side's counted size below the minimum (quantity, or
//   notional in cash units) → BID_TOO_SMALL / ASK_TOO_SMALL. A locked or
//   crossed own quote is within any spread limit (spread 0).
// - Grace: on [fill, fill + grace_ms) a missing side is waived — NO_BID and
//   NO_ASK do not count; the side still quoted must still be large enough.
//   The interval is half-open: at fill + grace the breach counts again.
//   Call fill() before the update() of the same command.
// - Not measured (state.measured false: pre-open, auctions, halts, closed,
//   stress with suspend): exempt time, out of the denominator; a breach in
//   progress ends there; snapshots falling there are skipped.
// - Snapshot mode: a snapshot at every multiple of snapshot_s since the epoch,
//   judged on the state in force at that instant (so an update exactly at a
//   snapshot instant decides it), counted arithmetically per interval. The
//   window passes on passed ÷ taken ≥ pass_pct; the time-weighted presence is
//   still reported but presence_pct does not decide. Continuous mode passes on
//   compliant ÷ measured ≥ presence_pct, exactly (not on the rounded figure).
//   A window with nothing measured (no snapshot taken) has passed = null.
// - Figures: presence as floor ppm and a truncated 3-decimal string; average
//   spread and sizes time-weighted and floored to a price / quantity unit,
//   with the exact integrals (decimal strings) beside them.
// - Windows (UTC): hour, day, week (from Monday), month. A month is
//   accumulated day by day (a line per day in its report) and reported once.
//   Breaches are clipped at window boundaries (a breach going on at a
//   boundary continues as a new record in the next window).
// - Time before the meter's first call belongs to nothing (neither measured
//   nor exempt); before the first update() the state is "no quote, not
//   measured", so create a meter with an update() at its start time. Time
//   never runs backwards: an earlier `now` counts as the latest seen.
// - Live status: update() returns true when the member's view (reason,
//   measured, stressed) differs from the last one produced by update() or
//   status(); a grace period ending between updates changes it too, at
//   nextEventUs. status() is the member's view; preview() the REST one.
import type { Instrument } from '../instrument.ts';
import { ceilDiv, mulDivCeil } from './arith.ts';
import { notComparable, sizeTooSmall, spreadTooWide } from './compliance.ts';
import type { ValidatedObligation } from './config.ts';
import { Ledger } from './ledger.ts';
import { passes, snapshotCounts, timeAtBest } from './report.ts';
import { Breach, BREACH_NAME, type BreachCode, type ObligationStatusView, type QuoteState, type WindowReport } from './types.ts';

export * from './types.ts';
export { depthBand, sizeTooSmall, spreadTooWide } from './compliance.ts';
export { MAX_BREACHES } from './ledger.ts';

export class ObligationMeter {
  readonly symbol: string;
  private readonly ledger: Ledger;

  // the state in force since `last`
  private bidPx = 0;
  private bidQty = 0;
  private askPx = 0;
  private askQty = 0;
  private bidNotional = -1;
  private askNotional = -1;
  private measured = false;
  private stressed = false;
  /** the member's bid / ask is at the book's best (time at the best) */
  private atBid = false;
  private atAsk = false;
  /** compliance of the state without grace, and with the missing sides waived */
  private raw: BreachCode = Breach.NO_BID;
  private graced: BreachCode = Breach.NONE;
  private graceUntil = 0;
  private last = 0;
  private started = false;

  /** what the member was last shown (by update() or status()), to tell a change */
  private shownCode = -1;
  private shownMeasured = false;
  private shownStressed = false;

  constructor(readonly cfg: ValidatedObligation, readonly inst: Instrument) {
    this.symbol = inst.symbol;
    this.ledger = new Ledger(cfg);
  }

  /** End of the current window: at or after it, rollover() returns its report. */
  get windowEnd(): number {
    return this.started ? this.ledger.winEnd : Number.MAX_SAFE_INTEGER;
  }

  /** The next time the member's view changes without an update: a grace period's end, or the window end. */
  get nextEventUs(): number {
    const g = this.graceUntil > this.last && this.graced !== this.raw ? this.graceUntil : Number.MAX_SAFE_INTEGER;
    return Math.min(g, this.windowEnd);
  }

  /**
   * Accumulates [last update, now) under the previous state, then takes the new one. Returns true when
   * the member's view — compliance and its reason at now (grace applied), measured, stressed — differs
   * from the last one produced by update() or status(): time to send an ObligationStatus.
   */
  update(now: number, q: QuoteState): boolean {
    now = this.at(now);
    const bn = q.bidNotional ?? -1;
    const an = q.askNotional ?? -1;
    // stress with suspend is exempt whether or not the caller already said so
    const measured = q.measured && !(q.stressed && this.cfg.stressSuspend);
    const atBid = q.bidPx > 0 && q.bidPx === q.bookBid;
    const atAsk = q.askPx > 0 && q.askPx === q.bookAsk;
    if (q.bidPx !== this.bidPx || q.bidQty !== this.bidQty || q.askPx !== this.askPx || q.askQty !== this.askQty ||
        bn !== this.bidNotional || an !== this.askNotional || measured !== this.measured || q.stressed !== this.stressed ||
        atBid !== this.atBid || atAsk !== this.atAsk) {
      this.advance(now);
      this.bidPx = q.bidPx;
      this.bidQty = q.bidQty;
      this.askPx = q.askPx;
      this.askQty = q.askQty;
      this.bidNotional = bn;
      this.askNotional = an;
      this.measured = measured;
      this.stressed = q.stressed;
      this.atBid = atBid;
      this.atAsk = atAsk;
      this.classify();
    }
    // an unchanged state needs no cut: the interval simply continues
    return this.show(now);
  }

  /** A fill of the member on this instrument at `now`: starts (or extends) the grace period. Call it before the update() of the same command. */
  fill(now: number): void {
    if (this.cfg.graceUs === 0) return;
    now = this.at(now);
    this.advance(now);
    this.graceUntil = Math.max(this.graceUntil, now + this.cfg.graceUs);
  }

  /**
   * Closes every window that ended at or before `now` (time is split exactly at each boundary) and
   * returns their reports, oldest first, with any closed by earlier calls. Call it with the time of
   * the first command at or after windowEnd.
   */
  rollover(now: number): readonly WindowReport[] {
    if (this.started) this.advance(Math.max(now, this.last));
    return this.ledger.drain();
  }

  /**
   * The member's live status at `now` (closes any window that ended before: collect those with
   * rollover()). It records what the member was shown (see update()); for other readers use preview().
   */
  status(now: number): ObligationStatusView {
    now = this.at(now);
    this.advance(now);
    this.show(now);
    const { cfg, ledger } = this;
    const t = ledger.totals();
    const report = ledger.preview(now);
    const remaining = ledger.winEnd - now;
    const code = this.codeAt(now);
    let neededUs: number | 'cannot pass' | null = null;
    let needUs: number | null = null;
    let snapshots: ObligationStatusView['snapshots'] = null;
    if (cfg.snapshotUs === 0) {
      const need = Math.max(0, mulDivCeil(cfg.presencePpm, t.measuredUs + remaining, 1_000_000) - t.compliantUs);
      neededUs = need > remaining ? 'cannot pass' : need;
      needUs = need;
    } else {
      const left = ceilDiv(ledger.winEnd, cfg.snapshotUs) - ceilDiv(now, cfg.snapshotUs);
      const need = Math.max(0, mulDivCeil(cfg.snapshotPassPpm, t.snapTaken + left, 1_000_000) - t.snapPassed);
      snapshots = { ...snapshotCounts(cfg, t)!, remaining: left, needed: need > left ? 'cannot pass' : need, need };
    }
    return {
      symbol: this.symbol,
      atUs: now,
      compliant: code === Breach.NONE,
      reason: code,
      reasonName: BREACH_NAME[code],
      measured: this.measured,
      stressed: this.stressed,
      graceUntilUs: now < this.graceUntil ? this.graceUntil : null,
      mode: report.mode,
      window: cfg.window,
      label: report.label,
      windowStartUs: ledger.winStart,
      windowEndUs: ledger.winEnd,
      remainingUs: remaining,
      measuredUs: t.measuredUs,
      compliantUs: t.compliantUs,
      exemptUs: t.exemptUs,
      twoSidedUs: t.twoSidedUs,
      presencePpm: report.presencePpm,
      presencePct: report.presencePct,
      requiredPct: report.requiredPct,
      ...timeAtBest(cfg, t),
      neededUs,
      needUs,
      passingNow: passes(cfg, t),
      snapshots,
      openBreach: ledger.openReason === Breach.NONE ? null : { startUs: ledger.openStart, reason: ledger.openReason },
    };
  }

  /** The current window's report as if it closed at `now` (figures so far; the open breach ends at now). */
  preview(now: number): WindowReport {
    now = this.at(now);
    this.advance(now);
    return this.ledger.preview(now);
  }

  // ---- internals ----

  /** Starts the meter on its first call; an earlier time than the last counts as the last. */
  private at(now: number): number {
    if (!this.started) {
      this.started = true;
      this.last = now;
      this.ledger.begin(now);
    }
    return now < this.last ? this.last : now;
  }

  /** Records the member's view at `now`; true if it changed. */
  private show(now: number): boolean {
    const code = this.codeAt(now);
    const changed = code !== this.shownCode || this.measured !== this.shownMeasured || this.stressed !== this.shownStressed;
    this.shownCode = code;
    this.shownMeasured = this.measured;
    this.shownStressed = this.stressed;
    return changed;
  }

  private codeAt(t: number): BreachCode {
    return t < this.graceUntil ? this.graced : this.raw;
  }

  /** Compliance of the current state, without and with the missing sides waived. */
  private classify(): void {
    const { cfg, inst, bidPx, askPx } = this;
    const hasBid = bidPx > 0;
    const hasAsk = askPx > 0;
    let side: BreachCode = Breach.NONE;
    if (hasBid && hasAsk && spreadTooWide(cfg, inst, bidPx, askPx, this.stressed)) side = Breach.TOO_WIDE;
    else if (hasBid && sizeTooSmall(cfg, inst, bidPx, this.bidQty, this.bidNotional)) side = Breach.BID_TOO_SMALL;
    else if (hasAsk && sizeTooSmall(cfg, inst, askPx, this.askQty, this.askNotional)) side = Breach.ASK_TOO_SMALL;
    else if (hasBid && hasAsk && notComparable(cfg, this.bidQty, this.askQty)) side = Breach.NOT_COMPARABLE_SIZE;
    this.graced = side;
    this.raw = !hasBid ? Breach.NO_BID : !hasAsk ? Breach.NO_ASK : side;
  }

  /** Accumulates [last, now), closing every window boundary on the way. */
  private advance(now: number): void {
    const ledger = this.ledger;
    while (now >= ledger.cutEnd) {
      const b = ledger.cutEnd;
      this.accumulate(this.last, b);
      this.last = b;
      ledger.cut();
    }
    this.accumulate(this.last, now);
    this.last = now;
  }

  /** [a, b) within one window, split at the end of a grace period. */
  private accumulate(a: number, b: number): void {
    if (b <= a) return;
    const g = this.graceUntil;
    if (a < g && g < b) {
      this.segment(a, g, this.graced);
      this.segment(g, b, this.raw);
    } else {
      this.segment(a, b, a < g ? this.graced : this.raw);
    }
  }

  private segment(a: number, b: number, code: BreachCode): void {
    this.ledger.add(a, b, code, this.measured, this.bidPx, this.bidQty, this.askPx, this.askQty, this.atBid, this.atAsk);
  }
}
