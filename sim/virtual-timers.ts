// Timers (gateway/timers.ts) on a Scheduler: setTimeout and setInterval in
// exchange time, so session and bot code written for the wall clock runs in
// virtual time unchanged. ms outside, µs inside: delays are rounded to whole
// µs, as exchange time is an integer (a fractional one is an invalid command time).
import type { TimerHandle, Timers } from '../gateway/timers.ts';
import type { Scheduler, Timer } from './scheduler.ts';

class VirtualTimer implements TimerHandle {
  current: Timer | null = null;
  /** nothing keeps a virtual run alive but its own timers */
  unref(): void {}
}

/** `wrap` runs around every callback (the bot host notes that bot code ran). */
export function virtualTimers(s: Scheduler, wrap: (fn: () => void) => void = (fn) => fn()): Timers {
  const cancel = (t: TimerHandle): void => {
    const v = t as VirtualTimer;
    if (v.current) s.cancel(v.current);
    v.current = null;
  };
  return {
    setTimeout(fn, ms) {
      const v = new VirtualTimer();
      v.current = s.after(Math.round(ms * 1000), () => {
        v.current = null;
        wrap(fn);
      });
      return v;
    },
    setInterval(fn, ms) {
      const v = new VirtualTimer();
      const period = Math.round(Math.max(1, ms) * 1000); // as Node: an interval below 1 ms is 1 ms
      const tick = (): void => {
        v.current = s.after(period, tick);
        wrap(fn);
      };
      v.current = s.after(period, tick);
      return v;
    },
    clearTimeout: cancel,
    clearInterval: cancel,
    now: () => s.now() / 1000,
    nowUs: () => s.now(),
    clock: 'virtual',
  };
}
