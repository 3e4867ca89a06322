// The scorecard of a running exchange (a server part, registered at import):
// a LiveScorecard on the exchange clock, and the REST routes
//   GET /api/v1/scorecard            own account (x-api-key); admin: ?account=ID or every account
//   GET /api/v1/admin/report         the report: ?format=html|json|csv
import type { FastifyInstance } from 'fastify';
import type { Exchange } from '../exchange.ts';
import type { ExchangeClock } from '../../sim/clock.ts';
import { RealtimeScheduler } from '../../sim/realtime-scheduler.ts';
import { extendServer, type ServerContext } from '../server.ts';
import { HttpError, accountOrAdmin, requireAdmin, requireAdminOrAccount } from '../rest-http.ts';
import { registerApiRoutes } from '../rest-clock.ts';
import { scorecardView } from './view.ts';
import { LiveScorecard } from './live-scorecard.ts';
import { reportCsv, reportHtml, reportData } from './report.ts';
import { orderLatencyPart, scorecardPart } from './scorecard-snapshot.ts';
import { orderLatencyOf } from './latency.ts';

const live = new WeakMap<Exchange, LiveScorecard>();

/** The running scorecard of a server's exchange (a simulated market started next to it calls setMarket on .sc). */
export function scorecardOf(exchange: Exchange): LiveScorecard | undefined {
  return live.get(exchange);
}

function routes(api: FastifyInstance, ctx: ServerContext, card: LiveScorecard): void {
  const { exchange, adminToken } = ctx;
  api.get<{ Querystring: { account?: number } }>('/scorecard', {
    onRequest: requireAdminOrAccount(exchange, adminToken),
    schema: { querystring: { type: 'object', properties: { account: { type: 'integer', minimum: 0 } }, additionalProperties: false } },
  }, async (req) => {
    const caller = accountOrAdmin(req);
    if (caller && req.query.account !== undefined && req.query.account !== caller.id) {
      throw new HttpError(403, 'NOT_YOUR_ACCOUNT', 'an account sees its own scorecard; the admin token sees any');
    }
    const account = caller?.id ?? req.query.account;
    if (account !== undefined && !exchange.accountInfo(account)) throw new HttpError(404, 'UNKNOWN_ACCOUNT', `unknown account ${account}`);
    exchange.tick();
    return { time: exchange.engine.time, horizons_ms: card.sc.horizonsUs.map((h) => h / 1000), scorecards: scorecardView(card.sc, account) };
  });

  api.get<{ Querystring: { format: 'html' | 'json' | 'csv' } }>('/admin/report', {
    onRequest: requireAdmin(adminToken),
    schema: { querystring: { type: 'object', properties: { format: { enum: ['html', 'json', 'csv'], default: 'html' } }, additionalProperties: false } },
  }, async (req, reply) => {
    exchange.tick();
    const data = reportData(card.sc, card.series, { source: 'exchange' });
    if (req.query.format === 'json') return data;
    if (req.query.format === 'csv') return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="scorecard.csv"').send(reportCsv(data));
    return reply.type('text/html; charset=utf-8').send(reportHtml(data));
  });
}

function installScorecard(ctx: ServerContext): { close: () => void } {
  const scheduler = new RealtimeScheduler(ctx.clock as ExchangeClock);
  const card = new LiveScorecard(ctx.exchange, scheduler);
  live.set(ctx.exchange, card);
  ctx.snapshots?.add('scorecard', scorecardPart(ctx.exchange, card.sc, card.series));
  ctx.snapshots?.add('order-latency', orderLatencyPart(orderLatencyOf(ctx.exchange)));
  registerApiRoutes(ctx, (api) => routes(api, ctx, card));
  return {
    close: () => {
      card.stop();
      scheduler.close();
    },
  };
}

extendServer(installScorecard);
