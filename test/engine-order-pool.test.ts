// The order pool's slot table and the slot-linked queues built on it
// (engine/order.ts, engine/level.ts, engine/account.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OrderPool, type Order } from '../engine/order.ts';
import { Level } from '../engine/level.ts';
import { prng } from './prng.ts';

const queue = (lvl: Level): Order[] => {
  const out: Order[] = [];
  for (let o = lvl.first(); o !== null; o = lvl.after(o)) out.push(o);
  return out;
};

test('every order is found at its slot; a returned order is reused; slot 0 is never handed out', () => {
  const pool = new OrderPool();
  const a = pool.take();
  const b = pool.take();
  assert.notEqual(a.slot, 0);
  assert.notEqual(a.slot, b.slot);
  assert.equal(pool.table[a.slot], a);
  assert.equal(pool.table[b.slot], b);
  pool.give(a);
  assert.equal(pool.take(), a);
});

test('beyond maxFree a returned order is let go: its slot is emptied, then reused by the next new order', () => {
  const pool = new OrderPool(2);
  const [a, b, c] = [pool.take(), pool.take(), pool.take()];
  for (const o of [a, b, c]) pool.give(o);
  assert.equal(pool.table[c.slot], pool.table[0], 'the third is over the bound: its slot holds the placeholder');
  const reused = new Set([pool.take(), pool.take()]);
  assert.deepEqual(reused, new Set([a, b]));
  const d = pool.take();
  assert.notEqual(d, c);
  assert.equal(d.slot, c.slot);
  assert.equal(pool.table[d.slot], d);
});

test('a level queue keeps time priority through random appends, removals and recycling', () => {
  const rnd = prng(31);
  const pool = new OrderPool(8);
  const lvl = new Level(pool.table);
  const model: Order[] = [];
  for (let step = 0; step < 20_000; step++) {
    if (model.length === 0 || rnd() < 0.55) {
      const o = pool.take();
      o.leaves = 1 + Math.floor(rnd() * 9);
      lvl.push(o);
      model.push(o);
    } else {
      const [o] = model.splice(Math.floor(rnd() * model.length), 1);
      lvl.remove(o);
      pool.give(o);
    }
    if (step % 50 === 0) {
      assert.deepEqual(queue(lvl), model);
      assert.equal(lvl.count, model.length);
      assert.equal(lvl.qty, model.reduce((s, o) => s + o.leaves, 0));
      assert.equal(lvl.tail === 0 ? null : pool.table[lvl.tail], model.at(-1) ?? null);
    }
  }
});
