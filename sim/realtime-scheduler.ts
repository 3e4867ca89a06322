// A Scheduler on the exchange clock, for simulation code running beside a
// live gateway: a timer fires when exchange time reaches it. One wall timer
// (setTimeout) waits for the earliest entry, its delay derived from the
// clock's speed; it is re-planned on every pause, resume and speed change.
// A jump runs everything it passes over, in time order, each timer with the
// clock set to its own time (as the virtual scheduler would). A paused or
// virtual clock sets no wall timer: only jumps move time then.
import { TimerQueue, type Scheduler, type Timer } from './scheduler.ts';
import type { ExchangeClock } from './clock.ts';

/** The wall timer functions (tests may pass fakes). */
export interface WallTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const NODE_TIMERS: WallTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** setTimeout's longest delay is 2^31−1 ms; a longer wait fires early and re-plans. */
const MAX_WAIT_MS = 2 ** 30;

export class RealtimeScheduler implements Scheduler {
  private readonly queue = new TimerQueue();
  private handle: unknown = null;
  /** the exchange time the wall timer was set for (Infinity: none) */
  private plannedAt = Infinity;
  private closed = false;
  private readonly unsubscribe: () => void;

  constructor(private readonly clock: ExchangeClock, private readonly timers: WallTimers = NODE_TIMERS) {
    clock.setStepper((target, advance) => this.runUntil(target, advance));
    this.unsubscribe = clock.onChange(() => this.replan());
  }

  now(): number {
    return this.clock.now();
  }

  at(at: number, fn: () => void): Timer {
    const e = this.queue.push(at, fn);
    if (at < this.plannedAt) this.replan();
    return e;
  }

  after(delayUs: number, fn: () => void): Timer {
    return this.at(this.clock.now() + Math.max(0, delayUs), fn);
  }

  cancel(t: Timer): void {
    t.active = false;
  }

  /** Timers waiting (including cancelled ones not yet dropped). */
  get pending(): number {
    return this.queue.size;
  }

  /** Stops the wall timer and detaches from the clock; pending timers never run. */
  close(): void {
    this.closed = true;
    this.clearWallTimer();
    this.unsubscribe();
    this.clock.setStepper(null);
  }

  /** Runs timers due by `target` in time order, moving the clock to each one's time first (the clock's jump stepper; the clock's 'jump' event re-plans after). */
  private runUntil(target: number, advance: (us: number) => void): void {
    for (;;) {
      const at = this.queue.peekTime();
      if (at > target) break;
      const e = this.queue.pop();
      if (e === undefined) break;
      advance(e.at);
      e.active = false;
      e.fn();
    }
  }

  /** Runs what the clock says is due now, then waits for the next. */
  private fire = (): void => {
    this.handle = null;
    this.plannedAt = Infinity;
    const now = this.clock.now();
    for (;;) {
      if (this.queue.peekTime() > now) break;
      const e = this.queue.pop();
      if (e === undefined) break;
      e.active = false;
      e.fn();
    }
    this.replan();
  };

  private replan(): void {
    this.clearWallTimer();
    if (this.closed) return;
    const next = this.queue.peekTime();
    if (next === Infinity) return;
    const delayUs = this.clock.wallDelayUs(next);
    if (delayUs === Infinity) return;
    this.plannedAt = next;
    // Rounded up, so the timer does not wake just before its time and spin.
    this.handle = this.timers.setTimeout(this.fire, Math.min(MAX_WAIT_MS, Math.ceil(delayUs / 1000)));
  }

  private clearWallTimer(): void {
    if (this.handle !== null) this.timers.clearTimeout(this.handle);
    this.handle = null;
    this.plannedAt = Infinity;
  }
}
