// The client's typed view of the wire contract (proto/makerbench.proto): the
// decoded message shapes it reads, and the enums as string names. Names are
// the proto enum names without their prefix, lower-cased
// (SIDE_BUY → 'buy'); the arrays are indexed by wire value, and a test checks
// them against the .proto so they cannot drift.

function nameOf<T extends string>(names: readonly T[], value: number): T | null {
  return value > 0 && value < names.length && names[value] !== '' ? names[value] : null;
}

function valueOf<T extends string>(names: readonly T[], name: T): number {
  return names.indexOf(name);
}

/**
 * An enum whose wire values leave gaps (each feature area has its own number
 * range in the .proto): the names from `ranges[n]` on are placed at n, n+1, …
 * and every value in between is ''.
 */
function numbered<const T extends string>(ranges: Record<number, readonly T[]>): readonly (T | '')[] {
  const out: (T | '')[] = [];
  for (const [start, names] of Object.entries(ranges) as [string, readonly T[]][]) {
    while (out.length < Number(start)) out.push('');
    out.push(...names);
  }
  return out;
}

// ---- enums (index = wire value; index 0 is UNSPECIFIED) ----

export const SIDES = ['unspecified', 'buy', 'sell'] as const;
export type SideName = Exclude<(typeof SIDES)[number], 'unspecified'>;

export const ORD_TYPES = ['unspecified', 'market', 'limit', 'stop', 'stop_limit', 'midpoint_peg'] as const;
export type OrdTypeName = Exclude<(typeof ORD_TYPES)[number], 'unspecified'>;

// TIME_IN_FORCE follows FIX 59 values, so the array has a hole (5 unused). at_the_opening (OPG)
// and at_the_close wait off the book for the opening / closing cross (MOO / LOO, MOC / LOC).
export const TIME_IN_FORCE = ['unspecified', 'gtc', 'at_the_opening', 'ioc', 'fok', '', 'gtd', 'at_the_close'] as const;
export type TimeInForceName = 'gtc' | 'ioc' | 'fok' | 'gtd' | 'at_the_opening' | 'at_the_close';

export const STP_MODES = ['unspecified', 'cancel_taker', 'cancel_maker', 'cancel_both', 'decrement', 'none'] as const;
export type StpModeName = Exclude<(typeof STP_MODES)[number], 'unspecified'>;

export const EXEC_TYPES = numbered({
  0: ['unspecified', 'new', 'canceled', 'replaced', 'rejected', 'expired', 'trade', 'restated'],
  20: ['triggered'], // order types
});
export type ExecTypeName = Exclude<(typeof EXEC_TYPES)[number], 'unspecified' | ''>;

export const ORD_STATUSES = ['unspecified', 'new', 'partially_filled', 'filled', 'canceled', 'rejected', 'expired'] as const;
export type OrdStatusName = Exclude<(typeof ORD_STATUSES)[number], 'unspecified'>;

// LIQUIDITY follows FIX 851 values: 3 (routed out) is unused.
export const LIQUIDITY = ['unspecified', 'maker', 'taker', '', 'auction'] as const;
export type LiquidityName = 'maker' | 'taker' | 'auction';

export const REJECT_CODES = numbered({
  0: [
    'unspecified', 'unknown_symbol', 'unknown_account', 'invalid_field', 'price_off_tick', 'price_out_of_range',
    'qty_off_lot', 'qty_out_of_range', 'notional_too_small', 'duplicate_cl_ord_id', 'unknown_order',
    'post_only_would_take', 'fok_cannot_fill', 'no_liquidity', 'invalid_expire_time', 'too_many_open_orders',
    'position_limit', 'instrument_halted', 'rate_limited', 'banned', 'too_early', 'otr_exceeded', 'price_band', 'price_limit',
    'phase', 'market_closed', 'kill_switch', 'risk_order_qty', 'risk_order_notional', 'risk_gross_notional',
  ],
  40: ['auction_cutoff', 'no_auction'], // us-equity crosses
  50: ['stop_would_trigger', 'display_qty'], // order types
  60: ['mmp_triggered'], // quoting rules
});
export type RejectCodeName = Exclude<(typeof REJECT_CODES)[number], 'unspecified' | ''>;

export const CANCEL_REASONS = numbered({
  0: [
    'unspecified', 'user', 'ioc_remainder', 'self_trade', 'mass_cancel', 'expired', 'amended_to_filled',
    'market_remainder', 'disconnect', 'quote_replaced', 'kill_switch', 'halt', 'price_band', 'auction',
  ],
  25: ['stop_no_liquidity'], // order types
  30: ['mmp'], // quoting rules
});
export type CancelReasonName = Exclude<(typeof CANCEL_REASONS)[number], 'unspecified' | ''>;

export const SESSION_REJECT_REASONS = [
  'unspecified', 'not_binary', 'decode_error', 'frame_too_large', 'empty_body', 'missing_field', 'invalid_value',
  'not_logged_on', 'seq_too_low', 'wrong_endpoint',
] as const;
export type SessionRejectReasonName = Exclude<(typeof SESSION_REJECT_REASONS)[number], 'unspecified'>;

export const LOGOUT_REASONS = [
  'unspecified', 'client_logout', 'unknown_api_key', 'banned', 'already_logged_on', 'not_logged_on', 'seq_too_low',
  'too_many_rejects', 'heartbeat_timeout', 'server_shutdown', 'rate_limit', 'logon_timeout',
  'auth_blocked',
] as const;
export type LogoutReasonName = Exclude<(typeof LOGOUT_REASONS)[number], 'unspecified'>;

export const TRADING_PHASES = ['unspecified', 'continuous', 'halted', 'pre_open', 'opening_auction', 'closed', 'closing_auction'] as const;
export type TradingPhaseName = Exclude<(typeof TRADING_PHASES)[number], 'unspecified'>;

export const PHASE_CAUSES = ['unspecified', 'admin', 'schedule', 'limit_state', 'velocity', 'market_wide', 'halt_end'] as const;
export type PhaseCauseName = Exclude<(typeof PHASE_CAUSES)[number], 'unspecified'>;

export const USER_EVENTS = numbered({
  0: ['unspecified', 'kill_switch_on', 'kill_switch_off', 'otr_flag', 'banned'],
  10: ['mmp_triggered', 'mmp_reset'], // quoting rules
});
export type UserEventName = Exclude<(typeof USER_EVENTS)[number], 'unspecified' | ''>;

// maker programme; OBLIGATION_REASONS[0] 'none' = compliant, OBLIGATION_OUTCOMES[0] 'none' = nothing measured
export const OBLIGATION_REASONS = numbered({
  0: ['none', 'no_bid', 'no_ask', 'too_wide', 'bid_too_small', 'ask_too_small'],
  10: ['not_comparable_size'], // RTS 8
});
export type ObligationReasonName = Exclude<(typeof OBLIGATION_REASONS)[number], ''>;

export const OBLIGATION_WINDOWS = ['unspecified', 'hour', 'day', 'week', 'month'] as const;
export type ObligationWindowName = Exclude<(typeof OBLIGATION_WINDOWS)[number], 'unspecified'>;

export const OBLIGATION_MEASUREMENTS = ['unspecified', 'continuous', 'snapshot'] as const;
export type ObligationMeasurementName = Exclude<(typeof OBLIGATION_MEASUREMENTS)[number], 'unspecified'>;

export const OBLIGATION_OUTCOMES = ['none', 'pass', 'fail'] as const;
export type ObligationOutcomeName = Exclude<(typeof OBLIGATION_OUTCOMES)[number], 'none'>;

export const SETTLEMENT_KINDS = ['unspecified', 'clawback', 'tier'] as const;
export type SettlementKindName = Exclude<(typeof SETTLEMENT_KINDS)[number], 'unspecified'>;

export const MD_CHANNEL = { L2: 1, L3: 2, TRADES: 3, BBO: 4 } as const;
export const MD_SUBSCRIPTION = { SNAPSHOT_AND_UPDATES: 0, SNAPSHOT: 1, UNSUBSCRIBE: 2 } as const;

export const sideName = (v: number): SideName | null => nameOf(SIDES, v) as SideName | null;
export const sideValue = (s: SideName): number => valueOf(SIDES, s);
export const ordTypeValue = (t: OrdTypeName): number => valueOf(ORD_TYPES, t);
export const ordTypeName = (v: number): OrdTypeName | null => nameOf(ORD_TYPES, v) as OrdTypeName | null;
export const tifValue = (t: TimeInForceName): number => valueOf(TIME_IN_FORCE, t);
export const stpValue = (s: StpModeName): number => valueOf(STP_MODES, s);
export const execTypeName = (v: number): ExecTypeName | null => nameOf(EXEC_TYPES, v) as ExecTypeName | null;
export const ordStatusName = (v: number): OrdStatusName | null => nameOf(ORD_STATUSES, v) as OrdStatusName | null;
export const liquidityName = (v: number): LiquidityName | null => nameOf(LIQUIDITY, v) as LiquidityName | null;
export const rejectCodeName = (v: number): RejectCodeName | null => nameOf(REJECT_CODES, v) as RejectCodeName | null;
export const cancelReasonName = (v: number): CancelReasonName | null => nameOf(CANCEL_REASONS, v) as CancelReasonName | null;
export const sessionRejectName = (v: number): SessionRejectReasonName | null =>
  nameOf(SESSION_REJECT_REASONS, v) as SessionRejectReasonName | null;
export const stpModeName = (v: number): StpModeName | null => nameOf(STP_MODES, v) as StpModeName | null;
export const logoutReasonName = (v: number): LogoutReasonName | null => nameOf(LOGOUT_REASONS, v) as LogoutReasonName | null;
export const tradingPhaseName = (v: number): TradingPhaseName | null => nameOf(TRADING_PHASES, v) as TradingPhaseName | null;
export const phaseCauseName = (v: number): PhaseCauseName | null => nameOf(PHASE_CAUSES, v) as PhaseCauseName | null;
export const userEventName = (v: number): UserEventName | null => nameOf(USER_EVENTS, v) as UserEventName | null;
/** Unlike the others, value 0 is a name here: 'none' (compliant). */
export const obligationReasonName = (v: number): ObligationReasonName | null =>
  v >= 0 && v < OBLIGATION_REASONS.length && OBLIGATION_REASONS[v] !== '' ? OBLIGATION_REASONS[v] as ObligationReasonName : null;
export const obligationWindowName = (v: number): ObligationWindowName | null => nameOf(OBLIGATION_WINDOWS, v) as ObligationWindowName | null;
export const obligationMeasurementName = (v: number): ObligationMeasurementName | null =>
  nameOf(OBLIGATION_MEASUREMENTS, v) as ObligationMeasurementName | null;
/** null = nothing measured (neither pass nor fail). */
export const obligationOutcomeName = (v: number): ObligationOutcomeName | null => nameOf(OBLIGATION_OUTCOMES, v) as ObligationOutcomeName | null;
export const settlementKindName = (v: number): SettlementKindName | null => nameOf(SETTLEMENT_KINDS, v) as SettlementKindName | null;

// ---- decoded message shapes (protobufjs fills every scalar with its default) ----

export interface WireTickBand { from_price: number; tick: number }

export interface WireSecurity {
  symbol: string;
  price_scale: number;
  qty_scale: number;
  cash_scale: number;
  tick_table: WireTickBand[];
  lot: number;
  min_qty: number;
  max_qty: number;
  min_price: number;
  max_price: number;
  min_notional: number;
  maker_fee_bp: number;
  taker_fee_bp: number;
  market_protection_bp: number;
  trading_phase: number;
}

export interface WireLogon {
  api_key: string;
  heartbeat_interval_ms: number;
  reset_seq_num: boolean;
  cancel_on_disconnect: boolean;
  account_id: string;
  next_expected_msg_seq_num: number;
  /** the exchange's run (its ids start above it); sent back at the next logon */
  exchange_epoch: number;
  /** the answer: the exchange restarted since the epoch the client sent (its state is gone) */
  exchange_restarted: boolean;
}

export interface WireExecutionReport {
  order_id: number;
  cl_ord_id: string;
  orig_cl_ord_id: string;
  exec_id: number;
  exec_type: number;
  ord_status: number;
  symbol: string;
  side: number;
  price: number;
  order_qty: number;
  leaves_qty: number;
  cum_qty: number;
  avg_px: number;
  last_px: number;
  last_qty: number;
  trade_id: number;
  liquidity: number;
  fee: number;
  ord_rej_reason: number;
  reject_code: number;
  cancel_reason: number;
  text: string;
  transact_time: number;
  ord_type: number;
  time_in_force: number;
  cum_quote_qty: number;
  retry_after: number;
  stop_px: number;
  display_qty: number;
  price_slid: boolean;
}

export interface WireOrderCancelReject {
  order_id: number;
  cl_ord_id: string;
  orig_cl_ord_id: string;
  cxl_rej_response_to: number;
  cxl_rej_reason: number;
  reject_code: number;
  text: string;
  retry_after: number;
}

export interface WireOrderMassCancelReport {
  cl_ord_id: string;
  total_affected_orders: number;
  rejected: boolean;
  reject_code: number;
  text: string;
}

export interface WireMassQuoteAck {
  quote_id: string;
  symbol: string;
  rejected: boolean;
  bid_reject_code: number;
  offer_reject_code: number;
  bid_order_id: number;
  offer_order_id: number;
  text: string;
  retry_after: number;
  withdrawn_orders: number;
}

export interface WirePositionReport {
  pos_req_id: string;
  symbol: string;
  position: number;
  cost_basis: string;
  realised_pnl: string;
  fees_paid: string;
  rebates_received: string;
  cash: string;
  volume_qty: string;
  volume_notional: string;
  cash_scale: number;
  total_num_pos_reports: number;
  last_rpt_requested: boolean;
  text: string;
}

/** LimitState: the shape the gateway sends (one definition for both sides). */
export type { LimitState as WireLimitState } from '../gateway/translate.ts';

export interface WireInstrumentTerms {
  symbol: string;
  maker_fee_bp: number;
  taker_fee_bp: number;
  max_position: number;
  max_order_qty: number;
  max_order_notional: number;
  max_long: number;
  max_short: number;
  max_gross_notional: number;
  programmes: string[];
}

export interface WireAccountTerms {
  req_id: string;
  account_id: string;
  max_open_orders: number;
  open_orders: number;
  kill_switch: boolean;
  stp_mode: number;
  instruments: WireInstrumentTerms[];
  transact_time: number;
}

/** SecurityStatus: the shape the gateway sends (one definition for both sides). */
export type { SecurityStatus as WireSecurityStatus } from '../gateway/translate.ts';

/** ObligationStatus: the shape the gateway sends (one definition for both sides). */
export type { ObligationStatus as WireObligationStatus } from '../gateway/obligations.ts';

export interface WireProgrammeSettlement { kind: number; amount: number; maker_fee_bp: number; text: string }

export interface WireObligationReport {
  programme: string;
  symbol: string;
  window: number;
  window_label: string;
  window_start: number;
  window_end: number;
  transact_time: number;
  measurement: number;
  outcome: number;
  presence_ppm: number;
  presence_pct: string;
  required_pct: string;
  measured_us: number;
  compliant_us: number;
  exempt_us: number;
  two_sided_us: number;
  bid_us: number;
  ask_us: number;
  avg_spread: number;
  avg_bid_qty: number;
  avg_ask_qty: number;
  at_bid_us: number;
  at_ask_us: number;
  time_at_best_ppm: number;
  time_at_best_pct: string;
  required_time_at_best_pct: string;
  snapshots_taken: number;
  snapshots_passed: number;
  snapshots_skipped: number;
  snapshot_pass_pct: string;
  snapshot_required_pct: string;
  breach_count: number;
  days_passed: number;
  days_measured: number;
  settlements: WireProgrammeSettlement[];
}

export interface WireUserNotification { event: number; text: string; symbol: string; value: number; until: number; transact_time: number }
export interface WireReject { ref_seq_num: number; reason: number; text: string }
export interface WireBusinessMessageReject { ref_seq_num: number; ref_msg_type: string; business_reject_reason: number; text: string }
export interface WireResendRequest { begin_seq_no: number; end_seq_no: number }
export interface WireSequenceReset { new_seq_no: number; gap_fill: boolean }
export interface WireHeartbeat { test_req_id: string }

export interface WireMdLevel { price: number; qty: number; count: number }
export interface WireMdTrade { trade_id: number; price: number; qty: number; aggressor_side: number; transact_time: number; auction: boolean }
export interface WireMdAuction {
  trading_phase: number; price: number; qty: number; surplus_qty: number; surplus_side: number; final: boolean;
  far_price: number; reference_price: number; collar_low: number; collar_high: number; extensions: number; extended_until: number;
}
export interface WireMdBbo { bid_px: number; bid_qty: number; ask_px: number; ask_qty: number }

export interface WireMdSnapshot {
  md_req_id: string;
  symbol: string;
  last_update_id: number;
  bids: WireMdLevel[];
  asks: WireMdLevel[];
  bbo?: WireMdBbo | null;
  auction?: WireMdAuction | null;
}

export interface WireMdIncremental {
  symbol: string;
  first_update_id: number;
  last_update_id: number;
  bids: WireMdLevel[];
  asks: WireMdLevel[];
  trades: WireMdTrade[];
  bbo?: WireMdBbo | null;
  transact_time: number;
  auction?: WireMdAuction | null;
}

/** reject_code and retry_after (exchange µs) only for a request weight refusal: RATE_LIMITED or BANNED */
export interface WireMdRequestReject { md_req_id: string; text: string; reject_code?: number; retry_after?: number }
