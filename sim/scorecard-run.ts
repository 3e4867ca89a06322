// The scorecard of a headless run: a LiveScorecard on the virtual scheduler,
// observing the exchange from before the market starts (so an in-process bot
// gets its ScorecardStatus like over the gateway), and at the end
// report.html and scorecard.csv beside the tape's CSVs.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Exchange } from '../gateway/exchange.ts';
import type { MarketLabels } from '../gateway/scorecard/scorecard.ts';
import { LiveScorecard } from '../gateway/scorecard/live-scorecard.ts';
import { reportCsv, reportData, reportHtml, type ReportData, type ReportMeta } from '../gateway/scorecard/report.ts';
import type { Scheduler } from './scheduler.ts';

export class RunScorecard {
  private readonly live: LiveScorecard;

  constructor(exchange: Exchange, private readonly scheduler: Scheduler) {
    this.live = new LiveScorecard(exchange, scheduler);
  }

  /** The market is up: its agents are counterparty types, not scored accounts. */
  start(market: MarketLabels): void {
    this.live.sc.setMarket(market);
  }

  /** Stops; returns the report data, written as report.html and scorecard.csv into `out` when given. */
  finish(meta: ReportMeta, out?: string): ReportData {
    this.live.series.sample(this.scheduler.now());
    this.live.stop();
    const data = reportData(this.live.sc, this.live.series, meta);
    if (out) {
      writeFileSync(join(out, 'report.html'), reportHtml(data));
      writeFileSync(join(out, 'scorecard.csv'), reportCsv(data));
    }
    return data;
  }
}
