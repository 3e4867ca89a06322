// The maker programmes inside the engine: one ObligationMeter per (member,
// instrument), fed event by event. After each command a meter is updated only
// when something it depends on changed — the member's orders on that
// instrument (Position.version), the instrument's phase or stress, the top of
// the book (depth_bp), a grace period or window ending, or the status
// interval — so time between commands is accumulated exactly, never sampled.
//
// Incentives settle at each window end: a member that failed a window pays
// back the enhanced rebate it earned in it (a claw-back entry in its ledger,
// to the venue), and maker-share tiers set the member's maker fee for the next
// window from its share of the instrument's volume in this one.
import type { Account } from '../account.ts';
import type { Emitter } from '../emitter.ts';
import { perShareField, type Instrument } from '../instrument.ts';
import type { Market } from '../market.ts';
import { Accumulator, feeFor, perShareFee } from '../money.ts';
import { TradingPhase } from '../types.ts';
import { validateProgrammes, type ValidatedObligation, type ValidatedProgramme } from './config.ts';
import { depthBand } from './compliance.ts';
import { ObligationMeter } from './meter.ts';
import { QuoteBook, type QuoteSide } from './quote-book.ts';
import type { QuoteState, WindowReport } from './types.ts';
import { utcDay } from '../time.ts';

/** closed-window reports kept per member and instrument (a year of days) */
const MAX_REPORTS = 400;
/** ledger entries kept per account */
export const MAX_SETTLEMENTS = 1000;

/** A programme settlement in an account's ledger. */
export interface Settlement {
  time: number;
  programme: string;
  symbol: string;
  /** the window it settles, e.g. "2026-11-21" */
  window: string;
  kind: 'clawback' | 'tier';
  /** cash units charged to the account (claw-back), 0 for a tier change */
  amount: number;
  /** tier: the maker rate (1e-6 units) from now on */
  makerRate: number;
  text: string;
}

/** One member's obligation on one instrument. */
export class Membership {
  readonly meter: ObligationMeter;
  /** Position.version last measured */
  seen = -1;
  /** enhanced rebate earned in the current window beyond the standard one, cash units */
  enhancement = 0;
  /** the member's maker notional in the current window, and the instrument's total at its start */
  readonly makerVolume = new Accumulator();
  volumeMark = 0n;
  readonly reports: WindowReport[] = [];

  constructor(readonly programme: ValidatedProgramme, readonly pi: number, readonly cfg: ValidatedObligation, readonly acct: Account, readonly inst: Instrument) {
    this.meter = new ObligationMeter(cfg, inst);
  }
}

export class Programmes {
  readonly list: readonly ValidatedProgramme[];
  readonly members: Membership[] = [];
  /** per instrument: stressed-market mode (admin, or a circuit-breaker halt until the next UTC day) */
  readonly stressed: boolean[];
  private readonly stressDay: number[];
  /** per instrument: total traded notional (for maker shares) */
  private readonly volume: Accumulator[];
  /** per instrument: what the meters last saw */
  private readonly seenPhase: TradingPhase[];
  private readonly seenStress: boolean[];
  private readonly seenBid: number[];
  private readonly seenAsk: number[];
  /** per instrument: some obligation counts depth around the book mid or time at the best, so the top of the book matters */
  private readonly depth: boolean[];
  private readonly nextStatus: number[];
  private dirtyAll = true;
  /** scratch per command (reused: end() runs after every command) */
  private readonly changed: boolean[];
  private readonly due: boolean[];
  private readonly q: QuoteState = { bidPx: 0, bidQty: 0, askPx: 0, askQty: 0, measured: false, stressed: false };

  constructor(
    config: unknown,
    private readonly instruments: readonly Instrument[],
    private readonly market: Market,
    private readonly out: Emitter,
    private readonly phaseOf: (ii: number) => TradingPhase,
  ) {
    this.list = validateProgrammes(config, { symbols: new Set(instruments.map((i) => i.symbol)) });
    for (const [pi, p] of this.list.entries()) {
      for (const i of instruments) {
        if (p.instruments.has(i.symbol)) perShareField(p.incentives.enhancedMakerPerShare ?? 0, `programmes[${pi}].incentives.enhanced_maker_fee_per_share`, i.maxQty);
      }
    }
    this.stressed = instruments.map(() => false);
    this.stressDay = instruments.map(() => -1);
    this.volume = instruments.map(() => new Accumulator());
    this.seenPhase = instruments.map(() => 0 as TradingPhase);
    this.seenStress = instruments.map(() => false);
    this.seenBid = instruments.map(() => 0);
    this.seenAsk = instruments.map(() => 0);
    this.depth = instruments.map((i) => this.list.some((p) => {
      const o = p.instruments.get(i.symbol);
      return o !== undefined && (o.depthCentiBp > 0 || o.timeAtBestPpm > 0);
    }));
    this.nextStatus = this.list.map(() => 0);
    this.changed = instruments.map(() => false);
    this.due = this.list.map(() => false);
  }

  /** Instruments whose fills the programmes must see. */
  watches(ii: number): boolean {
    return this.list.some((p) => p.instruments.has(this.instruments[ii].symbol));
  }

  /** A new account: memberships of the programmes naming it, and their enhanced maker rates. */
  join(acct: Account): void {
    for (const [pi, p] of this.list.entries()) {
      if (!p.members.includes(acct.name)) continue;
      for (const [symbol, cfg] of p.instruments) {
        const inst = this.instruments.find((i) => i.symbol === symbol) as Instrument;
        const m = new Membership(p, pi, cfg, acct, inst);
        m.volumeMark = this.volume[inst.index].toBigInt();
        if (p.incentives.enhancedMakerRate !== null) acct.makerRate[inst.index] = p.incentives.enhancedMakerRate;
        if (p.incentives.enhancedMakerPerShare !== null) acct.makerPerShare[inst.index] = p.incentives.enhancedMakerPerShare;
        this.members.push(m);
        acct.quotes ??= new QuoteBook(this.instruments.length);
        acct.quotes.track(inst.index, acct.liveOrders());
      }
    }
    this.dirtyAll = true;
  }

  setStress(ii: number, on: boolean, now: number, byBreaker: boolean): void {
    this.stressed[ii] = on;
    this.stressDay[ii] = on && byBreaker ? utcDay(now) : -1;
  }

  // ---- fills ----

  traded(ii: number, price: number, qty: number, maker: Account, taker: Account, auction: boolean, now: number): void {
    // a self-trade is no volume: it counts toward no maker share or tier (Binance, Reg NMS fee tiers)
    if (maker === taker) return;
    const inst = this.instruments[ii];
    const n = price * qty * inst.notionalMultiplier;
    this.volume[ii].add(n);
    for (const m of this.members) {
      if (m.inst.index !== ii || (m.acct !== maker && m.acct !== taker)) continue;
      // a fill at or after the window end belongs to the next window: close this one first
      if (now >= m.meter.windowEnd) this.roll(m, now);
      m.meter.fill(now);
      if (m.acct !== maker || auction) continue;
      m.makerVolume.add(n);
      const inc = m.programme.incentives;
      if (inc.enhancedMakerRate !== null) m.enhancement += feeFor(n, inst.makerRate) - feeFor(n, maker.makerRate[ii]);
      if (inc.enhancedMakerPerShare !== null) {
        m.enhancement += perShareFee(qty, inst.makerPerShare, inst.shareUnit) - perShareFee(qty, maker.makerPerShare[ii], inst.shareUnit);
      }
    }
  }

  // ---- after each command ----

  /** Kept tiny so that the engine's command path inlines it (most venues have no programme member). */
  end(now: number): void {
    if (this.members.length !== 0) this.measure(now);
  }

  private measure(now: number): void {
    const changed = this.instrumentChanges(now);
    const due = this.due;
    for (let i = 0; i < due.length; i++) due[i] = now >= this.nextStatus[i];
    for (const m of this.members) {
      const pi = m.pi;
      const ii = m.inst.index;
      const version = m.acct.positions[ii].version;
      if (!this.dirtyAll && !changed[ii] && !due[pi] && version === m.seen && now < m.meter.nextEventUs) continue;
      m.seen = version;
      const windowEnd = m.meter.windowEnd;
      const shift = m.meter.update(now, this.quoteOf(m));
      if (now >= windowEnd) this.roll(m, now);
      if (shift || due[pi]) this.out.obligationStatus(m.programme.name, m.acct.id, m.meter.status(now));
    }
    this.list.forEach((p, i) => {
      if (due[i]) this.nextStatus[i] = now - (now % p.statusIntervalUs) + p.statusIntervalUs;
    });
    this.dirtyAll = false;
  }

  /** Phase, stress and (for depth_bp) top-of-book changes per instrument since the last command. */
  private instrumentChanges(now: number): boolean[] {
    const day = utcDay(now);
    for (let ii = 0; ii < this.instruments.length; ii++) this.changed[ii] = this.instrumentChanged(ii, now, day);
    return this.changed;
  }

  private instrumentChanged(ii: number, now: number, day: number): boolean {
    if (this.stressDay[ii] >= 0 && day > this.stressDay[ii]) this.setStress(ii, false, now, false);
    const phase = this.phaseOf(ii);
    let changed = phase !== this.seenPhase[ii] || this.stressed[ii] !== this.seenStress[ii];
    this.seenPhase[ii] = phase;
    this.seenStress[ii] = this.stressed[ii];
    if (this.depth[ii]) {
      const book = this.market.books[ii];
      const bid = book.bids.best()?.price ?? 0;
      const ask = book.asks.best()?.price ?? 0;
      changed ||= bid !== this.seenBid[ii] || ask !== this.seenAsk[ii];
      this.seenBid[ii] = bid;
      this.seenAsk[ii] = ask;
    }
    return changed;
  }

  /** The member's quote as the obligation counts it: its best bid and offer and the size there (kept by Account.quotes). */
  private quoteOf(m: Membership): QuoteState {
    const q = this.q;
    const ii = m.inst.index;
    const [bids, asks] = (m.acct.quotes as QuoteBook).read(ii);
    q.bidPx = bids.bestPrice();
    q.bidQty = bids.bestQty();
    q.askPx = asks.bestPrice();
    q.askQty = asks.bestQty();
    q.bidNotional = q.askNotional = undefined;
    if (m.cfg.depthCentiBp > 0) this.depthSizes(m, bids, asks, q);
    if (m.cfg.timeAtBestPpm > 0) {
      const book = this.market.books[ii];
      q.bookBid = book.bids.best()?.price ?? 0;
      q.bookAsk = book.asks.best()?.price ?? 0;
    } else {
      q.bookBid = q.bookAsk = 0;
    }
    q.measured = this.phaseOf(ii) === TradingPhase.CONTINUOUS;
    q.stressed = this.stressed[ii];
    return q;
  }

  /** Bybit style: the member's size within depth_bp of the book mid, cumulative (its prices in the band, best first). */
  private depthSizes(m: Membership, bids: QuoteSide, asks: QuoteSide, q: QuoteState): void {
    const book = this.market.books[m.inst.index];
    const bb = book.bids.best();
    const ba = book.asks.best();
    if (bb === null || ba === null) return;
    const band = depthBand(m.cfg, bb.price, ba.price);
    const mult = m.inst.notionalMultiplier;
    let bq = 0, aq = 0, bn = 0, an = 0;
    for (let i = bids.prices.length - 1; i >= 0 && bids.prices[i] >= band.minBid; i--) {
      const p = bids.prices[i];
      const n = bids.qtys[i];
      bq += n;
      bn += p * n * mult;
    }
    for (let i = asks.prices.length - 1; i >= 0 && asks.prices[i] <= band.maxAsk; i--) {
      const p = asks.prices[i];
      const n = asks.qtys[i];
      aq += n;
      an += p * n * mult;
    }
    q.bidQty = bq;
    q.askQty = aq;
    q.bidNotional = bn;
    q.askNotional = an;
  }

  /** Closes the member's ended windows: reports, incentives, events. */
  private roll(m: Membership, now: number): void {
    for (const r of m.meter.rollover(now)) {
      m.reports.push(r);
      if (m.reports.length > MAX_REPORTS) m.reports.shift();
      this.settle(m, r, now);
      this.out.obligationReport(m.programme.name, m.acct.id, r);
    }
  }

  private settle(m: Membership, r: WindowReport, now: number): void {
    const inc = m.programme.incentives;
    const ii = m.inst.index;
    const base = { time: now, programme: m.programme.name, symbol: m.inst.symbol, window: r.label };
    // a window with nothing measured set no obligation, so it neither passes nor fails
    if ((inc.enhancedMakerRate !== null || inc.enhancedMakerPerShare !== null) && inc.clawbackOnFail && r.passed === false && m.enhancement > 0) {
      const amount = m.enhancement;
      m.acct.positions[ii].cash.add(-amount);
      m.acct.positions[ii].feesPaid.add(amount);
      this.market.venueFees[ii].add(amount);
      record(m.acct, { ...base, kind: 'clawback', amount, makerRate: m.acct.makerRate[ii], text: `window failed (presence ${r.presencePct ?? '-'} % < ${r.requiredPct} %): enhanced rebate paid back` });
    }
    if (inc.makerShareTiers.length > 0) {
      const total = this.volume[ii].toBigInt() - m.volumeMark;
      const share = total === 0n ? 0 : Number((m.makerVolume.toBigInt() * 1_000_000n) / total);
      let rate = m.inst.makerRate;
      for (const t of inc.makerShareTiers) if (share >= t.minSharePpm) rate = t.makerRate;
      m.acct.makerRate[ii] = rate;
      record(m.acct, { ...base, kind: 'tier', amount: 0, makerRate: rate, text: `maker share ${(share / 10_000).toFixed(4)} % → maker fee ${rate / 100} bp` });
    }
    m.enhancement = 0;
    m.makerVolume.hi = m.makerVolume.lo = 0;
    m.volumeMark = this.volume[ii].toBigInt();
  }
}

function record(acct: Account, s: Settlement): void {
  acct.settlements.push(s);
  if (acct.settlements.length > MAX_SETTLEMENTS) acct.settlements.shift();
}
