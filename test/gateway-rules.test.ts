// The exchange rules at the gateway, over real sockets: venue
// profiles and rule configuration; rate limits as REST 429 / 418 with
// Retry-After; a ban logging the session out; kill switches; the admin phase,
// halt and reference endpoints; and end to end: a halt announced by
// SecurityStatus, orders queued during it, and the reopening auction printed
// to the tape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../gateway/index.ts';
import type { ExchangeConfig } from '../gateway/exchange.ts';
import { loadConfig, validateConfig } from '../gateway/config.ts';
import { PROFILES } from '../gateway/profiles.ts';
import { ConfigError } from '../engine/instrument.ts';
import type { RulesConfig } from '../engine/rules/config.ts';
import { ExchangeClient, MarketDataClient } from '../client/index.ts';
import { Raw } from './gateway-raw-client.ts';
import { collect, waitFor, withoutEffectiveTime } from './client-test-helpers.ts';

const ADMIN = 'rules-admin-token';
const BTC = 'BTC-USD';
const BTC_CFG = {
  symbol: BTC, price_scale: 1, qty_scale: 4, tick_size: 1, lot: 1, min_qty: 1, max_qty: 1_000_000, max_price: 10_000_000,
  maker_fee_bp: -1, taker_fee_bp: 2,
};
const ALICE = 'alice-key-1-0123456';
const BOB = 'bob-key-01-01234567';

function config(rules: RulesConfig = {}): ExchangeConfig {
  return {
    instruments: [structuredClone(BTC_CFG)],
    accounts: [{ name: 'alice', api_key: ALICE }, { name: 'bob', api_key: BOB }],
    rules,
  };
}

async function withServer(cfg: ExchangeConfig, fn: (s: RunningServer) => Promise<void>): Promise<void> {
  const s = await startServer({ config: cfg, adminToken: ADMIN });
  try { await fn(s); } finally { await s.close(); }
}

type Json = Record<string, unknown>;
interface Res { status: number; body: Json; headers: Headers }

async function call(s: RunningServer, method: string, path: string, c: { key?: string; admin?: boolean; body?: unknown } = {}): Promise<Res> {
  const headers: Record<string, string> = {};
  if (c.key) headers['x-api-key'] = c.key;
  if (c.admin) headers['x-admin-token'] = ADMIN;
  if (c.body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(s.url + '/api/v1' + path, { method, headers, body: c.body === undefined ? undefined : JSON.stringify(c.body) });
  const text = await r.text();
  return { status: r.status, body: text ? withoutEffectiveTime(method, path, r.status, JSON.parse(text) as Json) : {}, headers: r.headers };
}

let nextId = 0;
/** A NewOrderSingle body: GTC limit unless extra says otherwise. */
const limit = (side: 1 | 2, price: number, qty: number, extra: Json = {}): Json =>
  ({ cl_ord_id: `r${++nextId}`, symbol: BTC, side, ord_type: 2, price, order_qty: qty, ...extra });
/** POST /orders of a NewOrderSingle body, its price and quantity given in units (price_units, order_qty_units). */
const order = (s: RunningServer, key: string, { price, order_qty: qty, ...body }: Json): Promise<Res> =>
  call(s, 'POST', '/orders', { key, body: { ...body, price_units: price, order_qty_units: qty } });
const admin = (s: RunningServer, path: string, body?: unknown): Promise<Res> => call(s, 'POST', `/admin${path}`, { admin: true, body });

type Er = { cl_ord_id: string; exec_type: number; ord_status: number; reject_code: number; ord_rej_reason: number; cancel_reason: number;
  retry_after: number; transact_time: number; liquidity: number; last_px: number; last_qty: number; trade_id: number };
type Status = { symbol: string; trading_phase: number; cause: number; halt_end_time: number; text: string; transact_time: number };
type Auction = { trading_phase: number; price: number; qty: number; surplus_qty: number; surplus_side: number; final: boolean };
type MdTrade = { trade_id: number; price: number; qty: number; auction: boolean };
type Inc = { trades: MdTrade[]; auction: Auction | null };

/** A /ws/md connection subscribed to BTC-USD (L2 + trades), its snapshot received. */
async function mdSubscriber(s: RunningServer): Promise<Raw> {
  const md = await Raw.open(s.url, '/ws/md');
  md.send('market_data_request', { md_req_id: 'm', symbol: BTC, subscription: 0, market_depth: 0, channels: [] });
  await md.next('market_data_snapshot_full_refresh');
  return md;
}

const dir = mkdtempSync(join(tmpdir(), 'makerbench-rules-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
let files = 0;
function file(content: unknown): string {
  const path = join(dir, `c${++files}.json`);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

// ---- configuration and profiles ----

test('profiles: crypto-spot and us-equity load by name, and a file starting from a profile overrides it', () => {
  const crypto = loadConfig(undefined, 'crypto-spot');
  assert.equal(crypto.profile, 'crypto-spot');
  // Binance BTCUSDT PERCENT_PRICE_BY_SIDE: multipliers 5 / 0.2 around the 5-minute weighted average price
  const byside = { bid_up_bp: 40_000, bid_down_bp: 8_000, ask_up_bp: 40_000, ask_down_bp: 8_000 };
  assert.deepEqual(crypto.instruments.map((i) => [i.symbol, i.rules?.price_band_by_side, i.rules?.price_band_average_ms]),
    [['BTC-USD', byside, 300_000], ['ETH-USD', byside, 300_000]]);
  assert.deepEqual(crypto.rules?.rate_limits?.map((l) => [l.name, l.limit, l.interval_ms]), [['orders-10s', 50, 10_000], ['orders-1d', 160_000, 86_400_000]]);
  assert.deepEqual(crypto.accounts?.map((a) => a.api_key), ['demo-maker-1', 'demo-maker-2', 'demo-taker']);

  const us = loadConfig(undefined, 'us-equity');
  assert.deepEqual(us.instruments.map((i) => i.symbol), ['AAPL', 'MSFT', 'SPY', 'SPX']);
  const aapl = us.instruments[0];
  assert.deepEqual([aapl.price_scale, aapl.tick_size, aapl.rules?.luld, aapl.rules?.daily_limit_bp],
    [2, 1, {
      tier: 1, window_ms: 300_000, limit_state_ms: 15_000, halt_ms: 300_000, reference_move_bp: 100, double_from: '15:35', double_until: '16:00',
      close_pause_ms: 600_000, from: '09:30', until: '16:00',
    }, undefined]);
  assert.deepEqual(aapl.rules?.schedule?.map((e) => `${e.at} ${e.phase}`),
    ['04:00 CONTINUOUS', '09:30 OPENING_AUCTION', '09:30:01 CONTINUOUS', '16:00 CLOSING_AUCTION', '16:00:01 CLOSED']);
  assert.equal(us.instruments[3].rules?.luld, undefined, 'the index has no LULD band');
  assert.deepEqual(us.rules?.market_wide, {
    index: 'SPX',
    time_zone: 'America/New_York',
    levels: [
      { drop_bp: 700, halt_ms: 900_000, from: '09:30', until: '15:25' }, { drop_bp: 1300, halt_ms: 900_000, from: '09:30', until: '15:25' },
      { drop_bp: 2000, halt_ms: 0 },
    ],
  });
  assert.ok(Object.isFrozen(PROFILES));

  // "profile" in a file: the profile first, then the file's fields; rules merge field by field
  const merged = loadConfig(file({ profile: 'crypto-spot', accounts: [{ name: 'solo', api_key: 'solo-key-0123456789' }], rules: { otr: { max_count_ratio: 100 } } }));
  assert.deepEqual(merged.accounts, [{ name: 'solo', api_key: 'solo-key-0123456789' }]);
  assert.deepEqual(merged.programmes, [], 'the profile\'s maker programme has none of its members left');
  assert.deepEqual(merged.instruments.map((i) => i.symbol), ['BTC-USD', 'ETH-USD']);
  assert.deepEqual([merged.rules?.rate_limits?.length, merged.rules?.otr], [2, { max_count_ratio: 100 }]);
  // --profile with a file that names none; the same name is fine; another is an error
  assert.equal(loadConfig(file({ max_open_orders_per_account: 10 }), 'us-equity').instruments.length, 4);
  assert.equal(loadConfig(file({ profile: 'us-equity' }), 'us-equity').profile, 'us-equity');
  assert.throws(() => loadConfig(file({ profile: 'crypto-spot' }), 'us-equity'),
    /^ConfigError: invalid config: profile: the file names "crypto-spot" but --profile is "us-equity"$/);
  assert.throws(() => loadConfig(undefined, 'nasdaq'), /^ConfigError: invalid config: profile: must be one of "crypto-spot", "us-equity", "eu-derivatives", got "nasdaq"$/);
});

test('rule configuration: unknown fields at every depth and bad values are one ConfigError naming the field', () => {
  const base = (): ExchangeConfig => config();
  const withRules = (rules: unknown): unknown => ({ ...base(), rules });
  const withInstrumentRules = (rules: unknown): unknown => ({ ...base(), instruments: [{ ...BTC_CFG, rules }] });
  const withRisk = (risk: unknown): unknown => ({ ...base(), accounts: [{ name: 'a', risk }] });
  const limitCfg = { name: 'l', scope: 'account', window: 'sliding', limit: 5, interval_ms: 1000 };
  const cases: [unknown, RegExp][] = [
    [withRules({ banana: 1 }), /^invalid config: rules\.banana: unknown field \(expected one of rate_limits, rate_ban, otr, market_wide, access_fee_cap, replace_priority, mmp, request_weight\)$/],
    [withRules({ rate_limits: [limitCfg, { ...limitCfg, limt: 5 }] }), /^invalid config: rules\.rate_limits\[1\]\.limt: unknown field/],
    [withRules({ rate_limits: [{ ...limitCfg, weights: { neww: 1 } }] }), /^invalid config: rules\.rate_limits\[0\]\.weights\.neww: unknown field/],
    [withRules({ rate_limits: {} }), /^invalid config: rules\.rate_limits: must be an array$/],
    [withRules({ rate_ban: { breaches: 1, window_ms: 1, ban_ms: 1, forever: true } }), /^invalid config: rules\.rate_ban\.forever: unknown field/],
    [withRules({ otr: { max_ratio: 5 } }), /^invalid config: rules\.otr\.max_ratio: unknown field/],
    [withRules({ market_wide: { index: BTC, levels: [{ drop_bp: 700, halt_ms: 1 }, { drop: 1300, halt_ms: 1 }] } }),
      /^invalid config: rules\.market_wide\.levels\[1\]\.drop: unknown field/],
    [withInstrumentRules({ luld: { band: 500 } }), /^invalid config: instruments\[0\]\.rules\.luld\.band: unknown field/],
    [withInstrumentRules({ schedule: [{ time: '08:00', phase: 'PRE_OPEN' }] }), /^invalid config: instruments\[0\]\.rules\.schedule\[0\]\.time: unknown field/],
    [withInstrumentRules({ price_band_by_side: { bid_up_bp: 1, bid_down_bp: 1, ask_up_bp: 1, ask_down: 1 } }),
      /^invalid config: instruments\[0\]\.rules\.price_band_by_side\.ask_down: unknown field/],
    [withInstrumentRules({ halt_on_lunch: true }), /^invalid config: instruments\[0\]\.rules\.halt_on_lunch: unknown field/],
    [withRisk({ [BTC]: { max_qty: 5 } }), /^invalid config: accounts\[0\]\.risk\.BTC-USD\.max_qty: unknown field/],
    [withRisk([]), /^invalid config: accounts\[0\]\.risk: must be an object$/],
    [{ ...base(), profile: 'nasdaq' }, /^invalid config: profile: must be one of "crypto-spot", "us-equity", "eu-derivatives", got "nasdaq"$/],
    // values are the engine's to judge
    [withRules({ rate_limits: [{ ...limitCfg, limit: 0 }] }), /^invalid config: rules\.rate_limits\[0\]\.limit: /],
    [withInstrumentRules({ schedule: [{ at: '25:00', phase: 'PRE_OPEN' }] }), /^invalid config: instruments\[0\]\.rules\.schedule\[0\]\.at: /],
  ];
  for (const [content, message] of cases) {
    let err: unknown;
    try { validateConfig(content); } catch (e) { err = e; }
    assert.ok(err instanceof ConfigError, `${JSON.stringify(content)}: ${String(err)}`);
    assert.match(err.message, message);
  }
  // every field of every rule object is accepted
  validateConfig({
    ...base(),
    instruments: [{
      ...BTC_CFG,
      rules: {
        price_band_bp: 500, reference_price: 1_000_000, daily_limit_bp: 1000, previous_close: 1_000_000, min_quote_life_ms: 10,
        luld: { band_bp: 500, window_ms: 300_000, limit_state_ms: 15_000, halt_ms: 300_000 }, velocity: { ticks: 100, window_ms: 1000, halt_ms: 5000 },
        schedule: [{ at: '00:00', phase: 'CONTINUOUS' }], auction_stp: false, halt_cancels_quotes: true,
      },
    }],
    accounts: [{ name: 'a', risk: { '*': { max_order_qty: 10, max_order_notional: 10, max_long: 10, max_short: 10, max_gross_notional: 100 } } }],
    rules: {
      rate_limits: [{ ...limitCfg, weights: { new: 1, amend: 1, cancel: 0, quote: 2 }, exempt_cancels: true, on_breach: 'reject' }],
      rate_ban: { breaches: 3, window_ms: 1000, ban_ms: 1000 }, otr: { max_count_ratio: 10, max_volume_ratio: 10, mode: 'flag', min_orders: 5 },
      market_wide: { index: BTC, levels: [{ drop_bp: 700, halt_ms: 1000 }] },
    },
  });
});

// ---- rate limits over REST and sessions ----

test('a rate-limited account: REST 429 with Retry-After and retry_after_ms; sessions get retry_after; cancels pass', () =>
  withServer(config({ rate_limits: [{ name: 'orders-1m', scope: 'account', window: 'sliding', limit: 2, interval_ms: 60_000 }] }), async (s) => {
    const first = await order(s, ALICE, limit(1, 990_000, 1));
    assert.equal(first.status, 200);
    const ws = await Raw.logon(s.url, ALICE);
    ws.send('new_order_single', limit(1, 990_000, 1, { cl_ord_id: 'w1' }));
    assert.equal((await ws.next<Er>('execution_report', (m) => m.cl_ord_id === 'w1')).exec_type, 1);

    const limited = await order(s, ALICE, limit(1, 990_000, 1));
    assert.equal(limited.status, 429);
    assert.deepEqual([limited.body.code, limited.body.reject_code, limited.body.ord_rej_reason], ['RATE_LIMITED', 18, 99]);
    assert.match(String(limited.body.message), /rate limit orders-1m/);
    const ms = limited.body.retry_after_ms as number;
    assert.ok(ms > 0 && ms <= 60_000, `retry_after_ms ${ms}`);
    assert.equal(limited.headers.get('retry-after'), String(Math.ceil(ms / 1000)));
    const [er] = limited.body.execution_reports as Er[];
    assert.ok(er.retry_after > er.transact_time);

    ws.send('new_order_single', limit(1, 990_000, 1, { cl_ord_id: 'w2' }));
    const rej = await ws.next<Er>('execution_report', (m) => m.cl_ord_id === 'w2');
    assert.deepEqual([rej.exec_type, rej.reject_code, rej.ord_rej_reason], [4, 18, 99]);
    assert.ok(rej.retry_after > rej.transact_time && rej.retry_after - rej.transact_time <= 60_000_000);

    // cancels are exempt by default; another account is not limited
    assert.equal((await call(s, 'DELETE', `/orders/${first.body.order_id as number}?symbol=${BTC}`, { key: ALICE })).status, 200);
    assert.equal((await order(s, BOB, limit(1, 990_000, 1))).status, 200);
    ws.ws.close();
  }));

test('a ban: the session is logged out with the reason, logon is refused until it ends, REST answers 418', () =>
  withServer(config({
    rate_limits: [{ name: 'orders-1m', scope: 'account', window: 'sliding', limit: 1, interval_ms: 60_000 }],
    rate_ban: { breaches: 2, window_ms: 60_000, ban_ms: 120_000 },
  }), async (s) => {
    const ws = await Raw.logon(s.url, ALICE);
    const bystander = await Raw.logon(s.url, BOB);
    for (const id of ['b1', 'b2', 'b3']) ws.send('new_order_single', limit(1, 990_000, 1, { cl_ord_id: id }));
    const reports = await Promise.all(['b1', 'b2', 'b3'].map((id) => ws.next<Er>('execution_report', (m) => m.cl_ord_id === id)));
    assert.deepEqual(reports.map((r) => [r.exec_type, r.reject_code]), [[1, 0], [4, 18], [4, 19]]);
    const note = await ws.next<{ event: number; until: number; transact_time: number; text: string }>('user_notification');
    assert.equal(note.event, 4, 'BANNED');
    assert.ok(note.until - note.transact_time === 120_000_000, 'the ban lasts ban_ms');
    const logout = await ws.next<{ text: string }>('logout');
    assert.match(logout.text, /^banned until \d{4}-\d\d-\d\dT[\d:.]+Z: banned after 2 rate-limit breaches in 60000 ms/);
    await ws.closed();

    const again = await Raw.logon(s.url, ALICE);
    assert.match((await again.next<{ text: string }>('logout')).text, /^banned until .*: repeated rate-limit breaches$/);
    await again.closed();

    const rest = await order(s, ALICE, limit(1, 990_000, 1));
    assert.deepEqual([rest.status, rest.body.code, rest.body.reject_code], [418, 'BANNED', 19]);
    const seconds = Number(rest.headers.get('retry-after'));
    assert.ok(seconds > 100 && seconds <= 120, `Retry-After ${seconds}`);
    assert.equal(Math.ceil((rest.body.retry_after_ms as number) / 1000), seconds);
    const account = await call(s, 'GET', '/account', { key: ALICE });
    assert.ok((account.body.banned_until as number) > 0);

    // the other account's session is untouched
    bystander.send('new_order_single', limit(2, 1_010_000, 1, { cl_ord_id: 'x1' }));
    assert.equal((await bystander.next<Er>('execution_report', (m) => m.cl_ord_id === 'x1')).exec_type, 1);
    assert.equal(bystander.of('logout').length, 0);
    bystander.ws.close();
  }));

test("a per-connection message cap with on_breach 'logout' logs that session out; a new connection may log on", () =>
  withServer(config({
    rate_limits: [{ name: 'msgs-1m', scope: 'session', window: 'sliding', limit: 2, interval_ms: 60_000, exempt_cancels: false, on_breach: 'logout' }],
  }), async (s) => {
    const ws = await Raw.logon(s.url, ALICE);
    for (const id of ['s1', 's2', 's3']) ws.send('new_order_single', limit(1, 990_000, 1, { cl_ord_id: id }));
    const third = await ws.next<Er>('execution_report', (m) => m.cl_ord_id === 's3');
    assert.equal(third.reject_code, 18);
    assert.match((await ws.next<{ text: string }>('logout')).text, /^logged out: rate limit msgs-1m/);
    await ws.closed();
    assert.equal(ws.of('user_notification').length, 0, 'a logout is no ban');
    const next = await Raw.logon(s.url, ALICE);
    next.send('new_order_single', limit(1, 990_000, 1, { cl_ord_id: 's4' }));
    assert.equal((await next.next<Er>('execution_report', (m) => m.cl_ord_id === 's4')).exec_type, 1, 'a new connection counts afresh');
    // REST has no session: session limits do not apply to it
    for (let i = 0; i < 3; i++) assert.equal((await order(s, ALICE, limit(1, 990_000, 1))).status, 200);
    next.ws.close();
  }));

// ---- kill switch ----

test('kill switch: the account or the admin turns it on (cancels, refuses orders) and off; the session is told', () =>
  withServer(config(), async (s) => {
    const ws = await Raw.logon(s.url, ALICE);
    for (const id of ['k1', 'k2']) ws.send('new_order_single', limit(1, 990_000, 5, { cl_ord_id: id }));
    await ws.next<Er>('execution_report', (m) => m.cl_ord_id === 'k2');

    const on = await call(s, 'POST', '/kill-switch', { key: ALICE, body: { on: true } });
    assert.deepEqual([on.status, on.body], [200, { account_id: '1', kill_switch: true, changed: true, cancelled: 2 }]);
    const cancels = await Promise.all(['k1', 'k2'].map((id) => ws.next<Er>('execution_report', (m) => m.cl_ord_id === id && m.exec_type === 2)));
    assert.deepEqual(cancels.map((c) => [c.ord_status, c.cancel_reason]), [[4, 10], [4, 10]]);
    const note = await ws.next<{ event: number; text: string }>('user_notification');
    assert.deepEqual([note.event, note.text], [1, 'kill switch on (account)']);
    assert.equal((await call(s, 'GET', '/account', { key: ALICE })).body.kill_switch, true);
    const refused = await order(s, ALICE, limit(1, 990_000, 1));
    assert.deepEqual([refused.status, refused.body.code, refused.body.reject_code, refused.body.ord_rej_reason], [400, 'KILL_SWITCH', 26, 99]);
    assert.equal((await order(s, BOB, limit(1, 990_000, 1))).status, 200, 'other accounts trade on');
    assert.deepEqual((await call(s, 'POST', '/kill-switch', { key: ALICE, body: { on: true } })).body,
      { account_id: '1', kill_switch: true, changed: false, cancelled: 0 });

    const off = await admin(s, '/accounts/1/kill-switch', { on: false, text: 'reset by the desk' });
    assert.deepEqual([off.status, off.body], [200, { account_id: '1', kill_switch: false, changed: true, cancelled: 0 }]);
    const offNote = await ws.next<{ event: number; text: string }>('user_notification', (m) => m.event === 2);
    assert.equal(offNote.text, 'reset by the desk');
    assert.equal((await order(s, ALICE, limit(1, 990_000, 1))).status, 200);
    assert.equal((await call(s, 'GET', '/account', { key: ALICE })).body.kill_switch, false);

    // the admin's switch works on an account with no session
    assert.equal((await admin(s, '/accounts/2/kill-switch', { on: true })).body.cancelled, 1);
    assert.equal((await admin(s, '/accounts/9/kill-switch', { on: true })).status, 404);
    assert.equal((await admin(s, '/accounts/1/kill-switch', {})).status, 400);
    assert.equal((await call(s, 'POST', '/admin/accounts/1/kill-switch', { body: { on: true } })).status, 401);
    assert.equal((await call(s, 'POST', '/kill-switch', { body: { on: true } })).status, 401);
    assert.equal((await call(s, 'POST', '/kill-switch', { key: ALICE, body: { on: 'yes' } })).status, 400);
    ws.ws.close();
  }));

// ---- admin: phases and reference prices ----

test('admin phases: every phase by name, SecurityStatus to sessions and subscribers, what each phase accepts; bad requests', () =>
  withServer(config(), async (s) => {
    const ws = await Raw.logon(s.url, BOB);
    const md = await mdSubscriber(s);
    const phase = (body: Json): Promise<Res> => admin(s, `/instruments/${BTC}/phase`, body);

    const pre = await phase({ phase: 'PRE_OPEN' });
    assert.deepEqual([pre.status, pre.body], [200, { symbol: BTC, trading_phase: 3, phase: 'PRE_OPEN', changed: true, halt_end_time: 0 }]);
    for (const c of [ws, md]) {
      const st = await c.next<Status>('security_status');
      assert.deepEqual([st.symbol, st.trading_phase, st.cause, st.text], [BTC, 3, 1, 'PRE_OPEN (admin)']);
    }
    const ioc = await order(s, ALICE, limit(1, 1_000_000, 1, { time_in_force: 3 }));
    assert.deepEqual([ioc.status, ioc.body.code, ioc.body.reject_code, ioc.body.ord_rej_reason], [400, 'PHASE', 24, 99]);
    assert.equal((await order(s, ALICE, limit(1, 1_000_010, 3))).status, 200);
    assert.equal((await order(s, BOB, limit(2, 999_990, 2))).status, 200);
    const inst = ((await call(s, 'GET', '/instruments')).body as unknown as Json[])[0];
    assert.equal(inst.phase, 'PRE_OPEN');
    const indication = inst.auction as Json;
    assert.deepEqual(pick(indication, 'trading_phase', 'qty', 'surplus_qty', 'surplus_side', 'final'),
      { trading_phase: 3, qty: '0.0002', surplus_qty: '0.0001', surplus_side: 'BUY', final: false });
    assert.ok(Number(indication.price) >= 99_999 && Number(indication.price) <= 100_001);

    assert.equal((await phase({ phase: 'OPENING_AUCTION', text: 'opening' })).body.trading_phase, 4);
    assert.equal((await md.next<Status>('security_status', (m) => m.trading_phase === 4)).text, 'opening');
    const open = await phase({ phase: 'CONTINUOUS' });
    assert.deepEqual([open.body.trading_phase, open.body.phase], [1, 'CONTINUOUS']);
    const fill = await ws.next<Er>('execution_report', (m) => m.exec_type === 6);
    assert.deepEqual([fill.last_qty, fill.liquidity], [2, 4]);

    assert.equal((await phase({ phase: 'CLOSING_AUCTION' })).body.trading_phase, 6);
    assert.equal((await phase({ phase: 'CLOSED' })).body.trading_phase, 5);
    const closed = await order(s, BOB, limit(2, 1_000_000, 1));
    assert.deepEqual([closed.status, closed.body.code, closed.body.reject_code, closed.body.ord_rej_reason], [400, 'MARKET_CLOSED', 25, 2]);
    await md.waitFor(() => md.of('security_status').length === 5);
    assert.deepEqual(md.of<Status>('security_status').map((m) => m.trading_phase), [3, 4, 1, 6, 5]);
    // the metrics gauge follows
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    assert.match(metrics, /^makerbench_trading_phase\{symbol="BTC-USD"\} 5$/m);
    assert.match(metrics, /^makerbench_auctions_total\{symbol="BTC-USD"\} [12]$/m);

    const bad: [Json | undefined, number, string][] = [
      [{ phase: 'LUNCH' }, 400, 'INVALID_REQUEST'],
      [{ phase: 'PRE_OPEN', duration_ms: 1000 }, 400, 'INVALID_FIELD'],
      [{ phase: 'HALTED', duration_ms: 0 }, 400, 'INVALID_REQUEST'],
      [{}, 400, 'INVALID_REQUEST'],
      [{ phase: 'HALTED', extra: 1 }, 400, 'INVALID_REQUEST'],
    ];
    for (const [body, status, code] of bad) {
      const r = await phase(body as Json);
      assert.deepEqual([r.status, r.body.code], [status, code], JSON.stringify(body));
    }
    assert.equal((await admin(s, '/instruments/NOPE/phase', { phase: 'HALTED' })).status, 404);
    assert.equal((await call(s, 'POST', `/admin/instruments/${BTC}/phase`, { body: { phase: 'HALTED' } })).status, 401);
    ws.ws.close();
    md.ws.close();
  }));

test('admin reference prices: set, shown in GET /instruments, refused when not a price of the instrument', () =>
  withServer(config(), async (s) => {
    const ok = await admin(s, `/instruments/${BTC}/reference`, { reference_price: '100000.0', previous_close_units: 990_000 });
    assert.deepEqual([ok.status, ok.body], [200, { symbol: BTC, reference_price: '100000.0', previous_close: '99000.0' }]);
    const inst = ((await call(s, 'GET', '/instruments')).body as unknown as Json[])[0];
    assert.deepEqual(inst.price_controls, { reference_price: '100000.0', previous_close: '99000.0', daily_limits: null, dynamic_band: null });
    assert.deepEqual(inst.rules, {});
    assert.equal((await admin(s, `/instruments/${BTC}/reference`, { previous_close: '99500' })).status, 200);
    const bad: [unknown, number][] = [
      [{}, 400], [{ reference_price_units: 0 }, 400], [{ reference_price: '0' }, 400], [{ reference_price_units: 20_000_000 }, 400], [{ reference: 1 }, 400],
      [{ reference_price: 100_000 }, 400], [{ reference_price: '100000.05' }, 400], [{ reference_price: '1', reference_price_units: 10 }, 400],
    ];
    for (const [body, status] of bad) assert.equal((await admin(s, `/instruments/${BTC}/reference`, body)).status, status, JSON.stringify(body));
    assert.equal((await admin(s, '/instruments/NOPE/reference', { reference_price: '1' })).status, 404);
    const rules = await call(s, 'GET', '/rules');
    assert.deepEqual(rules.body, { profile: null });
  }));

// ---- end to end: a halt, orders queued for the auction, the reopening prints to the tape ----

test('a halt is announced by SecurityStatus, orders during it are queued for the auction, and the resume prints the auction trade to the tape', () =>
  withServer(config(), async (s) => {
    const alice = await Raw.logon(s.url, ALICE);
    const bob = await Raw.logon(s.url, BOB);
    const md = await mdSubscriber(s);
    // a trade at 100,000.0 before the halt: the auction's reference price
    alice.send('new_order_single', limit(1, 1_000_000, 1, { cl_ord_id: 'pre-b' }));
    await alice.next<Er>('execution_report', (m) => m.cl_ord_id === 'pre-b');
    bob.send('new_order_single', limit(2, 1_000_000, 1, { cl_ord_id: 'pre-s' }));
    await bob.next<Er>('execution_report', (m) => m.cl_ord_id === 'pre-s' && m.exec_type === 6);

    const halt = await admin(s, `/instruments/${BTC}/halt`, { text: 'news pending' });
    assert.deepEqual([halt.status, halt.body.trading_phase], [200, 2]);
    for (const c of [alice, bob, md]) {
      const st = await c.next<Status>('security_status');
      assert.deepEqual([st.symbol, st.trading_phase, st.cause, st.halt_end_time, st.text], [BTC, 2, 1, 0, 'news pending']);
    }

    // crossing orders during the halt: accepted, not matched
    alice.send('new_order_single', limit(1, 1_000_010, 100, { cl_ord_id: 'h-b' }));
    assert.deepEqual(Object.values(pick(await alice.next<Er>('execution_report', (m) => m.cl_ord_id === 'h-b'), 'exec_type', 'ord_status')), [1, 1]);
    bob.send('new_order_single', limit(2, 999_990, 100, { cl_ord_id: 'h-s' }));
    assert.equal((await bob.next<Er>('execution_report', (m) => m.cl_ord_id === 'h-s')).exec_type, 1);
    // IOC orders cannot wait for the auction
    alice.send('new_order_single', limit(1, 1_000_010, 1, { cl_ord_id: 'h-ioc', time_in_force: 3 }));
    assert.equal((await alice.next<Er>('execution_report', (m) => m.cl_ord_id === 'h-ioc')).reject_code, 17);
    // market data: the indicative uncross, and the book is crossed
    const indicative = (await md.next<Inc>('market_data_incremental_refresh', (m) => m.auction?.qty === 100)).auction as Auction;
    assert.deepEqual(pick(indicative, 'trading_phase', 'price', 'qty', 'final'), { trading_phase: 2, price: 1_000_000, qty: 100, final: false });
    const depth = (await call(s, 'GET', `/depth/${BTC}`)).body;
    assert.deepEqual([depth.bids, depth.asks], [[['100001.0', '0.0100']], [['99999.0', '0.0100']]]);
    assert.equal(alice.of<Er>('execution_report').filter((r) => r.exec_type === 6 && r.cl_ord_id === 'h-b').length, 0, 'no trade during the halt');
    // a subscriber arriving now gets the halt and the indication with its snapshot
    const late = await Raw.open(s.url, '/ws/md');
    late.send('market_data_request', { md_req_id: 'late', symbol: BTC, subscription: 0, market_depth: 0, channels: [] });
    const snap = await late.next<{ auction: Auction }>('market_data_snapshot_full_refresh');
    assert.deepEqual(pick(snap.auction, 'price', 'qty'), { price: 1_000_000, qty: 100 });
    assert.equal((await late.next<Status>('security_status')).trading_phase, 2);

    const resume = await admin(s, `/instruments/${BTC}/resume`);
    assert.deepEqual([resume.body.trading_phase, resume.body.changed], [1, true]);
    for (const c of [alice, bob, md]) assert.equal((await c.next<Status>('security_status', (m) => m.trading_phase === 1)).cause, 1);
    // one auction trade at one price, both sides liquidity AUCTION
    const [buy, sell] = await Promise.all([
      alice.next<Er>('execution_report', (m) => m.cl_ord_id === 'h-b' && m.exec_type === 6),
      bob.next<Er>('execution_report', (m) => m.cl_ord_id === 'h-s' && m.exec_type === 6),
    ]);
    assert.deepEqual([buy.last_px, buy.last_qty, buy.liquidity, buy.ord_status], [1_000_000, 100, 4, 3]);
    assert.deepEqual([sell.last_px, sell.last_qty, sell.liquidity, sell.trade_id], [1_000_000, 100, 4, buy.trade_id]);
    // the tape: market data and GET /trades
    const uncross = await md.next<Inc>('market_data_incremental_refresh', (m) => m.trades.length > 0 && m.trades[0].auction);
    assert.deepEqual(uncross.trades.map((t) => pick(t, 'trade_id', 'price', 'qty', 'auction')), [{ trade_id: buy.trade_id, price: 1_000_000, qty: 100, auction: true }]);
    assert.deepEqual(pick(uncross.auction as Auction, 'price', 'qty', 'final'), { price: 1_000_000, qty: 100, final: true });
    const tape = (await call(s, 'GET', `/trades/${BTC}`)).body.trades as Json[];
    assert.deepEqual(tape.map((t) => [t.price, t.qty, t.auction]), [['100000.0', '0.0001', false], ['100000.0', '0.0100', true]]);
    for (const c of [alice, bob, md, late]) c.ws.close();
  }));

test('a timed halt ends by itself: the reopening auction prints, and the SDK reports status, indications and auction fills', () =>
  withServer(config(), async (s) => {
    const alice = await ExchangeClient.connect(s.url, ALICE, { heartbeatMs: 1000, reconnect: false });
    const bob = await ExchangeClient.connect(s.url, BOB, { heartbeatMs: 1000, reconnect: false });
    const md = await MarketDataClient.connect(s.url, BTC, { reconnect: false });
    const statuses = collect(md, 'securityStatus');
    const auctions = collect(md, 'auction');
    const trades = collect(md, 'trade');
    const aliceStatuses = collect(alice, 'securityStatus');
    try {
      const halted = waitFor(alice, 'securityStatus', (st) => st.tradingPhase === 'halted');
      const halt = await admin(s, `/instruments/${BTC}/halt`, { duration_ms: 400, text: 'volatility' });
      const haltEnd = halt.body.halt_end_time as number;
      assert.ok(haltEnd > 0);
      const [st] = await halted;
      assert.deepEqual([st.cause, st.haltEndTime, st.text], ['admin', haltEnd, 'volatility']);
      assert.equal(haltEnd - st.transactTime, 400_000, 'halt_end_time = the halt plus duration_ms');

      const buy = await alice.placeOrder({ symbol: BTC, side: 'buy', price: '100001.0', qty: '0.0050' });
      const sell = await bob.placeOrder({ symbol: BTC, side: 'sell', price: '99999.0', qty: '0.0030' });
      assert.deepEqual([buy.execType, sell.execType], ['new', 'new']);
      const ioc = await alice.placeOrder({ symbol: BTC, side: 'buy', type: 'market', qty: '0.0001' });
      assert.deepEqual([ioc.execType, ioc.rejectCode, ioc.retryAfter], ['rejected', 'instrument_halted', 0]);

      // nobody resumes it: the server's clock ends the halt
      const [fill] = await waitFor(bob, 'fill', () => true, 3000);
      assert.deepEqual([fill.liquidity, fill.lastQty, fill.orderQty], ['auction', '0.0030', '0.0030']);
      assert.ok(fill.transactTime >= haltEnd);
      await eventually(() => trades.length === 1 && statuses.length === 2 && aliceStatuses.length === 2);
      assert.deepEqual(statuses.map((x) => [x.tradingPhase, x.cause]), [['halted', 'admin'], ['continuous', 'halt_end']]);
      assert.deepEqual(aliceStatuses.map((x) => [x.tradingPhase, x.cause]), [['halted', 'admin'], ['continuous', 'halt_end']]);
      assert.ok(auctions.some((a) => !a.final && a.qty === 30 && a.surplusSide === 'buy' && a.surplusQty === 20), JSON.stringify(auctions));
      assert.ok(auctions.some((a) => a.final && a.qty === 30));
      assert.equal(md.auction, null, 'no indication once continuous');
      assert.deepEqual(trades.map((t) => [t.qty, t.auction]), [[30, true]]);
      assert.equal(md.tradingPhase, 'continuous');
      const tape = (await call(s, 'GET', `/trades/${BTC}`)).body.trades as Json[];
      assert.deepEqual(tape.map((t) => [t.qty, t.auction]), [['0.0030', true]]);
    } finally {
      md.close();
      await alice.close();
      await bob.close();
    }
  }));

test('SDK: setKillSwitch, userNotification events and rate-limit rejects with retryAfter', () =>
  withServer(config({ rate_limits: [{ name: 'orders-1m', scope: 'account', window: 'sliding', limit: 2, interval_ms: 60_000 }] }), async (s) => {
    const alice = await ExchangeClient.connect(s.url, ALICE, { heartbeatMs: 1000, reconnect: false });
    try {
      const notes = collect(alice, 'userNotification');
      assert.equal((await alice.placeOrder({ symbol: BTC, side: 'buy', price: '99000.0', qty: '0.0001' })).execType, 'new');
      const on = await alice.setKillSwitch(true);
      assert.deepEqual(on, { killSwitch: true, changed: true, cancelled: 1 });
      const refused = await alice.placeOrder({ symbol: BTC, side: 'buy', price: '99000.0', qty: '0.0001' });
      assert.deepEqual([refused.execType, refused.rejectCode, refused.retryAfter], ['rejected', 'kill_switch', 0]);
      assert.deepEqual(await alice.setKillSwitch(false, 'back'), { killSwitch: false, changed: true, cancelled: 0 });
      await eventually(() => notes.length === 2);
      assert.deepEqual(notes.map((n) => [n.event, n.text]), [['kill_switch_on', 'kill switch on (account)'], ['kill_switch_off', 'back']]);
      // the kill-switch refusal was not counted: one more order fits, then the limit
      assert.equal((await alice.placeOrder({ symbol: BTC, side: 'buy', price: '99000.0', qty: '0.0001' })).execType, 'new');
      const limited = await alice.placeOrder({ symbol: BTC, side: 'buy', price: '99000.0', qty: '0.0001' });
      assert.equal(limited.rejectCode, 'rate_limited');
      assert.ok(limited.retryAfter > limited.transactTime && limited.retryAfterMs > 0 && limited.retryAfterMs <= 60_000, JSON.stringify(limited.raw));
    } finally {
      await alice.close();
    }
  }));

async function eventually(cond: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function pick<T extends object, K extends keyof T>(o: T, ...keys: K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;
}
