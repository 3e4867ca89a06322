// The stylised facts of a simulated tape (domain.md §8, Cont 2001): spread
// distribution, heavy tails of 1-minute returns, volatility clustering
// (autocorrelation of |r|), trade-size quantiles, 1 %-depth over time and who
// traded. Pure functions over the samples a run collected.

export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return sorted[i];
}

export function sortedCopy(xs: ArrayLike<number>): Float64Array {
  return Float64Array.from(xs).sort();
}

export const median = (xs: ArrayLike<number>): number => quantile(sortedCopy(xs), 0.5);

/** Excess kurtosis (0 for a normal distribution). */
export function excessKurtosis(xs: ArrayLike<number>): number {
  const n = xs.length;
  if (n < 4) return NaN;
  let m = 0;
  for (let i = 0; i < n; i++) m += xs[i];
  m /= n;
  let m2 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = xs[i] - m;
    m2 += d * d;
    m4 += d * d * d * d;
  }
  m2 /= n;
  m4 /= n;
  return m2 > 0 ? m4 / (m2 * m2) - 3 : NaN;
}

/** Sample autocorrelation at lag k. */
export function autocorrelation(xs: ArrayLike<number>, k: number): number {
  const n = xs.length;
  if (n <= k + 1) return NaN;
  let m = 0;
  for (let i = 0; i < n; i++) m += xs[i];
  m /= n;
  let den = 0;
  for (let i = 0; i < n; i++) den += (xs[i] - m) ** 2;
  let num = 0;
  for (let i = k; i < n; i++) num += (xs[i] - m) * (xs[i - k] - m);
  return den > 0 ? num / den : NaN;
}

/** Log returns between consecutive positive values taken every `every` samples (a zero — no mid — skips). */
export function logReturns(series: ArrayLike<number>, every: number): number[] {
  const out: number[] = [];
  let prev = 0;
  for (let i = 0; i < series.length; i += every) {
    const v = series[i];
    if (v > 0 && prev > 0) out.push(Math.log(v / prev));
    if (v > 0) prev = v;
  }
  return out;
}

export interface StylisedFacts {
  samples: number;
  spread_ticks: { median: number; p90: number; by_regime: Record<string, number> };
  spread_bp: { median: number; p90: number };
  returns_1m: { count: number; excess_kurtosis: number; abs_autocorrelation: number[]; mean_abs_autocorrelation_1_5: number; return_autocorrelation_1: number };
  trade_size: { count: number; p10: number; p50: number; p90: number; p99: number; max: number };
  depth_1pct: { median: number; min: number; max: number; every_5m: number[] };
  volume_share: { by_participant: Record<string, number>; by_aggressor: Record<string, number> };
}

const r4 = (x: number): number => (Number.isFinite(x) ? Math.round(x * 1e4) / 1e4 : x);

export interface FactsInput {
  /** per 1-s sample (one symbol): mid (0 = no two-sided book), spread in ticks and bp (NaN = none), 1 %-depth both sides (quote currency), regime */
  mids: ArrayLike<number>;
  spreadTicks: ArrayLike<number>;
  spreadBp: ArrayLike<number>;
  depth: ArrayLike<number>;
  regimes: readonly string[];
  /** trade sizes (quote currency) */
  tradeNotional: ArrayLike<number>;
  /** notional by participant type (both sides counted) and by the aggressor's type */
  byParticipant: Record<string, number>;
  byAggressor: Record<string, number>;
}

export function stylisedFacts(x: FactsInput): StylisedFacts {
  const spreads: number[] = [];
  const spreadsBp: number[] = [];
  const perRegime = new Map<string, number[]>();
  for (let i = 0; i < x.spreadTicks.length; i++) {
    const s = x.spreadTicks[i];
    if (!Number.isFinite(s)) continue;
    spreads.push(s);
    spreadsBp.push(x.spreadBp[i]);
    const r = x.regimes[i];
    let a = perRegime.get(r);
    if (!a) perRegime.set(r, (a = []));
    a.push(s);
  }
  const sp = sortedCopy(spreads);
  const spBp = sortedCopy(spreadsBp);
  const rets = logReturns(x.mids, 60);
  const abs = rets.map(Math.abs);
  const acf = Array.from({ length: 10 }, (_, k) => r4(autocorrelation(abs, k + 1)));
  const sizes = sortedCopy(x.tradeNotional);
  const depth = sortedCopy(x.depth);
  const every5: number[] = [];
  for (let i = 0; i < x.depth.length; i += 300) {
    let s = 0;
    let n = 0;
    for (let j = i; j < Math.min(i + 300, x.depth.length); j++) { s += x.depth[j]; n++; }
    every5.push(Math.round(s / n));
  }
  const share = (m: Record<string, number>): Record<string, number> => {
    const total = Object.values(m).reduce((a, b) => a + b, 0);
    const out: Record<string, number> = {};
    for (const k of Object.keys(m).sort()) out[k] = total > 0 ? r4(m[k] / total) : 0;
    return out;
  };
  const byRegime: Record<string, number> = {};
  for (const [r, a] of [...perRegime].sort(([a], [b]) => (a < b ? -1 : 1))) byRegime[r] = median(a);
  return {
    samples: x.mids.length,
    spread_ticks: { median: quantile(sp, 0.5), p90: quantile(sp, 0.9), by_regime: byRegime },
    spread_bp: { median: r4(quantile(spBp, 0.5)), p90: r4(quantile(spBp, 0.9)) },
    returns_1m: {
      count: rets.length, excess_kurtosis: r4(excessKurtosis(rets)), abs_autocorrelation: acf,
      mean_abs_autocorrelation_1_5: r4(acf.slice(0, 5).reduce((a, b) => a + b, 0) / 5), return_autocorrelation_1: r4(autocorrelation(rets, 1)),
    },
    trade_size: {
      count: sizes.length, p10: r4(quantile(sizes, 0.1)), p50: r4(quantile(sizes, 0.5)), p90: r4(quantile(sizes, 0.9)), p99: r4(quantile(sizes, 0.99)),
      max: r4(sizes.length ? sizes[sizes.length - 1] : NaN),
    },
    depth_1pct: { median: quantile(depth, 0.5), min: depth.length ? depth[0] : NaN, max: depth.length ? depth[depth.length - 1] : NaN, every_5m: every5 },
    volume_share: { by_participant: share(x.byParticipant), by_aggressor: share(x.byAggressor) },
  };
}

/** The facts as a few lines for a terminal. */
export function formatFacts(f: StylisedFacts, symbol: string): string {
  const acf = f.returns_1m.abs_autocorrelation.map((v) => v.toFixed(2)).join(' ');
  const shares = (m: Record<string, number>): string => Object.entries(m).map(([k, v]) => `${k} ${(v * 100).toFixed(1)} %`).join(', ');
  return [
    `${symbol}: ${f.samples} s sampled`,
    `  spread: median ${f.spread_ticks.median} ticks (${f.spread_bp.median} bp), p90 ${f.spread_ticks.p90} ticks (${f.spread_bp.p90} bp); median by regime: ${Object.entries(f.spread_ticks.by_regime).map(([r, v]) => `${r} ${v}`).join(', ')}`,
    `  1-min returns: ${f.returns_1m.count}, excess kurtosis ${f.returns_1m.excess_kurtosis}, acf(r, 1) ${f.returns_1m.return_autocorrelation_1}`,
    `  acf |r| lags 1-10: ${acf} (mean 1-5: ${f.returns_1m.mean_abs_autocorrelation_1_5})`,
    `  trade size (quote ccy): p10 ${f.trade_size.p10.toFixed(0)}, p50 ${f.trade_size.p50.toFixed(0)}, p90 ${f.trade_size.p90.toFixed(0)}, p99 ${f.trade_size.p99.toFixed(0)}, max ${f.trade_size.max.toFixed(0)} (${f.trade_size.count} trades)`,
    `  1 %-depth (both sides, quote ccy): median ${f.depth_1pct.median.toFixed(0)}, min ${f.depth_1pct.min.toFixed(0)}, max ${f.depth_1pct.max.toFixed(0)}`,
    `  volume share by participant: ${shares(f.volume_share.by_participant)}`,
    `  volume share by aggressor: ${shares(f.volume_share.by_aggressor)}`,
  ].join('\n');
}
