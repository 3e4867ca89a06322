// The bot scorecard (docs/scorecard.md): per account × instrument, from the
// engine's events as the Exchange observes them, plus the mid over time.
// Deterministic: it reads only event fields and the book after each command.
//
// The mid of an instrument is (best bid + best ask) / 2 after each command
// that changed its book; it holds its value while the book is one-sided, and
// before the first two-sided book the first trade price stands for it. It is
// kept as 2 × mid (an integer) so that P&L = spread capture + fees +
// inventory P&L holds to the half cash unit.
//
// Cost on the order path: a Map lookup and a few field updates per order
// event, a few bigint products per fill, and per command one best-bid/ask read
// per changed instrument. Markouts settle when the mid next changes; views
// are built on demand.
import type { FillEvent, LevelEvent, OrderEvent } from '../../engine/events.ts';
import { OrderEventKind } from '../../engine/events.ts';
import { CancelReason, RejectReason, Side } from '../../engine/types.ts';
import type { Instrument } from '../../engine/instrument.ts';
import type { Exchange, ExchangeObserver } from '../exchange.ts';
import { Card, CounterpartyStats } from './card.ts';

export const DEFAULT_HORIZONS_US: readonly number[] = [100_000, 1_000_000, 10_000_000, 60_000_000, 300_000_000];
/** Fills waiting for a horizon, per instrument and horizon; beyond it, fills are left out of the markouts (counted). */
export const MAX_PENDING = 200_000;

export interface ScorecardOptions {
  /** markout horizons, µs, ascending (default 100 ms, 1 s, 10 s, 60 s, 5 min) */
  horizonsUs?: readonly number[];
  /** the counterparty label of an account: an agent type of the simulated market, else undefined ('external') */
  typeOf?: (account: number) => string | undefined;
  /** accounts whose markouts and quotes are kept (default: those typeOf leaves undefined) */
  tracked?: (account: number) => boolean;
  /** the simulated fair value of an instrument at a time (µs) at or before now, price units */
  fairValueAt?: (symbol: string, timeUs: number) => number;
  /** the simulated market's regime of an instrument now (the report's spread and depth by regime) */
  regimeOf?: (symbol: string) => string;
}

/** What a simulated market tells the scorecard (SimMarket has all three). */
export interface MarketLabels {
  agentType(account: number): string | undefined;
  fairValueAt(symbol: string, timeUs: number): number;
  regime(symbol: string): string;
}

interface Pending {
  due: number;
  sign: number;
  price: number;
  qty: number;
  notional: bigint;
  effective2: bigint;
  fairAtFill: number;
  stats: CounterpartyStats;
}

/** One horizon's waiting fills of one instrument, oldest first (due times ascend). */
class PendingQueue {
  items: Pending[] = [];
  head = 0;
  dropped = 0;

  push(p: Pending): void {
    if (this.items.length - this.head >= MAX_PENDING) {
      this.dropped++;
      return;
    }
    this.items.push(p);
  }

  /** Removes and returns the fills due before `t` (or at `t` with `inclusive`). */
  *due(t: number, inclusive: boolean): Generator<Pending> {
    const it = this.items;
    while (this.head < it.length && (it[this.head].due < t || (inclusive && it[this.head].due === t))) yield it[this.head++];
    if (this.head > 1024 && this.head * 2 > it.length) {
      it.splice(0, this.head);
      this.head = 0;
    }
  }
}

export class SymbolState {
  /** 2 × mid, price units; 0 before any two-sided book or trade */
  mid2 = 0;
  bid = 0;
  ask = 0;
  /** tracked cards with resting orders on this instrument */
  readonly quoting = new Set<Card>();
  readonly pending: PendingQueue[];
  changed = false;
  constructor(readonly inst: Instrument, horizons: number) {
    this.pending = Array.from({ length: horizons }, () => new PendingQueue());
  }
}

const REJECT_NAME: Record<number, string> = Object.fromEntries(Object.entries(RejectReason).map(([k, v]) => [v, k]));

export class Scorecard implements ExchangeObserver {
  readonly horizonsUs: readonly number[];
  private readonly cards = new Map<number, Card>();
  private readonly byAccount = new Map<number, Card[]>();
  readonly symbols = new Map<string, SymbolState>();
  private readonly changedSymbols: SymbolState[] = [];
  private readonly touched = new Set<Card>();
  private typeOf: (account: number) => string | undefined;
  private isTracked: (account: number) => boolean;
  fairValueAt: ((symbol: string, timeUs: number) => number) | undefined;
  regimeOf: ((symbol: string) => string) | undefined;
  /** the time of the latest event, µs */
  now = 0;
  private readonly n: number;
  private unobserve: (() => void) | null;

  constructor(readonly exchange: Exchange, o: ScorecardOptions = {}) {
    this.horizonsUs = [...(o.horizonsUs ?? DEFAULT_HORIZONS_US)].sort((a, b) => a - b);
    this.typeOf = o.typeOf ?? (() => undefined);
    this.isTracked = o.tracked ?? ((a) => this.typeOf(a) === undefined);
    this.fairValueAt = o.fairValueAt;
    this.regimeOf = o.regimeOf;
    this.n = exchange.engine.instruments.length;
    for (const inst of exchange.engine.instruments) this.symbols.set(inst.symbol, new SymbolState(inst, this.horizonsUs.length));
    this.now = exchange.engine.time;
    this.unobserve = exchange.observe(this);
  }

  /** A simulated market started around the exchange: label its agents, mark out against its fair value (cards made before keep their tracking). */
  setMarket(m: MarketLabels): void {
    this.typeOf = (a) => m.agentType(a);
    this.isTracked = (a) => m.agentType(a) === undefined;
    this.fairValueAt = (s, t) => m.fairValueAt(s, t);
    this.regimeOf = (s) => m.regime(s);
    for (const c of this.cards.values()) {
      c.tracked = this.isTracked(c.account);
      if (c.tracked) continue;
      c.clearOrders();
      this.symbols.get(c.symbol)?.quoting.delete(c);
    }
  }

  stop(): void {
    this.unobserve?.();
    this.unobserve = null;
  }

  counterpartyType(account: number): string {
    return this.typeOf(account) ?? 'external';
  }

  /** The cards there are, as [account, instrument index] (a snapshot restores into the same cards: scorecard-snapshot.ts). */
  cardKeys(): [number, number][] {
    return [...this.cards.values()].map((c) => [c.account, c.inst.index]);
  }

  /** Makes the card of `account` on the instrument of `index` exist (before a snapshot is restored into it). */
  ensureCard(account: number, index: number): void {
    this.card(account, this.exchange.engine.instruments[index]);
  }

  private card(account: number, inst: Instrument): Card {
    const key = account * this.n + inst.index;
    let c = this.cards.get(key);
    if (!c) {
      c = new Card(account, inst, this.isTracked(account), this.horizonsUs.length);
      c.markMid2 = (this.symbols.get(inst.symbol) as SymbolState).mid2;
      this.cards.set(key, c);
      let list = this.byAccount.get(account);
      if (!list) this.byAccount.set(account, (list = []));
      list.push(c);
    }
    return c;
  }

  // ---- ExchangeObserver ----

  order(e: OrderEvent): void {
    const sym = this.symbols.get(e.symbol);
    if (!sym) return; // an unknown symbol's reject: no instrument to score it on
    this.now = e.time;
    const c = this.card(e.account, sym.inst);
    c.accrue(e.time);
    switch (e.kind) {
      case OrderEventKind.ACCEPTED:
        c.ordersAccepted++;
        c.orderedQty += e.qty;
        break;
      case OrderEventKind.REPLACED:
        c.replaces++;
        c.orderedQty += e.leaves;
        break;
      case OrderEventKind.CANCELLED:
        if (e.reason === CancelReason.USER) c.cancels++;
        break;
      case OrderEventKind.REJECTED: case OrderEventKind.CANCEL_REJECTED: case OrderEventKind.REPLACE_REJECTED:
        c.reject(REJECT_NAME[e.reason] ?? 'UNKNOWN');
        return;
    }
    if (!c.tracked || e.orderId === 0) return;
    c.setOrder(e.orderId, e.side, e.price, e.kind === OrderEventKind.CANCELLED ? 0 : e.leaves);
    this.touched.add(c);
  }

  fill(e: FillEvent): void {
    const sym = this.symbols.get(e.symbol) as SymbolState;
    this.now = e.time;
    if (sym.mid2 === 0) sym.mid2 = 2 * e.price;
    const buy = e.aggressorSide === Side.BUY;
    const maker = this.card(e.makerAccount, sym.inst);
    const taker = this.card(e.takerAccount, sym.inst);
    this.side(sym, maker, buy ? -1 : 1, e, e.makerFee, e.takerAccount);
    this.side(sym, taker, buy ? 1 : -1, e, e.takerFee, e.makerAccount);
    if (maker.tracked) maker.setLeaves(e.makerOrderId, e.makerLeaves);
    if (taker.tracked) taker.setLeaves(e.takerOrderId, e.takerLeaves);
  }

  private side(sym: SymbolState, c: Card, sign: number, e: FillEvent, fee: number, other: number): void {
    c.accrue(e.time);
    c.fill(sign, e.price, e.qty, fee, sym.mid2);
    const stats = c.counterparty(this.counterpartyType(other));
    const m = BigInt(sym.inst.notionalMultiplier);
    const notional = BigInt(e.price) * BigInt(e.qty) * m;
    const effective2 = BigInt(sign) * BigInt(sym.mid2 - 2 * e.price) * BigInt(e.qty) * m;
    stats.fills++;
    stats.qty += e.qty;
    stats.notional += notional;
    stats.effective2 += effective2;
    if (c.tracked) this.touched.add(c);
    if (!c.tracked) return;
    const fairAtFill = this.fairValueAt ? this.fairValueAt(sym.inst.symbol, e.time) : NaN;
    if (this.fairValueAt) {
      stats.fairEffective += sign * (fairAtFill - e.price) * e.qty * sym.inst.notionalMultiplier;
      stats.fairNotional += Number(notional);
    }
    for (let h = 0; h < this.horizonsUs.length; h++) {
      sym.pending[h].push({ due: e.time + this.horizonsUs[h], sign, price: e.price, qty: e.qty, notional, effective2, fairAtFill, stats });
    }
  }

  level(e: LevelEvent): void {
    const sym = this.symbols.get(e.symbol);
    if (!sym || sym.changed) return;
    sym.changed = true;
    this.changedSymbols.push(sym);
    this.now = e.time;
  }

  /** A command finished: new mids and best prices, quote states of the accounts it touched. */
  commit(): void {
    const now = this.now;
    for (const sym of this.changedSymbols) {
      sym.changed = false;
      const b = this.exchange.engine.bestBid(sym.inst.symbol);
      const a = this.exchange.engine.bestAsk(sym.inst.symbol);
      const bid = b ? b.price : 0;
      const ask = a ? a.price : 0;
      if (bid > 0 && ask > 0 && bid + ask !== sym.mid2) {
        this.settle(sym, now, false);
        sym.mid2 = bid + ask;
      }
      if (bid !== sym.bid || ask !== sym.ask) {
        sym.bid = bid;
        sym.ask = ask;
        for (const c of sym.quoting) {
          c.accrue(now);
          c.compareBest(bid, ask);
        }
      }
    }
    this.changedSymbols.length = 0;
    if (this.touched.size === 0) return;
    for (const c of this.touched) {
      const sym = this.symbols.get(c.symbol) as SymbolState;
      c.accrue(now);
      c.refreshQuotes();
      c.compareBest(sym.bid, sym.ask);
      if (c.orders.size > 0) sym.quoting.add(c);
      else sym.quoting.delete(c);
    }
    this.touched.clear();
  }

  /** Settles the markouts due before `t` (at `t` too with `inclusive`) at the current mid. */
  private settle(sym: SymbolState, t: number, inclusive: boolean): void {
    const m = BigInt(sym.inst.notionalMultiplier);
    for (let h = 0; h < sym.pending.length; h++) {
      for (const p of sym.pending[h].due(t, inclusive)) {
        const s = p.stats;
        s.markout2[h] += BigInt(p.sign) * BigInt(sym.mid2 - 2 * p.price) * BigInt(p.qty) * m;
        s.settledNotional[h] += p.notional;
        s.settledEffective2[h] += p.effective2;
        if (this.fairValueAt) {
          const fv = this.fairValueAt(sym.inst.symbol, p.due);
          s.fairMarkout[h] += p.sign * (fv - p.price) * p.qty * sym.inst.notionalMultiplier;
          s.fairSettledNotional[h] += Number(p.notional);
        }
      }
    }
  }

  /**
   * Brings every card up to `now` (time integrals, inventory P&L at the current mid) and settles the
   * markouts whose horizon has passed. Views call it; it changes no figure's definition, only how far
   * the figures reach.
   */
  catchUp(now = Math.max(this.now, this.exchange.engine.time)): void {
    for (const sym of this.symbols.values()) this.settle(sym, now, false);
    for (const c of this.cards.values()) {
      c.accrue(now);
      c.markTo((this.symbols.get(c.symbol) as SymbolState).mid2);
    }
  }

  /** The cards of one account, or of every account (in account and instrument order). */
  cardsOf(account?: number): Card[] {
    const list = account === undefined ? [...this.cards.values()] : [...(this.byAccount.get(account) ?? [])];
    return list.sort((a, b) => a.account - b.account || a.inst.index - b.inst.index);
  }

  symbol(symbol: string): SymbolState | undefined {
    return this.symbols.get(symbol);
  }

  /** Fills left out of the markouts because too many were waiting (per instrument, summed over horizons). */
  droppedMarkouts(): number {
    let n = 0;
    for (const s of this.symbols.values()) for (const q of s.pending) n += q.dropped;
    return n;
  }
}
