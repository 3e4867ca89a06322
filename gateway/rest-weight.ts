// REST side of REQUEST_WEIGHT (request-weight.ts): every /api/v1 request but
// the admin routes and the dashboard's own (as Binance's web pages do not
// count against an IP's API weight) is weighed before anything else runs; over the limit it is
// answered 429 (or 418 while the address is banned) with Retry-After, and
// every answer carries the address's weight so far.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from './rest-http.ts';
import type { RequestWeights } from './request-weight.ts';

const ADMIN_PREFIX = '/api/v1/admin';
/** the built-in dashboard marks its requests with this header (dashboard/rest.js) */
export const DASHBOARD_HEADER = 'x-makerbench-client';
const US_PER_MS = 1000;

/** REST: an onRequest hook weighing every /api/v1 request but the admin routes; the weight header on every answer. */
export function installRequestWeight(api: FastifyInstance, w: RequestWeights, now: () => number): void {
  api.addHook('onRequest', (req: FastifyRequest, reply, done) => {
    const url = req.routeOptions.url;
    if (url === undefined || url.startsWith(ADMIN_PREFIX) || req.headers[DASHBOARD_HEADER] === 'dashboard') return done();
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
