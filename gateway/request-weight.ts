// REQUEST_WEIGHT (Binance spot, rest-api.md "LIMITS"): every REST request and
// every /ws/md MarketDataRequest has a weight, summed per remote address over
// fixed intervals (a 1-minute interval starts every minute of the exchange
// clock); a request that would pass the limit is refused — REST 429 with
// Retry-After until the interval ends, /ws/md a MarketDataRequestReject
// RATE_LIMITED with retry_after. An address that keeps sending after its 429s
// is banned: REST 418, /ws/md BANNED, for 2 minutes the first time, doubling
// with each further ban up to 3 days. Every REST answer carries the address's
// weight so far in an X-MBX-USED-WEIGHT-<interval> header.
//
// Configured by rules.request_weight (off without it; on in crypto-spot). This
// is per-address request weighting, not connection limiting
// (connection-limits.ts) nor the engine's per-account order-rate limits.
import { ConfigError } from '../engine/instrument.ts';
import type { RequestWeightConfig } from '../engine/rules/config.ts';

/** Binance GET /api/v3/depth: limit 1–100 → 5, 101–500 → 25, 501–1000 → 50, 1001–5000 → 250. */
export const BINANCE_DEPTH_WEIGHTS: readonly { up_to: number; weight: number }[] = [
  { up_to: 100, weight: 5 }, { up_to: 500, weight: 25 }, { up_to: 1000, weight: 50 }, { up_to: 5000, weight: 250 },
];

/**
 * Route weights modelled on the Binance spot endpoint each route stands for (rest-api.md): exchangeInfo
 * 20, trades 25, openOrders 6 with a symbol (80 without), order 4, account 20, myTrades 20; orders,
 * cancels and anything else 1. Depth is weighed by its levels (depth_weights).
 */
export const DEFAULT_ROUTE_WEIGHTS: Readonly<Record<string, number>> = {
  'GET /api/v1/instruments': 20,
  'GET /api/v1/rules': 20,
  'GET /api/v1/trades/:symbol': 25,
  'GET /api/v1/orders': 6,
  'GET /api/v1/orders/:id': 4,
  'GET /api/v1/orders/by-cl-ord-id/:cl_ord_id': 4,
  'GET /api/v1/account': 20,
  'GET /api/v1/fills': 20,
};

/** GET /api/v1/orders without a symbol: Binance openOrders for every symbol */
const ALL_OPEN_ORDERS_WEIGHT = 80;
const DEPTH_ROUTE = 'GET /api/v1/depth/:symbol';
/** the depth route's default levels (rest.ts) */
const DEFAULT_DEPTH_LEVELS = 100;
/** addresses remembered at most; past it, idle ones are pruned */
const MAX_ADDRESSES = 10_000;
const US_PER_MS = 1000;

interface Weighing {
  /** µs */
  intervalUs: number;
  limit: number;
  routes: Record<string, number>;
  depth: { up_to: number; weight: number }[];
  banAfter: number;
  banUs: number;
  banMaxUs: number;
  /** e.g. "X-MBX-USED-WEIGHT-1M" */
  header: string;
}

interface AddressRecord {
  /** start of the interval `used` counts in (µs) */
  interval: number;
  used: number;
  /** 429s answered in this interval */
  refused: number;
  bannedUntil: number;
  /** bans so far: the next lasts ban_ms × 2^bans (up to ban_max_ms) */
  bans: number;
}

/** Why a request is refused: 429 (retry at the interval's end) or 418 (banned until). */
export interface WeightRefusal {
  banned: boolean;
  /** exchange time (µs) from which the address may send again */
  retryAt: number;
  text: string;
}

function int(v: unknown, field: string, min: number, max: number, dflt?: number): number {
  const x = v ?? dflt;
  if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < min || x > max) {
    throw new ConfigError(field, `must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  }
  return x;
}

/** The interval as Binance names it in the header: (intervalNum)(intervalLetter). */
function intervalName(ms: number): string {
  for (const [unit, letter] of [[86_400_000, 'D'], [3_600_000, 'H'], [60_000, 'M'], [1000, 'S']] as const) {
    if (ms % unit === 0) return `${ms / unit}${letter}`;
  }
  return `${ms}MS`;
}

/** Validates rules.request_weight (ConfigError naming the field). */
export function requestWeightConfig(c: RequestWeightConfig, where = 'rules.request_weight'): Weighing {
  if (typeof c !== 'object' || c === null) throw new ConfigError(where, 'must be an object');
  const limit = int(c.limit, `${where}.limit`, 1, 1_000_000_000);
  const intervalMs = int(c.interval_ms, `${where}.interval_ms`, 1000, 86_400_000, 60_000);
  const routes: Record<string, number> = { ...DEFAULT_ROUTE_WEIGHTS };
  if (c.weights !== undefined) {
    if (typeof c.weights !== 'object' || c.weights === null) throw new ConfigError(`${where}.weights`, 'must be an object of "METHOD /api/v1/path": weight');
    for (const [route, w] of Object.entries(c.weights)) {
      if (!/^(GET|POST|PATCH|DELETE) \/api\/v1\/\S*$/.test(route)) throw new ConfigError(`${where}.weights`, `route ${JSON.stringify(route)} must be "METHOD /api/v1/path"`);
      routes[route] = int(w, `${where}.weights.${route}`, 0, 1_000_000_000);
    }
  }
  const depth = c.depth_weights ?? BINANCE_DEPTH_WEIGHTS;
  if (!Array.isArray(depth) || depth.length === 0) throw new ConfigError(`${where}.depth_weights`, 'must be a non-empty array of {up_to, weight}');
  depth.forEach((d, i) => {
    const at = `${where}.depth_weights[${i}]`;
    int(d?.up_to, `${at}.up_to`, i === 0 ? 1 : depth[i - 1].up_to + 1, 1_000_000);
    int(d.weight, `${at}.weight`, 0, 1_000_000_000);
  });
  const banMs = int(c.ban_ms, `${where}.ban_ms`, 1000, 7 * 86_400_000, 120_000);
  return {
    intervalUs: intervalMs * US_PER_MS,
    limit,
    routes,
    depth: depth.map((d) => ({ up_to: d.up_to, weight: d.weight })),
    banAfter: int(c.ban_after, `${where}.ban_after`, 0, 1_000_000, 5),
    banUs: banMs * US_PER_MS,
    banMaxUs: int(c.ban_max_ms, `${where}.ban_max_ms`, banMs, 30 * 86_400_000, 259_200_000) * US_PER_MS,
    header: `X-MBX-USED-WEIGHT-${intervalName(intervalMs)}`,
  };
}

export class RequestWeights {
  private readonly cfg: Weighing;
  private readonly byAddress = new Map<string, AddressRecord>();

  constructor(config: RequestWeightConfig, private readonly now: () => number) {
    this.cfg = requestWeightConfig(config);
  }

  get header(): string {
    return this.cfg.header;
  }

  /** A depth (or market-data snapshot) of `levels` per side; 0 or more than the last tier = the last tier. */
  depthWeight(levels: number): number {
    const tiers = this.cfg.depth;
    for (const t of tiers) if (levels >= 1 && levels <= t.up_to) return t.weight;
    return tiers[tiers.length - 1].weight;
  }

  /** A REST route's weight ("GET /api/v1/depth/:symbol"), with its query (depth levels, an orders symbol). */
  routeWeight(route: string, query: Record<string, unknown>): number {
    if (route === DEPTH_ROUTE) {
      const levels = query.levels === undefined ? DEFAULT_DEPTH_LEVELS : Number(query.levels);
      return this.depthWeight(Number.isSafeInteger(levels) ? levels : DEFAULT_DEPTH_LEVELS);
    }
    if (route === 'GET /api/v1/orders' && query.symbol === undefined && this.cfg.routes[route] === DEFAULT_ROUTE_WEIGHTS[route]) return ALL_OPEN_ORDERS_WEIGHT;
    return this.cfg.routes[route] ?? 1;
  }

  /** The address's weight in the current interval. */
  used(address: string): number {
    const r = this.byAddress.get(address);
    return r && r.interval === this.intervalStart(this.now()) ? r.used : 0;
  }

  /** Counts a request of `weight` from `address`, or says why it is refused (and then counts nothing). */
  take(address: string, weight: number): WeightRefusal | null {
    const now = this.now();
    const c = this.cfg;
    const start = this.intervalStart(now);
    const r = this.record(address, now, start);
    if (r.bannedUntil > now) return { banned: true, retryAt: r.bannedUntil, text: `IP banned until ${r.bannedUntil} µs: request weight used after ${c.banAfter} refusals` };
    if (r.interval !== start) {
      r.interval = start;
      r.used = r.refused = 0;
    }
    if (r.used + weight <= c.limit) {
      r.used += weight;
      return null;
    }
    if (r.refused >= c.banAfter) {
      // kept sending after its 429s: banned, each ban twice as long as the last, up to ban_max_ms
      const length = Math.min(c.banMaxUs, c.banUs * 2 ** Math.min(r.bans, 40));
      r.bans++;
      r.refused = 0;
      r.bannedUntil = now + length;
      return { banned: true, retryAt: r.bannedUntil, text: `IP banned for ${length / 1_000_000} s: request weight used after ${c.banAfter} refusals (ban ${r.bans})` };
    }
    r.refused++;
    const end = start + c.intervalUs;
    return { banned: false, retryAt: end, text: `request weight ${r.used} + ${weight} over the limit ${c.limit} per ${c.header.slice('X-MBX-USED-WEIGHT-'.length)}; retry when the interval ends` };
  }

  private intervalStart(now: number): number {
    return now - (now % this.cfg.intervalUs);
  }

  private record(address: string, now: number, start: number): AddressRecord {
    let r = this.byAddress.get(address);
    if (r === undefined) {
      if (this.byAddress.size >= MAX_ADDRESSES) this.prune(now, start);
      r = { interval: start, used: 0, refused: 0, bannedUntil: 0, bans: 0 };
      this.byAddress.set(address, r);
    }
    return r;
  }

  /** Forgets addresses not banned, idle this interval, and clear of bans for ban_max_ms; the oldest others if still full. */
  private prune(now: number, start: number): void {
    for (const [a, r] of this.byAddress) {
      if (r.bannedUntil <= now && r.interval !== start && (r.bans === 0 || now - r.bannedUntil > this.cfg.banMaxUs)) this.byAddress.delete(a);
    }
    for (const [a, r] of this.byAddress) {
      if (this.byAddress.size < MAX_ADDRESSES) break;
      if (r.bannedUntil <= now) this.byAddress.delete(a);
    }
  }
}

const weights = new WeakMap<object, RequestWeights>();

/** The server's request weights (one per exchange, shared by REST and /ws/md), or null when not configured. */
export function requestWeightsOf(exchange: { rules: { request_weight?: RequestWeightConfig } }, now: () => number): RequestWeights | null {
  const cfg = exchange.rules.request_weight;
  if (cfg === undefined) return null;
  let w = weights.get(exchange);
  if (w === undefined) weights.set(exchange, (w = new RequestWeights(cfg, now)));
  return w;
}
