// The engine's vocabulary: enums are small integers (cheap to compare and to
// carry in reused event objects); their names follow FIX where FIX has one.

export const Side = { BUY: 1, SELL: 2 } as const;
export type Side = (typeof Side)[keyof typeof Side];

/**
 * LIMIT and MARKET trade on arrival. STOP and STOP_LIMIT are held off the book
 * until a trade at or through their stop price, then enter as MARKET / LIMIT.
 * MIDPOINT_PEG rests hidden at the midpoint of the book's best bid and offer.
 */
export const OrdType = { LIMIT: 1, MARKET: 2, STOP: 3, STOP_LIMIT: 4, MIDPOINT_PEG: 5 } as const;
export type OrdType = (typeof OrdType)[keyof typeof OrdType];

/**
 * AT_THE_OPENING (FIX 59=2 OPG) and AT_THE_CLOSE (FIX 59=7) orders rest only for the opening or
 * closing cross of their instrument (engine/rules/cross-orders.ts): never on the continuous book.
 */
export const TimeInForce = { GTC: 1, IOC: 2, FOK: 3, GTD: 4, AT_THE_OPENING: 5, AT_THE_CLOSE: 6 } as const;
export type TimeInForce = (typeof TimeInForce)[keyof typeof TimeInForce];

/** An on-open or on-close order: it waits for its cross off the continuous book. */
export const isCrossTif = (tif: number): boolean => tif === TimeInForce.AT_THE_OPENING || tif === TimeInForce.AT_THE_CLOSE;

/** Self-trade prevention; the taker's mode decides (Binance STP, FIX tag 2964). */
export const StpMode = {
  NONE: 0,
  /** expire the incoming (aggressive) order */
  CANCEL_TAKER: 1,
  /** expire the resting order and keep matching */
  CANCEL_MAKER: 2,
  CANCEL_BOTH: 3,
  /** reduce both by the smaller quantity; the one left at zero is expired */
  DECREMENT: 4,
} as const;
export type StpMode = (typeof StpMode)[keyof typeof StpMode];

export const Liquidity = { MAKER: 1, TAKER: 2 } as const;
export type Liquidity = (typeof Liquidity)[keyof typeof Liquidity];

/** Why an order left the book without trading. */
export const CancelReason = {
  USER: 1,
  IOC_REMAINDER: 2,
  SELF_TRADE: 3,
  MASS_CANCEL: 4,
  EXPIRED: 5,
  /** an amend to at or below the filled quantity */
  AMENDED_TO_FILLED: 6,
  /** a market order's remainder after the protection price */
  MARKET_REMAINDER: 7,
  /** cancel-on-disconnect */
  DISCONNECT: 8,
  /** a mass quote replaced (or a quote cancel withdrew) this quote order */
  QUOTE_REPLACED: 9,
  /** the account's kill switch cancelled everything */
  KILL_SWITCH: 10,
  /** a halt cancelled the resting quote orders, or eliminated the IOC/market order that triggered it */
  HALT: 11,
  /** an IOC/market remainder stopped at the dynamic (LULD) price band */
  PRICE_BAND: 12,
  /** an IOC/FOK/market order cannot wait for an auction */
  AUCTION: 13,
  /** a triggered stop (market) order found no liquidity on the other side */
  STOP_NO_LIQUIDITY: 25,
  /** market-maker protection: a tally of the account's quote fills reached its limit (engine/rules/mmp.ts) */
  MMP: 30,
} as const;
export type CancelReason = (typeof CancelReason)[keyof typeof CancelReason];

export const CANCEL_REASON_TEXT: Record<CancelReason, string> = {
  [CancelReason.USER]: 'cancelled by user',
  [CancelReason.IOC_REMAINDER]: 'IOC remainder cancelled',
  [CancelReason.SELF_TRADE]: 'self-trade prevention',
  [CancelReason.MASS_CANCEL]: 'mass cancel',
  [CancelReason.EXPIRED]: 'GTD order expired',
  [CancelReason.AMENDED_TO_FILLED]: 'amended to at or below the filled quantity',
  [CancelReason.MARKET_REMAINDER]: 'market order remainder beyond the protection price',
  [CancelReason.DISCONNECT]: 'cancel on disconnect',
  [CancelReason.QUOTE_REPLACED]: 'quote replaced or withdrawn',
  [CancelReason.KILL_SWITCH]: 'kill switch',
  [CancelReason.HALT]: 'cancelled by a trading halt',
  [CancelReason.PRICE_BAND]: 'remainder stopped at the price band',
  [CancelReason.AUCTION]: 'remainder not executed in the auction',
  [CancelReason.STOP_NO_LIQUIDITY]: 'triggered stop order found no liquidity',
  [CancelReason.MMP]: 'market-maker protection triggered',
};

/** Typed reject reasons: every refused command carries one of these. */
export const RejectReason = {
  UNKNOWN_SYMBOL: 1,
  UNKNOWN_ACCOUNT: 2,
  INVALID_FIELD: 3,
  PRICE_OFF_TICK: 4,
  PRICE_OUT_OF_RANGE: 5,
  QTY_OFF_LOT: 6,
  QTY_OUT_OF_RANGE: 7,
  NOTIONAL_TOO_SMALL: 8,
  DUPLICATE_CL_ORD_ID: 9,
  UNKNOWN_ORDER: 10,
  POST_ONLY_WOULD_TAKE: 11,
  FOK_CANNOT_FILL: 12,
  NO_LIQUIDITY: 13,
  INVALID_EXPIRE_TIME: 14,
  TOO_MANY_OPEN_ORDERS: 15,
  POSITION_LIMIT: 16,
  INSTRUMENT_HALTED: 17,
  /** an order-rate limit is exhausted: the event's retryAfter says when it frees up */
  RATE_LIMITED: 18,
  /** repeated rate-limit breaches: temporarily banned (retryAfter = end of the ban) */
  BANNED: 19,
  /** minimum quote life: the order cannot be cancelled or amended yet */
  TOO_EARLY: 20,
  /** the account's order-to-trade ratio on this instrument is above the ceiling */
  OTR_EXCEEDED: 21,
  /** limit price outside the static percent band around the reference price */
  PRICE_BAND: 22,
  /** limit price beyond the daily limit up / limit down */
  PRICE_LIMIT: 23,
  /** this kind of order or message is not accepted in the current trading phase */
  PHASE: 24,
  /** the market is closed */
  MARKET_CLOSED: 25,
  /** the account's kill switch is on: only cancels are accepted */
  KILL_SWITCH: 26,
  /** order quantity above the account's risk limit */
  RISK_ORDER_QTY: 27,
  /** order notional above the account's risk limit */
  RISK_ORDER_NOTIONAL: 28,
  /** the account's gross notional (positions + open orders) would exceed its limit */
  RISK_GROSS_NOTIONAL: 29,
  /** a stop order's stop price is at or through the last trade: it would trigger at once */
  STOP_WOULD_TRIGGER: 50,
  /** an iceberg's display quantity is below the instrument's minimum, or makes too many parts */
  DISPLAY_QTY: 51,
  /** an on-open / on-close order entered, cancelled or amended after its cut-off */
  AUCTION_CUTOFF: 40,
  /** an on-open / on-close order on an instrument without that cross */
  NO_AUCTION: 41,
  /** market-maker protection triggered on this instrument: mass quotes are refused until the account resets it */
  MMP_TRIGGERED: 60,
} as const;
export type RejectReason = (typeof RejectReason)[keyof typeof RejectReason];

export const REJECT_REASON_TEXT: Record<RejectReason, string> = {
  [RejectReason.UNKNOWN_SYMBOL]: 'unknown symbol',
  [RejectReason.UNKNOWN_ACCOUNT]: 'unknown account',
  [RejectReason.INVALID_FIELD]: 'invalid field',
  [RejectReason.PRICE_OFF_TICK]: 'price is not a multiple of the tick size',
  [RejectReason.PRICE_OUT_OF_RANGE]: 'price outside the instrument range',
  [RejectReason.QTY_OFF_LOT]: 'quantity is not a multiple of the lot size',
  [RejectReason.QTY_OUT_OF_RANGE]: 'quantity outside the instrument min/max',
  [RejectReason.NOTIONAL_TOO_SMALL]: 'notional below the instrument minimum',
  [RejectReason.DUPLICATE_CL_ORD_ID]: 'duplicate client order id among live orders',
  [RejectReason.UNKNOWN_ORDER]: 'unknown order',
  [RejectReason.POST_ONLY_WOULD_TAKE]: 'post-only order would take liquidity',
  [RejectReason.FOK_CANNOT_FILL]: 'fill-or-kill order cannot be filled in full',
  [RejectReason.NO_LIQUIDITY]: 'market order with no liquidity on the other side',
  [RejectReason.INVALID_EXPIRE_TIME]: 'GTD expire time missing or not in the future',
  [RejectReason.TOO_MANY_OPEN_ORDERS]: 'account has too many open orders',
  [RejectReason.POSITION_LIMIT]: 'order could exceed the position limit',
  [RejectReason.INSTRUMENT_HALTED]: 'instrument is halted',
  [RejectReason.RATE_LIMITED]: 'rate limit exceeded',
  [RejectReason.BANNED]: 'temporarily banned after repeated rate-limit breaches',
  [RejectReason.TOO_EARLY]: 'order is younger than the minimum quote life',
  [RejectReason.OTR_EXCEEDED]: 'order-to-trade ratio above the ceiling',
  [RejectReason.PRICE_BAND]: 'price outside the percent band around the reference price',
  [RejectReason.PRICE_LIMIT]: 'price beyond the daily limit up / limit down',
  [RejectReason.PHASE]: 'not accepted in the current trading phase',
  [RejectReason.MARKET_CLOSED]: 'market closed',
  [RejectReason.KILL_SWITCH]: 'kill switch is on',
  [RejectReason.RISK_ORDER_QTY]: 'order quantity above the account limit',
  [RejectReason.RISK_ORDER_NOTIONAL]: 'order notional above the account limit',
  [RejectReason.RISK_GROSS_NOTIONAL]: 'gross notional would exceed the account limit',
  [RejectReason.STOP_WOULD_TRIGGER]: 'stop price at or through the last trade price: the stop would trigger immediately',
  [RejectReason.DISPLAY_QTY]: 'display quantity below the minimum or too many iceberg parts',
  [RejectReason.AUCTION_CUTOFF]: 'past the cut-off of the cross for this order type',
  [RejectReason.NO_AUCTION]: 'the instrument has no such cross',
  [RejectReason.MMP_TRIGGERED]: 'market-maker protection triggered: reset it to quote again',
};

/**
 * Trading phase of an instrument. Only CONTINUOUS matches on arrival; the call
 * phases (PRE_OPEN, OPENING_AUCTION, HALTED, CLOSING_AUCTION) collect limit
 * orders into a possibly crossed book and uncross it in an auction when they
 * end; CLOSED accepts cancels only.
 */
export const TradingPhase = {
  CONTINUOUS: 1,
  HALTED: 2,
  PRE_OPEN: 3,
  OPENING_AUCTION: 4,
  CLOSING_AUCTION: 5,
  CLOSED: 6,
} as const;
export type TradingPhase = (typeof TradingPhase)[keyof typeof TradingPhase];

export const PHASE_NAME: Record<TradingPhase, string> = {
  [TradingPhase.CONTINUOUS]: 'CONTINUOUS',
  [TradingPhase.HALTED]: 'HALTED',
  [TradingPhase.PRE_OPEN]: 'PRE_OPEN',
  [TradingPhase.OPENING_AUCTION]: 'OPENING_AUCTION',
  [TradingPhase.CLOSING_AUCTION]: 'CLOSING_AUCTION',
  [TradingPhase.CLOSED]: 'CLOSED',
};

export const isTradingPhase = (v: unknown): v is TradingPhase =>
  typeof v === 'number' && Number.isInteger(v) && v >= TradingPhase.CONTINUOUS && v <= TradingPhase.CLOSED;

export const isSide = (v: unknown): v is Side => v === Side.BUY || v === Side.SELL;
export const isStpMode = (v: unknown): v is StpMode =>
  typeof v === 'number' && Number.isInteger(v) && v >= StpMode.NONE && v <= StpMode.DECREMENT;
