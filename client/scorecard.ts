// ScorecardStatus: the exchange's scorecard of this account on one
// instrument, every few seconds of exchange time (docs/scorecard.md). Money
// stays a decimal string (exact); pnl = spreadCapture + fees + inventoryPnl.
import type { Delivery } from './reports.ts';

export interface ScorecardMarkout {
  /** 'all', an agent type of the simulated market, or 'external' */
  counterparty: string;
  horizonMs: number;
  /** realised spread: volume-weighted s·(mid(t + horizon) − price), bp of notional */
  markoutBp: number;
  /** effective − realised spread over the same fills, bp */
  adverseSelectionBp: number;
  fills: number;
}

/** Order→ack latency as the exchange sees it: frame in at the gateway → first response written, µs. */
export interface OrderAckLatency {
  /** 'wall' (the server's monotonic clock) or 'virtual' (a headless simulation's exchange time) */
  clock: string;
  messages: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  maxUs: number;
}

export interface ScorecardStatus extends Delivery {
  symbol: string;
  /** exchange time of the figures, µs */
  time: number;
  /** marked to the mid, quote currency */
  pnl: string;
  spreadCapture: string;
  /** rebates positive, fees paid negative */
  fees: string;
  inventoryPnl: string;
  /** quantity units, + long */
  position: number;
  maxAbsPosition: number;
  fills: number;
  effectiveSpreadBp: number;
  markouts: ScorecardMarkout[];
  twoSidedPct: number;
  atBestBidPct: number;
  atBestAskPct: number;
  fillRatio: number;
  orderToTrade: number;
  rejects: number;
  /** the account's (all its instruments); undefined while none of its order messages was measured */
  orderAckLatency?: OrderAckLatency;
}

/** ScorecardStatus as the gateway sends it (proto field names). */
export interface WireScorecardStatus {
  symbol: string;
  transact_time: number;
  pnl: string;
  spread_capture: string;
  fees: string;
  inventory_pnl: string;
  position: number;
  max_abs_position: number;
  fills: number;
  effective_spread_bp: number;
  markouts?: { counterparty: string; horizon_ms: number; markout_bp: number; adverse_selection_bp: number; fills: number }[];
  two_sided_pct: number;
  at_best_bid_pct: number;
  at_best_ask_pct: number;
  fill_ratio: number;
  order_to_trade: number;
  rejects: number;
  order_ack_latency?: { clock: string; messages: number; p50_us: number; p90_us: number; p99_us: number; max_us: number } | null;
}

export function toScorecardStatus(m: WireScorecardStatus, d: Delivery): ScorecardStatus {
  const s: ScorecardStatus = {
    ...d, symbol: m.symbol, time: m.transact_time, pnl: m.pnl, spreadCapture: m.spread_capture, fees: m.fees, inventoryPnl: m.inventory_pnl,
    position: m.position, maxAbsPosition: m.max_abs_position, fills: m.fills, effectiveSpreadBp: m.effective_spread_bp,
    markouts: (m.markouts ?? []).map((x) => ({
      counterparty: x.counterparty, horizonMs: x.horizon_ms, markoutBp: x.markout_bp, adverseSelectionBp: x.adverse_selection_bp, fills: x.fills,
    })),
    twoSidedPct: m.two_sided_pct, atBestBidPct: m.at_best_bid_pct, atBestAskPct: m.at_best_ask_pct, fillRatio: m.fill_ratio,
    orderToTrade: m.order_to_trade, rejects: m.rejects,
  };
  const l = m.order_ack_latency;
  if (l) s.orderAckLatency = { clock: l.clock, messages: l.messages, p50Us: l.p50_us, p90Us: l.p90_us, p99Us: l.p99_us, maxUs: l.max_us };
  return s;
}

/** The markout of a counterparty ('all' by default) at a horizon, or undefined when not sent. */
export function markoutAt(s: ScorecardStatus, horizonMs: number, counterparty = 'all'): number | undefined {
  return s.markouts.find((m) => m.horizonMs === horizonMs && m.counterparty === counterparty)?.markoutBp;
}

const signed = (x: number): string => (x >= 0 ? '+' : '') + x.toFixed(2);

/** The status-line text of a scorecard: the P&L split, and the 1 s and 10 s markouts (all, then by counterparty at 10 s). */
export function scorecardText(s: ScorecardStatus): string {
  const parts = [`P&L ${s.pnl} = spread ${s.spreadCapture} + fees ${s.fees} + inv ${s.inventoryPnl}`];
  const m1 = markoutAt(s, 1000);
  const m10 = markoutAt(s, 10_000);
  if (m1 !== undefined || m10 !== undefined) {
    const by = s.markouts.filter((m) => m.horizonMs === 10_000 && m.counterparty !== 'all').map((m) => `${m.counterparty} ${signed(m.markoutBp)}`);
    parts.push(`markout 1s ${m1 === undefined ? '-' : signed(m1)} 10s ${m10 === undefined ? '-' : signed(m10)} bp${by.length > 0 ? ` (10s: ${by.join(', ')})` : ''}`);
  }
  return parts.join(' | ');
}
