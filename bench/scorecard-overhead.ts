// node --import tsx bench/scorecard-overhead.ts
// CPU per order through the Exchange with and without the scorecard observing it: new orders around
// the mid from four accounts, a third of them cancelled, runs interleaved in one process.
import { Exchange, Clock } from '../gateway/exchange.ts';
import { profileConfig } from '../gateway/profiles.ts';
import { Side } from '../engine/types.ts';
import { Scorecard } from '../gateway/scorecard/scorecard.ts';
function run(withSc: boolean, n: number): number {
  let t = Date.UTC(2025, 0, 6) * 1000;
  const ex = new Exchange(profileConfig('crypto-spot'), new Clock(() => t));
  const sc = withSc ? new Scorecard(ex) : null;
  const accts = [0, 1, 2, 3].map((i) => (ex.createAccount(`a${i}`) as { id: number }).id);
  let seed = 1; const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    t += 100;
    const a = accts[i % 4];
    const side = rnd() < 0.5 ? Side.BUY : Side.SELL;
    const px = 100_000_00 + Math.round((rnd() - 0.5) * 400) * 1;
    const id = ex.newOrder({ account: a, symbol: 'BTC-USD', side, price: px, qty: 100 });
    if (i % 3 === 0 && id) ex.cancel({ account: a, symbol: 'BTC-USD', orderId: id });
  }
  const c = process.cpuUsage(c0);
  sc?.stop();
  return (c.user + c.system) / n;
}
const n = 200_000;
for (let r = 0; r < 4; r++) console.log(`without ${run(false, n).toFixed(3)} µs/order   with ${run(true, n).toFixed(3)} µs/order`);
