// The server's configuration: the built-in default (what `npm start` runs
// without --config), the venue profiles (profiles.ts), and loading +
// validating a JSON file of the same shape (ExchangeConfig), which may start
// from a profile. Every problem is a ConfigError naming the bad field, so the
// CLI can print it as one line.
import { readFileSync } from 'node:fs';
import { Exchange, type AccountConfig, type ExchangeConfig, type ProfileName } from './exchange.ts';
import { PROFILE_NAMES, isProfileName, profileConfig } from './profiles.ts';
import { DEFAULT_SESSION_LIMITS } from './limits.ts';
import { ConfigError, type InstrumentConfig } from '../engine/instrument.ts';
import { validateProgrammes, type ProgrammeConfig } from '../engine/obligations/config.ts';
import type { MmpEntry, MmpLimits } from '../engine/rules/mmp.ts';
import type {
  AccessFeeCapConfig, CollarConfig, CrossConfig, InstrumentRulesConfig, MarketWideConfig, OtrConfig, RateBanConfig, RateLimitConfig, RequestWeightConfig,
  RiskLimitsConfig, RulesConfig,
} from '../engine/rules/config.ts';
import { requestWeightConfig } from './request-weight.ts';

/**
 * The default venue:
 * - BTC-USD, crypto style: price in 0.1 USD (price_scale 1, tick 0.1), quantity in 0.0001 BTC
 *   (qty_scale 4, lot 0.0001, max 100 BTC per order), prices up to 1,000,000.0; taker 2 bp, maker
 *   −1 bp (a rebate) — the fees of domain.md's worked example 1; market orders protected at 5 %.
 * - ETH-USD: price in 0.01 USD, quantity in 0.001 ETH; taker 2.5 bp, maker −1 bp (worked example 2).
 * - ACME, equity style: price in 0.0001 (price_scale 4), whole shares; the MiFID II tick table
 *   (RTS 11 Annex) of liquidity band 6 — a liquid blue chip, 9,000 or more trades a day: tick
 *   0.0001 below 1, 0.0002 from 1, 0.0005 from 2, 0.001 from 5, 0.002 from 10, 0.005 from 20,
 *   0.01 from 50, 0.02 from 100, 0.05 from 200, 0.1 from 500; money in 0.000001
 *   (cash_scale 6), min notional 1.00, orders up to 100,000 shares, a position limit of 250,000
 *   shares; taker 1.5 bp, maker −0.5 bp; market protection 3 %.
 * - Three demo accounts with fixed API keys, so bots and docs can use them as they are:
 *   maker-1 (key demo-maker-1), maker-2 (demo-maker-2), taker (demo-taker).
 * - A maker programme, btc-mm: maker-1 and maker-2 quote BTC-USD two-sided, at most 10 ticks
 *   (1.0 USD) wide, at least 0.0100 BTC a side, 90 % of the measured time of each UTC day; they earn
 *   a −1.5 bp maker rebate instead of −1 bp, and pay the extra 0.5 bp back for a failed day. The
 *   example bots' defaults (±2 ticks, 0.0100 BTC) meet it.
 */
export const DEFAULT_CONFIG: Readonly<ExchangeConfig> = Object.freeze({
  instruments: [
    {
      symbol: 'BTC-USD', price_scale: 1, qty_scale: 4, tick_size: 1, lot: 1, min_qty: 1, max_qty: 1_000_000,
      max_price: 10_000_000, maker_fee_bp: -1, taker_fee_bp: 2, market_protection_bp: 500,
    },
    {
      symbol: 'ETH-USD', price_scale: 2, qty_scale: 3, tick_size: 1, lot: 1, min_qty: 1, max_qty: 10_000_000,
      max_price: 10_000_000, maker_fee_bp: -1, taker_fee_bp: 2.5, market_protection_bp: 500,
    },
    {
      symbol: 'ACME', price_scale: 4, qty_scale: 0,
      rts11_liquidity_band: 6,
      lot: 1, min_qty: 1, max_qty: 100_000, max_price: 1_000_0000, cash_scale: 6, min_notional: 1_000_000, max_position: 250_000,
      maker_fee_bp: -0.5, taker_fee_bp: 1.5, market_protection_bp: 300,
    },
  ],
  accounts: [
    { name: 'maker-1', api_key: 'demo-maker-1' },
    { name: 'maker-2', api_key: 'demo-maker-2' },
    { name: 'taker', api_key: 'demo-taker' },
  ],
  programmes: [
    {
      name: 'btc-mm',
      members: ['maker-1', 'maker-2'],
      instruments: { 'BTC-USD': { max_spread_ticks: 10, min_size_qty: 100, presence_pct: 90, window: 'day' as const } },
      incentives: { enhanced_maker_fee_bp: -1.5, clawback_on_fail: true },
    },
  ],
});

/** A fresh, mutable copy of the default configuration. */
export function defaultConfig(): ExchangeConfig {
  return structuredClone(DEFAULT_CONFIG) as ExchangeConfig;
}

// The fields each object may have. Typed as Record<keyof …> so a field added to the
// interface without being listed here fails to compile, and a typo in a file
// ("max_positon") is an error rather than a silently ignored setting.
const EXCHANGE_FIELDS: Record<keyof ExchangeConfig, true> = {
  instruments: true, accounts: true, max_open_orders_per_account: true, rules: true, profile: true, programmes: true, limits: true,
};
const ACCOUNT_FIELDS: Record<keyof AccountConfig, true> = { name: true, api_key: true, stp: true, risk: true };
const INSTRUMENT_FIELDS: Record<keyof InstrumentConfig, true> = {
  symbol: true, price_scale: true, qty_scale: true, cash_scale: true, tick_size: true, tick_table: true, lot: true, min_qty: true,
  max_qty: true, min_price: true, max_price: true, min_notional: true, maker_fee_bp: true, taker_fee_bp: true,
  maker_fee_per_share: true, taker_fee_per_share: true, market_protection_bp: true, market_remainder: true, max_position: true, rules: true,
  rts11_liquidity_band: true, min_display_qty: true, iceberg_parts: true,
};

type Fields<T> = Record<keyof T, true>;
type Defined<T> = Exclude<T, undefined>;

/**
 * The nested objects of a configuration: each object's allowed fields and, per
 * field holding objects, how they nest ('object', 'array' of objects, or a
 * 'map' from names to objects). Values are the engine's to check.
 */
interface Shape {
  fields: Record<string, true>;
  nested?: Record<string, { kind: 'object' | 'array' | 'map'; shape: Shape }>;
}

const COLLAR_FIELDS = { collar_bp: true, collar_min: true, extension_ms: true, max_extensions: true, widen_bp: true } satisfies Fields<CollarConfig>;
const CROSS_FIELDS = {
  ...COLLAR_FIELDS, at: true, market_until: true, limit_until: true, io_until: true, freeze_from: true, imbalance_from: true, imbalance_every_ms: true,
  imbalance_fast_from: true, imbalance_fast_every_ms: true,
} satisfies Fields<CrossConfig>;

const INSTRUMENT_RULES: Shape = {
  fields: {
    price_band_bp: true, price_band_by_side: true, reference_price: true, price_band_average_ms: true, daily_limit_bp: true,
    daily_limit_rounding: true, previous_close: true, luld: true, velocity: true, min_quote_life_ms: true, schedule: true, auction_stp: true, halt_cancels_quotes: true, time_zone: true,
    crosses: true,
  } satisfies Fields<InstrumentRulesConfig>,
  nested: {
    crosses: {
      kind: 'object',
      shape: {
        fields: { opening: true, closing: true, reopening: true, call_book: true } satisfies Fields<Defined<InstrumentRulesConfig['crosses']>>,
        nested: {
          opening: { kind: 'object', shape: { fields: CROSS_FIELDS } },
          closing: { kind: 'object', shape: { fields: CROSS_FIELDS } },
          reopening: { kind: 'object', shape: { fields: COLLAR_FIELDS } },
        },
      },
    },
    price_band_by_side: {
      kind: 'object',
      shape: { fields: { bid_up_bp: true, bid_down_bp: true, ask_up_bp: true, ask_down_bp: true } satisfies Fields<Defined<InstrumentRulesConfig['price_band_by_side']>> },
    },
    luld: {
      kind: 'object',
      shape: {
        fields: {
          band_bp: true, tier: true, window_ms: true, limit_state_ms: true, halt_ms: true, reference_move_bp: true, double_from: true, double_until: true,
          close_pause_ms: true, from: true, until: true,
        } satisfies Fields<Defined<InstrumentRulesConfig['luld']>>,
      },
    },
    velocity: { kind: 'object', shape: { fields: { ticks: true, window_ms: true, halt_ms: true } satisfies Fields<Defined<InstrumentRulesConfig['velocity']>> } },
    schedule: { kind: 'array', shape: { fields: { at: true, phase: true } satisfies Fields<Defined<InstrumentRulesConfig['schedule']>[number]> } },
  },
};

const RULES: Shape = {
  fields: {
    rate_limits: true, rate_ban: true, otr: true, market_wide: true, access_fee_cap: true, replace_priority: true, mmp: true, request_weight: true,
  } satisfies Fields<RulesConfig>,
  nested: {
    request_weight: {
      kind: 'object',
      shape: {
        fields: { limit: true, interval_ms: true, weights: true, depth_weights: true, ban_after: true, ban_ms: true, ban_max_ms: true } satisfies Fields<RequestWeightConfig>,
        nested: { depth_weights: { kind: 'array', shape: { fields: { up_to: true, weight: true } } } },
      },
    },
    mmp: {
      kind: 'array',
      shape: {
        fields: { accounts: true, instruments: true } satisfies Fields<MmpEntry>,
        nested: {
          instruments: {
            kind: 'map',
            shape: { fields: { window_ms: true, window: true, max_fills: true, max_qty: true, max_delta: true, max_fill_pct: true } satisfies Fields<MmpLimits> },
          },
        },
      },
    },
    rate_limits: {
      kind: 'array',
      shape: {
        fields: {
          name: true, scope: true, window: true, limit: true, interval_ms: true, weights: true, exempt_cancels: true, on_breach: true, count: true,
        } satisfies Fields<RateLimitConfig>,
        nested: { weights: { kind: 'object', shape: { fields: { new: true, amend: true, cancel: true, quote: true } satisfies Fields<Defined<RateLimitConfig['weights']>> } } },
      },
    },
    access_fee_cap: { kind: 'object', shape: { fields: { per_share: true, from_price: true, below_bp: true } satisfies Fields<AccessFeeCapConfig> } },
    rate_ban: { kind: 'object', shape: { fields: { breaches: true, window_ms: true, ban_ms: true } satisfies Fields<RateBanConfig> } },
    otr: { kind: 'object', shape: { fields: { max_count_ratio: true, max_volume_ratio: true, mode: true, min_orders: true } satisfies Fields<OtrConfig> } },
    market_wide: {
      kind: 'object',
      shape: {
        fields: { index: true, levels: true, time_zone: true } satisfies Fields<MarketWideConfig>,
        nested: { levels: { kind: 'array', shape: { fields: { drop_bp: true, halt_ms: true, from: true, until: true } satisfies Fields<MarketWideConfig['levels'][number]> } } },
      },
    },
  },
};

const RISK_LIMITS: Shape = {
  fields: { max_order_qty: true, max_order_notional: true, max_long: true, max_short: true, max_gross_notional: true } satisfies Fields<RiskLimitsConfig>,
};

const ACCOUNT: Shape = { fields: ACCOUNT_FIELDS, nested: { risk: { kind: 'map', shape: RISK_LIMITS } } };

/** Checks an object's fields against its shape, and every nested object's, naming the first bad field. */
function checkNested(v: unknown, where: string, shape: Shape): void {
  const obj = checkFields(v, where, shape.fields);
  for (const [field, n] of Object.entries(shape.nested ?? {})) {
    const value = obj[field];
    if (value === undefined) continue;
    const at = `${where}.${field}`;
    if (n.kind === 'object') checkNested(value, at, n.shape);
    else if (n.kind === 'array') {
      if (!Array.isArray(value)) throw new ConfigError(at, 'must be an array');
      value.forEach((item, i) => checkNested(item, `${at}[${i}]`, n.shape));
    } else {
      if (!isRecord(value)) throw new ConfigError(at, 'must be an object');
      for (const [k, item] of Object.entries(value)) checkNested(item, `${at}.${k}`, n.shape);
    }
  }
}

/**
 * API keys travel in an HTTP header (x-api-key) and in Logon: printable ASCII
 * without spaces, at least 16 characters (failed tries are throttled too, see
 * auth-throttle.ts). The demo accounts' keys are the one exception: shorter,
 * well known, and served on loopback only (withoutDemoKeys).
 */
export const API_KEY_RULE = 'a string of 16-128 printable ASCII characters without spaces';
export const isApiKey = (v: unknown): v is string => typeof v === 'string' && /^[\x21-\x7e]{16,128}$/.test(v);

/** The built-in demo accounts' keys (the default configuration's and the profiles'). */
export const DEMO_API_KEYS: ReadonlySet<string> = new Set(DEFAULT_CONFIG.accounts?.map((a) => a.api_key as string));

const isConfigApiKey = (v: unknown): boolean => isApiKey(v) || (typeof v === 'string' && DEMO_API_KEYS.has(v));

/** Loopback addresses: where the demo keys may be served. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The configuration with the demo accounts' well-known keys replaced by generated ones (printed at start). */
export function withoutDemoKeys(cfg: ExchangeConfig): ExchangeConfig {
  return { ...cfg, accounts: cfg.accounts?.map((a) => (a.api_key !== undefined && DEMO_API_KEYS.has(a.api_key) ? { ...a, api_key: undefined } : a)) };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkFields(v: unknown, where: string, allowed: Record<string, true>): Record<string, unknown> {
  if (!isRecord(v)) throw new ConfigError(where, 'must be an object');
  for (const k of Object.keys(v)) {
    if (!Object.hasOwn(allowed, k)) throw new ConfigError(where === 'config' ? k : `${where}.${k}`, `unknown field (expected one of ${Object.keys(allowed).join(', ')})`);
  }
  return v;
}

/** `limits`: fields of SessionLimits, each a positive safe integer. */
function checkLimits(v: unknown): void {
  const limits = checkFields(v, 'limits', Object.fromEntries(Object.keys(DEFAULT_SESSION_LIMITS).map((k) => [k, true])) as Record<string, true>);
  for (const [k, n] of Object.entries(limits)) {
    if (!(Number.isSafeInteger(n) && (n as number) >= 1)) throw new ConfigError(`limits.${k}`, `must be a positive integer, got ${JSON.stringify(n)}`);
  }
}

/** Shapes the engine does not check (accounts, unknown fields); the engine checks the rest. */
function checkShape(raw: unknown): ExchangeConfig {
  const cfg = checkFields(raw, 'config', EXCHANGE_FIELDS);
  if (!Array.isArray(cfg.instruments) || cfg.instruments.length === 0) throw new ConfigError('instruments', 'must be a non-empty array');
  cfg.instruments.forEach((inst, i) => {
    const fields = checkFields(inst, `instruments[${i}]`, INSTRUMENT_FIELDS);
    if (fields.rules !== undefined) checkNested(fields.rules, `instruments[${i}].rules`, INSTRUMENT_RULES);
  });
  if (cfg.rules !== undefined) checkNested(cfg.rules, 'rules', RULES);
  const weights = (cfg.rules as RulesConfig | undefined)?.request_weight;
  if (weights !== undefined) requestWeightConfig(weights);
  const max = cfg.max_open_orders_per_account;
  if (max !== undefined && !(Number.isSafeInteger(max) && (max as number) >= 1)) {
    throw new ConfigError('max_open_orders_per_account', `must be a positive integer, got ${JSON.stringify(max)}`);
  }
  if (cfg.limits !== undefined) checkLimits(cfg.limits);
  if (cfg.accounts !== undefined && !Array.isArray(cfg.accounts)) throw new ConfigError('accounts', 'must be an array');
  (cfg.accounts ?? []).forEach((a: unknown, i: number) => {
    const acct = checkFields(a, `accounts[${i}]`, ACCOUNT_FIELDS);
    if (acct.api_key !== undefined && !isConfigApiKey(acct.api_key)) throw new ConfigError(`accounts[${i}].api_key`, API_KEY_RULE);
    if (acct.risk !== undefined) checkNested(acct, `accounts[${i}]`, ACCOUNT);
  });
  return cfg as unknown as ExchangeConfig;
}

export const PROFILE_RULE = `one of ${PROFILE_NAMES.map((n) => JSON.stringify(n)).join(', ')}`;

/**
 * A configuration that names a profile, merged: the profile first, then the
 * file's own fields over it — each top-level field replaces the profile's,
 * except `rules`, whose fields replace the profile's rules one by one. The
 * profile's maker programmes (when the file gives none) keep only the members
 * and instruments the merged configuration still has, and a programme left
 * without either is dropped.
 */
export function applyProfile(raw: unknown): unknown {
  if (!isRecord(raw) || raw.profile === undefined) return raw;
  if (!isProfileName(raw.profile)) throw new ConfigError('profile', `must be ${PROFILE_RULE}, got ${JSON.stringify(raw.profile)}`);
  const base = profileConfig(raw.profile);
  const merged: Record<string, unknown> = { ...base, ...raw };
  if (isRecord(raw.rules)) merged.rules = { ...base.rules, ...raw.rules };
  if (raw.programmes === undefined) merged.programmes = fitProgrammes(base.programmes ?? [], merged.accounts, merged.instruments);
  return merged;
}

/** Programmes narrowed to the accounts and instruments a configuration has (by name and symbol). */
function fitProgrammes(programmes: readonly ProgrammeConfig[], accounts: unknown, instruments: unknown): ProgrammeConfig[] {
  const names = (list: unknown, key: string): Set<unknown> => new Set(Array.isArray(list) ? list.map((x) => (isRecord(x) ? x[key] : undefined)) : []);
  const accountNames = names(accounts, 'name');
  const symbols = names(instruments, 'symbol');
  return programmes.flatMap((p) => {
    const members = p.members.filter((m) => accountNames.has(m));
    const obligations = Object.entries(p.instruments).filter(([symbol]) => symbols.has(symbol));
    return members.length > 0 && obligations.length > 0 ? [{ ...p, members, instruments: Object.fromEntries(obligations) }] : [];
  });
}

/**
 * Validates a configuration: its shape here, instruments, rules, account
 * values and maker programmes by the engine itself (the same rules the server
 * will apply), by building a throw-away Exchange; programme members must name
 * accounts of the configuration. A "profile" is merged in first. Throws
 * ConfigError naming the field.
 */
export function validateConfig(raw: unknown): ExchangeConfig {
  const cfg = checkShape(applyProfile(raw));
  const probe = new Exchange({
    instruments: cfg.instruments, max_open_orders_per_account: cfg.max_open_orders_per_account, rules: cfg.rules, programmes: cfg.programmes,
  });
  (cfg.accounts ?? []).forEach((a, i) => {
    const r = probe.createAccount(a.name, a.api_key, a.stp, a.risk);
    if ('error' in r) throw new ConfigError(`accounts[${i}]`, r.error);
  });
  // the engine checked the programmes' fields and symbols; members must be accounts of this file
  validateProgrammes(cfg.programmes, { accounts: new Set((cfg.accounts ?? []).map((a) => a.name)) });
  return cfg;
}

/**
 * The configuration to run: the default one; a profile; the JSON file at
 * `path`; or the file over a profile (`profile` given and the file naming none,
 * or the same one). Validated.
 */
export function loadConfig(path?: string, profile?: string): ExchangeConfig {
  if (profile !== undefined && !isProfileName(profile)) throw new ConfigError('profile', `must be ${PROFILE_RULE}, got ${JSON.stringify(profile)}`);
  if (path === undefined) return profile === undefined ? defaultConfig() : validateConfig({ profile });
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(path, `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(path, `not valid JSON (${(e as Error).message})`);
  }
  if (profile !== undefined && isRecord(raw)) {
    if (raw.profile !== undefined && raw.profile !== profile) {
      throw new ConfigError('profile', `the file names ${JSON.stringify(raw.profile)} but --profile is ${JSON.stringify(profile)}`);
    }
    raw = { profile: profile as ProfileName, ...raw };
  }
  return validateConfig(raw);
}
