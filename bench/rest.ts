// npm run bench:rest [-- --connections 10] [--seconds 5] [--warmup 1] [--scenario NAME] [--prof]
//
// REST throughput and latency with autocannon (closed loop: each connection
// sends its next request when the previous answer arrives) against a server
// in a child process (bench/gateway-server.ts), so load generator and server
// each get a core. Scenarios:
//   depth20          GET /api/v1/depth/:symbol?levels=20 on a book pre-filled with 200 levels a side
//   post_ioc         POST /api/v1/orders: IOC limits that never cross (each expires at once: the book stays as it is)
//   post_gtc_delete  POST a resting GTC limit, then DELETE /api/v1/orders/:id it (the book stays bounded)
// Latency is recorded per response in µs (autocannon's own histogram keeps whole milliseconds).
// --prof writes a V8 CPU profile of the server (all scenarios) under out/ and summarises it.
import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';
import path from 'node:path';
import { startChildServer, type ChildServer } from './gateway-child.ts';
import { Measurement, loadAvg, newHistogram } from './gateway-measure.ts';
import { mainThreadProfiles, printProfile } from './gateway-profile.ts';
import { BENCH_SYMBOL, benchApiKey, passivePrice } from './gateway-config.ts';

// autocannon ships no type declarations: the slice of its API used here.
interface AcRequest { method?: string; path?: string; body?: string; headers?: Record<string, string> }
interface AcRequestSpec extends AcRequest {
  setupRequest?: (req: AcRequest, context: Record<string, unknown>) => AcRequest;
  onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
}
interface AcOptions {
  url: string;
  connections: number;
  duration: number;
  headers?: Record<string, string>;
  requests: AcRequestSpec[];
}
interface AcResult { requests: { total: number }; duration: number; non2xx: number; errors: number; timeouts: number }
type AcInstance = EventEmitter & PromiseLike<AcResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as (o: AcOptions) => AcInstance;

interface Options { connections: number; seconds: number; warmup: number; scenario?: string; prof: boolean }

function options(): Options {
  const arg = (name: string, dflt: number): number => {
    const i = process.argv.indexOf(`--${name}`);
    const v = i >= 0 ? Number(process.argv[i + 1]) : dflt;
    if (!(v > 0)) throw new Error(`--${name} must be a positive number`);
    return v;
  };
  const si = process.argv.indexOf('--scenario');
  return {
    connections: arg('connections', 10), seconds: arg('seconds', 5), warmup: arg('warmup', 1),
    scenario: si >= 0 ? process.argv[si + 1] : undefined, prof: process.argv.includes('--prof'),
  };
}

const ORDERS = '/api/v1/orders';
const JSON_HEADERS = { 'content-type': 'application/json', 'x-api-key': benchApiKey(0) };

/** Client order ids unique across connections (autocannon resets per-connection context every cycle). */
let nextId = 0;

/** An order as a REST client writes it: enum names, price and quantity as decimal strings (price_scale 2, qty_scale 4). */
function orderBody(tif: 'IOC' | 'GTC'): string {
  const n = nextId++;
  const side = (n & 1) === 0 ? 1 : 2;
  return JSON.stringify({
    cl_ord_id: `r${n}`, symbol: BENCH_SYMBOL, side: side === 1 ? 'BUY' : 'SELL', ord_type: 'LIMIT', time_in_force: tif,
    price: (passivePrice(side, n) / 100).toFixed(2), order_qty: '0.0100',
  });
}

const SCENARIOS: Record<string, () => AcRequestSpec[]> = {
  depth20: () => [{ method: 'GET', path: `/api/v1/depth/${BENCH_SYMBOL}?levels=20` }],
  post_ioc: () => [{ method: 'POST', path: ORDERS, headers: JSON_HEADERS, setupRequest: (r) => ({ ...r, body: orderBody('IOC') }) }],
  post_gtc_delete: () => [
    {
      method: 'POST', path: ORDERS, headers: JSON_HEADERS,
      setupRequest: (r) => ({ ...r, body: orderBody('GTC') }),
      onResponse: (status, body, ctx) => { if (status === 200) ctx.orderId = (JSON.parse(body) as { order_id: number }).order_id; },
    },
    {
      method: 'DELETE', headers: { 'x-api-key': benchApiKey(0) },
      setupRequest: (r, ctx) => ({ ...r, path: `${ORDERS}/${String(ctx.orderId ?? 0)}` }),
    },
  ],
};

async function runScenario(name: string, o: Options, server: ChildServer): Promise<void> {
  const requests = SCENARIOS[name]();
  // the server is told the interval before any load (see child-link.ts); it starts about when the warm-up run ends
  const from = performance.now() + o.warmup * 1000;
  const m = new Measurement(server, from, from + o.seconds * 1000);
  await autocannon({ url: server.url, connections: o.connections, duration: o.warmup, requests }); // JIT and connection warm-up, discarded
  const hist = newHistogram();
  m.begin();
  const inst = autocannon({ url: server.url, connections: o.connections, duration: o.seconds, requests });
  inst.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => hist.recordValue(Math.max(1, Math.round(ms * 1000))));
  const r = await inst;
  const usage = await m.read();
  const q = (p: number): number => Math.round(hist.getValueAtPercentile(p));
  console.log(
    `rest scenario=${name} connections=${o.connections} requests=${r.requests.total} seconds=${r.duration.toFixed(2)} ` +
    `requests_per_s=${Math.round(r.requests.total / r.duration)} p50_us=${q(50)} p99_us=${q(99)} max_us=${Math.round(hist.maxValue)} ` +
    `non2xx=${r.non2xx} errors=${r.errors} ${usage}`,
  );
  if (r.non2xx > 0 || r.errors > 0) process.exitCode = 1;
}

async function main(): Promise<void> {
  const o = options();
  const names = o.scenario ? [o.scenario] : Object.keys(SCENARIOS);
  for (const n of names) if (!SCENARIOS[n]) throw new Error(`unknown scenario ${n}; one of ${Object.keys(SCENARIOS).join(', ')}`);
  const profDir = o.prof ? path.resolve('out', `prof-rest-${Date.now()}`) : undefined;
  const server = await startChildServer({ accounts: 2, prefill: 200, profDir });
  try {
    for (const n of names) await runScenario(n, o, server);
  } finally {
    await server.stop();
  }
  console.log(`load_avg ${loadAvg()}`);
  if (profDir) for (const f of mainThreadProfiles(profDir)) printProfile(f);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
