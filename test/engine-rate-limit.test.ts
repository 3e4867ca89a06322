// Order-rate limits, clock-driven and exact to the microsecond: sliding, fixed
// and token-bucket windows, weights, cancel exemption, account vs session
// scope, the ban after repeated breaches, the FIX-style logout, key eviction
// and config validation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimits, MsgKind, RATE_LIMIT_PRESETS, type RateVerdict } from '../engine/rules/rate-limit.ts';
import type { RateLimitConfig } from '../engine/rules/config.ts';
import { ConfigError } from '../engine/instrument.ts';
import { RejectReason } from '../engine/types.ts';
import { prng } from './prng.ts';

const MS = 1_000;
const S = 1_000_000;
const DAY = 86_400 * S;
/** a realistic engine clock: 2023-11-14T22:13:20Z in µs, so products near 2^53 would show */
const T0 = 1_700_000_000 * S;

const copy = (v: RateVerdict | null): RateVerdict | null => (v === null ? null : { ...v });

function sliding(limit: number, intervalMs: number, extra: Partial<RateLimitConfig> = {}): RateLimitConfig {
  return { name: 'w', scope: 'account', window: 'sliding', limit, interval_ms: intervalMs, ...extra };
}

// Binance ORDERS (binance-spot-api-docs faqs/order_count_decrement.md): unfilled
// orders counted over fixed intervals (12:34:00–12:34:10, then from 12:34:10),
// an order's first fill decrements the count, and −1015 has no retry time.
test('binance-spot: 50 unfilled orders per fixed 10 s; a first fill gives one back; the interval edge resets', () => {
  const p = RATE_LIMIT_PRESETS['binance-spot'];
  const r = new RateLimits(p.rate_limits, p.rate_ban);
  for (let i = 0; i < 50; i++) assert.equal(r.admit(MsgKind.NEW, 1, 7, T0 + i * 100 * MS), null, `order ${i + 1}`);
  assert.deepEqual(copy(r.admit(MsgKind.NEW, 1, 7, T0 + 5 * S)), {
    reason: RejectReason.RATE_LIMITED, retryAfter: T0 + 10 * S, banned: false, banUntil: 0, logout: false, scope: 'account',
    text: 'rate limit orders-10s: 50 per 10000 ms (unfilled orders)', unfilled: true,
  });
  r.firstFill(1, T0 + 6 * S); // one of them traded: one more order fits in this interval
  assert.equal(r.admit(MsgKind.NEW, 1, 7, T0 + 6 * S), null);
  assert.equal(r.admit(MsgKind.NEW, 1, 7, T0 + 10 * S - 1)?.reason, RejectReason.RATE_LIMITED);
  // T0 is a multiple of 10 s: the next interval starts at T0 + 10 s with a count of 0.
  for (let i = 0; i < 50; i++) assert.equal(r.admit(MsgKind.NEW, 1, 7, T0 + 10 * S), null, `order ${i + 1} of the next interval`);
  assert.equal(r.admit(MsgKind.NEW, 1, 7, T0 + 10 * S)?.unfilled, true);
  // Cancels are exempt; another account has its own count; a fill never goes below zero.
  for (let i = 0; i < 100; i++) assert.equal(r.admit(MsgKind.CANCEL, 1, 7, T0 + 10 * S), null);
  r.firstFill(2, T0 + 10 * S);
  assert.equal(r.admit(MsgKind.NEW, 2, 8, T0 + 10 * S), null);
});

test('binance-spot: the UTC-day count of unfilled orders also gets a first fill back', () => {
  const r = new RateLimits([{ name: 'orders-1d', scope: 'account', window: 'fixed', limit: 2, interval_ms: 86_400_000, count: 'unfilled' }]);
  const day = T0 - (T0 % DAY);
  assert.equal(r.admit(MsgKind.NEW, 1, 0, day + 5), null);
  assert.equal(r.admit(MsgKind.NEW, 1, 0, day + 6), null);
  assert.equal(r.admit(MsgKind.NEW, 1, 0, day + 7)?.retryAfter, day + DAY);
  r.firstFill(1, day + 8);
  assert.equal(r.admit(MsgKind.NEW, 1, 0, day + 9), null);
  assert.equal(r.admit(MsgKind.NEW, 1, 0, day + DAY - 1)?.reason, RejectReason.RATE_LIMITED);
  assert.equal(r.admit(MsgKind.NEW, 1, 0, day + DAY), null);
  assert.throws(() => new RateLimits([{ name: 'x', scope: 'account', window: 'sliding', limit: 1, interval_ms: 1, count: 'unfilled' }]),
    (e: unknown) => e instanceof ConfigError && /count/.test(e.message));
});

test('a refused message is not counted, and retryAfter frees exactly enough weight', () => {
  const r = new RateLimits([sliding(10, 1000, { weights: { new: 1, amend: 2, quote: 5 } })]);
  assert.equal(r.admit(MsgKind.NEW, 1, 0, T0), null); // 1
  assert.equal(r.admit(MsgKind.NEW, 1, 0, T0 + 10), null); // 2
  assert.equal(r.admit(MsgKind.QUOTE, 1, 0, T0 + 20), null); // 7
  // 7 + 5 = 12: two units must leave, i.e. both orders: the second one leaves at T0 + 10 + 1 s.
  const v = r.admit(MsgKind.QUOTE, 1, 0, T0 + 30);
  assert.equal(v?.reason, RejectReason.RATE_LIMITED);
  assert.equal(v?.retryAfter, T0 + 10 + S);
  assert.equal(r.admit(MsgKind.AMEND, 1, 0, T0 + 40), null); // 9 (the refused quote used nothing)
  assert.equal(r.admit(MsgKind.AMEND, 1, 0, T0 + 50)?.retryAfter, T0 + S); // 9 + 2: one unit, the first order
  assert.equal(r.admit(MsgKind.NEW, 1, 0, T0 + 50), null); // 10
  assert.equal(r.admit(MsgKind.NEW, 1, 0, T0 + 60)?.retryAfter, T0 + S);
  assert.equal(r.admit(MsgKind.QUOTE, 1, 0, T0 + S + 10)?.retryAfter, T0 + 20 + S); // 8 left; needs the quote gone
  assert.equal(r.admit(MsgKind.QUOTE, 1, 0, T0 + S + 20), null); // quote left at exactly T0 + 20 + 1 s
});

test('weight 0 never counts; same-time messages share a window entry', () => {
  const r = new RateLimits([sliding(3, 1000, { weights: { new: 0, quote: 1 } })]);
  for (let i = 0; i < 1000; i++) assert.equal(r.admit(MsgKind.NEW, 1, 0, T0), null);
  for (let i = 0; i < 3; i++) assert.equal(r.admit(MsgKind.QUOTE, 1, 0, T0), null);
  assert.equal(r.admit(MsgKind.QUOTE, 1, 0, T0 + 999_999)?.retryAfter, T0 + S);
  for (let i = 0; i < 3; i++) assert.equal(r.admit(MsgKind.QUOTE, 1, 0, T0 + S), null);
});

test('cancels: exempt by default, counted with exempt_cancels false', () => {
  const exempt = new RateLimits([sliding(2, 1000)]);
  assert.equal(exempt.admit(MsgKind.NEW, 1, 0, T0), null);
  assert.equal(exempt.admit(MsgKind.NEW, 1, 0, T0), null);
  for (let i = 0; i < 50; i++) assert.equal(exempt.admit(MsgKind.CANCEL, 1, 0, T0 + i), null);
  assert.equal(exempt.admit(MsgKind.NEW, 1, 0, T0 + 50)?.reason, RejectReason.RATE_LIMITED);

  const counted = new RateLimits([sliding(2, 1000, { exempt_cancels: false, weights: { cancel: 2 } })]);
  assert.equal(counted.admit(MsgKind.CANCEL, 1, 0, T0), null);
  assert.equal(counted.admit(MsgKind.CANCEL, 1, 0, T0 + 1)?.retryAfter, T0 + S);
  assert.equal(counted.admit(MsgKind.NEW, 1, 0, T0 + 1)?.retryAfter, T0 + S);
});

test('session scope counts per connection, account scope across them; session 0 skips session limits', () => {
  const r = new RateLimits([
    { name: 'per-session', scope: 'session', window: 'sliding', limit: 2, interval_ms: 1000 },
    { name: 'per-account', scope: 'account', window: 'sliding', limit: 3, interval_ms: 1000 },
  ]);
  assert.equal(r.admit(MsgKind.NEW, 1, 11, T0), null);
  assert.equal(r.admit(MsgKind.NEW, 1, 11, T0), null);
  const s = r.admit(MsgKind.NEW, 1, 11, T0);
  assert.equal(s?.scope, 'session');
  assert.equal(s?.text, 'rate limit per-session: 2 per 1000 ms; retry after 1000 ms');
  assert.equal(r.admit(MsgKind.NEW, 1, 12, T0), null); // the account's third
  const a = r.admit(MsgKind.NEW, 1, 12, T0 + 5);
  assert.equal(a?.scope, 'account');
  assert.equal(a?.retryAfter, T0 + S);
  assert.equal(r.admit(MsgKind.NEW, 1, 0, T0 + 5)?.scope, 'account'); // REST: only the account limit
  // Another account, another session: untouched.
  assert.equal(r.admit(MsgKind.NEW, 2, 21, T0 + 5), null);
  assert.equal(r.admit(MsgKind.NEW, 2, 21, T0 + 5), null);
  assert.equal(r.admit(MsgKind.NEW, 2, 21, T0 + 5)?.scope, 'session');

  const sessionOnly = new RateLimits([{ name: 's', scope: 'session', window: 'sliding', limit: 1, interval_ms: 1000 }]);
  for (let i = 0; i < 10; i++) assert.equal(sessionOnly.admit(MsgKind.NEW, 1, 0, T0), null);
});

test('when several limiters refuse, retryAfter is the latest of them', () => {
  const r = new RateLimits([
    sliding(1, 1000),
    { name: 'slow', scope: 'account', window: 'sliding', limit: 1, interval_ms: 5000 },
  ]);
  assert.equal(r.admit(MsgKind.NEW, 1, 0, T0), null);
  const v = r.admit(MsgKind.NEW, 1, 0, T0 + 1);
  assert.equal(v?.retryAfter, T0 + 5 * S);
  assert.match(v?.text ?? '', /^rate limit slow: 1 per 5000 ms/);
  assert.equal(r.admit(MsgKind.NEW, 1, 0, T0 + 5 * S), null);
});

test('fixed daily window: resets exactly at the UTC day boundary', () => {
  const r = new RateLimits([{ name: 'orders-1d', scope: 'account', window: 'fixed', limit: 3, interval_ms: 86_400_000 }]);
  const midnight = Math.floor(T0 / DAY) * DAY + DAY;
  assert.equal(r.admit(MsgKind.NEW, 1, 0, midnight - DAY), null); // the day's first µs
  assert.equal(r.admit(MsgKind.NEW, 1, 0, midnight - 3600 * S), null);
  assert.equal(r.admit(MsgKind.NEW, 1, 0, midnight - 2), null);
  const v = r.admit(MsgKind.NEW, 1, 0, midnight - 1);
  assert.equal(v?.retryAfter, midnight);
  assert.equal(v?.text, 'rate limit orders-1d: 3 per 86400000 ms; retry after 1 ms');
  for (let i = 0; i < 3; i++) assert.equal(r.admit(MsgKind.NEW, 1, 0, midnight), null);
  assert.equal(r.admit(MsgKind.NEW, 1, 0, midnight + 1)?.retryAfter, midnight + DAY);
});

test('token bucket: continuous refill, exact to the microsecond', () => {
  // 3 tokens per second: one token every 333,333.3… µs.
  const r = new RateLimits([{ name: 'burst', scope: 'account', window: 'bucket', limit: 3, interval_ms: 1000, weights: { quote: 2 } }]);
  for (let i = 0; i < 3; i++) assert.equal(r.admit(MsgKind.NEW, 1, 0, T0), null);
  assert.equal(r.admit(MsgKind.NEW, 1, 0, T0)?.retryAfter, T0 + 333_334);
  assert.equal(r.admit(MsgKind.NEW, 1, 0, T0 + 333_333)?.retryAfter, T0 + 333_334);
  assert.equal(r.admit(MsgKind.NEW, 1, 0, T0 + 333_334), null);
  // 2 scaled units (of 1,000,000 per token) left over: the next token takes 333,333 µs more.
  assert.equal(r.admit(MsgKind.NEW, 1, 0, T0 + 333_334)?.retryAfter, T0 + 666_667);
  // A weight-2 quote needs two tokens: 2,000,000 − 2 scaled units at 3 per µs.
  assert.equal(r.admit(MsgKind.QUOTE, 1, 0, T0 + 333_334)?.retryAfter, T0 + 333_334 + 666_666);
  assert.equal(r.admit(MsgKind.QUOTE, 1, 0, T0 + 1_000_000 - 1)?.retryAfter, T0 + 1_000_000);
  assert.equal(r.admit(MsgKind.QUOTE, 1, 0, T0 + 1_000_000), null);
  // Long idle: capacity caps the refill at 3 tokens.
  for (let i = 0; i < 3; i++) assert.equal(r.admit(MsgKind.NEW, 1, 0, T0 + 3600 * S), null);
  assert.equal(r.admit(MsgKind.NEW, 1, 0, T0 + 3600 * S)?.reason, RejectReason.RATE_LIMITED);
});

test('ban: N breaches within the window ban the key until the exact end; cancels still pass', () => {
  const r = new RateLimits([sliding(1, 1000, { name: 'one' })], { breaches: 3, window_ms: 10_000, ban_ms: 60_000 });
  assert.equal(r.admit(MsgKind.NEW, 1, 5, T0), null);
  assert.equal(r.admit(MsgKind.NEW, 1, 5, T0 + 1)?.reason, RejectReason.RATE_LIMITED);
  assert.equal(r.admit(MsgKind.NEW, 1, 5, T0 + 2)?.reason, RejectReason.RATE_LIMITED);
  const end = T0 + 3 + 60 * S;
  assert.deepEqual(copy(r.admit(MsgKind.NEW, 1, 5, T0 + 3)), {
    reason: RejectReason.BANNED, retryAfter: end, banned: true, banUntil: end, logout: true, scope: 'account',
    text: 'banned after 3 rate-limit breaches in 10000 ms; retry after 60000 ms', unfilled: false,
  });
  assert.deepEqual(copy(r.admit(MsgKind.QUOTE, 1, 6, T0 + 2 * S)), {
    reason: RejectReason.BANNED, retryAfter: end, banned: false, banUntil: end, logout: false, scope: 'account',
    text: 'banned after 3 rate-limit breaches in 10000 ms; retry after 58001 ms', unfilled: false,
  });
  assert.equal(r.admit(MsgKind.CANCEL, 1, 5, T0 + 2 * S), null);
  assert.equal(r.admit(MsgKind.NEW, 2, 0, T0 + 2 * S), null); // other accounts are not concerned
  assert.equal(r.admit(MsgKind.NEW, 1, 5, end - 1)?.reason, RejectReason.BANNED);
  assert.equal(r.admit(MsgKind.NEW, 1, 5, end), null);
  // The breach history restarted with the ban: one more breach is not a new ban.
  assert.equal(r.admit(MsgKind.NEW, 1, 5, end + 1)?.reason, RejectReason.RATE_LIMITED);
});

test('ban: breaches spread wider than the window do not ban; session-scoped limits ban the session', () => {
  const r = new RateLimits([{ name: 's', scope: 'session', window: 'sliding', limit: 1, interval_ms: 1000 }],
    { breaches: 3, window_ms: 10_000, ban_ms: 60_000 });
  const breachAt = (t: number): RateVerdict | null => {
    r.admit(MsgKind.NEW, 1, 5, t);
    return copy(r.admit(MsgKind.NEW, 1, 5, t + 1));
  };
  assert.equal(breachAt(T0)?.reason, RejectReason.RATE_LIMITED);
  assert.equal(breachAt(T0 + 5 * S)?.reason, RejectReason.RATE_LIMITED);
  // Third breach 10 s after the first: the first has left (now − 10 s, now].
  assert.equal(breachAt(T0 + 10 * S)?.reason, RejectReason.RATE_LIMITED);
  const v = breachAt(T0 + 12 * S);
  assert.equal(v?.reason, RejectReason.BANNED);
  assert.equal(v?.scope, 'session');
  assert.equal(v?.banUntil, T0 + 12 * S + 1 + 60 * S);
  assert.equal(r.admit(MsgKind.NEW, 1, 5, T0 + 20 * S)?.reason, RejectReason.BANNED);
  assert.equal(r.admit(MsgKind.NEW, 1, 6, T0 + 20 * S), null); // the account's other session
});

test('fix-session: 10,000 messages per 10 s per connection, every kind counted, breach → logout', () => {
  const p = RATE_LIMIT_PRESETS['fix-session'];
  const r = new RateLimits(p.rate_limits, p.rate_ban);
  const kinds = [MsgKind.NEW, MsgKind.AMEND, MsgKind.CANCEL, MsgKind.QUOTE];
  for (let i = 0; i < 10_000; i++) assert.equal(r.admit(kinds[i % 4], 1, 3, T0 + i * 1000), null);
  assert.deepEqual(copy(r.admit(MsgKind.CANCEL, 1, 3, T0 + 10 * S - 1)), {
    reason: RejectReason.RATE_LIMITED, retryAfter: T0 + 10 * S, banned: false, banUntil: 0, logout: true, scope: 'session',
    text: 'rate limit messages-10s: 10000 per 10000 ms; retry after 1 ms', unfilled: false,
  });
  assert.equal(r.admit(MsgKind.NEW, 1, 4, T0 + 10 * S - 1), null); // another connection
  assert.equal(r.admit(MsgKind.NEW, 1, 0, T0 + 10 * S - 1), null); // no session: not limited
  assert.equal(r.admit(MsgKind.NEW, 1, 3, T0 + 10 * S), null);
});

test('both presets are valid configurations', () => {
  for (const p of Object.values(RATE_LIMIT_PRESETS)) assert.doesNotThrow(() => new RateLimits(p.rate_limits, p.rate_ban));
});

/** A random flow over many accounts and sessions with bursts and idle gaps. */
function flow(seed: number, n: number): [MsgKind, number, number, number][] {
  const rnd = prng(seed);
  const out: [MsgKind, number, number, number][] = [];
  let t = T0;
  for (let i = 0; i < n; i++) {
    t += rnd() < 0.01 ? Math.floor(rnd() * 30 * S) : Math.floor(rnd() * 4 * MS);
    const account = 1 + Math.floor(rnd() ** 2 * 40); // a few hot accounts, many quiet ones
    const session = rnd() < 0.2 ? 0 : account * 10 + Math.floor(rnd() * 3);
    out.push([(1 + Math.floor(rnd() * 4)) as MsgKind, account, session, t]);
  }
  return out;
}

const EVICTION_CONFIG: RateLimitConfig[] = [
  { name: 'a', scope: 'account', window: 'sliding', limit: 20, interval_ms: 2000, weights: { quote: 3 } },
  { name: 'b', scope: 'account', window: 'fixed', limit: 200, interval_ms: 60_000 },
  { name: 'c', scope: 'session', window: 'bucket', limit: 5, interval_ms: 700, exempt_cancels: false },
];
const BAN = { breaches: 4, window_ms: 3000, ban_ms: 5000 };

test('evicting idle keys never changes a verdict', () => {
  const msgs = flow(42, 40_000);
  const plain = new RateLimits(EVICTION_CONFIG, BAN);
  const swept = new RateLimits(EVICTION_CONFIG, BAN);
  // Below the 120 sessions seen between periodic sweeps, above those active at once: new keys force sweeps.
  const tight = new RateLimits(EVICTION_CONFIG, BAN, { maxKeys: 60 });
  let refused = 0;
  let banned = 0;
  let capSwept = 0;
  for (const [kind, account, session, t] of msgs) {
    const a = copy(plain.admit(kind, account, session, t));
    const b = copy(swept.admit(kind, account, session, t));
    swept.sweep(t);
    const c = copy(tight.admit(kind, account, session, t));
    assert.deepEqual(b, a);
    assert.deepEqual(c, a);
    if (a !== null) refused++;
    if (a?.banned) banned++;
    capSwept = Math.max(capSwept, plain.keyCount() - tight.keyCount());
  }
  assert.ok(capSwept > 0, 'the cap forced sweeps');
  assert.ok(refused > 1000 && banned > 10, `the flow exercises limits (${refused} refused, ${banned} bans)`);
  assert.ok(swept.keyCount() < plain.keyCount());
  const late = msgs[msgs.length - 1][3] + 3600 * S;
  plain.sweep(late);
  assert.equal(plain.keyCount(), 0);
});

test('the key cap forgets the oldest key when nothing is idle: the limit fails open for it', () => {
  const r = new RateLimits([sliding(1, 1000)], undefined, { maxKeys: 1 });
  assert.equal(r.admit(MsgKind.NEW, 1, 0, T0), null);
  assert.equal(r.admit(MsgKind.NEW, 2, 0, T0), null); // account 1's state is dropped to make room
  assert.equal(r.keyCount(), 1);
  assert.equal(r.admit(MsgKind.NEW, 1, 0, T0), null);
});

test('config errors name the field', () => {
  const bad = (limits: unknown, ban?: unknown): string => {
    try {
      new RateLimits(limits as RateLimitConfig[], ban as undefined);
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /^invalid config: /);
      return e.field;
    }
    throw new Error('no error');
  };
  const ok = sliding(10, 1000);
  assert.equal(bad({}), 'rules.rate_limits');
  assert.equal(bad([ok, { ...ok, limit: 0 }]), 'rules.rate_limits[1].limit');
  assert.equal(bad([{ ...ok, limit: 1.5 }]), 'rules.rate_limits[0].limit');
  assert.equal(bad([{ ...ok, interval_ms: undefined }]), 'rules.rate_limits[0].interval_ms');
  assert.equal(bad([{ ...ok, name: '' }]), 'rules.rate_limits[0].name');
  assert.equal(bad([{ ...ok, scope: 'ip' }]), 'rules.rate_limits[0].scope');
  assert.equal(bad([{ ...ok, window: 'rolling' }]), 'rules.rate_limits[0].window');
  assert.equal(bad([{ ...ok, weights: { new: 11 } }]), 'rules.rate_limits[0].weights.new');
  assert.equal(bad([{ ...ok, weights: { order: 1 } }]), 'rules.rate_limits[0].weights.order');
  assert.equal(bad([{ ...ok, weights: { cancel: 1 } }]), 'rules.rate_limits[0].weights.cancel');
  assert.equal(bad([{ ...ok, exempt_cancels: 'no' }]), 'rules.rate_limits[0].exempt_cancels');
  assert.equal(bad([{ ...ok, on_breach: 'disconnect' }]), 'rules.rate_limits[0].on_breach');
  assert.equal(bad([{ ...ok, window: 'bucket', limit: 1e9, interval_ms: 86_400_000 }]), 'rules.rate_limits[0].limit');
  assert.equal(bad([ok], { breaches: 0, window_ms: 1000, ban_ms: 1000 }), 'rules.rate_ban.breaches');
  assert.equal(bad([ok], { breaches: 3, window_ms: 1000 }), 'rules.rate_ban.ban_ms');
  assert.doesNotThrow(() => new RateLimits([{ ...ok, exempt_cancels: false, weights: { cancel: 0 } }]));
});
