// The scorecard over time, for the report's charts: sampled at a fixed
// interval of exchange time (1 s by default), bounded — when a series fills
// up, every other point is dropped and the interval doubles, so a day-long
// run keeps its whole shape in at most MAX_POINTS points.
import type { Scorecard } from './scorecard.ts';
import type { Card } from './card.ts';
import { notionalOf } from '../../sim/agents/context.ts';

export const MAX_POINTS = 4000;

export interface AccountSeries {
  account: number;
  name: string;
  symbol: string;
  /** quote currency, marked to the mid */
  pnl: (number | null)[];
  spread_capture: (number | null)[];
  fees: (number | null)[];
  inventory_pnl: (number | null)[];
  /** in the instrument's quantity (decimal: 0.5 = half a BTC), + long */
  position: (number | null)[];
  /** obligation presence of the current window, %, when the account is a programme member on the symbol */
  presence: (number | null)[] | null;
}

export interface SymbolSeries {
  symbol: string;
  /** price units */
  mid: (number | null)[];
  /** best ask − best bid, bp of the mid */
  spread_bp: (number | null)[];
  /** quote-currency notional within 1 % of the mid, both sides */
  depth_1pct: (number | null)[];
  regime: (string | null)[];
}

export interface SeriesData {
  interval_us: number;
  /** sample times, µs since the epoch */
  t: number[];
  accounts: AccountSeries[];
  symbols: SymbolSeries[];
}

const toQuote = (v2: bigint, cashScale: number): number => Number(v2) / 2 / 10 ** cashScale;

export class ScorecardSeries {
  private readonly t: number[] = [];
  private readonly accounts = new Map<Card, AccountSeries>();
  private readonly symbols = new Map<string, SymbolSeries>();
  private skip = 1;
  private tick = 0;

  constructor(private readonly sc: Scorecard, private intervalUs = 1_000_000) {}

  /** Call every `intervalUs` of exchange time (the sample is taken on every skip-th call once decimated). */
  sample(now: number): void {
    if (this.tick++ % this.skip !== 0) return;
    if (this.t.length >= MAX_POINTS) this.decimate();
    const sc = this.sc;
    sc.catchUp(now);
    const i = this.t.length;
    this.t.push(now);
    for (const c of sc.cardsOf()) {
      if (!c.tracked || c.firstUs < 0) continue;
      let s = this.accounts.get(c);
      if (!s) this.accounts.set(c, (s = this.newAccount(c, i)));
      const mid2 = sc.symbol(c.symbol)?.mid2 ?? 0;
      const scale = c.inst.cashScale;
      s.pnl.push(toQuote(c.pnl2(mid2), scale));
      s.spread_capture.push(toQuote(c.spread2, scale));
      s.fees.push(toQuote(c.fees2, scale));
      s.inventory_pnl.push(toQuote(c.inventory2, scale));
      s.position.push(c.position / 10 ** c.inst.qtyScale);
      if (s.presence) {
        const o = sc.exchange.engine.obligationViews({ account: c.account }).find((v) => v.symbol === c.symbol);
        s.presence.push(o && o.current.presencePpm !== null ? o.current.presencePpm / 1e4 : null);
      }
    }
    for (const sym of sc.symbols.values()) {
      const symbol = sym.inst.symbol;
      let s = this.symbols.get(symbol);
      if (!s) this.symbols.set(symbol, (s = { symbol, mid: pad(i), spread_bp: pad(i), depth_1pct: pad(i), regime: pad(i) }));
      const d = sc.exchange.engine.depth(symbol, 500);
      const bid = d && d.bids.length > 0 ? d.bids[0].price : 0;
      const ask = d && d.asks.length > 0 ? d.asks[0].price : 0;
      const mid = sym.mid2 / 2;
      let depth = 0;
      if (d && mid > 0) {
        for (const l of d.bids) { if (l.price < mid * 0.99) break; depth += notionalOf(sym.inst, l.qty, l.price); }
        for (const l of d.asks) { if (l.price > mid * 1.01) break; depth += notionalOf(sym.inst, l.qty, l.price); }
      }
      s.mid.push(mid > 0 ? mid : null);
      s.spread_bp.push(bid > 0 && ask > 0 ? Math.round(((ask - bid) / mid) * 1e6) / 100 : null);
      s.depth_1pct.push(Math.round(depth));
      s.regime.push(sc.regimeOf ? sc.regimeOf(symbol) : null);
    }
    // cards that stopped being sampled keep their length in step with t
    for (const s of this.accounts.values()) padTo(s, this.t.length);
  }

  private newAccount(c: Card, len: number): AccountSeries {
    const member = this.sc.exchange.engine.obligationViews({ account: c.account }).some((v) => v.symbol === c.symbol);
    return {
      account: c.account, name: this.sc.exchange.accountInfo(c.account)?.name ?? String(c.account), symbol: c.symbol,
      pnl: pad(len), spread_capture: pad(len), fees: pad(len), inventory_pnl: pad(len), position: pad(len), presence: member ? pad(len) : null,
    };
  }

  private decimate(): void {
    const half = <T>(a: T[]): void => {
      let w = 0;
      for (let r = 0; r < a.length; r += 2) a[w++] = a[r];
      a.length = w;
    };
    half(this.t);
    for (const s of this.accounts.values()) {
      for (const a of [s.pnl, s.spread_capture, s.fees, s.inventory_pnl, s.position]) half(a);
      if (s.presence) half(s.presence);
    }
    for (const s of this.symbols.values()) for (const a of [s.mid, s.spread_bp, s.depth_1pct, s.regime] as unknown[][]) half(a);
    this.skip *= 2;
    this.intervalUs *= 2;
  }

  /** The series so far (instruments that never had a mid are left out). */
  data(): SeriesData {
    return {
      interval_us: this.intervalUs, t: [...this.t],
      accounts: [...this.accounts.values()].map((s) => structuredClone(s)),
      symbols: [...this.symbols.values()].filter((s) => s.mid.some((m) => m !== null)).map((s) => structuredClone(s)),
    };
  }
}

const pad = <T>(n: number): (T | null)[] => new Array<T | null>(n).fill(null);

function padTo(s: AccountSeries, n: number): void {
  for (const a of [s.pnl, s.spread_capture, s.fees, s.inventory_pnl, s.position]) while (a.length < n) a.push(null);
  if (s.presence) while (s.presence.length < n) s.presence.push(null);
}
