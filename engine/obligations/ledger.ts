// The time accounting of one meter: the current window's totals (a month's
// day by day), its breach list, and the reports of closed windows. The meter
// feeds it segments [a, b) of constant state that never cross a boundary.
import { ceilDiv } from './arith.ts';
import type { ValidatedObligation } from './config.ts';
import { buildReport, dayLine, Totals } from './report.ts';
import { Breach, type BreachCode, type BreachRecord, type DayLine, type WindowReport } from './types.ts';
import { DAY_US, windowEnd, windowStart } from './windows.ts';

/** breaches kept per window; later ones are only counted (WindowReport.breachesDropped) */
export const MAX_BREACHES = 1000;

const NO_REPORTS: readonly WindowReport[] = Object.freeze([]);

export class Ledger {
  winStart = 0;
  winEnd = 0;
  /** the next boundary: winEnd, or in a month the end of the current day */
  cutEnd = 0;
  private dayStart = 0;
  private readonly monthly: boolean;
  /** since the last boundary (the window, or the current day of a month) */
  private readonly cur = new Totals();
  /** month windows: the completed days */
  private readonly month = new Totals();
  private days: DayLine[] = [];
  private breaches: BreachRecord[] = [];
  private breachCount = 0;
  /** the breach in progress (NONE: none) */
  openReason: BreachCode = Breach.NONE;
  openStart = 0;
  private pending: WindowReport[] = [];

  constructor(private readonly cfg: ValidatedObligation) {
    this.monthly = cfg.window === 'month';
  }

  begin(now: number): void {
    this.openWindow(windowStart(this.cfg.window, now));
    if (this.monthly) {
      this.dayStart = windowStart('day', now);
      this.cutEnd = this.dayStart + DAY_US;
    }
  }

  private openWindow(start: number): void {
    this.winStart = start;
    this.winEnd = windowEnd(this.cfg.window, start);
    this.dayStart = start;
    this.cutEnd = this.monthly ? start + DAY_US : this.winEnd;
  }

  /** [a, b) under one state (a < b ≤ cutEnd); `code` is its compliance (grace applied). */
  add(a: number, b: number, code: BreachCode, measured: boolean, bidPx: number, bidQty: number, askPx: number, askQty: number, atBid: boolean, atAsk: boolean): void {
    const dt = b - a;
    const t = this.cur;
    const s = this.cfg.snapshotUs;
    const snaps = s > 0 ? ceilDiv(b, s) - ceilDiv(a, s) : 0; // multiples of s in [a, b)
    if (!measured) {
      t.exemptUs += dt;
      t.snapSkipped += snaps;
      if (this.openReason !== Breach.NONE) this.closeBreach(a);
      return;
    }
    t.measuredUs += dt;
    t.snapTaken += snaps;
    if (code === Breach.NONE) {
      t.compliantUs += dt;
      t.snapPassed += snaps;
    }
    if (bidPx > 0) { t.bidUs += dt; t.bidQty.addProduct(bidQty, dt); }
    if (askPx > 0) { t.askUs += dt; t.askQty.addProduct(askQty, dt); }
    if (atBid) t.atBidUs += dt;
    if (atAsk) t.atAskUs += dt;
    if (bidPx > 0 && askPx > 0) {
      t.twoSidedUs += dt;
      if (askPx > bidPx) t.spread.addProduct(askPx - bidPx, dt);
    }
    if (code !== this.openReason) {
      if (this.openReason !== Breach.NONE) this.closeBreach(a);
      if (code !== Breach.NONE) {
        this.openReason = code;
        this.openStart = a;
      }
    }
  }

  private closeBreach(end: number): void {
    if (end > this.openStart) {
      this.breachCount++;
      if (this.breaches.length < MAX_BREACHES) this.breaches.push({ startUs: this.openStart, endUs: end, reason: this.openReason });
    }
    this.openReason = Breach.NONE;
  }

  /** The boundary cutEnd was reached: a day inside a month ends, or the window closes. */
  cut(): void {
    const b = this.cutEnd;
    if (this.monthly) {
      this.days.push(dayLine(this.cfg, this.dayStart, this.cur));
      this.month.add(this.cur);
      this.cur.reset();
      this.dayStart = b;
      if (b < this.winEnd) {
        this.cutEnd = b + DAY_US;
        return;
      }
    }
    // a breach in progress is clipped here and continues in the next window
    const open = this.openReason;
    if (open !== Breach.NONE) {
      this.closeBreach(b);
      this.openReason = open;
      this.openStart = b;
    }
    const t = this.monthly ? this.month : this.cur;
    this.pending.push(buildReport(this.cfg, t, {
      start: this.winStart, end: this.winEnd, at: b, final: true,
      breaches: this.breaches, breachCount: this.breachCount, days: this.monthly ? this.days : null,
    }));
    t.reset();
    this.breaches = [];
    this.breachCount = 0;
    this.days = [];
    this.openWindow(b);
  }

  /** Reports of the windows closed since the last call, oldest first. */
  drain(): readonly WindowReport[] {
    if (this.pending.length === 0) return NO_REPORTS;
    const out = this.pending;
    this.pending = [];
    return out;
  }

  /** The current window's figures so far (a month: its completed days plus today); a copy for a month. */
  totals(): Totals {
    if (!this.monthly) return this.cur;
    const t = new Totals();
    t.add(this.month);
    t.add(this.cur);
    return t;
  }

  /** The current window's report up to `now` (≥ everything added): the open breach ends at now. */
  preview(now: number): WindowReport {
    const breaches = this.breaches.slice();
    let count = this.breachCount;
    if (this.openReason !== Breach.NONE && now > this.openStart) {
      count++;
      if (breaches.length < MAX_BREACHES) breaches.push({ startUs: this.openStart, endUs: now, reason: this.openReason });
    }
    let days: DayLine[] | null = null;
    if (this.monthly) {
      days = this.days.slice();
      if (now > this.dayStart) days.push(dayLine(this.cfg, this.dayStart, this.cur));
    }
    return buildReport(this.cfg, this.totals(), { start: this.winStart, end: this.winEnd, at: now, final: false, breaches, breachCount: count, days });
  }
}
