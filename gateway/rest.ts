// The REST API (JSON under /api/v1), /health and /metrics. Registered as a
// server part at import time (gateway/index.ts imports it). Prices and
// quantities are decimal strings in the instrument's units and enums are names
// (rest-format.ts); errors are {code, message, field?} with a 4xx/5xx status
// (see rest-http.ts).
import type { FastifyInstance } from 'fastify';
import { extendServer, type ServerContext } from './server.ts';
import type { Exchange } from './exchange.ts';
import { TAPE_LENGTH } from './exchange.ts';
import { securityList } from './reference.ts';
import { phaseName } from './translate.ts';
import { GatewayMetrics } from './metrics.ts';
import { HttpError, installErrorHandling, installValidators } from './rest-http.ts';
import { orderRoutes } from './rest-orders.ts';
import { History } from './rest-history.ts';
import { Enums, money, price, qty } from './rest-format.ts';
import type { Instrument } from '../engine/instrument.ts';
import type { LevelView } from '../engine/query.ts';
import { adminRoutes } from './rest-admin.ts';
import { journalRoutes } from './journal/rest-journal.ts';
import { programmeRoutes } from './rest-programmes.ts';
import { mmpRoutes } from './rest-mmp.ts';
import { clockRoutes, exchangeTimeHeader } from './rest-clock.ts';
import { venueTimeZone } from './profiles.ts';
import { simRoutes } from './rest-sim.ts';
import { requestWeightsOf } from './request-weight.ts';
import { installRequestWeight } from './rest-weight.ts';

export const API_PREFIX = '/api/v1';
export const MAX_DEPTH_LEVELS = 5000;

const symbolParams = { type: 'object', properties: { symbol: { type: 'string', minLength: 1 } }, required: ['symbol'] } as const;

function knownInstrument(exchange: Exchange, symbol: string): Instrument {
  const inst = exchange.instrument(symbol);
  if (!inst) throw new HttpError(404, 'UNKNOWN_SYMBOL', `unknown symbol ${symbol}`, { field: 'symbol' });
  return inst;
}

/** The engine's reference prices and bands of an instrument now (null = none). */
function priceControls(exchange: Exchange, inst: Instrument): Record<string, unknown> | null {
  const c = exchange.engine.priceControls(inst.symbol);
  if (!c) return null;
  const px = (units: number): string | null => (units === 0 ? null : price(inst, units));
  const band = (b: { lower: number; upper: number } | null): Record<string, unknown> | null => b && { lower: price(inst, b.lower), upper: price(inst, b.upper) };
  return { reference_price: px(c.referencePrice), previous_close: px(c.previousClose), daily_limits: band(c.dailyLimits), dynamic_band: band(c.dynamicBand) };
}

/** An instrument's reference data with its prices, quantities and money as decimal strings. */
function instrumentJson(inst: Instrument, sec: Record<string, unknown>): Record<string, unknown> {
  return {
    ...sec,
    tick_table: inst.tickTable.map((b) => ({ from_price: price(inst, b.from_price), tick: price(inst, b.tick) })),
    lot: qty(inst, inst.lot), min_qty: qty(inst, inst.minQty), max_qty: qty(inst, inst.maxQty),
    min_price: price(inst, inst.minPrice), max_price: price(inst, inst.maxPrice), min_notional: money(inst, inst.minNotional),
    max_position: qty(inst, inst.maxPosition),
    market_remainder: inst.marketRemainderRests ? 'rest' : 'cancel',
    ...(sec.min_display_qty !== undefined ? { min_display_qty: qty(inst, inst.minDisplayQty) } : {}),
  };
}

/** Book levels as JSON `[["price","qty"], …]`, decimal strings. */
function levelsJson(inst: Instrument, levels: readonly LevelView[] | undefined): string {
  if (!levels || levels.length === 0) return '[]';
  let s = '[';
  for (let i = 0; i < levels.length; i++) s += `${i === 0 ? '' : ','}["${price(inst, levels[i].price)}","${qty(inst, levels[i].qty)}"]`;
  return s + ']';
}

/** Reference and market data: no authentication. */
function marketRoutes(api: FastifyInstance, exchange: Exchange): void {
  // the SecurityList plus what only REST shows: the phase by name, a timed halt's end, the indicative
  // uncross of a call phase, and the instrument's configured rules
  api.get('/instruments', async () => securityList(exchange).map((sec) => {
    const symbol = sec.symbol as string;
    const inst = exchange.instrument(symbol) as Instrument;
    const status = exchange.status(symbol);
    const auction = exchange.auctionState(symbol);
    return {
      ...instrumentJson(inst, sec),
      phase: phaseName(exchange.engine.phaseOf(symbol)),
      halt_end_time: status && status.trading_phase === sec.trading_phase ? status.halt_end_time : 0,
      auction: auction ? {
        ...auction, price: price(inst, auction.price), qty: qty(inst, auction.qty), surplus_qty: qty(inst, auction.surplus_qty), surplus_side: Enums.side.name(auction.surplus_side),
        far_price: price(inst, auction.far_price), reference_price: price(inst, auction.reference_price), collar_low: price(inst, auction.collar_low),
        collar_high: price(inst, auction.collar_high),
      } : null,
      price_controls: priceControls(exchange, inst),
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
  }, async (req, reply) => {
    const inst = knownInstrument(exchange, req.params.symbol);
    const symbol = inst.symbol;
    const d = exchange.engine.depth(symbol, req.query.levels);
    // taken after the depth in the same synchronous turn: the book is exactly as of this id
    const id = exchange.updateId(symbol);
    // the hot read: written out directly (decimals need no escaping), as cheap as JSON.stringify of the integers was
    const json = `{"symbol":${JSON.stringify(symbol)},"last_update_id":${id},"bids":${levelsJson(inst, d?.bids)},"asks":${levelsJson(inst, d?.asks)}}`;
    return reply.type('application/json; charset=utf-8').send(json);
  });

  api.get<{ Params: { symbol: string }; Querystring: { limit: number } }>('/trades/:symbol', {
    schema: {
      params: symbolParams,
      querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: TAPE_LENGTH, default: 100 } } },
    },
  }, async (req) => {
    const inst = knownInstrument(exchange, req.params.symbol);
    const trades = exchange.trades(inst.symbol, req.query.limit).map((t) => ({
      ...t, price: price(inst, t.price), qty: qty(inst, t.qty), aggressor_side: Enums.side.name(t.aggressor_side),
    }));
    return { symbol: inst.symbol, trades };
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
  const history = new History(ctx.exchange);
  opsRoutes(ctx.app, metrics);
  void ctx.app.register(async (api) => {
    installValidators(api);
    installErrorHandling(api);
    exchangeTimeHeader(api, ctx.clock);
    const weights = requestWeightsOf(ctx.exchange, ctx.clock.now);
    if (weights !== null) installRequestWeight(api, weights, ctx.clock.now);
    marketRoutes(api, ctx.exchange);
    orderRoutes(api, ctx.exchange, history);
    adminRoutes(api, ctx.exchange, ctx.adminToken);
    journalRoutes(api, ctx.exchange, ctx.adminToken);
    programmeRoutes(api, ctx.exchange, ctx.adminToken);
    mmpRoutes(api, ctx.exchange);
    clockRoutes(api, ctx.clock, venueTimeZone(ctx.exchange.profile), ctx.adminToken);
    simRoutes(api, ctx.exchange, ctx.adminToken);
  }, { prefix: API_PREFIX });
  return { close: () => { metrics.close(); history.close(); } };
}

extendServer(installRest);
