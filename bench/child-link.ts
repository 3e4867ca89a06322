// The bench server side of the link with its parent (bench/gateway-child.ts),
// shared by the exchange server (gateway-server.ts) and the floor server
// (gateway-floor-server.ts). One line each way:
//   child → `READY {"port":…,"adminToken":…}` once listening;
//   parent → `window <from> <to>` (epoch ms: the next measurement interval,
//   sent before the load it measures starts) / `stats` (the child answers
//   `STATS {…}` once that interval has ended: event-loop delay and GC pauses
//   within it — the server-side view of a latency tail).
// The interval's edges are kept by the child's own timers, so nothing crosses
// the link while a measurement runs: the link is a pipe, i.e. a net.Socket
// like the WebSocket connections, and a `reset` line sent at the start of the
// interval deoptimised the stream code both processes had optimised for their
// TCP sockets (--trace-deopt: onStreamRead, Readable.read, Writable.write,
// writeGeneric, …, "wrong map"). The 100–200 ms of re-optimisation that
// followed put 10–23 % of the orders of those 100–200 ms over 2 ms, every run.
// The child exits cleanly when its stdin closes (so --cpu-prof gets written,
// and an orphaned child dies with its parent).
import { createInterface } from 'node:readline';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

/** What a process's own event loop and GC saw during a measurement interval (the server's, or the bench client's). */
export interface ProcessStats {
  /** event-loop delay percentiles and maximum, µs (1 ms sampling resolution) */
  loopP50Us: number;
  loopP99Us: number;
  loopMaxUs: number;
  gcCount: number;
  gcTotalMs: number;
  gcMaxMs: number;
  heapUsedMb: number;
}

/** Event-loop delay and GC pauses of this process, resettable per measurement interval (the server's, and the bench client's own). */
export class Monitor {
  private readonly loop = monitorEventLoopDelay({ resolution: 1 });
  private gc = { count: 0, total: 0, max: 0 };

  constructor() {
    this.loop.enable();
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        this.gc.count++;
        this.gc.total += e.duration;
        this.gc.max = Math.max(this.gc.max, e.duration);
      }
    }).observe({ entryTypes: ['gc'] });
  }

  reset(): void {
    this.loop.reset();
    this.gc = { count: 0, total: 0, max: 0 };
  }

  stats(): ProcessStats {
    const us = (ns: number): number => Math.round(ns / 1000);
    return {
      loopP50Us: us(this.loop.percentile(50)), loopP99Us: us(this.loop.percentile(99)), loopMaxUs: us(this.loop.max),
      gcCount: this.gc.count, gcTotalMs: Math.round(this.gc.total), gcMaxMs: Math.round(this.gc.max * 10) / 10,
      heapUsedMb: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
    };
  }
}

/** Epoch ms on the clock both processes read (the bench's latency stamps use the same). */
export const epochMs = (): number => performance.timeOrigin + performance.now();

/** The interval the parent measures: the monitor is reset at its start and read at its end, by timers. */
export class Interval {
  private timers: NodeJS.Timeout[] = [];
  private ended: ProcessStats | null = null;
  private onEnd: ((s: ProcessStats) => void) | null = null;

  constructor(private readonly monitor: Pick<Monitor, 'reset' | 'stats'>) {}

  /** [from, to) in epoch ms; replaces any interval announced before. */
  set(from: number, to: number): void {
    for (const t of this.timers) clearTimeout(t);
    this.ended = null;
    this.timers = [
      setTimeout(() => this.monitor.reset(), from - epochMs()),
      setTimeout(() => this.end(), to - epochMs()),
    ];
  }

  /** Calls `reply` with the interval's stats once it has ended (at once if it has; an interval never announced ends now). */
  whenEnded(reply: (s: ProcessStats) => void): void {
    if (this.timers.length === 0 && this.ended === null) this.ended = this.monitor.stats();
    if (this.ended) reply(this.ended);
    else this.onEnd = reply;
  }

  private end(): void {
    this.ended = this.monitor.stats();
    this.onEnd?.(this.ended);
    this.onEnd = null;
  }
}

/** Announces the listening server to the parent and answers its requests until stdin closes, then closes the server and exits. */
export function serveParent(ready: { port: number; adminToken: string }, close: () => Promise<void>): void {
  const interval = new Interval(new Monitor());
  process.stdout.write(`READY ${JSON.stringify(ready)}\n`);
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const [command, from, to] = line.split(' ');
    if (command === 'window') interval.set(Number(from), Number(to));
    if (command === 'stats') interval.whenEnded((s) => process.stdout.write(`STATS ${JSON.stringify(s)}\n`));
  });
  lines.on('close', () => {
    void close().finally(() => process.exit(0));
  });
}

export function intArg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
