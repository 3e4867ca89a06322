// The makerbench client SDK: order entry (ExchangeClient), market data
// (MarketDataClient with a LocalBook), instruments and exact decimals.
export { ExchangeClient } from './exchange-client.ts';
export type {
  ExchangeClientOptions, ExchangeClientEvents, OrderParams, OrderRef, AmendParams, MassQuoteParams, QuoteSide,
  OrderChangeResult, SessionReject, ReconnectInfo, ExchangeRestart, KillSwitchState,
} from './exchange-client.ts';
export { MarketDataClient } from './market-data.ts';
export type { MarketDataOptions, MarketDataEvents, BookUpdate, MarketTrade, MarketStatus, ResyncReason } from './market-data.ts';
export { LocalBook, type BookLevel, type ApplyResult } from './local-book.ts';
export { Instrument, type Rounding } from './instrument.ts';
export { toUnits, fromUnits, DecimalError } from './decimal.ts';
export { ClientError, type ClientErrorCode } from './errors.ts';
export type { ReconnectPolicy } from './backoff.ts';
export { OrderEntrySession, type SessionOptions, type SessionEvents } from './order-entry-session.ts';
export type {
  ExecutionReport, CancelReject, MassCancelReport, MassQuoteAck, PositionReport, SecurityStatus, UserNotification, AuctionInfo, Delivery,
  ObligationStatus, ObligationReport, LimitState, AccountTerms, InstrumentTerms,
} from './reports.ts';
export type {
  SideName, OrdTypeName, TimeInForceName, StpModeName, ExecTypeName, OrdStatusName, RejectCodeName, CancelReasonName,
  TradingPhaseName, PhaseCauseName, UserEventName, LiquidityName, ObligationReasonName, ObligationWindowName,
  ObligationMeasurementName, ObligationOutcomeName, SettlementKindName, LogoutReasonName,
} from './protocol.ts';
export { markoutAt, type ScorecardStatus, type ScorecardMarkout, type OrderAckLatency } from './scorecard.ts';
export { wsTransport, type Transport, type Connection, type ConnectionEvents } from './transport.ts';
export { realTimers, type Timers, type TimerHandle } from '../gateway/timers.ts';
