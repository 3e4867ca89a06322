// Time for the simulation. Everything in sim/ (agents, price process,
// scenario steps, a bot's transport) schedules through a Scheduler in
// exchange time (µs since the epoch), never through setTimeout: the same code
// then runs in virtual time (headless: time jumps to the next event) and
// against the wall or a scaled clock (next to a running gateway).

export interface Timer {
  readonly at: number;
  /** false once it ran or was cancelled */
  active: boolean;
}

export interface Scheduler {
  /** exchange time now, µs */
  now(): number;
  /** runs `fn` at exchange time `at` (at once, in order, if `at` is not in the future) */
  at(at: number, fn: () => void): Timer;
  /** runs `fn` `delayUs` from now */
  after(delayUs: number, fn: () => void): Timer;
  cancel(t: Timer): void;
}

interface Entry extends Timer {
  seq: number;
  fn: () => void;
}

/** A binary heap of timers by (time, insertion order): ties run in the order they were scheduled, so runs are deterministic. */
export class TimerQueue {
  private heap: Entry[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(at: number, fn: () => void): Entry {
    const e: Entry = { at, fn, seq: this.seq++, active: true };
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(e, h[p])) break;
      h[i] = h[p];
      i = p;
    }
    h[i] = e;
    return e;
  }

  /** The earliest active timer's time, or Infinity. */
  peekTime(): number {
    this.dropInactive();
    return this.heap.length > 0 ? this.heap[0].at : Infinity;
  }

  /** Removes and returns the earliest active timer. */
  pop(): Entry | undefined {
    this.dropInactive();
    return this.take();
  }

  private dropInactive(): void {
    while (this.heap.length > 0 && !this.heap[0].active) this.take();
  }

  private take(): Entry | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop() as Entry;
    if (h.length > 0) {
      let i = 0;
      const n = h.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && before(h[r], h[l]) ? r : l;
        if (!before(h[c], last)) break;
        h[i] = h[c];
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}

const before = (a: Entry, b: Entry): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);

/** Virtual time: `run` jumps from one timer to the next as fast as the work allows. */
export class VirtualScheduler implements Scheduler {
  private readonly queue = new TimerQueue();
  private t: number;

  constructor(startUs: number) {
    this.t = startUs;
  }

  now(): number {
    return this.t;
  }

  at(at: number, fn: () => void): Timer {
    return this.queue.push(Math.max(at, this.t), fn);
  }

  after(delayUs: number, fn: () => void): Timer {
    return this.at(this.t + Math.max(0, delayUs), fn);
  }

  cancel(t: Timer): void {
    t.active = false;
  }

  /** The time of the next timer (Infinity when none). */
  nextTime(): number {
    return this.queue.peekTime();
  }

  /** Runs every timer due up to `untilUs`, then sets the time to `untilUs`. Returns the number of timers run. */
  run(untilUs: number): number {
    let n = 0;
    for (;;) {
      const at = this.queue.peekTime();
      if (at > untilUs) break;
      const e = this.queue.pop() as Entry;
      this.t = e.at;
      e.active = false;
      e.fn();
      n++;
    }
    if (untilUs > this.t) this.t = untilUs;
    return n;
  }

  /** Runs one timer (the earliest) if any is due by `untilUs`; false when none is. */
  step(untilUs: number): boolean {
    if (this.queue.peekTime() > untilUs) return false;
    const e = this.queue.pop() as Entry;
    this.t = e.at;
    e.active = false;
    e.fn();
    return true;
  }
}
