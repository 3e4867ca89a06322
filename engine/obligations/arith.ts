// Exact integer helpers for the obligation meter: floor/ceil division, product
// comparisons and a non-negative sum of products that never loses a unit
// (time integrals of spread and size run past 2^53 within a day). Every
// function has a plain-number fast path and falls back to BigInt only when a
// product leaves the safe range, so the hot path allocates nothing.

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** floor(a / b) for safe integers, b > 0; exact (a float quotient may round across an integer). */
export function floorDiv(a: number, b: number): number {
  let q = Math.floor(a / b);
  const r = a - q * b;
  if (r < 0) q--;
  else if (r >= b) q++;
  return q;
}

/** ceil(a / b) for safe integers, b > 0; exact. */
export const ceilDiv = (a: number, b: number): number => -floorDiv(-a, b);

/** floor(a × b / c) for non-negative safe integers, c > 0; exact. */
export function mulDivFloor(a: number, b: number, c: number): number {
  const p = a * b;
  if (p <= MAX_SAFE) return floorDiv(p, c);
  return Number((BigInt(a) * BigInt(b)) / BigInt(c));
}

/** ceil(a × b / c) for non-negative safe integers, c > 0; exact. */
export function mulDivCeil(a: number, b: number, c: number): number {
  const p = a * b;
  if (p <= MAX_SAFE) return ceilDiv(p, c);
  const n = BigInt(a) * BigInt(b);
  const d = BigInt(c);
  return Number((n + d - 1n) / d);
}

/** a × b > c × d for non-negative safe integers; exact. */
export function productGt(a: number, b: number, c: number, d: number): boolean {
  const l = a * b;
  const r = c * d;
  if (l <= MAX_SAFE && r <= MAX_SAFE) return l > r;
  return BigInt(a) * BigInt(b) > BigInt(c) * BigInt(d);
}

/** a × b × c < m for non-negative safe integers; exact. */
export function product3Lt(a: number, b: number, c: number, m: number): boolean {
  const p = a * b * c;
  if (p <= MAX_SAFE) return p < m;
  return BigInt(a) * BigInt(b) * BigInt(c) < BigInt(m);
}

/**
 * An exact non-negative running sum (of products): value = big + lo. `lo` takes
 * every addition while it stays safe; the BigInt part is touched only when it
 * would not (at most once per 2^53 of sum, or for a product past 2^53).
 */
export class WideSum {
  lo = 0;
  big = 0n;

  addProduct(a: number, b: number): void {
    const p = a * b;
    if (p <= MAX_SAFE) {
      const s = this.lo + p;
      if (s <= MAX_SAFE) { this.lo = s; return; }
      this.big += BigInt(this.lo) + BigInt(p);
      this.lo = 0;
      return;
    }
    this.big += BigInt(a) * BigInt(b);
  }

  addSum(o: WideSum): void {
    const s = this.lo + o.lo;
    if (s <= MAX_SAFE) this.lo = s;
    else { this.big += BigInt(this.lo) + BigInt(o.lo); this.lo = 0; }
    if (o.big !== 0n) this.big += o.big;
  }

  reset(): void {
    this.lo = 0;
    this.big = 0n;
  }

  value(): bigint {
    return this.big + BigInt(this.lo);
  }

  /** floor(value / d), d > 0 */
  floorDiv(d: number): number {
    if (this.big === 0n) return floorDiv(this.lo, d);
    return Number(this.value() / BigInt(d));
  }

  toString(): string {
    return this.value().toString();
  }
}

/** ppm (parts per million, i.e. 10^-4 %) as a percentage with three decimals, truncated: 899_999 → "89.999". */
export function ppmToPct(ppm: number): string {
  const milli = Math.floor(ppm / 10);
  return `${Math.floor(milli / 1000)}.${String(milli % 1000).padStart(3, '0')}`;
}

/** floor(1e6 × part / whole); null when whole is 0 (nothing measured). */
export const ratioPpm = (part: number, whole: number): number | null =>
  whole === 0 ? null : mulDivFloor(part, 1_000_000, whole);

/** part / whole ≥ ppm / 1e6, exactly; null when whole is 0. */
export const meetsPpm = (part: number, whole: number, ppm: number): boolean | null =>
  whole === 0 ? null : !productGt(ppm, whole, part, 1_000_000);
