// REST side of REQUEST_WEIGHT (request-weight.ts): every /api/v1 request but
// the admin routes and the dashboard's own (as Binance's web pages do not
// count against an IP's API weight) is weighed before anything else runs; over the limit it is
// answered 429 (or 418 while the address is banned) with Retry-After, and
// every answer carries the address's weight so far.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from './rest-http.ts';
import type { RequestWeights } from './request-weight.ts';

const ADMIN_PREFIX = '/api/v1/admin';
/**
 * The dashboard's requests are told apart by a cookie the server sets when it serves the page
 * (gateway/dashboard.ts): an HttpOnly value drawn at start, which a browser sends back on its own
 * and a bot has only if it fetches the page and copies it on purpose — a header anyone can send
 * would let every bot skip the weight by accident of copying the dashboard's code.
 */
export const DASHBOARD_COOKIE = 'makerbench_dashboard';
const dashboardPass = randomBytes(16).toString('hex');

/** The Set-Cookie value that marks a browser's later requests as the dashboard's. */
export function dashboardCookie(): string {
  return `${DASHBOARD_COOKIE}=${dashboardPass}; Path=/; HttpOnly; SameSite=Strict`;
}

function fromDashboard(req: FastifyRequest): boolean {
  const cookie = req.headers.cookie;
  return cookie !== undefined && cookie.split(';').some((c) => c.trim() === `${DASHBOARD_COOKIE}=${dashboardPass}`);
}
const US_PER_MS = 1000;

/** REST: an onRequest hook weighing every /api/v1 request but the admin routes; the weight header on every answer. */
export function installRequestWeight(api: FastifyInstance, w: RequestWeights, now: () => number): void {
  api.addHook('onRequest', (req: FastifyRequest, reply, done) => {
    const url = req.routeOptions.url;
    if (url === undefined || url.startsWith(ADMIN_PREFIX) || fromDashboard(req)) return done();
    const refused = w.take(req.ip, w.routeWeight(`${req.method} ${url}`, (req.query ?? {}) as Record<string, unknown>));
    const used = String(w.used(req.ip));
    void reply.header(w.header, used);
    if (refused === null) return done();
    const waitMs = Math.max(0, Math.ceil((refused.retryAt - now()) / US_PER_MS));
    const headers = { [w.header]: used, 'retry-after': String(Math.ceil(waitMs / 1000)) };
    const extra = { retry_after_ms: waitMs };
    done(refused.banned
      ? new HttpError(418, 'IP_BANNED', refused.text, extra, headers)
      : new HttpError(429, 'TOO_MANY_REQUESTS', refused.text, extra, headers));
  });
}
