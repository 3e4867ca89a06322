// The maker programme at the gateway: the engine's obligation views
// as the wire's ObligationStatus and ObligationReport, the rows of the REST
// report and their CSV export, programme definitions and account settlements.
// Pure functions, no state. Time figures are µs; prices and quantities are
// integers in instrument units; presence is exact ppm plus the engine's
// truncated three-decimal percentage string.
import { BREACH_NAME, BREACH_TEXT, type BreachRecord, type ObligationStatusView, type WindowReport } from '../engine/obligations/types.ts';
import type { ValidatedProgramme } from '../engine/obligations/config.ts';
import type { Settlement } from '../engine/obligations/programme.ts';

// ---- wire enums (proto/makerbench.proto) ----

export const WireWindow = { hour: 1, day: 2, week: 3, month: 4 } as const;
export const WireMeasurement = { continuous: 1, snapshot: 2 } as const;
export const Outcome = { NONE: 0, PASS: 1, FAIL: 2 } as const;
export const WireSettlementKind = { clawback: 1, tier: 2 } as const;

const outcome = (passed: boolean | null): number => (passed === null ? Outcome.NONE : passed ? Outcome.PASS : Outcome.FAIL);

/** A maker rate (1e-6 units, as the engine keeps fees) in basis points. */
const rateBp = (rate: number): number => rate / 100;

/** ObligationStatus as sent (a type alias, so it passes as a wire message record). */
export type ObligationStatus = {
  programme: string;
  symbol: string;
  transact_time: number;
  compliant: boolean;
  reason: number;
  text: string;
  measured: boolean;
  stressed: boolean;
  grace_until: number;
  measurement: number;
  window: number;
  window_label: string;
  window_start: number;
  window_end: number;
  remaining_us: number;
  measured_us: number;
  compliant_us: number;
  exempt_us: number;
  two_sided_us: number;
  presence_ppm: number;
  presence_pct: string;
  required_pct: string;
  passing_now: number;
  needed_us: number;
  cannot_pass: boolean;
  snapshots_taken: number;
  snapshots_passed: number;
  snapshots_skipped: number;
  snapshots_remaining: number;
  snapshots_needed: number;
  snapshot_pass_pct: string;
  snapshot_required_pct: string;
  breach_start: number;
  at_bid_us: number;
  at_ask_us: number;
  time_at_best_ppm: number;
  time_at_best_pct: string;
  required_time_at_best_pct: string;
};

export function obligationStatus(programme: string, v: ObligationStatusView): ObligationStatus {
  const s = v.snapshots;
  return {
    programme, symbol: v.symbol, transact_time: v.atUs, compliant: v.compliant, reason: v.reason, text: BREACH_TEXT[v.reason],
    measured: v.measured, stressed: v.stressed, grace_until: v.graceUntilUs ?? 0,
    measurement: WireMeasurement[v.mode], window: WireWindow[v.window], window_label: v.label,
    window_start: v.windowStartUs, window_end: v.windowEndUs, remaining_us: v.remainingUs,
    measured_us: v.measuredUs, compliant_us: v.compliantUs, exempt_us: v.exemptUs, two_sided_us: v.twoSidedUs,
    presence_ppm: v.presencePpm ?? 0, presence_pct: v.presencePct ?? '', required_pct: v.requiredPct,
    passing_now: outcome(v.passingNow),
    // always the need, also when it cannot be met (then it is beyond remaining_us)
    needed_us: v.needUs ?? 0,
    cannot_pass: v.neededUs === 'cannot pass' || s?.needed === 'cannot pass',
    snapshots_taken: s?.taken ?? 0, snapshots_passed: s?.passed ?? 0, snapshots_skipped: s?.skipped ?? 0,
    snapshots_remaining: s?.remaining ?? 0, snapshots_needed: s?.need ?? 0,
    snapshot_pass_pct: s?.passPct ?? '', snapshot_required_pct: s?.requiredPct ?? '',
    breach_start: breachStart(v),
    ...timeAtBestWire(v),
  };
}

/**
 * When the breach going on at atUs began (0: none). At the instant a breach
 * begins the engine's open breach is still the previous one (no time has
 * passed in the new state), so a reason other than the open breach's starts now.
 */
function breachStart(v: ObligationStatusView): number {
  if (v.compliant || !v.measured) return 0;
  return v.openBreach !== null && v.openBreach.reason === v.reason ? v.openBreach.startUs : v.atUs;
}

/** The time-at-best figures as sent ("" for a percentage that is not there). */
function timeAtBestWire(v: ObligationStatusView | WindowReport): Pick<ObligationStatus, 'at_bid_us' | 'at_ask_us' | 'time_at_best_ppm' | 'time_at_best_pct' | 'required_time_at_best_pct'> {
  return {
    at_bid_us: v.atBidUs, at_ask_us: v.atAskUs, time_at_best_ppm: v.timeAtBestPpm ?? 0, time_at_best_pct: v.timeAtBestPct ?? '',
    required_time_at_best_pct: v.requiredTimeAtBestPct ?? '',
  };
}

/** ProgrammeSettlement as sent. */
function wireSettlement(s: Settlement): Record<string, unknown> {
  return { kind: WireSettlementKind[s.kind], amount: s.amount, maker_fee_bp: rateBp(s.makerRate), text: s.text };
}

/** A closed window as the ObligationReport its member hears, with what its end settled. */
export function obligationReport(programme: string, time: number, r: WindowReport, settled: readonly Settlement[]): Record<string, unknown> {
  const s = r.snapshots;
  return {
    programme, symbol: r.symbol, window: WireWindow[r.window], window_label: r.label, window_start: r.startUs, window_end: r.endUs,
    transact_time: time, measurement: WireMeasurement[r.mode], outcome: outcome(r.passed),
    presence_ppm: r.presencePpm ?? 0, presence_pct: r.presencePct ?? '', required_pct: r.requiredPct,
    measured_us: r.measuredUs, compliant_us: r.compliantUs, exempt_us: r.exemptUs, two_sided_us: r.twoSidedUs,
    bid_us: r.bidUs, ask_us: r.askUs, avg_spread: r.avgSpread ?? 0, avg_bid_qty: r.avgBidQty ?? 0, avg_ask_qty: r.avgAskQty ?? 0,
    snapshots_taken: s?.taken ?? 0, snapshots_passed: s?.passed ?? 0, snapshots_skipped: s?.skipped ?? 0,
    snapshot_pass_pct: s?.passPct ?? '', snapshot_required_pct: s?.requiredPct ?? '',
    breach_count: r.breachCount, days_passed: r.daysPassed ?? 0, days_measured: r.daysMeasured ?? 0,
    settlements: settled.map(wireSettlement),
    ...timeAtBestWire(r),
  };
}

/** The settlements a report event closed: its window's, made by the command that closed it. */
export function settledBy(all: readonly Settlement[], programme: string, time: number, r: WindowReport): Settlement[] {
  return all.filter((s) => s.time === time && s.programme === programme && s.symbol === r.symbol && s.window === r.label);
}

// ---- REST ----

/** Whose obligation a report row is. */
export interface Member {
  programme: string;
  account: number;
  name: string;
  symbol: string;
}

const breachJson = (b: BreachRecord): Record<string, unknown> => ({ start: b.startUs, end: b.endUs, reason: BREACH_NAME[b.reason] });

/**
 * One member × instrument × window as REST shows it: the current window so far
 * (final false, figures up to `at`) or a closed one. Scalars first, in the
 * order of the CSV columns; then breaches (with times) and, for month windows,
 * the day lines.
 */
export function reportRow(m: Member, r: WindowReport): Record<string, unknown> {
  const s = r.snapshots;
  return {
    programme: m.programme, account_id: String(m.account), account: m.name, symbol: m.symbol,
    window: r.window, label: r.label, start: r.startUs, end: r.endUs, final: r.final, at: r.atUs, measurement: r.mode,
    passed: r.passed, presence_ppm: r.presencePpm, presence_pct: r.presencePct, required_pct: r.requiredPct,
    measured_us: r.measuredUs, compliant_us: r.compliantUs, exempt_us: r.exemptUs, two_sided_us: r.twoSidedUs,
    bid_us: r.bidUs, ask_us: r.askUs,
    at_bid_us: r.atBidUs, at_ask_us: r.atAskUs, time_at_best_ppm: r.timeAtBestPpm, time_at_best_pct: r.timeAtBestPct,
    required_time_at_best_pct: r.requiredTimeAtBestPct,
    avg_spread: r.avgSpread, avg_bid_qty: r.avgBidQty, avg_ask_qty: r.avgAskQty,
    spread_integral: r.spreadIntegral, bid_qty_integral: r.bidQtyIntegral, ask_qty_integral: r.askQtyIntegral,
    snapshots_taken: s?.taken ?? null, snapshots_passed: s?.passed ?? null, snapshots_skipped: s?.skipped ?? null,
    snapshot_pass_pct: s?.passPct ?? null, snapshot_required_pct: s?.requiredPct ?? null,
    breach_count: r.breachCount, breaches_dropped: r.breachesDropped, days_passed: r.daysPassed, days_measured: r.daysMeasured,
    breaches: r.breaches.map(breachJson),
    days: r.days && r.days.map((d) => ({
      label: d.label, start: d.startUs, measured_us: d.measuredUs, compliant_us: d.compliantUs, exempt_us: d.exemptUs,
      presence_ppm: d.presencePpm, snapshots_taken: d.snapshotsTaken, snapshots_passed: d.snapshotsPassed, passed: d.passed,
    })),
  };
}

/** A member's closed windows (oldest first), then the current one. */
export function memberRows(m: Member, current: WindowReport, closed: readonly WindowReport[]): Record<string, unknown>[] {
  return [...closed, current].map((r) => reportRow(m, r));
}

/** The CSV columns: every scalar of a report row, then the breaches in one cell. */
export const CSV_COLUMNS: readonly string[] = [
  ...Object.keys(reportRow({ programme: '', account: 0, name: '', symbol: '' }, emptyReport())).filter((k) => k !== 'breaches' && k !== 'days'),
  'breaches',
];

function emptyReport(): WindowReport {
  return {
    symbol: '', window: 'day', label: '', startUs: 0, endUs: 0, final: false, atUs: 0, mode: 'continuous', passed: null, presencePpm: null,
    presencePct: null, requiredPct: '', measuredUs: 0, compliantUs: 0, exemptUs: 0, twoSidedUs: 0, bidUs: 0, askUs: 0, atBidUs: 0, atAskUs: 0,
    timeAtBestPpm: null, timeAtBestPct: null, requiredTimeAtBestPct: null, avgSpread: null,
    spreadIntegral: '0', avgBidQty: null, avgAskQty: null, bidQtyIntegral: '0', askQtyIntegral: '0', snapshots: null, breaches: [],
    breachCount: 0, breachesDropped: 0, days: null, daysPassed: null, daysMeasured: null,
  };
}

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
function csvField(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * The rows as CSV: a header, then one line per member × instrument × window.
 * Empty cells are nulls (nothing measured, no snapshot mode); `breaches` is
 * "REASON start-end" per breach (µs), separated by ";".
 */
export function reportCsv(rows: readonly Record<string, unknown>[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const row of rows) {
    const breaches = (row.breaches as { start: number; end: number; reason: string }[]).map((b) => `${b.reason} ${b.start}-${b.end}`).join(';');
    lines.push(CSV_COLUMNS.map((c) => csvField(c === 'breaches' ? breaches : row[c])).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

/**
 * A programme's definition: its members, status interval, each instrument's
 * obligation as configured (with the window and measurement defaults written
 * out) and the incentives in effect.
 */
export function programmeDefinition(p: ValidatedProgramme): Record<string, unknown> {
  const inc = p.incentives;
  return {
    name: p.name,
    members: [...p.members],
    status_interval_ms: p.statusIntervalUs / 1000,
    instruments: Object.fromEntries([...p.instruments].map(([symbol, o]) => [
      symbol, { ...o.config, measurement: o.config.measurement ?? 'continuous', window: o.window },
    ])),
    incentives: {
      enhanced_maker_fee_bp: inc.enhancedMakerRate === null ? null : rateBp(inc.enhancedMakerRate),
      ...(inc.enhancedMakerPerShare === null ? {} : { enhanced_maker_fee_per_share: inc.enhancedMakerPerShare }),
      clawback_on_fail: inc.clawbackOnFail,
      maker_share_tiers: inc.makerShareTiers.map((t) => ({ min_share_bp: t.minSharePpm / 100, maker_fee_bp: rateBp(t.makerRate) })),
    },
  };
}

/** A settlement in the account view; `money` formats cash units of the symbol as a decimal string. */
export function settlementJson(s: Settlement, money: (symbol: string, units: number) => string): Record<string, unknown> {
  return {
    time: s.time, programme: s.programme, symbol: s.symbol, window: s.window, kind: s.kind,
    amount: money(s.symbol, s.amount), maker_fee_bp: rateBp(s.makerRate), text: s.text,
  };
}
