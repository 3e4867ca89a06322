// Reports as the client hands them out: enums as names, prices, quantities
// and money as exact decimal strings in the instrument's scales (the same
// form orders are placed in), and the decoded wire message under `raw` for
// integer-unit arithmetic.
import type { Instrument } from './instrument.ts';
import { fromUnits } from './decimal.ts';
import {
  cancelReasonName, execTypeName, liquidityName, obligationMeasurementName, obligationOutcomeName, obligationReasonName,
  obligationWindowName, ordStatusName, phaseCauseName, rejectCodeName, settlementKindName, sideName, tradingPhaseName, userEventName,
  type CancelReasonName, type ExecTypeName, type LiquidityName, type ObligationMeasurementName, type ObligationOutcomeName,
  type ObligationReasonName, type ObligationWindowName, type OrdStatusName, type PhaseCauseName, type RejectCodeName,
  type SettlementKindName, type SideName, type TradingPhaseName, type UserEventName, type WireExecutionReport, type WireMassQuoteAck,
  type WireMdAuction, type WireObligationReport, type WireObligationStatus, type WireOrderCancelReject, type WireOrderMassCancelReport,
  type WirePositionReport, type WireSecurityStatus, type WireUserNotification, stpModeName, type StpModeName, type WireLimitState,
  type WireAccountTerms, ordTypeName, type OrdTypeName,
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
  /** the order's type ('stop' / 'stop_limit' also once triggered) */
  ordType: OrdTypeName | null;
  /** a stop / stop-limit's stop price ('0' otherwise) */
  stopPx: string;
  /** an iceberg's display quantity ('0' otherwise); leavesQty counts the hidden part too */
  displayQty: string;
  /** NEW / REPLACED of a sliding post-only order: price was moved one tick inside the opposite best */
  priceSlid: boolean;
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

/** The LULD limit state of an instrument: entered (active, with the band price and when it would halt) or left. */
export interface LimitState extends Delivery {
  symbol: string;
  active: boolean;
  /** buy: the best bid sits at the upper band (limit up); sell: the best offer at the lower band (limit down); null when ended */
  side: SideName | null;
  /** the band price, decimal; null when ended */
  limitPrice: string | null;
  /** µs since the epoch: the instrument halts then if still in the limit state; 0 when ended */
  haltTime: number;
  transactTime: number;
  text: string;
}

/** What the exchange applies to the account on one instrument now; limits null = none. */
export interface InstrumentTerms {
  symbol: string;
  /** the rates charged now (instrument, fee tier or programme rate), bp; negative = rebate */
  makerFeeBp: number;
  takerFeeBp: number;
  maxPosition: string | null;
  maxOrderQty: string | null;
  maxOrderNotional: string | null;
  maxLong: string | null;
  maxShort: string | null;
  maxGrossNotional: string | null;
  programmes: string[];
}

/** The account's own terms: effective fees, limits, kill switch, default self-trade prevention. */
export interface AccountTerms {
  accountId: string;
  /** 0 = no limit */
  maxOpenOrders: number;
  openOrders: number;
  killSwitch: boolean;
  stpMode: StpModeName | null;
  instruments: InstrumentTerms[];
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

/** The window a status or report is about (UTC). */
interface ObligationWindowFields {
  programme: string;
  symbol: string;
  measurement: ObligationMeasurementName | null;
  window: ObligationWindowName | null;
  /** "2026-11-21T09" (hour), "2026-11-21" (day), "2026-W47" (week), "2026-11" (month) */
  windowLabel: string;
  /** µs since the epoch; the end is exclusive */
  windowStart: number;
  windowEnd: number;
  /** engine time of the figures (status) or of the window's closing (report), µs */
  transactTime: number;
  /** µs of the window: measured (the denominator), compliant, exempt (not measured), two-sided */
  measuredUs: number;
  compliantUs: number;
  exemptUs: number;
  twoSidedUs: number;
  /** compliant ÷ measured: ppm (floor) and a three-decimal percentage (truncated); null while nothing was measured */
  presencePpm: number | null;
  presencePct: string | null;
  /** the presence the window needs, e.g. "90.000" */
  requiredPct: string;
  /** time at the best: µs with the member's bid at the book's best bid / its ask at the best ask */
  atBidUs: number;
  atAskUs: number;
  /** their average share of measured time, ppm and "10.000"; null while nothing was measured */
  timeAtBestPpm: number | null;
  timeAtBestPct: string | null;
  /** the programme's requirement ("10.000"), null when it has none */
  requiredTimeAtBestPct: string | null;
}

/**
 * A maker programme member's live obligation status on one instrument: sent
 * on every change of compliance and at the programme's status interval.
 */
export interface ObligationStatus extends Delivery, ObligationWindowFields {
  compliant: boolean;
  /** why not compliant ('none' when compliant) */
  reason: ObligationReasonName;
  /** the reason in words, e.g. "spread too wide" */
  text: string;
  /** false: the time now is exempt (pre-open, auction, halt, closed, suspended stress) */
  measured: boolean;
  stressed: boolean;
  /** a grace period after a fill runs until then (µs); 0 = none */
  graceUntil: number;
  remainingUs: number;
  /** the window so far by the programme's rule: 'pass', 'fail', or null with nothing measured */
  passingNow: ObligationOutcomeName | null;
  /** continuous mode: compliant µs still needed to pass; null in snapshot mode or when it cannot pass any more */
  neededUs: number | null;
  cannotPass: boolean;
  /** snapshot mode only */
  snapshots: {
    taken: number; passed: number; skipped: number; remaining: number;
    /** compliant snapshots still needed; null when it cannot pass any more */
    needed: number | null;
    passPct: string | null; requiredPct: string;
  } | null;
  /** the breach in progress started then (µs); 0 = none */
  breachStart: number;
  raw: WireObligationStatus;
}

/** A member's closed window: figures, outcome and what its end settled. */
export interface ObligationReport extends Delivery, ObligationWindowFields {
  /** 'pass' / 'fail' by the programme's rule; null when nothing was measured */
  outcome: ObligationOutcomeName | null;
  /** measured time with a bid / an ask */
  bidUs: number;
  askUs: number;
  /** time-weighted averages as decimal strings (price, quantity); null without two-sided / bid / ask time */
  avgSpread: string | null;
  avgBidQty: string | null;
  avgAskQty: string | null;
  snapshots: { taken: number; passed: number; skipped: number; passPct: string | null; requiredPct: string } | null;
  breachCount: number;
  /** month windows: days passed, days with measured time */
  daysPassed: number;
  daysMeasured: number;
  /** claw-back (amount: money decimal string paid back) or maker-fee tier change (makerFeeBp from now on) */
  settlements: { kind: SettlementKindName | null; amount: string; makerFeeBp: number; text: string }[];
  raw: WireObligationReport;
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
  // crosses with on-open / on-close orders (0 elsewhere); prices in price units like `price`
  /** the price at which the on-open / on-close orders alone would cross; 0 = none */
  farPrice: number;
  /** the cross's reference: the last trade, else the reference price, else the previous close */
  referencePrice: number;
  /** the price validation collar; 0 = none */
  collarLow: number;
  collarHigh: number;
  /** times the call was extended (price outside the collar), and when the current extension ends (µs; 0 = none) */
  extensions: number;
  extendedUntil: number;
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
    retryAfterMs: m.retry_after ? Math.max(0, Math.ceil((m.retry_after - m.transact_time) / 1000)) : 0,
    ordType: ordTypeName(m.ord_type), stopPx: px(m.stop_px ?? 0), displayQty: qty(m.display_qty ?? 0), priceSlid: m.price_slid === true, raw: m,
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
    costBasis: cash(m.cost_basis), realisedPnl: cash(m.realised_pnl), feesPaid: cash(m.fees_paid),
    rebatesReceived: cash(m.rebates_received), cash: cash(m.cash), volumeQty: fromUnits(BigInt(m.volume_qty || '0'), sc.qty),
    volumeNotional: cash(m.volume_notional), raw: m,
  };
}

export function toLimitState(m: WireLimitState, inst: Instrument | undefined, d: Delivery): LimitState {
  return {
    ...d, symbol: m.symbol, active: m.active, side: sideName(m.side), limitPrice: m.limit_price ? fromUnits(m.limit_price, scalesOf(inst).price) : null,
    haltTime: m.halt_time, transactTime: m.transact_time, text: m.text,
  };
}

/** `instOf` gives each instrument's scales (limits are integers in them on the wire; 0 = none). */
export function toAccountTerms(m: WireAccountTerms, instOf: (symbol: string) => Instrument | undefined): AccountTerms {
  return {
    accountId: m.account_id, maxOpenOrders: m.max_open_orders, openOrders: m.open_orders, killSwitch: m.kill_switch,
    stpMode: stpModeName(m.stp_mode), transactTime: m.transact_time,
    instruments: m.instruments.map((i) => {
      const sc = scalesOf(instOf(i.symbol));
      const lim = (v: number, scale: number): string | null => (v ? fromUnits(v, scale) : null);
      return {
        symbol: i.symbol, makerFeeBp: i.maker_fee_bp, takerFeeBp: i.taker_fee_bp, maxPosition: lim(i.max_position, sc.qty),
        maxOrderQty: lim(i.max_order_qty, sc.qty), maxOrderNotional: lim(i.max_order_notional, sc.cash), maxLong: lim(i.max_long, sc.qty),
        maxShort: lim(i.max_short, sc.qty), maxGrossNotional: lim(i.max_gross_notional, sc.cash), programmes: i.programmes,
      };
    }),
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
    surplusSide: sideName(m.surplus_side), final: m.final, farPrice: m.far_price ?? 0, referencePrice: m.reference_price ?? 0,
    collarLow: m.collar_low ?? 0, collarHigh: m.collar_high ?? 0, extensions: m.extensions ?? 0, extendedUntil: m.extended_until ?? 0,
  };
}

type WireWindowFields = Pick<WireObligationStatus, 'programme' | 'symbol' | 'measurement' | 'window' | 'window_label' | 'window_start'
  | 'window_end' | 'transact_time' | 'measured_us' | 'compliant_us' | 'exempt_us' | 'two_sided_us' | 'presence_pct' | 'presence_ppm'
  | 'required_pct' | 'at_bid_us' | 'at_ask_us' | 'time_at_best_ppm' | 'time_at_best_pct' | 'required_time_at_best_pct'>;

function windowFields(m: WireWindowFields): ObligationWindowFields {
  const measured = m.presence_pct !== '';
  return {
    programme: m.programme, symbol: m.symbol, measurement: obligationMeasurementName(m.measurement), window: obligationWindowName(m.window),
    windowLabel: m.window_label, windowStart: m.window_start, windowEnd: m.window_end, transactTime: m.transact_time,
    measuredUs: m.measured_us, compliantUs: m.compliant_us, exemptUs: m.exempt_us, twoSidedUs: m.two_sided_us,
    presencePpm: measured ? m.presence_ppm : null, presencePct: measured ? m.presence_pct : null, requiredPct: m.required_pct,
    atBidUs: m.at_bid_us ?? 0, atAskUs: m.at_ask_us ?? 0,
    timeAtBestPpm: m.time_at_best_pct ? m.time_at_best_ppm : null, timeAtBestPct: m.time_at_best_pct || null,
    requiredTimeAtBestPct: m.required_time_at_best_pct || null,
  };
}

const SNAPSHOT = 2;

export function toObligationStatus(m: WireObligationStatus, d: Delivery): ObligationStatus {
  const snapshot = m.measurement === SNAPSHOT;
  return {
    ...d, ...windowFields(m),
    compliant: m.compliant, reason: obligationReasonName(m.reason) ?? 'none', text: m.text, measured: m.measured, stressed: m.stressed,
    graceUntil: m.grace_until, remainingUs: m.remaining_us, passingNow: obligationOutcomeName(m.passing_now),
    neededUs: snapshot || m.cannot_pass ? null : m.needed_us, cannotPass: m.cannot_pass,
    snapshots: snapshot ? {
      taken: m.snapshots_taken, passed: m.snapshots_passed, skipped: m.snapshots_skipped, remaining: m.snapshots_remaining,
      needed: m.cannot_pass ? null : m.snapshots_needed, passPct: m.snapshot_pass_pct || null, requiredPct: m.snapshot_required_pct,
    } : null,
    breachStart: m.breach_start, raw: m,
  };
}

export function toObligationReport(m: WireObligationReport, inst: Instrument | undefined, d: Delivery): ObligationReport {
  const sc = scalesOf(inst);
  const avg = (v: number, us: number, scale: number): string | null => (us === 0 ? null : fromUnits(v, scale));
  return {
    ...d, ...windowFields(m),
    outcome: obligationOutcomeName(m.outcome), bidUs: m.bid_us, askUs: m.ask_us,
    avgSpread: avg(m.avg_spread, m.two_sided_us, sc.price), avgBidQty: avg(m.avg_bid_qty, m.bid_us, sc.qty),
    avgAskQty: avg(m.avg_ask_qty, m.ask_us, sc.qty),
    snapshots: m.measurement === SNAPSHOT ? {
      taken: m.snapshots_taken, passed: m.snapshots_passed, skipped: m.snapshots_skipped, passPct: m.snapshot_pass_pct || null,
      requiredPct: m.snapshot_required_pct,
    } : null,
    breachCount: m.breach_count, daysPassed: m.days_passed, daysMeasured: m.days_measured,
    settlements: (m.settlements ?? []).map((st) => ({
      kind: settlementKindName(st.kind), amount: fromUnits(st.amount, sc.cash), makerFeeBp: st.maker_fee_bp, text: st.text,
    })),
    raw: m,
  };
}
