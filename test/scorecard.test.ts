// The bot scorecard (gateway/scorecard/): the exact P&L identity over seeded
// simulated runs, agreement with the engine's own ledger, per-counterparty
// markouts, and the quote-quality figures on a hand-made book.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Exchange, Clock } from '../gateway/exchange.ts';
import { profileConfig } from '../gateway/profiles.ts';
import { Side, TimeInForce } from '../engine/types.ts';
import { loadScenario } from '../sim/scenario.ts';
import { runSim } from '../sim/run.ts';
import { randomTrader } from './scorecard-helpers.ts';
import { naiveStrategy } from '../client/bots/naive-quoter.ts';
import { DEFAULT_LATENCY } from '../sim/bot-link.ts';
import { Scorecard } from '../gateway/scorecard/scorecard.ts';
import { cardView } from '../gateway/scorecard/view.ts';

async function scoredRun(scenario: string, seed: number, seconds: number, trackAll = false): Promise<{ sc: Scorecard; ex: Exchange; trader: number }> {
  let sc: Scorecard | undefined;
  let ex: Exchange | undefined;
  let trader = 0;
  await runSim({
    scenario: loadScenario(scenario), seed, durationUs: seconds * 1e6,
    attach: (ctx) => {
      ex = ctx.exchange;
      sc = new Scorecard(ctx.exchange, {
        typeOf: (a) => ctx.market.agentType(a), fairValueAt: (s, t) => ctx.market.fairValueAt(s, t), tracked: trackAll ? () => true : undefined,
      });
      trader = randomTrader(ctx, seed * 7 + 1, ctx.scenario.symbols[0]);
    },
  });
  return { sc: sc as Scorecard, ex: ex as Exchange, trader };
}

test('P&L = spread capture + fees + inventory P&L to the half cash unit, and the ledger matches the engine (random seeded runs)', async () => {
  for (const [scenario, seed] of [['toxic', 1], ['regimes', 2], ['jump', 3], ['calm', 4]] as const) {
    const { sc, ex, trader } = await scoredRun(scenario, seed, 90);
    sc.catchUp();
    let checked = 0;
    for (const c of sc.cardsOf()) {
      if (c.fills === 0) continue;
      const mid2 = (sc.symbol(c.symbol) as { mid2: number }).mid2;
      assert.equal(c.pnl2(mid2), c.spread2 + c.fees2 + c.inventory2, `${scenario}/${seed} account ${c.account} ${c.symbol}`);
      const p = ex.engine.accountView(c.account)?.positions.find((x) => x.symbol === c.symbol);
      assert.ok(p);
      assert.equal(c.position, p.position);
      assert.equal(c.cash2, 2n * p.cash, `cash of account ${c.account}`);
      checked++;
    }
    assert.ok(checked >= 5, `${scenario}: ${checked} cards with fills`);
    const mine = sc.cardsOf(trader);
    assert.ok(mine.length === 1 && mine[0].fills > 10, `${scenario}: the random trader filled ${mine[0]?.fills}`);
    const v = cardView(sc, mine[0]);
    assert.equal(v.pnl.identity_holds, true);
    assert.ok(v.quotes && v.quotes.orders > 0 && v.quotes.fill_ratio !== null);
  }
});

test('markouts by counterparty: informed flow is toxic to the resting makers, noise flow pays them (toxic)', async () => {
  const { sc } = await scoredRun('toxic', 1, 600, true);
  sc.catchUp();
  const bpAt = (h: number): Record<string, number> => {
    const sums: Record<string, { x: number; n: number }> = {};
    for (const c of sc.cardsOf()) {
      if (sc.counterpartyType(c.account) !== 'maker') continue;
      for (const [type, s] of c.byCounterparty) {
        const e = (sums[type] ??= { x: 0, n: 0 });
        e.x += Number(s.markout2[h]) / 2;
        e.n += Number(s.settledNotional[h]);
      }
    }
    return Object.fromEntries(Object.entries(sums).map(([t, e]) => [t, (e.x / e.n) * 1e4]));
  };
  const at1s = bpAt(sc.horizonsUs.indexOf(1_000_000));
  const at10s = bpAt(sc.horizonsUs.indexOf(10_000_000));
  assert.ok(at1s.informed < 0 && at1s.noise > 0, `makers' 1 s markouts ${JSON.stringify(at1s)}`);
  assert.ok(at10s.informed < at10s.noise, `makers' 10 s markouts ${JSON.stringify(at10s)}`);
  const trader = sc.cardsOf().find((c) => sc.counterpartyType(c.account) === 'external' && c.fills > 0);
  assert.ok(trader);
  const v = cardView(sc, trader);
  // every horizon settled something, and fair-value markouts are there when a scenario runs
  assert.ok(v.markouts.horizons.every((h) => h.markout_bp !== null && h.fair_markout_bp !== null), JSON.stringify(v.markouts.horizons));
});

test('quote quality on a hand-made book: two-sided uptime, time at best, quoted spread and size, rejects', () => {
  let t = Date.UTC(2025, 0, 6) * 1000;
  const ex = new Exchange(profileConfig('crypto-spot'), new Clock(() => t));
  const sc = new Scorecard(ex);
  const mm = ex.createAccount('mm');
  const other = ex.createAccount('other');
  assert.ok(!('error' in mm) && !('error' in other));
  const S = 'BTC-USD';
  ex.newOrder({ account: other.id, symbol: S, side: Side.BUY, price: 99_990_00, qty: 1000 });
  ex.newOrder({ account: other.id, symbol: S, side: Side.SELL, price: 100_010_00, qty: 1000 });
  // mm quotes inside at 99 995 / 100 005: at the best on both sides, two-sided, for 10 s
  ex.newOrder({ account: mm.id, symbol: S, side: Side.BUY, price: 99_995_00, qty: 500 });
  ex.newOrder({ account: mm.id, symbol: S, side: Side.SELL, price: 100_005_00, qty: 300 });
  t += 10_000_000;
  // other improves the bid: mm is no longer at the best bid for the next 10 s
  ex.newOrder({ account: other.id, symbol: S, side: Side.BUY, price: 99_999_00, qty: 1000 });
  t += 10_000_000;
  // other lifts mm's ask entirely: mm is one-sided for the last 20 s
  ex.newOrder({ account: other.id, symbol: S, side: Side.BUY, price: 100_005_00, qty: 300, tif: TimeInForce.IOC });
  ex.newOrder({ account: mm.id, symbol: S, side: Side.BUY, price: 99_000_00, qty: 0 }); // refused: no quantity
  t += 20_000_000;
  ex.tick();
  sc.catchUp(t);
  const [card] = sc.cardsOf(mm.id);
  const v = cardView(sc, card);
  assert.ok(v.quotes);
  assert.equal(v.quotes.observed_s, 40);
  assert.equal(v.quotes.two_sided_pct, 50);
  assert.equal(v.quotes.at_best_bid_pct, 25);
  assert.equal(v.quotes.at_best_ask_pct, 50);
  assert.equal(v.quotes.mean_quoted_spread, 10_00);
  assert.equal(v.quotes.mean_quoted_size, 400);
  assert.equal(v.fills, 1);
  assert.equal(v.position, -300);
  // sold 300 at 100 005.00 with the mid at 100 002.00 (99 999 / 100 005): capture 3.00 × 0.003 BTC = 0.009 USD
  assert.equal(v.pnl.spread_capture, '0.0090000');
  assert.equal(v.pnl.identity_holds, true);
  assert.equal(v.quotes.orders, 2);
  assert.deepEqual(v.quotes.rejects, { QTY_OUT_OF_RANGE: 1 });
  assert.equal(v.quotes.fill_ratio, 300 / 800);
});

test('the naive bot in toxic (in process): its 10 s markout is negative against informed takers and positive against noise', async () => {
  const { report } = await runSim({ scenario: loadScenario('toxic'), seed: 1, durationUs: 600e6, bot: { strategy: naiveStrategy(), latency: DEFAULT_LATENCY } });
  const bot = report.scorecards.find((c) => c.name === 'bot');
  assert.ok(bot && bot.fills > 100, `bot fills ${bot?.fills}`);
  const at10s = (type: string): number | null | undefined => bot.by_counterparty[type]?.horizons.find((h) => h.horizon_ms === 10_000)?.markout_bp;
  const informed = at10s('informed');
  const noise = at10s('noise');
  assert.ok(typeof informed === 'number' && informed < 0, `vs informed ${informed} bp`);
  assert.ok(typeof noise === 'number' && noise > 0, `vs noise ${noise} bp`);
  assert.equal(bot.pnl.identity_holds, true);
});
