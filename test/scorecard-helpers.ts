// A seeded external trader for scorecard tests: it joins, improves or crosses
// the simulated book and cancels, every 200 ms of simulated time.
import assert from 'node:assert/strict';
import { OrdType, Side, TimeInForce } from '../engine/types.ts';
import type { RunContext } from '../sim/run.ts';
import { Rng } from '../sim/rng.ts';

/** A seeded external trader: joins, improves or crosses the book and cancels, every 200 ms of simulated time. */
export function randomTrader(ctx: RunContext, seed: number, symbol: string, apiKey?: string): number {
  const info = apiKey ? ctx.exchange.authenticate(apiKey) : ctx.exchange.createAccount('random-trader');
  assert.ok(info && !('error' in info));
  const rng = new Rng(seed);
  const ex = ctx.exchange;
  const step = (): void => {
    const b = ex.engine.bestBid(symbol)?.price ?? 0;
    const a = ex.engine.bestAsk(symbol)?.price ?? 0;
    if (b > 0 && a > 0) {
      const open = ex.engine.openOrders(info.id);
      const r = rng.next();
      const side = rng.chance(0.5) ? Side.BUY : Side.SELL;
      const qty = rng.int(1, 40) * 100;
      if (r < 0.15 && open.length > 0) {
        ex.cancel({ account: info.id, symbol, orderId: open[rng.int(0, open.length - 1)].orderId });
      } else if (r < 0.3) {
        ex.newOrder({ account: info.id, symbol, side, ordType: OrdType.MARKET, tif: TimeInForce.IOC, qty });
      } else if (open.length < 6) {
        const off = rng.int(-2, 3);
        ex.newOrder({ account: info.id, symbol, side, price: side === Side.BUY ? b + off : a - off, qty });
      }
    }
    ctx.scheduler.after(200_000, step);
  };
  ctx.scheduler.after(1_000_000, step);
  return info.id;
}

