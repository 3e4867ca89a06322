// Reference data: every instrument's scales, tick table, limits and fees, in
// the wire's field names (SecurityList and GET /api/v1/instruments share it).
import type { Exchange } from './exchange.ts';
import { phaseToWire } from './translate.ts';

export function securityList(ex: Exchange): Record<string, unknown>[] {
  return ex.engine.instruments.map((i) => ({
    symbol: i.symbol,
    price_scale: i.priceScale,
    qty_scale: i.qtyScale,
    cash_scale: i.cashScale,
    tick_table: i.tickTable.map((b) => ({ from_price: b.from_price, tick: b.tick })),
    lot: i.lot,
    min_qty: i.minQty,
    max_qty: i.maxQty,
    min_price: i.minPrice,
    max_price: i.maxPrice,
    min_notional: i.minNotional,
    maker_fee_bp: i.makerRate / 100,
    taker_fee_bp: i.takerRate / 100,
    // per-share fees (cash units a share) only where an instrument charges them
    ...(i.makerPerShare !== 0 || i.takerPerShare !== 0 ? { maker_fee_per_share: i.makerPerShare, taker_fee_per_share: i.takerPerShare } : {}),
    market_protection_bp: i.marketProtectionBp,
    trading_phase: phaseToWire(ex.engine.phaseOf(i.symbol)),
    // iceberg rules only where an instrument sets them
    ...(i.minDisplayQty !== i.minQty ? { min_display_qty: i.minDisplayQty } : {}),
    ...(i.icebergParts !== 0 ? { iceberg_parts: i.icebergParts } : {}),
  }));
}
