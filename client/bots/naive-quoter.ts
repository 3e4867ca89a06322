// A naive market maker: a symmetric two-sided quote N ticks either side of
// the mid of others' orders, the same size on both sides, re-sent (as one
// MassQuote) whenever the wanted prices change. No inventory control at
// all — the baseline the Avellaneda–Stoikov bot improves on.
//
//   npm run bot:naive -- [--url http://127.0.0.1:8080] [--key demo-maker-1] [--symbol BTC-USD]
//                        [--ticks 2] [--size 0.01] [--ref-price 100000]
import { parseArgs } from 'node:util';
import { BotRuntime, COMMON_OPTIONS, commonSettings, fail, isMain, numberFlag, type Strategy } from './bot-runtime.ts';
import { symmetricQuotes } from './quoting.ts';

const USAGE = 'usage: npm run bot:naive -- [--url <http://host:port>] [--key <api key>] [--symbol <s>] [--ticks <n>] [--size <qty>] [--ref-price <price>]';

/** Ticks either side of the mid when --ticks is not given. */
export const DEFAULT_NAIVE_TICKS = 2;

export function naiveStrategy(ticks = DEFAULT_NAIVE_TICKS): Strategy {
  return {
    name: 'naive',
    quote: (c) => symmetricQuotes(c.mid, ticks, c.inst, c.market),
    status: () => `±${ticks} ticks`,
  };
}

function main(): void {
  let values;
  try {
    ({ values } = parseArgs({ options: { ...COMMON_OPTIONS, ticks: { type: 'string' } }, strict: true }));
  } catch (e) {
    fail(`${(e as Error).message} (${USAGE})`);
  }
  if (values.help) return void console.log(USAGE);
  const ticks = numberFlag('ticks', values.ticks, DEFAULT_NAIVE_TICKS);
  if (!Number.isInteger(ticks)) fail('--ticks must be a whole number');
  BotRuntime.run(commonSettings(values, 'demo-maker-1'), naiveStrategy(ticks)).catch((e: Error) => fail(`naive: ${e.message}`));
}

if (isMain(import.meta.url)) main();
