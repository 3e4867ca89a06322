// The server side of the gateway and REST benches, run as a child process so
// that the load generator and the server each get a core of their own (on a
// shared event loop the client's work would be counted as server latency).
//
//   node --import tsx bench/gateway-server.ts --accounts 8 [--prefill 200] [--resend-store N]
//
// The full server as shipped: gateway/index.ts registers every part (REST,
// market data, metrics).
//
// Protocol with the parent (bench/gateway-child.ts), one line each way:
//   child → `READY {"port":…,"adminToken":…}` once listening;
//   parent → `reset` (start a measurement interval) / `stats` (child answers
//   `STATS {…}`: event-loop delay and GC pauses since the last reset — the
//   server-side view of a latency tail).
// The child exits cleanly when its stdin closes (so --cpu-prof gets written,
// and an orphaned child dies with its parent).
import { createInterface } from 'node:readline';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { startServer } from '../gateway/index.ts';
import type { Exchange } from '../gateway/exchange.ts';
import { BENCH_MID, BENCH_SYMBOL, benchApiKey, benchConfig } from './gateway-config.ts';

/** What the server's own event loop saw during a measurement interval. */
export interface ServerStats {
  /** event-loop delay percentiles and maximum, µs (1 ms sampling resolution) */
  loopP50Us: number;
  loopP99Us: number;
  loopMaxUs: number;
  gcCount: number;
  gcTotalMs: number;
  gcMaxMs: number;
  heapUsedMb: number;
}

function intArg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

/**
 * Rests `levels` price levels per side (3 orders each) for the last account,
 * straight through the Exchange: a depth query then has a real book to walk.
 */
function prefill(exchange: Exchange, accounts: number, levels: number): void {
  const account = exchange.authenticate(benchApiKey(accounts - 1));
  if (!account) throw new Error('prefill account missing');
  for (let i = 0; i < levels; i++) {
    for (let k = 0; k < 3; k++) {
      exchange.newOrder({ account: account.id, symbol: BENCH_SYMBOL, clOrdId: `pb${i}-${k}`, side: 1, price: BENCH_MID - 1 - i, qty: 10_000 + k });
      exchange.newOrder({ account: account.id, symbol: BENCH_SYMBOL, clOrdId: `ps${i}-${k}`, side: 2, price: BENCH_MID + 1 + i, qty: 10_000 + k });
    }
  }
}

/** Event-loop delay and GC pauses, resettable per measurement interval. */
class Monitor {
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

  stats(): ServerStats {
    const us = (ns: number): number => Math.round(ns / 1000);
    return {
      loopP50Us: us(this.loop.percentile(50)), loopP99Us: us(this.loop.percentile(99)), loopMaxUs: us(this.loop.max),
      gcCount: this.gc.count, gcTotalMs: Math.round(this.gc.total), gcMaxMs: Math.round(this.gc.max * 10) / 10,
      heapUsedMb: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
    };
  }
}

async function main(): Promise<void> {
  const accounts = intArg('--accounts', 8);
  // --resend-store N: stored messages per account for resends (default: the server's); shows what retaining them costs in GC
  const resendStore = intArg('--resend-store', 0);
  const limits = resendStore > 0 ? { resendStore } : {};
  const server = await startServer({ config: benchConfig(accounts), port: 0, host: '127.0.0.1', limits });
  prefill(server.exchange, accounts, intArg('--prefill', 0));
  const monitor = new Monitor();
  process.stdout.write(`READY ${JSON.stringify({ port: server.port, adminToken: server.adminToken })}\n`);
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line === 'reset') monitor.reset();
    if (line === 'stats') process.stdout.write(`STATS ${JSON.stringify(monitor.stats())}\n`);
  });
  lines.on('close', () => {
    void server.close().finally(() => process.exit(0));
  });
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
