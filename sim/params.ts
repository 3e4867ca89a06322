// Every tunable number of the simulated market, with its default and range.
// A scenario file overrides any subset; docs/simulation.md explains each one
// and where its default comes from. One table per group: the range check, the
// default and the type all come from it, so they cannot drift apart.
import { REGIMES, type RegimeName, type RegimeParams } from './price-process.ts';

/** [min, max, default] */
type Range = readonly [number, number, number];
type Spec = Readonly<Record<string, Range>>;
type Values<S extends Spec> = { [K in keyof S]: number };

export const MAKER_SPEC = {
  /** background maker accounts */
  count: [0, 50, 5],
  /** price levels per side */
  levels: [1, 20, 5],
  /** notional of the best level, quote currency */
  level_notional: [0, 1e9, 40_000],
  /** each deeper level is (1 + k × size_growth) times the best */
  size_growth: [0, 10, 0.5],
  /** distance between levels, in half-spreads */
  level_step: [0.05, 20, 0.6],
  /** half-spread = spread_k × σ̂ × √horizon (domain.md §2: ≈ 0.75 σ) */
  spread_k: [0, 20, 0.75],
  horizon_s: [0.01, 600, 1],
  min_half_spread_bp: [0, 1000, 0.3],
  /** scenario knob: multiplies the half-spread */
  spread_mult: [0.1, 1000, 1],
  /** the makers' fair-value estimate lags the true value by lag_min..lag_max ms (one per maker) */
  lag_min_ms: [0, 60_000, 200],
  lag_max_ms: [0, 60_000, 1200],
  /** stationary sd of each maker's estimate error (OU, 30 s), bp */
  noise_bp: [0, 1000, 0.3],
  /** mean time between a maker's re-quotes, ms (exponential) */
  refresh_ms: [10, 600_000, 600],
  /** a resting level moves only when it is this far from its target, bp */
  requote_bp: [0, 1000, 0.25],
  /** half-life of the makers' volatility estimate, s */
  sigma_halflife_s: [1, 3600, 20],
  /** the volatility at which makers show their full size, bp/√s */
  calm_sigma_bp_s: [0.01, 1000, 0.8],
  /** size × (calm σ / σ̂)^thin_power above the calm σ */
  thin_power: [0, 5, 1],
  /** above this σ̂ a maker pulls its quotes (bp/√s) */
  withdraw_sigma_bp_s: [0.01, 10_000, 30],
  /** inventory (quote currency) at which a maker stops adding on that side */
  max_inventory_notional: [0, 1e12, 1_500_000],
  /** makers hedge their inventory elsewhere (other venues, perpetuals): it halves off-book every this many s (0 = never) */
  hedge_halflife_s: [0, 1e7, 120],
  /** reservation-price skew at max inventory, in half-spreads */
  skew: [0, 20, 1],
  /** scenario knob: percent of the normal depth shown (withdraw / restore move it) */
  depth_pct: [0, 100, 100],
} as const satisfies Spec;

export const NOISE_SPEC = {
  /** Hawkes base rate of taker orders per second (calm) */
  rate_per_s: [0, 10_000, 1.2],
  /** Hawkes branching ratio α/β (< 1): the share of orders triggered by earlier ones */
  branching: [0, 0.99, 0.6],
  /** Hawkes kernel decay time 1/β, s */
  decay_s: [0.001, 3600, 3],
  /** lognormal notional: median (quote currency) and σ of the log */
  median_notional: [0, 1e9, 2_000],
  size_sigma: [0, 5, 1],
  /** share of orders from the Pareto tail, its minimum and index */
  tail_pct: [0, 100, 5],
  tail_min_notional: [0, 1e12, 20_000],
  tail_alpha: [0.5, 10, 1.5],
  max_notional: [0, 1e12, 1_000_000],
  /** share of market orders; the rest are marketable IOC limits `slippage_bp` through the touch */
  market_pct: [0, 100, 50],
  slippage_bp: [0, 10_000, 3],
  /** never trade further than this from the fair value, bp: past it a market order becomes an IOC limit there */
  max_slip_bp: [0, 10_000, 100],
} as const satisfies Spec;

export const INFORMED_SPEC = {
  /** target share of taker orders that are informed (the toxicity knob) */
  share_pct: [0, 95, 10],
  /** how far ahead they see the fair value, ms */
  lead_ms: [0, 60_000, 2000],
  /** they take only quotes at least this much better than the future value, bp */
  edge_bp: [0, 1000, 0.3],
  median_notional: [0, 1e9, 5_000],
  size_sigma: [0, 5, 0.8],
} as const satisfies Spec;

export const MOMENTUM_SPEC = {
  /** checks per second (Poisson) */
  rate_per_s: [0, 1000, 0.1],
  lookback_s: [1, 3600, 60],
  /** trade when the lookback return exceeds this, bp */
  threshold_bp: [0, 10_000, 15],
  notional_per_bp: [0, 1e9, 1_000],
  max_notional: [0, 1e12, 200_000],
} as const satisfies Spec;

export const LIQUIDATION_SPEC = {
  /** open leveraged notional kept in the population (quote currency); 0 = no background population */
  open_notional: [0, 1e13, 20_000_000],
  /** share of the population that is long */
  long_pct: [0, 100, 60],
  /** leverage is drawn log-uniformly in [min, max] */
  leverage_min: [1, 1000, 5],
  leverage_max: [1, 1000, 50],
  /** maintenance margin: a position is liquidated this far before it loses all its margin, % of price */
  maintenance_pct: [0, 50, 0.5],
  median_notional: [0, 1e12, 20_000],
  /** the liquidation engine checks the mark (last trade) this often, ms */
  poll_ms: [1, 60_000, 250],
  /** largest market order it sends at a time (quote currency) */
  chunk_notional: [0, 1e12, 400_000],
  /** 1 = an unfilled remainder is closed off-book against the most profitable opposite positions (auto-deleveraging) */
  adl: [0, 1, 0],
  /** the population is topped up every replenish_s, by at most replenish_pct of open_notional at a time (leverage rebuilds slowly after a flush) */
  replenish_s: [1, 86_400, 60],
  replenish_pct: [0, 100, 5],
} as const satisfies Spec;

export const RIVAL_SPEC = {
  /** 1 = a fast rival maker joins or improves the best price */
  enabled: [0, 1, 0],
  refresh_ms: [1, 600_000, 100],
  notional: [0, 1e9, 20_000],
  /** never quotes closer than this to its (current, unlagged) fair value, bp */
  min_edge_bp: [0, 1000, 0.2],
  /** 1 = improve the best by a tick, 0 = join it */
  improve: [0, 1, 1],
} as const satisfies Spec;

export const IMPACT_SPEC = {
  /** permanent impact of $1M of taker flow on the fair value at normal depth, bp (Kyle's λ) */
  bp_per_million: [0, 10_000, 2],
  /** impact scales with normal / current maker depth, the ratio capped at this */
  max_depth_ratio: [1, 1000, 10],
  /** no single trade moves the fair value by more than this, bp */
  max_bp: [0, 10_000, 300],
  /**
   * Price discovery: a trade pulls the fair value toward its price by follow × its notional ÷ the
   * makers' shown depth (at most max_follow of the gap). Negligible in a deep book; in an emptied
   * one the prints of a cascade become the price.
   */
  follow: [0, 100, 0],
  max_follow: [0, 1, 0.02],
  /**
   * The impact fades with this time constant, s (0 = permanent): prices pushed away from the
   * fundamental by flow drift back (value buyers step in), which gives the partial recovery after a
   * cascade; the fundamental's own moves (diffusion, jumps, regimes) stay.
   */
  reversion_s: [0, 1e7, 900],
} as const satisfies Spec;

export const PROCESS_SPEC = {
  step_ms: [1, 60_000, 100],
  vol_of_vol: [0, 3, 0.3],
  vol_tau_s: [1, 86_400, 300],
  correlation: [-1, 1, 0.8],
} as const satisfies Spec;

export const REGIME_SPEC = {
  sigma_bp_s: [0, 1000, 0],
  drift_bp_min: [0, 10_000, 0],
  mean_reversion_per_min: [0, 100, 0],
  jumps_per_hour: [0, 100_000, 0],
  jump_mean_bp: [0, 10_000, 0],
  jump_down_p: [0, 1, 0.5],
  mean_duration_s: [1, 1e7, 600],
  flow_mult: [0, 1000, 1],
} as const satisfies Spec;

/**
 * Regime defaults (domain.md §2's table): calm and trending share a low
 * intraday σ, choppy and crisis a high one; choppy reverts (low daily vol),
 * trending drifts (high daily vol), crisis has frequent, mostly downward jumps.
 */
export const REGIME_DEFAULTS: Record<RegimeName, RegimeParams> = {
  calm: { sigma_bp_s: 0.8, drift_bp_min: 0, mean_reversion_per_min: 0, jumps_per_hour: 0.5, jump_mean_bp: 10, jump_down_p: 0.5, mean_duration_s: 1800, flow_mult: 1 },
  choppy: { sigma_bp_s: 2.5, drift_bp_min: 0, mean_reversion_per_min: 0.5, jumps_per_hour: 1, jump_mean_bp: 15, jump_down_p: 0.5, mean_duration_s: 900, flow_mult: 1.6 },
  trending: { sigma_bp_s: 0.9, drift_bp_min: 3, mean_reversion_per_min: 0, jumps_per_hour: 1, jump_mean_bp: 15, jump_down_p: 0.5, mean_duration_s: 1200, flow_mult: 1.3 },
  crisis: { sigma_bp_s: 5, drift_bp_min: 2, mean_reversion_per_min: 0, jumps_per_hour: 8, jump_mean_bp: 40, jump_down_p: 0.7, mean_duration_s: 300, flow_mult: 2.5 },
};

export type MakerParams = Values<typeof MAKER_SPEC>;
export type NoiseParams = Values<typeof NOISE_SPEC>;
export type InformedParams = Values<typeof INFORMED_SPEC>;
export type MomentumParams = Values<typeof MOMENTUM_SPEC>;
export type LiquidationParams = Values<typeof LIQUIDATION_SPEC>;
export type RivalParams = Values<typeof RIVAL_SPEC>;
export type ImpactParams = Values<typeof IMPACT_SPEC>;

export interface AgentParams {
  makers: MakerParams;
  noise: NoiseParams;
  informed: InformedParams;
  momentum: MomentumParams;
  liquidations: LiquidationParams;
  rival: RivalParams;
}

/** The groups a scenario's `agents` (and a timeline `set`) may hold. */
export const AGENT_SPECS: Readonly<Record<keyof AgentParams, Spec>> = {
  makers: MAKER_SPEC, noise: NOISE_SPEC, informed: INFORMED_SPEC, momentum: MOMENTUM_SPEC, liquidations: LIQUIDATION_SPEC, rival: RIVAL_SPEC,
};

export function defaults<S extends Spec>(spec: S): Values<S> {
  const out: Record<string, number> = {};
  for (const [k, r] of Object.entries(spec)) out[k] = r[2];
  return out as Values<S>;
}

export function defaultAgents(): AgentParams {
  return {
    makers: defaults(MAKER_SPEC), noise: defaults(NOISE_SPEC), informed: defaults(INFORMED_SPEC), momentum: defaults(MOMENTUM_SPEC),
    liquidations: defaults(LIQUIDATION_SPEC), rival: defaults(RIVAL_SPEC),
  };
}

export function defaultRegimes(): Record<RegimeName, RegimeParams> {
  const out = {} as Record<RegimeName, RegimeParams>;
  for (const r of REGIMES) out[r] = { ...REGIME_DEFAULTS[r] };
  return out;
}
