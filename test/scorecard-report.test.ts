// The scorecard report: written by a headless run beside the CSVs, one
// self-contained file; opened in headless Chromium (Debian's chromium driven
// by playwright-core), every chart must have drawn. Skipped when no Chromium
// is installed (.ci/run installs it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../sim/scenario.ts';
import { runSim } from '../sim/run.ts';
import { randomTrader } from './scorecard-helpers.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

test('npm run sim --out writes report.html (every chart drawn in Chromium) and scorecard.csv', { skip: !existsSync(CHROMIUM) && `no ${CHROMIUM}` }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'scorecard-report-'));
  // maker-1 is a member of the crypto-spot programme: the report gets its presence timeline too
  const { report } = await runSim({
    scenario: loadScenario('regimes'), seed: 3, durationUs: 900e6, out,
    attach: (ctx) => { randomTrader(ctx, 11, 'BTC-USD', 'demo-maker-1'); },
  });
  assert.equal(report.scorecards.length, 1);
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=/, 'no external resources');
  assert.match(readFileSync(join(out, 'scorecard.csv'), 'utf8'), /^account,name,symbol,counterparty,horizon_ms,/);

  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => { if (!r.url().startsWith('file:')) errors.push(`request to ${r.url()}`); });
    await page.goto(`file://${join(out, 'report.html')}`);
    await page.waitForSelector('body[data-charts]');
    assert.deepEqual(errors, []);
    // per chart: its title, and how many pixels of its canvas are coloured (series; axes and grid are grey)
    const charts = await page.$$eval('.chart', (divs) => divs.map((div) => {
      const canvas = div.querySelector('canvas') as HTMLCanvasElement | null;
      const title = div.previousElementSibling?.textContent ?? '';
      if (!canvas) return { title, inked: 0 };
      const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
      const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      let inked = 0;
      for (let i = 0; i < px.length; i += 4) {
        if (px[i + 3] > 0 && Math.max(px[i], px[i + 1], px[i + 2]) - Math.min(px[i], px[i + 1], px[i + 2]) > 40) inked++;
      }
      return { title, inked };
    }));
    const kinds = ['P&L and its components', 'Inventory', 'Markout by horizon', 'Spread and 1 % depth', 'Obligation presence'];
    for (const k of kinds) assert.ok(charts.some((c) => c.title.startsWith(k)), `a chart "${k}" in ${JSON.stringify(charts.map((c) => c.title))}`);
    for (const c of charts) assert.ok(c.inked > 200, `chart "${c.title}" drew ${c.inked} pixels`);
    if (process.env.SCORECARD_SCREENSHOT) await page.screenshot({ path: process.env.SCORECARD_SCREENSHOT, fullPage: true });
  } finally {
    await browser.close();
  }
});
