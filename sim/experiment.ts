// Experiments on the simulated market, measured by the scorecard
// (docs/experiments.md):
//
//   npm run experiment -- spread-sweep [--duration 10m] [--seeds 3] [--regimes calm,choppy,trending,crisis]
//     the naive bot in process at half-spreads 0.25 σ … 1.5 σ (σ: the standard deviation of the
//     1-second mid change in the regime, measured by a bot-less run first), one fixed regime at a time
//   npm run experiment -- fee-exit [--seeds 10]
//     a maker long after a 1 % jump down exits by a market order (taker fee) or by re-quoting its ask
//     at the best ask (maker rebate): the cost of each exit on simulated fills (domain.md §1)
import { parseArgs } from 'node:util';
import { parseScenario, parseDuration, type Scenario } from './scenario.ts';
import { runSim } from './run.ts';
import { DEFAULT_LATENCY } from './bot-link.ts';
import { naiveStrategy } from '../client/bots/naive-quoter.ts';
import type { CardView } from '../gateway/scorecard/view.ts';
import { OrdType, Side } from '../engine/types.ts';

const SYMBOL = 'BTC-USD';
const K = [0.25, 0.5, 0.75, 1, 1.25, 1.5];
const REGIMES = ['calm', 'choppy', 'trending', 'crisis'];

const regimeScenario = (regime: string, durationUs: number, timeline: unknown[] = []): Scenario => parseScenario({
  name: `fixed-${regime}`, profile: 'crypto-spot', symbols: [SYMBOL], switching: 'script', initial_regime: regime,
  duration: `${Math.round(durationUs / 1e6)}s`, timeline,
});

/** σ of the 1-second mid change in price units, and the tick, from a run without a bot. */
async function sigmaOf(regime: string, durationUs: number): Promise<{ sigma: number; tick: number }> {
  const { tape } = await runSim({ scenario: regimeScenario(regime, durationUs), seed: 1000 });
  const mids = tape.series(SYMBOL)?.mids ?? new Float64Array();
  const d: number[] = [];
  for (let i = 1; i < mids.length; i++) if (mids[i] > 0 && mids[i - 1] > 0) d.push(mids[i] - mids[i - 1]);
  const mean = d.reduce((a, b) => a + b, 0) / d.length;
  const sigma = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / d.length);
  return { sigma, tick: 1 };
}

/** One run of the naive bot (in process, the default latencies) at ±ticks; its scorecard. */
async function botRun(scenario: Scenario, seed: number, ticks: number): Promise<CardView | undefined> {
  const { report } = await runSim({ scenario, seed, bot: { strategy: naiveStrategy(ticks), latency: DEFAULT_LATENCY, size: '0.01' } });
  return report.scorecards.find((c) => c.name === 'bot');
}

const num = (s: string): number => Number(s);
const mean = (xs: number[]): number => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const f2 = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : '–');
const markout = (c: CardView, ms: number): number | null => c.markouts.horizons.find((h) => h.horizon_ms === ms)?.markout_bp ?? null;

async function spreadSweep(durationUs: number, seeds: number, regimes: string[]): Promise<string> {
  const rows = ['| regime | σ 1 s (USD) | half-spread | ticks | fills | P&L | spread capture | fees | inventory P&L | markout 1 s bp | markout 10 s bp | fill ratio |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|'];
  for (const regime of regimes) {
    const { sigma } = await sigmaOf(regime, Math.min(durationUs, 600e6));
    const sc = regimeScenario(regime, durationUs);
    for (const k of K) {
      // price units are cents on BTC-USD: a tick is 0.01 USD
      const ticks = Math.max(1, Math.round(k * sigma));
      const cards: CardView[] = [];
      for (let s = 1; s <= seeds; s++) {
        const c = await botRun(sc, s, ticks);
        if (c) cards.push(c);
      }
      const m = (fn: (c: CardView) => number | null): number => mean(cards.map(fn).filter((x): x is number => x !== null));
      rows.push(`| ${regime} | ${f2(sigma / 100)} | ${k} σ | ${ticks} | ${f2(m((c) => c.fills))} | ${f2(m((c) => num(c.pnl.total)))} | `
        + `${f2(m((c) => num(c.pnl.spread_capture)))} | ${f2(m((c) => num(c.pnl.fees)))} | ${f2(m((c) => num(c.pnl.inventory)))} | `
        + `${f2(m((c) => markout(c, 1000)))} | ${f2(m((c) => markout(c, 10_000)))} | ${m((c) => c.quotes?.fill_ratio ?? null).toFixed(4)} |`);
      process.stderr.write(`${regime} ${k} σ done\n`);
    }
  }
  return rows.join('\n');
}

/**
 * A maker long 0.05 BTC (bought on its bid) when the fair value jumps 1 % down; 15 s later, the book
 * repriced, it exits by a market order, or by an ask joined at the best ask and re-joined every
 * second until filled (a market order after 120 s). Both runs share the seed: the market is the
 * same until the exit.
 */
async function feeExit(seeds: number): Promise<string> {
  const JUMP_AT_S = 120;
  const EXIT_AFTER_S = 15;
  const rows = ['| exit | runs | entry (USD) | exit (USD) | mid when the exit starts | exit fee (USD, − = rebate) | round-trip P&L (USD) | seconds to exit |',
    '|---|---:|---:|---:|---:|---:|---:|---:|'];
  for (const exit of ['taker', 'passive'] as const) {
    const res: { entry: number; exitPx: number; fair: number; fee: number; pnl: number; secs: number }[] = [];
    for (let seed = 1; seed <= seeds; seed++) {
      const sc = regimeScenario('calm', (JUMP_AT_S + 180) * 1e6, [{ at: JUMP_AT_S, type: 'jump', jump_pct: -1, symbol: SYMBOL }]);
      const r = { entry: 0, exitPx: 0, fair: 0, fee: 0, pnl: 0, secs: 0 };
      const { report } = await runSim({
        scenario: sc, seed,
        attach: (ctx) => {
          const ex = ctx.exchange;
          const acct = ex.createAccount('exit-test');
          if ('error' in acct) throw new Error(acct.error);
          const qty = 5000; // 0.05 BTC
          const t0 = ctx.scheduler.now();
          let entered = false;
          let exitStart = 0;
          const cash = 10 ** (ex.instrument(SYMBOL)?.cashScale ?? 0);
          const legs = { buyN: 0, buyQ: 0, sellN: 0, sellQ: 0, exitFee: 0 };
          ctx.market.observe({
            fill: (e) => {
              const mine = e.makerAccount === acct.id ? e.makerFee : e.takerAccount === acct.id ? e.takerFee : null;
              if (mine === null) return;
              const bought = (e.aggressorSide === Side.BUY) === (e.takerAccount === acct.id);
              if (bought) { legs.buyN += e.notional; legs.buyQ += e.qty; } else { legs.sellN += e.notional; legs.sellQ += e.qty; legs.exitFee += mine; }
              r.entry = legs.buyQ > 0 ? legs.buyN / legs.buyQ / cash * 1e5 : 0; // USD per BTC (qty scale 5)
              r.exitPx = legs.sellQ > 0 ? legs.sellN / legs.sellQ / cash * 1e5 : 0;
              r.fee = legs.exitFee / cash;
            },
          });
          const fillsOf = (): number => ex.engine.accountView(acct.id)?.positions.find((p) => p.symbol === SYMBOL)?.position ?? 0;
          // entry: a bid joined at the best bid 30 s before the jump, re-joined each second until filled
          const enter = (): void => {
            if (fillsOf() >= qty) { entered = true; return; }
            ex.massCancelOrders(acct.id, '', SYMBOL);
            const b = ex.engine.bestBid(SYMBOL);
            if (b) ex.newOrder({ account: acct.id, symbol: SYMBOL, side: Side.BUY, price: b.price, qty: qty - fillsOf() });
            ctx.scheduler.after(1_000_000, enter);
          };
          ctx.scheduler.at(t0 + (JUMP_AT_S - 30) * 1e6, enter);
          const leave = (): void => {
            const pos = fillsOf();
            if (pos <= 0) { r.secs = (ctx.scheduler.now() - exitStart) / 1e6; return; }
            ex.massCancelOrders(acct.id, '', SYMBOL);
            const late = ctx.scheduler.now() - exitStart > 120e6;
            if (exit === 'taker' || late) ex.newOrder({ account: acct.id, symbol: SYMBOL, side: Side.SELL, ordType: OrdType.MARKET, qty: pos });
            else {
              const a = ex.engine.bestAsk(SYMBOL);
              if (a) ex.newOrder({ account: acct.id, symbol: SYMBOL, side: Side.SELL, price: a.price, qty: pos });
            }
            ctx.scheduler.after(1_000_000, leave);
          };
          // the exit starts once the book has repriced (the makers' lag is a few seconds): the §1 situation
          ctx.scheduler.at(t0 + (JUMP_AT_S + EXIT_AFTER_S) * 1e6, () => {
            if (!entered) return;
            exitStart = ctx.scheduler.now();
            const b = ex.engine.bestBid(SYMBOL)?.price ?? 0;
            const a = ex.engine.bestAsk(SYMBOL)?.price ?? 0;
            r.fair = (b + a) / 2 / 100;
            leave();
          });
        },
      });
      const c = report.scorecards.find((x) => x.name === 'exit-test');
      if (!c || c.position !== 0 || c.fills === 0) continue;
      r.pnl = num(c.pnl.total);
      res.push(r);
    }
    rows.push(`| ${exit} | ${res.length} | ${f2(mean(res.map((x) => x.entry)))} | ${f2(mean(res.map((x) => x.exitPx)))} | ${f2(mean(res.map((x) => x.fair)))} | ${f2(mean(res.map((x) => x.fee)))} | ${f2(mean(res.map((x) => x.pnl)))} | ${f2(mean(res.map((x) => x.secs)))} |`);
  }
  return rows.join('\n');
}

const USAGE = `usage: npm run experiment -- spread-sweep [--duration 10m] [--seeds 3] [--regimes calm,choppy,trending,crisis]
       npm run experiment -- fee-exit [--seeds 10]`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true, strict: true,
    options: { duration: { type: 'string' }, seeds: { type: 'string' }, regimes: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const which = positionals[0];
  if (values.help || !which) {
    process.stdout.write(USAGE + '\n');
    return which || values.help ? 0 : 1;
  }
  const seeds = Number(values.seeds ?? (which === 'fee-exit' ? 10 : 3));
  if (!Number.isInteger(seeds) || seeds < 1 || seeds > 100) throw new Error('--seeds: 1-100');
  if (which === 'spread-sweep') {
    const durationUs = parseDuration(values.duration ?? '10m', '--duration');
    const regimes = (values.regimes ?? REGIMES.join(',')).split(',');
    for (const r of regimes) if (!REGIMES.includes(r)) throw new Error(`--regimes: ${r} is not one of ${REGIMES.join(', ')}`);
    process.stdout.write(await spreadSweep(durationUs, seeds, regimes) + '\n');
    return 0;
  }
  if (which === 'fee-exit') {
    process.stdout.write(await feeExit(seeds) + '\n');
    return 0;
  }
  process.stderr.write(`unknown experiment ${which}\n${USAGE}\n`);
  return 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e: Error) => { process.stderr.write(e.message + '\n'); process.exitCode = 1; });
}
