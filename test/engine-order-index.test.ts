import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OrderIndex } from '../engine/order-index.ts';
import { Order } from '../engine/order.ts';

test('OrderIndex agrees with a Map through growth, shrinking and ids beyond 2^32', () => {
  const ix = new OrderIndex();
  const model = new Map<number, Order>();
  let seed = 7;
  const rnd = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  let next = 2 ** 32 - 5000; // sequential ids crossing 2^32, mixed with scattered small ones
  let ids: number[] = [];
  for (let step = 0; step < 120_000; step++) {
    if (step === 60_000) { // empty it: the table shrinks back
      for (const id of ids) ix.delete(id);
      model.clear();
      ids = [];
    }
    if (rnd() < 0.52 || ids.length === 0) {
      const o = new Order();
      o.id = rnd() < 0.5 ? next++ : Math.floor(rnd() * 1e6) + 1;
      if (model.has(o.id)) continue;
      ix.set(o);
      model.set(o.id, o);
      ids.push(o.id);
    } else {
      const k = Math.floor(rnd() * ids.length);
      const id = ids[k];
      ids[k] = ids[ids.length - 1];
      ids.pop();
      ix.delete(id);
      model.delete(id);
      assert.equal(ix.get(id), undefined);
      ix.delete(id); // deleting a missing id is a no-op
    }
    if (step % 2000 === 0) {
      assert.equal(ix.size, model.size);
      for (const [id, o] of model) assert.equal(ix.get(id), o);
    }
  }
  assert.equal(ix.size, model.size);
  for (const [id, o] of model) assert.equal(ix.get(id), o);
});
