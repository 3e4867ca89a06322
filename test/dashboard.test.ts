// The browser dashboard (dashboard/, docs/dashboard.md) in headless Chromium
// (Debian's `chromium`, driven by playwright-core) against a server running the
// calm scenario: the ladder updates, the chart draws, a member's compliance
// gauge changes when it quotes, a halt shows its banner, admin controls take
// effect, rule events (a ban, a kill switch) list one by one. Without /usr/bin/chromium the test is skipped and says why — unless
// MAKERBENCH_REQUIRE_BROWSER=1 (CI, .ci/run installs it). The docs'
// screenshots come from `npm run bench:dashboard -- --screenshots docs/img`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServer, type RunningServer } from '../gateway/index.ts';
import { loadConfig } from '../gateway/config.ts';
import { serveMarket, type ServedMarket } from '../sim/serve.ts';
import { loadScenario } from '../sim/scenario.ts';
import { killSwitchThenBan } from '../bench/rule-events.ts';

const CHROMIUM = process.env.MAKERBENCH_CHROMIUM ?? '/usr/bin/chromium';
const missing = fs.existsSync(CHROMIUM) ? '' : `${CHROMIUM} (Debian: apt-get install chromium)`;
const ADMIN = 'dashboard-test';

if (missing && process.env.MAKERBENCH_REQUIRE_BROWSER === '1') {
  test('the dashboard test needs a browser', () => assert.fail(`missing ${missing}`));
}

async function useToken(page: Page, kind: 'key' | 'admin', value: string): Promise<void> {
  await page.selectOption('#auth-kind', kind);
  await page.fill('#auth-value', value);
  await page.click('#auth button[type=submit]');
}

async function rest(s: RunningServer, method: string, url: string, headers: Record<string, string>, body?: unknown): Promise<Record<string, unknown>> {
  const r = await fetch(`${s.url}/api/v1${url}`, { method, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  return (await r.json()) as Record<string, unknown>;
}

/** maker-1 quotes 2 bp either side of the mid, 0.05 BTC (spot-lp: at most 10 bp wide, 500 USD within 20 bp): its presence starts to count. */
async function quoteTwoSided(s: RunningServer): Promise<void> {
  const d = await rest(s, 'GET', '/depth/BTC-USD?levels=1', {}) as { bids: string[][]; asks: string[][] };
  const mid = (Number(d.bids[0][0]) + Number(d.asks[0][0])) / 2;
  const key = { 'x-api-key': 'demo-maker-1' };
  for (const [side, px] of [['BUY', mid * 0.9998], ['SELL', mid * 1.0002]] as const) {
    const r = await rest(s, 'POST', '/orders', key, { cl_ord_id: `dash-${side}`, symbol: 'BTC-USD', side, price: px.toFixed(2), order_qty: '0.05000', post_only: true });
    assert.equal(r.ord_status, 'NEW', JSON.stringify(r));
  }
}

test('dashboard in Chromium: ladder, chart, compliance, halt banner, admin controls, rule events', { skip: missing ? `missing ${missing}` : false, timeout: 60_000 }, async (t) => {
  // as `npm start -- --scenario calm`: the scenario's profile (crypto-spot, programme spot-lp)
  const scenario = loadScenario('calm');
  const server = await startServer({ config: loadConfig(undefined, scenario.profile), adminToken: ADMIN });
  const market: ServedMarket = serveMarket(server, scenario, 7);
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'] });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1300 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);

    await t.test('the ladder updates from /ws/md', async () => {
      await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#ladder')?.dataset.updateId ?? 0) > 0);
      const first = await page.$eval('#ladder', (el) => Number((el as HTMLElement).dataset.updateId));
      await page.waitForFunction((id) => Number(document.querySelector<HTMLElement>('#ladder')?.dataset.updateId) > id, first);
      assert.ok(await page.locator('#ladder tr.bid-row').count() > 0, 'bid rows');
      assert.ok(await page.locator('#ladder tr.ask-row').count() > 0, 'ask rows');
      await page.waitForFunction(() => document.querySelectorAll('#tape tbody tr').length > 0);
    });

    await t.test("the page's own requests are not weighed, a script's are", async () => {
      // crypto-spot weighs every /api/v1 request per address; the page's cookie exempts the dashboard
      const own = await page.evaluate(async () => (await fetch('/api/v1/instruments')).headers.get('x-mbx-used-weight-1m'));
      assert.equal(own, null);
      const other = await fetch(`${server.url}/api/v1/instruments`);
      assert.ok(Number(other.headers.get('x-mbx-used-weight-1m')) >= 20);
    });

    await t.test('the chart draws candles and the fair value', async () => {
      await page.waitForFunction(() => {
        const d = (window as unknown as { dashboard: { chart: { candles: { data(): unknown[] }; fair: { data(): unknown[] } } } }).dashboard;
        return d.chart.candles.data().length > 0 && d.chart.fair.data().length > 0;
      });
      assert.ok(await page.locator('#chart canvas').count() > 0);
      assert.match(await page.textContent('#sim-status') ?? '', /scenario calm · calm · fair \d+/);
    });

    await t.test("a member's compliance gauge changes when it quotes", async () => {
      await useToken(page, 'admin', ADMIN);
      const gauge = page.locator('.gauge[data-account="maker-1"][data-symbol="BTC-USD"]');
      await gauge.waitFor();
      assert.equal(await gauge.getAttribute('data-presence'), '0');
      await quoteTwoSided(server);
      await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('.gauge[data-account="maker-1"]')?.dataset.presence) > 0);
    });

    await t.test('a halt shows its banner; resume clears it', async () => {
      assert.equal(await page.isHidden('#halt-banner'), true);
      await page.click('#admin-halt');
      await page.locator('#halt-banner').waitFor({ state: 'visible' });
      assert.match(await page.textContent('#halt-banner') ?? '', /BTC-USD HALTED — halt from the dashboard/);
      assert.match(await page.textContent('#instruments') ?? '', /HALTED/);
      await page.click('#admin-resume');
      await page.locator('#halt-banner').waitFor({ state: 'hidden' });
    });

    await t.test('admin controls: a jump moves the fair value, the clock pauses and resumes', async () => {
      const before = Number(((await rest(server, 'GET', '/sim', {})).symbols as { fair_value: string }[])[0].fair_value);
      await page.fill('#sim-jump', '-10');
      await page.click('[data-sim="jump"]');
      await page.waitForFunction(() => /admin\/sim\/jump: \{/.test(document.querySelector('#admin-result')?.textContent ?? ''));
      const after = Number(((await rest(server, 'GET', '/sim', {})).symbols as { fair_value: string }[])[0].fair_value);
      assert.ok(after < before * 0.93, `fair value ${before} → ${after}`);
      await page.click('[data-clock="pause"]');
      await page.waitForFunction(() => /paused/.test(document.querySelector('#clock-state')?.textContent ?? ''));
      assert.equal(server.clock.state().paused, true);
      await page.click('[data-clock="resume"]');
      await page.waitForFunction(() => !/paused/.test(document.querySelector('#clock-state')?.textContent ?? ''));
    });

    await t.test("a member's view: positions, P&L and fees", async () => {
      await useToken(page, 'key', 'demo-maker-1');
      await page.locator('#positions').waitFor();
      assert.match(await page.textContent('#account') ?? '', /maker-1 \(account 1\)/);
      assert.equal(await page.isHidden('#view-admin'), true);
    });

    await t.test('rule events: a kill switch and a ban appear one by one, newest first, named only for the admin and the account itself', async () => {
      const kinds = (): Promise<string[]> => page.$$eval('#rule-events tbody tr[data-kind]', (rows) => rows.map((r) => (r as HTMLElement).dataset.kind as string));
      const rowOf = (kind: string) => page.locator(`#rule-events tbody tr[data-kind="${kind}"]`).first();
      await page.click('#auth-clear'); // the public view
      await killSwitchThenBan(server.url, ADMIN);
      await rowOf('BAN').waitFor();
      await rowOf('KILL_SWITCH_ON').waitFor();
      const order = await kinds();
      assert.ok(order.indexOf('BAN') < order.indexOf('KILL_SWITCH_ON'), `newest first: ${order.join(' ')}`);
      assert.ok(order.includes('PHASE'), 'the halt and the resume of the earlier test are there too');
      // the public sees that some account was banned, not which, nor the kill switch's text
      for (const kind of ['BAN', 'KILL_SWITCH_ON']) assert.equal(await rowOf(kind).locator('td').nth(3).textContent(), 'hidden');
      const publicText = await page.textContent('#rule-events') ?? '';
      assert.doesNotMatch(publicText, /taker|maker-2|from the desk/);
      assert.match(await rowOf('BAN').textContent() ?? '', /until \d\d:\d\d:\d\d\.\d{3}/);

      await page.selectOption('#rule-kind', 'BAN');
      await page.waitForFunction(() => [...document.querySelectorAll<HTMLElement>('#rule-events tbody tr')].every((r) => r.dataset.kind === 'BAN'));
      await page.selectOption('#rule-kind', '');

      // the banned account's own key names its ban only
      await useToken(page, 'key', 'demo-taker');
      await page.waitForFunction(() => document.querySelector('#rule-events tbody tr[data-kind="BAN"] td:nth-child(4)')?.textContent === 'taker');
      assert.equal(await rowOf('KILL_SWITCH_ON').locator('td').nth(3).textContent(), 'hidden');
      // the admin sees both, with the operator's text
      await useToken(page, 'admin', ADMIN);
      await page.waitForFunction(() => document.querySelector('#rule-events tbody tr[data-kind="KILL_SWITCH_ON"] td:nth-child(4)')?.textContent === 'maker-2');
      assert.match(await rowOf('KILL_SWITCH_ON').textContent() ?? '', /risk check from the desk/);
      assert.equal(await rowOf('BAN').locator('td').nth(3).textContent(), 'taker');
    });
    assert.deepEqual(errors, []);
  } finally {
    await browser?.close();
    market.stop();
    await server.close();
  }
});
