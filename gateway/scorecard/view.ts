// The scorecard as JSON (REST, the report, summary.json): decimal strings for
// money (exact), bp and percentages as numbers rounded for display.
import { formatUnits } from '../../engine/money.ts';
import type { Card, CounterpartyStats } from './card.ts';
import { CounterpartyStats as Stats } from './card.ts';
import type { Scorecard } from './scorecard.ts';
import { orderLatencyOf, type LatencyView } from './latency.ts';

/** Half cash units as a decimal string of the quote currency, exact (one more decimal when odd). */
export function halfUnits(v2: bigint, cashScale: number): string {
  return v2 % 2n === 0n ? formatUnits(v2 / 2n, cashScale) : formatUnits(v2 * 5n, cashScale + 1);
}

const round = (x: number, d = 3): number => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : 0);
/** x2 (half cash units) per notional (cash units), bp */
const bp2 = (x2: bigint, notional: bigint): number | null => (notional > 0n ? round((Number(x2) / 2 / Number(notional)) * 1e4) : null);
const bpf = (x: number, notional: number): number | null => (notional > 0 ? round((x / notional) * 1e4) : null);
const pct = (part: number, whole: number): number | null => (whole > 0 ? round((part / whole) * 100, 2) : null);

export interface HorizonView {
  horizon_ms: number;
  /** fills whose horizon has passed */
  settled_fills_notional: string;
  /** realised spread at τ: volume-weighted signed markout s·(mid(t+τ) − price), bp of notional */
  markout_bp: number | null;
  markout: string;
  /** effective − realised over the same fills, bp */
  adverse_selection_bp: number | null;
  /** against the simulated fair value, when a scenario runs */
  fair_markout_bp?: number | null;
}

export interface CounterpartyView {
  fills: number;
  qty: number;
  notional: string;
  /** volume-weighted s·(mid(t) − price), bp: the half-spread captured (negative when crossing) */
  effective_spread_bp: number | null;
  fair_effective_bp?: number | null;
  horizons: HorizonView[];
}

export interface CardView {
  account: number;
  name: string;
  symbol: string;
  type: string;
  time_us: number;
  pnl: { total: string; spread_capture: string; fees: string; inventory: string; identity_holds: boolean };
  position: number;
  inventory: { max_abs_position: number; mean_abs_position: number; time_at_limit_pct: number | null; position_limit: number };
  fills: number;
  filled_qty: number;
  /** all counterparties, then each type */
  markouts: CounterpartyView;
  by_counterparty: Record<string, CounterpartyView>;
  quotes: QuotesView | null;
  /** the account's order→ack latency as the exchange sees it (all its instruments; null: no order message measured) */
  order_ack_latency: LatencyView | null;
  obligations: { programme: string; presence_pct: string | null; required_pct: string; passed: boolean | null; label: string }[];
}

export interface QuotesView {
  observed_s: number;
  two_sided_pct: number | null;
  at_best_bid_pct: number | null;
  at_best_ask_pct: number | null;
  /** time-weighted over two-sided time: own best ask − own best bid, price units, and in bp of the mid */
  mean_quoted_spread: number | null;
  mean_quoted_size: number | null;
  orders: number;
  replaces: number;
  cancels: number;
  /** filled qty ÷ (accepted order qty + replaced leaves) */
  fill_ratio: number | null;
  /** (orders + replaces + cancels) ÷ fills */
  order_to_trade: number | null;
  rejects: Record<string, number>;
}

function counterpartyView(s: CounterpartyStats, horizonsUs: readonly number[], cashScale: number, fair: boolean): CounterpartyView {
  const horizons = horizonsUs.map((h, i): HorizonView => {
    const v: HorizonView = {
      horizon_ms: h / 1000,
      settled_fills_notional: formatUnits(s.settledNotional[i], cashScale),
      markout_bp: bp2(s.markout2[i], s.settledNotional[i]),
      markout: halfUnits(s.markout2[i], cashScale),
      adverse_selection_bp: bp2(s.settledEffective2[i] - s.markout2[i], s.settledNotional[i]),
    };
    if (fair) v.fair_markout_bp = bpf(s.fairMarkout[i], s.fairSettledNotional[i]);
    return v;
  });
  const v: CounterpartyView = {
    fills: s.fills, qty: s.qty, notional: formatUnits(s.notional, cashScale),
    effective_spread_bp: bp2(s.effective2, s.notional), horizons,
  };
  if (fair) v.fair_effective_bp = bpf(s.fairEffective, s.fairNotional);
  return v;
}

function quotesView(c: Card): QuotesView {
  const observed = c.firstUs >= 0 ? c.lastUs - c.firstUs : 0;
  const messages = c.ordersAccepted + c.replaces + c.cancels;
  return {
    observed_s: round(observed / 1e6),
    two_sided_pct: pct(c.twoSidedUs, observed),
    at_best_bid_pct: pct(c.atBestBidUs, observed),
    at_best_ask_pct: pct(c.atBestAskUs, observed),
    mean_quoted_spread: c.twoSidedUs > 0 ? round(c.spreadUs / c.twoSidedUs, 1) : null,
    mean_quoted_size: c.twoSidedUs > 0 ? round(c.sizeUs / c.twoSidedUs, 1) : null,
    orders: c.ordersAccepted, replaces: c.replaces, cancels: c.cancels,
    fill_ratio: c.orderedQty > 0 ? round(c.filledQty / c.orderedQty, 4) : null,
    order_to_trade: c.fills > 0 ? round(messages / c.fills, 2) : null,
    rejects: Object.fromEntries([...c.rejects].sort(([a], [b]) => (a < b ? -1 : 1))),
  };
}

/** One card as JSON; the scorecard must have caught up to the time wanted first (Scorecard.catchUp). */
export function cardView(sc: Scorecard, c: Card): CardView {
  const sym = sc.symbol(c.symbol);
  const mid2 = sym?.mid2 ?? 0;
  const scale = c.inst.cashScale;
  const fair = sc.fairValueAt !== undefined && c.tracked;
  const all = new Stats(sc.horizonsUs.length);
  for (const s of c.byCounterparty.values()) all.addFrom(s);
  const pnl2 = c.pnl2(mid2);
  const observed = c.firstUs >= 0 ? c.lastUs - c.firstUs : 0;
  const obligations = sc.exchange.engine.obligationViews({ account: c.account })
    .filter((o) => o.symbol === c.symbol)
    .map((o) => ({ programme: o.programme, presence_pct: o.current.presencePct, required_pct: o.current.requiredPct, passed: o.current.passed, label: o.current.label }));
  return {
    account: c.account,
    name: sc.exchange.accountInfo(c.account)?.name ?? String(c.account),
    symbol: c.symbol,
    type: sc.counterpartyType(c.account),
    time_us: c.lastUs,
    pnl: {
      total: halfUnits(pnl2, scale), spread_capture: halfUnits(c.spread2, scale), fees: halfUnits(c.fees2, scale),
      inventory: halfUnits(c.inventory2, scale), identity_holds: pnl2 === c.spread2 + c.fees2 + c.inventory2,
    },
    position: c.position,
    inventory: {
      max_abs_position: c.maxAbsPosition,
      mean_abs_position: observed > 0 ? round(c.absPositionUs / observed, 1) : Math.abs(c.position),
      time_at_limit_pct: pct(c.atLimitUs, observed),
      position_limit: c.inst.maxPosition,
    },
    fills: c.fills,
    filled_qty: c.filledQty,
    markouts: counterpartyView(all, sc.horizonsUs, scale, fair),
    by_counterparty: Object.fromEntries([...c.byCounterparty].sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([type, s]) => [type, counterpartyView(s, sc.horizonsUs, scale, fair)])),
    quotes: c.tracked ? quotesView(c) : null,
    order_ack_latency: orderLatencyOf(sc.exchange).view(c.account),
    obligations,
  };
}

/** Every card of an account (or of all accounts), brought up to the scorecard's time. */
export function scorecardView(sc: Scorecard, account?: number): CardView[] {
  sc.catchUp();
  return sc.cardsOf(account).map((c) => cardView(sc, c));
}
