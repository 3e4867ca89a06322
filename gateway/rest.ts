// The REST API (JSON under /api/v1), /health and /metrics. Registered as a
// server part at import time (gateway/index.ts imports it). Prices and
// quantities are integers in instrument units, as on the wire; errors are
// {code, message} with a 4xx/5xx status (see rest-http.ts).
import type { FastifyInstance } from 'fastify';
import { extendServer, type ServerContext } from './server.ts';
import type { Exchange } from './exchange.ts';
import { TAPE_LENGTH } from './exchange.ts';
import { securityList } from './reference.ts';
import { phaseName } from './translate.ts';
import { GatewayMetrics } from './metrics.ts';
import { HttpError, installErrorHandling, installValidators } from './rest-http.ts';
import { orderRoutes } from './rest-orders.ts';
import { adminRoutes } from './rest-admin.ts';
import { programmeRoutes } from './rest-programmes.ts';
import { clockRoutes, exchangeTimeHeader } from './rest-clock.ts';
import { venueTimeZone } from './profiles.ts';

export const API_PREFIX = '/api/v1';
export const MAX_DEPTH_LEVELS = 5000;

const symbolParams = { type: 'object', properties: { symbol: { type: 'string', minLength: 1 } }, required: ['symbol'] } as const;

function knownSymbol(exchange: Exchange, symbol: string): string {
  if (!exchange.instrument(symbol)) throw new HttpError(404, 'UNKNOWN_SYMBOL', `unknown symbol ${symbol}`);
  return symbol;
}

/** The engine's reference prices and bands of an instrument now (price units; null = none). */
function priceControls(exchange: Exchange, symbol: string): Record<string, unknown> | null {
  const c = exchange.engine.priceControls(symbol);
  if (!c) return null;
  return {
    reference_price: c.referencePrice, previous_close: c.previousClose,
    daily_limits: c.dailyLimits && { lower: c.dailyLimits.lower, upper: c.dailyLimits.upper },
    dynamic_band: c.dynamicBand && { lower: c.dynamicBand.lower, upper: c.dynamicBand.upper },
  };
}

/** Reference and market data: no authentication. */
function marketRoutes(api: FastifyInstance, exchange: Exchange): void {
  // the SecurityList plus what only REST shows: the phase by name, a timed halt's end, the indicative
  // uncross of a call phase, and the instrument's configured rules
  api.get('/instruments', async () => securityList(exchange).map((sec) => {
    const symbol = sec.symbol as string;
    const status = exchange.status(symbol);
    return {
      ...sec,
      phase: phaseName(exchange.engine.phaseOf(symbol)),
      halt_end_time: status && status.trading_phase === sec.trading_phase ? status.halt_end_time : 0,
      auction: exchange.auctionState(symbol) ?? null,
      price_controls: priceControls(exchange, symbol),
      rules: exchange.instrumentRulesOf(symbol),
    };
  }));

  // the venue-wide rules (Binance's exchangeInfo rateLimits in spirit)
  api.get('/rules', async () => ({ profile: exchange.profile ?? null, ...exchange.rules }));

  api.get<{ Params: { symbol: string }; Querystring: { levels: number } }>('/depth/:symbol', {
    schema: {
      params: symbolParams,
      querystring: { type: 'object', properties: { levels: { type: 'integer', minimum: 1, maximum: MAX_DEPTH_LEVELS, default: 100 } } },
    },
  }, async (req) => {
    const symbol = knownSymbol(exchange, req.params.symbol);
    const d = exchange.engine.depth(symbol, req.query.levels);
    return {
      symbol,
      // taken after the depth in the same synchronous turn: the book is exactly as of this id
      last_update_id: exchange.updateId(symbol),
      bids: (d?.bids ?? []).map((l) => [l.price, l.qty]),
      asks: (d?.asks ?? []).map((l) => [l.price, l.qty]),
    };
  });

  api.get<{ Params: { symbol: string }; Querystring: { limit: number } }>('/trades/:symbol', {
    schema: {
      params: symbolParams,
      querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: TAPE_LENGTH, default: 100 } } },
    },
  }, async (req) => {
    const symbol = knownSymbol(exchange, req.params.symbol);
    return { symbol, trades: exchange.trades(symbol, req.query.limit) };
  });
}

/** /health and /metrics sit at the root, like every Prometheus target and load-balancer probe expects. */
function opsRoutes(app: FastifyInstance, metrics: GatewayMetrics): void {
  app.get('/health', async () => ({ status: 'ok', uptime_s: metrics.uptimeSeconds(), sessions: metrics.sessions() }));
  app.get('/metrics', async (_req, reply) => {
    const { contentType, text } = await metrics.render();
    return reply.type(contentType).send(text);
  });
  app.addHook('onResponse', (req, reply, done) => {
    metrics.countRequest(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode);
    done();
  });
}

function installRest(ctx: ServerContext): { close: () => void } {
  const metrics = new GatewayMetrics(ctx);
  opsRoutes(ctx.app, metrics);
  void ctx.app.register(async (api) => {
    installValidators(api);
    installErrorHandling(api);
    exchangeTimeHeader(api, ctx.clock);
    marketRoutes(api, ctx.exchange);
    orderRoutes(api, ctx.exchange);
    adminRoutes(api, ctx.exchange, ctx.adminToken);
    programmeRoutes(api, ctx.exchange, ctx.adminToken);
    clockRoutes(api, ctx.clock, venueTimeZone(ctx.exchange.profile), ctx.adminToken);
  }, { prefix: API_PREFIX });
  return { close: () => metrics.close() };
}

extendServer(installRest);
