// Quoting rules at the gateway, over real sockets and the SDK: market-maker
// protection (CME Globex Mass Quote Protections: the breach cancels the
// resting quotes and rejects Mass Quotes until one carries the reset, tag 9773
// MMProtectionReset) reported as CANCELED / cancel_reason MMP and a
// UserNotification, refused quotes, the REST view and reset; and the RTS 8
// comparable-size breach (Delegated Regulation (EU) 2017/578 Art. 2(1)(b))
// and time at the best in ObligationStatus.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../gateway/index.ts';
import type { ExchangeConfig } from '../gateway/exchange.ts';
import { ExchangeClient } from '../client/exchange-client.ts';
import { BotRuntime } from '../client/bots/bot-runtime.ts';
import { naiveStrategy } from '../client/bots/naive-quoter.ts';
import { loadConfig, validateConfig } from '../gateway/config.ts';
import { Engine } from '../engine/engine.ts';
import { tickAt } from '../engine/instrument.ts';
import { TEST_CONFIG, collect, waitFor } from './client-test-helpers.ts';

const SYM = 'BTC-USD';
const ALICE = 'alice-key-1-0123456';
const BOB = 'bob-key-01-01234567';
const quick = { heartbeatMs: 1000, requestTimeoutMs: 3000, reconnect: { initialDelayMs: 50, jitter: 0 } };

async function withServer(cfg: ExchangeConfig, fn: (s: RunningServer) => Promise<void>): Promise<void> {
  const s = await startServer({ config: cfg, port: 0 });
  try { await fn(s); } finally { await s.close(); }
}

async function rest(s: RunningServer, method: string, path: string, key: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { 'x-api-key': key };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(`${s.url}/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, body: await r.json() as Record<string, unknown> };
}

const MMP_CONFIG: ExchangeConfig = {
  ...structuredClone(TEST_CONFIG),
  rules: { mmp: [{ accounts: ['alice'], instruments: { [SYM]: { window_ms: 60_000, max_fills: 2 } } }] },
};

test('MMP over the wire: the 2nd quote fill cancels the quote (cancel_reason mmp) with a UserNotification; quotes refused until the REST reset', () => withServer(structuredClone(MMP_CONFIG), async (s) => {
  const alice = await ExchangeClient.connect(s.url, ALICE, quick);
  const bob = await ExchangeClient.connect(s.url, BOB, quick);
  try {
    const reports = collect(alice, 'executionReport');
    const notes = collect(alice, 'userNotification');
    const ack = await alice.massQuote({ symbol: SYM, bid: { price: '99999.0', qty: '1' }, ask: { price: '100001.0', qty: '1' } });
    assert.equal(ack.rejected, false);
    await bob.placeOrder({ symbol: SYM, side: 'buy', price: '100001.0', qty: '0.1', tif: 'ioc' });
    const note = waitFor(alice, 'userNotification');
    await bob.placeOrder({ symbol: SYM, side: 'buy', price: '100001.0', qty: '0.1', tif: 'ioc' });
    const [n] = await note;
    assert.deepEqual([n.event, n.symbol, n.value], ['mmp_triggered', SYM, 2]);
    assert.equal(n.text, 'market-maker protection: fills 2 within 60000 ms reached the limit 2; quotes cancelled until reset');
    const cancels = reports.filter((r) => r.execType === 'canceled');
    assert.deepEqual(cancels.map((r) => [r.side, r.cancelReason]).sort(), [['buy', 'mmp'], ['sell', 'mmp']]);

    const view = await rest(s, 'GET', '/mmp', ALICE);
    const p = (view.body.protections as Record<string, unknown>[])[0];
    assert.deepEqual([p.symbol, p.triggered, p.fills, p.qty, p.delta], [SYM, true, 2, '0.2000', '-0.2000']);
    assert.deepEqual(p.limits, { window_ms: 60_000, window: 'sliding', max_fills: 2, max_qty: null, max_delta: null, max_fill_pct: null });

    const refused = await alice.massQuote({ symbol: SYM, bid: { price: '99999.0', qty: '1' }, ask: { price: '100001.0', qty: '1' } });
    assert.deepEqual([refused.rejected, refused.bidRejectCode, refused.offerRejectCode], [true, 'mmp_triggered', 'mmp_triggered']);

    assert.deepEqual((await rest(s, 'POST', '/mmp/reset', ALICE, { symbol: SYM })).body, { symbol: SYM, was_triggered: true, triggered: false });
    assert.deepEqual(notes.map((x) => x.event), ['mmp_triggered', 'mmp_reset']);
    const again = await alice.massQuote({ symbol: SYM, bid: { price: '99999.0', qty: '1' }, ask: { price: '100001.0', qty: '1' } });
    assert.equal(again.rejected, false);
    // bob has no protection; an unknown symbol is 404
    assert.equal((await rest(s, 'POST', '/mmp/reset', BOB, { symbol: SYM })).status, 409);
    assert.equal((await rest(s, 'POST', '/mmp/reset', ALICE, { symbol: 'NOPE' })).status, 404);
    assert.deepEqual((await rest(s, 'GET', '/mmp', BOB)).body.protections, []);
  } finally {
    await alice.close();
    await bob.close();
  }
}));

test('MMP: the reset instruction on the mass quote itself (mmp_reset) lets the quote in', () => withServer(structuredClone(MMP_CONFIG), async (s) => {
  const alice = await ExchangeClient.connect(s.url, ALICE, quick);
  const bob = await ExchangeClient.connect(s.url, BOB, quick);
  try {
    await alice.massQuote({ symbol: SYM, bid: { price: '99999.0', qty: '1' }, ask: { price: '100001.0', qty: '1' } });
    const note = waitFor(alice, 'userNotification');
    await bob.placeOrder({ symbol: SYM, side: 'sell', price: '99999.0', qty: '0.5', tif: 'ioc' });
    await bob.placeOrder({ symbol: SYM, side: 'sell', price: '99999.0', qty: '0.5', tif: 'ioc' });
    await note;
    const ok = await alice.massQuote({ symbol: SYM, bid: { price: '99998.0', qty: '1' }, ask: { price: '100002.0', qty: '1' }, mmpReset: true });
    assert.deepEqual([ok.rejected, ok.bidRejectCode], [false, null]);
  } finally {
    await alice.close();
    await bob.close();
  }
}));

test('MMP config errors name the field', () => {
  const bad = (rules: unknown): string => {
    try { validateConfig({ ...structuredClone(TEST_CONFIG), rules } as ExchangeConfig); } catch (e) { return (e as Error).message; }
    return 'no error';
  };
  assert.match(bad({ mmp: [{ instruments: { [SYM]: { window_ms: 1000, max_fill: 1 } } }] }), /rules\.mmp\[0\]\.instruments\.BTC-USD\.max_fill: unknown field/);
  assert.match(bad({ mmp: [{ instruments: { [SYM]: { window_ms: 1000 } } }] }), /give at least one of max_fills, max_qty, max_delta, max_fill_pct/);
});

test('RTS 8 comparable size and time at the best in ObligationStatus on the wire', () => withServer({
  ...structuredClone(TEST_CONFIG),
  programmes: [{
    name: 'eu-mm', members: ['alice'], status_interval_ms: 100,
    instruments: { [SYM]: { max_spread_ticks: 100, min_size_qty: 100, presence_pct: 50, comparable_size_pct: 50, time_at_best_pct: 10 } },
  }],
}, async (s) => {
  const alice = await ExchangeClient.connect(s.url, ALICE, quick);
  try {
    const breach = waitFor(alice, 'obligationStatus', (st) => st.reason === 'not_comparable_size');
    // 0.0100 × 1.0000 BTC: 100 × 10,000 lots
    await alice.massQuote({ symbol: SYM, bid: { price: '99999.0', qty: '0.01' }, ask: { price: '100001.0', qty: '1' } });
    const [st] = await breach;
    assert.deepEqual([st.compliant, st.text, st.raw.reason, st.requiredTimeAtBestPct], [false, 'bid and ask not of comparable size', 10, '10.000']);
    const fixed = waitFor(alice, 'obligationStatus', (x) => x.compliant);
    await alice.massQuote({ symbol: SYM, bid: { price: '99999.0', qty: '0.01' }, ask: { price: '100001.0', qty: '0.02' } });
    const [ok] = await fixed;
    // the report names the breach, from the 100 × 10,000 quote to the 100 × 200 one
    const rep = await rest(s, 'GET', '/programmes/eu-mm/report', ALICE);
    const row = (rep.body.windows as Record<string, unknown>[])[0];
    assert.deepEqual((row.breaches as Record<string, unknown>[]).filter((b) => b.reason === 'NOT_COMPARABLE_SIZE').map((b) => [b.start, b.end]), [[st.transactTime, ok.transactTime]]);
    assert.equal(row.required_time_at_best_pct, '10.000');
    // alone in the book, alice is at the best on both sides from her first quote on: before it (measured since the
    // meter started) she was at the best on neither
    assert.equal(st.atBidUs, 0);
    const [x] = await waitFor(alice, 'obligationStatus', (y) => y.measuredUs > st.measuredUs);
    assert.deepEqual([x.measuredUs - x.atBidUs, x.measuredUs - x.atAskUs], [st.measuredUs, st.measuredUs]);
    assert.equal(x.timeAtBestPpm, Math.floor((1e6 * (x.atBidUs + x.atAskUs)) / (2 * x.measuredUs)));
  } finally {
    await alice.close();
  }
}));

test('eu-derivatives profile: EUR 1 a point micro futures, Eurex hours, MMP for the demo makers, an RTS 8 programme with comparable size', () => {
  const cfg = loadConfig(undefined, 'eu-derivatives');
  const e = new Engine({ instruments: cfg.instruments });
  // Eurex contract specifications: Micro-EURO STOXX 50 (FSXE) and Micro-DAX (FDXS) are worth EUR 1 per index point;
  // ticks 0.5 and 1 point; money in euro cents: 1 point × 1 contract = 100 cash units
  const [fsxe, fdxs] = e.instruments;
  assert.deepEqual([fsxe.symbol, fsxe.priceScale, tickAt(fsxe, 0), 10 * fsxe.notionalMultiplier], ['FSXE', 1, 5, 100]);
  assert.deepEqual([fdxs.symbol, fdxs.priceScale, tickAt(fdxs, 0), fdxs.notionalMultiplier], ['FDXS', 0, 1, 100]);
  assert.deepEqual(cfg.instruments[0].rules?.schedule, [{ at: '01:10', phase: 'CONTINUOUS' }, { at: '22:00', phase: 'CLOSED' }]);
  assert.equal(cfg.instruments[0].rules?.time_zone, 'Europe/Berlin');
  assert.deepEqual(cfg.rules?.mmp, [{ accounts: ['maker-1', 'maker-2'], instruments: { '*': { window_ms: 1000, window: 'sliding', max_qty: 50, max_delta: 25 } } }]);
  const [p] = cfg.programmes ?? [];
  assert.deepEqual([p.name, p.instruments.FSXE.comparable_size_pct, p.instruments.FSXE.presence_pct, p.instruments.FSXE.window], ['eu-mm', 50, 50, 'day']);
});

test('the example bot: after a protection trip it pauses 1 s, then quotes again with the reset on its mass quote', () => withServer({
  ...structuredClone(TEST_CONFIG),
  rules: { mmp: [{ accounts: ['alice'], instruments: { [SYM]: { window_ms: 60_000, max_fills: 1 } } }] },
}, async (s) => {
  const bot = await BotRuntime.start({ url: s.url, apiKey: ALICE, symbol: SYM, refPrice: '100000.0' }, naiveStrategy(1), { print: () => {} });
  const bob = await ExchangeClient.connect(s.url, BOB, quick);
  const openOrders = async (): Promise<number> => ((await rest(s, 'GET', `/orders?symbol=${SYM}`, ALICE)).body.orders as unknown[]).length;
  const until = async (what: string, ok: () => Promise<boolean>): Promise<void> => {
    for (let i = 0; i < 100; i++) {
      if (await ok()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out: ${what}`);
  };
  try {
    const notes = collect(bot.client, 'userNotification');
    await until('the bot quotes', async () => (await openOrders()) === 2);
    const reset = waitFor(bot.client, 'userNotification', (n) => n.event === 'mmp_reset', 5000);
    await bob.placeOrder({ symbol: SYM, side: 'buy', price: '100000.1', qty: '0.01', tif: 'ioc' });
    await reset;
    assert.deepEqual(notes.map((n) => n.event), ['mmp_triggered', 'mmp_reset']);
    assert.ok(notes[1].transactTime - notes[0].transactTime >= 1_000_000, 'the bot paused a second before resetting');
    await until('the bot quotes again', async () => (await openOrders()) === 2);
  } finally {
    await bot.stop();
    await bob.close();
  }
}));
