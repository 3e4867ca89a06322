// The server side of the gateway and REST benches, run as a child process so
// that the load generator and the server each get a core of their own (on a
// shared event loop the client's work would be counted as server latency).
//
//   node --import tsx bench/gateway-server.ts --accounts 8 [--prefill 200] [--resend-store N]
//
// The full server as shipped: gateway/index.ts registers every part (REST,
// market data, metrics).
//
// It talks to the parent over stdin/stdout (bench/child-link.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../gateway/index.ts';
import type { FsyncPolicy } from '../gateway/journal/writer.ts';
import type { Exchange } from '../gateway/exchange.ts';
import { intArg, serveParent } from './child-link.ts';
import { BENCH_MID, BENCH_SYMBOL, benchApiKey, benchConfig } from './gateway-config.ts';

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

async function main(): Promise<void> {
  const accounts = intArg('--accounts', 8);
  // --resend-store N: stored messages per account for resends (default: the server's); shows what retaining them costs in GC
  const resendStore = intArg('--resend-store', 0);
  const limits = resendStore > 0 ? { resendStore } : {};
  // --journal-fsync P: journal every command to a temporary directory (removed at the end)
  const at = process.argv.indexOf('--journal-fsync');
  const journal = at >= 0 ? { dir: mkdtempSync(join(tmpdir(), 'mb-bench-journal-')), fsync: process.argv[at + 1] as FsyncPolicy } : undefined;
  const server = await startServer({ config: benchConfig(accounts), port: 0, host: '127.0.0.1', limits, journal });
  prefill(server.exchange, accounts, intArg('--prefill', 0));
  serveParent({ port: server.port, adminToken: server.adminToken }, async () => {
    await server.close();
    if (journal) rmSync(journal.dir, { recursive: true, force: true });
  });
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
