// The exchange's own timers (GTD expiry, timed halts, LULD limit states,
// scheduled phases, programme windows) apply when a command arrives or when
// the server ticks the exchange. The tick follows the exchange clock: its wall
// period shrinks with the speed so the exchange-time lateness of a timed rule
// stays bounded, and a jump, speed change or resume ticks at once.
import type { Exchange } from './exchange.ts';
import type { ExchangeClock } from '../sim/clock.ts';

/** The wall period of the tick at speed ≤ 1, ms. */
export const BASE_TICK_MS = 100;
/** The shortest wall period, ms (at speed ≥ 100). */
export const MIN_TICK_MS = 1;

/** 100 ms of wall time at speed ≤ 1, 100 ms / speed above, never under 1 ms: a timed rule applies at most max(100 ms, speed × 1 ms) of exchange time late (plus event-loop delay × speed). */
export const tickWallMs = (speed: number): number => Math.max(MIN_TICK_MS, Math.min(BASE_TICK_MS, BASE_TICK_MS / speed));

/** Ticks `exchange` on `clock`'s time until the returned function is called. */
export function startTicker(exchange: Exchange, clock: ExchangeClock): () => void {
  const tick = (): void => exchange.tick();
  let period = tickWallMs(clock.speed);
  let timer = setInterval(tick, period);
  const off = clock.onChange(() => {
    exchange.tick();
    const p = tickWallMs(clock.speed);
    if (p === period) return;
    clearInterval(timer);
    timer = setInterval(tick, (period = p));
  });
  return () => {
    clearInterval(timer);
    off();
  };
}
