// The scorecard of a headless run: observes the exchange from before the
// market starts, samples its series every simulated second, and at the end
// writes report.html and scorecard.csv beside the tape's CSVs.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Exchange } from '../gateway/exchange.ts';
import { Scorecard, type MarketLabels } from '../gateway/scorecard/scorecard.ts';
import { ScorecardSeries } from '../gateway/scorecard/series.ts';
import { reportCsv, reportData, reportHtml, type ReportData, type ReportMeta } from '../gateway/scorecard/report.ts';
import type { Scheduler, Timer } from './scheduler.ts';

export class RunScorecard {
  readonly sc: Scorecard;
  readonly series: ScorecardSeries;
  private timer: Timer | null = null;

  constructor(exchange: Exchange, private readonly scheduler: Scheduler) {
    this.sc = new Scorecard(exchange);
    this.series = new ScorecardSeries(this.sc, 1_000_000);
  }

  /** The market is up: label its agents, then sample every simulated second. */
  start(market: MarketLabels): void {
    this.sc.setMarket(market);
    const tick = (): void => {
      this.series.sample(this.scheduler.now());
      this.timer = this.scheduler.after(1_000_000, tick);
    };
    tick();
  }

  /** Stops observing; returns the report data, written as report.html and scorecard.csv into `out` when given. */
  finish(meta: ReportMeta, out?: string): ReportData {
    if (this.timer) this.scheduler.cancel(this.timer);
    this.series.sample(this.scheduler.now());
    this.sc.stop();
    const data = reportData(this.sc, this.series, meta);
    if (out) {
      writeFileSync(join(out, 'report.html'), reportHtml(data));
      writeFileSync(join(out, 'scorecard.csv'), reportCsv(data));
    }
    return data;
  }
}
