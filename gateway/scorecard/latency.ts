// Order→ack latency as the exchange sees it (docs/scorecard.md): per account,
// the time from an order-entry message's frame arriving at the gateway to its
// first response (acknowledgement, reject or execution report) being written to
// the socket. The order-entry sessions measure it (trade-session.ts); the
// scorecard shows it. One HDR histogram per account (hdr-histogram-js):
// bounded memory whatever the number of messages, percentiles to 1 %.
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
import type { Exchange } from '../exchange.ts';

/** "wall": the server's monotonic clock; "virtual": a headless simulation's exchange time (the exchange takes none to process). */
export type LatencyClock = 'wall' | 'virtual';

/** A latency above this (one minute) is counted as this. */
export const MAX_LATENCY_US = 60_000_000;

export interface LatencyView {
  clock: LatencyClock;
  /** order-entry messages measured */
  messages: number;
  p50_us: number;
  p90_us: number;
  p99_us: number;
  max_us: number;
}

export class OrderLatency {
  clock: LatencyClock = 'wall';
  private readonly byAccount = new Map<number, Histogram>();

  /** One message's latency, µs (negative, from a clock that stepped back, counts as 0). */
  record(account: number, us: number): void {
    let h = this.byAccount.get(account);
    if (!h) {
      // 2 significant digits: about 10 kB per account; values between 1 µs and a minute, to 1 %
      h = build({ lowestDiscernibleValue: 1, highestTrackableValue: MAX_LATENCY_US, numberOfSignificantValueDigits: 2, autoResize: false });
      this.byAccount.set(account, h);
    }
    h.recordValue(Math.min(MAX_LATENCY_US, Math.max(0, Math.round(us))));
  }

  /** The histograms as data (snapshots): [account, compressed HDR histogram in base64, exact maximum (the encoding keeps its bucket)]. */
  save(): [number, string, number][] {
    return [...this.byAccount].map(([a, h]) => [a, encodeIntoCompressedBase64(h), h.maxValue]);
  }

  /** Replaces every histogram with those of `save()`. */
  load(data: [number, string, number][]): void {
    this.byAccount.clear();
    for (const [a, b64, max] of data) {
      const h = decodeFromCompressedBase64(b64, 32, false) as Histogram & { maxValue: number };
      h.autoResize = false;
      h.maxValue = max;
      this.byAccount.set(a, h);
    }
  }

  /** The account's percentiles, or null while none of its messages was measured. */
  view(account: number): LatencyView | null {
    const h = this.byAccount.get(account);
    if (!h || h.totalCount === 0) return null;
    // a percentile is its bucket's highest value: never above the largest recorded
    const max = h.maxValue;
    const at = (p: number): number => Math.min(max, h.getValueAtPercentile(p));
    return { clock: this.clock, messages: h.totalCount, p50_us: at(50), p90_us: at(90), p99_us: at(99), max_us: max };
  }
}

const registry = new WeakMap<Exchange, OrderLatency>();

/** The order→ack latencies of an exchange's accounts (created on first use). */
export function orderLatencyOf(exchange: Exchange): OrderLatency {
  let l = registry.get(exchange);
  if (!l) registry.set(exchange, (l = new OrderLatency()));
  return l;
}
