// The obligation meter's vocabulary: breach reasons, the quote state the
// engine hands it, and the views it produces (live status, window reports).
import type { WindowKind } from './windows.ts';

/** Why a member is not compliant right now (NONE = compliant). The order is the order of the checks. */
export const Breach = { NONE: 0, NO_BID: 1, NO_ASK: 2, TOO_WIDE: 3, BID_TOO_SMALL: 4, ASK_TOO_SMALL: 5, NOT_COMPARABLE_SIZE: 10 } as const;
export type BreachCode = (typeof Breach)[keyof typeof Breach];

export const BREACH_NAME: Record<BreachCode, string> = {
  [Breach.NONE]: 'NONE',
  [Breach.NO_BID]: 'NO_BID',
  [Breach.NO_ASK]: 'NO_ASK',
  [Breach.TOO_WIDE]: 'TOO_WIDE',
  [Breach.BID_TOO_SMALL]: 'BID_TOO_SMALL',
  [Breach.ASK_TOO_SMALL]: 'ASK_TOO_SMALL',
  [Breach.NOT_COMPARABLE_SIZE]: 'NOT_COMPARABLE_SIZE',
};

export const BREACH_TEXT: Record<BreachCode, string> = {
  [Breach.NONE]: 'compliant',
  [Breach.NO_BID]: 'no bid',
  [Breach.NO_ASK]: 'no ask',
  [Breach.TOO_WIDE]: 'spread too wide',
  [Breach.BID_TOO_SMALL]: 'bid too small',
  [Breach.ASK_TOO_SMALL]: 'ask too small',
  [Breach.NOT_COMPARABLE_SIZE]: 'bid and ask not of comparable size',
};

/**
 * A member's quote on one instrument, as the engine sees it after a command.
 * The meter copies the fields, so the caller may reuse one object.
 */
export interface QuoteState {
  /** the member's best bid price; 0 = no bid (prices are ≥ 1, so 0 is never a price) */
  bidPx: number;
  /** the size that counts on the bid (at bidPx, or within depth_bp of the book mid); with a bid, 0 is "too small", not "no bid" */
  bidQty: number;
  askPx: number;
  askQty: number;
  /**
   * optional: the notional that counts on each side, in cash units (Σ price × qty × notionalMultiplier over
   * the orders counted — needed with depth_bp, where the orders sit at several prices). Omitted:
   * px × qty × notionalMultiplier. Only read with min_size_notional.
   */
  bidNotional?: number;
  askNotional?: number;
  /** false in pre-open, auctions, halts, closed, or stress with suspend: the time is exempt (not in the denominator) */
  measured: boolean;
  /** the instrument is in stressed-market mode (the spread multiplier applies; with suspend, pass measured: false too) */
  stressed: boolean;
  /** the book's best bid and ask (0 = none): the member is at the best on a side when its price equals it (time_at_best_pct) */
  bookBid?: number;
  bookAsk?: number;
}

/** A period of measured non-compliance with one reason: [startUs, endUs). Clipped at window boundaries. */
export interface BreachRecord {
  startUs: number;
  endUs: number;
  reason: BreachCode;
}

export interface SnapshotCounts {
  /** snapshots taken (instants at a multiple of snapshot_s while measured) */
  taken: number;
  /** of those, the compliant ones */
  passed: number;
  /** instants skipped because the time was not measured */
  skipped: number;
  /** floor(1e6 × passed / taken); null with none taken */
  passPpm: number | null;
  /** the same as a percentage with three decimals, truncated, e.g. "75.000" */
  passPct: string | null;
  /** the threshold pass_pct, e.g. "75.000" */
  requiredPct: string;
}

/** One day of a month window. */
export interface DayLine {
  startUs: number;
  label: string;
  measuredUs: number;
  compliantUs: number;
  exemptUs: number;
  presencePpm: number | null;
  snapshotsTaken: number;
  snapshotsPassed: number;
  /** by the programme's rule (presence_pct, or pass_pct of snapshots); null if nothing was measured */
  passed: boolean | null;
}

/**
 * A window's figures. Time figures are µs of the window. Averages are
 * time-weighted and floored to an integer (price / quantity units); the exact
 * value is integral ÷ time (the integrals are decimal strings: they pass 2^53).
 */
export interface WindowReport {
  symbol: string;
  window: WindowKind;
  /** "2023-11-14T09" (hour), "2023-11-14" (day), "2023-W46" (ISO week), "2023-11" (month) */
  label: string;
  startUs: number;
  endUs: number;
  /** true for a closed window; false for a preview of the current one (figures up to atUs) */
  final: boolean;
  atUs: number;
  mode: 'continuous' | 'snapshot';
  /** continuous: presence ≥ presence_pct; snapshot: passed ÷ taken ≥ pass_pct; null when nothing was measured */
  passed: boolean | null;
  /** compliant ÷ measured time, floor, in ppm; null when nothing was measured */
  presencePpm: number | null;
  /** the same with three decimals, truncated: "90.000" */
  presencePct: string | null;
  requiredPct: string;
  measuredUs: number;
  compliantUs: number;
  /** not measured: pre-open, auctions, halts, closed, suspended stress (time before the meter's first call is in neither) */
  exemptUs: number;
  /** measured time with both sides quoted */
  twoSidedUs: number;
  /** measured time with a bid / an ask */
  bidUs: number;
  askUs: number;
  /** measured time with the member's bid at the book's best bid / its ask at the best ask */
  atBidUs: number;
  atAskUs: number;
  /** time at the best: floor(1e6 × (atBidUs + atAskUs) ÷ (2 × measuredUs)) (the average of the two sides); null when nothing was measured */
  timeAtBestPpm: number | null;
  timeAtBestPct: string | null;
  /** the programme's time_at_best_pct ("10.000"); null when it has none */
  requiredTimeAtBestPct: string | null;
  /** floor(spreadIntegral ÷ twoSidedUs), price units; null without two-sided time */
  avgSpread: number | null;
  /** Σ (ask − bid) × µs over measured two-sided time */
  spreadIntegral: string;
  /** floor(bidQtyIntegral ÷ bidUs): the counted size while a bid was quoted (measured time); null without */
  avgBidQty: number | null;
  avgAskQty: number | null;
  bidQtyIntegral: string;
  askQtyIntegral: string;
  snapshots: SnapshotCounts | null;
  /** the first MAX_BREACHES breaches of the window, in time order */
  breaches: BreachRecord[];
  /** every breach of the window, kept or not */
  breachCount: number;
  breachesDropped: number;
  /** month windows: one line per day (from the meter's start); null otherwise */
  days: DayLine[] | null;
  daysPassed: number | null;
  /** days with measured time (snapshot mode: with a snapshot taken) */
  daysMeasured: number | null;
}

/** What the member is shown live (ObligationStatus). */
export interface ObligationStatusView {
  symbol: string;
  atUs: number;
  /** compliant at atUs (grace applied); meaningful for presence only while measured */
  compliant: boolean;
  reason: BreachCode;
  reasonName: string;
  measured: boolean;
  stressed: boolean;
  /** end of the grace period when atUs is inside one, else null */
  graceUntilUs: number | null;
  mode: 'continuous' | 'snapshot';
  window: WindowKind;
  label: string;
  windowStartUs: number;
  windowEndUs: number;
  remainingUs: number;
  measuredUs: number;
  compliantUs: number;
  exemptUs: number;
  twoSidedUs: number;
  presencePpm: number | null;
  presencePct: string | null;
  requiredPct: string;
  atBidUs: number;
  atAskUs: number;
  timeAtBestPpm: number | null;
  timeAtBestPct: string | null;
  requiredTimeAtBestPct: string | null;
  /**
   * continuous mode: compliant µs still needed in the rest of the window to pass, assuming all the
   * remaining time is measured (0 = passes even with no more compliance); 'cannot pass' when more
   * than the remaining time; null in snapshot mode
   */
  neededUs: number | 'cannot pass' | null;
  /** the same need as a number also when it cannot be met (more than the remaining time); null in snapshot mode */
  needUs: number | null;
  /** the rule applied to the window so far: would it pass if it closed now (null: nothing measured) */
  passingNow: boolean | null;
  /** snapshot mode only */
  snapshots: (SnapshotCounts & { remaining: number; needed: number | 'cannot pass'; need: number }) | null;
  /** the breach in progress, if any */
  openBreach: { startUs: number; reason: BreachCode } | null;
}
