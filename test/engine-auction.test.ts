// Call-auction uncross price (engine/rules/auction.ts): hand-worked books for
// each step of the price rule, then random books against a naive version of
// the same rule and against every tick price of the crossed range.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Book } from '../engine/book.ts';
import { OrderPool } from '../engine/order.ts';
import { makeInstrument, isOnTick, floorToTick, tickAt, type Instrument, type InstrumentConfig } from '../engine/instrument.ts';
import { uncross, newUncross, type Uncross } from '../engine/rules/auction.ts';
import { Side } from '../engine/types.ts';
import { prng } from './prng.ts';

const BASE: InstrumentConfig = {
  symbol: 'X', price_scale: 0, qty_scale: 0, tick_size: 1, lot: 1, min_qty: 1, max_qty: 1_000_000,
  max_price: 1_000_000, maker_fee_bp: 0, taker_fee_bp: 0,
};
const TICK1 = makeInstrument(BASE, 0);
const TICK2 = makeInstrument({ ...BASE, tick_size: 2 }, 0);
const TICK4 = makeInstrument({ ...BASE, tick_size: 4 }, 0);
const BANDED = makeInstrument({ ...BASE, tick_size: undefined, tick_table: [
  { from_price: 0, tick: 1 }, { from_price: 100, tick: 5 }, { from_price: 1000, tick: 50 },
] }, 0);

type Px = [price: number, qty: number];

const pool = new OrderPool();

function add(book: Book, side: Side, price: number, qty: number): void {
  const o = pool.take();
  o.side = side;
  o.price = price;
  o.qty = o.leaves = qty;
  book.sideOf(side).findOrCreate(price).push(o);
}

function bookOf(bids: Px[], asks: Px[]): Book {
  const b = new Book('X', pool.table);
  for (const [p, q] of bids) add(b, Side.BUY, p, q);
  for (const [p, q] of asks) add(b, Side.SELL, p, q);
  return b;
}

function run(bids: Px[], asks: Px[], reference = 0, inst: Instrument = TICK1): Uncross {
  return { ...uncross(bookOf(bids, asks), inst, reference, newUncross()) };
}

const u = (price: number, qty: number, surplus: number, surplusSide: Side | 0): Uncross => ({ price, qty, surplus, surplusSide });
const NONE = u(0, 0, 0, 0);

test('a simple cross: the one price of largest volume', () => {
  // bids 5@101 10@100 7@98, asks 8@100 4@101 9@103; crossed range [100, 101]
  //   100: demand 15, supply 8  → 8, surplus 7 buy
  //   101: demand 5,  supply 12 → 5
  // 98 and 103 lie outside the range and count for nothing.
  assert.deepEqual(run([[101, 5], [100, 10], [98, 7]], [[100, 8], [101, 4], [103, 9]]), u(100, 8, 7, Side.BUY));
});

test('no cross, one side empty, empty book: nothing', () => {
  assert.deepEqual(run([[99, 5], [98, 1]], [[100, 5], [101, 1]]), NONE);
  assert.deepEqual(run([[99, 5]], []), NONE);
  assert.deepEqual(run([], [[99, 5]]), NONE);
  assert.deepEqual(run([], [], 100), NONE);
  // the result object is overwritten, not merged
  const out = uncross(bookOf([[101, 5]], [[100, 5]]), TICK1, 0, newUncross());
  assert.equal(out.price, 101);
  assert.deepEqual({ ...uncross(bookOf([[99, 5]], [[100, 5]]), TICK1, 0, out) }, NONE);
});

test('a locked book (best bid = best ask) uncrosses at that price', () => {
  // 100: demand 5, supply 3 → 3, surplus 2 buy
  assert.deepEqual(run([[100, 5]], [[100, 3]]), u(100, 3, 2, Side.BUY));
});

test('step 2: equal volume, the smaller surplus wins', () => {
  // bids 6@101 4@99, asks 5@99 3@100 2@101
  //   99:  demand 10, supply 5  → 5
  //   100: demand 6,  supply 8  → 6, surplus 2 sell
  //   101: demand 6,  supply 10 → 6, surplus 4 sell
  assert.deepEqual(run([[101, 6], [99, 4]], [[99, 5], [100, 3], [101, 2]]), u(100, 6, 2, Side.SELL));
});

test('step 3: a buy surplus at every remaining price → the highest, whatever the reference', () => {
  // bids 10@102, asks 3@100 4@101
  //   100: demand 10, supply 3 → 3
  //   101: demand 10, supply 7 → 7, surplus 3 buy
  //   102: demand 10, supply 7 → 7, surplus 3 buy
  const bids: Px[] = [[102, 10]];
  const asks: Px[] = [[100, 3], [101, 4]];
  assert.deepEqual(run(bids, asks), u(102, 7, 3, Side.BUY));
  assert.deepEqual(run(bids, asks, 101), u(102, 7, 3, Side.BUY), 'pressure outranks the reference');
});

test('step 3: a sell surplus at every remaining price → the lowest, whatever the reference', () => {
  // bids 3@102 4@101, asks 10@100
  //   100: demand 7, supply 10 → 7, surplus 3 sell
  //   101: demand 7, supply 10 → 7, surplus 3 sell
  //   102: demand 3, supply 10 → 3
  const bids: Px[] = [[102, 3], [101, 4]];
  const asks: Px[] = [[100, 10]];
  assert.deepEqual(run(bids, asks), u(100, 7, 3, Side.SELL));
  assert.deepEqual(run(bids, asks, 101), u(100, 7, 3, Side.SELL), 'pressure outranks the reference');
});

// asks 10@100 5@102, bids 5@101 10@106: every price executes 10 with a surplus of 5
//   100: demand 15, supply 10 → buy surplus      102: demand 10, supply 15 → sell surplus
//   101: demand 15, supply 10 → buy surplus      106: demand 10, supply 15 → sell surplus
// mixed sides → step 4.
const MIXED_BIDS: Px[] = [[101, 5], [106, 10]];
const MIXED_ASKS: Px[] = [[100, 10], [102, 5]];

test('step 4: closest to the reference price inside the range', () => {
  assert.deepEqual(run(MIXED_BIDS, MIXED_ASKS, 101), u(101, 10, 5, Side.BUY));
  // 104 is no limit price but is a candidate (demand 10, supply 15: it ties) and the closest
  assert.deepEqual(run(MIXED_BIDS, MIXED_ASKS, 104), u(104, 10, 5, Side.SELL));
});

test('step 4: the reference price itself is a candidate when it is on the tick grid', () => {
  // bids 10@105, asks 10@100: every price in [100, 105] executes 10 with no surplus
  assert.deepEqual(run([[105, 10]], [[100, 10]], 102), u(102, 10, 0, 0), 'the reference is chosen');
  assert.deepEqual(run([[105, 10]], [[100, 10]], 103), u(103, 10, 0, 0));
  // tick 4: 102 is off the grid, so only 100 and 104 are candidates; equally close → the higher (step 5)
  assert.deepEqual(run([[104, 10]], [[100, 10]], 102, TICK4), u(104, 10, 0, 0));
  // tick 4, reference 101: 100 is closest
  assert.deepEqual(run([[104, 10]], [[100, 10]], 101, TICK4), u(100, 10, 0, 0));
  // a reference that is a candidate but worse on volume does not win
  // bids 10@110, asks 4@100 6@110; 105: demand 10, supply 4 → 4; 100 → 4; 110: demand 10, supply 10 → 10
  assert.deepEqual(run([[110, 10]], [[100, 4], [110, 6]], 105), u(110, 10, 0, 0));
  // …and one that balances the book wins at step 2 though it is no limit price:
  // bids 5@100 10@102, asks 10@100 5@102
  //   100: demand 15, supply 10 → 10, surplus 5 buy;  101 (reference): 10/10 → 10, surplus 0;  102: 10/15 → 10, surplus 5 sell
  assert.deepEqual(run([[100, 5], [102, 10]], [[100, 10], [102, 5]], 101), u(101, 10, 0, 0));
});

test('step 4: a reference price outside the range → the closest candidate', () => {
  assert.deepEqual(run(MIXED_BIDS, MIXED_ASKS, 500), u(106, 10, 5, Side.SELL));
  assert.deepEqual(run(MIXED_BIDS, MIXED_ASKS, 50), u(100, 10, 5, Side.BUY));
  assert.deepEqual(run([[105, 10]], [[100, 10]], 99), u(100, 10, 0, 0));
});

test('step 4 without a reference: closest to the middle of the remaining prices', () => {
  // MIXED: the remaining prices span 100…106, middle 103 → 102
  assert.deepEqual(run(MIXED_BIDS, MIXED_ASKS), u(102, 10, 5, Side.SELL));
});

test('step 5: equally close → the higher price', () => {
  // bids 10@105, asks 10@100, no reference: middle 102.5, 100 and 105 equally close
  assert.deepEqual(run([[105, 10]], [[100, 10]]), u(105, 10, 0, 0));
  // bids 5@100 10@102, asks 10@100 5@102, no reference: 100 (buy 5) and 102 (sell 5), middle 101
  assert.deepEqual(run([[100, 5], [102, 10]], [[100, 10], [102, 5]]), u(102, 10, 5, Side.SELL));
  // the same on tick 2 with the reference 101 off the grid, so no candidate: 100 and 102 are 1 away
  assert.deepEqual(run([[100, 5], [102, 10]], [[100, 10], [102, 5]], 101, TICK2), u(102, 10, 5, Side.SELL));
});

// ─── random books against naive versions ───────────────────────────────────

/** The rule written plainly: every candidate evaluated, then filtered step by step. */
function naive(book: Book, inst: Instrument, reference: number): Uncross {
  const bids = book.bids.toArray().map((l) => [l.price, l.qty] as Px);
  const asks = book.asks.toArray().map((l) => [l.price, l.qty] as Px);
  if (bids.length === 0 || asks.length === 0) return NONE;
  const lo = Math.min(...asks.map(([p]) => p));
  const hi = Math.max(...bids.map(([p]) => p));
  if (hi < lo) return NONE;
  const prices = new Set([...bids, ...asks].map(([p]) => p).filter((p) => p >= lo && p <= hi));
  if (reference > 0 && reference >= lo && reference <= hi && isOnTick(inst, reference)) prices.add(reference);
  let c = [...prices].map((p) => at(bids, asks, p));
  const maxQty = Math.max(...c.map((x) => x.qty));
  c = c.filter((x) => x.qty === maxQty);
  const minSurplus = Math.min(...c.map((x) => x.surplus));
  c = c.filter((x) => x.surplus === minSurplus);
  c.sort((a, b) => a.price - b.price);
  if (c.every((x) => x.surplusSide === Side.BUY)) return c[c.length - 1];
  if (c.every((x) => x.surplusSide === Side.SELL)) return c[0];
  const target = reference > 0 ? reference : (c[0].price + c[c.length - 1].price) / 2;
  c.sort((a, b) => Math.abs(a.price - target) - Math.abs(b.price - target) || b.price - a.price);
  return c[0];
}

function at(bids: Px[], asks: Px[], p: number): Uncross {
  const demand = bids.filter(([q]) => q >= p).reduce((t, [, n]) => t + n, 0);
  const supply = asks.filter(([q]) => q <= p).reduce((t, [, n]) => t + n, 0);
  return u(p, Math.min(demand, supply), Math.abs(demand - supply), demand > supply ? Side.BUY : supply > demand ? Side.SELL : 0);
}

/** Steps 1 and 2 over every tick price of the crossed range. */
function bestOverTicks(book: Book, inst: Instrument): { qty: number; surplus: number } {
  const bids = book.bids.toArray().map((l) => [l.price, l.qty] as Px);
  const asks = book.asks.toArray().map((l) => [l.price, l.qty] as Px);
  let best = { qty: -1, surplus: 0 };
  for (let p = book.asks.best()!.price; p <= book.bids.best()!.price; p += tickAt(inst, p)) {
    const x = at(bids, asks, p);
    if (x.qty > best.qty || (x.qty === best.qty && x.surplus < best.surplus)) best = x;
  }
  return best;
}

/** Coarse quantities (multiples of 5) make ties, and so the later steps, common. */
function randomBook(rnd: () => number, inst: Instrument, mid: number, width: number, levels: number, coarse = false): Book {
  const b = new Book('X', pool.table);
  const px = (p: number) => floorToTick(inst, Math.max(1, Math.round(p)));
  const qty = () => (coarse ? 5 * (1 + Math.floor(rnd() * 3)) : 1 + Math.floor(rnd() * 20));
  const cross = width * rnd(); // how far each side reaches past the middle
  for (let k = 0; k < levels; k++) {
    add(b, Side.BUY, px(mid + cross - width * rnd()), qty());
    add(b, Side.SELL, px(mid - cross + width * rnd()), qty());
  }
  return b;
}

test('random books: the same as the naive rule, and the best volume of any tick price', () => {
  const rnd = prng(20240611);
  const out = newUncross();
  let crossed = 0;
  for (let n = 0; n < 6000; n++) {
    const inst = [TICK1, TICK4, BANDED][n % 3];
    const mid = inst === BANDED ? [50, 100, 400, 1000][Math.floor(rnd() * 4)] : 200;
    const book = randomBook(rnd, inst, mid, 5 + rnd() * 60, 1 + Math.floor(rnd() * 12), n % 2 === 1);
    const r = rnd();
    // no reference, any price (often off the grid or outside the range), or a limit price
    const reference = r < 0.3 ? 0 : r < 0.7 ? Math.max(1, Math.round(mid + (rnd() - 0.5) * 100)) : book.bids.toArray()[0].price;
    const got = { ...uncross(book, inst, reference, out) };
    assert.deepEqual(got, naive(book, inst, reference), `book #${n}, reference ${reference}`);
    if (got.price === 0) continue;
    crossed++;
    assert.ok(isOnTick(inst, got.price));
    const best = bestOverTicks(book, inst);
    assert.equal(got.qty, best.qty, `book #${n}: limit prices reach the largest volume of any price`);
    // a price between two limits may balance better (see the module comment); never worse
    assert.ok(got.surplus >= best.surplus);
  }
  assert.ok(crossed > 3000, `enough crossed books (${crossed})`);
});

test('thousands of levels', () => {
  const rnd = prng(7);
  for (let n = 0; n < 3; n++) {
    const book = randomBook(rnd, TICK1, 100_000, 20_000, 3_000, n === 2);
    const reference = n === 0 ? 0 : 90_000 + Math.floor(rnd() * 20_000);
    assert.deepEqual({ ...uncross(book, TICK1, reference, newUncross()) }, naive(book, TICK1, reference));
  }
});
