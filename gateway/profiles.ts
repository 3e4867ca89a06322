// Venue profiles: three ready-made exchange configurations, selected with
// `npm start -- --profile <name>` or "profile" in a config file (the file's own
// fields then override the profile's; see config.ts).
//
// crypto-spot — a Binance-like spot venue, open 24/7:
// - BTC-USD (tick 0.01, lot 0.00001 BTC) and ETH-USD (tick 0.01, lot 0.0001
//   ETH), Binance's BTCUSDT/ETHUSDT filters; min notional 5 USD; market orders
//   protected at 5 %.
// - Binance's PERCENT_PRICE_BY_SIDE of BTCUSDT: a buy or sell limit price
//   must lie within [0.2, 5] × the quantity-weighted average price of the
//   trades of the last 5 minutes (avgPriceMins 5; the last trade when the
//   window is empty); before the first trade the reference is 100,000 / 3,000
//   (or POST /admin/instruments/:symbol/reference).
// - Binance's ORDERS limits per account: 50 unfilled orders per fixed 10 s and
//   160,000 per UTC day (a first fill gives one back; cancels exempt), and a
//   2-minute ban after 10 breaches within 10 s
//   (RATE_LIMIT_PRESETS['binance-spot']): REST answers 429 (no Retry-After, as
//   Binance's −1015) / 418.
// - Binance's REQUEST_WEIGHT per IP: 6,000 per minute over REST and /ws/md
//   requests, each route weighed like its Binance endpoint (depth 5 / 25 / 50 /
//   250 by levels), an X-MBX-USED-WEIGHT-1M header on every REST answer, 429
//   with Retry-After past the limit, and 418 bans from 2 minutes (doubling to
//   3 days) for an address that keeps sending after 5 of them in a minute
//   (gateway/request-weight.ts).
// - self-trade prevention EXPIRE_MAKER on every account (Binance's default);
//   an order may ask for another mode.
// - fees with maker rebates: maker −1 bp, taker 2 bp (ETH 2.5 bp).
// - a liquidity-provider programme (spot-lp) for maker-1 and maker-2, measured
//   as Bybit's market-maker programme does: a snapshot every 10 s of the
//   member's quote — spread at most 10 bp of its mid, and at least 50 USD
//   (BTC) / 25 USD (ETH) a side counted within 20 bp of the book mid — and a
//   day passes with 75 % of its snapshots compliant. Rewarded Binance LP
//   style: the maker fee of the next day by the member's maker share of the
//   day's volume (≥ 1 %: −1.5 bp, ≥ 5 %: −2 bp; else the instrument's −1 bp).
//
// us-equity — a US cash-equity venue:
// - AAPL, MSFT, SPY and the index SPX: tick 0.01, whole shares, money in
//   0.000001 USD; fees per share, not per notional: taker 0.0010 USD a share
//   (the Reg NMS Rule 610(c) access-fee cap for quotes ≥ 1 USD since the 2024
//   amendments, a venue setting: rules.access_fee_cap), maker rebate 0.0008
//   USD a share; no bp fees.
// - LULD per the plan, tier 1: a 5 % band around the 5-minute mean trade
//   price, moved only on a 1 % change, doubled 15:35–16:00 New York time, in
//   continuous trading only (auctions are not re-priced); the first reference
//   is the opening price (or the previous close); 15 s in the limit state
//   pauses the stock for 5 minutes, then a reopening auction whose price is
//   the new reference; a pause in the last 10 minutes lasts to the close. No
//   daily limits.
// - the market-wide circuit breaker on SPX: −7 % and −13 % from the previous
//   close halt every instrument for 15 minutes (only 09:30–15:25 New York
//   time), −20 % closes the market for the day (at any time).
// - the day in New York time (daylight saving included): pre-market
//   continuous trading 04:00–09:30 (no LULD bands), the opening cross at
//   09:30 (a one-second call), continuous to 16:00, the closing cross at
//   16:00, closed from 16:00:01.
// - Nasdaq's crosses (US_CROSSES): MOO / LOO / MOC / LOC and imbalance-only
//   orders with Nasdaq's cut-offs, the 10 % / 0.50 USD price threshold,
//   LULD reopenings extended 5 minutes at a time outside the collar, the
//   imbalance published from 09:25 and 15:50, and the call book shown only
//   as that indication.
// - a FIX-style cap of 10,000 messages / 10 s per connection
//   (RATE_LIMIT_PRESETS['fix-session']: a breach logs the session out), and
//   pre-trade risk limits on the taker account (50,000 shares and 5,000,000 USD
//   per order).
// - a designated-market-maker programme (dmm) for maker-1 on AAPL, MSFT and
//   SPY, NYSE DMM style, measured continuously: a two-sided quote at most 10
//   ticks (0.10 USD) wide with a round lot (100 shares) a side, 90 % of the
//   continuous session's time over the calendar month (pre-open, auctions,
//   halts and the close are exempt); the spread limit doubles while the
//   stock is stressed (after a LULD or market-wide halt, until the next UTC
//   day; or by the admin); a missing side is
//   not a breach for 1 s after a fill; and at the best bid or offer an
//   average of 10 % of the time (NYSE Rule 104(a)(1)(A), ADV ≥ 1 million
//   shares). Maker rebate 0.0009 USD a share instead of 0.0008, the extra paid
//   back for a failed month.
//
// eu-derivatives — a Eurex-like index-futures venue under MiFID II:
// - Micro-EURO STOXX 50 (FSXE: EUR 1 per index point, tick 0.5 point) and
//   Micro-DAX (FDXS: EUR 1 per point, tick 1 point) futures, whole contracts,
//   money in euro cents (Eurex contract specifications); trading 01:10–22:00
//   Frankfurt time (CET/CEST), closed otherwise; no fees set (Eurex charges a
//   fee per contract, the same for both sides).
// - market-maker protection for the demo makers' mass quotes, Eurex style
//   (T7 MMP: a sliding window): 1 s, 50 contracts traded or a delta of 25
//   contracts. Eurex members choose their own limits: these are the demo's.
// - RTS 9 order-to-trade counting per the Annex (counted, no ceiling).
// - an RTS 8 market-making agreement (eu-mm) for maker-1 and maker-2: firm
//   two-way quotes of comparable size (the smaller side at least 50 % of the
//   larger) for 50 % of each day's continuous trading; at most 4 ticks wide,
//   at least 10 contracts a side (our choice of "competitive").
//
// All keep the demo accounts (demo-maker-1, demo-maker-2, demo-taker), so the
// example bots run against any (`--symbol AAPL` / `--symbol FSXE`).
import type { ExchangeConfig, ProfileName } from './exchange.ts';
import type { InstrumentConfig } from '../engine/instrument.ts';
import type { InstrumentRulesConfig } from '../engine/rules/config.ts';
import { RATE_LIMIT_PRESETS } from '../engine/rules/rate-limit.ts';
import { StpMode } from '../engine/types.ts';
import type { ObligationConfig } from '../engine/obligations/config.ts';

const DEMO_ACCOUNTS = [
  { name: 'maker-1', api_key: 'demo-maker-1' },
  { name: 'maker-2', api_key: 'demo-maker-2' },
  { name: 'taker', api_key: 'demo-taker' },
];

/** Bybit-style snapshot measurement with a depth band, for one instrument: min notional in cash units. */
function spotObligation(minNotional: number): ObligationConfig {
  return {
    max_spread_bp: 10, min_size_notional: minNotional, depth_bp: 20, presence_pct: 75,
    measurement: { snapshot_s: 10, pass_pct: 75 }, window: 'day',
  };
}

/**
 * Binance BTCUSDT / ETHUSDT exchangeInfo: PERCENT_PRICE_BY_SIDE bidMultiplierUp 5, bidMultiplierDown 0.2,
 * askMultiplierUp 5, askMultiplierDown 0.2, avgPriceMins 5 (× 5 = +400 %, × 0.2 = −80 %).
 */
const PERCENT_PRICE_BY_SIDE: InstrumentRulesConfig = {
  price_band_by_side: { bid_up_bp: 40_000, bid_down_bp: 8_000, ask_up_bp: 40_000, ask_down_bp: 8_000 },
  price_band_average_ms: 300_000,
};

const CRYPTO_SPOT: ExchangeConfig = {
  instruments: [
    {
      symbol: 'BTC-USD', price_scale: 2, qty_scale: 5, tick_size: 1, lot: 1, min_qty: 1, max_qty: 10_000_000,
      max_price: 100_000_000, min_notional: 5 * 10 ** 7, maker_fee_bp: -1, taker_fee_bp: 2, market_protection_bp: 500,
      rules: { ...PERCENT_PRICE_BY_SIDE, reference_price: 100_000_00 },
    },
    {
      symbol: 'ETH-USD', price_scale: 2, qty_scale: 4, tick_size: 1, lot: 1, min_qty: 1, max_qty: 10_000_000,
      max_price: 10_000_000, min_notional: 5 * 10 ** 7, maker_fee_bp: -1, taker_fee_bp: 2.5, market_protection_bp: 500,
      rules: { ...PERCENT_PRICE_BY_SIDE, reference_price: 3_000_00 },
    },
  ],
  // Binance's default STP mode is EXPIRE_MAKER
  accounts: DEMO_ACCOUNTS.map((a) => ({ ...a, stp: StpMode.CANCEL_MAKER })),
  rules: { ...RATE_LIMIT_PRESETS['binance-spot'], request_weight: { limit: 6000, interval_ms: 60_000 } },
  programmes: [{
    name: 'spot-lp',
    members: ['maker-1', 'maker-2'],
    // cash scale 7 on both: 50 USD = 5e8, 25 USD = 2.5e8
    instruments: { 'BTC-USD': spotObligation(50 * 10 ** 7), 'ETH-USD': spotObligation(25 * 10 ** 7) },
    incentives: { maker_share_tiers: [{ min_share_bp: 100, maker_fee_bp: -1.5 }, { min_share_bp: 500, maker_fee_bp: -2 }] },
  }],
};

/**
 * The US equity day in New York time (America/New_York, daylight saving included): pre-market
 * continuous trading from 04:00, the opening cross at 09:30, continuous trading to 16:00, the
 * closing cross at 16:00. Each cross is a one-second call; on-open and on-close orders wait for it
 * off the book (US_CROSSES).
 */
const US_SCHEDULE: InstrumentRulesConfig['schedule'] = [
  { at: '04:00', phase: 'CONTINUOUS' },
  { at: '09:30', phase: 'OPENING_AUCTION' },
  { at: '09:30:01', phase: 'CONTINUOUS' },
  { at: '16:00', phase: 'CLOSING_AUCTION' },
  { at: '16:00:01', phase: 'CLOSED' },
];

/**
 * The LULD plan for tier 1 stocks (S&P 500 members): 5 % above 3.00 USD (20 % from 0.75, the lesser of
 * 0.15 USD and 75 % below), around the 5-minute mean moved only on a 1 % change, doubled 15:35–16:00
 * New York time; 15 s in a limit state pause 5 minutes, and a pause in the last 10 minutes lasts to the close.
 */
const LULD = {
  tier: 1, window_ms: 300_000, limit_state_ms: 15_000, halt_ms: 300_000, reference_move_bp: 100, double_from: '15:35', double_until: '16:00',
  close_pause_ms: 600_000, from: '09:30', until: '16:00',
} as const;

/** Per share in cash units (0.000001 USD): 0.0010 USD taker, at the access-fee cap; 0.0008 USD maker rebate. */
const TAKER_FEE = 1000;
const MAKER_REBATE = 800;

/**
 * Reg NMS Rule 610(c) as amended in 2024 (89 FR 81620): at most 0.001 USD a share to access a
 * quotation of 1 USD or more, at most 0.1 % (10 bp) of the price below 1 USD.
 */
const ACCESS_FEE_CAP = { per_share: '0.001', from_price: '1', below_bp: 10 };

/**
 * Nasdaq's crosses (Rules 4752 / 4754, Equity Trader Alert 2019-20, nasdaqtrader.com system
 * settings): MOO until 09:28, LOO until 09:29:30, IO until the cross, no cancel or amend from
 * 09:28; MOC until 15:55, LOC until 15:58, IO until the cross, no cancel or amend from 15:55;
 * imbalance (NOII) from 09:25 every second, from 15:50 every 10 s and from 15:55 every second;
 * the cross price within the best bid − d and the best offer + d, d = the greater of 10 % of the
 * midpoint and 0.50 USD, else at that boundary. A LULD reopening: within the band in force at
 * the pause, else 5-minute extensions, each widening the collar 5 % in the imbalance's
 * direction (LULD plan, Amendment 12); after 6 the reopening crosses at the collar.
 */
const US_CROSSES: InstrumentRulesConfig['crosses'] = {
  opening: {
    at: '09:30', market_until: '09:28', limit_until: '09:29:30', freeze_from: '09:28', imbalance_from: '09:25', imbalance_every_ms: 1000,
    collar_bp: 1000, collar_min: 50,
  },
  closing: {
    at: '16:00', market_until: '15:55', limit_until: '15:58', freeze_from: '15:55',
    imbalance_from: '15:50', imbalance_every_ms: 10_000, imbalance_fast_from: '15:55', imbalance_fast_every_ms: 1000,
    collar_bp: 1000, collar_min: 50,
  },
  reopening: { collar_bp: 500, extension_ms: 300_000, widen_bp: 500, max_extensions: 6 },
  call_book: 'indicative',
};

/** A stock (or the index): tick 0.01, whole shares, previous close in cents. */
function usEquity(symbol: string, previousClose: number, stock = true): InstrumentConfig {
  return {
    symbol, price_scale: 2, qty_scale: 0, tick_size: 1, lot: 1, min_qty: 1, max_qty: 100_000, max_price: 1_000_000,
    cash_scale: 6, maker_fee_bp: 0, taker_fee_bp: 0, maker_fee_per_share: -MAKER_REBATE, taker_fee_per_share: TAKER_FEE, market_protection_bp: 500,
    rules: { previous_close: previousClose, schedule: US_SCHEDULE, time_zone: 'America/New_York', ...(stock ? { luld: { ...LULD }, crosses: US_CROSSES } : {}) },
  };
}

/**
 * NYSE DMM style: continuous, 10 ticks, a round lot, 90 % of the month; and at the inside (the best bid or
 * offer) an average of 10 % of the time, NYSE Rule 104(a)(1)(A)'s figure for stocks with a consolidated ADV
 * of 1 million shares or more (15 % below) — all three stocks here.
 */
const DMM_OBLIGATION: ObligationConfig = {
  max_spread_ticks: 10, min_size_qty: 100, presence_pct: 90, window: 'month', stressed: { spread_multiplier: 2 }, grace_ms: 1000,
  time_at_best_pct: 10,
};

const US_EQUITY: ExchangeConfig = {
  instruments: [usEquity('AAPL', 190_00), usEquity('MSFT', 420_00), usEquity('SPY', 500_00), usEquity('SPX', 5_000_00, false)],
  accounts: [
    DEMO_ACCOUNTS[0],
    DEMO_ACCOUNTS[1],
    // 50,000 shares and 5,000,000.000000 USD per order
    { ...DEMO_ACCOUNTS[2], risk: { '*': { max_order_qty: 50_000, max_order_notional: 5_000_000 * 10 ** 6 } } },
  ],
  rules: {
    ...RATE_LIMIT_PRESETS['fix-session'],
    access_fee_cap: ACCESS_FEE_CAP,
    // levels 1 and 2 halt only 09:30–15:25 New York time, level 3 at any time (NYSE Rule 7.12)
    market_wide: {
      index: 'SPX',
      time_zone: 'America/New_York',
      levels: [
        { drop_bp: 700, halt_ms: 900_000, from: '09:30', until: '15:25' },
        { drop_bp: 1300, halt_ms: 900_000, from: '09:30', until: '15:25' },
        { drop_bp: 2000, halt_ms: 0 },
      ],
    },
  },
  programmes: [{
    name: 'dmm',
    members: ['maker-1'],
    instruments: { AAPL: DMM_OBLIGATION, MSFT: DMM_OBLIGATION, SPY: DMM_OBLIGATION },
    incentives: { enhanced_maker_fee_per_share: -900, clawback_on_fail: true },
  }],
};

/** Eurex's trading hours for the micro index futures: 01:10–22:00 CET (Frankfurt time, summer time included). */
const EUREX_SCHEDULE: InstrumentRulesConfig['schedule'] = [
  { at: '01:10', phase: 'CONTINUOUS' },
  { at: '22:00', phase: 'CLOSED' },
];

/** An index future worth EUR 1 per index point: prices in points (price_scale decimals), money in euro cents. */
function euroFuture(symbol: string, priceScale: number, tick: number): InstrumentConfig {
  return {
    symbol, price_scale: priceScale, qty_scale: 0, cash_scale: 2, tick_size: tick, lot: 1, min_qty: 1, max_qty: 10_000,
    max_price: 100_000 * 10 ** priceScale, maker_fee_bp: 0, taker_fee_bp: 0, market_protection_bp: 100,
    rules: { schedule: EUREX_SCHEDULE, time_zone: 'Europe/Berlin' },
  };
}

/** MiFID II RTS 8: comparable size, 50 % of the day's continuous trading; 4 ticks and 10 contracts are our choice. */
const RTS8_OBLIGATION: ObligationConfig = { max_spread_ticks: 4, min_size_qty: 10, comparable_size_pct: 50, presence_pct: 50, window: 'day' };

const EU_DERIVATIVES: ExchangeConfig = {
  // Micro-EURO STOXX 50: tick 0.5 point (price_scale 1, tick 5); Micro-DAX: tick 1 point
  instruments: [euroFuture('FSXE', 1, 5), euroFuture('FDXS', 0, 1)],
  accounts: DEMO_ACCOUNTS,
  rules: {
    otr: {},
    mmp: [{ accounts: ['maker-1', 'maker-2'], instruments: { '*': { window_ms: 1000, window: 'sliding', max_qty: 50, max_delta: 25 } } }],
  },
  programmes: [{
    name: 'eu-mm',
    members: ['maker-1', 'maker-2'],
    instruments: { FSXE: RTS8_OBLIGATION, FDXS: RTS8_OBLIGATION },
  }],
};

export const PROFILES: Readonly<Record<ProfileName, Readonly<ExchangeConfig>>> = Object.freeze({
  'crypto-spot': CRYPTO_SPOT,
  'us-equity': US_EQUITY,
  'eu-derivatives': EU_DERIVATIVES,
});

export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];

/**
 * Each venue's time zone (IANA), for times of day given on the command line
 * (`--start-time 09:25`) and the clock's jumps; the same zone as its
 * instruments' `time_zone`. Other configurations are UTC.
 */
export const PROFILE_TIME_ZONES: Readonly<Record<ProfileName, string>> = {
  'crypto-spot': 'UTC', 'us-equity': 'America/New_York', 'eu-derivatives': 'Europe/Berlin',
};

/** The time zone of a configuration's venue (its profile's, else UTC). */
export const venueTimeZone = (profile: ProfileName | undefined): string => (profile ? PROFILE_TIME_ZONES[profile] : 'UTC');

export const isProfileName = (v: unknown): v is ProfileName => typeof v === 'string' && Object.hasOwn(PROFILES, v);

/** A fresh, mutable copy of a profile's configuration (with `profile` set to its name). */
export function profileConfig(name: ProfileName): ExchangeConfig {
  return { profile: name, ...structuredClone(PROFILES[name]) as ExchangeConfig };
}
