// A Hawkes process with an exponential kernel: intensity
// λ(t) = μ + Σ α·e^{−β(t − tᵢ)} over past arrivals tᵢ. Arrivals cluster
// (each one raises the rate for a while), which gives the order flow the
// volatility clustering Poisson flow lacks (domain.md §8). Sampled exactly,
// without thinning (Dassios & Zhao 2013): the next arrival is the earlier of
// the base process's and the decaying excitation's own first event.
import type { Rng } from './rng.ts';

export class Hawkes {
  /** excitation α·Σ e^{−β(t − tᵢ)} at time `t` */
  private excitation = 0;
  private t = 0;

  /**
   * @param branching α/β, the mean number of arrivals each arrival triggers (< 1)
   * @param decayS 1/β in seconds
   */
  constructor(private readonly rng: Rng, private readonly branching: number, private readonly decayS: number, startS = 0) {
    this.t = startS;
  }

  /** Mean rate for base rate μ: μ / (1 − α/β). */
  static meanRate(mu: number, branching: number): number {
    return mu / (1 - branching);
  }

  /** Time (s) of the next arrival after the previous one, for base rate `mu` (per s); the arrival is counted. */
  next(mu: number): number {
    const beta = 1 / this.decayS;
    const u1 = 1 - this.rng.next();
    const s1 = mu > 0 ? -Math.log(u1) / mu : Infinity;
    let s2 = Infinity;
    if (this.excitation > 0) {
      const d = 1 + (beta * Math.log(1 - this.rng.next())) / this.excitation;
      if (d > 0) s2 = -Math.log(d) / beta;
    }
    const s = Math.min(s1, s2);
    if (s === Infinity) return Infinity;
    this.t += s;
    this.excitation = this.excitation * Math.exp(-beta * s) + this.branching * beta;
    return this.t;
  }

  /** Moves the clock without an arrival (e.g. after a pause); the excitation decays meanwhile. */
  skipTo(tS: number): void {
    if (tS <= this.t) return;
    this.excitation *= Math.exp(-(tS - this.t) / this.decayS);
    this.t = tS;
  }
}
