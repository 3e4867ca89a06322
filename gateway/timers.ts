// Timers and the time as code outside the engine sees them. The wall clock
// and Node's timers by default; a simulation passes its own (sim/
// virtual-timers.ts), so the same session and bot code runs in virtual time.

/** What a timer function returns: Node's Timeout, or a simulation's handle. */
export interface TimerHandle {
  /** Node: the timer does not keep the process alive (absent on virtual timers) */
  unref?(): unknown;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(t: TimerHandle): void;
  setInterval(fn: () => void, ms: number): TimerHandle;
  clearInterval(t: TimerHandle): void;
  /** ms since the epoch */
  now(): number;
  /** for measuring durations: µs, any origin, as fine as the clock goes (default now() × 1000) */
  nowUs?(): number;
  /** which clock the durations are on (default 'wall') */
  clock?: 'wall' | 'virtual';
}

/** Node's timers and Date.now(); durations on the monotonic clock (performance.now()). */
export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (t) => clearTimeout(t as NodeJS.Timeout),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (t) => clearInterval(t as NodeJS.Timeout),
  now: () => Date.now(),
  nowUs: () => Math.round(performance.now() * 1000),
  clock: 'wall',
};

/** A timer that does not keep the process alive (a no-op on virtual timers). */
export function unref<T extends TimerHandle>(t: T): T {
  t.unref?.();
  return t;
}
