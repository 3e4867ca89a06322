// The per-instant checks of an obligation, as pure functions (the meter calls
// them when a quote changes; the gateway may use them to explain a status).
// All exact integer arithmetic.
import type { Instrument } from '../instrument.ts';
import { ticksBetween } from '../rules/price-controls.ts';
import { mulDivCeil, mulDivFloor, product3Lt, productGt } from './arith.ts';
import type { ValidatedObligation } from './config.ts';

/**
 * The member's spread is above the limit: ticksBetween(bid, ask) > max_spread_ticks × multiplier, or
 * (ask − bid) × 20000 > max_spread_bp × multiplier × (ask + bid) (bp of the member's own mid). Exactly at
 * the limit is compliant; a locked or crossed quote (ask ≤ bid) never is too wide. The multiplier
 * (stressed.spread_multiplier) applies only when `stressed`.
 */
export function spreadTooWide(cfg: ValidatedObligation, inst: Instrument, bid: number, ask: number, stressed: boolean): boolean {
  if (ask <= bid) return false;
  const mult = stressed ? cfg.stressMultiplierPct : 100; // hundredths
  if (cfg.maxSpreadTicks > 0) return ticksBetween(inst, bid, ask) * 100 > cfg.maxSpreadTicks * mult;
  // (ask − bid) ÷ ((ask + bid) ÷ 2) × 10^4 > centiBp ÷ 100 × mult ÷ 100
  return productGt(ask - bid, 200_000_000, cfg.maxSpreadCentiBp * mult, ask + bid);
}

/**
 * A side's counted size is below the minimum: qty < min_size_qty, or notional < min_size_notional where
 * the notional is `notional` when ≥ 0 (given by the caller, e.g. summed over a depth band), else
 * px × qty × notionalMultiplier.
 */
export function sizeTooSmall(cfg: ValidatedObligation, inst: Instrument, px: number, qty: number, notional = -1): boolean {
  if (cfg.minSizeQty > 0) return qty < cfg.minSizeQty;
  if (notional >= 0) return notional < cfg.minSizeNotional;
  return product3Lt(px, qty, inst.notionalMultiplier, cfg.minSizeNotional);
}

/**
 * RTS 8 comparable size: the sides are not comparable when the smaller is below comparable_size_pct of the
 * larger (min × 100 < pct × max; exactly at it is comparable). Off when the obligation has no such test.
 */
export function notComparable(cfg: ValidatedObligation, bidQty: number, askQty: number): boolean {
  if (cfg.comparablePct === 0) return false;
  const lo = bidQty < askQty ? bidQty : askQty;
  const hi = bidQty < askQty ? askQty : bidQty;
  return productGt(cfg.comparablePct, hi, lo, 100);
}

/**
 * With depth_bp: the price range whose orders count toward the size, around the book mid
 * m = (bookBid + bookAsk) / 2 — a bid counts at or above ceil(m × (1 − depth)), an ask at or below
 * floor(m × (1 + depth)). Needs both sides of the book (a member quoting both sides guarantees it).
 */
export function depthBand(cfg: ValidatedObligation, bookBid: number, bookAsk: number): { minBid: number; maxAsk: number } {
  const sum = bookBid + bookAsk;
  const d = cfg.depthCentiBp; // 1e-6 units of the mid
  return {
    minBid: mulDivCeil(sum, 1_000_000 - d, 2_000_000),
    maxAsk: mulDivFloor(sum, 1_000_000 + d, 2_000_000),
  };
}
