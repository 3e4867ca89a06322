// The server's configuration: the built-in default (what `npm start` runs
// without --config) and loading + validating a JSON file of the same shape
// (ExchangeConfig). Every problem is a ConfigError naming the bad field, so
// the CLI can print it as one line.
import { readFileSync } from 'node:fs';
import { Exchange, type AccountConfig, type ExchangeConfig } from './exchange.ts';
import { ConfigError, type InstrumentConfig } from '../engine/instrument.ts';

/**
 * The default venue:
 * - BTC-USD, crypto style: price in 0.1 USD (price_scale 1, tick 0.1), quantity in 0.0001 BTC
 *   (qty_scale 4, lot 0.0001, max 100 BTC per order), prices up to 1,000,000.0; taker 2 bp, maker
 *   −1 bp (a rebate) — the fees of domain.md's worked example 1; market orders protected at 5 %.
 * - ETH-USD: price in 0.01 USD, quantity in 0.001 ETH; taker 2.5 bp, maker −1 bp (worked example 2).
 * - ACME, equity style: price in 0.0001 (price_scale 4), whole shares; a price-banded tick table
 *   like the MiFID II regime — tick 0.0001 below 10, 0.0005 from 10, 0.005 from 100 (each band
 *   boundary lies on the band below's grid, as the engine requires); money in 0.000001
 *   (cash_scale 6), min notional 1.00, orders up to 100,000 shares, a position limit of 250,000
 *   shares; taker 1.5 bp, maker −0.5 bp; market protection 3 %.
 * - Three demo accounts with fixed API keys, so bots and docs can use them as they are:
 *   maker-1 (key demo-maker-1), maker-2 (demo-maker-2), taker (demo-taker).
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
      tick_table: [{ from_price: 0, tick: 1 }, { from_price: 10_0000, tick: 5 }, { from_price: 100_0000, tick: 50 }],
      lot: 1, min_qty: 1, max_qty: 100_000, max_price: 1_000_0000, cash_scale: 6, min_notional: 1_000_000, max_position: 250_000,
      maker_fee_bp: -0.5, taker_fee_bp: 1.5, market_protection_bp: 300,
    },
  ],
  accounts: [
    { name: 'maker-1', api_key: 'demo-maker-1' },
    { name: 'maker-2', api_key: 'demo-maker-2' },
    { name: 'taker', api_key: 'demo-taker' },
  ],
});

/** A fresh, mutable copy of the default configuration. */
export function defaultConfig(): ExchangeConfig {
  return structuredClone(DEFAULT_CONFIG) as ExchangeConfig;
}

// The fields each object may have. Typed as Record<keyof …> so a field added to the
// interface without being listed here fails to compile, and a typo in a file
// ("max_positon") is an error rather than a silently ignored setting.
const EXCHANGE_FIELDS: Record<keyof ExchangeConfig, true> = { instruments: true, accounts: true, max_open_orders_per_account: true };
const ACCOUNT_FIELDS: Record<keyof AccountConfig, true> = { name: true, api_key: true, stp: true };
const INSTRUMENT_FIELDS: Record<keyof InstrumentConfig, true> = {
  symbol: true, price_scale: true, qty_scale: true, cash_scale: true, tick_size: true, tick_table: true, lot: true, min_qty: true,
  max_qty: true, min_price: true, max_price: true, min_notional: true, maker_fee_bp: true, taker_fee_bp: true,
  market_protection_bp: true, max_position: true, rules: true,
};

/** API keys travel in an HTTP header (x-api-key) and in Logon: printable ASCII without spaces. */
export const API_KEY_RULE = 'a string of 8-128 printable ASCII characters without spaces';
export const isApiKey = (v: unknown): v is string => typeof v === 'string' && /^[\x21-\x7e]{8,128}$/.test(v);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkFields(v: unknown, where: string, allowed: Record<string, true>): Record<string, unknown> {
  if (!isRecord(v)) throw new ConfigError(where, 'must be an object');
  for (const k of Object.keys(v)) {
    if (!Object.hasOwn(allowed, k)) throw new ConfigError(where === 'config' ? k : `${where}.${k}`, `unknown field (expected one of ${Object.keys(allowed).join(', ')})`);
  }
  return v;
}

/** Shapes the engine does not check (accounts, unknown fields); the engine checks the rest. */
function checkShape(raw: unknown): ExchangeConfig {
  const cfg = checkFields(raw, 'config', EXCHANGE_FIELDS);
  if (!Array.isArray(cfg.instruments) || cfg.instruments.length === 0) throw new ConfigError('instruments', 'must be a non-empty array');
  cfg.instruments.forEach((inst, i) => checkFields(inst, `instruments[${i}]`, INSTRUMENT_FIELDS));
  const max = cfg.max_open_orders_per_account;
  if (max !== undefined && !(Number.isSafeInteger(max) && (max as number) >= 1)) {
    throw new ConfigError('max_open_orders_per_account', `must be a positive integer, got ${JSON.stringify(max)}`);
  }
  if (cfg.accounts !== undefined && !Array.isArray(cfg.accounts)) throw new ConfigError('accounts', 'must be an array');
  (cfg.accounts ?? []).forEach((a: unknown, i: number) => {
    const acct = checkFields(a, `accounts[${i}]`, ACCOUNT_FIELDS);
    if (acct.api_key !== undefined && !isApiKey(acct.api_key)) throw new ConfigError(`accounts[${i}].api_key`, API_KEY_RULE);
  });
  return cfg as unknown as ExchangeConfig;
}

/**
 * Validates a configuration: its shape here, instruments and account values
 * by the engine itself (the same rules the server will apply), by building a
 * throw-away Exchange. Throws ConfigError naming the field.
 */
export function validateConfig(raw: unknown): ExchangeConfig {
  const cfg = checkShape(raw);
  const probe = new Exchange({ instruments: cfg.instruments, max_open_orders_per_account: cfg.max_open_orders_per_account });
  (cfg.accounts ?? []).forEach((a, i) => {
    const r = probe.createAccount(a.name, a.api_key, a.stp);
    if ('error' in r) throw new ConfigError(`accounts[${i}]`, r.error);
  });
  return cfg;
}

/** The default configuration, or the JSON file at `path`, validated. */
export function loadConfig(path?: string): ExchangeConfig {
  if (path === undefined) return defaultConfig();
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
  return validateConfig(raw);
}
