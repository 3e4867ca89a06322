// The dashboard under a scenario's full market-data rate (a benchmark, not a test):
//
//   npm run bench:dashboard -- [--scenario 1011] [--speed 1] [--seconds 20] [--screenshots docs/img]
//
// Starts the exchange with the scenario as `npm start -- --scenario NAME
// --speed K` does, opens the dashboard in headless Chromium (Debian's
// chromium, via playwright-core) and records, for --seconds: market-data
// messages per second the page decoded, frames drawn, the gaps between
// animation frames (p50, p99, max; 16.7 ms = 60 fps) and long tasks (> 50 ms
// on the page's main thread). maker-1 quotes near the mid meanwhile, so the
// member's view has fills. --screenshots DIR saves each view at the end
// (docs/img: docs/dashboard.md), a halt's banner included, and the rule
// events after a kill switch and a ban (bench/rule-events.ts).
import { parseArgs } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { startServer } from '../gateway/index.ts';
import { loadConfig } from '../gateway/config.ts';
import { venueTimeZone } from '../gateway/profiles.ts';
import { clockFromFlags } from '../sim/clock.ts';
import { serveMarket } from '../sim/serve.ts';
import { loadScenario } from '../sim/scenario.ts';
import { killSwitchThenBan } from './rule-events.ts';

const { values } = parseArgs({
  args: process.argv.slice(2), strict: true,
  options: { scenario: { type: 'string' }, speed: { type: 'string' }, seconds: { type: 'string' }, screenshots: { type: 'string' } },
});
const ADMIN = 'bench-admin';
const scenario = loadScenario(values.scenario ?? '1011');
const seconds = Number(values.seconds ?? 20);
const config = loadConfig(undefined, scenario.profile);
const clock = clockFromFlags({ speed: values.speed ?? '1' }, venueTimeZone(config.profile), { holdScaled: true });
const server = await startServer({ config, port: 0, adminToken: ADMIN, exchangeClock: clock });
clock.resume();
const market = serveMarket(server, scenario, 1);
const api = async (method: string, url: string, headers: Record<string, string>, body?: unknown): Promise<any> => // eslint-disable-line @typescript-eslint/no-explicit-any
  (await fetch(`${server.url}/api/v1${url}`, { method, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) })).json();

/** maker-1 keeps a quote 2 bp either side of the mid, as a bot would, so its account has fills. */
let quoting = true;
async function quoteLoop(): Promise<void> {
  const key = { 'x-api-key': 'demo-maker-1' };
  for (let n = 0; quoting; n++) {
    const d = await api('GET', '/depth/BTC-USD?levels=1', {});
    if (d.bids?.length && d.asks?.length) {
      const mid = (Number(d.bids[0][0]) + Number(d.asks[0][0])) / 2;
      await api('DELETE', '/orders?symbol=BTC-USD', key);
      for (const [side, px] of [['BUY', mid * 0.9998], ['SELL', mid * 1.0002]]) {
        await api('POST', '/orders', key, { cl_ord_id: `b${n}${side}`, symbol: 'BTC-USD', side, price: (px as number).toFixed(2), order_qty: '0.02000' });
      }
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const browser = await chromium.launch({ executablePath: process.env.MAKERBENCH_CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1300 } });
  // frame gaps and long tasks, from the page's first script on
  // (a string: tsx's compiled functions would bring helpers the page does not have)
  await page.addInitScript(`
    window.gaps = []; window.longTasks = [];
    let last = 0;
    const tick = (t) => { if (last) window.gaps.push(t - last); last = t; requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.longTasks.push(e.duration); }).observe({ type: 'longtask', buffered: true });
  `);
  await page.goto(server.url);
  await page.waitForFunction(() => (window as unknown as { dashboard?: { md?: unknown } }).dashboard?.md != null);
  void quoteLoop();
  const read = (): Promise<{ msgs: number; gaps: number[]; longTasks: number[]; mdMs: number; renderMs: number }> => page.evaluate(
    '({ msgs: dashboard.md.messages, gaps: gaps.splice(0), longTasks: longTasks.splice(0), mdMs: dashboard.md.busyMs, renderMs: dashboard.renderMs })',
  );
  const r0 = await read();
  const t0 = Date.now();
  await page.waitForTimeout(seconds * 1000);
  const r = await read();
  r.msgs -= r0.msgs;
  const wallS = (Date.now() - t0) / 1000;
  const g = r.gaps.sort((a, b) => a - b);
  const q = (p: number): string => (g.length ? g[Math.min(g.length - 1, Math.floor(p * g.length))].toFixed(1) : '-');
  console.log(`${scenario.name} at ${values.speed ?? '1'}x for ${wallS.toFixed(0)} s: ${Math.round(r.msgs / wallS)} md messages/s decoded, `
    + `${(g.length / wallS).toFixed(0)} frames/s, frame gap p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms; `
    + `${r.longTasks.length} long tasks (${r.longTasks.reduce((a, b) => a + b, 0).toFixed(0)} ms); main thread busy decoding `
    + `${((r.mdMs - r0.mdMs) / wallS / 10).toFixed(1)} %, redrawing ${((r.renderMs - r0.renderMs) / wallS / 10).toFixed(1)} %; exchange time ${server.clock.state().time}`);
  if (values.screenshots) await screenshots(page, values.screenshots);
} finally {
  quoting = false;
  await browser.close();
  market.stop();
  await server.close();
}

async function screenshots(page: Page, dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const shot = (sel: string, name: string): Promise<Buffer> => page.locator(sel).screenshot({ path: path.join(dir, `dashboard-${name}.png`) });
  const use = async (kind: string, value: string): Promise<void> => {
    await page.selectOption('#auth-kind', kind);
    await page.fill('#auth-value', value);
    await page.click('#auth button[type=submit]');
    await page.waitForTimeout(1500);
  };
  for (const [sel, name] of [['#view-instruments', 'instruments'], ['#view-ladder', 'ladder'], ['#view-depth', 'depth'], ['#view-tape', 'tape'], ['#view-chart', 'chart']]) {
    await shot(sel, name);
  }
  await use('key', 'demo-maker-1');
  await shot('#view-account', 'account');
  await use('admin', ADMIN);
  await shot('#view-compliance', 'compliance');
  await page.click('#admin-halt');
  await page.locator('#halt-banner').waitFor({ state: 'visible' });
  await page.waitForTimeout(1200);
  await shot('#view-admin', 'admin');
  // BTC-USD is halted now: the taker floods ETH-USD (reference 3,000, band 5 %, min notional 5 USD)
  await killSwitchThenBan(server.url, ADMIN, { symbol: 'ETH-USD', price: '2950.00', qty: '0.0100' });
  await page.locator('#rule-events tr[data-kind="BAN"]').waitFor();
  await shot('#view-rules', 'rules');
  await page.screenshot({ path: path.join(dir, 'dashboard-page.png'), fullPage: true });
}
