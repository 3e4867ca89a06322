// Reports as the client hands them out: enums as names, prices, quantities
// and money as exact decimal strings in the instrument's scales (the same
// form orders are placed in), and the decoded wire message under `raw` for
// integer-unit arithmetic.
import type { Instrument } from './instrument.ts';
import { fromUnits } from './decimal.ts';
import {
  cancelReasonName, execTypeName, liquidityName, ordStatusName, phaseCauseName, rejectCodeName, sideName, tradingPhaseName,
  userEventName,
  type CancelReasonName, type ExecTypeName, type LiquidityName, type OrdStatusName, type PhaseCauseName, type RejectCodeName,
  type SideName, type TradingPhaseName, type UserEventName, type WireExecutionReport, type WireMassQuoteAck, type WireMdAuction,
  type WireOrderCancelReject, type WireOrderMassCancelReport, type WirePositionReport, type WireSecurityStatus,
  type WireUserNotification,
} from './protocol.ts';

/** Where a message sat in the session: its number, and whether it is a replay (poss_dup). */
export interface Delivery {
  seq: number;
  possDup: boolean;
}

export interface ExecutionReport extends Delivery {
  orderId: number;
  clOrdId: string;
  origClOrdId: string;
  execId: number;
  execType: ExecTypeName;
  ordStatus: OrdStatusName;
  symbol: string;
  side: SideName;
  price: string;
  orderQty: string;
  leavesQty: string;
  cumQty: string;
  avgPx: string;
  /** trade reports only ('0' otherwise) */
  lastPx: string;
  lastQty: string;
  tradeId: number;
  liquidity: LiquidityName | null;
  /** cash; negative = rebate */
  fee: string;
  cumQuoteQty: string;
  rejectCode: RejectCodeName | null;
  cancelReason: CancelReasonName | null;
  text: string;
  /** engine time, µs since the epoch */
  transactTime: number;
  /**
   * REJECTED with rate_limited or banned: engine time (µs since the epoch) from
   * which the same request would be accepted again; 0 otherwise
   */
  retryAfter: number;
  /** how long to wait before retrying, ms (retryAfter − transactTime, rounded up; 0 when retryAfter is) */
  retryAfterMs: number;
  raw: WireExecutionReport;
}

export interface CancelReject extends Delivery {
  orderId: number;
  clOrdId: string;
  origClOrdId: string;
  /** which request was refused */
  responseTo: 'cancel' | 'replace';
  rejectCode: RejectCodeName | null;
  text: string;
  /** rate_limited / banned: engine time (µs since the epoch) from which it would be accepted again; else 0 */
  retryAfter: number;
  raw: WireOrderCancelReject;
}

export interface MassCancelReport extends Delivery {
  clOrdId: string;
  totalAffectedOrders: number;
  rejected: boolean;
  rejectCode: RejectCodeName | null;
  text: string;
}

export interface MassQuoteAck extends Delivery {
  quoteId: string;
  symbol: string;
  rejected: boolean;
  bidRejectCode: RejectCodeName | null;
  offerRejectCode: RejectCodeName | null;
  /** 0 when no bid rests */
  bidOrderId: number;
  offerOrderId: number;
  text: string;
  /** a side refused rate_limited / banned: engine time (µs since the epoch) from which it would be accepted again; else 0 */
  retryAfter: number;
}

export interface PositionReport extends Delivery {
  /** '' when sent unsolicited after a fill */
  posReqId: string;
  symbol: string;
  /** signed quantity */
  position: string;
  costBasis: string;
  realisedPnl: string;
  feesPaid: string;
  rebatesReceived: string;
  cash: string;
  volumeQty: string;
  volumeNotional: string;
  raw: WirePositionReport;
}

export interface SecurityStatus extends Delivery {
  symbol: string;
  tradingPhase: TradingPhaseName | null;
  /** why the phase changed (null when not known, e.g. a status replayed to a late subscriber) */
  cause: PhaseCauseName | null;
  /** a timed halt: when it ends and the reopening auction runs (µs since the epoch); 0 = until resumed */
  haltEndTime: number;
  text: string;
  transactTime: number;
}

/** Something that happened to the account rather than one order (kill switch, OTR flag, ban). */
export interface UserNotification extends Delivery {
  event: UserEventName | null;
  text: string;
  /** otr_flag: the instrument */
  symbol: string;
  /** otr_flag: the ratio × 1000 */
  value: number;
  /** banned: end of the ban, µs since the epoch */
  until: number;
  transactTime: number;
}

/** The indicative (or final) uncross of an instrument in a call phase; prices and quantities in integer units. */
export interface AuctionInfo {
  symbol: string;
  tradingPhase: TradingPhaseName | null;
  /** 0 = nothing would execute */
  price: number;
  qty: number;
  surplusQty: number;
  surplusSide: SideName | null;
  /** the uncross itself: its trades (auction = true) come in the same update */
  final: boolean;
}

/** Scales of an instrument the client may not know (a reject for an unknown symbol): raw integers then. */
interface Scales {
  price: number;
  qty: number;
  cash: number;
}

const scalesOf = (inst: Instrument | undefined): Scales =>
  inst ? { price: inst.priceScale, qty: inst.qtyScale, cash: inst.cashScale } : { price: 0, qty: 0, cash: 0 };

export function toExecutionReport(m: WireExecutionReport, inst: Instrument | undefined, d: Delivery): ExecutionReport {
  const sc = scalesOf(inst);
  const px = (v: number): string => fromUnits(v, sc.price);
  const qty = (v: number): string => fromUnits(v, sc.qty);
  return {
    ...d,
    orderId: m.order_id, clOrdId: m.cl_ord_id, origClOrdId: m.orig_cl_ord_id, execId: m.exec_id,
    execType: execTypeName(m.exec_type) ?? 'new', ordStatus: ordStatusName(m.ord_status) ?? 'new',
    symbol: m.symbol, side: sideName(m.side) ?? 'buy',
    price: px(m.price), orderQty: qty(m.order_qty), leavesQty: qty(m.leaves_qty), cumQty: qty(m.cum_qty), avgPx: px(m.avg_px),
    lastPx: px(m.last_px), lastQty: qty(m.last_qty), tradeId: m.trade_id, liquidity: liquidityName(m.liquidity),
    fee: fromUnits(m.fee, sc.cash), cumQuoteQty: fromUnits(m.cum_quote_qty, sc.cash),
    rejectCode: rejectCodeName(m.reject_code), cancelReason: cancelReasonName(m.cancel_reason),
    text: m.text, transactTime: m.transact_time, retryAfter: m.retry_after,
    retryAfterMs: m.retry_after ? Math.max(0, Math.ceil((m.retry_after - m.transact_time) / 1000)) : 0, raw: m,
  };
}

export function toCancelReject(m: WireOrderCancelReject, d: Delivery): CancelReject {
  return {
    ...d, orderId: m.order_id, clOrdId: m.cl_ord_id, origClOrdId: m.orig_cl_ord_id,
    responseTo: m.cxl_rej_response_to === 2 ? 'replace' : 'cancel', rejectCode: rejectCodeName(m.reject_code), text: m.text,
    retryAfter: m.retry_after, raw: m,
  };
}

export function toMassCancelReport(m: WireOrderMassCancelReport, d: Delivery): MassCancelReport {
  return {
    ...d, clOrdId: m.cl_ord_id, totalAffectedOrders: m.total_affected_orders, rejected: m.rejected,
    rejectCode: rejectCodeName(m.reject_code), text: m.text,
  };
}

export function toMassQuoteAck(m: WireMassQuoteAck, d: Delivery): MassQuoteAck {
  return {
    ...d, quoteId: m.quote_id, symbol: m.symbol, rejected: m.rejected, bidRejectCode: rejectCodeName(m.bid_reject_code),
    offerRejectCode: rejectCodeName(m.offer_reject_code), bidOrderId: m.bid_order_id, offerOrderId: m.offer_order_id, text: m.text,
    retryAfter: m.retry_after,
  };
}

export function toPositionReport(m: WirePositionReport, inst: Instrument | undefined, d: Delivery): PositionReport {
  const sc = scalesOf(inst);
  // The report carries its own cash scale; prefer it (it is authoritative for the money strings).
  const cash = (v: string): string => fromUnits(BigInt(v || '0'), m.cash_scale || sc.cash);
  return {
    ...d, posReqId: m.pos_req_id, symbol: m.symbol, position: fromUnits(m.position, sc.qty),
    costBasis: fromUnits(m.cost_basis, m.cash_scale || sc.cash), realisedPnl: cash(m.realised_pnl), feesPaid: cash(m.fees_paid),
    rebatesReceived: cash(m.rebates_received), cash: cash(m.cash), volumeQty: fromUnits(BigInt(m.volume_qty || '0'), sc.qty),
    volumeNotional: cash(m.volume_notional), raw: m,
  };
}

export function toSecurityStatus(m: WireSecurityStatus, d: Delivery): SecurityStatus {
  return {
    ...d, symbol: m.symbol, tradingPhase: tradingPhaseName(m.trading_phase), cause: phaseCauseName(m.cause), haltEndTime: m.halt_end_time,
    text: m.text, transactTime: m.transact_time,
  };
}

export function toUserNotification(m: WireUserNotification, d: Delivery): UserNotification {
  return {
    ...d, event: userEventName(m.event), text: m.text, symbol: m.symbol, value: m.value, until: m.until, transactTime: m.transact_time,
  };
}

export function toAuctionInfo(symbol: string, m: WireMdAuction): AuctionInfo {
  return {
    symbol, tradingPhase: tradingPhaseName(m.trading_phase), price: m.price, qty: m.qty, surplusQty: m.surplus_qty,
    surplusSide: sideName(m.surplus_side), final: m.final,
  };
}
