// Rule events one by one (docs/rest.md, the dashboard's Rule events view): the
// last RULE_LOG_LENGTH bans, kill switches, OTR flags, LULD limit states,
// market-maker protection triggers and resets, and trading-phase changes with
// their cause, newest first:
//   GET /api/v1/rule-events[?kind=BAN,KILL_SWITCH_ON&symbol=BTC-USD&limit=100]
// Anyone may read it. An event about an account names the account (and keeps
// its text, which an operator may have written) only for the admin token and
// for that account's own key; everyone else sees that some account was
// concerned, not which.
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import { RuleEventKind, type PhaseEvent } from '../engine/events.ts';
import { TradingPhase } from '../engine/types.ts';
import type { Exchange, MarketListener, RuleNotice } from './exchange.ts';
import { extendServer, type ServerContext } from './server.ts';
import { accountOrAdmin, requireAdminOrAccount } from './rest-http.ts';
import { registerApiRoutes } from './rest-clock.ts';
import { price } from './rest-format.ts';
import { PHASE_CAUSE_NAME, phaseName } from './translate.ts';

/** Events kept; older ones are dropped (GET /metrics keeps the counts since start). */
export const RULE_LOG_LENGTH = 1000;

const RULE_NAME: Record<number, string> = Object.fromEntries(Object.entries(RuleEventKind).map(([k, v]) => [v, k]));
/** The kinds a client can filter on: the engine's rule events and PHASE (a trading-phase change). */
export const RULE_LOG_KINDS: readonly string[] = [...Object.keys(RuleEventKind), 'PHASE'];

interface Logged {
  id: number;
  kind: string;
  time: number;
  symbol: string;
  account: number;
  session: number;
  until: number;
  value: number;
  text: string;
  phase: TradingPhase;
  cause: number;
}

/** One event as REST shows it to a viewer (decimals in the instrument's units, times in µs since the epoch). */
export type RuleLogRow = Record<string, string | number | boolean | null>;

/** Who reads: the admin, an account (its own events named), or the public. */
type Viewer = 'admin' | number | null;

export class RuleLog {
  private readonly ring: Logged[] = [];
  private next = 0;
  private lastId = 0;
  private readonly off: (() => void)[] = [];

  constructor(private readonly exchange: Exchange, private readonly capacity = RULE_LOG_LENGTH) {
    this.off.push(exchange.subscribeRules((e) => this.onRule(e)));
    const none = (): void => {};
    const phases: MarketListener = { level: none, trade: none, order: none, auction: none, commit: none, phase: (e) => this.onPhase(e) };
    this.off.push(exchange.subscribeMarket(phases));
  }

  close(): void {
    for (const f of this.off) f();
  }

  private push(e: Omit<Logged, 'id'>): void {
    const entry = { id: ++this.lastId, ...e };
    if (this.ring.length < this.capacity) this.ring.push(entry);
    else this.ring[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
  }

  private onRule(e: RuleNotice): void {
    this.push({
      kind: RULE_NAME[e.kind] ?? String(e.kind), time: e.time, symbol: e.symbol, account: e.account, session: e.session,
      until: e.until, value: e.value, text: e.text, phase: 0 as TradingPhase, cause: 0,
    });
  }

  private onPhase(e: PhaseEvent): void {
    this.push({ kind: 'PHASE', time: e.time, symbol: e.symbol, account: 0, session: 0, until: e.until, value: 0, text: e.text, phase: e.phase, cause: e.cause });
  }

  /** Newest first, at most `limit`, of the given kinds (all when empty) and symbol. */
  rows(viewer: Viewer, limit: number, kinds: ReadonlySet<string>, symbol?: string): RuleLogRow[] {
    const out: RuleLogRow[] = [];
    const n = this.ring.length;
    for (let i = 1; i <= n && out.length < limit; i++) {
      const e = this.ring[(this.next - i + n) % n];
      if ((kinds.size > 0 && !kinds.has(e.kind)) || (symbol !== undefined && e.symbol !== symbol)) continue;
      out.push(this.row(e, viewer));
    }
    return out;
  }

  private row(e: Logged, viewer: Viewer): RuleLogRow {
    const r: RuleLogRow = { id: e.id, kind: e.kind, time: e.time, symbol: e.symbol || null };
    if (e.kind === 'PHASE') {
      r.phase = phaseName(e.phase);
      r.cause = PHASE_CAUSE_NAME[e.cause] ?? String(e.cause);
      r.halt_end_time = e.phase === TradingPhase.HALTED && e.until > 0 ? e.until : null;
      r.text = e.text;
      return r;
    }
    if (e.kind === 'LIMIT_STATE_ON' || e.kind === 'LIMIT_STATE_OFF') {
      const inst = this.exchange.instrument(e.symbol);
      const on = e.kind === 'LIMIT_STATE_ON';
      // the band the best price sits at: the upper (bid at it, limit up) or the lower (offer at it, limit down)
      r.side = on ? (e.value >= 0 ? 'BUY' : 'SELL') : null;
      r.limit_price = on && inst ? price(inst, Math.abs(e.value)) : null;
      r.halt_time = on && e.until > 0 ? e.until : null;
      r.text = e.text;
      return r;
    }
    const visible = viewer === 'admin' || viewer === e.account;
    r.account = visible ? e.account : null;
    r.name = visible ? (this.exchange.accountInfo(e.account)?.name ?? null) : null;
    if (viewer === 'admin' && e.session !== 0) r.session = e.session;
    if (e.kind === 'BAN') r.until = e.until;
    if (e.kind === 'OTR_FLAG') r.ratio = e.value / 1000;
    if (e.kind === 'MMP_TRIGGERED') r.value = e.value;
    r.text = visible ? e.text : null;
    return r;
  }
}

function viewerOf(req: FastifyRequest): Viewer {
  if (req.headers['x-admin-token'] !== undefined) return 'admin';
  return accountOrAdmin(req)?.id ?? null;
}

function routes(api: FastifyInstance, ctx: ServerContext, log: RuleLog): void {
  const auth = requireAdminOrAccount(ctx.exchange, ctx.adminToken);
  // no credential: the public view; a credential must be valid
  const optionalAuth: onRequestHookHandler = function (req, reply, done) {
    if (req.headers['x-admin-token'] === undefined && req.headers['x-api-key'] === undefined) return done();
    return auth.call(this, req, reply, done);
  };
  api.get<{ Querystring: { kind?: string; symbol?: string; limit: number } }>('/rule-events', {
    onRequest: optionalAuth,
    schema: {
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          kind: { type: 'string', pattern: `^(${RULE_LOG_KINDS.join('|')})(,(${RULE_LOG_KINDS.join('|')}))*$` },
          symbol: { type: 'string', maxLength: 64 },
          limit: { type: 'integer', minimum: 1, maximum: RULE_LOG_LENGTH, default: 100 },
        },
      },
    },
  }, async (req) => {
    const kinds = new Set(req.query.kind ? req.query.kind.split(',') : []);
    return { kinds: RULE_LOG_KINDS, events: log.rows(viewerOf(req), req.query.limit, kinds, req.query.symbol) };
  });
}

function installRuleLog(ctx: ServerContext): { close: () => void } {
  const log = new RuleLog(ctx.exchange);
  registerApiRoutes(ctx, (api) => routes(api, ctx, log));
  return { close: () => log.close() };
}

extendServer(installRuleLog);
