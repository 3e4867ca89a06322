// The book's price index (engine/book.ts) against a Map, across page edges;
// and an engine whose sink ignores level events (levelEvents = false, the
// engine then skips level bookkeeping) emitting exactly the same order and
// fill events and keeping the same book as one that reports them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BookSide, PriceIndex } from '../engine/book.ts';
import { Level } from '../engine/level.ts';
import { Engine } from '../engine/engine.ts';
import { RecordingSink } from '../engine/events.ts';
import { Side, TimeInForce } from '../engine/types.ts';
import { prng } from './prng.ts';

test('price index finds every live level, across page edges and after pages empty', () => {
  const rnd = prng(7);
  for (const side of [Side.BUY, Side.SELL]) {
    const s = new BookSide('X', side, []);
    const want = new Map<number, number>(); // price → qty
    for (let step = 0; step < 10_000; step++) {
      // prices around page edges (pages of 1024) and far away
      const p = rnd() < 0.9 ? 1 + Math.floor(rnd() * 3_000) : 1_000_000 + Math.floor(rnd() * 50);
      const lvl = s.find(p);
      assert.equal(lvl?.qty, want.get(p), `price ${p}`);
      if (lvl === null) {
        const made = s.findOrCreate(p);
        made.qty = step + 1;
        want.set(p, step + 1);
      } else {
        s.removeLevel(lvl);
        s.recycleRemoved();
        want.delete(p);
      }
    }
    const prices = s.toArray().map((l) => l.price);
    assert.deepEqual(prices, [...want.keys()].sort((a, b) => (a - b) * (side === Side.BUY ? 1 : -1)));
    for (const [p, q] of want) assert.equal(s.find(p)?.qty, q);
  }
});

/** The side's levels best-first by its `worse` links, checked against the `better` links on the way. */
function walk(s: BookSide): number[] {
  const out: number[] = [];
  let prev = null;
  for (let l = s.best(); l !== null; l = l.worse) {
    assert.equal(l.better, prev, `better link of ${l.price}`);
    out.push(l.price);
    prev = l;
  }
  assert.equal(out.length, s.depth);
  return out;
}

test('price index: the nearest level above and below any price, within a page, across pages and across groups of pages', () => {
  const rnd = prng(11);
  // spans within one page, over many pages of one group, and over thousands of groups (prices past 2^31 too)
  for (const span of [5000, 3_000_000, 5_000_000_000]) {
    const idx = new PriceIndex();
    const live = new Set<number>();
    for (let step = 0; step < 20_000; step++) {
      const p = 1 + Math.floor(rnd() * span);
      if (live.has(p)) {
        idx.delete(p);
        live.delete(p);
      } else {
        const lvl = new Level([]);
        lvl.price = p;
        idx.set(p, lvl);
        live.add(p);
      }
      if (step % 7 !== 0) continue;
      const q = 1 + Math.floor(rnd() * span);
      let above = Infinity;
      let below = -Infinity;
      for (const k of live) {
        if (k > q && k < above) above = k;
        if (k < q && k > below) below = k;
      }
      assert.equal(idx.nearest(q, true)?.price ?? Infinity, above, `span ${span}: above ${q}`);
      assert.equal(idx.nearest(q, false)?.price ?? -Infinity, below, `span ${span}: below ${q}`);
    }
  }
});

test('levels far from the best: adding and removing them on a deep book keeps every level in price order', () => {
  const rnd = prng(23);
  for (const side of [Side.BUY, Side.SELL]) {
    const s = new BookSide('X', side, []);
    s.keepRemoved = false;
    const model = new Set<number>();
    const bestFirst = (): number[] => [...model].sort((a, b) => (side === Side.BUY ? b - a : a - b));
    const extreme = (best: boolean): number | null => {
      let x: number | null = null;
      for (const p of model) if (x === null || (best === (side === Side.BUY) ? p > x : p < x)) x = p;
      return x;
    };
    // 6,000 levels over several pages and groups of pages (1,024 prices and 1,048,576 prices), and above 2^31
    const price = (): number => {
      const r = rnd();
      if (r < 0.6) return 1 + Math.floor(rnd() * 40_000);
      if (r < 0.8) return 3_000_000 + Math.floor(rnd() * 3_000_000);
      if (r < 0.9) return 2 ** 31 - 2_000 + Math.floor(rnd() * 4_000);
      return 2 ** 40 + Math.floor(rnd() * 2 ** 21);
    };
    while (model.size < 6_000) {
      const p = price();
      if (!model.has(p)) { s.findOrCreate(p).qty = p; model.add(p); }
    }
    assert.deepEqual(walk(s), bestFirst());
    const list = [...model];
    for (let step = 0; step < 10_000; step++) {
      // mostly the worst level or one at a random depth, sometimes the best
      const r = rnd();
      if (r < 0.5) {
        const p = price();
        if (model.has(p)) continue;
        const lvl = s.findOrCreate(p);
        assert.equal(lvl.price, p);
        lvl.qty = p;
        model.add(p);
        list.push(p);
        // its neighbours are the nearest prices either side
        const worse = lvl.worse?.price ?? null;
        const better = lvl.better?.price ?? null;
        for (const q of [worse, better]) if (q !== null) assert.ok(model.has(q));
        if (better !== null) assert.ok(s.better(better, p));
        if (worse !== null) assert.ok(s.better(p, worse));
      } else if (list.length > 0) {
        const k = r < 0.6 ? list.length - 1 : Math.floor(rnd() * list.length);
        const p = r < 0.55 ? (extreme(false) as number) : list[k];
        const lvl = s.find(p);
        assert.ok(lvl !== null, `level ${p}`);
        s.removeLevel(lvl);
        model.delete(p);
        list.splice(list.indexOf(p), 1);
        assert.equal(s.find(p), null);
      }
      assert.equal(s.best()?.price ?? null, extreme(true), `best after step ${step}`);
      if (step % 500 === 0) assert.deepEqual(walk(s), bestFirst());
    }
    assert.deepEqual(walk(s), bestFirst());
    for (const p of model) assert.equal(s.find(p)?.qty, p);
    // empty it from the worst end: the index's pages and groups go with the last levels
    for (const p of bestFirst().reverse()) s.removeLevel(s.find(p)!);
    assert.equal(s.best(), null);
    assert.deepEqual(walk(s), []);
    s.findOrCreate(7);
    assert.deepEqual(walk(s), [7]);
  }
});

class QuietSink extends RecordingSink {
  readonly levelEvents = false;
}

test('a sink that ignores level events gets the same order and fill events, and the book is the same', () => {
  const instruments = [{ symbol: 'X', price_scale: 0, qty_scale: 0, tick_size: 1, lot: 1, min_qty: 1, max_qty: 1_000, max_price: 10_000, maker_fee_bp: -1, taker_fee_bp: 2 }];
  const loud = new RecordingSink();
  const quiet = new QuietSink();
  const engines = [new Engine({ instruments }, loud), new Engine({ instruments }, quiet)];
  for (const e of engines) for (let a = 0; a < 4; a++) e.addAccount({ name: `a${a}` });
  const rnd = prng(11);
  const ids: number[][] = [[], []];
  for (let t = 1; t <= 5_000; t++) {
    const r = rnd();
    const account = 1 + Math.floor(rnd() * 4);
    const price = 990 + Math.floor(rnd() * 21);
    const qty = 1 + Math.floor(rnd() * 20);
    const pick = Math.floor(rnd() * 1_000);
    const side = rnd() < 0.5 ? Side.BUY : Side.SELL;
    engines.forEach((e, k) => {
      const live = ids[k];
      if (r < 0.55 || live.length === 0) {
        const id = e.newOrder({ time: t, account, symbol: 'X', side, price, qty, tif: pick % 7 === 0 ? TimeInForce.IOC : TimeInForce.GTC });
        if (id) live.push(id);
      } else {
        const id = live[pick % live.length];
        const o = e.order(id);
        if (r < 0.8 || o === null) e.cancel({ time: t, account: o?.account ?? account, symbol: 'X', orderId: id });
        else e.replace({ time: t, account: o.account, symbol: 'X', orderId: id, price, qty: o.cum + qty });
      }
    });
  }
  const notLevel = (s: RecordingSink) => s.events.filter((x) => x.type !== 'level').map(({ seq: _seq, ...rest }) => rest);
  assert.ok(loud.levels().length > 1_000);
  assert.equal(quiet.levels().length, 0);
  assert.ok(loud.fills().length > 500);
  assert.deepEqual(notLevel(quiet), notLevel(loud));
  assert.deepEqual(engines[1].depth('X', 50), engines[0].depth('X', 50));
});
