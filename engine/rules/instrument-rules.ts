// The rule state of one instrument: its phase and timers (schedule, timed
// halt, LULD limit state), its price controls, and its per-instrument
// settings from the config.
import { ConfigError, type Instrument, type InstrumentConfig } from '../instrument.ts';
import { TradingPhase } from '../types.ts';
import type { PhaseCause } from '../events.ts';
import type { Uncross } from './auction.ts';
import { InstrumentCrosses } from './crosses.ts';
import { Schedule } from './phases.ts';
import { PriceControls } from './price-controls.ts';

const NEVER = Number.MAX_SAFE_INTEGER;

/** Rule state of one instrument. */
export class InstrumentRules {
  phase: TradingPhase = TradingPhase.CONTINUOUS;
  readonly controls: PriceControls;
  readonly schedule: Schedule | null;
  readonly minQuoteLifeUs: number;
  readonly auctionStp: boolean;
  readonly haltCancelsQuotes: boolean;
  nextScheduled = NEVER;
  /** a timed halt (or a market-wide close) ends here: reopening auction (0 = none) */
  haltUntil = 0;
  /** the phase a halt interrupted (a halt in the closing auction still ends in the closing cross) */
  haltedFrom: TradingPhase = TradingPhase.CONTINUOUS;
  /** LULD limit state: when it started (0 = not in it) */
  limitStateSince = 0;
  /** a halt decided during matching, applied when the command ends */
  pendingHalt: PhaseCause | 0 = 0;
  /** no price control is configured (no band, no daily limits, no LULD): orders pass them untouched */
  readonly quiet: boolean;
  /** on-open / on-close orders, auction collars and extensions (null = none configured) */
  readonly crosses: InstrumentCrosses | null;
  /** the last indicative uncross published */
  readonly shown: Uncross = { price: 0, qty: 0, surplus: 0, surplusSide: 0 };
  shownFar = 0;

  constructor(readonly inst: Instrument, cfg: InstrumentConfig) {
    const where = `instruments[${inst.index}].rules`;
    const r = cfg.rules ?? {};
    if (typeof r !== 'object' || r === null) throw new ConfigError(where, 'must be an object');
    this.controls = new PriceControls(inst, r, where);
    this.schedule = r.schedule === undefined ? null : new Schedule(r.schedule, `${where}.schedule`, this.controls.clock);
    const life = r.min_quote_life_ms ?? 0;
    if (!Number.isSafeInteger(life) || life < 0 || life > 3_600_000) throw new ConfigError(`${where}.min_quote_life_ms`, 'must be an integer in [0, 3600000]');
    this.minQuoteLifeUs = life * 1000;
    this.auctionStp = flag(r.auction_stp, `${where}.auction_stp`, false);
    this.haltCancelsQuotes = flag(r.halt_cancels_quotes, `${where}.halt_cancels_quotes`, true);
    this.crosses = r.crosses === undefined ? null : new InstrumentCrosses(r.crosses, inst, this.controls.clock as NonNullable<PriceControls['clock']>, `${where}.crosses`);
    const c = this.controls;
    this.quiet = !c.hasStaticBand && c.luld === null && r.daily_limit_bp === undefined;
  }

  nextTimer(): number {
    let t = this.nextScheduled;
    if (this.haltUntil !== 0 && this.haltUntil < t) t = this.haltUntil;
    const luld = this.controls.luld;
    if (this.limitStateSince !== 0 && luld !== null && this.limitStateSince + luld.limitStateUs < t) t = this.limitStateSince + luld.limitStateUs;
    const cx = this.crosses;
    if (cx !== null) {
      if (cx.extendUntil !== 0 && cx.extendUntil < t) t = cx.extendUntil;
      if (cx.nextPublish < t) t = cx.nextPublish;
    }
    return t;
  }
}

function flag(v: unknown, field: string, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new ConfigError(field, 'must be true or false');
  return v;
}
