// An Avellaneda–Stoikov market maker (domain.md §2; maths in as-model.ts).
// It quotes r ± δ/2 around a reservation price skewed against its inventory,
// with a spread that narrows as the horizon runs out; σ is estimated from
// mid changes. Prices inside the model are in ticks (at the current mid) and
// inventory in multiples of the quote size, so the defaults suit any
// instrument: --gamma and --kappa are per tick, --sigma in ticks per √second.
//
//   npm run bot:as -- [--url http://127.0.0.1:8080] [--key demo-maker-2] [--symbol BTC-USD]
//                     [--gamma 0.05] [--kappa 0.5] [--sigma 1] [--horizon 30] [--size 0.01]
//                     [--vol-half-life 60] [--ref-price 100000]
import { parseArgs } from 'node:util';
import { BotRuntime, COMMON_OPTIONS, commonSettings, fail, isMain, numberFlag, type Strategy } from './bot-runtime.ts';
import { asQuotes, timeLeft, VolatilityEstimator, type AsParams } from './as-model.ts';
import { placeOnGrid } from './quoting.ts';

const USAGE = 'usage: npm run bot:as -- [--url <http://host:port>] [--key <api key>] [--symbol <s>] [--gamma <γ>] [--kappa <κ>] '
  + '[--sigma <ticks/√s>] [--horizon <s>] [--size <qty>] [--vol-half-life <s>] [--ref-price <price>]';

export interface AsSettings extends AsParams {
  /** initial σ, ticks per √second */
  sigma: number;
  /** seconds; the horizon restarts when it runs out */
  horizon: number;
  volHalfLife: number;
}

/** The settings when no flag is given. */
export const DEFAULT_AS_SETTINGS: Readonly<AsSettings> = { gamma: 0.05, kappa: 0.5, sigma: 1, horizon: 30, volHalfLife: 60 };

/** `startMs`: when the first horizon starts (default: at the first quote, on the bot's clock). */
export function avellanedaStoikovStrategy(p: AsSettings = DEFAULT_AS_SETTINGS, startMs?: number): Strategy {
  const vol = new VolatilityEstimator(p.sigma, p.volHalfLife);
  let last = '';
  let start = startMs;
  return {
    name: 'A-S',
    observe(nowMs, mid, inst) {
      // σ is kept in ticks, like every price inside the model
      if (mid !== null) vol.observe(nowMs / 1000, mid / inst.tickAt(Math.floor(mid)));
    },
    quote(c) {
      const tick = c.inst.tickAt(Math.floor(c.mid));
      const q = c.inventory / c.size;
      start ??= c.nowMs;
      const tau = timeLeft(c.nowMs / 1000, start / 1000, p.horizon);
      const sigma = vol.sigma();
      const m = asQuotes(c.mid / tick, q, sigma, tau, p);
      last = `q ${q.toFixed(2)} σ ${sigma.toFixed(2)}t r ${(m.reservation - c.mid / tick).toFixed(2)}t δ ${m.spread.toFixed(2)}t T-t ${tau.toFixed(0)}s`;
      return placeOnGrid({ bid: m.bid * tick, ask: m.ask * tick }, c.inst, c.market);
    },
    status: () => last,
  };
}

function main(): void {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        ...COMMON_OPTIONS, gamma: { type: 'string' }, kappa: { type: 'string' }, sigma: { type: 'string' },
        horizon: { type: 'string' }, 'vol-half-life': { type: 'string' },
      },
      strict: true,
    }));
  } catch (e) {
    fail(`${(e as Error).message} (${USAGE})`);
  }
  if (values.help) return void console.log(USAGE);
  const d = DEFAULT_AS_SETTINGS;
  const settings: AsSettings = {
    gamma: numberFlag('gamma', values.gamma, d.gamma),
    kappa: numberFlag('kappa', values.kappa, d.kappa),
    sigma: numberFlag('sigma', values.sigma, d.sigma),
    horizon: numberFlag('horizon', values.horizon, d.horizon),
    volHalfLife: numberFlag('vol-half-life', values['vol-half-life'], d.volHalfLife),
  };
  BotRuntime.run(commonSettings(values, 'demo-maker-2'), avellanedaStoikovStrategy(settings)).catch((e: Error) => fail(`A-S: ${e.message}`));
}

if (isMain(import.meta.url)) main();
