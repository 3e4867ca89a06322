// Exact decimal text ⇄ integer units. The wire carries prices, quantities and
// money as integers in an instrument's scale ("123.45" at scale 2 is 12345);
// users think in decimal strings. Converting through a float would turn
// "0.1" + "0.2" into 0.30000000000000004, so this never touches floating point.
import { formatUnits, parseUnits } from '../engine/money.ts';

export class DecimalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecimalError';
  }
}

/**
 * A decimal string to integer units at `scale` decimals: ("123.45", 2) → 12345.
 * Accepts an optional minus sign, digits, and an optional fraction; trailing
 * zeros beyond the scale are fine ("1.50" at scale 1 is exact), any other
 * extra digit is refused rather than rounded — silently moving a price or a
 * quantity is worse than an error. Throws DecimalError.
 */
export function toUnits(text: string, scale: number): number {
  if (typeof text !== 'string') throw new DecimalError(`expected a decimal string, got ${typeof text}`);
  const m = /^-?\d+(?:\.(\d+))?$/.exec(text);
  if (!m) throw new DecimalError(`not a decimal number: ${JSON.stringify(text)}`);
  const frac = m[1] ?? '';
  let exact = text;
  if (frac.length > scale) {
    // Only zeros may be dropped: "1.2300" at scale 2 is 1.23, "1.234" is not representable.
    const extra = frac.slice(scale);
    if (/[^0]/.test(extra)) throw new DecimalError(`${text} has more than ${scale} decimal${scale === 1 ? '' : 's'}`);
    exact = text.slice(0, text.length - extra.length - (scale === 0 ? 1 : 0));
  }
  const units = parseUnits(exact, scale);
  if (units === null) throw new DecimalError(`${text} is too large to be exact (beyond 2^53 units)`);
  return units;
}

/** Integer units at `scale` decimals to a decimal string: (12345, 2) → "123.45", (-5, 3) → "-0.005". */
export function fromUnits(units: number | bigint, scale: number): string {
  if (typeof units === 'bigint') return formatUnits(units, scale);
  if (!Number.isSafeInteger(units)) throw new DecimalError(`${units} is not an integer number of units`);
  // a safe integer prints exactly without BigInt (every report converts a dozen of these)
  const digits = String(Math.abs(units)).padStart(scale + 1, '0');
  const int = digits.slice(0, digits.length - scale);
  return (units < 0 ? '-' : '') + (scale > 0 ? `${int}.${digits.slice(digits.length - scale)}` : int);
}

/** A money total sent as a decimal integer string of cash units (it may pass 2^53) to a decimal string. */
export function fromUnitsText(unitsText: string, scale: number): string {
  if (!/^-?\d+$/.test(unitsText)) throw new DecimalError(`not an integer string: ${JSON.stringify(unitsText)}`);
  return formatUnits(BigInt(unitsText), scale);
}
