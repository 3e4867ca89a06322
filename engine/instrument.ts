import { mulDivFloor, parseUnits, RATE_DENOMINATOR } from './money.ts';
import { rts11TickTable } from './rts11.ts';
import type { AccessFeeCapConfig, InstrumentRulesConfig } from './rules/config.ts';

// Instrument reference data and its start-up validation. Prices are integers
// in units of 10^-price_scale, quantities in 10^-qty_scale, and every amount
// of money (notional, fee, cash, P&L) in 10^-cash_scale of the quote currency.

export interface TickBand {
  /** lowest price (inclusive, price units) this tick applies to */
  from_price: number;
  /** tick size in price units */
  tick: number;
}

/** Instrument configuration as written in a config file (snake_case like the wire contract). */
export interface InstrumentConfig {
  symbol: string;
  price_scale: number;
  qty_scale: number;
  /** decimals of money amounts; default: the largest of price_scale+qty_scale+6 … price_scale+qty_scale that keeps every fill exact */
  cash_scale?: number;
  /** a single tick, or a price-banded table (ascending from_price, the first from 0 or min_price) */
  tick_size?: number;
  tick_table?: TickBand[];
  /**
   * instead of tick_size / tick_table: the MiFID II tick table (RTS 11 Annex) of this liquidity band,
   * 1 (ADNT < 10) … 6 (ADNT ≥ 9,000), in the instrument's price scale (engine/rts11.ts)
   */
  rts11_liquidity_band?: number;
  lot: number;
  min_qty: number;
  max_qty: number;
  min_price?: number;
  max_price: number;
  /** minimum price × qty in cash units; 0 = none */
  min_notional?: number;
  /** maker and taker fee rates in basis points, at most two decimals; negative = rebate */
  maker_fee_bp: number;
  taker_fee_bp: number;
  /**
   * fees per share (US equities), integers in cash units per whole unit of quantity (10^qty_scale
   * qty units), charged beside the bp fees; negative = rebate; default 0
   */
  maker_fee_per_share?: number;
  taker_fee_per_share?: number;
  /** market orders become limits at best ± this many bp (never an unbounded sweep) */
  market_protection_bp?: number;
  /**
   * what is left of a market order at its protection price: 'cancel' (default; IOC/FOK market orders
   * only) or 'rest' (CME): a market order is GTC by default and may be GTD, and its remainder rests
   * as a limit order at the protection price (IOC and FOK market orders still cancel it)
   */
  market_remainder?: 'cancel' | 'rest';
  /** largest absolute position (qty units) one account may reach, counting open orders */
  max_position?: number;
  /** iceberg: the smallest display quantity (qty units, a multiple of lot); default min_qty */
  min_display_qty?: number;
  /** iceberg: at most this many parts (Binance ICEBERG_PARTS: display ≥ qty / parts, rounded up); 0 = no limit (default) */
  iceberg_parts?: number;
  /** price controls, circuit breakers, schedule (engine/rules/config.ts) */
  rules?: InstrumentRulesConfig;
}

/** Validated, normalised instrument used by the engine. */
export interface Instrument {
  readonly index: number;
  readonly symbol: string;
  readonly priceScale: number;
  readonly qtyScale: number;
  readonly cashScale: number;
  /** price × qty × notionalMultiplier = notional in cash units (exact, ≤ 2^53) */
  readonly notionalMultiplier: number;
  readonly tickTable: readonly TickBand[];
  /** the tick when one applies at every price (no banded table), else 0: lets the order path skip the table */
  readonly uniformTick: number;
  readonly lot: number;
  readonly minQty: number;
  readonly maxQty: number;
  readonly minPrice: number;
  readonly maxPrice: number;
  readonly minNotional: number;
  /** fee rates in units of 1e-6 (0.01 bp) */
  readonly makerRate: number;
  readonly takerRate: number;
  /** fees per whole share in cash units (InstrumentConfig.maker_fee_per_share) */
  readonly makerPerShare: number;
  readonly takerPerShare: number;
  /** quantity units in one whole share: 10^qty_scale */
  readonly shareUnit: number;
  /** the venue's cap on a taker's (access) fee, in this instrument's units; null = none */
  readonly accessFeeCap: AccessFeeCap | null;
  readonly marketProtectionBp: number;
  /** market_remainder 'rest': a GTC/GTD market order's remainder rests at its protection price */
  readonly marketRemainderRests: boolean;
  readonly maxPosition: number;
  /** iceberg rules (InstrumentConfig.min_display_qty, iceberg_parts) */
  readonly minDisplayQty: number;
  readonly icebergParts: number;
}

/** An access-fee cap (Reg NMS Rule 610(c)) in one instrument's units. */
export interface AccessFeeCap {
  /** cash units per whole share, for prices at or above fromPrice */
  readonly perShare: number;
  /** price units */
  readonly fromPrice: number;
  /** below fromPrice: the cap as a rate of the notional (units of 1e-6) */
  readonly belowRate: number;
}

export class ConfigError extends Error {
  constructor(readonly field: string, message: string) {
    super(`invalid config: ${field}: ${message}`);
    this.name = 'ConfigError';
  }
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function intField(cfg: object, where: string, name: string, min: number, max = MAX_SAFE, dflt?: number): number {
  if (typeof cfg !== 'object' || cfg === null) throw new ConfigError(where, 'must be an object');
  const v = (cfg as Record<string, unknown>)[name] ?? dflt;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new ConfigError(`${where}.${name}`, `must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Basis points with up to two decimals → integer rate in units of 1e-6. */
export function bpToRate(bp: number, field: string): number {
  const scaled = Math.round(bp * 100);
  if (typeof bp !== 'number' || !Number.isFinite(bp) || Math.abs(bp * 100 - scaled) > 1e-9 || Math.abs(bp) > 10_000) {
    throw new ConfigError(field, `must be basis points with at most two decimals in [-10000, 10000], got ${JSON.stringify(bp)}`);
  }
  return scaled;
}

function tickTable(cfg: InstrumentConfig, where: string, minPrice: number, priceScale: number, maxPrice: number): TickBand[] {
  const given = [cfg.tick_size, cfg.tick_table, cfg.rts11_liquidity_band].filter((v) => v !== undefined).length;
  if (given > 1) throw new ConfigError(`${where}.tick_size`, 'give only one of tick_size, tick_table and rts11_liquidity_band, not both');
  if (cfg.rts11_liquidity_band !== undefined) {
    const table = rts11TickTable(intField(cfg, where, 'rts11_liquidity_band', 1, 6), priceScale, maxPrice);
    if (typeof table === 'string') throw new ConfigError(`${where}.rts11_liquidity_band`, table);
    return table;
  }
  if (cfg.tick_table === undefined) return [{ from_price: 0, tick: intField(cfg, where, 'tick_size', 1) }];
  if (!Array.isArray(cfg.tick_table) || cfg.tick_table.length === 0) throw new ConfigError(`${where}.tick_table`, 'must be a non-empty array');
  const bands: TickBand[] = [];
  cfg.tick_table.forEach((band, i) => {
    const at = `${where}.tick_table[${i}]`;
    const tick = intField(band, at, 'tick', 1);
    const from = intField(band, at, 'from_price', 0);
    if (i === 0 && from > minPrice) throw new ConfigError(`${at}.from_price`, `first band must start at or below min_price ${minPrice}`);
    if (i > 0) {
      const prev = bands[i - 1];
      if (from <= prev.from_price) throw new ConfigError(`${at}.from_price`, 'bands must ascend');
      if (from % prev.tick !== 0) throw new ConfigError(`${at}.from_price`, `must lie on the previous band's tick grid (${prev.tick})`);
    }
    if (from % tick !== 0) throw new ConfigError(`${at}.from_price`, `must be a multiple of its own tick ${tick}`);
    bands.push({ from_price: from, tick });
  });
  return bands;
}

function marketRemainder(v: unknown, field: string): boolean {
  if (v === undefined || v === 'cancel') return false;
  if (v === 'rest') return true;
  throw new ConfigError(field, `must be 'cancel' or 'rest', got ${JSON.stringify(v)}`);
}

/** A decimal amount of the quote currency (number or string) in units of 10^-scale. */
function decimalField(v: unknown, field: string, scale: number): number {
  const units = typeof v === 'number' || typeof v === 'string' ? parseUnits(String(v), scale) : null;
  if (units === null || units < 0) throw new ConfigError(field, `must be a non-negative decimal with at most ${scale} decimals, got ${JSON.stringify(v)}`);
  return units;
}

/** The venue's access-fee cap in one instrument's units (defaults: from 1.00 of the currency, 10 bp below it). */
export function resolveAccessFeeCap(cfg: AccessFeeCapConfig | undefined, priceScale: number, cashScale: number): AccessFeeCap | null {
  if (cfg === undefined) return null;
  if (typeof cfg !== 'object' || cfg === null) throw new ConfigError('rules.access_fee_cap', 'must be an object');
  return {
    perShare: decimalField(cfg.per_share, 'rules.access_fee_cap.per_share', cashScale),
    fromPrice: decimalField(cfg.from_price ?? 1, 'rules.access_fee_cap.from_price', priceScale),
    belowRate: bpToRate(cfg.below_bp ?? 10, 'rules.access_fee_cap.below_bp'),
  };
}

/** A per-share fee: an integer of cash units small enough that |fee| × max_qty stays exact. */
export function perShareField(v: unknown, field: string, maxQty: number): number {
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || Math.abs(v) * maxQty > MAX_SAFE) {
    throw new ConfigError(field, `must be an integer of cash units with |fee| × max_qty below 2^53, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Why a taker fee per share breaks the access-fee cap, or null if it does not. */
export function overAccessCap(inst: Instrument, takerPerShare: number): string | null {
  const cap = inst.accessFeeCap;
  if (cap === null || takerPerShare <= cap.perShare) return null;
  return `${takerPerShare} cash units a share exceeds the venue's access-fee cap of ${cap.perShare}`;
}

/**
 * A taker's fee on one fill, within the access-fee cap: at most cap.perShare
 * a share at or above cap.fromPrice, at most cap.belowRate of the notional
 * below it, each rounded down so the cap itself is never exceeded. Rebates
 * and uncapped venues pass through.
 */
export function capAccessFee(inst: Instrument, price: number, qty: number, notionalCash: number, fee: number): number {
  const cap = inst.accessFeeCap;
  if (cap === null || fee <= 0) return fee;
  const most = price >= cap.fromPrice
    ? mulDivFloor(qty, cap.perShare, inst.shareUnit)
    : mulDivFloor(notionalCash, cap.belowRate, RATE_DENOMINATOR);
  return fee < most ? fee : most;
}

/** Validates one instrument; throws ConfigError naming the bad field. */
export function makeInstrument(cfg: InstrumentConfig, index: number, venueCap?: AccessFeeCapConfig): Instrument {
  const where = `instruments[${index}]`;
  if (typeof cfg !== 'object' || cfg === null) throw new ConfigError(where, 'must be an object');
  if (typeof cfg.symbol !== 'string' || !/^[A-Za-z0-9._:/-]{1,32}$/.test(cfg.symbol)) {
    throw new ConfigError(`${where}.symbol`, `must be 1-32 characters of A-Z a-z 0-9 . _ : / -, got ${JSON.stringify(cfg.symbol)}`);
  }
  const priceScale = intField(cfg, where, 'price_scale', 0, 12);
  const qtyScale = intField(cfg, where, 'qty_scale', 0, 12);
  const minPrice = intField(cfg, where, 'min_price', 1, MAX_SAFE, 1);
  const maxPrice = intField(cfg, where, 'max_price', minPrice);
  const lot = intField(cfg, where, 'lot', 1);
  const minQty = intField(cfg, where, 'min_qty', 1);
  const maxQty = intField(cfg, where, 'max_qty', minQty);
  if (minQty % lot !== 0) throw new ConfigError(`${where}.min_qty`, `must be a multiple of lot ${lot}`);
  const cashScale = cashScaleFor(cfg, where, priceScale + qtyScale, maxPrice * maxQty);
  const notionalMultiplier = 10 ** (cashScale - priceScale - qtyScale);
  const maxNotional = maxPrice * maxQty * notionalMultiplier;
  const maxPosition = intField(cfg, where, 'max_position', maxQty, MAX_SAFE,
    Math.max(maxQty, Math.floor(MAX_SAFE / (maxPrice * notionalMultiplier))));
  if (maxPosition * maxPrice * notionalMultiplier > MAX_SAFE) {
    throw new ConfigError(`${where}.max_position`, 'max_position × max_price exceeds 2^53 cash units');
  }
  const ticks = tickTable(cfg, where, minPrice, priceScale, maxPrice);
  const inst: Instrument = {
    index,
    symbol: cfg.symbol,
    priceScale,
    qtyScale,
    cashScale,
    notionalMultiplier,
    tickTable: ticks,
    uniformTick: ticks.length === 1 ? ticks[0].tick : 0,
    lot,
    minQty,
    maxQty,
    minPrice,
    maxPrice,
    minNotional: intField(cfg, where, 'min_notional', 0, maxNotional, 0),
    makerRate: bpToRate(cfg.maker_fee_bp, `${where}.maker_fee_bp`),
    takerRate: bpToRate(cfg.taker_fee_bp, `${where}.taker_fee_bp`),
    makerPerShare: perShareField(cfg.maker_fee_per_share, `${where}.maker_fee_per_share`, maxQty),
    takerPerShare: perShareField(cfg.taker_fee_per_share, `${where}.taker_fee_per_share`, maxQty),
    shareUnit: 10 ** qtyScale,
    accessFeeCap: resolveAccessFeeCap(venueCap, priceScale, cashScale),
    marketProtectionBp: intField(cfg, where, 'market_protection_bp', 1, 9_999, 500),
    marketRemainderRests: marketRemainder(cfg.market_remainder, `${where}.market_remainder`),
    maxPosition,
    minDisplayQty: intField(cfg, where, 'min_display_qty', minQty, maxQty, minQty),
    icebergParts: intField(cfg, where, 'iceberg_parts', 0, 1_000_000, 0),
  };
  if (inst.minDisplayQty % lot !== 0) throw new ConfigError(`${where}.min_display_qty`, `must be a multiple of lot ${lot}`);
  const over = overAccessCap(inst, inst.takerPerShare);
  if (over !== null) throw new ConfigError(`${where}.taker_fee_per_share`, over);
  return inst;
}

/**
 * Money must be exact: the notional of the largest possible fill, in cash
 * units, has to be a safe integer. cash_scale ≥ price_scale + qty_scale keeps
 * notionals exact; +6 more keeps every fee at 0.01 bp exact too.
 */
function cashScaleFor(cfg: InstrumentConfig, where: string, base: number, maxProduct: number): number {
  if (maxProduct > MAX_SAFE) throw new ConfigError(`${where}.max_price`, 'max_price × max_qty exceeds 2^53; lower one of them');
  if (cfg.cash_scale !== undefined) {
    const cs = intField(cfg, where, 'cash_scale', base, base + 12);
    if (maxProduct * 10 ** (cs - base) > MAX_SAFE) {
      throw new ConfigError(`${where}.cash_scale`, 'max_price × max_qty in cash units exceeds 2^53; lower cash_scale, max_price or max_qty');
    }
    return cs;
  }
  let cs = base + 6;
  while (cs > base && maxProduct * 10 ** (cs - base) > MAX_SAFE) cs--;
  return cs;
}

/** The tick that applies at a price (bands are few; a linear scan is fastest). */
export function tickAt(inst: Instrument, price: number): number {
  const t = inst.tickTable;
  let tick = t[0].tick;
  for (let i = 1; i < t.length && t[i].from_price <= price; i++) tick = t[i].tick;
  return tick;
}

export const isOnTick = (inst: Instrument, price: number): boolean =>
  inst.uniformTick === 1 || price % (inst.uniformTick || tickAt(inst, price)) === 0;

/** Largest valid price ≤ p (p inside [min_price, max_price]). */
export function floorToTick(inst: Instrument, p: number): number {
  return p - (p % tickAt(inst, p));
}

/** Smallest valid price ≥ p. */
export function ceilToTick(inst: Instrument, p: number): number {
  const r = p % tickAt(inst, p);
  return r === 0 ? p : floorToTick(inst, p) + tickAt(inst, p);
}

export const notional = (inst: Instrument, price: number, qty: number): number => price * qty * inst.notionalMultiplier;
