// How taking agents send their orders: a market order (IOC, protected by the
// venue's market_protection_bp) or an IOC limit; one command each.
import { OrdType, Side, TimeInForce } from '../../engine/types.ts';
import type { MarketContext, SymbolState } from './context.ts';

/** A market order of `qty`; returns the order id (0 = rejected, e.g. no liquidity). */
export function sendMarket(ctx: MarketContext, account: number, s: SymbolState, side: Side, qty: number): number {
  if (qty <= 0) return 0;
  ctx.commands++;
  return ctx.exchange.newOrder({ account, symbol: s.symbol, side, ordType: OrdType.MARKET, tif: TimeInForce.IOC, qty });
}

/** An IOC limit order of `qty` at `price` (price units on the tick grid). */
export function sendIoc(ctx: MarketContext, account: number, s: SymbolState, side: Side, qty: number, price: number): number {
  if (qty <= 0) return 0;
  ctx.commands++;
  return ctx.exchange.newOrder({ account, symbol: s.symbol, side, ordType: OrdType.LIMIT, tif: TimeInForce.IOC, price, qty });
}

/** The best price on the side a taker of `side` would hit (0 if that side is empty). */
export function touch(ctx: MarketContext, s: SymbolState, side: Side): number {
  const l = side === Side.BUY ? ctx.exchange.engine.bestAsk(s.symbol) : ctx.exchange.engine.bestBid(s.symbol);
  return l ? l.price : 0;
}
