// Reconnect delays: exponential from an initial delay up to a cap, with a
// little jitter so many clients cut off together do not all knock at the
// same instant.

export interface ReconnectPolicy {
  /** first delay after a drop, ms (default 100) */
  initialDelayMs?: number;
  /** the longest delay, ms (default 5000) */
  maxDelayMs?: number;
  /** attempts before giving up; default Infinity (a bot should come back whenever the exchange does) */
  maxAttempts?: number;
  /** ± fraction of random spread on each delay (default 0.2; 0 = exact delays) */
  jitter?: number;
}

export class Backoff {
  private attempt = 0;
  private readonly initial: number;
  private readonly max: number;
  private readonly jitter: number;
  readonly maxAttempts: number;

  constructor(p: ReconnectPolicy = {}) {
    this.initial = p.initialDelayMs ?? 100;
    this.max = p.maxDelayMs ?? 5000;
    this.jitter = p.jitter ?? 0.2;
    this.maxAttempts = p.maxAttempts ?? Infinity;
  }

  /** Attempts made since the last success. */
  get attempts(): number {
    return this.attempt;
  }

  get exhausted(): boolean {
    return this.attempt >= this.maxAttempts;
  }

  /** The delay before the next attempt (and counts it). */
  next(): number {
    const base = Math.min(this.max, this.initial * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.round(base * (1 + this.jitter * (2 * Math.random() - 1)));
  }

  reset(): void {
    this.attempt = 0;
  }
}
