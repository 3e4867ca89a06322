// Turning a strategy's ideal prices into quotes the exchange accepts, and the
// market view strategies quote against. Pure functions in price units.

/** What the bots need of an instrument's tick grid (Instrument implements it). */
export interface TickGrid {
  roundToTick(price: number, mode: 'down' | 'up' | 'nearest'): number;
  stepTick(price: number, ticks: number): number;
  tickAt(price: number): number;
}

export interface TwoSided {
  bid: number;
  ask: number;
}

/** The best prices of the book as others made it (the bot's own quotes taken out), price units. */
export interface MarketView {
  bestBid: number | null;
  bestAsk: number | null;
}

export const midOf = (m: MarketView): number | null => (m.bestBid !== null && m.bestAsk !== null ? (m.bestBid + m.bestAsk) / 2 : null);

/**
 * Ideal (fractional) prices onto the grid: the bid rounds down and the ask
 * up (never a worse price than the model asked for); neither may cross the
 * other side's best (a post-only quote would be rejected as taking); and the
 * quote stays at least one tick wide.
 */
export function placeOnGrid(ideal: TwoSided, grid: TickGrid, market: MarketView): TwoSided {
  let bid = grid.roundToTick(ideal.bid, 'down');
  let ask = grid.roundToTick(ideal.ask, 'up');
  if (market.bestAsk !== null && bid >= market.bestAsk) bid = grid.stepTick(market.bestAsk, -1);
  if (market.bestBid !== null && ask <= market.bestBid) ask = grid.stepTick(market.bestBid, 1);
  if (ask <= bid) ask = grid.stepTick(bid, 1);
  return { bid, ask };
}

/**
 * Symmetric quotes `ticks` ticks either side of the mid. A mid between two
 * ticks (an odd spread) counts from the ticks around it, so with ticks = 1
 * the quote joins a one-tick market rather than widening it.
 */
export function symmetricQuotes(mid: number, ticks: number, grid: TickGrid, market: MarketView): TwoSided {
  const ideal = { bid: grid.stepTick(grid.roundToTick(mid, 'up'), -ticks), ask: grid.stepTick(grid.roundToTick(mid, 'down'), ticks) };
  return placeOnGrid(ideal, grid, market);
}
