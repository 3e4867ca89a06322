// Configuration of the exchange rules, as written in a config file (snake_case
// like the wire contract; prices and quantities in instrument units, times in
// milliseconds). Per-instrument rules sit in each InstrumentConfig (`rules`),
// venue-wide ones in RulesConfig, per-account risk limits in AccountOptions.
import type { MmpConfig } from './mmp.ts';

/** Per-instrument rules. Every field is optional: an instrument without rules trades continuously 24/7. */
export interface InstrumentRulesConfig {
  /** static band around the reference price (Binance PERCENT_PRICE): a limit price outside it is rejected */
  price_band_bp?: number;
  /** the same per side (Binance PERCENT_PRICE_BY_SIDE); overrides price_band_bp */
  price_band_by_side?: { bid_up_bp: number; bid_down_bp: number; ask_up_bp: number; ask_down_bp: number };
  /** initial reference price for the static band (later: the last trade, or set by admin) */
  reference_price?: number;
  /**
   * the static band's reference is the quantity-weighted average price of the trades of the last this
   * many ms (Binance avgPriceMins × 60,000), the last trade price when the window has none; omitted:
   * the last trade
   */
  price_band_average_ms?: number;
  /** daily limit up / limit down, ± this many bp of the previous close, rounded to the tick by daily_limit_rounding */
  daily_limit_bp?: number;
  /** 'inward' (default: the upper limit down, the lower up, to the tick) or 'half_up' to the nearest tick (SSE, SZSE) */
  daily_limit_rounding?: 'inward' | 'half_up';
  /** previous close (daily limits, market-wide breaker); later set by the closing auction or admin */
  previous_close?: number;
  /** LULD-style dynamic band around the rolling mean trade price */
  luld?: LuldConfig;
  /** IANA time zone of the schedule's and LULD's times of day (default UTC) */
  time_zone?: string;
  /** velocity: a trade N ticks or more away from any trade of the last W ms halts the instrument */
  velocity?: { ticks: number; window_ms: number; halt_ms: number };
  /** an order cannot be cancelled or amended until it has rested this long */
  min_quote_life_ms?: number;
  /** the day's phases (UTC times of day, ascending); omitted = continuous 24/7 */
  schedule?: { at: string; phase: PhaseName }[];
  /** apply self-trade prevention in auction uncrosses (default false: no STP in auctions) */
  auction_stp?: boolean;
  /** a halt cancels resting mass-quote orders (default true, as CME velocity logic) */
  halt_cancels_quotes?: boolean;
  /** on-open / on-close orders, auction collars and extensions, imbalance publication (US crosses) */
  crosses?: CrossesConfig;
}

/**
 * LULD (engine/rules/price-controls.ts). The band is band_bp around the reference, or with `tier`
 * the LULD plan's price bands (Appendix A): tier 1 (2) 5 % (10 %) above 3.00, 20 % from 0.75 to
 * 3.00, the lesser of 0.15 and 75 % below 0.75 (prices in the quote currency).
 */
export interface LuldConfig {
  band_bp?: number;
  tier?: 1 | 2;
  /** the reference is the mean trade price of this window (default 300,000 = 5 minutes) */
  window_ms?: number;
  limit_state_ms?: number;
  halt_ms?: number;
  /** the reference moves only when the mean differs from it by at least this (default 0: on every change) */
  reference_move_bp?: number;
  /** local times (time_zone) between which the band doubles, [from, until) (tier 2 only at 3.00 or below) */
  double_from?: string;
  double_until?: string;
  /** a pause that starts this close to the next scheduled end of continuous trading lasts until it (default 0) */
  close_pause_ms?: number;
  /** local times (time_zone) of the band's hours, [from, until); omitted = always (US: regular hours 09:30–16:00) */
  from?: string;
  until?: string;
}

export type PhaseName = 'PRE_OPEN' | 'OPENING_AUCTION' | 'CONTINUOUS' | 'HALTED' | 'CLOSING_AUCTION' | 'CLOSED';

/**
 * One order-rate limiter (engine/rules/rate-limit.ts). A message is admitted
 * only if every limiter allows it, and only then counted in all of them.
 */
export interface RateLimitConfig {
  /** shown in rejects, e.g. "orders-10s" */
  name: string;
  /** count per account, or per session (connection); a message without a session (REST) skips session limiters */
  scope: 'account' | 'session';
  /**
   * sliding window (now − interval, now]; fixed window aligned to multiples of the interval since
   * time 0 (a UTC day for 86,400,000 ms); or token bucket (limit × interval_ms × 2000 must stay below 2^53)
   */
  window: 'sliding' | 'fixed' | 'bucket';
  /** the most weight per interval (bucket: capacity, refilled at limit per interval) */
  limit: number;
  interval_ms: number;
  /** weight per message kind, integers in [0, limit]; default 1 each (cancel 0 when exempt_cancels) */
  weights?: { new?: number; amend?: number; cancel?: number; quote?: number };
  /** default true: cancels are never limited (a non-zero weights.cancel then is a config error) */
  exempt_cancels?: boolean;
  /** 'reject' (default) the message, or 'logout' the session (FIX-style message cap) */
  on_breach?: 'reject' | 'logout';
  /**
   * 'messages' (default): every admitted message counts for good. 'unfilled' (Binance ORDERS, fixed
   * windows only): an order's first fill gives its count back in the current interval, and REST
   * answers a refusal without Retry-After (Binance's −1015)
   */
  count?: 'messages' | 'unfilled';
}

/**
 * Continued breaching → ban: `breaches` rejects within `window_ms` ban, for `ban_ms`, the key (account
 * or session) of the limiter that refused them. A banned key's messages get BANNED, except cancels.
 */
export interface RateBanConfig {
  breaches: number;
  window_ms: number;
  ban_ms: number;
}

/** MiFID II RTS 9 order-to-trade ratio per account per instrument per UTC day. */
export interface OtrConfig {
  /** ceiling on (orders ÷ trades) − 1 by count, at most three decimals; omitted = none */
  max_count_ratio?: number;
  /** ceiling on (order volume ÷ traded volume) − 1, at most three decimals; omitted = none */
  max_volume_ratio?: number;
  /** 'flag' (default: report once a day, accept the order) or 'reject' new orders (also reported once a day) */
  mode?: 'flag' | 'reject';
  /**
   * the ratio is only enforced once the account sent this many order messages (new, amend, cancel)
   * on the instrument that day (default 100, ≥ 1); with no trade by then the ratio is unbounded: exceeded
   */
  min_orders?: number;
}

/** Market-wide circuit breaker on a designated index instrument. */
export interface MarketWideConfig {
  /** the index instrument's symbol */
  index: string;
  /**
   * decline from the previous close, ascending; halt_ms 0 = close every instrument for the day;
   * from/until: local times "HH:MM" (time_zone) between which the level may fire, [from, until); omitted = any time
   */
  levels: { drop_bp: number; halt_ms: number; from?: string; until?: string }[];
  /** IANA time zone of the levels' from/until and of the day each level fires once in (default UTC) */
  time_zone?: string;
}

/**
 * A cap on the fee for taking liquidity (US Reg NMS Rule 610(c)), in the quote currency as decimals:
 * at most per_share a share for prices at or above from_price (default 1), at most below_bp of the
 * notional below it (default 10 bp). A taker's fee on a continuous fill is cut to the cap.
 */
export interface AccessFeeCapConfig {
  per_share: number | string;
  from_price?: number | string;
  below_bp?: number;
}

/**
 * REQUEST_WEIGHT per remote address (Binance spot), enforced by the gateway (gateway/request-weight.ts)
 * on REST and /ws/md requests; the engine does not read it.
 */
export interface RequestWeightConfig {
  /** the most weight per address per interval (Binance: 6,000) */
  limit: number;
  /** fixed intervals aligned to multiples of this since time 0 on the exchange clock (default 60,000: a minute) */
  interval_ms?: number;
  /** weights of REST routes, "METHOD /api/v1/path" as the route is declared, over the built-in table */
  weights?: Record<string, number>;
  /** depth (and /ws/md snapshot) weight by levels per side, ascending (default Binance's 100 → 5, 500 → 25, 1000 → 50, 5000 → 250) */
  depth_weights?: { up_to: number; weight: number }[];
  /** 429s an address may get in one interval; its next over-limit request bans it (default 5) */
  ban_after?: number;
  /** the first ban (default 120,000: 2 minutes); each further ban doubles, up to ban_max_ms (default 259,200,000: 3 days) */
  ban_ms?: number;
  ban_max_ms?: number;
}

/** Venue-wide rules. */
export interface RulesConfig {
  request_weight?: RequestWeightConfig;
  access_fee_cap?: AccessFeeCapConfig;
  rate_limits?: RateLimitConfig[];
  rate_ban?: RateBanConfig;
  otr?: OtrConfig;
  market_wide?: MarketWideConfig;
  /**
   * Queue priority of a replaced order or quote side. 'keep_unchanged' (default; CME, Eurex): an amend,
   * or a mass-quote side, that keeps the price and does not increase the size keeps its place.
   * 'lose' (Nasdaq OUCH): any replace goes to the back of the queue.
   */
  replace_priority?: 'keep_unchanged' | 'lose';
  /** market-maker protection of mass quotes, per account and instrument (engine/rules/mmp.ts) */
  mmp?: MmpConfig;
}

/** Per-account, per-instrument risk limits, in that instrument's units; '*' applies to every instrument. */
export interface RiskLimitsConfig {
  max_order_qty?: number;
  max_order_notional?: number;
  max_long?: number;
  max_short?: number;
  /** |position cost| + open buy notional + open sell notional, cash units */
  max_gross_notional?: number;
}

export type AccountRiskConfig = Record<string, RiskLimitsConfig>;

/** Price validation of a cross (engine/rules/crosses.ts). Prices in instrument units. */
export interface CollarConfig {
  /** the collar's half-width in bp of the midpoint (reopening: of the reference); 0 with collar_min 0 = no collar */
  collar_bp?: number;
  /** at least this wide (price units): Nasdaq's "greater of 10 % or $0.50" */
  collar_min?: number;
  /** a price outside the collar extends the call this long (0 = cross at the collar boundary at once) */
  extension_ms?: number;
  /** at most this many extensions; then the cross runs at the collar boundary */
  max_extensions?: number;
  /** each extension widens the collar by this many bp of the reference, in the direction of the imbalance */
  widen_bp?: number;
}

/**
 * An opening or closing cross with on-open / on-close orders: local times "HH:MM[:SS]" of the
 * instrument's time_zone. The cross itself runs when the schedule's call (OPENING_AUCTION /
 * CLOSING_AUCTION) that starts at `at` ends.
 */
export interface CrossConfig extends CollarConfig {
  /** the start of the call: imbalance publication ends, entry windows close no later */
  at: string;
  /** MOO / MOC entry until then */
  market_until: string;
  /** LOO / LOC entry until then (default market_until) */
  limit_until?: string;
  /** imbalance-only entry until then (default: the call) */
  io_until?: string;
  /** no cancel or amend of on-open / on-close / IO orders from then (default market_until) */
  freeze_from?: string;
  /** the indicative cross is published every imbalance_every_ms from imbalance_from until the call */
  imbalance_from?: string;
  imbalance_every_ms?: number;
  /** and every imbalance_fast_every_ms from imbalance_fast_from */
  imbalance_fast_from?: string;
  imbalance_fast_every_ms?: number;
}

/** On-open / on-close orders, auction price validation and call-book display of an instrument. */
export interface CrossesConfig {
  opening?: CrossConfig;
  closing?: CrossConfig;
  /** the reopening after a halt (collar: the LULD band when the halt began, else the reference ± collar_bp) */
  reopening?: CollarConfig;
  /** 'levels' (default): a call phase's book is published level by level; 'indicative': only the indicative cross */
  call_book?: 'levels' | 'indicative';
}
