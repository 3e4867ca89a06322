// Commands into the engine. Each carries its own timestamp (integer
// microseconds since the epoch): the engine never reads a clock. Fields are
// validated by the engine, so a command built from untrusted input is safe to
// submit; a bad one is rejected with a typed reason, never thrown.
import type { Side, OrdType, TimeInForce, StpMode, TradingPhase, CancelReason, RejectReason } from './types.ts';

export interface NewOrder {
  time: number;
  account: number;
  /** the connection it came in on, for session-scoped rate limits (0 or omitted = none) */
  session?: number;
  symbol: string;
  /** client order id, unique among the account's live orders; '' = none */
  clOrdId?: string;
  side: Side;
  /** default LIMIT */
  ordType?: OrdType;
  /** default GTC for limits, IOC for market orders */
  tif?: TimeInForce;
  /** price units; ignored for market and stop orders; a midpoint peg's cap (0/omitted = none) */
  price?: number;
  /** quantity units */
  qty: number;
  /** GTD only: the order expires when engine time reaches this */
  expireTime?: number;
  postOnly?: boolean;
  /** post-only only: slide to one tick inside the opposite best instead of being rejected (Deribit post_only without reject_post_only) */
  postOnlySlide?: boolean;
  /** default: the account's mode */
  stp?: StpMode;
  /** STOP / STOP_LIMIT: the trigger price (FIX StopPx 99) */
  stopPx?: number;
  /** iceberg: the quantity shown at a time (FIX DisplayQty 1138); omitted or 0 = all of it */
  displayQty?: number;
  /** an imbalance-only (IO) order: a limit AT_THE_OPENING / AT_THE_CLOSE order that only offsets the cross's imbalance */
  imbalanceOnly?: boolean;
}

/** Names an order by exchange id, or by the client id of a live order. */
export interface OrderRef {
  time: number;
  account: number;
  session?: number;
  symbol: string;
  orderId?: number;
  origClOrdId?: string;
  /** this request's own client id */
  clOrdId?: string;
}

export type Cancel = OrderRef;

/** Cancel-replace: new price and new total order quantity (FIX OrderQty, fills included). */
export interface Replace extends OrderRef {
  price: number;
  qty: number;
}

export interface MassCancel {
  time: number;
  account: number;
  /** omit for all instruments */
  symbol?: string;
  /** omit for both sides */
  side?: Side;
  /** reported on each cancel: MASS_CANCEL (default) or DISCONNECT (cancel-on-disconnect) */
  cause?: typeof CancelReason.MASS_CANCEL | typeof CancelReason.DISCONNECT;
}

/**
 * A maker's two-sided quote on one symbol. It replaces the account's previous
 * quote there: the old quote orders are cancelled, then each side with a size
 * enters as a post-only GTC limit. Size 0 leaves that side empty.
 */
export interface MassQuote {
  time: number;
  account: number;
  session?: number;
  symbol: string;
  bidPx: number;
  bidSize: number;
  offerPx: number;
  offerSize: number;
  /** reset the account's market-maker protection on the symbol first (CME tag 9773 MMProtectionReset) */
  mmpReset?: boolean;
}

/** Resets the account's market-maker protection on one symbol: it may quote there again. */
export interface MmpReset {
  time: number;
  account: number;
  symbol: string;
}

/** Withdraws the account's quote on one symbol, or on all when symbol is omitted. */
export interface QuoteCancel {
  time: number;
  account: number;
  symbol?: string;
}

/**
 * Moves an instrument to a trading phase (admin). Leaving a call phase for
 * CONTINUOUS (or CLOSING_AUCTION for CLOSED) runs the auction uncross.
 */
export interface SetPhase {
  time: number;
  symbol: string;
  phase: TradingPhase;
  /** HALTED only: reopen (auction, then continuous) after this many µs; 0/omitted = until resumed */
  durationUs?: number;
  /** the reason, reported with the phase event */
  text?: string;
}

/** Turns an account's kill switch on (cancel everything, refuse new orders) or off. */
export interface KillSwitch {
  time: number;
  account: number;
  on: boolean;
  text?: string;
}

/** Sets an instrument's reference prices (admin): for the static band, and the previous close for daily limits. */
export interface SetReference {
  time: number;
  symbol: string;
  /** reference price for the static percent band (0 = leave) */
  referencePrice?: number;
  /** previous close for the daily limits and the market-wide breaker (0 = leave) */
  previousClose?: number;
}

/** What a mass quote did per side: the resting order id, or the reject reason (0 = side left empty). */
export interface QuoteResult {
  bidOrderId: number;
  offerOrderId: number;
  bidReject: RejectReason | 0;
  offerReject: RejectReason | 0;
}

export type Command =
  | ({ type: 'new' } & NewOrder)
  | ({ type: 'cancel' } & Cancel)
  | ({ type: 'replace' } & Replace)
  | ({ type: 'massCancel' } & MassCancel)
  | ({ type: 'phase' } & SetPhase)
  | ({ type: 'massQuote' } & MassQuote)
  | ({ type: 'quoteCancel' } & QuoteCancel)
  | ({ type: 'killSwitch' } & KillSwitch)
  | ({ type: 'reference' } & SetReference)
  | ({ type: 'mmpReset' } & MmpReset)
  | { type: 'time'; time: number };
