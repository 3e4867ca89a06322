// The exchange set-up shared by the gateway and REST benches: one instrument
// and N accounts with fixed API keys, so the bench client can log on without
// the admin API. Open-order caps are raised far above what a bench keeps
// resting, so the engine's limits never shape the measured figures.
import type { ExchangeConfig } from '../gateway/exchange.ts';

export const BENCH_SYMBOL = 'BENCH-USD';

/** Mid price in price units (price_scale 2: 1000.00). Bench orders rest well away from it, so nothing crosses. */
export const BENCH_MID = 100_000;

export function benchApiKey(i: number): string {
  return `bench-key-${i}`;
}

export function benchConfig(accounts: number): ExchangeConfig {
  return {
    instruments: [{
      symbol: BENCH_SYMBOL, price_scale: 2, qty_scale: 4, tick_size: 1, lot: 1, min_qty: 1, max_qty: 10_000_000,
      max_price: 10_000_000, maker_fee_bp: 0, taker_fee_bp: 0,
    }],
    accounts: Array.from({ length: accounts }, (_, i) => ({ name: `bench-${i}`, api_key: benchApiKey(i) })),
    max_open_orders_per_account: 1_000_000,
  };
}

/**
 * A price that never crosses: buys below the mid, sells above it, spread over
 * `spread` ticks so the book has many levels (a realistic tree, not one hot level).
 */
export function passivePrice(side: 1 | 2, n: number, spread = 500): number {
  const off = 1 + (n % spread);
  return side === 1 ? BENCH_MID - off : BENCH_MID + off;
}
