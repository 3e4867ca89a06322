// A token bucket: `burst` requests at once, refilled at `perSec` a second.
// Used for market-data snapshot requests, per connection and server-wide.

export class TokenBucket {
  private tokens: number;

  constructor(private readonly burst: number, private readonly perSec: number, private refilledAt: number) {
    this.tokens = burst;
  }

  /** 0 when a request may go now (and takes its token), else the milliseconds until one may. */
  take(now: number): number {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) * this.perSec) / 1000);
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens--;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) * 1000) / this.perSec);
  }
}
