// Authenticated REST: the account's state, order entry and cancel. Orders go
// through the same Exchange commands and enum translation as /ws/trade, so the
// engine applies the same rules and rejects; the answer is the execution
// reports the command produced for the account.
//
// Status codes: 200 when the engine accepted the order or cancel (the order may
// still have traded, expired or been cancelled by its own terms — see
// ord_status); an engine refusal is 400 {code: <RejectCode name>, reject_code,
// message, ...} — 404 for a cancel of an unknown order (another account's
// order is unknown too), and as Binance does 429 for a rate limit and 418
// for a ban, both with a Retry-After header (whole seconds, rounded up) and
// retry_after_ms in the body.
import type { FastifyInstance } from 'fastify';
import type { Exchange } from './exchange.ts';
import { rejectName } from './metrics.ts';
import { HttpError, accountOf, requireAccount } from './rest-http.ts';
import { ExecType, avgPx, newOrderFromWire, ordTypeToWire, tifToWire, type NewOrderWire } from './translate.ts';
import { CancelReason, RejectReason } from '../engine/types.ts';
import type { OrderView } from '../engine/query.ts';
import { settlementJson } from './obligations.ts';

/** A NewOrderSingle as JSON: the wire's field names and enum numbers; absent fields read as the wire's zero values. */

// Types only: values (ranges, ticks, lots, enum members) are the engine's to judge, so REST rejects match /ws/trade's.
const newOrderSchema = {
  type: 'object',
  required: ['cl_ord_id'],
  additionalProperties: false,
  properties: {
    cl_ord_id: { type: 'string', minLength: 1 },
    symbol: { type: 'string', default: '' },
    side: { type: 'integer', default: 0 },
    ord_type: { type: 'integer', default: 0 },
    time_in_force: { type: 'integer', default: 0 },
    price: { type: 'integer', default: 0 },
    order_qty: { type: 'integer', default: 0 },
    expire_time: { type: 'integer', default: 0 },
    post_only: { type: 'boolean', default: false },
    stp_mode: { type: 'integer', default: 0 },
  },
} as const;

type Report = Record<string, unknown>;
/** A message for the account: the Envelope body name and the message. */
interface Captured { body: string; msg: Report }

/**
 * Runs one Exchange command and returns every message it produced for the
 * account. Commands run synchronously, so nothing else can interleave while
 * the listener is attached.
 */
function capture(exchange: Exchange, account: number, cmd: () => number): { result: number; reports: Captured[] } {
  const reports: Captured[] = [];
  const stop = exchange.subscribeAccount(account, (body, msg) => reports.push({ body, msg }));
  try {
    return { result: cmd(), reports };
  } finally {
    stop();
  }
}

const ofKind = (reports: Captured[], body: string): Report[] => reports.filter((r) => r.body === body).map((r) => r.msg);

/** The order's status after the command: its last report's. */
function answer(orderId: number, ers: Report[]): Record<string, unknown> {
  const own = ers.filter((r) => r.order_id === orderId);
  const last = own[own.length - 1] ?? {};
  return { order_id: orderId, cl_ord_id: last.cl_ord_id ?? '', ord_status: last.ord_status ?? 0, execution_reports: ers };
}

/**
 * An engine refusal as an HTTP error. `now` is the engine time of the refused
 * command (commands run synchronously: the engine's time right after it).
 */
function refusal(status: number, report: Report | undefined, extra: Record<string, unknown>, now: number): HttpError {
  if (!report) return new HttpError(500, 'INTERNAL', 'the engine refused the command without a report');
  const code = report.reject_code as number;
  if (code === RejectReason.RATE_LIMITED || code === RejectReason.BANNED) {
    const waitUs = Math.max(0, (report.retry_after as number) - now);
    return new HttpError(code === RejectReason.BANNED ? 418 : 429, rejectName(code), String(report.text),
      { reject_code: code, retry_after_ms: Math.ceil(waitUs / 1000), ...extra }, { 'retry-after': String(Math.ceil(waitUs / 1_000_000)) });
  }
  return new HttpError(status, rejectName(code), String(report.text), { reject_code: code, ...extra });
}

function openOrder(o: OrderView): Record<string, unknown> {
  return {
    order_id: o.orderId, cl_ord_id: o.clOrdId, symbol: o.symbol, side: o.side, ord_type: ordTypeToWire(o.ordType),
    time_in_force: tifToWire(o.tif), price: o.price, order_qty: o.qty, leaves_qty: o.leaves, cum_qty: o.cum,
    avg_px: avgPx(o.cumPxQty, o.cum), post_only: o.postOnly, expire_time: o.expireTime, transact_time: o.time,
  };
}

/** PositionReport fields that are money: decimal strings in the quote currency over REST. */
const MONEY_FIELDS = ['cost_basis', 'realised_pnl', 'fees_paid', 'rebates_received', 'cash', 'volume_notional'] as const;

function positions(exchange: Exchange, account: number): Record<string, unknown>[] {
  return exchange.positionReports(account).map(({ pos_req_id: _unused, ...p }) => {
    const symbol = p.symbol as string;
    for (const f of MONEY_FIELDS) p[f] = exchange.money(symbol, BigInt(p[f] as string | number));
    return p;
  });
}

export function orderRoutes(api: FastifyInstance, exchange: Exchange): void {
  const onRequest = requireAccount(exchange);

  api.get('/account', { onRequest }, async (req) => {
    const a = accountOf(req);
    return {
      account_id: String(a.id), name: a.name,
      kill_switch: exchange.killSwitchOn(a.id),
      banned_until: exchange.bannedUntil(a.id),
      positions: positions(exchange, a.id),
      open_orders: exchange.engine.openOrders(a.id).map(openOrder),
      // maker programmes: claw-backs and maker-fee tier changes at window ends, oldest first
      settlements: exchange.engine.settlements(a.id).map((st) => settlementJson(st, (symbol, units) => exchange.money(symbol, units))),
    };
  });

  api.post<{ Body: NewOrderWire }>('/orders', { onRequest, schema: { body: newOrderSchema } }, async (req) => {
    const account = accountOf(req).id;
    const { result, reports } = capture(exchange, account, () => exchange.newOrder(newOrderFromWire(account, req.body)));
    const ers = ofKind(reports, 'execution_report');
    if (result === 0) {
      const rejected = ers.find((r) => r.exec_type === ExecType.REJECTED);
      throw refusal(400, rejected, { ord_rej_reason: rejected?.ord_rej_reason, execution_reports: ers }, exchange.engine.time);
    }
    return answer(result, ers);
  });

  api.delete<{ Params: { id: number }; Querystring: { symbol: string } }>('/orders/:id', {
    onRequest,
    schema: {
      params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] },
      querystring: { type: 'object', properties: { symbol: { type: 'string', minLength: 1 } }, required: ['symbol'] },
    },
  }, async (req) => {
    const account = accountOf(req).id;
    const { id } = req.params;
    const { result, reports } = capture(exchange, account, () => exchange.cancel({ account, symbol: req.query.symbol, orderId: id }));
    if (result === 0) {
      const rej = ofKind(reports, 'order_cancel_reject')[0];
      const code = rej?.reject_code;
      const status = code === RejectReason.UNKNOWN_ORDER || code === RejectReason.UNKNOWN_SYMBOL ? 404 : 400;
      throw refusal(status, rej, { order_cancel_reject: rej }, exchange.engine.time);
    }
    return answer(id, ofKind(reports, 'execution_report'));
  });

  api.post<{ Body: KillSwitchBody }>('/kill-switch', { onRequest, schema: { body: killSwitchSchema } }, async (req) => {
    const a = accountOf(req);
    return killSwitch(exchange, a.id, req.body.on, req.body.text ?? (req.body.on ? 'kill switch on (account)' : 'kill switch off (account)'));
  });
}

export interface KillSwitchBody { on: boolean; text?: string }

export const killSwitchSchema = {
  type: 'object', required: ['on'], additionalProperties: false,
  properties: { on: { type: 'boolean' }, text: { type: 'string', maxLength: 256 } },
} as const;

/**
 * Turns an account's kill switch on or off (the account's own route and the
 * admin's): {account_id, kill_switch (the state now), changed, cancelled (orders
 * the switch cancelled)}.
 */
export function killSwitch(exchange: Exchange, account: number, on: boolean, text: string): Record<string, unknown> {
  const { result, reports } = capture(exchange, account, () => exchange.killSwitch(account, on, text));
  const cancelled = ofKind(reports, 'execution_report').filter((r) => r.cancel_reason === CancelReason.KILL_SWITCH).length;
  return { account_id: String(account), kill_switch: exchange.killSwitchOn(account), changed: result === 1, cancelled };
}
