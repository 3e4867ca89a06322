// Open-loop latency of the gateway bench: each operation from its due time to
// its ExecutionReport, and where that time went. The report carries two
// server clock readings — transact_time (µs, when the engine took the order)
// and the Envelope's sending_time (ns, when the report was encoded) — and
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

/** Latencies of the operations due inside the measured window, in µs. */
export class Latencies {
  /** due → report: what a bot waiting on the exchange experiences (the headline figure) */
  readonly total = newHistogram();
  private readonly legs = LEGS.map(() => newHistogram());
  /** orders slower than tailMs, by the leg that took longest */
  private readonly slowBy = LEGS.map(() => 0);
  private readonly d = [0, 0, 0, 0];
  /** due, sent, transact, sending, received (ms since the epoch) per order, when a timeline is asked for */
  private readonly rows: Float64Array;
  private n = 0;

  /** `expected`: orders in the window (sizes the timeline, written only with `timeline`) */
  constructor(private readonly tailMs: number, expected: number, private readonly timeline?: string) {
    this.rows = new Float64Array(timeline ? Math.ceil(expected * 1.01 + 1000) * 5 : 0);
  }

  /** Times in ms of this process's performance.now(); `transactUs` and `sendingNs` are the report's server stamps since the epoch. */
  record(due: number, sent: number, now: number, transactUs: number, sendingNs: number): void {
    const origin = performance.timeOrigin;
    const transact = transactUs / 1e3 - origin;
    const sending = sendingNs / 1e6 - origin;
    const d = this.d;
    d[0] = sent - due;
    d[1] = transact - sent;
    d[2] = sending - transact;
    d[3] = now - sending;
    this.total.recordValue(micros(now - due));
    for (let i = 0; i < 4; i++) this.legs[i].recordValue(micros(d[i]));
    if (now - due > this.tailMs) {
      let worst = 0;
      for (let i = 1; i < 4; i++) if (d[i] > d[worst]) worst = i;
      this.slowBy[worst]++;
    }
    if (this.n + 5 <= this.rows.length) {
      const r = this.rows;
      r[this.n++] = due + origin;
      r[this.n++] = sent + origin;
      r[this.n++] = transact + origin;
      r[this.n++] = sending + origin;
      r[this.n++] = now + origin;
    }
  }

  summary(): string {
    const t = this.total;
    return `samples=${t.totalCount} p50_us=${q(t, 50)} p99_us=${q(t, 99)} p999_us=${q(t, 99.9)} max_us=${Math.round(t.maxValue)}`;
  }

  /** p50/p99 of each leg, and which leg the orders over the tail threshold spent most of their time in. */
  breakdown(): string {
    const legs = LEGS.map((name, i) => `${name}_p50_us=${q(this.legs[i], 50)} ${name}_p99_us=${q(this.legs[i], 99)}`).join(' ');
    const slow = this.slowBy.reduce((a, b) => a + b, 0);
    const pct = (k: number): string => (slow === 0 ? '0' : ((100 * k) / slow).toFixed(0));
    const by = LEGS.map((name, i) => `${name}=${pct(this.slowBy[i])}%`).join(' ');
    const share = ((100 * slow) / Math.max(1, this.total.totalCount)).toFixed(2);
    return `${legs} over_${this.tailMs}ms=${share}% longest_leg: ${by}`;
  }

  /** Writes the timeline CSV (if one was asked for); returns where. */
  writeTimeline(label: string): string | undefined {
    if (!this.timeline) return undefined;
    const file = label ? this.timeline.replace(/(\.csv)?$/, `-${label.replace(/_$/, '')}$1`) : this.timeline;
    const lines = ['due_ms,sent_ms,transact_ms,sending_ms,received_ms'];
    const r = this.rows;
    for (let i = 0; i < this.n; i += 5) lines.push(`${r[i].toFixed(3)},${r[i + 1].toFixed(3)},${r[i + 2].toFixed(3)},${r[i + 3].toFixed(3)},${r[i + 4].toFixed(3)}`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  }
}
