// Open-loop latency of the gateway bench: each operation from its due time to
// its ExecutionReport, and where that time went. The report carries two
// server clock readings — transact_time (µs, when the engine took the order)
// and the Envelope's sending_time_us (µs, when the report was encoded) — and
// client and server read the same machine clock (performance.timeOrigin +
// performance.now() in both), so each latency splits into four legs:
//
//   send lag   due → sent             the client's own loop (timer, GC, CPU)
//   to server  sent → transact_time   kernel, ws, decode, and any wait for the
//                                     server's event loop (other orders, GC, a
//                                     descheduled process or vCPU)
//   in server  transact → sending     engine, report encoding
//   to client  sending → received     kernel, the client's event loop
//
// For the orders slower than the goal (--tail-ms, default 2), the leg that
// took longest is counted: whether a tail is the exchange's doing, the
// client's, or the time between them (an event loop or a vCPU that was not
// running). --timeline FILE writes every order's five instants as CSV.
import { writeFileSync } from 'node:fs';
import type { Histogram } from 'hdr-histogram-js';
import { newHistogram } from './gateway-measure.ts';

const micros = (ms: number): number => Math.max(1, Math.round(ms * 1000));
const q = (h: Histogram, p: number): number => Math.round(h.getValueAtPercentile(p));

const LEGS = ['send_lag', 'to_server', 'in_server', 'to_client'] as const;

/**
 * Latencies of the operations due inside the measured window [from, to), in
 * µs. The read path stores every order's five instants, warm-up included,
 * in a preallocated array and nothing else; which orders count, and the
 * histograms, are worked out after the run. Five hdr recordValue calls per
 * report were client work inside the latency being measured, and a branch
 * first taken at the window's start deoptimised the client's optimised read
 * path just as the measurement began.
 */
export class Latencies {
  /** due → report: what a bot waiting on the exchange experiences (the headline figure) */
  private readonly total = newHistogram();
  private readonly legs = LEGS.map(() => newHistogram());
  /** orders slower than tailMs, by the leg that took longest */
  private readonly slowBy = LEGS.map(() => 0);
  /** reports received inside the window */
  private received = 0;
  /** due, sent, transact, sending, received (ms of performance.now()) per order */
  private rows: Float64Array;
  private n = 0;
  private analysed = false;

  /**
   * `from`, `to`: the window (performance.now() ms); `expected`: orders
   * recorded in all, warm-up included (sizes the store; it doubles if short).
   */
  constructor(private readonly tailMs: number, private readonly from: number, private readonly to: number, expected: number, private readonly timeline?: string) {
    this.rows = new Float64Array(Math.ceil(expected * 1.01 + 1000) * 5);
  }

  /** Times in ms of this process's performance.now(); `transactUs` and `sendingUs` are the report's server stamps since the epoch. */
  record(due: number, sent: number, now: number, transactUs: number, sendingUs: number): void {
    if (this.n + 5 > this.rows.length) this.grow();
    const r = this.rows;
    const origin = performance.timeOrigin;
    r[this.n++] = due;
    r[this.n++] = sent;
    r[this.n++] = transactUs / 1e3 - origin;
    r[this.n++] = sendingUs / 1e3 - origin;
    r[this.n++] = now;
  }

  private grow(): void {
    const bigger = new Float64Array(this.rows.length * 2);
    bigger.set(this.rows);
    this.rows = bigger;
  }

  private inWindow(t: number): boolean {
    return t >= this.from && t < this.to;
  }

  /** Fills the histograms and counts from the recorded orders (once, after the run). */
  private analyse(): void {
    if (this.analysed) return;
    this.analysed = true;
    const r = this.rows;
    const d = [0, 0, 0, 0];
    for (let i = 0; i < this.n; i += 5) {
      if (this.inWindow(r[i + 4])) this.received++;
      if (!this.inWindow(r[i])) continue;
      for (let k = 0; k < 4; k++) d[k] = r[i + k + 1] - r[i + k];
      const total = r[i + 4] - r[i];
      this.total.recordValue(micros(total));
      for (let k = 0; k < 4; k++) this.legs[k].recordValue(micros(d[k]));
      if (total > this.tailMs) {
        let worst = 0;
        for (let k = 1; k < 4; k++) if (d[k] > d[worst]) worst = k;
        this.slowBy[worst]++;
      }
    }
  }

  summary(): string {
    this.analyse();
    const t = this.total;
    const achieved = Math.round((1000 * this.received) / (this.to - this.from));
    return `achieved_per_s=${achieved} samples=${t.totalCount} p50_us=${q(t, 50)} p99_us=${q(t, 99)} p999_us=${q(t, 99.9)} max_us=${Math.round(t.maxValue)}`;
  }

  /** p50/p99 of each leg, and which leg the orders over the tail threshold spent most of their time in. */
  breakdown(): string {
    this.analyse();
    const legs = LEGS.map((name, i) => `${name}_p50_us=${q(this.legs[i], 50)} ${name}_p99_us=${q(this.legs[i], 99)}`).join(' ');
    const slow = this.slowBy.reduce((a, b) => a + b, 0);
    const pct = (k: number): string => (slow === 0 ? '0' : ((100 * k) / slow).toFixed(0));
    const by = LEGS.map((name, i) => `${name}=${pct(this.slowBy[i])}%`).join(' ');
    const share = ((100 * slow) / Math.max(1, this.total.totalCount)).toFixed(2);
    return `${legs} over_${this.tailMs}ms=${share}% longest_leg: ${by}`;
  }

  /** Writes the timeline CSV of the window's orders (if one was asked for); returns where. */
  writeTimeline(label: string): string | undefined {
    if (!this.timeline) return undefined;
    const file = label ? this.timeline.replace(/(\.csv)?$/, `-${label.replace(/_$/, '')}$1`) : this.timeline;
    const lines = ['due_ms,sent_ms,transact_ms,sending_ms,received_ms'];
    const r = this.rows;
    const at = (i: number): string => (r[i] + performance.timeOrigin).toFixed(3);
    for (let i = 0; i < this.n; i += 5) if (this.inWindow(r[i])) lines.push(`${at(i)},${at(i + 1)},${at(i + 2)},${at(i + 3)},${at(i + 4)}`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  }
}
