// The Avellaneda–Stoikov market-making model (domain.md §2), pure maths:
//
//   reservation price  r = s − q·γ·σ²·(T − t)
//   optimal spread     δ = γ·σ²·(T − t) + (2/γ)·ln(1 + γ/κ)
//   quotes             r ± δ/2
//
// s = mid, q = inventory (long > 0), γ = risk aversion, σ = volatility,
// T − t = time left in the horizon, κ = how fast the fill rate decays with
// distance from the mid. The functions take any consistent units; the bot
// measures prices in ticks (so one set of defaults suits every instrument),
// time in seconds and inventory in multiples of its quote size.

export interface AsParams {
  /** risk aversion γ (> 0), per price unit */
  gamma: number;
  /** order-arrival decay κ (> 0), per price unit */
  kappa: number;
}

export interface AsQuote {
  reservation: number;
  spread: number;
  bid: number;
  ask: number;
}

/** r = s − q·γ·σ²·τ: a long position lowers both quotes so sells fill more easily, and vice versa. */
export function reservationPrice(mid: number, inventory: number, gamma: number, sigma: number, timeLeft: number): number {
  return mid - inventory * gamma * sigma * sigma * timeLeft;
}

/** δ = γ·σ²·τ + (2/γ)·ln(1 + γ/κ): the inventory-risk part shrinks as the horizon nears; the liquidity part stays. */
export function optimalSpread(gamma: number, sigma: number, timeLeft: number, kappa: number): number {
  return gamma * sigma * sigma * timeLeft + (2 / gamma) * Math.log1p(gamma / kappa);
}

/** Both quotes r ± δ/2 (unrounded). */
export function asQuotes(mid: number, inventory: number, sigma: number, timeLeft: number, p: AsParams): AsQuote {
  if (!(p.gamma > 0) || !(p.kappa > 0)) throw new RangeError('gamma and kappa must be positive');
  const reservation = reservationPrice(mid, inventory, p.gamma, sigma, timeLeft);
  const spread = optimalSpread(p.gamma, sigma, timeLeft, p.kappa);
  return { reservation, spread, bid: reservation - spread / 2, ask: reservation + spread / 2 };
}

/**
 * T − t for a bot that runs indefinitely: the horizon restarts every
 * `horizon` seconds (a trading "session" of that length), so the inventory
 * term decays to zero towards each session's end and then resets.
 */
export function timeLeft(nowSec: number, startSec: number, horizon: number): number {
  if (!(horizon > 0)) throw new RangeError('horizon must be positive');
  const elapsed = Math.max(0, nowSec - startSec) % horizon;
  return horizon - elapsed;
}

/**
 * σ from mid changes: an exponentially weighted mean of (Δmid)²/Δt, i.e. a
 * variance per second, so samples need not be evenly spaced. Until enough
 * samples are in it blends toward the configured initial σ, so one early
 * jump does not swing the quotes.
 */
export class VolatilityEstimator {
  private variance: number;
  private lastT: number | null = null;
  private lastMid = 0;
  private samples = 0;

  /**
   * @param initialSigma σ before any data, per √second
   * @param halfLifeSec the weight of a sample halves after this long
   * @param warmupSamples samples before the estimate stands on its own
   */
  constructor(private readonly initialSigma: number, private readonly halfLifeSec = 60, private readonly warmupSamples = 10) {
    this.variance = initialSigma * initialSigma;
  }

  /** A mid observed at time t (seconds). Samples at the same time or earlier are ignored. */
  observe(t: number, mid: number): void {
    if (this.lastT === null) {
      this.lastT = t;
      this.lastMid = mid;
      return;
    }
    const dt = t - this.lastT;
    if (!(dt > 0)) return;
    const d = mid - this.lastMid;
    const w = 1 - Math.pow(0.5, dt / this.halfLifeSec);
    this.variance = (1 - w) * this.variance + w * ((d * d) / dt);
    this.lastT = t;
    this.lastMid = mid;
    this.samples++;
  }

  /** Current σ per √second. */
  sigma(): number {
    const k = Math.min(1, this.samples / this.warmupSamples);
    const prior = this.initialSigma * this.initialSigma;
    return Math.sqrt(k * this.variance + (1 - k) * prior);
  }
}
