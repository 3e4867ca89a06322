// The scorecard of a running exchange: GET /api/v1/scorecard (own account,
// admin: any or all), the report route in three formats, ScorecardStatus to
// the account's session (SDK event), and the bots' status line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExchangeClient, markoutAt, type ScorecardStatus } from '../client/index.ts';
import { BotRuntime } from '../client/bots/bot-runtime.ts';
import { naiveStrategy } from '../client/bots/naive-quoter.ts';
import { ExchangeClock } from '../sim/clock.ts';
import { parseUnits } from '../engine/money.ts';
import { withServer, waitFor, sleep } from './client-test-helpers.ts';

const ALICE = 'alice-key-1-0123456';
const BOB = 'bob-key-01-01234567';
const ADMIN = 'scorecard-admin-token';

async function get(url: string, headers: Record<string, string>): Promise<{ status: number; body: Record<string, unknown>; text: string; type: string }> {
  const r = await fetch(url, { headers });
  const text = await r.text();
  const type = r.headers.get('content-type') ?? '';
  return { status: r.status, body: type.includes('json') ? JSON.parse(text) as Record<string, unknown> : {}, text, type };
}

/** A decimal string at 8 decimals as an integer (the figures carry at most cash scale + 1 decimals). */
const units = (s: string): number => parseUnits(s.includes('.') ? s.padEnd(s.indexOf('.') + 9, '0') : `${s}.00000000`, 8) as number;

test('live scorecard: REST for the account and the admin, the report in html/json/csv, ScorecardStatus on the session, the bot status line', () => withServer(async (s) => {
  // a naive quoter (alice) and a taker (bob) hitting it; exchange time runs 50× so statuses (every 5 s) come every 0.1 s
  const alice = await BotRuntime.start({ url: s.url, apiKey: ALICE, symbol: 'BTC-USD', refPrice: '100000.0' }, naiveStrategy(2), { print: () => {} });
  const bob = await ExchangeClient.connect(s.url, BOB);
  try {
    const status = waitFor(alice.client, 'scorecard', (c) => c.fills >= 2, 5000);
    await sleep(100);
    await bob.placeOrder({ symbol: 'BTC-USD', side: 'buy', type: 'market', qty: '0.0010' });
    await bob.placeOrder({ symbol: 'BTC-USD', side: 'sell', type: 'market', qty: '0.0020' });
    const [c] = (await status) as [ScorecardStatus];
    assert.equal(c.symbol, 'BTC-USD');
    assert.equal(units(c.pnl), units(c.spreadCapture) + units(c.fees) + units(c.inventoryPnl));
    assert.ok(units(c.fees) > 0, 'maker rebates');
    assert.ok(units(c.spreadCapture) > 0, 'a naive maker captures the half-spread');
    assert.equal(c.position, 10);
    assert.ok(markoutAt(c, 100) !== undefined && c.markouts.some((m) => m.counterparty === 'external'));
    await waitFor(alice.client, 'scorecard', () => true, 5000);
    assert.match(alice.statusLine(), /\| P&L -?\d+\.\d+ = spread \d+\.\d+ \+ fees \d+\.\d+ \+ inv -?\d+\.\d+ \| markout 1s [-+]\d+\.\d\d 10s/);

    const mine = await get(`${s.url}/api/v1/scorecard`, { 'x-api-key': ALICE });
    assert.equal(mine.status, 200, mine.text);
    const cards = mine.body.scorecards as { name: string; fills: number; pnl: { identity_holds: boolean }; quotes: { two_sided_pct: number } }[];
    assert.deepEqual(cards.map((x) => [x.name, x.fills, x.pnl.identity_holds]), [['alice', 2, true]]);
    assert.ok(cards[0].quotes.two_sided_pct > 50);
    assert.deepEqual(mine.body.horizons_ms, [100, 1000, 10000, 60000, 300000]);
    const aliceId = alice.client.accountId;
    assert.equal((await get(`${s.url}/api/v1/scorecard?account=${Number(aliceId)}`, { 'x-api-key': BOB })).status, 403);
    assert.equal((await get(`${s.url}/api/v1/scorecard`, {})).status, 401);
    const all = await get(`${s.url}/api/v1/scorecard`, { 'x-admin-token': ADMIN });
    assert.deepEqual((all.body.scorecards as { name: string }[]).map((x) => x.name), ['alice', 'bob']);
    assert.equal((await get(`${s.url}/api/v1/scorecard?account=999`, { 'x-admin-token': ADMIN })).status, 404);
    assert.equal((await get(`${s.url}/api/v1/scorecard?account=x`, { 'x-admin-token': ADMIN })).status, 400);

    const json = await get(`${s.url}/api/v1/admin/report?format=json`, { 'x-admin-token': ADMIN });
    assert.equal(json.status, 200);
    assert.equal(json.body.source, 'exchange');
    assert.ok((json.body.series as { t: number[] }).t.length > 0);
    const csv = await get(`${s.url}/api/v1/admin/report?format=csv`, { 'x-admin-token': ADMIN });
    assert.match(csv.type, /text\/csv/);
    assert.match(csv.text, /^account,name,symbol,counterparty,horizon_ms,/);
    const html = await get(`${s.url}/api/v1/admin/report`, { 'x-admin-token': ADMIN });
    assert.match(html.type, /text\/html/);
    assert.match(html.text, /uPlot/);
    assert.equal((await get(`${s.url}/api/v1/admin/report`, { 'x-api-key': ALICE })).status, 401);
    assert.equal((await get(`${s.url}/api/v1/admin/report?format=pdf`, { 'x-admin-token': ADMIN })).status, 400);
  } finally {
    await bob.close();
    await alice.stop();
  }
}, { adminToken: ADMIN, exchangeClock: new ExchangeClock({ mode: 'scaled', speed: 50 }) }));
