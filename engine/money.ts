// Exact integer money. Every amount is an integer number of cash units
// (10^-cash_scale of the quote currency). Single fills are safe integers by
// construction (see instrument.ts); running totals use Accumulator, which
// never loses a unit however long the session runs.

const B = 2 ** 52;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** Fee rates are integers in units of 1e-6 (0.01 bp). */
export const RATE_DENOMINATOR = 1_000_000;

/** An exact running sum of safe integers, allocation-free: value = hi·2^52 + lo. */
export class Accumulator {
  hi = 0;
  lo = 0;

  add(n: number): void {
    const s = this.lo + n;
    // An exact sum below 2^52 in magnitude is the common case: one add, one compare.
    if (s < B && s > -B) {
      this.lo = s;
      return;
    }
    const nh = Math.trunc(n / B); // exact: B is a power of two
    let lo = this.lo + (n - nh * B);
    this.hi += nh;
    if (lo >= B) { lo -= B; this.hi++; } else if (lo <= -B) { lo += B; this.hi--; }
    this.lo = lo;
  }

  toBigInt(): bigint {
    return BigInt(this.hi) * BigInt(B) + BigInt(this.lo);
  }

  /** The value as a number; exact while it is within ±2^53. */
  toNumber(): number {
    return this.hi * B + this.lo;
  }
}

/**
 * Fee on a notional: rate × notional / 1e6, rounded up (toward +∞) to a cash
 * unit — in the venue's favour: a fee is never under-charged and a rebate
 * (negative rate) never over-paid. Exact for any safe notional.
 */
export function feeFor(notionalCash: number, rate: number): number {
  if (rate === 0) return 0;
  let q = Math.floor(notionalCash / RATE_DENOMINATOR);
  let r = notionalCash - q * RATE_DENOMINATOR;
  if (r < 0) { q--; r += RATE_DENOMINATOR; } // float division may round up near an integer
  return q * rate + Math.ceil((r * rate) / RATE_DENOMINATOR) + 0; // + 0 turns a -0 (rebate rounded away) into 0
}

/**
 * Fee per share: perShare cash units for each whole share (shareUnit quantity
 * units, 10^qty_scale) × qty, rounded up (toward +∞) to a cash unit like
 * feeFor. Exact: instrument.ts keeps |perShare| × max_qty a safe integer.
 */
export function perShareFee(qty: number, perShare: number, shareUnit: number): number {
  if (perShare === 0) return 0;
  const p = qty * perShare;
  if (shareUnit === 1) return p;
  let q = Math.floor(p / shareUnit);
  const r = p - q * shareUnit;
  if (r < 0) q--; else if (r >= shareUnit) q++; // float division may round across an integer
  return q + (p - q * shareUnit > 0 ? 1 : 0) + 0;
}

/** floor(a × b / c) for non-negative safe integers a, b and positive c; exact. */
export function mulDivFloor(a: number, b: number, c: number): number {
  const p = a * b;
  if (p <= MAX_SAFE) {
    let q = Math.floor(p / c);
    const r = p - q * c;
    if (r < 0) q--; else if (r >= c) q++;
    return q;
  }
  return Number((BigInt(a) * BigInt(b)) / BigInt(c));
}

/** An integer amount in units of 10^-scale as a decimal string: (12345, 3) → "12.345". */
export function formatUnits(value: number | bigint, scale: number): string {
  const v = BigInt(value);
  const neg = v < 0n;
  const digits = (neg ? -v : v).toString().padStart(scale + 1, '0');
  const int = digits.slice(0, digits.length - scale);
  const frac = scale > 0 ? '.' + digits.slice(digits.length - scale) : '';
  return (neg ? '-' : '') + int + frac;
}

/** A decimal string to integer units: ("12.345", 3) → 12345; null if malformed or too precise. */
export function parseUnits(text: string, scale: number): number | null {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return null;
  const frac = m[3] ?? '';
  if (frac.length > scale) return null;
  const v = Number(m[2] + frac.padEnd(scale, '0')) * (m[1] ? -1 : 1) + 0; // + 0: "-0" parses to 0
  return Number.isSafeInteger(v) ? v : null;
}
