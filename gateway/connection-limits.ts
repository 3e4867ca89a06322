// Limits on WebSocket connections, counted at the HTTP upgrade for both
// endpoints (/ws/trade and /ws/md): a global cap, so held sockets can never use
// up the process's file descriptors and lock every client out, and a cap per
// remote address, so one client cannot take the whole global allowance. A
// refused connection is upgraded and closed at once with a close code that
// says why (a bare TCP reset would look like a network fault). New connections
// per address are rate-limited too (ConnectionRate), refused at the upgrade.
import { KeyedBuckets } from './token-bucket.ts';

/** WebSocket close codes of this server (4000-4999 are the application's; 1013 is the standard "try again later"). */
export const CloseCode = {
  /** /ws/trade: no Logon within SessionLimits.logonTimeoutMs */
  LOGON_TIMEOUT: 4001,
  /** /ws/md: pings went unanswered for SessionLimits.mdHeartbeatMs */
  HEARTBEAT_TIMEOUT: 4002,
  /** a consumer that stopped reading: stalled too long, or past its send budget */
  SLOW_CONSUMER: 4003,
  /** too many failed authentications from this address: blocked for a while */
  AUTH_BLOCKED: 4004,
  /** the address already holds SessionLimits.maxConnectionsPerIp connections */
  TOO_MANY_FROM_ADDRESS: 4029,
  /** the server already holds SessionLimits.maxConnections connections */
  SERVER_FULL: 1013,
} as const;

export interface Refusal {
  code: number;
  reason: string;
}

export class ConnectionGate {
  private total = 0;
  private readonly byAddress = new Map<string, number>();

  constructor(private readonly maxConnections: number, private readonly maxPerAddress: number) {}

  /** Counts the connection in, or says why it is refused (then it is not counted). */
  admit(address: string): Refusal | null {
    if (this.total >= this.maxConnections) {
      return { code: CloseCode.SERVER_FULL, reason: `server connection limit reached (${this.maxConnections})` };
    }
    const n = this.byAddress.get(address) ?? 0;
    if (n >= this.maxPerAddress) {
      return { code: CloseCode.TOO_MANY_FROM_ADDRESS, reason: `too many connections from this address (limit ${this.maxPerAddress})` };
    }
    this.total++;
    this.byAddress.set(address, n + 1);
    return null;
  }

  release(address: string): void {
    this.total--;
    const n = (this.byAddress.get(address) ?? 1) - 1;
    if (n > 0) this.byAddress.set(address, n);
    else this.byAddress.delete(address);
  }

  get open(): number {
    return this.total;
  }
}

/** Addresses whose connection rate is tracked at once; past it the ones idle long enough are forgotten first. */
export const MAX_TRACKED_ADDRESSES = 10_000;

/** Why an upgrade is refused by the connection rate: the wait, and whether this refusal is answered. */
export interface RateRefusal {
  retryAfterMs: number;
  /** the first refusal of a wait gets a 429 with Retry-After; the socket of a later one is dropped without a word */
  answer: boolean;
}

/**
 * New WebSocket connections per remote address: a burst, then a steady rate
 * (a token bucket per address). A client that reconnects as fast as it can
 * (each new connection a fresh per-connection allowance) is refused at the
 * HTTP upgrade, before a WebSocket or a session exists: the first refusal is
 * a 429 with Retry-After, the attempts it ignores are dropped at once with no
 * answer, so refusing stays cheaper than anything it protects.
 */
export class ConnectionRate {
  private readonly byAddress: KeyedBuckets;

  constructor(burst: number, perSec: number, maxAddresses = MAX_TRACKED_ADDRESSES) {
    this.byAddress = new KeyedBuckets(burst, perSec, maxAddresses);
  }

  /** null when `address` may open a connection now (it is counted), else the refusal. `now`: ms. */
  admit(address: string, now: number): RateRefusal | null {
    const a = this.byAddress.entry(address, now);
    if (now < a.refusedUntil) return { retryAfterMs: a.refusedUntil - now, answer: false };
    const wait = a.bucket.take(now);
    if (wait === 0) return null;
    a.refusedUntil = now + wait;
    return { retryAfterMs: wait, answer: true };
  }

  /** Addresses tracked now (bounded by maxAddresses). */
  get tracked(): number {
    return this.byAddress.tracked;
  }
}

/** The HTTP answer to an upgrade refused by the connection rate (RFC 6585 §4: 429 with Retry-After, in seconds). */
export function tooManyConnectionsResponse(retryAfterMs: number): string {
  const body = 'too many new connections from this address';
  return `HTTP/1.1 429 Too Many Requests\r\nRetry-After: ${Math.max(1, Math.ceil(retryAfterMs / 1000))}\r\n`
    + `Content-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`;
}
