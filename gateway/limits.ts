// The server's limits on connections, sessions and market data, with their
// defaults (documented in docs/configuration.md, "Limits"). A configuration
// file may set any of them under "limits"; startServer's `limits` option
// overrides both. Kept apart from the session code so that loading a
// configuration does not load the server.

export interface SessionLimits {
  /** largest accepted frame, bytes (larger → Reject) */
  maxFrameBytes: number;
  /** bytes queued on the socket beyond which an order-entry client is disconnected */
  maxBufferedBytes: number;
  /** session Rejects within one connection before it is logged out */
  maxRejects: number;
  /** stored outbound messages per account for resends */
  resendStore: number;
  defaultHeartbeatMs: number;
  /** /ws/trade: a connection without a Logon this long after it opened is closed (CloseCode.LOGON_TIMEOUT) */
  logonTimeoutMs: number;
  /** /ws/md: the server pings this often; a connection that answered neither the last ping nor sent anything is closed (HEARTBEAT_TIMEOUT) */
  mdHeartbeatMs: number;
  /** WebSocket connections (both endpoints) the server holds at once; more are closed at once (SERVER_FULL) */
  maxConnections: number;
  /** … and per remote address (TOO_MANY_FROM_ADDRESS) */
  maxConnectionsPerIp: number;
  /** new WebSocket connections (both endpoints) per remote address: a burst of this many … */
  connectBurstPerIp: number;
  /** … refilled at this rate per second; a faster client's upgrade gets 429 with Retry-After, its attempts before then are dropped unanswered */
  connectsPerIpPerSec: number;
  /** /ws/md: a subscriber whose incrementals stay stopped (stalled) this long is dropped (SLOW_CONSUMER) */
  mdStallMs: number;
  /** /ws/md snapshots: levels per side at most (a market_depth of 0 or more means this many) */
  mdSnapshotLevels: number;
  /** /ws/md L3 snapshots: orders at most (whole levels only: the levels that fit) */
  mdSnapshotOrders: number;
  /** /ws/md: encoded snapshots kept per symbol (one per channel set and depth asked for), reused while the levels they show are unchanged */
  mdSnapshotCacheEntries: number;
  /** /ws/md snapshot requests per connection (a symbol's first subscription on a connection is free): a burst of this many … */
  mdSnapshotBurst: number;
  /** … refilled at this rate per second (then MarketDataRequestReject) */
  mdSnapshotsPerSec: number;
  /** /ws/md: requests a refused connection sends before the retry time its refusal gave (they get no answer) before it is logged out */
  mdIgnoredRefusals: number;
  /** /ws/md snapshot requests (first subscriptions included) per remote address, over all its connections: a burst of this many … */
  mdAddressSnapshotBurst: number;
  /** … refilled at this rate per second, so reconnecting (a fresh connection, a fresh burst) gains nothing */
  mdAddressSnapshotsPerSec: number;
  /** snapshot requests the whole server serves per second (a burst of as many), so many connections cannot add up to a stall */
  mdServerSnapshotsPerSec: number;
  /** … with a burst of this many (many bots subscribing at once) */
  mdServerSnapshotBurst: number;
  /** failed authentications (REST x-api-key, Logon) per address within authWindowMs before it is throttled */
  authFailures: number;
  authWindowMs: number;
  /** how long a throttled address is refused (429 Retry-After, Logout) */
  authBlockMs: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = {
  maxFrameBytes: 64 * 1024,
  maxBufferedBytes: 8 * 1024 * 1024,
  maxRejects: 20,
  resendStore: 10_000,
  defaultHeartbeatMs: 10_000,
  logonTimeoutMs: 5_000,
  mdHeartbeatMs: 30_000,
  maxConnections: 768,
  maxConnectionsPerIp: 256,
  connectBurstPerIp: 100,
  connectsPerIpPerSec: 10,
  mdStallMs: 10_000,
  mdSnapshotLevels: 1_000,
  mdSnapshotOrders: 1_000,
  mdSnapshotCacheEntries: 16,
  mdSnapshotBurst: 10,
  mdSnapshotsPerSec: 2,
  mdIgnoredRefusals: 20,
  mdAddressSnapshotBurst: 100,
  mdAddressSnapshotsPerSec: 20,
  mdServerSnapshotsPerSec: 50,
  mdServerSnapshotBurst: 200,
  authFailures: 10,
  authWindowMs: 10_000,
  authBlockMs: 60_000,
};
