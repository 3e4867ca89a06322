// Shared by the client tests: a server on an ephemeral loopback port, typed
// waits on client events, and a seeded PRNG (tests never use Math.random).
import type { EventEmitter } from 'node:events';
import { startServer, type RunningServer, type ServerOptions } from '../gateway/index.ts';
import type { ExchangeConfig } from '../gateway/exchange.ts';

/** BTC-USD as in the default venue: price 0.1 USD, quantity 0.0001 BTC, taker 2 bp, maker −1 bp. */
export const BTC = {
  symbol: 'BTC-USD', price_scale: 1, qty_scale: 4, tick_size: 1, lot: 1, min_qty: 1, max_qty: 1_000_000,
  max_price: 10_000_000, maker_fee_bp: -1, taker_fee_bp: 2,
};

export const TEST_CONFIG: ExchangeConfig = {
  instruments: [BTC],
  accounts: [{ name: 'alice', api_key: 'alice-key-1-0123456' }, { name: 'bob', api_key: 'bob-key-01-01234567' }, { name: 'carol', api_key: 'carol-key-1-0123456' }],
};

export async function withServer(fn: (s: RunningServer) => Promise<void>, options: Omit<ServerOptions, 'config'> = {}): Promise<void> {
  const s = await startServer({ ...options, config: structuredClone(TEST_CONFIG), port: 0 });
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

/** The event map of a typed EventEmitter. */
type EventsOf<E> = E extends EventEmitter<infer T> ? T : never;
type ArgsOf<E, K extends keyof EventsOf<E>> = Extract<EventsOf<E>[K], unknown[]>;

/** The next `ev` whose arguments satisfy `pred`, or a rejection after `ms`. */
export function waitFor<E extends EventEmitter, K extends keyof EventsOf<E> & string>(
  em: E, ev: K, pred: (...args: ArgsOf<E, K>) => boolean = () => true, ms = 2000,
): Promise<ArgsOf<E, K>> {
  const untyped = em as EventEmitter;
  return new Promise((resolve, reject) => {
    const fn = (...args: ArgsOf<E, K>): void => {
      if (!pred(...args)) return;
      clearTimeout(timer);
      untyped.off(ev, fn);
      resolve(args);
    };
    const timer = setTimeout(() => {
      untyped.off(ev, fn);
      reject(new Error(`timed out waiting for '${ev}'`));
    }, ms);
    untyped.on(ev, fn);
  });
}

/** Every `ev` from now on, first argument only. */
export function collect<E extends EventEmitter, K extends keyof EventsOf<E> & string>(em: E, ev: K): ArgsOf<E, K>[0][] {
  const out: ArgsOf<E, K>[0][] = [];
  (em as EventEmitter).on(ev, (...args: ArgsOf<E, K>) => void out.push(args[0]));
  return out;
}

export { prng } from './prng.ts';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * An admin command's JSON answer without its `effective_time`, after checking
 * it (engine µs since the epoch; tests may drive the clock): the tests
 * compare the rest of an answer whole.
 */
export function withoutEffectiveTime<T>(method: string, path: string, status: number, body: T): T {
  if (method === 'GET' || !path.includes('/admin/') || status >= 300 || body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const { effective_time: t, ...rest } = body as Record<string, unknown>;
  if (!Number.isSafeInteger(t) || (t as number) <= 0) throw new Error(`${path}: effective_time ${String(t)}`);
  return rest as T;
}
