// Accumulated figures of one stretch of time (a window, or a day of a month
// window) and the report built from them.
import { meetsPpm, ppmToPct, ratioPpm, WideSum } from './arith.ts';
import type { ValidatedObligation } from './config.ts';
import type { BreachRecord, DayLine, SnapshotCounts, WindowReport } from './types.ts';
import { windowLabel } from './windows.ts';

export class Totals {
  measuredUs = 0;
  compliantUs = 0;
  exemptUs = 0;
  twoSidedUs = 0;
  bidUs = 0;
  askUs = 0;
  /** measured time with the member's bid at the book's best bid / its ask at the best ask */
  atBidUs = 0;
  atAskUs = 0;
  /** Σ (ask − bid) × dt over measured two-sided time */
  readonly spread = new WideSum();
  /** Σ size × dt over measured time with that side quoted */
  readonly bidQty = new WideSum();
  readonly askQty = new WideSum();
  snapTaken = 0;
  snapPassed = 0;
  snapSkipped = 0;

  reset(): void {
    this.measuredUs = this.compliantUs = this.exemptUs = this.twoSidedUs = this.bidUs = this.askUs = this.atBidUs = this.atAskUs = 0;
    this.snapTaken = this.snapPassed = this.snapSkipped = 0;
    this.spread.reset();
    this.bidQty.reset();
    this.askQty.reset();
  }

  add(o: Totals): void {
    this.measuredUs += o.measuredUs;
    this.compliantUs += o.compliantUs;
    this.exemptUs += o.exemptUs;
    this.twoSidedUs += o.twoSidedUs;
    this.bidUs += o.bidUs;
    this.askUs += o.askUs;
    this.atBidUs += o.atBidUs;
    this.atAskUs += o.atAskUs;
    this.spread.addSum(o.spread);
    this.bidQty.addSum(o.bidQty);
    this.askQty.addSum(o.askQty);
    this.snapTaken += o.snapTaken;
    this.snapPassed += o.snapPassed;
    this.snapSkipped += o.snapSkipped;
  }
}

/**
 * The programme's pass rule on these figures; null when nothing was measured. With time_at_best_pct the
 * time at the best must be met too.
 */
export function passes(cfg: ValidatedObligation, t: Totals): boolean | null {
  const p = cfg.snapshotUs > 0 ? meetsPpm(t.snapPassed, t.snapTaken, cfg.snapshotPassPpm) : meetsPpm(t.compliantUs, t.measuredUs, cfg.presencePpm);
  if (p !== true || cfg.timeAtBestPpm === 0) return p;
  return meetsPpm(t.atBidUs + t.atAskUs, 2 * t.measuredUs, cfg.timeAtBestPpm) === true;
}

/** Time at the best: the average over the two sides of the share of measured time at the book's best. */
export function timeAtBest(cfg: ValidatedObligation, t: Totals): { atBidUs: number; atAskUs: number; timeAtBestPpm: number | null; timeAtBestPct: string | null; requiredTimeAtBestPct: string | null } {
  const ppm = ratioPpm(t.atBidUs + t.atAskUs, 2 * t.measuredUs);
  return {
    atBidUs: t.atBidUs, atAskUs: t.atAskUs, timeAtBestPpm: ppm, timeAtBestPct: ppm === null ? null : ppmToPct(ppm),
    requiredTimeAtBestPct: cfg.timeAtBestPpm === 0 ? null : ppmToPct(cfg.timeAtBestPpm),
  };
}

export function snapshotCounts(cfg: ValidatedObligation, t: Totals): SnapshotCounts | null {
  if (cfg.snapshotUs === 0) return null;
  const ppm = ratioPpm(t.snapPassed, t.snapTaken);
  return {
    taken: t.snapTaken,
    passed: t.snapPassed,
    skipped: t.snapSkipped,
    passPpm: ppm,
    passPct: ppm === null ? null : ppmToPct(ppm),
    requiredPct: ppmToPct(cfg.snapshotPassPpm),
  };
}

export function dayLine(cfg: ValidatedObligation, start: number, t: Totals): DayLine {
  return {
    startUs: start,
    label: windowLabel('day', start),
    measuredUs: t.measuredUs,
    compliantUs: t.compliantUs,
    exemptUs: t.exemptUs,
    presencePpm: ratioPpm(t.compliantUs, t.measuredUs),
    snapshotsTaken: t.snapTaken,
    snapshotsPassed: t.snapPassed,
    passed: passes(cfg, t),
  };
}

const avg = (s: WideSum, us: number): number | null => (us === 0 ? null : s.floorDiv(us));

export interface ReportExtras {
  start: number;
  end: number;
  at: number;
  final: boolean;
  breaches: BreachRecord[];
  breachCount: number;
  days: DayLine[] | null;
}

export function buildReport(cfg: ValidatedObligation, t: Totals, x: ReportExtras): WindowReport {
  const ppm = ratioPpm(t.compliantUs, t.measuredUs);
  let daysPassed: number | null = null;
  let daysMeasured: number | null = null;
  if (x.days) {
    daysPassed = daysMeasured = 0;
    for (const d of x.days) {
      if (d.passed !== null) daysMeasured++;
      if (d.passed === true) daysPassed++;
    }
  }
  return {
    symbol: cfg.symbol,
    window: cfg.window,
    label: windowLabel(cfg.window, x.start),
    startUs: x.start,
    endUs: x.end,
    final: x.final,
    atUs: x.at,
    mode: cfg.snapshotUs > 0 ? 'snapshot' : 'continuous',
    passed: passes(cfg, t),
    presencePpm: ppm,
    presencePct: ppm === null ? null : ppmToPct(ppm),
    requiredPct: ppmToPct(cfg.presencePpm),
    measuredUs: t.measuredUs,
    compliantUs: t.compliantUs,
    exemptUs: t.exemptUs,
    twoSidedUs: t.twoSidedUs,
    bidUs: t.bidUs,
    askUs: t.askUs,
    ...timeAtBest(cfg, t),
    avgSpread: avg(t.spread, t.twoSidedUs),
    spreadIntegral: t.spread.toString(),
    avgBidQty: avg(t.bidQty, t.bidUs),
    avgAskQty: avg(t.askQty, t.askUs),
    bidQtyIntegral: t.bidQty.toString(),
    askQtyIntegral: t.askQty.toString(),
    snapshots: snapshotCounts(cfg, t),
    breaches: x.breaches,
    breachCount: x.breachCount,
    breachesDropped: x.breachCount - x.breaches.length,
    days: x.days,
    daysPassed,
    daysMeasured,
  };
}
