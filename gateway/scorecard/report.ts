// The scorecard report: the data (JSON), a flat CSV, and one self-contained
// HTML file whose charts are drawn by uPlot (inlined from node_modules, so
// the file opens offline): P&L with its three components, inventory, the
// markout curve by horizon and counterparty type, spread and depth by regime,
// and obligation presence.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Scorecard } from './scorecard.ts';
import type { ScorecardSeries, SeriesData } from './series.ts';
import { scorecardView, type CardView } from './view.ts';

export interface ReportMeta {
  source: 'sim' | 'exchange';
  scenario?: string;
  seed?: number;
  bot?: string;
}

export interface ReportData extends ReportMeta {
  time_us: number;
  horizons_ms: number[];
  /** the scored accounts (external: not agents of the simulated market) with any activity */
  scorecards: CardView[];
  series: SeriesData;
}

export function reportData(sc: Scorecard, series: ScorecardSeries, meta: ReportMeta): ReportData {
  const scorecards = scorecardView(sc).filter((v) => v.quotes !== null && (v.fills > 0 || v.quotes.orders > 0));
  return { ...meta, time_us: sc.now, horizons_ms: sc.horizonsUs.map((h) => h / 1000), scorecards, series: series.data() };
}

const CSV_COLUMNS = [
  'account', 'name', 'symbol', 'counterparty', 'horizon_ms', 'fills', 'notional', 'effective_spread_bp', 'markout_bp', 'adverse_selection_bp',
  'fair_markout_bp', 'pnl', 'spread_capture', 'fees', 'inventory_pnl', 'position', 'max_abs_position', 'mean_abs_position', 'two_sided_pct',
  'fill_ratio', 'order_to_trade', 'order_ack_clock', 'order_ack_messages', 'order_ack_p50_us', 'order_ack_p90_us', 'order_ack_p99_us', 'order_ack_max_us',
] as const;

const csvField = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** One row per scored account × instrument × counterparty ('all' first) × horizon; the card's figures repeat on each. */
export function reportCsv(d: ReportData): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const v of d.scorecards) {
    const card = {
      pnl: v.pnl.total, spread_capture: v.pnl.spread_capture, fees: v.pnl.fees, inventory_pnl: v.pnl.inventory, position: v.position,
      max_abs_position: v.inventory.max_abs_position, mean_abs_position: v.inventory.mean_abs_position, two_sided_pct: v.quotes?.two_sided_pct,
      fill_ratio: v.quotes?.fill_ratio, order_to_trade: v.quotes?.order_to_trade,
      order_ack_clock: v.order_ack_latency?.clock, order_ack_messages: v.order_ack_latency?.messages, order_ack_p50_us: v.order_ack_latency?.p50_us,
      order_ack_p90_us: v.order_ack_latency?.p90_us, order_ack_p99_us: v.order_ack_latency?.p99_us, order_ack_max_us: v.order_ack_latency?.max_us,
    };
    for (const [counterparty, m] of [['all', v.markouts] as const, ...Object.entries(v.by_counterparty)]) {
      for (const h of m.horizons) {
        const row: Record<string, unknown> = {
          account: v.account, name: v.name, symbol: v.symbol, counterparty, horizon_ms: h.horizon_ms, fills: m.fills, notional: m.notional,
          effective_spread_bp: m.effective_spread_bp, markout_bp: h.markout_bp, adverse_selection_bp: h.adverse_selection_bp,
          fair_markout_bp: h.fair_markout_bp, ...card,
        };
        lines.push(CSV_COLUMNS.map((c) => csvField(row[c])).join(','));
      }
    }
  }
  return lines.join('\n') + '\n';
}

let uplot: { js: string; css: string } | undefined;

/** uPlot's browser build and stylesheet, read once from the installed package. */
function uplotAssets(): { js: string; css: string } {
  if (!uplot) {
    const require = createRequire(import.meta.url);
    const dir = require.resolve('uplot/package.json').replace(/package\.json$/, 'dist/');
    uplot = { js: readFileSync(dir + 'uPlot.iife.min.js', 'utf8'), css: readFileSync(dir + 'uPlot.min.css', 'utf8') };
  }
  return uplot;
}

/** JSON safe inside a <script> element. */
const scriptJson = (x: unknown): string => JSON.stringify(x).replace(/</g, '\\u003c');

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The report as one HTML file (about 60 kB plus the data). */
export function reportHtml(d: ReportData): string {
  const { js, css } = uplotAssets();
  const title = `makerbench scorecard — ${d.source === 'sim' ? `scenario ${d.scenario ?? ''}, seed ${d.seed ?? ''}${d.bot ? `, bot ${d.bot}` : ''}` : 'exchange'}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>${css}
body{font:14px system-ui,sans-serif;margin:1.5em;color:#222;max-width:1200px}
h1{font-size:1.3em}h2{font-size:1.1em;margin-top:1.6em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}th{background:#f4f4f4}
td:first-child,th:first-child{text-align:left}.chart{margin:.5em 0 1em}.note{color:#666}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<div id="report"></div>
<script>${js}</script>
<script id="data" type="application/json">${scriptJson(d)}</script>
<script>${RENDER}</script>
</body></html>
`;
}

// The page's own script: tables and charts from the embedded data. Every chart
// is a uPlot instance in a div.chart (the Chromium test counts their canvases).
const RENDER = String.raw`
(function () {
  const d = JSON.parse(document.getElementById('data').textContent);
  const root = document.getElementById('report');
  const W = Math.min(1150, window.innerWidth - 40);
  const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f'];
  const REGIME_COLORS = { calm: 'rgba(44,160,44,0.10)', choppy: 'rgba(255,127,14,0.12)', trending: 'rgba(31,119,180,0.12)', crisis: 'rgba(214,39,40,0.15)' };
  const el = (tag, text, parent) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; (parent || root).appendChild(e); return e; };
  const secs = d.series.t.map((t) => t / 1e6);
  function chart(title, series, data, opts) {
    el('h2', title);
    const div = el('div'); div.className = 'chart';
    const o = Object.assign({ width: W, height: 260, series: [{}].concat(series), scales: { x: { time: true } } }, opts || {});
    return new uPlot(o, data, div);
  }
  function table(head, rows) {
    const t = el('table');
    const h = el('tr', undefined, t); head.forEach((c) => el('th', c, h));
    rows.forEach((r) => { const tr = el('tr', undefined, t); r.forEach((c) => el('td', c === null || c === undefined ? '–' : String(c), tr)); });
  }
  const fmt = (x) => x === null || x === undefined ? '–' : x;

  el('p', 'Exchange time ' + new Date(d.time_us / 1000).toISOString() + '; markout horizons ' + d.horizons_ms.join(', ') + ' ms. Definitions: docs/scorecard.md.').className = 'note';
  if (d.scorecards.length === 0) el('p', 'No scored account traded or quoted yet.');
  const ms = (us) => (us / 1000).toFixed(3);
  const clocks = [...new Set(d.scorecards.map((v) => v.order_ack_latency && v.order_ack_latency.clock).filter((c) => c))];
  table(['account', 'symbol', 'P&L', 'spread capture', 'fees', 'inventory P&L', 'fills', 'effective bp', 'markout 1 s bp', 'two-sided %', 'fill ratio', 'OTR', 'max |pos|',
    'order→ack ms p50 / p99 / max' + (clocks.length > 0 ? ' (' + clocks.join(', ') + ' clock)' : '')],
    d.scorecards.map((v) => {
      const h1 = v.markouts.horizons.find((h) => h.horizon_ms === 1000);
      const l = v.order_ack_latency;
      return [v.name, v.symbol, v.pnl.total, v.pnl.spread_capture, v.pnl.fees, v.pnl.inventory, v.fills, fmt(v.markouts.effective_spread_bp),
        fmt(h1 && h1.markout_bp), fmt(v.quotes && v.quotes.two_sided_pct), fmt(v.quotes && v.quotes.fill_ratio), fmt(v.quotes && v.quotes.order_to_trade), v.inventory.max_abs_position,
        l ? ms(l.p50_us) + ' / ' + ms(l.p99_us) + ' / ' + ms(l.max_us) : null];
    }));

  for (const a of d.series.accounts) {
    const label = a.name + ' ' + a.symbol;
    chart('P&L and its components — ' + label, [
      { label: 'P&L (to mid)', stroke: '#000', width: 2 },
      { label: 'spread capture', stroke: COLORS[2] },
      { label: 'fees and rebates', stroke: COLORS[3] },
      { label: 'inventory P&L', stroke: COLORS[1] },
    ], [secs, a.pnl, a.spread_capture, a.fees, a.inventory_pnl], { axes: [{}, { size: 70 }] });
    chart('Inventory — ' + label, [{ label: 'position', stroke: COLORS[4], fill: 'rgba(148,103,189,0.15)' }], [secs, a.position], { axes: [{}, { size: 70 }] });
  }

  // markout curve: x = horizon index (log-spaced horizons), one line per counterparty type
  const hx = d.horizons_ms.map((_, i) => i);
  for (const v of d.scorecards) {
    if (v.fills === 0) continue;
    const types = ['all'].concat(Object.keys(v.by_counterparty));
    const rows = types.map((t) => (t === 'all' ? v.markouts : v.by_counterparty[t]).horizons.map((h) => h.markout_bp));
    chart('Markout by horizon and counterparty — ' + v.name + ' ' + v.symbol + ' (bp; realised spread s·(mid(t+τ) − price))',
      types.map((t, i) => ({ label: t === 'all' ? 'all (' + v.fills + ' fills)' : t + ' (' + v.by_counterparty[t].fills + ')', stroke: COLORS[i % COLORS.length], width: t === 'all' ? 3 : 1.5, points: { show: true } })),
      [hx].concat(rows),
      { scales: { x: { time: false } }, axes: [{ values: (u, ticks) => ticks.map((i) => (Number.isInteger(i) && d.horizons_ms[i] !== undefined ? (d.horizons_ms[i] >= 1000 ? d.horizons_ms[i] / 1000 + ' s' : d.horizons_ms[i] + ' ms') : '')), splits: () => hx }, {}] });
  }

  // spread and depth over time, shaded by regime, and their medians per regime
  for (const s of d.series.symbols) {
    const bands = (u) => {
      const ctx = u.ctx; const top = u.bbox.top; const h = u.bbox.height;
      let start = 0;
      for (let i = 1; i <= s.regime.length; i++) {
        if (i < s.regime.length && s.regime[i] === s.regime[start]) continue;
        const c = REGIME_COLORS[s.regime[start]];
        if (c) {
          const x0 = u.valToPos(secs[start], 'x', true); const x1 = u.valToPos(secs[Math.min(i, secs.length - 1)], 'x', true);
          ctx.fillStyle = c; ctx.fillRect(x0, top, Math.max(1, x1 - x0), h);
        }
        start = i;
      }
    };
    const hasRegimes = s.regime.some((r) => r);
    chart('Spread and 1 % depth — ' + s.symbol + (hasRegimes ? ' (background: regime — green calm, orange choppy, blue trending, red crisis)' : ''), [
      { label: 'spread (bp)', stroke: COLORS[1], scale: 'bp' },
      { label: 'depth within 1 % (quote ccy)', stroke: COLORS[0], scale: 'depth' },
    ], [secs, s.spread_bp, s.depth_1pct], { axes: [{}, { scale: 'bp', label: 'bp' }, { scale: 'depth', side: 1, size: 80, grid: { show: false } }], hooks: { drawClear: [bands] } });
    if (hasRegimes) {
      const by = {};
      s.regime.forEach((r, i) => { if (!r) return; (by[r] = by[r] || { sp: [], dp: [] }); if (s.spread_bp[i] !== null) by[r].sp.push(s.spread_bp[i]); if (s.depth_1pct[i] !== null) by[r].dp.push(s.depth_1pct[i]); });
      const med = (a) => { if (a.length === 0) return null; const b = a.slice().sort((x, y) => x - y); return b[Math.floor(b.length / 2)]; };
      table(['regime', 'seconds', 'median spread bp', 'median 1 % depth'], Object.keys(by).map((r) => [r, by[r].sp.length, med(by[r].sp), med(by[r].dp)]));
    }
  }

  const members = d.series.accounts.filter((a) => a.presence);
  if (members.length > 0) {
    chart('Obligation presence in the current window (%)', members.map((a, i) => ({ label: a.name + ' ' + a.symbol, stroke: COLORS[i % COLORS.length] })),
      [secs].concat(members.map((a) => a.presence)), { scales: { x: { time: true }, y: { range: [0, 100] } } });
  }
  document.body.setAttribute('data-charts', String(document.querySelectorAll('.chart').length));
})();
`;
