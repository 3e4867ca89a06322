// node --import tsx bench/book-far-level.ts [LEVELS]
// Cost of adding and removing a price level far from the best on one book side
// with LEVELS levels (default 40,000): the worst price, the middle, and one
// tick behind the best, each as a create-then-remove pair, in ns per pair.
import { BookSide } from '../engine/book.ts';
import { Side } from '../engine/types.ts';

const levels = Number(process.argv[2] ?? 40_000);
const side = new BookSide('X', Side.BUY, []); // no orders: levels only
side.keepRemoved = false;
// bids at even prices 2 … 2·levels: the best is the highest
for (let i = 1; i <= levels; i++) side.findOrCreate(2 * i);

function pairs(price: number, n: number): number {
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < n; k++) side.removeLevel(side.findOrCreate(price));
  return Number(process.hrtime.bigint() - t0) / n;
}

const where: [string, number][] = [['worst', 1], ['middle', levels + 1], ['behind best', 2 * levels - 1]];
for (let round = 0; round < 3; round++) {
  const out = where.map(([name, p]) => `${name}=${pairs(p, 20_000).toFixed(0)}ns`);
  if (round === 2) console.log(`levels=${levels} create+remove per pair: ${out.join(' ')}`);
}
