// Authenticated REST: the account's state and terms, order entry, amend,
// cancel, mass cancel, open orders, order status and own fills. Orders go
// through the same Exchange commands and enum translation as /ws/trade, so the
// engine applies the same rules and rejects; the answer is the execution
// reports the command produced for the account, in REST's units and names
// (rest-format.ts).
//
// Status codes: 200 when the engine accepted the order, amend or cancel (the
// order may still have traded, expired or been cancelled by its own terms — see
// ord_status); an engine refusal is 400 {code: <RejectCode name>, reject_code,
// field?, message, ...} — 404 for an unknown order (another account's order is
// unknown too), and as Binance does 429 for a rate limit and 418 for a ban,
// both with a Retry-After header (whole seconds, rounded up) and
// retry_after_ms in the body — except an unfilled-order count's 429, which
// like Binance's −1015 carries neither.
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import type { Exchange } from './exchange.ts';
import type { History } from './rest-history.ts';
import { FILLS_KEPT } from './rest-history.ts';
import { rejectName } from './metrics.ts';
import { UNFILLED_TAG } from '../engine/rules/rate-limit.ts';
import { HttpError, accountOf, requireAccount } from './rest-http.ts';
import { ExecType, OrdStatus, avgPx, newOrderFromWire, ordTypeToWire, tifToWire, type NewOrderWire } from './translate.ts';
import { Enums, amount, decimal, qty, rejectField, restReport, restText } from './rest-format.ts';
import { CancelReason, RejectReason, type Side } from '../engine/types.ts';
import type { Instrument } from '../engine/instrument.ts';
import type { OrderView } from '../engine/query.ts';
import { formatUnits } from '../engine/money.ts';
import { settlementJson } from './obligations.ts';

type Report = Record<string, unknown>;

// ---- request schemas: types only; values (ranges, ticks, lots, enum members) are the engine's to judge ----

const enumField = (e: { names: string[] }, what: string) => ({ type: ['string', 'integer'], description: `${what}: ${e.names.join(', ')} (or the wire number)` });

const FIELDS = {
  cl_ord_id: { type: 'string', minLength: 1, description: 'your id of the order: a string of 1-64 characters, unique among your open orders' },
  symbol: { type: 'string', description: 'an instrument symbol, e.g. "BTC-USD" (GET /api/v1/instruments)' },
  side: enumField(Enums.side, 'one of'),
  ord_type: enumField(Enums.ordType, 'one of'),
  time_in_force: enumField(Enums.tif, 'one of'),
  stp_mode: enumField(Enums.stp, 'self-trade prevention, one of'),
  price: { type: 'string', description: 'the limit price as a decimal string in the quote currency, e.g. "100000.5" (at most price_scale decimals); or price_units' },
  price_units: { type: 'integer', description: 'the limit price as an integer in price units (10^-price_scale), as on the wire; or price' },
  order_qty: { type: 'string', description: 'the quantity as a decimal string, e.g. "0.0100" (at most qty_scale decimals); or order_qty_units' },
  order_qty_units: { type: 'integer', description: 'the quantity as an integer in quantity units (10^-qty_scale), as on the wire; or order_qty' },
  expire_time: { type: 'integer', description: 'a GTD order\'s expiry: an integer, µs since the epoch' },
  post_only: { type: 'boolean', description: 'true or false' },
  post_only_slide: { type: 'boolean', description: 'with post_only: re-price one tick inside the opposite best instead of a reject' },
  stop_px: { type: 'string', description: 'STOP / STOP_LIMIT: the stop (trigger) price as a decimal string; or stop_px_units' },
  stop_px_units: { type: 'integer', description: 'the stop price as an integer in price units; or stop_px' },
  display_qty: { type: 'string', description: 'an iceberg\'s shown quantity as a decimal string; or display_qty_units' },
  display_qty_units: { type: 'integer', description: 'the shown quantity as an integer in quantity units; or display_qty' },
  imbalance_only: { type: 'boolean', description: 'an imbalance-only (IO) order of a cross: a LIMIT order AT_THE_OPENING or AT_THE_CLOSE; true or false' },
} as const;

const newOrderSchema = { type: 'object', required: ['cl_ord_id'], additionalProperties: false, properties: FIELDS } as const;

const amendSchema = {
  type: 'object', additionalProperties: false,
  properties: {
    cl_ord_id: { ...FIELDS.cl_ord_id, description: 'the order\'s new cl_ord_id (default: unchanged)' },
    price: FIELDS.price, price_units: FIELDS.price_units, order_qty: FIELDS.order_qty, order_qty_units: FIELDS.order_qty_units,
  },
} as const;

interface NewOrderBody {
  cl_ord_id: string; symbol?: string; side?: string | number; ord_type?: string | number; time_in_force?: string | number;
  stp_mode?: string | number; price?: string; price_units?: number; order_qty?: string; order_qty_units?: number;
  expire_time?: number; post_only?: boolean; post_only_slide?: boolean;
  stop_px?: string; stop_px_units?: number; display_qty?: string; display_qty_units?: number; imbalance_only?: boolean;
}
interface AmendBody { cl_ord_id?: string; price?: string; price_units?: number; order_qty?: string; order_qty_units?: number }

const idParams = { type: 'object', properties: { id: { type: 'integer', minimum: 1, description: 'an order id: a positive integer' } }, required: ['id'] } as const;
const clOrdIdParams = { type: 'object', properties: { cl_ord_id: FIELDS.cl_ord_id }, required: ['cl_ord_id'] } as const;
const symbolQuery = { type: 'object', properties: { symbol: { ...FIELDS.symbol, minLength: 1 } } } as const;

/** A request body → the NewOrderSingle fields the wire would carry. */
function newOrderWire(exchange: Exchange, b: NewOrderBody): NewOrderWire {
  const symbol = b.symbol ?? '';
  const inst = exchange.instrument(symbol);
  return {
    cl_ord_id: b.cl_ord_id, symbol,
    side: Enums.side.parse('side', b.side) ?? 0,
    ord_type: Enums.ordType.parse('ord_type', b.ord_type) ?? 0,
    time_in_force: Enums.tif.parse('time_in_force', b.time_in_force) ?? 0,
    stp_mode: Enums.stp.parse('stp_mode', b.stp_mode) ?? 0,
    price: amount(inst, 'price', 'price', b.price, b.price_units) ?? 0,
    order_qty: amount(inst, 'qty', 'order_qty', b.order_qty, b.order_qty_units) ?? 0,
    expire_time: b.expire_time ?? 0,
    post_only: b.post_only ?? false,
    stop_px: amount(inst, 'price', 'stop_px', b.stop_px, b.stop_px_units) ?? 0,
    display_qty: amount(inst, 'qty', 'display_qty', b.display_qty, b.display_qty_units) ?? 0,
    post_only_slide: b.post_only_slide ?? false,
    imbalance_only: b.imbalance_only ?? false,
  };
}

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

/** The order's status after the command (its last report's), and the reports in REST's terms. */
function answer(orderId: number, ers: Report[], inst: Instrument | undefined): Record<string, unknown> {
  let last: Report = {};
  for (const r of ers) if (r.order_id === orderId) last = r;
  return {
    order_id: orderId, cl_ord_id: last.cl_ord_id ?? '', ord_status: Enums.ordStatus.name(last.ord_status),
    execution_reports: ers.map((r) => restReport(r, inst)),
  };
}

/**
 * An engine refusal as an HTTP error. `now` is the engine time of the refused
 * command (commands run synchronously: the engine's time right after it).
 */
function refusal(status: number, report: Report | undefined, extra: Record<string, unknown>, now: number, inst: Instrument | undefined): HttpError {
  if (!report) return new HttpError(500, 'INTERNAL', 'the engine refused the command without a report');
  const code = report.reject_code as number;
  const text = restText(code, String(report.text), inst);
  if (code === RejectReason.RATE_LIMITED || code === RejectReason.BANNED) {
    const status = code === RejectReason.BANNED ? 418 : 429;
    // an unfilled-order count refused it: Binance's −1015 has no Retry-After (the stream keeps retry_after)
    if (String(report.text).endsWith(UNFILLED_TAG)) return new HttpError(status, rejectName(code), text, { reject_code: code, ...extra });
    const waitUs = Math.max(0, Number(report.retry_after) - now);
    return new HttpError(status, rejectName(code), text,
      { reject_code: code, retry_after_ms: Math.ceil(waitUs / 1000), ...extra }, { 'retry-after': String(Math.ceil(waitUs / 1_000_000)) });
  }
  const field = rejectField(code, String(report.text));
  return new HttpError(status, rejectName(code), text, { reject_code: code, ...(field ? { field } : {}), ...extra });
}

const unknownOrder = (what: string): HttpError =>
  new HttpError(404, rejectName(RejectReason.UNKNOWN_ORDER), `unknown order ${what}`, { reject_code: RejectReason.UNKNOWN_ORDER });

/** A live order as REST shows it (also in GET /account's open_orders). */
function openOrder(o: OrderView, inst: Instrument | undefined): Record<string, unknown> {
  return restReport({
    order_id: o.orderId, cl_ord_id: o.clOrdId, symbol: o.symbol, side: o.side, ord_type: ordTypeToWire(o.ordType, o.stopPx),
    time_in_force: tifToWire(o.tif), ord_status: o.cum > 0 ? OrdStatus.PARTIALLY_FILLED : OrdStatus.NEW, open: true,
    price: o.price, order_qty: o.qty, leaves_qty: o.leaves, cum_qty: o.cum, avg_px: avgPx(o.cumPxQty, o.cum), post_only: o.postOnly,
    imbalance_only: o.imbalanceOnly, expire_time: o.expireTime, transact_time: o.time,
    // order types: the shown part (an iceberg's slice; 0 while held), and a held stop or peg
    shown_qty: o.shown, ...(o.displayQty ? { display_qty: o.displayQty } : {}), ...(o.stopPx ? { stop_px: o.stopPx } : {}),
    ...(o.held ? { held: o.held } : {}),
  }, inst);
}

/** PositionReport fields that are money: decimal strings in the quote currency over REST. */
const MONEY_FIELDS = ['cost_basis', 'realised_pnl', 'fees_paid', 'rebates_received', 'cash', 'volume_notional'] as const;

function positions(exchange: Exchange, account: number): Record<string, unknown>[] {
  // the request bookkeeping of the wire's answer has no place in a REST list
  return exchange.positionReports(account).map(({ pos_req_id: _id, total_num_pos_reports: _n, last_rpt_requested: _last, text: _text, ...p }) => {
    const inst = exchange.instrument(p.symbol as string) as Instrument;
    for (const f of MONEY_FIELDS) p[f] = exchange.money(inst.symbol, BigInt(p[f] as string | number));
    p.position = qty(inst, p.position as number);
    p.volume_qty = formatUnits(BigInt(p.volume_qty as string), inst.qtyScale);
    return p;
  });
}

const NO_LIMIT = Number.MAX_SAFE_INTEGER;

/** The account's effective fee rates (tiers and maker-programme rates included) and limits, per instrument. */
function terms(exchange: Exchange, account: number): Record<string, unknown> {
  const t = exchange.engine.accountTerms(account);
  if (!t) return {};
  const limit = (v: number, scale: number): string | null => (v === NO_LIMIT ? null : decimal(v, scale));
  return {
    max_open_orders: t.maxOpenOrders,
    instruments: t.instruments.map((i) => {
      const inst = exchange.instrument(i.symbol) as Instrument;
      const r = i.risk;
      return {
        symbol: i.symbol, maker_fee_bp: i.makerRate / 100, taker_fee_bp: i.takerRate / 100,
        max_position: qty(inst, i.maxPosition),
        risk_limits: {
          max_order_qty: limit(r.maxOrderQty, inst.qtyScale), max_order_notional: limit(r.maxOrderNotional, inst.cashScale),
          max_long: limit(r.maxLong, inst.qtyScale), max_short: limit(r.maxShort, inst.qtyScale),
          max_gross_notional: limit(r.maxGrossNotional, inst.cashScale),
        },
      };
    }),
  };
}

/** An order query's numeric-string side ("1") reads as the number; names stay names. */
const sideOf = (v: string | undefined): number | undefined => Enums.side.parse('side', v !== undefined && /^\d+$/.test(v) ? Number(v) : v);

export function orderRoutes(api: FastifyInstance, exchange: Exchange, history: History): void {
  const authenticate = requireAccount(exchange);
  // an account's history is kept from its first REST request on (rest-history.ts)
  const onRequest: onRequestHookHandler = function (req, reply, done) {
    authenticate.call(this, req, reply, (err?: Error) => {
      if (!err) history.watch(accountOf(req).id);
      done(err);
    });
  };
  const instOf = (r: { symbol?: unknown }): Instrument | undefined => exchange.instrument(String(r.symbol ?? ''));
  const fmt = (r: Report): Report => restReport(r, instOf(r));

  /** The account's live order by id or cl_ord_id, or null. */
  const live = (account: number, ref: { id?: number; cl_ord_id?: string }): OrderView | null => {
    const o = ref.id !== undefined ? exchange.engine.order(ref.id) : exchange.engine.orderByClOrdId(account, ref.cl_ord_id as string);
    return o && o.account === account ? o : null;
  };

  api.get('/account', { onRequest }, async (req) => {
    const a = accountOf(req);
    return {
      account_id: String(a.id), name: a.name,
      kill_switch: exchange.killSwitchOn(a.id),
      banned_until: exchange.bannedUntil(a.id),
      ...terms(exchange, a.id),
      positions: positions(exchange, a.id),
      open_orders: exchange.engine.openOrders(a.id).map((o) => openOrder(o, instOf(o))),
      // maker programmes: claw-backs and maker-fee tier changes at window ends, oldest first
      settlements: exchange.engine.settlements(a.id).map((st) => settlementJson(st, (symbol, units) => exchange.money(symbol, units))),
    };
  });

  api.post<{ Body: NewOrderBody }>('/orders', { onRequest, schema: { body: newOrderSchema } }, async (req) => {
    const account = accountOf(req).id;
    const wire = newOrderWire(exchange, req.body);
    const inst = exchange.instrument(wire.symbol);
    const { result, reports } = capture(exchange, account, () => exchange.newOrder(newOrderFromWire(account, wire)));
    const ers = ofKind(reports, 'execution_report');
    if (result === 0) {
      const rejected = ers.find((r) => r.exec_type === ExecType.REJECTED);
      throw refusal(400, rejected, { ord_rej_reason: rejected?.ord_rej_reason, execution_reports: ers.map((r) => restReport(r, inst)) }, exchange.engine.time, inst);
    }
    return answer(result, ers, inst);
  });

  // ---- open orders and order status ----

  api.get<{ Querystring: { symbol?: string } }>('/orders', { onRequest, schema: { querystring: symbolQuery } }, async (req) => {
    const { symbol } = req.query;
    const orders = exchange.engine.openOrders(accountOf(req).id).filter((o) => symbol === undefined || o.symbol === symbol);
    return { orders: orders.map((o) => openOrder(o, instOf(o))) };
  });

  /** An order's status: a live order's state, else the last report of a recently finished one (404 beyond). */
  const status = (account: number, ref: { id?: number; cl_ord_id?: string }): Record<string, unknown> => {
    const o = live(account, ref);
    if (o) return openOrder(o, instOf(o));
    const er = ref.id !== undefined ? history.finishedOrder(account, ref.id) : history.finishedByClOrdId(account, ref.cl_ord_id as string);
    if (!er) throw unknownOrder(ref.id !== undefined ? String(ref.id) : `with cl_ord_id ${ref.cl_ord_id}`);
    return { ...fmt(er), open: false };
  };

  api.get<{ Params: { id: number } }>('/orders/:id', { onRequest, schema: { params: idParams } },
    async (req) => status(accountOf(req).id, { id: req.params.id }));
  api.get<{ Params: { cl_ord_id: string } }>('/orders/by-cl-ord-id/:cl_ord_id', { onRequest, schema: { params: clOrdIdParams } },
    async (req) => status(accountOf(req).id, { cl_ord_id: req.params.cl_ord_id }));

  // ---- cancel, mass cancel, amend ----

  /** Cancels a live order by id or cl_ord_id; `symbol` (optional) must then be the order's. */
  const cancel = (account: number, ref: { id?: number; cl_ord_id?: string }, symbol: string | undefined): Record<string, unknown> => {
    const o = live(account, ref);
    if (!o && symbol === undefined) throw unknownOrder(ref.id !== undefined ? String(ref.id) : `with cl_ord_id ${ref.cl_ord_id}`);
    const sym = symbol ?? (o as OrderView).symbol;
    const inst = exchange.instrument(sym);
    const { result, reports } = capture(exchange, account, () =>
      exchange.cancel({ account, symbol: sym, ...(ref.id !== undefined ? { orderId: ref.id } : { origClOrdId: ref.cl_ord_id }) }));
    if (result === 0) {
      const rej = ofKind(reports, 'order_cancel_reject')[0];
      const code = rej?.reject_code;
      const http = code === RejectReason.UNKNOWN_ORDER || code === RejectReason.UNKNOWN_SYMBOL ? 404 : 400;
      throw refusal(http, rej, { order_cancel_reject: rej && restReport(rej, inst) }, exchange.engine.time, inst);
    }
    return answer((o as OrderView).orderId, ofKind(reports, 'execution_report'), inst);
  };

  api.delete<{ Params: { id: number }; Querystring: { symbol?: string } }>('/orders/:id', {
    onRequest, schema: { params: idParams, querystring: symbolQuery },
  }, async (req) => cancel(accountOf(req).id, { id: req.params.id }, req.query.symbol));
  api.delete<{ Params: { cl_ord_id: string }; Querystring: { symbol?: string } }>('/orders/by-cl-ord-id/:cl_ord_id', {
    onRequest, schema: { params: clOrdIdParams, querystring: symbolQuery },
  }, async (req) => cancel(accountOf(req).id, { cl_ord_id: req.params.cl_ord_id }, req.query.symbol));

  // mass cancel: every open order of the account, or of one symbol and/or side
  api.delete<{ Querystring: { symbol?: string; side?: string } }>('/orders', {
    onRequest,
    schema: { querystring: { type: 'object', properties: { symbol: symbolQuery.properties.symbol, side: { type: 'string', description: FIELDS.side.description } } } },
  }, async (req) => {
    const account = accountOf(req).id;
    const { symbol } = req.query;
    const side = sideOf(req.query.side);
    if (symbol !== undefined && !exchange.instrument(symbol)) throw new HttpError(404, 'UNKNOWN_SYMBOL', `unknown symbol ${symbol}`, { field: 'symbol' });
    const { reports } = capture(exchange, account, () => exchange.massCancelOrders(account, '', symbol, side as Side | undefined));
    const report = ofKind(reports, 'order_mass_cancel_report')[0];
    if (!report || report.rejected) throw refusal(400, report, {}, exchange.engine.time, undefined);
    const cancelled = ofKind(reports, 'execution_report').filter((r) => r.cancel_reason === CancelReason.MASS_CANCEL);
    return { total_affected_orders: report.total_affected_orders, order_ids: cancelled.map((r) => r.order_id) };
  });

  /** Cancel-replace: new price and/or quantity (default: the order's), optionally a new cl_ord_id. */
  const amend = (account: number, ref: { id?: number; cl_ord_id?: string }, b: AmendBody): Record<string, unknown> => {
    const o = live(account, ref);
    if (!o) throw unknownOrder(ref.id !== undefined ? String(ref.id) : `with cl_ord_id ${ref.cl_ord_id}`);
    const inst = exchange.instrument(o.symbol);
    const { result, reports } = capture(exchange, account, () => exchange.replace({
      account, symbol: o.symbol, orderId: o.orderId, clOrdId: b.cl_ord_id,
      price: amount(inst, 'price', 'price', b.price, b.price_units) ?? o.price,
      qty: amount(inst, 'qty', 'order_qty', b.order_qty, b.order_qty_units) ?? o.qty,
    }));
    if (result === 0) {
      const rej = ofKind(reports, 'order_cancel_reject')[0];
      const http = rej?.reject_code === RejectReason.UNKNOWN_ORDER ? 404 : 400;
      throw refusal(http, rej, { order_cancel_reject: rej && restReport(rej, inst) }, exchange.engine.time, inst);
    }
    return answer(o.orderId, ofKind(reports, 'execution_report'), inst);
  };

  api.patch<{ Params: { id: number }; Body: AmendBody }>('/orders/:id', { onRequest, schema: { params: idParams, body: amendSchema } },
    async (req) => amend(accountOf(req).id, { id: req.params.id }, req.body));
  api.patch<{ Params: { cl_ord_id: string }; Body: AmendBody }>('/orders/by-cl-ord-id/:cl_ord_id', {
    onRequest, schema: { params: clOrdIdParams, body: amendSchema },
  }, async (req) => amend(accountOf(req).id, { cl_ord_id: req.params.cl_ord_id }, req.body));

  // ---- own fills ----

  api.get<{ Querystring: { symbol?: string; limit: number } }>('/fills', {
    onRequest,
    schema: {
      querystring: {
        type: 'object',
        properties: {
          symbol: symbolQuery.properties.symbol,
          limit: { type: 'integer', minimum: 1, maximum: FILLS_KEPT, default: 100, description: `how many of the latest fills: an integer 1-${FILLS_KEPT}` },
        },
      },
    },
  }, async (req) => ({ fills: history.fills(accountOf(req).id, req.query.limit, req.query.symbol).map(fmt) }));

  api.post<{ Body: KillSwitchBody }>('/kill-switch', { onRequest, schema: { body: killSwitchSchema } }, async (req) => {
    const a = accountOf(req);
    return killSwitch(exchange, a.id, req.body.on, req.body.text ?? (req.body.on ? 'kill switch on (account)' : 'kill switch off (account)'));
  });
}

export interface KillSwitchBody { on: boolean; text?: string }

export const killSwitchSchema = {
  type: 'object', required: ['on'], additionalProperties: false,
  properties: { on: { type: 'boolean', description: 'true or false' }, text: { type: 'string', maxLength: 256, description: 'a reason, at most 256 characters' } },
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
