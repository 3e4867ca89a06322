// Events out of the engine. To keep the hot path free of allocation the engine
// owns one object per event kind, fills it and hands it to the sink: a sink
// must copy whatever it keeps (RecordingSink does). Every event carries the
// engine sequence number, strictly increasing across all kinds.
import type { CancelReason, RejectReason, Side, OrdType, TimeInForce, TradingPhase } from './types.ts';
import type { ObligationStatusView, WindowReport } from './obligations/types.ts';

export const OrderEventKind = {
  ACCEPTED: 1,
  REJECTED: 2,
  CANCELLED: 3,
  REPLACED: 4,
  /** unsolicited quantity reduction (self-trade decrement) */
  RESTATED: 5,
  CANCEL_REJECTED: 6,
  REPLACE_REJECTED: 7,
  /** a held stop order was triggered and enters the book (FIX ExecType L) */
  TRIGGERED: 8,
} as const;
export type OrderEventKind = (typeof OrderEventKind)[keyof typeof OrderEventKind];

/** An order's state change, or a refused command (then orderId may be 0). */
export class OrderEvent {
  seq = 0;
  time = 0;
  kind: OrderEventKind = OrderEventKind.ACCEPTED;
  account = 0;
  symbol = '';
  orderId = 0;
  clOrdId = '';
  /** the previous client id on a replace, the target's on a cancel */
  origClOrdId = '';
  side: Side = 1;
  ordType: OrdType = 1;
  tif: TimeInForce = 1;
  price = 0;
  qty = 0;
  leaves = 0;
  cum = 0;
  /** Σ price × qty of the fills so far (avg px = cumPxQty / cum) */
  cumPxQty = 0;
  /** quantity taken away by self-trade prevention (DECREMENT) so far (Binance preventedQuantity) */
  prevented = 0;
  /** CancelReason for CANCELLED/RESTATED, RejectReason for the *_REJECTED kinds, else 0 */
  reason: CancelReason | RejectReason | 0 = 0;
  text = '';
  /** RATE_LIMITED / BANNED rejects: engine time (µs) from which the request would be accepted again; else 0 */
  retryAfter = 0;
  /** iceberg: the display quantity (leaves counts the hidden part too); 0 = not an iceberg */
  display = 0;
  /** stop / stop-limit: the stop price (kept once triggered: ordType is then MARKET / LIMIT); 0 = not a stop */
  stopPx = 0;
  /** off the book and not in market data: a held stop, or a midpoint peg */
  hidden = false;
  /** a sliding post-only order's price was moved inside the opposite best (ACCEPTED / REPLACED) */
  slid = false;
}

/** One trade between a resting (maker) and an incoming (taker) order. */
export class FillEvent {
  seq = 0;
  time = 0;
  tradeId = 0;
  symbol = '';
  price = 0;
  qty = 0;
  /** the taker's side */
  aggressorSide: Side = 1;
  /** price × qty in cash units */
  notional = 0;
  makerOrderId = 0;
  makerClOrdId = '';
  makerAccount = 0;
  /** the maker order's total quantity (its price is the fill price) */
  makerQty = 0;
  makerLeaves = 0;
  makerCum = 0;
  makerCumPxQty = 0;
  /** signed, cash units; negative = rebate */
  makerFee = 0;
  takerOrderId = 0;
  takerClOrdId = '';
  takerAccount = 0;
  /** the taker order's limit price and total quantity */
  takerPrice = 0;
  takerQty = 0;
  takerLeaves = 0;
  takerCum = 0;
  takerCumPxQty = 0;
  takerFee = 0;
  /** an auction uncross execution (both sides pay their taker rate; 'taker' is the later order) */
  auction = false;
}

/** A price level's new aggregate, emitted once per touched level at the end of each command. */
export class LevelEvent {
  seq = 0;
  time = 0;
  symbol = '';
  side: Side = 1;
  price = 0;
  /** new total quantity; 0 = the level is gone */
  qty = 0;
  count = 0;
}

/** The outcome of a mass cancel request (FIX OrderMassCancelReport), after its individual cancels. */
export class MassCancelEvent {
  seq = 0;
  time = 0;
  account = 0;
  /** '' = all instruments */
  symbol = '';
  /** 0 = both sides */
  side: Side | 0 = 0;
  /** how many orders it cancelled */
  cancelled = 0;
  /** 0 = done, else the RejectReason it was refused with */
  reason: RejectReason | 0 = 0;
  text = '';
}

/** Why a phase changed (FIX SecurityTradingEvent / HaltReason in spirit). */
export const PhaseCause = {
  ADMIN: 1,
  SCHEDULE: 2,
  /** LULD limit state lasted its full time */
  LIMIT_STATE: 3,
  VELOCITY: 4,
  MARKET_WIDE: 5,
  /** a timed halt ended (reopening auction) */
  HALT_END: 6,
} as const;
export type PhaseCause = (typeof PhaseCause)[keyof typeof PhaseCause];

/** An instrument's trading phase changed (FIX SecurityStatus). */
export class PhaseEvent {
  seq = 0;
  time = 0;
  symbol = '';
  phase: TradingPhase = 1;
  cause: PhaseCause = 1;
  /** when a timed halt ends and the reopening auction runs (µs); 0 = open-ended */
  until = 0;
  text = '';
}

/**
 * Auction state of an instrument in a call phase: the indicative uncross
 * (price 0 = nothing would execute), emitted when it changes; and the final
 * uncross (final = true) just before its fills.
 */
export class AuctionEvent {
  seq = 0;
  time = 0;
  symbol = '';
  phase: TradingPhase = 1;
  /** indicative (or final) uncross price, 0 = none */
  price = 0;
  /** executable volume at that price */
  qty = 0;
  /** unmatched quantity at that price, and its side (0 = none) */
  surplus = 0;
  surplusSide: Side | 0 = 0;
  final = false;
  // crosses with on-open / on-close orders (engine/rules/crosses.ts); 0 elsewhere
  /** the price at which the on-open / on-close orders alone would cross (0 = none) */
  far = 0;
  /** the reference price of the cross (last trade, else the reference, else the previous close) */
  reference = 0;
  /** the price validation collar (0 = none) */
  collarLow = 0;
  collarHigh = 0;
  /** extensions of the call so far, and when the current one ends (0 = none) */
  extensions = 0;
  extendedUntil = 0;
}

/** Things rules do to accounts and instruments beyond single orders. */
export const RuleEventKind = {
  /** an account (or one session of it) is banned until `until` after repeated rate-limit breaches: the gateway logs it out */
  BAN: 1,
  /** the order-to-trade ratio passed its ceiling (flag mode: reported once per day) */
  OTR_FLAG: 2,
  KILL_SWITCH_ON: 3,
  KILL_SWITCH_OFF: 4,
  /** LULD limit state entered / left (the best price sits at the band) */
  LIMIT_STATE_ON: 5,
  LIMIT_STATE_OFF: 6,
  /** market-maker protection tripped on `symbol`: the account's quotes there were cancelled (value: the tally that reached its limit) */
  MMP_TRIGGERED: 10,
  /** the account reset its market-maker protection on `symbol`: it may quote again */
  MMP_RESET: 11,
} as const;
export type RuleEventKind = (typeof RuleEventKind)[keyof typeof RuleEventKind];

export class RuleEvent {
  seq = 0;
  time = 0;
  kind: RuleEventKind = 1;
  /** 0 when it concerns an instrument */
  account = 0;
  /** BAN of a session-scoped limit: that session; else 0 */
  session = 0;
  /** '' when it concerns the whole account */
  symbol = '';
  /** BAN: ban end (µs); LIMIT_STATE_ON: when the halt would start */
  until = 0;
  /** OTR_FLAG: the ratio ×1000; LIMIT_STATE_ON: the band price, negative for the lower band */
  value = 0;
  text = '';
}

/** Maker programme: a member's live obligation status (on each change and every status interval), or a closed window's report. */
export class ObligationEvent {
  seq = 0;
  time = 0;
  programme = '';
  account = 0;
  symbol = '';
  status: ObligationStatusView | null = null;
  report: WindowReport | null = null;
}

export interface EventSink {
  /** false: this sink ignores level events, so the engine need not track the levels a command touches (default true) */
  readonly levelEvents?: boolean;
  order(e: OrderEvent): void;
  fill(e: FillEvent): void;
  level(e: LevelEvent): void;
  massCancel(e: MassCancelEvent): void;
  phase(e: PhaseEvent): void;
  auction(e: AuctionEvent): void;
  rule(e: RuleEvent): void;
  obligation(e: ObligationEvent): void;
}

export const nullSink: EventSink = { order() {}, fill() {}, level() {}, massCancel() {}, phase() {}, auction() {}, rule() {}, obligation() {} };

export type RecordedEvent =
  | ({ type: 'order' } & OrderEvent)
  | ({ type: 'fill' } & FillEvent)
  | ({ type: 'level' } & LevelEvent)
  | ({ type: 'massCancel' } & MassCancelEvent)
  | ({ type: 'phase' } & PhaseEvent)
  | ({ type: 'auction' } & AuctionEvent)
  | ({ type: 'rule' } & RuleEvent)
  | ({ type: 'obligation' } & ObligationEvent);

/** Keeps a copy of every event: for tests, replay checks and small tools. */
export class RecordingSink implements EventSink {
  readonly events: RecordedEvent[] = [];
  order(e: OrderEvent): void { this.events.push({ type: 'order', ...e }); }
  fill(e: FillEvent): void { this.events.push({ type: 'fill', ...e }); }
  level(e: LevelEvent): void { this.events.push({ type: 'level', ...e }); }
  massCancel(e: MassCancelEvent): void { this.events.push({ type: 'massCancel', ...e }); }
  phase(e: PhaseEvent): void { this.events.push({ type: 'phase', ...e }); }
  auction(e: AuctionEvent): void { this.events.push({ type: 'auction', ...e }); }
  rule(e: RuleEvent): void { this.events.push({ type: 'rule', ...e }); }
  obligation(e: ObligationEvent): void { this.events.push({ type: 'obligation', ...e }); }

  orders(): ({ type: 'order' } & OrderEvent)[] {
    return this.events.filter((e): e is { type: 'order' } & OrderEvent => e.type === 'order');
  }
  fills(): ({ type: 'fill' } & FillEvent)[] {
    return this.events.filter((e): e is { type: 'fill' } & FillEvent => e.type === 'fill');
  }
  levels(): ({ type: 'level' } & LevelEvent)[] {
    return this.events.filter((e): e is { type: 'level' } & LevelEvent => e.type === 'level');
  }
  clear(): void { this.events.length = 0; }
}
