// The scorecard of a running exchange (a server part, registered at import):
// one Scorecard observing the Exchange, sampled every second of exchange
// time for the report, a ScorecardStatus to each scored account's sessions
// every STATUS_INTERVAL_US, and the REST routes
//   GET /api/v1/scorecard            own account (x-api-key); admin: ?account=ID or every account
//   GET /api/v1/admin/report         the report: ?format=html|json|csv
import type { FastifyInstance } from 'fastify';
import type { Exchange } from '../exchange.ts';
import type { ExchangeClock } from '../../sim/clock.ts';
import { RealtimeScheduler } from '../../sim/realtime-scheduler.ts';
import type { Scheduler, Timer } from '../../sim/scheduler.ts';
import { extendServer, type ServerContext } from '../server.ts';
import { HttpError, accountOrAdmin, installErrorHandling, installValidators, requireAdmin, requireAdminOrAccount } from '../rest-http.ts';
import { exchangeTimeHeader } from '../rest-clock.ts';
import { Scorecard, type ScorecardOptions } from './scorecard.ts';
import { ScorecardSeries } from './series.ts';
import { cardView, scorecardView, type CardView } from './view.ts';
import { reportCsv, reportHtml, reportData } from './report.ts';

/** How often each scored account's sessions get a ScorecardStatus, µs of exchange time. */
export const STATUS_INTERVAL_US = 5_000_000;
export const SAMPLE_INTERVAL_US = 1_000_000;

/** A scorecard with its series, sampled (and its statuses sent) on a scheduler of exchange time. */
export class LiveScorecard {
  readonly sc: Scorecard;
  readonly series: ScorecardSeries;
  private timer: Timer | null = null;
  private lastStatus = 0;

  constructor(readonly exchange: Exchange, private readonly scheduler: Scheduler, opts: ScorecardOptions = {}, private readonly statusIntervalUs = STATUS_INTERVAL_US) {
    this.sc = new Scorecard(exchange, opts);
    this.series = new ScorecardSeries(this.sc, SAMPLE_INTERVAL_US);
    this.lastStatus = scheduler.now();
    this.schedule();
  }

  private schedule(): void {
    this.timer = this.scheduler.after(SAMPLE_INTERVAL_US, () => {
      const now = this.scheduler.now();
      this.series.sample(now);
      if (now - this.lastStatus >= this.statusIntervalUs) {
        this.lastStatus = now;
        this.sendStatuses();
      }
      this.schedule();
    });
  }

  /** A ScorecardStatus per instrument to every scored account with a session. */
  sendStatuses(): void {
    let caughtUp = false;
    for (const c of this.sc.cardsOf()) {
      if (!c.tracked) continue;
      this.exchange.notify(c.account, 'scorecard_status', () => {
        if (!caughtUp) this.sc.catchUp();
        caughtUp = true;
        return scorecardStatus(cardView(this.sc, c));
      });
    }
  }

  stop(): void {
    if (this.timer) this.scheduler.cancel(this.timer);
    this.sc.stop();
  }
}

/** ScorecardStatus as sent (proto/makerbench.proto). */
export function scorecardStatus(v: CardView): Record<string, unknown> {
  const markouts = [['all', v.markouts] as const, ...Object.entries(v.by_counterparty)].flatMap(([counterparty, m]) =>
    m.horizons.map((h) => ({
      counterparty, horizon_ms: h.horizon_ms, markout_bp: h.markout_bp ?? 0, adverse_selection_bp: h.adverse_selection_bp ?? 0, fills: m.fills,
    })));
  const q = v.quotes;
  return {
    symbol: v.symbol, transact_time: v.time_us, pnl: v.pnl.total, spread_capture: v.pnl.spread_capture, fees: v.pnl.fees,
    inventory_pnl: v.pnl.inventory, position: v.position, max_abs_position: v.inventory.max_abs_position, fills: v.fills,
    effective_spread_bp: v.markouts.effective_spread_bp ?? 0, markouts,
    two_sided_pct: q?.two_sided_pct ?? 0, at_best_bid_pct: q?.at_best_bid_pct ?? 0, at_best_ask_pct: q?.at_best_ask_pct ?? 0,
    fill_ratio: q?.fill_ratio ?? 0, order_to_trade: q?.order_to_trade ?? 0,
    rejects: q ? Object.values(q.rejects).reduce((a, b) => a + b, 0) : 0,
  };
}

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
  void ctx.app.register(async (api) => {
    installValidators(api);
    installErrorHandling(api, false); // rest.ts has the /api/v1 404
    exchangeTimeHeader(api, ctx.clock);
    routes(api, ctx, card);
  }, { prefix: '/api/v1' });
  return {
    close: () => {
      card.stop();
      scheduler.close();
    },
  };
}

extendServer(installScorecard);
