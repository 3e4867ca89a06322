// Pre-trade risk limits of one account on one instrument, in that instrument's
// units (quantity units, cash units), so no currency conversion is implied.
// Position and gross checks are worst case: as if every open order on the
// order's side, and the order itself, filled.
import type { Position } from '../account.ts';
import type { Instrument } from '../instrument.ts';
import { RejectReason, Side } from '../types.ts';
import type { Why } from '../validate.ts';
import type { AccountRiskConfig, RiskLimitsConfig } from './config.ts';

export interface RiskLimits {
  maxOrderQty: number;
  maxOrderNotional: number;
  maxLong: number;
  maxShort: number;
  maxGrossNotional: number;
}

const NONE = Number.MAX_SAFE_INTEGER;
const FIELDS: (keyof RiskLimitsConfig)[] = ['max_order_qty', 'max_order_notional', 'max_long', 'max_short', 'max_gross_notional'];

/** Resolves an account's config into limits per instrument index ('*' first, then the symbol's own entry). Returns an error text or the limits. */
export function resolveRisk(cfg: AccountRiskConfig | undefined, instruments: readonly Instrument[]): RiskLimits[] | string {
  if (cfg === undefined) return instruments.map(unlimited);
  if (typeof cfg !== 'object' || cfg === null || Array.isArray(cfg)) return 'risk: an object of limits by symbol';
  for (const key of Object.keys(cfg)) {
    if (key !== '*' && !instruments.some((i) => i.symbol === key)) return `risk: unknown symbol ${key}`;
    const entry = cfg[key] as Record<string, unknown>;
    if (typeof entry !== 'object' || entry === null) return `risk.${key}: an object`;
    for (const f of Object.keys(entry)) {
      if (!(FIELDS as string[]).includes(f)) return `risk.${key}.${f}: unknown limit (one of ${FIELDS.join(', ')})`;
      const v = entry[f];
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) return `risk.${key}.${f}: a non-negative integer`;
    }
  }
  return instruments.map((i) => {
    const r = unlimited();
    for (const src of [cfg['*'], cfg[i.symbol]]) {
      if (src === undefined) continue;
      r.maxOrderQty = src.max_order_qty ?? r.maxOrderQty;
      r.maxOrderNotional = src.max_order_notional ?? r.maxOrderNotional;
      r.maxLong = src.max_long ?? r.maxLong;
      r.maxShort = src.max_short ?? r.maxShort;
      r.maxGrossNotional = src.max_gross_notional ?? r.maxGrossNotional;
    }
    return r;
  });
}

function unlimited(): RiskLimits {
  return { maxOrderQty: NONE, maxOrderNotional: NONE, maxLong: NONE, maxShort: NONE, maxGrossNotional: NONE };
}

/**
 * Checks an order adding `qty` at `price` on `side` to the account's open
 * orders; `orderQty` is its full quantity and `openPxQtyDelta` the change of
 * open price × qty (a new order: price × qty; an amend: new price × new
 * leaves − old price × old leaves).
 */
export function checkRisk(r: RiskLimits, inst: Instrument, p: Position, side: Side, price: number, qty: number, orderQty: number, openPxQtyDelta: number, why: Why): RejectReason | 0 {
  const mult = inst.notionalMultiplier;
  if (orderQty > r.maxOrderQty) {
    why.text = `order quantity ${orderQty} above the account limit ${r.maxOrderQty}`;
    return RejectReason.RISK_ORDER_QTY;
  }
  const orderNotional = price * orderQty * mult;
  if (orderNotional > r.maxOrderNotional) {
    why.text = `order notional ${orderNotional} above the account limit ${r.maxOrderNotional}`;
    return RejectReason.RISK_ORDER_NOTIONAL;
  }
  if (side === Side.BUY ? p.qty + p.openBuy + qty > r.maxLong : -p.qty + p.openSell + qty > r.maxShort) {
    why.text = side === Side.BUY ? `long position could reach ${p.qty + p.openBuy + qty} > ${r.maxLong}` : `short position could reach ${-p.qty + p.openSell + qty} > ${r.maxShort}`;
    return RejectReason.POSITION_LIMIT;
  }
  if (r.maxGrossNotional !== NONE) {
    const gross = p.cost + (p.openBuyPxQty + p.openSellPxQty + openPxQtyDelta) * mult;
    if (gross > r.maxGrossNotional) {
      why.text = `gross notional could reach ${gross} > ${r.maxGrossNotional}`;
      return RejectReason.RISK_GROSS_NOTIONAL;
    }
  }
  return 0;
}
