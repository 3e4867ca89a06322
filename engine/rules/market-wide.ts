// Market-wide circuit breaker (US equities: −7 % and −13 % from the previous
// close halt every instrument for 15 minutes, −20 % closes the market for the
// day). Watches one designated index instrument; each level fires at most once
// per UTC day, and a fall straight past several levels fires the deepest.
import { ConfigError, type Instrument } from '../instrument.ts';
import type { MarketWideConfig } from './config.ts';
import { utcDay } from '../time.ts';


export interface BreakerLevel {
  drop_bp: number;
  /** 0 = close for the day */
  halt_ms: number;
}

export class MarketWide {
  readonly index: number;
  readonly indexSymbol: string;
  private readonly levels: BreakerLevel[];
  /** the deepest level fired today (-1 = none) and the day it refers to */
  private fired = -1;
  private day = -1;

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
      return { drop_bp: l.drop_bp, halt_ms: l.halt_ms };
    });
  }

  /** The level that fires now for the index at `price` (null = none): the deepest reached and not yet fired today. */
  trip(price: number, previousClose: number, now: number): BreakerLevel | null {
    const day = utcDay(now);
    if (day !== this.day) {
      this.day = day;
      this.fired = -1;
    }
    if (previousClose === 0 || price === 0 || price >= previousClose) return null;
    let hit = -1;
    // exact: (pc − price) / pc ≥ drop_bp / 10,000
    for (let i = 0; i < this.levels.length; i++) if ((previousClose - price) * 10_000 >= this.levels[i].drop_bp * previousClose) hit = i;
    if (hit <= this.fired) return null;
    this.fired = hit;
    return this.levels[hit];
  }
}
