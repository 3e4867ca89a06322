// Engine ↔ wire translation: enum numbering (the wire uses FIX values) and
// engine events → FIX-style report messages. Pure functions, no state.
import type { FillEvent, OrderEvent } from '../engine/events.ts';
import { OrderEventKind } from '../engine/events.ts';
import type { Instrument } from '../engine/instrument.ts';
import { CancelReason, OrdType, RejectReason, StpMode, TimeInForce, type Side } from '../engine/types.ts';
import type { NewOrder } from '../engine/commands.ts';

// ---- enums: wire (FIX numbering) → engine; undefined = "not given / default" ----

export const W_ORD_TYPE_MARKET = 1;
export const W_ORD_TYPE_LIMIT = 2;

export function ordTypeFromWire(v: number): OrdType | undefined | null {
  if (v === 0) return undefined;
  return v === W_ORD_TYPE_MARKET ? OrdType.MARKET : v === W_ORD_TYPE_LIMIT ? OrdType.LIMIT : null;
}

const TIF_FROM_WIRE: Record<number, TimeInForce> = { 1: TimeInForce.GTC, 3: TimeInForce.IOC, 4: TimeInForce.FOK, 6: TimeInForce.GTD };
const TIF_TO_WIRE: Record<number, number> = { [TimeInForce.GTC]: 1, [TimeInForce.IOC]: 3, [TimeInForce.FOK]: 4, [TimeInForce.GTD]: 6 };

/** undefined = default, null = not a valid value */
export function tifFromWire(v: number): TimeInForce | undefined | null {
  return v === 0 ? undefined : (TIF_FROM_WIRE[v] ?? null);
}

const STP_FROM_WIRE: Record<number, StpMode> = {
  1: StpMode.CANCEL_TAKER, 2: StpMode.CANCEL_MAKER, 3: StpMode.CANCEL_BOTH, 4: StpMode.DECREMENT, 5: StpMode.NONE,
};

export function stpFromWire(v: number): StpMode | undefined | null {
  return v === 0 ? undefined : (STP_FROM_WIRE[v] ?? null);
}

export const ordTypeToWire = (t: OrdType): number => (t === OrdType.MARKET ? W_ORD_TYPE_MARKET : W_ORD_TYPE_LIMIT);
export const tifToWire = (t: TimeInForce): number => TIF_TO_WIRE[t];

/** NewOrderSingle's fields, as they arrive over /ws/trade or POST /api/v1/orders. */
export interface NewOrderWire {
  cl_ord_id: string;
  symbol: string;
  side: number;
  ord_type: number;
  time_in_force: number;
  price: number;
  order_qty: number;
  expire_time: number;
  post_only: boolean;
  stp_mode: number;
}

/**
 * NewOrderSingle fields → an Exchange new order, the same for every transport:
 * an enum value outside the wire's set reaches the engine as an invalid value,
 * so it is rejected with the engine's typed reason.
 */
export function newOrderFromWire(account: number, m: NewOrderWire): Omit<NewOrder, 'time'> {
  const tif = tifFromWire(m.time_in_force);
  return {
    account,
    symbol: m.symbol,
    clOrdId: m.cl_ord_id,
    side: m.side as Side,
    ordType: ordTypeFromWire(m.ord_type) ?? (m.ord_type ? (0 as never) : undefined),
    tif: tif ?? (m.time_in_force ? (0 as never) : undefined),
    price: m.price,
    qty: m.order_qty,
    expireTime: tif === TimeInForce.GTD ? m.expire_time : undefined,
    postOnly: m.post_only,
    stp: stpFromWire(m.stp_mode) ?? (m.stp_mode ? (99 as never) : undefined),
  };
}

// ---- report enums ----

export const ExecType = { NEW: 1, CANCELED: 2, REPLACED: 3, REJECTED: 4, EXPIRED: 5, TRADE: 6, RESTATED: 7 } as const;
export const OrdStatus = { NEW: 1, PARTIALLY_FILLED: 2, FILLED: 3, CANCELED: 4, REJECTED: 5, EXPIRED: 6 } as const;
export const Liquidity = { MAKER: 1, TAKER: 2 } as const;

/** Cancels the exchange initiated because of order terms are "expired" in FIX; user actions are "canceled". */
const EXPIRING: ReadonlySet<number> = new Set([
  CancelReason.IOC_REMAINDER, CancelReason.SELF_TRADE, CancelReason.EXPIRED, CancelReason.MARKET_REMAINDER,
]);

/** FIX 103 OrdRejReason for an engine reject. */
export function ordRejReason(r: RejectReason): number {
  switch (r) {
    case RejectReason.UNKNOWN_SYMBOL: return 1;
    case RejectReason.INSTRUMENT_HALTED: return 2;
    case RejectReason.QTY_OUT_OF_RANGE: case RejectReason.POSITION_LIMIT: case RejectReason.TOO_MANY_OPEN_ORDERS:
    case RejectReason.NOTIONAL_TOO_SMALL: return 3;
    case RejectReason.UNKNOWN_ORDER: return 5;
    case RejectReason.DUPLICATE_CL_ORD_ID: return 6;
    default: return 99;
  }
}

/** FIX 102 CxlRejReason. */
export function cxlRejReason(r: RejectReason): number {
  return r === RejectReason.UNKNOWN_ORDER ? 1 : r === RejectReason.DUPLICATE_CL_ORD_ID ? 6 : 99;
}

function status(cum: number, leaves: number): number {
  return leaves === 0 && cum > 0 ? OrdStatus.FILLED : cum > 0 ? OrdStatus.PARTIALLY_FILLED : OrdStatus.NEW;
}

/** Average price in price units, rounded half up (exact value is cum_quote_qty / cum_qty). */
export function avgPx(cumPxQty: number, cum: number): number {
  return cum === 0 ? 0 : Math.floor((2 * cumPxQty + cum) / (2 * cum));
}

export type ExecutionReport = Record<string, unknown>;

/** An order event as an ExecutionReport, or null for cancel/replace rejects (see cancelReject). */
export function executionReport(e: OrderEvent, inst: Instrument | undefined, execId: number): ExecutionReport | null {
  let execType: number;
  let ordStatus: number;
  switch (e.kind) {
    case OrderEventKind.ACCEPTED: execType = ExecType.NEW; ordStatus = OrdStatus.NEW; break;
    case OrderEventKind.REPLACED: execType = ExecType.REPLACED; ordStatus = status(e.cum, e.leaves); break;
    case OrderEventKind.RESTATED: execType = ExecType.RESTATED; ordStatus = status(e.cum, e.leaves); break;
    case OrderEventKind.REJECTED: execType = ExecType.REJECTED; ordStatus = OrdStatus.REJECTED; break;
    case OrderEventKind.CANCELLED: {
      const expired = EXPIRING.has(e.reason);
      execType = expired ? ExecType.EXPIRED : ExecType.CANCELED;
      ordStatus = expired ? OrdStatus.EXPIRED : OrdStatus.CANCELED;
      break;
    }
    default: return null;
  }
  const rejected = e.kind === OrderEventKind.REJECTED;
  return {
    order_id: e.orderId, cl_ord_id: e.clOrdId, orig_cl_ord_id: e.origClOrdId, exec_id: execId, exec_type: execType,
    ord_status: ordStatus, symbol: e.symbol, side: e.side, price: e.price, order_qty: e.qty, leaves_qty: e.leaves,
    cum_qty: e.cum, avg_px: avgPx(e.cumPxQty, e.cum), ord_type: ordTypeToWire(e.ordType), time_in_force: tifToWire(e.tif),
    ord_rej_reason: rejected ? ordRejReason(e.reason as RejectReason) : 0,
    reject_code: rejected ? e.reason : 0,
    cancel_reason: rejected ? 0 : e.reason,
    text: e.text, transact_time: e.time,
    cum_quote_qty: inst ? e.cumPxQty * inst.notionalMultiplier : 0,
  };
}

export function cancelReject(e: OrderEvent): Record<string, unknown> {
  return {
    order_id: e.orderId, cl_ord_id: e.clOrdId, orig_cl_ord_id: e.origClOrdId,
    cxl_rej_response_to: e.kind === OrderEventKind.CANCEL_REJECTED ? 1 : 2,
    cxl_rej_reason: cxlRejReason(e.reason as RejectReason), reject_code: e.reason, text: e.text,
  };
}

/** The two ExecutionReports of a fill: the maker's and the taker's. */
export function fillReports(f: FillEvent, inst: Instrument, makerExecId: number, takerExecId: number): [ExecutionReport, ExecutionReport] {
  const common = { exec_type: ExecType.TRADE, symbol: f.symbol, last_px: f.price, last_qty: f.qty, trade_id: f.tradeId, transact_time: f.time };
  const mult = inst.notionalMultiplier;
  const maker: ExecutionReport = {
    ...common, order_id: f.makerOrderId, cl_ord_id: f.makerClOrdId, exec_id: makerExecId, side: 3 - f.aggressorSide,
    ord_status: status(f.makerCum, f.makerLeaves), price: f.price, order_qty: f.makerQty, leaves_qty: f.makerLeaves,
    cum_qty: f.makerCum, avg_px: avgPx(f.makerCumPxQty, f.makerCum), liquidity: Liquidity.MAKER, fee: f.makerFee,
    cum_quote_qty: f.makerCumPxQty * mult,
  };
  const taker: ExecutionReport = {
    ...common, order_id: f.takerOrderId, cl_ord_id: f.takerClOrdId, exec_id: takerExecId, side: f.aggressorSide,
    ord_status: status(f.takerCum, f.takerLeaves), price: f.takerPrice, order_qty: f.takerQty, leaves_qty: f.takerLeaves,
    cum_qty: f.takerCum, avg_px: avgPx(f.takerCumPxQty, f.takerCum), liquidity: Liquidity.TAKER, fee: f.takerFee,
    cum_quote_qty: f.takerCumPxQty * mult,
  };
  return [maker, taker];
}
