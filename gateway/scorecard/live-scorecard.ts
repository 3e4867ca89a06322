// A scorecard on a scheduler of exchange time: its series sampled every
// second, and a ScorecardStatus to each scored account's sessions every
// STATUS_INTERVAL_US. The server part (live.ts) runs one on the exchange
// clock; a headless run (sim/scorecard-run.ts) on its virtual scheduler.
import type { Exchange } from '../exchange.ts';
import type { Scheduler, Timer } from '../../sim/scheduler.ts';
import { Scorecard, type ScorecardOptions } from './scorecard.ts';
import { ScorecardSeries } from './series.ts';
import { cardView, type CardView } from './view.ts';

/** How often each scored account's sessions get a ScorecardStatus, µs of exchange time. */
export const STATUS_INTERVAL_US = 5_000_000;
export const SAMPLE_INTERVAL_US = 1_000_000;

/** A scorecard with its series, sampled (and its statuses sent) on a scheduler of exchange time. */
export class LiveScorecard {
  readonly sc: Scorecard;
  readonly series: ScorecardSeries;
  private timer: Timer | null = null;
  private lastStatus = 0;

  constructor(readonly exchange: Exchange, private readonly scheduler: Scheduler, opts: ScorecardOptions = {}, private readonly statusIntervalUs = STATUS_INTERVAL_US) {
    this.sc = new Scorecard(exchange, opts);
    this.series = new ScorecardSeries(this.sc, SAMPLE_INTERVAL_US);
    this.lastStatus = scheduler.now();
    this.schedule();
  }

  private schedule(): void {
    this.timer = this.scheduler.after(SAMPLE_INTERVAL_US, () => {
      const now = this.scheduler.now();
      this.series.sample(now);
      if (now - this.lastStatus >= this.statusIntervalUs) {
        this.lastStatus = now;
        this.sendStatuses();
      }
      this.schedule();
    });
  }

  /** A ScorecardStatus per instrument to every scored account with a session. */
  sendStatuses(): void {
    let caughtUp = false;
    for (const c of this.sc.cardsOf()) {
      if (!c.tracked) continue;
      this.exchange.notify(c.account, 'scorecard_status', () => {
        if (!caughtUp) this.sc.catchUp();
        caughtUp = true;
        return scorecardStatus(cardView(this.sc, c));
      });
    }
  }

  stop(): void {
    if (this.timer) this.scheduler.cancel(this.timer);
    this.sc.stop();
  }
}

/** ScorecardStatus as sent (proto/makerbench.proto). */
export function scorecardStatus(v: CardView): Record<string, unknown> {
  const markouts = [['all', v.markouts] as const, ...Object.entries(v.by_counterparty)].flatMap(([counterparty, m]) =>
    // a horizon no fill has reached yet is left out (0 would read as a measured markout)
    m.horizons.filter((h) => h.markout_bp !== null).map((h) => ({
      counterparty, horizon_ms: h.horizon_ms, markout_bp: h.markout_bp, adverse_selection_bp: h.adverse_selection_bp ?? 0, fills: m.fills,
    })));
  const q = v.quotes;
  return {
    symbol: v.symbol, transact_time: v.time_us, pnl: v.pnl.total, spread_capture: v.pnl.spread_capture, fees: v.pnl.fees,
    inventory_pnl: v.pnl.inventory, position: v.position, max_abs_position: v.inventory.max_abs_position, fills: v.fills,
    effective_spread_bp: v.markouts.effective_spread_bp ?? 0, markouts,
    two_sided_pct: q?.two_sided_pct ?? 0, at_best_bid_pct: q?.at_best_bid_pct ?? 0, at_best_ask_pct: q?.at_best_ask_pct ?? 0,
    fill_ratio: q?.fill_ratio ?? 0, order_to_trade: q?.order_to_trade ?? 0,
    rejects: q ? Object.values(q.rejects).reduce((a, b) => a + b, 0) : 0,
    order_ack_latency: v.order_ack_latency ?? undefined,
  };
}
