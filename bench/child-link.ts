// The bench server side of the link with its parent (bench/gateway-child.ts),
// shared by the exchange server (gateway-server.ts) and the floor server
// (gateway-floor-server.ts). One line each way:
//   child → `READY {"port":…,"adminToken":…}` once listening;
//   parent → `reset` (start a measurement interval) / `stats` (child answers
//   `STATS {…}`: event-loop delay and GC pauses since the last reset — the
//   server-side view of a latency tail).
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

/** Announces the listening server to the parent and answers its requests until stdin closes, then closes the server and exits. */
export function serveParent(ready: { port: number; adminToken: string }, close: () => Promise<void>): void {
  const monitor = new Monitor();
  process.stdout.write(`READY ${JSON.stringify(ready)}\n`);
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line === 'reset') monitor.reset();
    if (line === 'stats') process.stdout.write(`STATS ${JSON.stringify(monitor.stats())}\n`);
  });
  lines.on('close', () => {
    void close().finally(() => process.exit(0));
  });
}

export function intArg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
