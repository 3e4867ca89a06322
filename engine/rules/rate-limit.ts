// Order-rate limits (Binance 50 orders / 10 s and 160,000 / day per account,
// Binance FIX 10,000 messages / 10 s per connection, Revolut FIX sliding
// windows) and the temporary ban for bots that keep hammering after a reject.
//
// Deterministic: time (µs) comes with every call and must not go backwards;
// everything is integer arithmetic on safe integers, so results are exact.
//
// Memory: per limiter one small state per key (account or session id) in a
// Map. A state whose window has fully elapsed behaves exactly like a fresh
// one, so idle states are swept (at most once per max(interval, 60 s) of
// engine time, on an admit call) without changing any result. Each map is
// capped at `maxKeys` (default 100,000): when a new key would pass the cap and
// a sweep frees nothing, the oldest-created key is forgotten (it restarts with
// an empty window: the limit fails open for it, never closed). Accounts and
// sessions are registered objects, so real runs stay far below the cap.
import { ConfigError } from '../instrument.ts';
import { RejectReason } from '../types.ts';
import type { RateBanConfig, RateLimitConfig } from './config.ts';

export const MsgKind = { NEW: 1, AMEND: 2, CANCEL: 3, QUOTE: 4 } as const;
export type MsgKind = (typeof MsgKind)[keyof typeof MsgKind];

/** Why a message was refused. One object is reused: copy what you keep before the next admit(). */
export interface RateVerdict {
  /** RATE_LIMITED, or BANNED while (or when) the key is banned */
  reason: RejectReason;
  /** engine time (µs) from which the same message would be admitted, if nothing else is sent meanwhile */
  retryAfter: number;
  /** e.g. 'rate limit orders-10s: 50 per 10000 ms; retry after 1234 ms' */
  text: string;
  /** this message started a ban: the engine emits RuleEvent BAN (until = banUntil) */
  banned: boolean;
  /** end of the ban (µs) when reason is BANNED, else 0 */
  banUntil: number;
  /** the gateway should log the session out: a breached 'logout' limiter, or the message that started a ban */
  logout: boolean;
  /** the scope of the refusing limiter or ban: which key (account or session) is concerned */
  scope: 'account' | 'session';
  /** an unfilled-order count refused it: Binance tells no retry time then (REST sends no Retry-After) */
  unfilled: boolean;
}

export interface RateLimitOptions {
  /** most keys kept per limiter (and per ban scope); default 100,000 */
  maxKeys?: number;
}

export const DEFAULT_MAX_KEYS = 100_000;
/** ends the text of a refusal by an unfilled-order count (REST then sends no Retry-After, as Binance) */
export const UNFILLED_TAG = '(unfilled orders)';
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** sweeping more often than this buys little memory for O(keys) work */
const MIN_SWEEP_US = 60_000_000;

/** Per-key window state. An idle state must behave exactly like a fresh one. */
interface Window {
  /** 0 if `w` more weight fits at `now`, else the time (> now) from which it would */
  wait(now: number, w: number): number;
  /** counts `w` (> 0) at `now`; only after wait() returned 0 at the same `now` */
  add(now: number, w: number): void;
  idle(now: number): boolean;
}

/**
 * Exact sliding window (now − span, now]: a ring of (time, weight) entries.
 * Weights are ≥ 1 and their sum ≤ limit, so at most `limit` entries; the ring
 * starts small and doubles, and same-time messages share one entry.
 */
export class Sliding implements Window {
  private t: Float64Array;
  private w: Float64Array;
  private head = 0;
  private n = 0;
  private sum = 0;

  constructor(private readonly limit: number, private readonly span: number) {
    const cap = Math.min(limit, 8);
    this.t = new Float64Array(cap);
    this.w = new Float64Array(cap);
  }

  private expire(now: number): void {
    const cut = now - this.span;
    const cap = this.t.length;
    while (this.n > 0 && this.t[this.head] <= cut) {
      this.sum -= this.w[this.head];
      this.head = this.head + 1 === cap ? 0 : this.head + 1;
      this.n--;
    }
  }

  wait(now: number, w: number): number {
    this.expire(now);
    const excess = this.sum + w - this.limit;
    if (excess <= 0) return 0;
    // The oldest entries leave first; the one that frees enough sets the time.
    // Terminates: excess ≤ sum because every weight is ≤ limit (validated).
    const cap = this.t.length;
    let freed = 0;
    for (let i = this.head; ; i = i + 1 === cap ? 0 : i + 1) {
      freed += this.w[i];
      if (freed >= excess) return this.t[i] + this.span;
    }
  }

  add(now: number, w: number): void {
    let cap = this.t.length;
    if (this.n > 0) {
      const last = (this.head + this.n - 1) % cap;
      if (this.t[last] === now) { this.w[last] += w; this.sum += w; return; }
    }
    if (this.n === cap) {
      // n < limit here: n entries of weight ≥ 1 plus w ≥ 1 fit in limit.
      const size = Math.min(this.limit, cap * 2);
      const t = new Float64Array(size);
      const ws = new Float64Array(size);
      for (let k = 0; k < this.n; k++) {
        const j = (this.head + k) % cap;
        t[k] = this.t[j];
        ws[k] = this.w[j];
      }
      this.t = t;
      this.w = ws;
      this.head = 0;
      cap = size;
    }
    const at = (this.head + this.n) % cap;
    this.t[at] = now;
    this.w[at] = w;
    this.n++;
    this.sum += w;
  }

  idle(now: number): boolean {
    return this.n === 0 || this.t[(this.head + this.n - 1) % this.t.length] <= now - this.span;
  }
}

/** Fixed windows aligned to multiples of span since time 0 (a UTC day for 86,400,000 ms). */
export class Fixed implements Window {
  private start = -1;
  private used = 0;

  /** An order's first fill: one unit back in the current interval (Binance unfilled order count). */
  credit(now: number): void {
    if (now < this.start + this.span && this.used > 0) this.used--;
  }

  constructor(private readonly limit: number, private readonly span: number) {}

  wait(now: number, w: number): number {
    const s = now - (now % this.span);
    if (s !== this.start) { this.start = s; this.used = 0; }
    return this.used + w <= this.limit ? 0 : s + this.span;
  }

  add(_now: number, w: number): void { this.used += w; }

  idle(now: number): boolean { return this.used === 0 || now >= this.start + this.span; }
}

/**
 * Token bucket of `limit` tokens refilled continuously at limit per span.
 * Tokens are kept scaled by span (one token = span units, refill = limit units
 * per µs), which makes every refill and wait exact in integers; validation
 * keeps 2 × limit × span a safe integer.
 */
export class Bucket implements Window {
  private level: number;

  constructor(private readonly limit: number, private readonly span: number, private last: number) {
    this.level = limit * span;
  }

  private refill(now: number): void {
    const dt = now - this.last;
    const full = this.limit * this.span;
    if (dt >= this.span) this.level = full;
    else if (dt > 0) this.level = Math.min(full, this.level + dt * this.limit);
    this.last = now;
  }

  wait(now: number, w: number): number {
    this.refill(now);
    const need = w * this.span - this.level;
    return need <= 0 ? 0 : now + Math.floor((need + this.limit - 1) / this.limit);
  }

  add(_now: number, w: number): void { this.level -= w * this.span; }

  idle(now: number): boolean {
    const dt = now - this.last;
    return dt >= this.span || this.level + dt * this.limit >= this.limit * this.span;
  }
}

/** A Map of per-key states with the idle sweep and the key cap described at the top. */
export class KeyMap<S extends { idle(now: number): boolean }> {
  private readonly map = new Map<number, S>();
  private nextSweep = 0;

  constructor(private readonly sweepEvery: number, private readonly maxKeys: number) {}

  get size(): number { return this.map.size; }

  peek(key: number): S | undefined { return this.map.get(key); }

  get(key: number, now: number, make: (now: number) => S): S {
    if (now >= this.nextSweep) this.sweep(now);
    let s = this.map.get(key);
    if (s === undefined) {
      if (this.map.size >= this.maxKeys) {
        this.sweep(now);
        if (this.map.size >= this.maxKeys) this.map.delete(this.map.keys().next().value as number);
      }
      s = make(now);
      this.map.set(key, s);
    }
    return s;
  }

  sweep(now: number): void {
    for (const [k, s] of this.map) if (s.idle(now)) this.map.delete(k);
    this.nextSweep = now + this.sweepEvery;
  }
}

interface Limiter {
  readonly name: string;
  readonly session: boolean;
  readonly logout: boolean;
  /** weight by MsgKind (index 0 unused) */
  readonly weights: readonly number[];
  readonly keys: KeyMap<Window>;
  readonly make: (now: number) => Window;
  /** 'orders-10s: 50 per 10000 ms' */
  readonly label: string;
  /** counts unfilled orders (Fixed windows): a first fill credits one back */
  readonly unfilled: boolean;
}

/** Breach history (a ring of the last `breaches` times) and ban end of one key. */
export class BanState {
  until = 0;
  private readonly times: Float64Array;
  private head = 0;
  private n = 0;

  constructor(private readonly cfg: { breaches: number; windowUs: number; banUs: number }) {
    this.times = new Float64Array(cfg.breaches);
  }

  /**
   * Records a breach; true if it starts a ban. The history is cleared then, so
   * a new ban needs fresh breaches; breaches during a ban (refused cancels) are
   * ignored rather than extend it.
   */
  breach(now: number): boolean {
    if (this.until > now) return false;
    const cap = this.times.length;
    if (this.n === cap) { this.head = this.head + 1 === cap ? 0 : this.head + 1; this.n--; }
    this.times[(this.head + this.n) % cap] = now;
    this.n++;
    if (this.n < cap || this.times[this.head] <= now - this.cfg.windowUs) return false;
    this.until = now + this.cfg.banUs;
    this.n = 0;
    return true;
  }

  idle(now: number): boolean {
    return this.until <= now &&
      (this.n === 0 || this.times[(this.head + this.n - 1) % this.times.length] <= now - this.cfg.windowUs);
  }
}

function int(v: unknown, field: string, min: number, max = MAX_SAFE): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new ConfigError(field, `must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  }
  return v;
}

function oneOf<T extends string>(v: unknown, field: string, allowed: readonly T[], dflt?: T): T {
  const x = v ?? dflt;
  if (typeof x !== 'string' || !(allowed as readonly string[]).includes(x)) {
    throw new ConfigError(field, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(v)}`);
  }
  return x as T;
}

const WEIGHT_KINDS = ['new', 'amend', 'cancel', 'quote'] as const;

function makeLimiter(cfg: RateLimitConfig, where: string, maxKeys: number): Limiter {
  if (typeof cfg !== 'object' || cfg === null) throw new ConfigError(where, 'must be an object');
  if (typeof cfg.name !== 'string' || cfg.name.length === 0 || cfg.name.length > 64) {
    throw new ConfigError(`${where}.name`, `must be a string of 1-64 characters, got ${JSON.stringify(cfg.name)}`);
  }
  const scope = oneOf(cfg.scope, `${where}.scope`, ['account', 'session'] as const);
  const kind = oneOf(cfg.window, `${where}.window`, ['sliding', 'fixed', 'bucket'] as const);
  const limit = int(cfg.limit, `${where}.limit`, 1);
  const intervalMs = int(cfg.interval_ms, `${where}.interval_ms`, 1, Math.floor(MAX_SAFE / 1000));
  const span = intervalMs * 1000;
  if (kind === 'bucket' && !Number.isSafeInteger(2 * limit * (span + 1))) {
    throw new ConfigError(`${where}.limit`, 'a token bucket needs 2 × limit × interval_ms × 1000 below 2^53; lower limit or interval_ms');
  }
  if (cfg.exempt_cancels !== undefined && typeof cfg.exempt_cancels !== 'boolean') {
    throw new ConfigError(`${where}.exempt_cancels`, `must be true or false, got ${JSON.stringify(cfg.exempt_cancels)}`);
  }
  const exempt = cfg.exempt_cancels ?? true;
  const w = cfg.weights ?? {};
  if (typeof w !== 'object' || w === null) throw new ConfigError(`${where}.weights`, 'must be an object');
  for (const k of Object.keys(w)) {
    if (!(WEIGHT_KINDS as readonly string[]).includes(k)) {
      throw new ConfigError(`${where}.weights.${k}`, `unknown message kind; use ${WEIGHT_KINDS.join(', ')}`);
    }
  }
  // A weight above the limit could never pass; reject it rather than lock the key out.
  const weight = (k: (typeof WEIGHT_KINDS)[number]): number =>
    w[k] === undefined ? 1 : int(w[k], `${where}.weights.${k}`, 0, limit);
  if (exempt && w.cancel !== undefined && w.cancel !== 0) {
    throw new ConfigError(`${where}.weights.cancel`, 'cancels are exempt (exempt_cancels defaults to true); set exempt_cancels false to weigh them');
  }
  const weights = [0, weight('new'), weight('amend'), exempt ? 0 : weight('cancel'), weight('quote')];
  const logout = oneOf(cfg.on_breach, `${where}.on_breach`, ['reject', 'logout'] as const, 'reject') === 'logout';
  const unfilled = oneOf(cfg.count, `${where}.count`, ['messages', 'unfilled'] as const, 'messages') === 'unfilled';
  if (unfilled && kind !== 'fixed') throw new ConfigError(`${where}.count`, "'unfilled' needs window 'fixed' (Binance ORDERS intervals)");
  const make = kind === 'sliding' ? () => new Sliding(limit, span)
    : kind === 'fixed' ? () => new Fixed(limit, span)
    : (now: number) => new Bucket(limit, span, now);
  return {
    name: cfg.name,
    session: scope === 'session',
    logout,
    weights,
    keys: new KeyMap<Window>(Math.max(span, MIN_SWEEP_US), maxKeys),
    make,
    label: `${cfg.name}: ${limit} per ${intervalMs} ms`,
    unfilled,
  };
}

/**
 * All order-rate limiters of the venue, and the ban. A message is admitted only
 * if every limiter that applies to it allows it, and only then is it counted
 * in all of them: a refused message uses up nothing.
 *
 * Bans: with rate_ban, each refused message is a breach of the key (account or
 * session) of the limiter that refused it; `breaches` of them within window_ms
 * ban that key for ban_ms. A banned key's messages are refused with BANNED,
 * except cancels, which stay subject to the limiters only, so a banned bot can
 * still pull its quotes. Messages refused during a ban are not breaches.
 */
export class RateLimits {
  private readonly limiters: Limiter[];
  private readonly banCfg: { breaches: number; windowUs: number; banUs: number; text: string } | null;
  private readonly accountBans: KeyMap<BanState> | null = null;
  private readonly sessionBans: KeyMap<BanState> | null = null;
  private readonly makeBan: () => BanState;
  /** the states an admit call looked up, so committing needs no second lookup */
  private readonly scratch: (Window | null)[];
  private readonly verdict: RateVerdict = {
    reason: RejectReason.RATE_LIMITED, retryAfter: 0, text: '', banned: false, banUntil: 0, logout: false, scope: 'account', unfilled: false,
  };

  constructor(limits: RateLimitConfig[] = [], ban?: RateBanConfig, opts: RateLimitOptions = {}) {
    const maxKeys = int(opts.maxKeys ?? DEFAULT_MAX_KEYS, 'maxKeys', 1);
    if (!Array.isArray(limits)) throw new ConfigError('rules.rate_limits', 'must be an array');
    this.limiters = limits.map((l, i) => makeLimiter(l, `rules.rate_limits[${i}]`, maxKeys));
    this.scratch = this.limiters.map(() => null);
    if (ban === undefined) {
      this.banCfg = null;
    } else {
      if (typeof ban !== 'object' || ban === null) throw new ConfigError('rules.rate_ban', 'must be an object');
      const breaches = int(ban.breaches, 'rules.rate_ban.breaches', 1, 1_000_000);
      const windowMs = int(ban.window_ms, 'rules.rate_ban.window_ms', 1, Math.floor(MAX_SAFE / 1000));
      const banMs = int(ban.ban_ms, 'rules.rate_ban.ban_ms', 1, Math.floor(MAX_SAFE / 1000));
      this.banCfg = { breaches, windowUs: windowMs * 1000, banUs: banMs * 1000, text: `${breaches} rate-limit breaches in ${windowMs} ms` };
      const every = Math.max(this.banCfg.windowUs, this.banCfg.banUs, MIN_SWEEP_US);
      this.accountBans = new KeyMap<BanState>(every, maxKeys);
      this.sessionBans = new KeyMap<BanState>(every, maxKeys);
    }
    const banCfg = this.banCfg;
    this.makeBan = () => new BanState(banCfg!);
  }

  /** Counts one message if every limiter allows it. Returns null if allowed; else the (reused) verdict. */
  admit(kind: MsgKind, account: number, session: number, now: number): RateVerdict | null {
    let retry = 0;
    let worst = -1;
    let logout = false;
    for (let i = 0; i < this.limiters.length; i++) {
      const l = this.limiters[i];
      const w = l.weights[kind];
      if (w === 0 || (l.session && session === 0)) { this.scratch[i] = null; continue; }
      const s = l.keys.get(l.session ? session : account, now, l.make);
      this.scratch[i] = s;
      const r = s.wait(now, w);
      if (r > 0) {
        if (r > retry) { retry = r; worst = i; }
        if (l.logout) logout = true;
      }
    }

    if (kind !== MsgKind.CANCEL && this.banCfg !== null) {
      const a = this.accountBans!.peek(account);
      const s = session === 0 ? undefined : this.sessionBans!.peek(session);
      const aUntil = a !== undefined && a.until > now ? a.until : 0;
      const sUntil = s !== undefined && s.until > now ? s.until : 0;
      if (aUntil > 0 || sUntil > 0) {
        const until = Math.max(aUntil, sUntil);
        return this.refuse(RejectReason.BANNED, Math.max(until, retry), now, false, until, false,
          aUntil >= sUntil ? 'account' : 'session', `banned after ${this.banCfg.text}`);
      }
    }

    if (worst < 0) {
      for (let i = 0; i < this.limiters.length; i++) {
        const s = this.scratch[i];
        if (s !== null) s.add(now, this.limiters[i].weights[kind]);
      }
      return null;
    }

    const l = this.limiters[worst];
    const scope = l.session ? 'session' : 'account';
    if (this.banCfg !== null) {
      const bans = l.session ? this.sessionBans! : this.accountBans!;
      const b = bans.get(l.session ? session : account, now, this.makeBan);
      if (b.breach(now)) {
        return this.refuse(RejectReason.BANNED, Math.max(b.until, retry), now, true, b.until, true, scope,
          `banned after ${this.banCfg.text}`);
      }
    }
    const v = this.refuse(RejectReason.RATE_LIMITED, retry, now, false, 0, logout, scope, `rate limit ${l.label}`);
    if (l.unfilled) {
      // Binance −1015 'Too many new orders' gives no retry time: the text says so to REST
      v.unfilled = true;
      v.text = `rate limit ${l.label} ${UNFILLED_TAG}`;
    }
    return v;
  }

  /**
   * An account's order filled for the first time: every unfilled-order limiter
   * gives one unit back in its current interval (Binance faqs/order_count_decrement.md).
   */
  firstFill(account: number, now: number): void {
    for (const l of this.limiters) {
      if (!l.unfilled || l.session) continue;
      (l.keys.peek(account) as Fixed | undefined)?.credit(now);
    }
  }

  /** true if some limiter counts unfilled orders (the engine then reports first fills) */
  get countsUnfilled(): boolean { return this.limiters.some((l) => l.unfilled); }

  private refuse(reason: RejectReason, retryAfter: number, now: number, banned: boolean, banUntil: number,
    logout: boolean, scope: 'account' | 'session', what: string): RateVerdict {
    const v = this.verdict;
    v.reason = reason;
    v.retryAfter = retryAfter;
    v.text = `${what}; retry after ${Math.ceil((retryAfter - now) / 1000)} ms`;
    v.banned = banned;
    v.banUntil = banUntil;
    v.logout = logout;
    v.scope = scope;
    v.unfilled = false;
    return v;
  }

  /** Drops every idle state now (admit also does this periodically); never changes a result. */
  sweep(now: number): void {
    for (const l of this.limiters) l.keys.sweep(now);
    this.accountBans?.sweep(now);
    this.sessionBans?.sweep(now);
  }

  /** Number of per-key states held (all limiters and bans): for metrics and tests. */
  keyCount(): number {
    let n = (this.accountBans?.size ?? 0) + (this.sessionBans?.size ?? 0);
    for (const l of this.limiters) n += l.keys.size;
    return n;
  }
}

/**
 * Ready-made venue profiles (spread and edit to customise; do not mutate).
 * binance-spot: Binance's documented ORDERS limits per account, over fixed
 * intervals counting unfilled orders (a first fill gives one back); cancels do
 * not count. Binance bans IPs that ignore 429s without publishing the threshold:
 * 10 breaches within 10 s → 2 minutes is our choice.
 * fix-session: Binance FIX's 10,000 messages / 10 s per connection, every
 * message counted; a breach logs the session out.
 */
export const RATE_LIMIT_PRESETS: Record<'binance-spot' | 'fix-session', { rate_limits: RateLimitConfig[]; rate_ban?: RateBanConfig }> = {
  'binance-spot': {
    rate_limits: [
      { name: 'orders-10s', scope: 'account', window: 'fixed', limit: 50, interval_ms: 10_000, count: 'unfilled' },
      { name: 'orders-1d', scope: 'account', window: 'fixed', limit: 160_000, interval_ms: 86_400_000, count: 'unfilled' },
    ],
    rate_ban: { breaches: 10, window_ms: 10_000, ban_ms: 120_000 },
  },
  'fix-session': {
    rate_limits: [
      { name: 'messages-10s', scope: 'session', window: 'sliding', limit: 10_000, interval_ms: 10_000, exempt_cancels: false, on_breach: 'logout' },
    ],
  },
};
