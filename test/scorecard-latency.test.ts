// Order→ack latency as the exchange sees it (gateway/scorecard/latency.ts):
// frame in at the gateway → first response written to the socket, per
// account, in the scorecard's REST view, ScorecardStatus (SDK) and report —
// on the wall clock over a real server, on exchange time in a virtual run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExchangeClient, type ScorecardStatus } from '../client/index.ts';
import { ExchangeClock } from '../sim/clock.ts';
import { Clock, Exchange } from '../gateway/exchange.ts';
import { Scorecard } from '../gateway/scorecard/scorecard.ts';
import { scorecardView, type CardView } from '../gateway/scorecard/view.ts';
import { reportCsv, reportData } from '../gateway/scorecard/report.ts';
import { ScorecardSeries } from '../gateway/scorecard/series.ts';
import { naiveStrategy } from '../client/bots/naive-quoter.ts';
import { BotHost, runWithBot } from '../sim/bot-host.ts';
import { Rng } from '../sim/rng.ts';
import { VirtualScheduler } from '../sim/scheduler.ts';
import { BTC, withServer, waitFor } from './client-test-helpers.ts';

const ALICE = 'alice-key-1-0123456';

test('live: an order held 300 ms by a scenario latency spike shows in the p99 and max; the rest stay fast (REST, ScorecardStatus)', () => withServer(async (s) => {
  const alice = await ExchangeClient.connect(s.url, ALICE);
  try {
    const delays = [0, 0, 0, 0, 0, 0, 0, 0, 0, 300];
    s.trade.conditions = { delayMs: () => delays.shift() ?? 0, reject: () => false };
    for (let i = 0; i < 10; i++) {
      await alice.placeOrder({ symbol: 'BTC-USD', side: 'buy', type: 'limit', price: `${90000 + i}.0`, qty: '0.0010', clOrdId: `l${i}` });
    }
    const r = await fetch(`${s.url}/api/v1/scorecard`, { headers: { 'x-api-key': ALICE } });
    const [card] = ((await r.json()) as { scorecards: CardView[] }).scorecards;
    const l = card.order_ack_latency;
    assert.ok(l, 'measured');
    assert.equal(l.clock, 'wall');
    assert.equal(l.messages, 10);
    assert.ok(l.p99_us >= 300_000 && l.max_us >= 300_000, `p99 ${l.p99_us} µs, max ${l.max_us} µs`);
    assert.ok(l.p50_us < 100_000, `p50 ${l.p50_us} µs: undelayed orders are answered at once`);
    assert.ok(l.p50_us <= l.p90_us && l.p90_us <= l.p99_us && l.p99_us <= l.max_us);

    // the same figures in the account's ScorecardStatus (every 5 s of exchange time, 50× here)
    const [status] = (await waitFor(alice, 'scorecard', () => true, 5000)) as [ScorecardStatus];
    assert.deepEqual(status.orderAckLatency && [status.orderAckLatency.clock, status.orderAckLatency.messages], ['wall', 10]);
    assert.ok((status.orderAckLatency?.p99Us ?? 0) >= 300_000);
  } finally {
    await alice.close();
  }
}, { exchangeClock: new ExchangeClock({ mode: 'scaled', speed: 50 }) }));

const START = Date.UTC(2026, 0, 5, 14, 0, 0) * 1000;

/** The naive bot for 20 s of virtual time against one background maker; `delayMs` holds its order messages at the session. */
async function virtualRun(delayMs: (n: number) => number): Promise<CardView> {
  const sched = new VirtualScheduler(START);
  const ex = new Exchange({ instruments: [{ ...BTC, max_qty: 10_000_000 }] }, new Clock(() => sched.now()));
  const sc = new Scorecard(ex);
  const maker = ex.createAccount('maker');
  assert.ok('id' in maker);
  let k = 0;
  const requote = (): void => {
    const mid = 1_000_000 + 10 * (k++ % 4); // the mid moves: the bot requotes
    ex.massQuote({ account: maker.id, session: 0, symbol: BTC.symbol, bidPx: mid - 10, bidSize: 5000, offerPx: mid + 10, offerSize: 5000 });
    sched.after(500_000, requote);
  };
  requote();
  const host = new BotHost(ex, sched, new Rng(3), { feedUs: 2000, orderUs: 1000, jitterUs: 500 });
  let n = 0;
  host.trade.conditions = { delayMs: () => delayMs(n++), reject: () => false };
  const started = host.start({ strategy: naiveStrategy(2), symbol: BTC.symbol, size: '0.01' });
  await runWithBot(sched, START + 20_000_000, host);
  const bot = await started;
  const stopped = bot.stop(); // stopping takes virtual time too
  await runWithBot(sched, START + 25_000_000, host);
  await stopped;
  host.close();
  const card = scorecardView(sc, host.accountId)[0];
  // the report and its CSV carry the same figures
  const csv = reportCsv(reportData(sc, new ScorecardSeries(sc), { source: 'sim' }));
  assert.match(csv.split('\n')[0], /,order_ack_clock,order_ack_messages,order_ack_p50_us,order_ack_p90_us,order_ack_p99_us,order_ack_max_us$/);
  assert.match(csv.split('\n').find((l) => l.includes(',bot,')) ?? '', /,virtual,\d+,\d+,\d+,\d+,\d+$/);
  return card;
}

test('virtual time: the exchange answers in no exchange time; a message held 300 ms by the session shows exactly', async () => {
  const quiet = (await virtualRun(() => 0)).order_ack_latency;
  assert.ok(quiet && quiet.messages > 5, JSON.stringify(quiet));
  assert.deepEqual([quiet.clock, quiet.p50_us, quiet.p99_us, quiet.max_us], ['virtual', 0, 0, 0]);

  // the third order message is held 300 ms: it, and the ones queued behind it, wait
  const held = (await virtualRun((n) => (n === 2 ? 300 : 0))).order_ack_latency;
  assert.ok(held && held.messages > 5);
  assert.equal(held.clock, 'virtual');
  assert.equal(held.p50_us, 0);
  assert.ok(held.max_us >= 300_000 && held.max_us <= 303_000, `max ${held.max_us} µs`);
});
