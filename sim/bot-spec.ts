// Which bot a simulation runs (--bot naive|as|PATH) and how far it is from
// the exchange (--feed-latency, --order-latency, --jitter).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Strategy } from '../client/bots/bot-runtime.ts';
import { naiveStrategy } from '../client/bots/naive-quoter.ts';
import { avellanedaStoikovStrategy } from '../client/bots/avellaneda-stoikov.ts';
import { DEFAULT_LATENCY, parseLatency, type LatencyModel } from './bot-link.ts';

export const BUILT_IN_BOTS = ['naive', 'as'] as const;

/** A bad --bot or latency flag: the message names the flag. */
export class BotSpecError extends Error {}

const isStrategy = (x: unknown): x is Strategy =>
  typeof x === 'object' && x !== null && typeof (x as Strategy).name === 'string' && typeof (x as Strategy).quote === 'function';

/**
 * The strategy of a built-in bot with its command-line defaults, or of a
 * module: its default export or its `strategy` export, either a Strategy or
 * a function of no arguments returning one.
 */
export async function loadStrategy(bot: string): Promise<Strategy> {
  if (bot === 'naive') return naiveStrategy();
  if (bot === 'as') return avellanedaStoikovStrategy();
  let mod: Record<string, unknown>;
  try {
    mod = await import(pathToFileURL(resolve(bot)).href) as Record<string, unknown>;
  } catch (e) {
    throw new BotSpecError(`--bot: not ${BUILT_IN_BOTS.join(' or ')}, and ${bot} cannot be loaded: ${(e as Error).message.split('\n')[0]}`);
  }
  for (const x of [mod.default, mod.strategy]) {
    const s = typeof x === 'function' ? (x as () => unknown)() : x;
    if (isStrategy(s)) return s;
  }
  throw new BotSpecError(`--bot: ${bot} exports no Strategy (a default or \`strategy\` export: a Strategy, or a function returning one)`);
}

/** The latency model from the flags' text (absent flags keep the defaults). */
export function latencyFromFlags(flags: { 'feed-latency'?: string; 'order-latency'?: string; jitter?: string }): LatencyModel {
  const read = (flag: string, text: string | undefined, dflt: number): number => {
    if (text === undefined) return dflt;
    const us = parseLatency(text);
    if (us === null) throw new BotSpecError(`--${flag}: a duration such as 2ms, 500us or 0.5ms (at most 60s), got '${text}'`);
    return us;
  };
  return {
    feedUs: read('feed-latency', flags['feed-latency'], DEFAULT_LATENCY.feedUs),
    orderUs: read('order-latency', flags['order-latency'], DEFAULT_LATENCY.orderUs),
    jitterUs: read('jitter', flags.jitter, DEFAULT_LATENCY.jitterUs),
  };
}
