// Failed authentications, counted per remote address for REST (x-api-key)
// and Logon alike: past SessionLimits.authFailures within authWindowMs, the
// address is blocked for authBlockMs — every authentication from it is
// refused (REST 429 with Retry-After, Logon a Logout and close code 4004),
// even with a right key, or a guesser would learn which key is right. Each
// failure is logged (info) and each block (warn), with the address and the
// count. Without this an api key could be guessed at thousands of tries a
// second.
import type { Exchange, AccountInfo } from './exchange.ts';
import type { SessionLimits } from './trade-session.ts';

interface Record {
  failures: number;
  windowStart: number;
  blockedUntil: number;
}

/** Addresses remembered at most; past it, records with nothing to remember are pruned. */
const MAX_ADDRESSES = 10_000;

export type AuthLog = (level: 'info' | 'warn', fields: { address: string; failures: number; blocked_ms: number }, message: string) => void;

export class AuthThrottle {
  private readonly byAddress = new Map<string, Record>();

  constructor(
    private readonly limits: Pick<SessionLimits, 'authFailures' | 'authWindowMs' | 'authBlockMs'>,
    private readonly log: AuthLog = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until the address may try again; 0 = now. */
  retryAfter(address: string): number {
    const r = this.byAddress.get(address);
    return r ? Math.max(0, r.blockedUntil - this.now()) : 0;
  }

  /** Counts a failure; the one that reaches the limit starts a block (logged). */
  failed(address: string): void {
    const now = this.now();
    let r = this.byAddress.get(address);
    if (!r) {
      if (this.byAddress.size >= MAX_ADDRESSES) this.prune(now);
      this.byAddress.set(address, (r = { failures: 0, windowStart: now, blockedUntil: 0 }));
    }
    if (now - r.windowStart > this.limits.authWindowMs) {
      r.failures = 0;
      r.windowStart = now;
    }
    const failures = ++r.failures;
    this.log('info', { address, failures, blocked_ms: 0 }, 'authentication failed: unknown or missing api key');
    if (failures >= this.limits.authFailures && r.blockedUntil <= now) {
      r.blockedUntil = now + this.limits.authBlockMs;
      this.log('warn', { address, failures, blocked_ms: this.limits.authBlockMs }, 'authentication blocked: too many failed attempts from this address');
      r.failures = 0;
      r.windowStart = now;
    }
  }

  private prune(now: number): void {
    for (const [address, r] of this.byAddress) {
      if (r.blockedUntil <= now && now - r.windowStart > this.limits.authWindowMs) this.byAddress.delete(address);
    }
  }
}

export type AuthResult = { account: AccountInfo } | { retryAfterMs: number } | null;

const throttles = new WeakMap<Exchange, AuthThrottle>();

/** The server's throttle, shared by REST and order entry (set by startServer). */
export function setAuthThrottle(exchange: Exchange, throttle: AuthThrottle): void {
  throttles.set(exchange, throttle);
}

/**
 * An api key from `address`: its account; { retryAfterMs } while the address
 * is blocked; null for a wrong or missing key (counted).
 */
export function authenticateFrom(exchange: Exchange, apiKey: unknown, address: string): AuthResult {
  const throttle = throttles.get(exchange);
  const wait = throttle?.retryAfter(address) ?? 0;
  if (wait > 0) return { retryAfterMs: wait };
  const account = exchange.authenticate(apiKey);
  if (account) return { account };
  throttle?.failed(address);
  return null;
}
