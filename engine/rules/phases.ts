// Trading phases: what each accepts, and the daily schedule.
//
// | phase            | new limit GTC/GTD | IOC/FOK/market | mass quote | amend / cancel | matching        |
// |------------------|-------------------|----------------|------------|----------------|-----------------|
// | CONTINUOUS       | yes               | yes            | yes        | yes            | on arrival      |
// | PRE_OPEN         | yes (collected)   | PHASE          | yes        | yes            | none            |
// | OPENING_AUCTION  | yes (collected)   | PHASE          | yes        | yes            | uncross at end  |
// | HALTED           | yes (collected)   | HALTED         | HALTED     | yes            | uncross at end  |
// | CLOSING_AUCTION  | yes (collected)   | PHASE          | yes        | yes            | uncross at end  |
// | CLOSED           | MARKET_CLOSED     | MARKET_CLOSED  | CLOSED     | cancel only    | none            |
//
// An IOC, FOK or market order cannot wait for an uncross, so call phases
// refuse it rather than let it rest; a halt also refuses mass quotes (a maker
// must not be left quoting blind into a reopening).
import { ConfigError } from '../instrument.ts';
import { OrdType, RejectReason, TimeInForce, TradingPhase } from '../types.ts';
import type { PhaseName } from './config.ts';
import { US_PER_DAY, type ZoneClock } from '../time.ts';


export const isCallPhase = (p: TradingPhase): boolean =>
  p === TradingPhase.PRE_OPEN || p === TradingPhase.OPENING_AUCTION || p === TradingPhase.HALTED || p === TradingPhase.CLOSING_AUCTION;

/** May a new order (or a mass quote side, quote = true) enter in this phase? */
export function admitsOrder(phase: TradingPhase, ordType: number, tif: number, quote: boolean): RejectReason | 0 {
  if (phase === TradingPhase.CONTINUOUS) return 0;
  if (phase === TradingPhase.CLOSED) return RejectReason.MARKET_CLOSED;
  const immediate = ordType === OrdType.MARKET || tif === TimeInForce.IOC || tif === TimeInForce.FOK;
  if (phase === TradingPhase.HALTED) return immediate || quote ? RejectReason.INSTRUMENT_HALTED : 0;
  return immediate ? RejectReason.PHASE : 0;
}

/** May an order be amended in this phase? (Cancels are always accepted.) */
export const admitsAmend = (phase: TradingPhase): RejectReason | 0 => (phase === TradingPhase.CLOSED ? RejectReason.MARKET_CLOSED : 0);

const PHASES: Record<PhaseName, TradingPhase> = {
  PRE_OPEN: TradingPhase.PRE_OPEN,
  OPENING_AUCTION: TradingPhase.OPENING_AUCTION,
  CONTINUOUS: TradingPhase.CONTINUOUS,
  HALTED: TradingPhase.HALTED,
  CLOSING_AUCTION: TradingPhase.CLOSING_AUCTION,
  CLOSED: TradingPhase.CLOSED,
};

export function phaseByName(name: unknown): TradingPhase | undefined {
  return typeof name === 'string' && Object.hasOwn(PHASES, name) ? PHASES[name as PhaseName] : undefined;
}

/** "HH:MM" or "HH:MM:SS" → µs after midnight. */
export function timeOfDay(v: unknown, field: string): number {
  const m = typeof v === 'string' ? /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/.exec(v) : null;
  if (!m) throw new ConfigError(field, `must be a time "HH:MM" or "HH:MM:SS", got ${JSON.stringify(v)}`);
  return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3] ?? 0)) * 1_000_000;
}

/** A repeating daily schedule of phase changes, in local time of a zone (UTC without one). */
export class Schedule {
  private readonly at: number[] = [];
  private readonly phases: TradingPhase[] = [];

  constructor(entries: unknown, where: string, private readonly clock: ZoneClock | null = null) {
    if (!Array.isArray(entries) || entries.length === 0) throw new ConfigError(where, 'must be a non-empty array of {at, phase}');
    entries.forEach((e: { at?: unknown; phase?: unknown }, i) => {
      const t = timeOfDay(e?.at, `${where}[${i}].at`);
      const p = phaseByName(e?.phase);
      if (p === undefined || p === TradingPhase.HALTED) {
        throw new ConfigError(`${where}[${i}].phase`, `must be one of PRE_OPEN, OPENING_AUCTION, CONTINUOUS, CLOSING_AUCTION, CLOSED, got ${JSON.stringify(e?.phase)}`);
      }
      if (i > 0 && t <= this.at[i - 1]) throw new ConfigError(`${where}[${i}].at`, 'times must ascend');
      this.at.push(t);
      this.phases.push(p);
    });
  }

  /** The scheduled phase at time t (the last entry at or before t's time of day, else the day's last entry). */
  phaseAt(t: number): TradingPhase {
    const tod = this.clock === null ? t % US_PER_DAY : this.clock.timeOfDay(t);
    let p = this.phases[this.phases.length - 1];
    for (let i = 0; i < this.at.length && this.at[i] <= tod; i++) p = this.phases[i];
    return p;
  }

  /** The first scheduled change strictly after t. */
  nextAfter(t: number): { time: number; phase: TradingPhase } {
    const c = this.clock;
    const local = c === null ? t : c.local(t);
    const tod = local - Math.floor(local / US_PER_DAY) * US_PER_DAY;
    const day = local - tod;
    let i = this.at.findIndex((a) => a > tod);
    const target = i < 0 ? day + US_PER_DAY + this.at[0] : day + this.at[i];
    if (i < 0) i = 0;
    if (c === null) return { time: target, phase: this.phases[i] };
    // local → UTC with the offset at the target (daylight saving may change in between)
    const utc = target - c.offset(target - c.offset(t));
    return { time: utc > t ? utc : t + 1, phase: this.phases[i] };
  }
}
