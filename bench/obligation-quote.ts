// node --import tsx bench/obligation-quote.ts [--resting 40000] [--pairs 2000] [--rounds 5]
//
// What a maker-programme member's resting orders cost its next order. In process, the default
// configuration (maker-1 is a member of btc-mm on BTC-USD): maker-1 first rests `resting`
// orders, one per price level (as in `npm run bench:md-snapshots`), then sends `pairs` new
// orders each cancelled at once; printed: the CPU time of resting them, and per new order +
// cancel the median of `rounds` rounds, for maker-1 and for a non-member (demo-taker) on the
// same book, next to the same with nothing resting (after an untimed warm-up run).
import { parseArgs } from 'node:util';
import { Exchange } from '../gateway/exchange.ts';
import { defaultConfig } from '../gateway/config.ts';

const { values } = parseArgs({ options: { resting: { type: 'string', default: '40000' }, pairs: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '5' } } });
const RESTING = Number(values.resting);
const PAIRS = Number(values.pairs);
const ROUNDS = Number(values.rounds);
const SYMBOL = 'BTC-USD';

const cpuMs = (f: () => void): number => {
  const t = process.cpuUsage();
  f();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
};

function run(resting: number, print = true): void {
  const ex = new Exchange(defaultConfig());
  const id = (key: string) => (ex.authenticate(key) as { id: number }).id;
  const maker = id('demo-maker-1');
  const trader = id('demo-taker');
  let refused = 0;
  const setup = cpuMs(() => {
    for (let i = 0; i < resting; i++) {
      const side = i % 2 === 0 ? 1 : 2;
      const off = 10 + Math.floor(i / 2);
      if (ex.newOrder({ account: maker, symbol: SYMBOL, side, ordType: 1, tif: 1, price: side === 1 ? 500_000 - off : 500_000 + off, qty: 1 } as never) === 0) refused++;
    }
  });
  const perPair = (account: number): number => {
    const us: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      us.push(cpuMs(() => {
        for (let i = 0; i < PAIRS; i++) {
          const orderId = ex.newOrder({ account, symbol: SYMBOL, side: 1, ordType: 1, tif: 1, price: 499_995 - (i % 5), qty: 1 } as never);
          if (orderId === 0 || ex.cancel({ account, symbol: SYMBOL, orderId } as never) === 0) refused++;
        }
      }) * 1000 / PAIRS);
    }
    return us.sort((a, b) => a - b)[ROUNDS >> 1];
  };
  const m = perPair(maker);
  const t = perPair(trader);
  if (refused !== 0) throw new Error(`${refused} orders or cancels refused: the figures would not be of accepted orders`);
  if (print) console.log(`resting=${resting} setup_cpu_ms=${setup.toFixed(0)} member_us_per_order_cancel=${m.toFixed(1)} non_member_us_per_order_cancel=${t.toFixed(1)}`);
}

run(Math.min(RESTING, 2000), false); // JIT warm-up
run(0);
run(RESTING);
