// The latent fair value of every simulated instrument: a jump-diffusion in log
// price with regime switching (domain.md §2: calm, choppy, trending, crisis),
// a slowly varying volatility factor, optional correlation between
// instruments, and the permanent price impact of taker flow (Kyle's λ).
//
// The path is generated ahead of time in fixed steps and kept in a ring that
// reaches `lagUs` into the past and `leadUs` into the future: makers read it
// late (a lagged estimate), informed takers early (they "know" the next
// seconds). Scripted regime changes and jumps are known in advance (the
// scenario's timeline), so the look-ahead includes them; the impact of trades
// is not (nobody can foresee flow), so it is kept apart and recorded per step.
import type { Rng } from './rng.ts';

export const REGIMES = ['calm', 'choppy', 'trending', 'crisis'] as const;
export type RegimeName = (typeof REGIMES)[number];

export interface RegimeParams {
  /** diffusion volatility, bp per √second (0.8 bp/√s ≈ 45 % a year) */
  sigma_bp_s: number;
  /** |drift| in bp per minute; its sign is drawn when the regime starts (trending) */
  drift_bp_min: number;
  /** pull toward the price at the regime's start, per minute (choppy: mean-reverting) */
  mean_reversion_per_min: number;
  /** Poisson rate of jumps per hour */
  jumps_per_hour: number;
  /** mean absolute jump size, bp (double-exponential sizes) */
  jump_mean_bp: number;
  /** probability that a jump is down */
  jump_down_p: number;
  /** mean duration when switching is Markov, s */
  mean_duration_s: number;
  /** multiplier on the takers' arrival rates (volume rises with volatility) */
  flow_mult: number;
}

export interface PriceProcessParams {
  /** generation step, ms */
  step_ms: number;
  /** volatility factor exp(h), h an OU process with this stationary sd (0 = off) */
  vol_of_vol: number;
  /** relaxation time of h, s */
  vol_tau_s: number;
  /** correlation of the instruments' diffusions (one common factor) */
  correlation: number;
  regimes: Record<RegimeName, RegimeParams>;
}

/** A scripted change the process applies when its generation reaches `at`. */
export type ScriptedShock =
  | { at: number; kind: 'regime'; regime: RegimeName }
  | { at: number; kind: 'jump'; symbol: string | null; bp: number };

export interface InstrumentPath {
  symbol: string;
  /** starting fair value, price units */
  start: number;
  /** multiplier on every regime's σ for this instrument */
  sigma_mult: number;
}

const LN_BP = 1e-4;

export class PriceProcess {
  readonly symbols: readonly string[];
  private readonly n: number;
  private readonly stepUs: number;
  private readonly cap: number;
  /** log fair value (exogenous part) per step, ring × instruments */
  private readonly x: Float64Array;
  /** impact offset in force at each generated past step */
  private readonly m: Float64Array;
  /** regime index per step */
  private readonly reg: Uint8Array;
  /** index of the last generated step, and of the step "now" */
  private kGen: number;
  private kNow: number;
  private readonly t0: number;
  /** current impact offset per instrument (log) */
  private readonly impact: Float64Array;
  /** state of generation */
  private regime = 0;
  private regimeEnd = Infinity;
  private drift = 0;
  private readonly anchor: Float64Array;
  private h = 0;
  private shockIdx = 0;
  private readonly sigmaMult: Float64Array;
  private readonly bySymbol = new Map<string, number>();
  private readonly zScratch: Float64Array;

  constructor(
    private readonly p: PriceProcessParams,
    paths: readonly InstrumentPath[],
    startUs: number,
    private readonly rng: Rng,
    /** how far back (µs) a reader may look */
    lagUs: number,
    /** how far ahead (µs) a reader may look */
    private readonly leadUs: number,
    /** regime changes and jumps of the scenario, sorted by time */
    private readonly shocks: readonly ScriptedShock[],
    initialRegime: RegimeName,
    /** false = regimes change only by script */
    private readonly markov: boolean,
  ) {
    this.n = paths.length;
    this.symbols = paths.map((q) => q.symbol);
    paths.forEach((q, i) => this.bySymbol.set(q.symbol, i));
    this.stepUs = Math.max(1000, Math.round(p.step_ms * 1000));
    this.cap = Math.ceil((lagUs + leadUs) / this.stepUs) + 4;
    this.x = new Float64Array(this.cap * this.n);
    this.m = new Float64Array(this.cap * this.n);
    this.reg = new Uint8Array(this.cap);
    this.impact = new Float64Array(this.n);
    this.anchor = new Float64Array(this.n);
    this.sigmaMult = new Float64Array(paths.map((q) => q.sigma_mult));
    this.zScratch = new Float64Array(this.n);
    this.t0 = startUs;
    for (let i = 0; i < this.n; i++) this.x[i] = this.anchor[i] = Math.log(paths[i].start);
    this.kGen = 0;
    this.kNow = 0;
    this.enterRegime(REGIMES.indexOf(initialRegime), startUs);
    this.applyShocks(startUs);
    this.reg[0] = this.regime;
  }

  /** Index of the instrument, or -1. */
  index(symbol: string): number {
    return this.bySymbol.get(symbol) ?? -1;
  }

  /** The fair value at `t` (µs, at most `leadUs` ahead of the latest `advance`), price units (not on the tick grid). */
  value(i: number, t: number): number {
    return Math.exp(this.logValue(i, t));
  }

  logValue(i: number, t: number): number {
    let k = Math.floor((t - this.t0) / this.stepUs);
    if (k < 0) k = 0;
    if (k > this.kGen) this.generateTo(k);
    const oldest = this.kGen - this.cap + 1;
    if (k < oldest) k = oldest;
    const slot = (k % this.cap) * this.n + i;
    return this.x[slot] + (k <= this.kNow ? this.m[slot] : this.impact[i]);
  }

  /** The regime at step time `t`. */
  regimeAt(t: number): RegimeName {
    let k = Math.floor((t - this.t0) / this.stepUs);
    if (k > this.kGen) this.generateTo(k);
    if (k < this.kGen - this.cap + 1) k = this.kGen - this.cap + 1;
    return REGIMES[this.reg[Math.max(0, k) % this.cap]];
  }

  /**
   * Moves "now" to `t`: steps up to it become the past (their impact offset is frozen), the
   * look-ahead is generated, and the impact fades by `impactDecay` per step (1 = permanent).
   */
  advance(t: number, impactDecay = 1): void {
    const k = Math.floor((t - this.t0) / this.stepUs);
    if (k + Math.ceil(this.leadUs / this.stepUs) > this.kGen) this.generateTo(k + Math.ceil(this.leadUs / this.stepUs));
    const steps = k - this.kNow;
    if (steps > 0 && impactDecay !== 1) {
      const f = Math.pow(impactDecay, steps);
      for (let i = 0; i < this.n; i++) this.impact[i] *= f;
    }
    while (this.kNow < k) {
      this.kNow++;
      const base = (this.kNow % this.cap) * this.n;
      for (let i = 0; i < this.n; i++) this.m[base + i] = this.impact[i];
    }
  }

  /** The factor per step for an impact that fades with time constant `tauS` (0 = permanent). */
  decayPerStep(tauS: number): number {
    return tauS > 0 ? Math.exp(-this.stepUs / 1e6 / tauS) : 1;
  }

  /** Permanent impact: shifts the instrument's fair value from now on by `bp` basis points. */
  shift(i: number, bp: number): void {
    this.impact[i] += bp * LN_BP;
    this.m[(this.kNow % this.cap) * this.n + i] = this.impact[i];
  }

  /** The current regime's parameters (at the latest `advance`). */
  regimeParams(t: number): RegimeParams {
    return this.p.regimes[this.regimeAt(t)];
  }

  private enterRegime(r: number, t: number): void {
    this.regime = r;
    const rp = this.p.regimes[REGIMES[r]];
    this.drift = rp.drift_bp_min * (this.rng.chance(0.5) ? 1 : -1);
    this.regimeEnd = this.markov ? t + this.rng.exp(rp.mean_duration_s) * 1e6 : Infinity;
    const base = (this.kGen % this.cap) * this.n;
    for (let i = 0; i < this.n; i++) this.anchor[i] = this.x[base + i];
  }

  private applyShocks(t: number): number {
    let jumpsFor = 0;
    while (this.shockIdx < this.shocks.length && this.shocks[this.shockIdx].at <= t) {
      const s = this.shocks[this.shockIdx++];
      if (s.kind === 'regime') this.enterRegime(REGIMES.indexOf(s.regime), t);
      else {
        const base = (this.kGen % this.cap) * this.n;
        for (let i = 0; i < this.n; i++) if (s.symbol === null || this.symbols[i] === s.symbol) this.x[base + i] += s.bp * LN_BP;
        jumpsFor++;
      }
    }
    return jumpsFor;
  }

  private generateTo(k: number): void {
    const p = this.p;
    const dt = this.stepUs / 1e6;
    const sqdt = Math.sqrt(dt);
    const rho = p.correlation;
    const idio = Math.sqrt(1 - rho * rho);
    const hDecay = p.vol_of_vol > 0 ? Math.exp(-dt / p.vol_tau_s) : 0;
    const hNoise = p.vol_of_vol * Math.sqrt(1 - hDecay * hDecay);
    const z = this.zScratch;
    while (this.kGen < k) {
      const prev = (this.kGen % this.cap) * this.n;
      this.kGen++;
      const t = this.t0 + this.kGen * this.stepUs;
      const cur = (this.kGen % this.cap) * this.n;
      for (let i = 0; i < this.n; i++) this.x[cur + i] = this.x[prev + i];
      if (t >= this.regimeEnd) this.enterRegime(this.nextMarkovRegime(), t);
      this.applyShocks(t);
      this.reg[this.kGen % this.cap] = this.regime;
      const rp = p.regimes[REGIMES[this.regime]];
      if (p.vol_of_vol > 0) this.h = this.h * hDecay + hNoise * this.rng.normal();
      const sig = rp.sigma_bp_s * LN_BP * Math.exp(this.h - 0.5 * p.vol_of_vol * p.vol_of_vol) * sqdt;
      const common = rho !== 0 ? this.rng.normal() : 0;
      for (let i = 0; i < this.n; i++) z[i] = rho * common + idio * this.rng.normal();
      const jump = rp.jumps_per_hour > 0 && this.rng.chance(rp.jumps_per_hour * dt / 3600);
      const jumpBp = jump ? this.rng.exp(rp.jump_mean_bp) * (this.rng.chance(rp.jump_down_p) ? -1 : 1) : 0;
      const kappa = rp.mean_reversion_per_min / 60;
      for (let i = 0; i < this.n; i++) {
        const xi = this.x[cur + i];
        const mr = kappa > 0 ? -kappa * (xi - this.anchor[i]) * dt : 0;
        this.x[cur + i] = xi + mr + (this.drift * LN_BP * dt) / 60 + sig * this.sigmaMult[i] * z[i] + jumpBp * this.sigmaMult[i] * LN_BP;
      }
      for (let i = 0; i < this.n; i++) this.m[cur + i] = this.impact[i];
    }
  }

  /** A different regime, uniformly among the other three. */
  private nextMarkovRegime(): number {
    const r = this.rng.int(0, REGIMES.length - 2);
    return r >= this.regime ? r + 1 : r;
  }
}
