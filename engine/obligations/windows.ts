// Measurement windows in UTC, on integer microseconds since the epoch:
// hour, day, week (from Monday 00:00 UTC) and calendar month. No Date: the
// civil calendar is computed with integer arithmetic (H. Hinnant's
// days_from_civil / civil_from_days), so results are exact and deterministic.
import { floorDiv } from './arith.ts';
import { US_PER_DAY } from '../time.ts';

export type WindowKind = 'hour' | 'day' | 'week' | 'month';
export const WINDOW_KINDS: readonly WindowKind[] = ['hour', 'day', 'week', 'month'];

export const HOUR_US = 3_600_000_000;
export const DAY_US = US_PER_DAY;
export const WEEK_US = 7 * DAY_US;

/** days since 1970-01-01 of a proleptic Gregorian date (m 1–12) */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = floorDiv(yy, 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** the date of a day number: [year, month 1–12, day 1–31] */
export function civilFromDays(days: number): [number, number, number] {
  const z = days + 719_468;
  const era = floorDiv(z, 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

/** start (inclusive) of the window of `kind` containing t */
export function windowStart(kind: WindowKind, t: number): number {
  switch (kind) {
    case 'hour': return floorDiv(t, HOUR_US) * HOUR_US;
    case 'day': return floorDiv(t, DAY_US) * DAY_US;
    case 'week': {
      const d = floorDiv(t, DAY_US);
      // 1970-01-01 was a Thursday: (d + 3) mod 7 days since Monday
      return (d - (((d + 3) % 7) + 7) % 7) * DAY_US;
    }
    case 'month': {
      const [y, m] = civilFromDays(floorDiv(t, DAY_US));
      return daysFromCivil(y, m, 1) * DAY_US;
    }
  }
}

/** end (exclusive) of the window of `kind` that starts at `start` */
export function windowEnd(kind: WindowKind, start: number): number {
  switch (kind) {
    case 'hour': return start + HOUR_US;
    case 'day': return start + DAY_US;
    case 'week': return start + WEEK_US;
    case 'month': {
      const [y, m] = civilFromDays(floorDiv(start, DAY_US));
      return daysFromCivil(m === 12 ? y + 1 : y, m === 12 ? 1 : m + 1, 1) * DAY_US;
    }
  }
}

const p2 = (n: number): string => String(n).padStart(2, '0');

/**
 * A readable name of the window starting at `start`: "2023-11-14T09" (hour),
 * "2023-11-14" (day), "2023-W46" (ISO week), "2023-11" (month).
 */
export function windowLabel(kind: WindowKind, start: number): string {
  const days = floorDiv(start, DAY_US);
  const [y, m, d] = civilFromDays(days);
  switch (kind) {
    case 'hour': return `${y}-${p2(m)}-${p2(d)}T${p2(Math.floor((start - days * DAY_US) / HOUR_US))}`;
    case 'day': return `${y}-${p2(m)}-${p2(d)}`;
    case 'month': return `${y}-${p2(m)}`;
    case 'week': {
      // ISO 8601: the week belongs to the year of its Thursday
      const [ty] = civilFromDays(days + 3);
      const week = Math.floor((days + 3 - daysFromCivil(ty, 1, 1)) / 7) + 1;
      return `${ty}-W${p2(week)}`;
    }
  }
}
