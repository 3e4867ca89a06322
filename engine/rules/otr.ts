// MiFID II RTS 9 order-to-trade ratio, per account per instrument per UTC day:
//   by count  = (orders ÷ trades) − 1
//   by volume = (order volume ÷ traded volume) − 1
// Messages are weighted as the RTS 9 Annex counts them: a new order 1, a limit
// modify 2 (delete + add, as Eurex), a cancel 1, a quote side 1 (a two-sided
// quote 2), a quote side modified 2 (a two-sided quote modify 4), an IOC/FOK 1
// and 2 if its remainder is cancelled. The engine's side of the contract:
// - countOrder(…, n) for each accepted new order (its qty), amend (the new
//   qty, n = 2), user cancel (the leaves qty it cancelled), each order a mass
//   cancel requested by the account removes, and each quote side; NOT for
//   cancels caused by a lost connection, the kill switch or the end of an
//   auction (RTS 9 excludes them), nor for expiries, STP or halts, which the
//   member did not send; the order volume counts once per message;
// - countExecuted once per order that executes (its first fill: a transaction
//   is one executed order however many partial fills) and countVolume per
//   fill with its qty, for each account taking part;
// - check before each new order.
//
// Counters reset at each UTC day boundary (floor(µs / 86,400,000,000)). The
// ratio is enforced only once the account sent min_orders order messages that
// day; with no trade yet the ratio is unbounded, so it is exceeded as soon as
// that gate is reached. Comparisons are exact integers: the ceilings are kept
// in thousandths, and (orders − trades) × 1000 > max × trades is the test.
//
// Memory: one small record per (account, instrument) pair active that day.
// Records are reset in place on their first use in a new day, and the first
// call of a new day drops every record left from earlier days.
import { ConfigError } from '../instrument.ts';
import { RejectReason } from '../types.ts';
import type { OtrConfig } from './config.ts';
import { utcDay } from '../time.ts';

/** countRatioMilli / volumeRatioMilli when nothing has traded: the ratio is unbounded */
export const OTR_UNBOUNDED = Number.MAX_SAFE_INTEGER;
/** largest ceiling accepted (×1000 it stays far below 2^53 when multiplied by a day's counts) */
const MAX_RATIO = 1_000_000;
/** instruments are indexed below this; it packs (account, instrument) into one Map key */
const INSTRUMENT_KEYS = 1 << 20;

export interface OtrCheck {
  /** 0 = go ahead; OTR_EXCEEDED in reject mode once the ceiling is passed */
  reason: 0 | typeof RejectReason.OTR_EXCEEDED;
  /** the ceiling was passed and this is the first check to see it today: emit RuleEvent OTR_FLAG (either mode) */
  flag: boolean;
  /** floor(1000 × ratio); OTR_UNBOUNDED with no trades */
  countRatioMilli: number;
  volumeRatioMilli: number;
  /** e.g. 'order-to-trade ratio by count 4.000 above 3.000 (20 orders, 4 trades)'; '' unless flag or reason is set */
  text: string;
}

export interface OtrView {
  orders: number;
  orderVolume: number;
  trades: number;
  tradedVolume: number;
  /** (orders ÷ trades) − 1; null with no trades */
  countRatio: number | null;
  volumeRatio: number | null;
}

export class Rec {
  day = 0;
  orders = 0;
  orderVolume = 0;
  trades = 0;
  tradedVolume = 0;
  flagged = false;
}

/** A ratio ceiling with up to three decimals → thousandths; undefined = none. */
function ceiling(v: unknown, field: string): number {
  if (v === undefined) return -1;
  const milli = typeof v === 'number' ? Math.round(v * 1000) : NaN;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > MAX_RATIO || Math.abs(v * 1000 - milli) > 1e-6) {
    throw new ConfigError(field, `must be a number in [0, ${MAX_RATIO}] with at most three decimals, got ${JSON.stringify(v)}`);
  }
  return milli;
}

/** (a ÷ b − 1) > max/1000, i.e. (a − b) × 1000 > max × b, exact even past 2^53 */
function exceeds(a: number, b: number, maxMilli: number): boolean {
  const lhs = (a - b) * 1000;
  const rhs = maxMilli * b;
  if (Math.abs(lhs) <= Number.MAX_SAFE_INTEGER && rhs <= Number.MAX_SAFE_INTEGER) return lhs > rhs;
  return (BigInt(a) - BigInt(b)) * 1000n > BigInt(maxMilli) * BigInt(b);
}

/** floor(1000 × (a ÷ b − 1)); a float quotient of safe integers never crosses an integer, so floor is exact */
function ratioMilli(a: number, b: number): number {
  if (b === 0) return OTR_UNBOUNDED;
  const n = (a - b) * 1000;
  if (Math.abs(n) <= Number.MAX_SAFE_INTEGER) return Math.floor(n / b);
  const q = (BigInt(a) - BigInt(b)) * 1000n;
  const d = BigInt(b);
  return Number(q / d - (q % d !== 0n && q < 0n ? 1n : 0n));
}

const fmt = (milli: number): string =>
  milli === OTR_UNBOUNDED ? 'unbounded (no trades)' : (milli / 1000).toFixed(3);

export class OtrCounters {
  private readonly maxCountMilli: number;
  private readonly maxVolumeMilli: number;
  private readonly reject: boolean;
  private readonly minOrders: number;
  private readonly recs = new Map<number, Rec>();
  private today = -1;
  private readonly result: OtrCheck = { reason: 0, flag: false, countRatioMilli: 0, volumeRatioMilli: 0, text: '' };

  /** Without a config (or ceilings) it only counts: view() still works, check() always passes. */
  constructor(cfg: OtrConfig | undefined) {
    const c: OtrConfig = cfg ?? {};
    if (typeof c !== 'object' || c === null) throw new ConfigError('rules.otr', 'must be an object');
    this.maxCountMilli = ceiling(c.max_count_ratio, 'rules.otr.max_count_ratio');
    this.maxVolumeMilli = ceiling(c.max_volume_ratio, 'rules.otr.max_volume_ratio');
    const mode = c.mode ?? 'flag';
    if (mode !== 'flag' && mode !== 'reject') {
      throw new ConfigError('rules.otr.mode', `must be 'flag' or 'reject', got ${JSON.stringify(c.mode)}`);
    }
    this.reject = mode === 'reject';
    const min = c.min_orders ?? 100;
    if (typeof min !== 'number' || !Number.isSafeInteger(min) || min < 1) {
      throw new ConfigError('rules.otr.min_orders', `must be an integer ≥ 1, got ${JSON.stringify(c.min_orders)}`);
    }
    this.minOrders = min;
  }

  /** The record of today, reset if it is from an earlier day; undefined if it does not exist and !create. */
  private rec(account: number, instrument: number, now: number, create: boolean): Rec | undefined {
    if (!(instrument >= 0 && instrument < INSTRUMENT_KEYS)) throw new RangeError(`instrument index ${instrument} out of range`);
    const day = utcDay(now);
    if (day !== this.today) {
      // A new day: yesterday's records are dead weight.
      if (day > this.today) for (const [k, r] of this.recs) if (r.day < day) this.recs.delete(k);
      this.today = day;
    }
    const key = account * INSTRUMENT_KEYS + instrument;
    let r = this.recs.get(key);
    if (r === undefined) {
      if (!create) return undefined;
      r = new Rec();
      r.day = day;
      this.recs.set(key, r);
    } else if (r.day !== day) {
      r.day = day;
      r.orders = r.orderVolume = r.trades = r.tradedVolume = 0;
      r.flagged = false;
    }
    return r;
  }

  /** An order message counted per RTS 9 (see the contract above): new qty, amended-to qty, or cancelled leaves qty. */
  countOrder(account: number, instrument: number, qty: number, now: number, n = 1): void {
    const r = this.rec(account, instrument, now, true)!;
    r.orders += n;
    r.orderVolume += qty;
  }

  /** A fill the account took part in, as one transaction, with the filled qty. */
  countTrade(account: number, instrument: number, qty: number, now: number): void {
    this.countExecuted(account, instrument, now);
    this.countVolume(account, instrument, qty, now);
  }

  /** An order of the account executed for the first time: one transaction. */
  countExecuted(account: number, instrument: number, now: number): void {
    this.rec(account, instrument, now, true)!.trades++;
  }

  /** A fill's qty for the account's traded volume. */
  countVolume(account: number, instrument: number, qty: number, now: number): void {
    this.rec(account, instrument, now, true)!.tradedVolume += qty;
  }

  /** Before a new order. The result object is reused: copy what you keep. */
  check(account: number, instrument: number, now: number): OtrCheck {
    const out = this.result;
    out.reason = 0;
    out.flag = false;
    out.text = '';
    const r = this.rec(account, instrument, now, false);
    if (r === undefined) {
      out.countRatioMilli = out.volumeRatioMilli = 0;
      return out;
    }
    out.countRatioMilli = ratioMilli(r.orders, r.trades);
    out.volumeRatioMilli = ratioMilli(r.orderVolume, r.tradedVolume);
    if (r.orders < this.minOrders) return out;
    // With zero trades (or zero traded volume) the ratio is unbounded: exceeded.
    const byCount = this.maxCountMilli >= 0 && (r.trades === 0 || exceeds(r.orders, r.trades, this.maxCountMilli));
    const byVolume = this.maxVolumeMilli >= 0 &&
      (r.tradedVolume === 0 || exceeds(r.orderVolume, r.tradedVolume, this.maxVolumeMilli));
    if (!byCount && !byVolume) return out;
    if (!r.flagged) { r.flagged = true; out.flag = true; }
    if (this.reject) out.reason = RejectReason.OTR_EXCEEDED;
    // Only a reject or a flag shows the text: flag mode keeps passing silently afterwards, without building it.
    if (out.flag || this.reject) {
      const parts: string[] = [];
      if (byCount) parts.push(`by count ${fmt(out.countRatioMilli)} above ${fmt(this.maxCountMilli)} (${r.orders} orders, ${r.trades} trades)`);
      if (byVolume) parts.push(`by volume ${fmt(out.volumeRatioMilli)} above ${fmt(this.maxVolumeMilli)} (${r.orderVolume} ordered, ${r.tradedVolume} traded)`);
      out.text = `order-to-trade ratio ${parts.join('; ')}`;
    }
    return out;
  }

  /** Today's counters of one account on one instrument (zeros if it has none). */
  view(account: number, instrument: number, now: number): OtrView {
    const r = this.rec(account, instrument, now, false) ?? new Rec();
    return {
      orders: r.orders,
      orderVolume: r.orderVolume,
      trades: r.trades,
      tradedVolume: r.tradedVolume,
      countRatio: r.trades === 0 ? null : r.orders / r.trades - 1,
      volumeRatio: r.tradedVolume === 0 ? null : r.orderVolume / r.tradedVolume - 1,
    };
  }

  /** Records held (pairs active today): for metrics and tests. */
  size(): number { return this.recs.size; }
}
