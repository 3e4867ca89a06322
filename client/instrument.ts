// An instrument as a client sees it (from the SecurityList): its scales for
// converting decimal strings to wire units and back, and its tick grid for
// rounding computed prices onto valid ones.
import { DecimalError, fromUnits, fromUnitsText, toUnits } from './decimal.ts';
import { tradingPhaseName, type TradingPhaseName, type WireSecurity, type WireTickBand } from './protocol.ts';

export type Rounding = 'down' | 'up' | 'nearest';

export class Instrument {
  readonly symbol: string;
  readonly priceScale: number;
  readonly qtyScale: number;
  readonly cashScale: number;
  readonly tickTable: readonly WireTickBand[];
  /** quantity step, min and max, in quantity units */
  readonly lot: number;
  readonly minQty: number;
  readonly maxQty: number;
  /** price range in price units */
  readonly minPrice: number;
  readonly maxPrice: number;
  readonly makerFeeBp: number;
  readonly takerFeeBp: number;
  /** the phase at the time of the SecurityList (SecurityStatus events report changes) */
  readonly tradingPhase: TradingPhaseName | null;

  constructor(s: WireSecurity) {
    this.symbol = s.symbol;
    this.priceScale = s.price_scale;
    this.qtyScale = s.qty_scale;
    this.cashScale = s.cash_scale;
    this.tickTable = s.tick_table.length ? s.tick_table.map((b) => ({ from_price: b.from_price, tick: b.tick })) : [{ from_price: 0, tick: 1 }];
    this.lot = s.lot || 1;
    this.minQty = s.min_qty;
    this.maxQty = s.max_qty;
    this.minPrice = s.min_price;
    this.maxPrice = s.max_price;
    this.makerFeeBp = s.maker_fee_bp;
    this.takerFeeBp = s.taker_fee_bp;
    this.tradingPhase = tradingPhaseName(s.trading_phase);
  }

  // ---- decimal text ⇄ units (throw DecimalError on a value the scale cannot hold) ----

  priceUnits(price: string): number {
    return this.withField('price', () => toUnits(price, this.priceScale));
  }

  qtyUnits(qty: string): number {
    return this.withField('qty', () => toUnits(qty, this.qtyScale));
  }

  formatPrice(units: number): string {
    return fromUnits(units, this.priceScale);
  }

  formatQty(units: number): string {
    return fromUnits(units, this.qtyScale);
  }

  /** Money in cash units (a number, or a decimal integer string for running totals). */
  formatCash(units: number | string): string {
    return typeof units === 'string' ? fromUnitsText(units, this.cashScale) : fromUnits(units, this.cashScale);
  }

  // ---- the tick grid (price units) ----

  /** The tick that applies at a price: the band with the largest from_price ≤ price. */
  tickAt(price: number): number {
    const t = this.tickTable;
    let tick = t[0].tick;
    for (let i = 1; i < t.length && t[i].from_price <= price; i++) tick = t[i].tick;
    return tick;
  }

  /**
   * A price (possibly fractional, e.g. a model's output) onto the tick grid,
   * clamped to the instrument's price range. 'down' suits a bid (never pay
   * more than computed), 'up' an ask.
   */
  roundToTick(price: number, mode: Rounding): number {
    const clamped = Math.min(Math.max(price, this.minPrice), this.maxPrice);
    const base = Math.floor(clamped);
    const down = base - (base % this.tickAt(base));
    const up = down === clamped ? down : down + this.tickAt(down);
    const pick = mode === 'down' ? down : mode === 'up' ? up : clamped - down < up - clamped ? down : up;
    return Math.min(Math.max(pick, this.ceilMin()), this.maxPrice - (this.maxPrice % this.tickAt(this.maxPrice)));
  }

  /** The price one tick above (+1) or below (−1) an on-grid price. */
  stepTick(price: number, ticks: number): number {
    let p = price;
    for (let i = 0; i < Math.abs(ticks); i++) p = ticks > 0 ? p + this.tickAt(p) : p - this.tickAt(p - 1);
    return p;
  }

  /** A quantity (possibly fractional) down onto the lot grid; 0 if below min_qty. */
  roundQty(qty: number): number {
    const q = Math.floor(qty / this.lot) * this.lot;
    return q < this.minQty ? 0 : Math.min(q, this.maxQty);
  }

  private ceilMin(): number {
    const tick = this.tickAt(this.minPrice);
    return this.minPrice % tick === 0 ? this.minPrice : this.minPrice - (this.minPrice % tick) + tick;
  }

  private withField(field: string, fn: () => number): number {
    try {
      return fn();
    } catch (e) {
      if (e instanceof DecimalError) throw new DecimalError(`${this.symbol} ${field}: ${e.message}`);
      throw e;
    }
  }
}
