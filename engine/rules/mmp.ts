// Market-maker protection (MMP): per account and instrument, the fills of the
// account's mass-quote orders are tallied over a time window; when a tally
// reaches its limit, every quote of the account on that instrument is
// cancelled and its mass quotes are refused until it resets the protection.
//
// Sources:
// - CME Globex Mass Quote Protections (cmegroup.com, "Mass Quote Protections",
//   MQP help system): quote trades only; tallies of traded quantity (Z), fill
//   percentage (F) and delta (D) over an exchange-defined interval (one second)
//   that starts with the first quote fill and resets when it ends; a breach
//   ("equals or exceeds the threshold") cancels the resting quotes and rejects
//   later Mass Quote messages until one carries the reset instruction (tag
//   9773 MMProtectionReset=Y).
// - Eurex T7 Functional Reference, "Market Maker Protection": Volume, Delta
//   (bought − sold for futures, its absolute value checked), Vega and Percent
//   statistics over a sliding time window; Percent = Σ over executions of the
//   traded quantity ÷ the quote's original size, each rounded to a whole
//   percent (2.5 % → 3 %); a limit reached or exceeded deletes the quotes of the
//   product.
//
// Tallies here: `max_fills` (number of quote fills), `max_qty` (traded
// quantity, instrument units), `max_delta` (|bought − sold|, instrument
// units), `max_fill_pct` (Σ round-half-up(100 × fill ÷ quote size)); any one
// reached triggers. Windows: 'sliding' (Eurex: the fills of the last
// window_ms) or 'interval' (CME: from the first fill for window_ms, then the
// tallies start again). Comparisons are on integers.
//
// The engine's side: fill() for every fill of a quote order (the resting
// side: quotes are post-only), at most one trigger per fill; the caller then
// withdraws the quotes (CancelReason MMP) when the command ends. admit() before
// a mass quote; reset() on the member's reset instruction.
//
// Memory: one record per (account, instrument) that had a quote fill; the
// sliding window keeps at most MAX_WINDOW_FILLS entries — past that the two
// oldest are merged into one at the later time, which can only make the
// protection trigger sooner, never later.
import { ConfigError } from '../instrument.ts';

export interface MmpLimits {
  /** the window, ms (1 – 3,600,000) */
  window_ms: number;
  /** 'sliding' (default, Eurex) or 'interval' (CME: from the first fill) */
  window?: 'sliding' | 'interval';
  max_fills?: number;
  max_qty?: number;
  max_delta?: number;
  max_fill_pct?: number;
}

/** One protection entry: limits per symbol ('*' = any instrument) for the named accounts (omitted = every account). */
export interface MmpEntry {
  accounts?: string[];
  instruments: Record<string, MmpLimits>;
}

export type MmpConfig = MmpEntry[];

export interface ValidatedMmpLimits {
  readonly windowUs: number;
  readonly sliding: boolean;
  /** 0 = no such limit */
  readonly maxFills: number;
  readonly maxQty: number;
  readonly maxDelta: number;
  readonly maxFillPct: number;
  readonly config: MmpLimits;
}

/** The tallies of one (account, instrument) now. */
export interface MmpView {
  symbol: string;
  limits: MmpLimits;
  triggered: boolean;
  /** when it triggered (µs); 0 = not triggered */
  triggeredAt: number;
  fills: number;
  qty: number;
  delta: number;
  fillPct: number;
  /** interval window: when the current interval started (0 = none running); sliding: 0 */
  intervalStart: number;
}

export const MAX_WINDOW_FILLS = 10_000;
const LIMIT_KEYS = new Set(['window_ms', 'window', 'max_fills', 'max_qty', 'max_delta', 'max_fill_pct']);
/** instruments are indexed below this; it packs (account, instrument) into one Map key */
const INSTRUMENT_KEYS = 1 << 20;

function limitInt(v: unknown, field: string, max: number): number {
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1 || v > max) {
    throw new ConfigError(field, `must be an integer in [1, ${max}], got ${JSON.stringify(v)}`);
  }
  return v;
}

function validateLimits(v: unknown, where: string): ValidatedMmpLimits {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError(where, 'must be an object');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!LIMIT_KEYS.has(k)) throw new ConfigError(`${where}.${k}`, `unknown field; expected one of ${[...LIMIT_KEYS].join(', ')}`);
  const windowMs = o.window_ms;
  if (typeof windowMs !== 'number' || !Number.isSafeInteger(windowMs) || windowMs < 1 || windowMs > 3_600_000) {
    throw new ConfigError(`${where}.window_ms`, `must be an integer in [1, 3600000], got ${JSON.stringify(windowMs)}`);
  }
  const w = o.window ?? 'sliding';
  if (w !== 'sliding' && w !== 'interval') throw new ConfigError(`${where}.window`, `must be 'sliding' or 'interval', got ${JSON.stringify(w)}`);
  const out: ValidatedMmpLimits = {
    windowUs: windowMs * 1000,
    sliding: w === 'sliding',
    maxFills: limitInt(o.max_fills, `${where}.max_fills`, MAX_WINDOW_FILLS),
    maxQty: limitInt(o.max_qty, `${where}.max_qty`, Number.MAX_SAFE_INTEGER),
    maxDelta: limitInt(o.max_delta, `${where}.max_delta`, Number.MAX_SAFE_INTEGER),
    maxFillPct: limitInt(o.max_fill_pct, `${where}.max_fill_pct`, 1_000_000),
    config: o as unknown as MmpLimits,
  };
  if (out.maxFills + out.maxQty + out.maxDelta + out.maxFillPct === 0) {
    throw new ConfigError(where, 'give at least one of max_fills, max_qty, max_delta, max_fill_pct');
  }
  return out;
}

interface ValidatedEntry {
  accounts: ReadonlySet<string> | null;
  instruments: ReadonlyMap<string, ValidatedMmpLimits>;
}

/** Validates rules.mmp; `symbols` are the instruments the limits may name (besides '*'). */
export function validateMmp(cfg: unknown, symbols: ReadonlySet<string>, where = 'rules.mmp'): ValidatedEntry[] {
  if (!Array.isArray(cfg)) throw new ConfigError(where, 'must be an array of {accounts?, instruments}');
  return cfg.map((e: unknown, i) => {
    const at = `${where}[${i}]`;
    if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new ConfigError(at, 'must be an object');
    const o = e as Record<string, unknown>;
    for (const k of Object.keys(o)) if (k !== 'accounts' && k !== 'instruments') throw new ConfigError(`${at}.${k}`, 'unknown field; expected one of accounts, instruments');
    let accounts: Set<string> | null = null;
    if (o.accounts !== undefined) {
      if (!Array.isArray(o.accounts) || o.accounts.length === 0 || !o.accounts.every((a) => typeof a === 'string' && a.length > 0)) {
        throw new ConfigError(`${at}.accounts`, 'must be a non-empty array of account names');
      }
      accounts = new Set(o.accounts as string[]);
    }
    const insts = o.instruments;
    if (typeof insts !== 'object' || insts === null || Array.isArray(insts) || Object.keys(insts).length === 0) {
      throw new ConfigError(`${at}.instruments`, "must be an object of limits by symbol ('*' = any)");
    }
    const instruments = new Map<string, ValidatedMmpLimits>();
    for (const [sym, l] of Object.entries(insts)) {
      if (sym !== '*' && !symbols.has(sym)) throw new ConfigError(`${at}.instruments.${sym}`, `unknown instrument ${JSON.stringify(sym)}`);
      instruments.set(sym, validateLimits(l, `${at}.instruments.${sym}`));
    }
    return { accounts, instruments };
  });
}

export class Rec {
  triggered = false;
  triggeredAt = 0;
  fills = 0;
  qty = 0;
  delta = 0;
  pct = 0;
  intervalStart = 0;
  // sliding window: the fills in it, oldest first (a ring would do; shift() is fine at these sizes)
  readonly times: number[] = [];
  /** fills per entry (1, more after a merge) */
  readonly ns: number[] = [];
  readonly qtys: number[] = [];
  readonly deltas: number[] = [];
  readonly pcts: number[] = [];
}

/** What tripped, for the event text and value. */
export interface MmpTrip {
  account: number;
  instrument: number;
  /** the tally that reached its limit, e.g. 5 (fills) */
  value: number;
  text: string;
}

export class MarketMakerProtection {
  private readonly entries: ValidatedEntry[];
  private readonly recs = new Map<number, Rec>();
  /** (account id, instrument) → the limits that apply, or null; filled as accounts join */
  private readonly limitsOf = new Map<number, ValidatedMmpLimits | null>();

  constructor(cfg: unknown, private readonly symbols: readonly string[]) {
    this.entries = validateMmp(cfg, new Set(symbols));
  }

  /** A new account: which limits protect it on each instrument (the first entry naming it, or naming nobody, with the symbol or '*'). */
  join(account: number, name: string): void {
    this.symbols.forEach((sym, ii) => {
      let found: ValidatedMmpLimits | null = null;
      for (const e of this.entries) {
        if (e.accounts !== null && !e.accounts.has(name)) continue;
        const l = e.instruments.get(sym) ?? e.instruments.get('*');
        if (l !== undefined) { found = l; break; }
      }
      this.limitsOf.set(key(account, ii), found);
    });
  }

  limits(account: number, ii: number): ValidatedMmpLimits | null {
    return this.limitsOf.get(key(account, ii)) ?? null;
  }

  triggered(account: number, ii: number): boolean {
    return this.recs.get(key(account, ii))?.triggered === true;
  }

  /**
   * A fill of a quote order of the account: side +1 bought / −1 sold, qty filled, quoteQty the quote's
   * size. Returns the trip when this fill makes a tally reach its limit (once: a tripped pair tallies
   * nothing more until it is reset).
   */
  fill(account: number, ii: number, now: number, sign: 1 | -1, qty: number, quoteQty: number): MmpTrip | null {
    const l = this.limits(account, ii);
    if (l === null) return null;
    const k = key(account, ii);
    let r = this.recs.get(k);
    if (r === undefined) {
      r = new Rec();
      this.recs.set(k, r);
    }
    if (r.triggered) return null; // tripped: its quotes are being withdrawn; fills until then are not tallied
    const pct = Math.floor((200 * qty + quoteQty) / (2 * quoteQty)); // round half up of 100 × qty ÷ quoteQty
    if (l.sliding) {
      this.expire(r, l, now);
      if (r.times.length >= MAX_WINDOW_FILLS) mergeOldest(r);
      r.times.push(now);
      r.ns.push(1);
      r.qtys.push(qty);
      r.deltas.push(sign * qty);
      r.pcts.push(pct);
    } else if (r.intervalStart === 0 || now >= r.intervalStart + l.windowUs) {
      // CME: the interval starts with the first fill; when it is over, the tallies start again
      r.intervalStart = now;
      r.fills = r.qty = r.delta = r.pct = 0;
    }
    r.fills++;
    r.qty += qty;
    r.delta += sign * qty;
    r.pct += pct;
    const what = reached(l, r);
    if (what === null) return null;
    r.triggered = true;
    r.triggeredAt = now;
    return {
      account, instrument: ii, value: what.value,
      text: `market-maker protection: ${what.name} ${what.value} within ${l.windowUs / 1000} ms reached the limit ${what.limit}; quotes cancelled until reset`,
    };
  }

  /** Clears the protection (and its tallies). Returns true if it was triggered. */
  reset(account: number, ii: number): boolean {
    const k = key(account, ii);
    const r = this.recs.get(k);
    if (r === undefined) return false;
    this.recs.delete(k);
    return r.triggered;
  }

  view(account: number, ii: number, now: number): MmpView | null {
    const l = this.limits(account, ii);
    if (l === null) return null;
    const r = this.recs.get(key(account, ii)) ?? new Rec();
    if (l.sliding) this.expire(r, l, now);
    const running = !l.sliding && r.intervalStart !== 0 && now < r.intervalStart + l.windowUs;
    const live = l.sliding || running;
    return {
      symbol: this.symbols[ii], limits: l.config, triggered: r.triggered, triggeredAt: r.triggeredAt,
      fills: live ? r.fills : 0, qty: live ? r.qty : 0, delta: live ? r.delta : 0, fillPct: live ? r.pct : 0,
      intervalStart: running ? r.intervalStart : 0,
    };
  }

  /** Records held: for tests. */
  size(): number { return this.recs.size; }

  /** Drops the fills that left the sliding window: a fill at t counts on [t, t + window). */
  private expire(r: Rec, l: ValidatedMmpLimits, now: number): void {
    let n = 0;
    while (n < r.times.length && r.times[n] + l.windowUs <= now) {
      r.fills -= r.ns[n];
      r.qty -= r.qtys[n];
      r.delta -= r.deltas[n];
      r.pct -= r.pcts[n];
      n++;
    }
    if (n === 0) return;
    r.times.splice(0, n);
    r.ns.splice(0, n);
    r.qtys.splice(0, n);
    r.deltas.splice(0, n);
    r.pcts.splice(0, n);
  }
}

const key = (account: number, ii: number): number => account * INSTRUMENT_KEYS + ii;

function reached(l: ValidatedMmpLimits, r: Rec): { name: string; value: number; limit: number } | null {
  if (l.maxFills > 0 && r.fills >= l.maxFills) return { name: 'fills', value: r.fills, limit: l.maxFills };
  if (l.maxQty > 0 && r.qty >= l.maxQty) return { name: 'traded quantity', value: r.qty, limit: l.maxQty };
  if (l.maxDelta > 0 && Math.abs(r.delta) >= l.maxDelta) return { name: 'delta', value: Math.abs(r.delta), limit: l.maxDelta };
  if (l.maxFillPct > 0 && r.pct >= l.maxFillPct) return { name: 'fill percentage', value: r.pct, limit: l.maxFillPct };
  return null;
}

/** Merges the two oldest window entries into one at the later time (the tallies are unchanged; it leaves the window later). */
function mergeOldest(r: Rec): void {
  r.ns[1] += r.ns[0];
  r.qtys[1] += r.qtys[0];
  r.deltas[1] += r.deltas[0];
  r.pcts[1] += r.pcts[0];
  r.times.shift();
  r.ns.shift();
  r.qtys.shift();
  r.deltas.shift();
  r.pcts.shift();
}
