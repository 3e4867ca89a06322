// Market-wide circuit breaker (US equities: −7 % and −13 % from the previous
// close halt every instrument for 15 minutes, −20 % closes the market for the
// day). Watches one designated index instrument; each level fires at most once
// per (venue-local) day, and a fall straight past several levels fires the
// deepest that may fire now: a level can be limited to a local time window
// (US: levels 1 and 2 only 09:30–15:25 New York time, level 3 at any time).
import { ConfigError, type Instrument } from '../instrument.ts';
import type { MarketWideConfig } from './config.ts';
import { timeOfDay } from './phases.ts';
import { US_PER_DAY, zoneClock, type ZoneClock } from '../time.ts';


export interface BreakerLevel {
  drop_bp: number;
  /** 0 = close for the day */
  halt_ms: number;
  /** local time of day (µs) window [from, until) in which the level may fire */
  from: number;
  until: number;
}

export class MarketWide {
  readonly index: number;
  readonly indexSymbol: string;
  private readonly levels: BreakerLevel[];
  /** the deepest level fired today (-1 = none) and the day it refers to */
  private fired = -1;
  private day = -1;
  private readonly clock: ZoneClock;

  constructor(cfg: MarketWideConfig, instruments: readonly Instrument[]) {
    const where = 'rules.market_wide';
    if (typeof cfg !== 'object' || cfg === null) throw new ConfigError(where, 'must be an object');
    const inst = instruments.find((i) => i.symbol === cfg.index);
    if (!inst) throw new ConfigError(`${where}.index`, `unknown instrument ${JSON.stringify(cfg.index)}`);
    this.index = inst.index;
    this.indexSymbol = inst.symbol;
    if (!Array.isArray(cfg.levels) || cfg.levels.length === 0) throw new ConfigError(`${where}.levels`, 'must be a non-empty array');
    this.levels = cfg.levels.map((l, i) => {
      const at = `${where}.levels[${i}]`;
      if (!Number.isSafeInteger(l?.drop_bp) || l.drop_bp < 1 || l.drop_bp >= 10_000) throw new ConfigError(`${at}.drop_bp`, 'must be an integer in [1, 9999]');
      if (!Number.isSafeInteger(l.halt_ms) || l.halt_ms < 0 || l.halt_ms > 86_400_000) throw new ConfigError(`${at}.halt_ms`, 'must be an integer in [0, 86400000] (0 = close for the day)');
      if (i > 0 && l.drop_bp <= cfg.levels[i - 1].drop_bp) throw new ConfigError(`${at}.drop_bp`, 'levels must ascend');
      const from = l.from === undefined ? 0 : timeOfDay(l.from, `${at}.from`);
      const until = l.until === undefined ? US_PER_DAY : timeOfDay(l.until, `${at}.until`);
      if (until <= from) throw new ConfigError(`${at}.until`, 'must be after from');
      return { drop_bp: l.drop_bp, halt_ms: l.halt_ms, from, until };
    });
    const clock = zoneClock(cfg.time_zone ?? 'UTC');
    if (clock === null) throw new ConfigError(`${where}.time_zone`, `must be an IANA time zone such as "America/New_York", got ${JSON.stringify(cfg.time_zone)}`);
    this.clock = clock;
  }

  /** The level that fires now for the index at `price` (null = none): the deepest reached, open now and not yet fired today. */
  trip(price: number, previousClose: number, now: number): BreakerLevel | null {
    const day = this.clock.day(now);
    if (day !== this.day) {
      this.day = day;
      this.fired = -1;
    }
    if (previousClose === 0 || price === 0 || price >= previousClose) return null;
    let hit = -1;
    // exact: (pc − price) / pc ≥ drop_bp / 10,000
    const tod = this.clock.timeOfDay(now);
    for (let i = 0; i < this.levels.length; i++) {
      const l = this.levels[i];
      if ((previousClose - price) * 10_000 >= l.drop_bp * previousClose && tod >= l.from && tod < l.until) hit = i;
    }
    if (hit <= this.fired) return null;
    this.fired = hit;
    return this.levels[hit];
  }
}
