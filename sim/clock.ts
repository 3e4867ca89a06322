// The exchange clock: the time every command is stamped with, and so the time
// every timed rule (GTD, phases, halts, rate windows, programme windows) runs
// on. Three modes:
//   wall     exchange time is the wall time (the default);
//   scaled   exchange time = start + speed × elapsed wall time;
//   virtual  time moves only when told (a jump, or a simulation's scheduler).
// Pause, resume, speed and jump work in every mode; a change of speed, a
// pause or a jump turns a wall clock into a scaled one. Time never goes back.
// now() is on the order path: a few arithmetic operations, no allocation.

/** Microseconds since the epoch, from the machine's monotonic high-resolution clock. */
export const wallUs = (): number => Math.floor((performance.timeOrigin + performance.now()) * 1000);

export type ClockMode = 'wall' | 'scaled' | 'virtual';
export const CLOCK_MODES: readonly ClockMode[] = ['wall', 'scaled', 'virtual'];

export const MIN_SPEED = 0.1;
export const MAX_SPEED = 1000;
/** The latest exchange time a clock reaches (2200-01-01T00:00:00Z): µs stay safe integers with room for arithmetic. */
export const MAX_TIME_US = 7_258_118_400_000_000;

export type ClockErrorCode =
  | 'BACKWARD_JUMP' | 'SPEED_OUT_OF_RANGE' | 'TIME_OUT_OF_RANGE' | 'BAD_START_TIME' | 'BAD_TIME_ZONE' | 'JUMP_IN_PROGRESS' | 'BAD_CLOCK_FLAGS';

/** A refused clock operation; `code` names the rule, `message` says what was asked and what is allowed. */
export class ClockError extends Error {
  constructor(readonly code: ClockErrorCode, message: string) {
    super(message);
    this.name = 'ClockError';
  }
}

export interface ExchangeClockOptions {
  mode?: ClockMode;
  /** scaled: exchange seconds per wall second, MIN_SPEED..MAX_SPEED (default 1) */
  speed?: number;
  /** scaled and virtual: the exchange time to start at, µs (default: the wall time) */
  startUs?: number;
  /** start paused (time stands still until resume) */
  paused?: boolean;
  /** the wall clock in µs (tests inject their own) */
  wall?: () => number;
}

/** What happened to a clock, for listeners that re-plan (schedulers) or apply due timers (the exchange). */
export type ClockChange = 'pause' | 'resume' | 'speed' | 'jump';

/** Runs what is due up to `targetUs`, moving the clock to each due time with `advance` first (see ExchangeClock.setStepper). */
export type ClockStepper = (targetUs: number, advance: (us: number) => void) => void;

export interface ClockState {
  mode: ClockMode;
  /** exchange time, µs since the epoch */
  time_us: number;
  /** exchange time as ISO 8601 (UTC, µs) */
  time: string;
  speed: number;
  paused: boolean;
}

export class ExchangeClock {
  private modeNow: ClockMode;
  private speedNow: number;
  private pausedNow: boolean;
  /** exchange time at `anchorWall` */
  private anchorEx: number;
  private anchorWall: number;
  /** the latest time read: now() never returns less */
  private last: number;
  private stepper: ClockStepper | null = null;
  private jumping = false;
  private readonly listeners = new Set<(c: ClockChange) => void>();
  private readonly wall: () => number;

  constructor(opts: ExchangeClockOptions = {}) {
    this.wall = opts.wall ?? wallUs;
    this.modeNow = opts.mode ?? 'wall';
    const speed = opts.speed ?? 1;
    checkSpeed(speed);
    if (this.modeNow === 'wall' && (speed !== 1 || opts.startUs !== undefined)) this.modeNow = 'scaled';
    this.speedNow = speed;
    this.pausedNow = opts.paused === true;
    this.anchorWall = this.wall();
    const start = opts.startUs ?? Math.floor(this.anchorWall);
    checkTime(start);
    this.anchorEx = start;
    this.last = start;
  }

  /** Exchange time in µs since the epoch: an integer, never less than before. */
  readonly now = (): number => {
    if (this.pausedNow || this.modeNow === 'virtual') return this.last;
    const t = Math.floor(this.anchorEx + this.speedNow * (this.wall() - this.anchorWall));
    if (t > this.last) this.last = t < MAX_TIME_US ? t : MAX_TIME_US;
    return this.last;
  };

  get mode(): ClockMode {
    return this.modeNow;
  }

  get speed(): number {
    return this.speedNow;
  }

  get paused(): boolean {
    return this.pausedNow;
  }

  state(): ClockState {
    const t = this.now();
    return { mode: this.modeNow, time_us: t, time: isoUs(t), speed: this.speedNow, paused: this.pausedNow };
  }

  /** Wall µs until exchange time `us` at the current speed (0 if due; Infinity when paused or virtual). */
  wallDelayUs(us: number): number {
    const d = us - this.now();
    if (d <= 0) return 0;
    return this.pausedNow || this.modeNow === 'virtual' ? Infinity : d / this.speedNow;
  }

  pause(): void {
    if (this.pausedNow) return;
    this.reanchor();
    this.pausedNow = true;
    if (this.modeNow === 'wall') this.modeNow = 'scaled';
    this.emit('pause');
  }

  resume(): void {
    if (!this.pausedNow) return;
    this.reanchor();
    this.pausedNow = false;
    this.emit('resume');
  }

  setSpeed(speed: number): void {
    checkSpeed(speed);
    this.reanchor();
    this.speedNow = speed;
    if (this.modeNow === 'wall' && speed !== 1) this.modeNow = 'scaled';
    this.emit('speed');
  }

  /**
   * Moves exchange time forward to `us` (never back: a ClockError). A
   * stepper (the scheduler) first runs everything due by then, in time
   * order, each at its own time; a paused clock stays paused.
   */
  jumpTo(us: number): void {
    if (this.jumping) throw new ClockError('JUMP_IN_PROGRESS', 'a jump is already running (a timer cannot jump the clock)');
    checkTime(us);
    const now = this.now();
    if (us < now) throw new ClockError('BACKWARD_JUMP', `cannot jump back: ${isoUs(us)} is before the exchange time ${isoUs(now)}`);
    this.jumping = true;
    try {
      this.stepper?.(us, this.advance);
      this.advance(us);
    } finally {
      this.jumping = false;
    }
    if (this.modeNow === 'wall') this.modeNow = 'scaled';
    this.emit('jump');
  }

  /** jumpTo(now + deltaUs). */
  jumpBy(deltaUs: number): void {
    if (!Number.isFinite(deltaUs) || deltaUs < 0) throw new ClockError('BACKWARD_JUMP', `a jump must be forward: got ${deltaUs} µs`);
    this.jumpTo(Math.floor(this.now() + deltaUs));
  }

  /**
   * Sets exchange time to `us` if later (for a simulation's scheduler in
   * virtual mode, and for steppers during a jump): no event, no check beyond
   * monotonicity. Running clocks keep running from there.
   */
  readonly advance = (us: number): void => {
    us = Math.ceil(us);
    if (us <= this.now()) return;
    this.last = us < MAX_TIME_US ? us : MAX_TIME_US;
    this.anchorEx = this.last;
    this.anchorWall = this.wall();
  };

  /** The one component that runs timed work during a jump (a Scheduler on this clock); null to remove. */
  setStepper(s: ClockStepper | null): void {
    this.stepper = s;
  }

  /** Calls `fn` after every pause, resume, speed change and jump; returns the unsubscribe. */
  onChange(fn: (c: ClockChange) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Starts counting from now at the current speed, so a change applies from here on. */
  private reanchor(): void {
    this.anchorEx = this.now();
    this.anchorWall = this.wall();
  }

  private emit(c: ClockChange): void {
    for (const fn of this.listeners) fn(c);
  }
}

function checkSpeed(speed: number): void {
  if (typeof speed !== 'number' || !(speed >= MIN_SPEED && speed <= MAX_SPEED)) {
    throw new ClockError('SPEED_OUT_OF_RANGE', `speed must be a number from ${MIN_SPEED} to ${MAX_SPEED}, got ${speed}`);
  }
}

function checkTime(us: number): void {
  if (typeof us !== 'number' || !Number.isInteger(us) || us < 0 || us > MAX_TIME_US) {
    throw new ClockError('TIME_OUT_OF_RANGE', `time must be an integer number of µs from 0 to ${MAX_TIME_US} (${isoUs(MAX_TIME_US)}), got ${us}`);
  }
}

/** µs since the epoch as ISO 8601 UTC with six decimals, e.g. 2026-03-02T14:25:00.000000Z. */
export function isoUs(us: number): string {
  if (!Number.isFinite(us)) return String(us);
  const ms = Math.floor(us / 1000);
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 23)}${String(us - ms * 1000).padStart(3, '0')}Z`;
}

// ---- from the command line ----

/** The command line's clock flags, as given (`--clock`, `--speed`, `--start-time`). */
export interface ClockFlags {
  clock?: string;
  speed?: string;
  startTime?: string;
}

/**
 * The clock the flags ask for. `--speed` or `--start-time` alone mean
 * scaled; `--start-time` in HH:MM is read in `timeZone` (the venue's).
 * `holdScaled`: a scaled clock starts paused (the caller resumes it when its
 * server is up, so the start time is when trading can start).
 */
export function clockFromFlags(f: ClockFlags, timeZone: string, opts: { wall?: () => number; holdScaled?: boolean } = {}): ExchangeClock {
  const wall = opts.wall ?? wallUs;
  const mode = f.clock ?? (f.speed !== undefined || f.startTime !== undefined ? 'scaled' : 'wall');
  if (!(CLOCK_MODES as readonly string[]).includes(mode)) throw new ClockError('BAD_CLOCK_FLAGS', `--clock must be ${CLOCK_MODES.join('|')}, got '${mode}'`);
  if (mode === 'wall' && (f.speed !== undefined || f.startTime !== undefined)) {
    throw new ClockError('BAD_CLOCK_FLAGS', '--clock wall runs at the wall time: use --clock scaled with --speed or --start-time');
  }
  if (mode === 'virtual' && f.speed !== undefined) throw new ClockError('BAD_CLOCK_FLAGS', '--clock virtual moves only by jumps: --speed does not apply');
  const speed = f.speed === undefined ? 1 : /^\d+(\.\d+)?$/.test(f.speed) ? Number(f.speed) : NaN;
  const startUs = f.startTime === undefined ? undefined : parseStartTime(f.startTime, timeZone, wall());
  return new ExchangeClock({ mode: mode as ClockMode, speed, startUs, wall, paused: mode === 'scaled' && opts.holdScaled === true });
}

// ---- start times ----

/**
 * The exchange time of a `--start-time`: an ISO 8601 date-time (with `Z` or
 * an offset it is absolute; without one it is read in `timeZone`), or
 * `HH:MM[:SS]` — that time of the current day in `timeZone`. The zone is an
 * IANA name (`America/New_York`), `UTC`, or a fixed offset (`-04:00`).
 */
export function parseStartTime(text: string, timeZone: string, wallNowUs: number): number {
  checkZone(timeZone);
  const hm = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (hm) {
    const [h, m, s] = [Number(hm[1]), Number(hm[2]), Number(hm[3] ?? 0)];
    if (h > 23 || m > 59 || s > 59) throw new ClockError('BAD_START_TIME', `start time ${JSON.stringify(text)}: HH:MM must be 00:00 to 23:59`);
    const today = localFields(Math.floor(wallNowUs / 1000), timeZone);
    return localToUtcMs(today.y, today.mo, today.d, h, m, s, 0, timeZone) * 1000;
  }
  const iso = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}:\d{2})?$/.exec(text);
  if (!iso) {
    throw new ClockError('BAD_START_TIME', `start time must be HH:MM (in the venue's time zone) or ISO 8601 like 2026-03-02T09:25:00-05:00, got ${JSON.stringify(text)}`);
  }
  const f = iso.slice(1, 7).map((x) => Number(x ?? 0));
  const frac = iso[7] ?? '';
  const us = Number(frac.padEnd(6, '0'));
  const zone = iso[8] ?? timeZone;
  const ms = localToUtcMs(f[0], f[1], f[2], f[3], f[4], f[5], 0, zone === 'Z' ? 'UTC' : zone);
  const calendar = new Date(Date.UTC(f[0], f[1] - 1, f[2]));
  if (calendar.getUTCMonth() !== f[1] - 1 || calendar.getUTCDate() !== f[2] || f[3] > 23 || f[4] > 59 || f[5] > 59) {
    throw new ClockError('BAD_START_TIME', `start time ${JSON.stringify(text)} is not a valid date-time`);
  }
  const t = ms * 1000 + us;
  checkTime(t);
  return t;
}

const OFFSET = /^([+-])(\d{2}):(\d{2})$/;

function checkZone(zone: string): void {
  if (zone === 'UTC' || OFFSET.test(zone)) return;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new ClockError('BAD_TIME_ZONE', `unknown time zone ${JSON.stringify(zone)} (an IANA name like America/New_York, UTC, or an offset like -04:00)`);
  }
}

/** The zone's offset from UTC at instant `ms`, in ms (east positive). */
function zoneOffsetMs(ms: number, zone: string): number {
  if (zone === 'UTC') return 0;
  const o = OFFSET.exec(zone);
  if (o) return (o[1] === '-' ? -1 : 1) * (Number(o[2]) * 60 + Number(o[3])) * 60_000;
  const f = localFields(ms, zone);
  return Date.UTC(f.y, f.mo - 1, f.d, f.h, f.mi, f.s) - (ms - (((ms % 1000) + 1000) % 1000));
}

/** The calendar fields of instant `ms` in `zone`. */
function localFields(ms: number, zone: string): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  if (zone === 'UTC' || OFFSET.test(zone)) {
    const d = new Date(ms + zoneOffsetMs(ms, zone));
    return { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds() };
  }
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  }).formatToParts(new Date(ms));
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value);
  return { y: get('year'), mo: get('month'), d: get('day'), h: get('hour'), mi: get('minute'), s: get('second') };
}

/** The UTC instant (ms) of a wall time in `zone`; in a gap (spring forward) the later offset applies. */
function localToUtcMs(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, zone: string): number {
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  let t = asUtc - zoneOffsetMs(asUtc, zone);
  t = asUtc - zoneOffsetMs(t, zone);
  return t;
}
