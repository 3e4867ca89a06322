// Maker programme configuration, as written in a config file
// (snake_case like the wire contract; prices, quantities and money in the
// instrument's integer units; times in ms or s as named). Validation throws a
// ConfigError naming the field, e.g.
//   programmes[0].instruments.BTC-USD.max_spread_ticks: give max_spread_ticks or max_spread_bp, not both
// and normalises everything to integers: percentages to ppm (10^-4 %), basis
// points to 0.01 bp, times to µs.
import { bpToRate, ConfigError } from '../instrument.ts';
import { WINDOW_KINDS, type WindowKind } from './windows.ts';

export type { WindowKind } from './windows.ts';

export interface ProgrammeConfig {
  name: string;
  /** account names (the gateway maps them to account ids) */
  members: string[];
  /** obligations by instrument symbol */
  instruments: Record<string, ObligationConfig>;
  incentives?: IncentivesConfig;
  /** cadence of the live ObligationStatus message, default 1000 */
  status_interval_ms?: number;
}

export interface IncentivesConfig {
  /** the members' maker fee (bp, two decimals, negative = rebate) instead of the instrument's */
  enhanced_maker_fee_bp?: number;
  /** the members' maker fee per whole share (integer cash units, negative = rebate) instead of the instrument's */
  enhanced_maker_fee_per_share?: number;
  /** default true: a member that fails a window pays back the enhancement earned in it */
  clawback_on_fail?: boolean;
  /** Binance LP style: maker fee by the member's maker share of volume (ascending min_share_bp) */
  maker_share_tiers?: { min_share_bp: number; maker_fee_bp: number }[];
}

export interface ObligationConfig {
  /** exactly one of: the spread limit in ticks (on the tick table), or in bp of the member's own mid */
  max_spread_ticks?: number;
  max_spread_bp?: number;
  /** exactly one of: the minimum size per side, in quantity units or in cash units of notional */
  min_size_qty?: number;
  min_size_notional?: number;
  /** Bybit option: size counted cumulatively within this many bp of the book mid, not only at the member's best price */
  depth_bp?: number;
  /** required share of measured time, percent with at most three decimals (e.g. 90) */
  presence_pct: number;
  /** default 'continuous' (time-weighted); or snapshots every snapshot_s seconds, a window passing at ≥ pass_pct of them */
  measurement?: 'continuous' | { snapshot_s: number; pass_pct: number };
  /** UTC window, default 'day'; a week starts Monday 00:00; a month is the calendar month, the aggregate of its days */
  window?: WindowKind;
  /** only while the instrument is stressed: multiply the max spread, or suspend measurement */
  stressed?: { spread_multiplier?: number; suspend?: boolean };
  /** after a fill of the member on this instrument, a missing side is not a breach for this long */
  grace_ms?: number;
  /** MiFID II RTS 8 comparable size: the smaller side at least this percentage of the larger (50) */
  comparable_size_pct?: number;
  /** NYSE DMM style: required share of measured time at the book's best bid / offer, averaged over the two sides */
  time_at_best_pct?: number;
}

/** One validated obligation: every figure an integer. */
export interface ValidatedObligation {
  readonly symbol: string;
  /** the max spread in ticks; 0 when the limit is in bp */
  readonly maxSpreadTicks: number;
  /** the max spread in 0.01 bp of the member's mid; 0 when the limit is in ticks */
  readonly maxSpreadCentiBp: number;
  /** min size per side in quantity units; 0 when the minimum is a notional */
  readonly minSizeQty: number;
  /** min notional per side in cash units; 0 when the minimum is a quantity */
  readonly minSizeNotional: number;
  /** depth band around the book mid in 0.01 bp; 0 = size at the member's best price only */
  readonly depthCentiBp: number;
  /** required presence in ppm of measured time (90 % = 900_000) */
  readonly presencePpm: number;
  /** snapshot interval in µs; 0 = continuous measurement */
  readonly snapshotUs: number;
  /** snapshot mode: share of snapshots a window needs, ppm */
  readonly snapshotPassPpm: number;
  readonly window: WindowKind;
  /** max spread multiplier while stressed, in hundredths (200 = ×2; 100 = unchanged) */
  readonly stressMultiplierPct: number;
  /** while stressed, time is not measured */
  readonly stressSuspend: boolean;
  readonly graceUs: number;
  /** comparable size: the smaller side must be at least this percentage of the larger; 0 = no such test */
  readonly comparablePct: number;
  /** required time at the best, ppm of measured time (averaged over the sides); 0 = none */
  readonly timeAtBestPpm: number;
  /** the definition as configured, for the REST view */
  readonly config: ObligationConfig;
}

export interface ValidatedIncentives {
  /** enhanced maker fee rate in 1e-6 units (like Instrument.makerRate); null = none */
  readonly enhancedMakerRate: number | null;
  /** enhanced maker fee per whole share in cash units (like Instrument.makerPerShare); null = none */
  readonly enhancedMakerPerShare: number | null;
  readonly clawbackOnFail: boolean;
  /** ascending by minSharePpm; empty = none */
  readonly makerShareTiers: readonly { minSharePpm: number; makerRate: number }[];
}

export interface ValidatedProgramme {
  readonly name: string;
  readonly members: readonly string[];
  /** by symbol, in configuration order */
  readonly instruments: ReadonlyMap<string, ValidatedObligation>;
  readonly incentives: ValidatedIncentives;
  readonly statusIntervalUs: number;
}

/** What validation may check names against; omitted sets are not checked. */
export interface ProgrammeContext {
  symbols?: ReadonlySet<string>;
  accounts?: ReadonlySet<string>;
}

const MS = 1000;
const MAX_GRACE_MS = 3_600_000;

const OBLIGATION_KEYS = new Set(['max_spread_ticks', 'max_spread_bp', 'min_size_qty', 'min_size_notional', 'depth_bp',
  'presence_pct', 'measurement', 'window', 'stressed', 'grace_ms', 'comparable_size_pct', 'time_at_best_pct']);
const PROGRAMME_KEYS = new Set(['name', 'members', 'instruments', 'incentives', 'status_interval_ms']);

function record(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError(where, 'must be an object');
  return v as Record<string, unknown>;
}

function onlyKeys(o: Record<string, unknown>, allowed: ReadonlySet<string>, where: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.has(k)) throw new ConfigError(`${where}.${k}`, `unknown field; expected one of ${[...allowed].join(', ')}`);
  }
}

function int(v: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new ConfigError(field, `must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  }
  return v;
}

/** A decimal with at most `decimals` decimals in [min, max] → integer × 10^decimals. */
function fixed(v: unknown, field: string, decimals: number, min: number, max: number): number {
  const f = 10 ** decimals;
  const scaled = typeof v === 'number' ? Math.round(v * f) : NaN;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || Math.abs(v * f - scaled) > 1e-6) {
    throw new ConfigError(field, `must be a number in [${min}, ${max}] with at most ${decimals} decimals, got ${JSON.stringify(v)}`);
  }
  return scaled;
}

function bool(v: unknown, field: string, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new ConfigError(field, `must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

/** Exactly one of two optional fields. */
function oneOf(o: Record<string, unknown>, a: string, b: string, where: string): string {
  const hasA = o[a] !== undefined;
  const hasB = o[b] !== undefined;
  if (hasA && hasB) throw new ConfigError(`${where}.${a}`, `give ${a} or ${b}, not both`);
  if (!hasA && !hasB) throw new ConfigError(`${where}.${a}`, `give one of ${a} or ${b}`);
  return hasA ? a : b;
}

/** Validates one instrument's obligation; `where` is its path, e.g. programmes[0].instruments.BTC-USD. */
export function validateObligation(cfg: unknown, symbol: string, where: string): ValidatedObligation {
  const o = record(cfg, where);
  onlyKeys(o, OBLIGATION_KEYS, where);
  const spread = oneOf(o, 'max_spread_ticks', 'max_spread_bp', where);
  const size = oneOf(o, 'min_size_qty', 'min_size_notional', where);

  let snapshotUs = 0;
  let snapshotPassPpm = 0;
  const m = o.measurement;
  if (m !== undefined && m !== 'continuous') {
    if (typeof m !== 'object' || m === null || Array.isArray(m)) {
      throw new ConfigError(`${where}.measurement`, `must be 'continuous' or {snapshot_s, pass_pct}, got ${JSON.stringify(m)}`);
    }
    const mm = m as Record<string, unknown>;
    onlyKeys(mm, new Set(['snapshot_s', 'pass_pct']), `${where}.measurement`);
    snapshotUs = int(mm.snapshot_s, `${where}.measurement.snapshot_s`, 1, 86_400) * 1_000_000;
    snapshotPassPpm = fixed(mm.pass_pct, `${where}.measurement.pass_pct`, 3, 0, 100) * 10;
  }

  const w = o.window ?? 'day';
  if (typeof w !== 'string' || !(WINDOW_KINDS as readonly string[]).includes(w)) {
    throw new ConfigError(`${where}.window`, `must be one of ${WINDOW_KINDS.map((k) => `'${k}'`).join(', ')}, got ${JSON.stringify(w)}`);
  }

  let stressMultiplierPct = 100;
  let stressSuspend = false;
  if (o.stressed !== undefined) {
    const s = record(o.stressed, `${where}.stressed`);
    onlyKeys(s, new Set(['spread_multiplier', 'suspend']), `${where}.stressed`);
    if (s.spread_multiplier !== undefined) stressMultiplierPct = fixed(s.spread_multiplier, `${where}.stressed.spread_multiplier`, 2, 1, 100);
    stressSuspend = bool(s.suspend, `${where}.stressed.suspend`, false);
  }

  return {
    symbol,
    maxSpreadTicks: spread === 'max_spread_ticks' ? int(o.max_spread_ticks, `${where}.max_spread_ticks`, 1, 1_000_000_000) : 0,
    maxSpreadCentiBp: spread === 'max_spread_bp' ? fixed(o.max_spread_bp, `${where}.max_spread_bp`, 2, 0.01, 10_000) : 0,
    minSizeQty: size === 'min_size_qty' ? int(o.min_size_qty, `${where}.min_size_qty`, 1) : 0,
    minSizeNotional: size === 'min_size_notional' ? int(o.min_size_notional, `${where}.min_size_notional`, 1) : 0,
    depthCentiBp: o.depth_bp === undefined ? 0 : fixed(o.depth_bp, `${where}.depth_bp`, 2, 0.01, 10_000),
    presencePpm: fixed(o.presence_pct, `${where}.presence_pct`, 3, 0, 100) * 10,
    snapshotUs,
    snapshotPassPpm,
    window: w as WindowKind,
    stressMultiplierPct,
    stressSuspend,
    graceUs: o.grace_ms === undefined ? 0 : int(o.grace_ms, `${where}.grace_ms`, 0, MAX_GRACE_MS) * MS,
    comparablePct: o.comparable_size_pct === undefined ? 0 : int(o.comparable_size_pct, `${where}.comparable_size_pct`, 1, 100),
    timeAtBestPpm: o.time_at_best_pct === undefined ? 0 : fixed(o.time_at_best_pct, `${where}.time_at_best_pct`, 3, 0.001, 100) * 10,
    config: o as unknown as ObligationConfig,
  };
}

function incentives(v: unknown, where: string): ValidatedIncentives {
  if (v === undefined) return { enhancedMakerRate: null, enhancedMakerPerShare: null, clawbackOnFail: true, makerShareTiers: [] };
  const o = record(v, where);
  onlyKeys(o, new Set(['enhanced_maker_fee_bp', 'enhanced_maker_fee_per_share', 'clawback_on_fail', 'maker_share_tiers']), where);
  if (o.enhanced_maker_fee_bp !== undefined && o.maker_share_tiers !== undefined) {
    throw new ConfigError(`${where}.maker_share_tiers`, 'give enhanced_maker_fee_bp or maker_share_tiers, not both');
  }
  const tiers: { minSharePpm: number; makerRate: number }[] = [];
  if (o.maker_share_tiers !== undefined) {
    const list = o.maker_share_tiers;
    if (!Array.isArray(list) || list.length === 0) throw new ConfigError(`${where}.maker_share_tiers`, 'must be a non-empty array');
    list.forEach((t: unknown, i) => {
      const at = `${where}.maker_share_tiers[${i}]`;
      const r = record(t, at);
      onlyKeys(r, new Set(['min_share_bp', 'maker_fee_bp']), at);
      // share in bp (two decimals) → ppm of volume: 1 bp = 100 ppm
      const minSharePpm = fixed(r.min_share_bp, `${at}.min_share_bp`, 2, 0, 10_000);
      if (i > 0 && minSharePpm <= tiers[i - 1].minSharePpm) throw new ConfigError(`${at}.min_share_bp`, 'tiers must ascend');
      tiers.push({ minSharePpm, makerRate: bpToRate(r.maker_fee_bp as number, `${at}.maker_fee_bp`) });
    });
  }
  return {
    enhancedMakerRate: o.enhanced_maker_fee_bp === undefined ? null : bpToRate(o.enhanced_maker_fee_bp as number, `${where}.enhanced_maker_fee_bp`),
    // exactness against each instrument's max_qty is checked where instruments are known (Programmes)
    enhancedMakerPerShare: o.enhanced_maker_fee_per_share === undefined ? null
      : int(o.enhanced_maker_fee_per_share, `${where}.enhanced_maker_fee_per_share`, -1_000_000_000, 1_000_000_000),
    clawbackOnFail: bool(o.clawback_on_fail, `${where}.clawback_on_fail`, true),
    makerShareTiers: tiers,
  };
}

/** Validates one programme; `where` is its path, e.g. programmes[0]. */
export function validateProgramme(cfg: unknown, where: string, ctx: ProgrammeContext = {}): ValidatedProgramme {
  const o = record(cfg, where);
  onlyKeys(o, PROGRAMME_KEYS, where);
  if (typeof o.name !== 'string' || o.name.length < 1 || o.name.length > 64) {
    throw new ConfigError(`${where}.name`, `must be a string of 1-64 characters, got ${JSON.stringify(o.name)}`);
  }
  if (!Array.isArray(o.members) || o.members.length === 0) throw new ConfigError(`${where}.members`, 'must be a non-empty array of account names');
  const members: string[] = [];
  o.members.forEach((m: unknown, i) => {
    const at = `${where}.members[${i}]`;
    if (typeof m !== 'string' || m.length === 0) throw new ConfigError(at, `must be an account name, got ${JSON.stringify(m)}`);
    if (members.includes(m)) throw new ConfigError(at, `duplicate member ${JSON.stringify(m)}`);
    if (ctx.accounts && !ctx.accounts.has(m)) throw new ConfigError(at, `unknown account ${JSON.stringify(m)}`);
    members.push(m);
  });
  const insts = record(o.instruments, `${where}.instruments`);
  const instruments = new Map<string, ValidatedObligation>();
  for (const [symbol, ob] of Object.entries(insts)) {
    const at = `${where}.instruments.${symbol}`;
    if (ctx.symbols && !ctx.symbols.has(symbol)) throw new ConfigError(at, `unknown instrument ${JSON.stringify(symbol)}`);
    instruments.set(symbol, validateObligation(ob, symbol, at));
  }
  if (instruments.size === 0) throw new ConfigError(`${where}.instruments`, 'must name at least one instrument');
  const interval = o.status_interval_ms === undefined ? 1000 : int(o.status_interval_ms, `${where}.status_interval_ms`, 100, 3_600_000);
  return {
    name: o.name,
    members,
    instruments,
    incentives: incentives(o.incentives, `${where}.incentives`),
    statusIntervalUs: interval * MS,
  };
}

/**
 * Validates the `programmes` list. Names are unique, and a member has at most
 * one obligation per instrument across all programmes (one meter per pair).
 */
export function validateProgrammes(cfg: unknown, ctx: ProgrammeContext = {}, where = 'programmes'): ValidatedProgramme[] {
  if (cfg === undefined) return [];
  if (!Array.isArray(cfg)) throw new ConfigError(where, 'must be an array');
  const out: ValidatedProgramme[] = [];
  const pairs = new Map<string, string>();
  cfg.forEach((p: unknown, i) => {
    const at = `${where}[${i}]`;
    const v = validateProgramme(p, at, ctx);
    if (out.some((q) => q.name === v.name)) throw new ConfigError(`${at}.name`, `duplicate programme name ${JSON.stringify(v.name)}`);
    for (const m of v.members) {
      for (const s of v.instruments.keys()) {
        const key = `${m}\u0000${s}`;
        const other = pairs.get(key);
        if (other !== undefined) {
          throw new ConfigError(`${at}.members`, `${JSON.stringify(m)} already has an obligation on ${s} in programme ${JSON.stringify(other)}`);
        }
        pairs.set(key, v.name);
      }
    }
    out.push(v);
  });
  return out;
}
