// Engine time is integer microseconds since the epoch (it arrives with each command).

export const US_PER_DAY = 86_400_000_000;

/** The UTC day number of a time (days since 1970-01-01). */
export const utcDay = (t: number): number => Math.floor(t / US_PER_DAY);

const US_PER_MS = 1000;
/** Zone offsets change at most on quarter hours: one offset holds for a whole quarter hour. */
const US_PER_QUARTER = 900_000_000;

/**
 * Local time in an IANA time zone (e.g. America/New_York), daylight saving
 * included, from the time-zone data built into the runtime (Intl): a pure
 * function of the time. The offset is cached per quarter hour, so a venue
 * clock asked many times a second formats a date at most once per quarter.
 */
export class ZoneClock {
  private readonly fmt: Intl.DateTimeFormat | null;
  private quarter = Number.NaN;
  private offsetUs = 0;

  /** Throws RangeError for a zone the runtime does not know. */
  constructor(readonly zone: string) {
    this.fmt = zone === 'UTC' ? null : new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  }

  /** local − UTC at time t, µs (−4 h = −14,400,000,000 in New York summer). */
  offset(t: number): number {
    if (this.fmt === null) return 0;
    const q = Math.floor(t / US_PER_QUARTER);
    if (q !== this.quarter) {
      const start = q * US_PER_QUARTER;
      const p: Record<string, number> = {};
      for (const part of this.fmt.formatToParts(new Date(start / US_PER_MS))) p[part.type] = Number(part.value);
      const local = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) * US_PER_MS;
      this.quarter = q;
      this.offsetUs = local - start;
    }
    return this.offsetUs;
  }

  /** Local wall-clock time as µs since 1970-01-01 local (so % US_PER_DAY is the local time of day). */
  local(t: number): number {
    return t + this.offset(t);
  }

  /** µs after local midnight. */
  timeOfDay(t: number): number {
    const l = this.local(t);
    return l - Math.floor(l / US_PER_DAY) * US_PER_DAY;
  }

  /** The local day number. */
  day(t: number): number {
    return Math.floor(this.local(t) / US_PER_DAY);
  }
}

/** A time-zone name the runtime knows (IANA, or UTC), else null. */
export function zoneClock(zone: unknown): ZoneClock | null {
  if (typeof zone !== 'string' || zone.length === 0 || zone.length > 64) return null;
  try {
    return new ZoneClock(zone);
  } catch {
    return null;
  }
}
