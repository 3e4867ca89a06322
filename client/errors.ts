// What can go wrong between a client and the exchange, as one error class
// with a code. Business outcomes (an order rejected, a cancel refused) are
// not errors: they come back as reports. These are the cases where no
// report will come, or the request never left.

export type ClientErrorCode =
  /** not logged on (never connected, between reconnect attempts, or closed) */
  | 'not_connected'
  /** the request went out but no answer came within requestTimeoutMs */
  | 'timeout'
  /** the exchange never received the request: it was in flight when the connection dropped */
  | 'lost'
  /** the exchange's session state was reset (e.g. it restarted): answers to earlier requests will not come */
  | 'session_reset'
  /** the session refused the message (Reject) */
  | 'session_reject'
  /** the message was understood but not processed (BusinessMessageReject) */
  | 'business_reject'
  /** close() was called, or reconnecting is off and the connection dropped */
  | 'closed'
  /** the socket's send buffer is over its limit: the exchange is not reading */
  | 'backpressure'
  /** more requests awaiting an answer than maxPending */
  | 'too_many_pending'
  /** the exchange answered the Logon with a Logout (e.g. unknown api key) */
  | 'logon_refused'
  /** the symbol is not in the SecurityList, so its scales are unknown */
  | 'unknown_symbol'
  /** an argument cannot be sent as given (e.g. a price with more decimals than the instrument has) */
  | 'invalid_argument'
  /** a connection-level failure: refused, timed out or closed while opening */
  | 'connection_failed'
  /** a REST call (e.g. the kill switch) answered with an error status */
  | 'http_error';

export class ClientError extends Error {
  constructor(readonly code: ClientErrorCode, message: string) {
    super(message);
    this.name = 'ClientError';
  }
}
