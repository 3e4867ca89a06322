// Maker programmes over REST: the definitions, the programme
// report per member × instrument × window (JSON, or CSV for export), and a
// member's own obligations. Figures are as of the request: the engine's clock
// is advanced to now first (a tick, as the server's timer does), so the
// current window runs up to the answer's `time`.
import type { FastifyInstance } from 'fastify';
import type { Exchange } from './exchange.ts';
import { HttpError, accountOf, accountOrAdmin, requireAccount, requireAdminOrAccount } from './rest-http.ts';
import { memberRows, programmeDefinition, reportCsv, type Member } from './obligations.ts';
import { BREACH_NAME, type BreachCode } from '../engine/obligations/types.ts';
import type { ObligationView } from '../engine/query.ts';

const member = (v: ObligationView): Member => ({ programme: v.programme, account: v.account, name: v.name, symbol: v.symbol });

export function programmeRoutes(api: FastifyInstance, exchange: Exchange, adminToken: string): void {
  const engine = exchange.engine;

  api.get('/programmes', async () => engine.programmeList().map(programmeDefinition));

  // the admin sees every member; a member (x-api-key) its own rows
  api.get<{ Params: { name: string }; Querystring: { format: 'json' | 'csv' } }>('/programmes/:name/report', {
    onRequest: requireAdminOrAccount(exchange, adminToken),
    schema: {
      params: { type: 'object', properties: { name: { type: 'string', minLength: 1 } }, required: ['name'] },
      querystring: { type: 'object', properties: { format: { enum: ['json', 'csv'], default: 'json' } } },
    },
  }, async (req, reply) => {
    const { name } = req.params;
    const p = engine.programmeList().find((q) => q.name === name);
    if (!p) throw new HttpError(404, 'UNKNOWN_PROGRAMME', `unknown programme ${name}`);
    const caller = accountOrAdmin(req);
    if (caller && !p.members.includes(caller.name)) throw new HttpError(403, 'NOT_A_MEMBER', `account ${caller.name} is not a member of ${name}`);
    exchange.tick();
    const views = engine.obligationViews({ programme: name, account: caller?.id });
    const rows = views.flatMap((v) => memberRows(member(v), v.current, v.reports));
    if (req.query.format === 'csv') {
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}-report.csv"`).send(reportCsv(rows));
    }
    return { programme: name, time: engine.time, windows: rows };
  });

  // the caller's own obligations: the last live status sent, the current window so far, the closed windows
  api.get('/obligations', { onRequest: requireAccount(exchange) }, async (req) => {
    const a = accountOf(req);
    exchange.tick();
    return {
      account_id: String(a.id),
      time: engine.time,
      obligations: engine.obligationViews({ account: a.id }).map((v) => {
        const status = exchange.obligationStatus(a.id, v.programme, v.symbol);
        const rows = memberRows(member(v), v.current, v.reports);
        const current = rows.pop();
        return {
          programme: v.programme, symbol: v.symbol,
          status: status ? { ...status, reason_name: BREACH_NAME[status.reason as BreachCode] } : null,
          current, reports: rows,
        };
      }),
    };
  });
}
