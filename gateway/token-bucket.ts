// A token bucket: `burst` requests at once, refilled at `perSec` a second.
// Used for market-data snapshot requests, per connection, per address
// (KeyedBuckets) and server-wide.

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

/** One key's bucket in KeyedBuckets, and when its client was told it may ask again (ms; 0: not refused). */
export interface KeyedBucket {
  readonly bucket: TokenBucket;
  refusedUntil: number;
  lastSeen: number;
}

/**
 * A token bucket per key (a remote address), in a table of at most `maxKeys`
 * entries: a key idle long enough to have its whole burst back (and not under
 * a refusal) needs no entry (a full bucket is what a new one is), so those are
 * forgotten first when the table is full, else the oldest.
 */
export class KeyedBuckets {
  private readonly byKey = new Map<string, KeyedBucket>();
  /** how long an idle key takes to get its whole burst back */
  private readonly refillMs: number;

  constructor(private readonly burst: number, private readonly perSec: number, private readonly maxKeys = 10_000) {
    this.refillMs = Math.ceil((burst * 1000) / perSec);
  }

  /** 0 when `key` may make a request now (and takes its token), else the milliseconds until it may. `now`: ms. */
  take(key: string, now: number): number {
    return this.entry(key, now).bucket.take(now);
  }

  /** `key`'s entry (made with a full bucket if there is none), marked as seen `now`. */
  entry(key: string, now: number): KeyedBucket {
    let k = this.byKey.get(key);
    if (k === undefined) {
      if (this.byKey.size >= this.maxKeys) this.forgetIdle(now);
      k = { bucket: new TokenBucket(this.burst, this.perSec, now), refusedUntil: 0, lastSeen: now };
      this.byKey.set(key, k);
    }
    k.lastSeen = now;
    return k;
  }

  /** Keys tracked now (at most maxKeys). */
  get tracked(): number {
    return this.byKey.size;
  }

  private forgetIdle(now: number): void {
    for (const [key, k] of this.byKey) if (now - k.lastSeen >= this.refillMs && now >= k.refusedUntil) this.byKey.delete(key);
    if (this.byKey.size >= this.maxKeys) this.byKey.delete(this.byKey.keys().next().value as string);
  }
}
