// The client-order-id hash table against a Map: random inserts, replaces and
// deletes (with backward-shift deletion, the part that is easy to get wrong),
// growth and shrinking, and long probe runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClOrdIdIndex, hashOf } from '../engine/cl-ord-id-index.ts';
import type { Order } from '../engine/order.ts';
import { prng } from './prng.ts';

const order = (n: number): Order => ({ id: n }) as unknown as Order;

function agree(index: ClOrdIdIndex, ref: Map<string, Order>, universe: string[]): void {
  assert.equal(index.size, ref.size);
  for (const k of universe) {
    assert.equal(index.get(k), ref.get(k), `get(${k})`);
    assert.equal(index.has(k), ref.has(k), `has(${k})`);
  }
}

test('random set / replace / delete agree with a Map at every step', () => {
  for (const seed of [1, 2, 3]) {
    const rnd = prng(seed);
    const index = new ClOrdIdIndex();
    const ref = new Map<string, Order>();
    // a small key universe forces replaces, deletes of missing keys and long clusters
    const universe = Array.from({ length: 300 }, (_, i) => `c${i}-${(i * 7919) % 1000}`);
    for (let step = 0; step < 20_000; step++) {
      const k = universe[Math.floor(rnd() * universe.length)];
      // drift between insert-heavy and delete-heavy phases so the table grows and shrinks
      const insertBias = (Math.floor(step / 2000) & 1) === 0 ? 0.7 : 0.3;
      if (rnd() < insertBias) {
        const o = order(step);
        index.set(k, o);
        ref.set(k, o);
      } else {
        assert.equal(index.delete(k), ref.delete(k), `delete(${k}) at step ${step}`);
      }
      if (step % 997 === 0) agree(index, ref, universe);
    }
    agree(index, ref, universe);
  }
});

test('keys sharing one home slot: deletes in the middle of the probe run keep the rest reachable', () => {
  // 7 keys whose hashes agree in the low 4 bits: one run of 7 slots in the 16-slot table
  const keys: string[] = [];
  for (let n = 0; keys.length < 7; n++) if ((hashOf(`k${n}`) & 15) === (hashOf('k0') & 15)) keys.push(`k${n}`);
  const index = new ClOrdIdIndex();
  const ref = new Map<string, Order>();
  const put = (k: string, o: Order): void => { index.set(k, o); ref.set(k, o); };
  keys.forEach((k, i) => put(k, order(i)));
  for (const k of [keys[3], keys[0], keys[6]]) assert.equal(index.delete(k), ref.delete(k));
  agree(index, ref, keys);
  keys.forEach((k, i) => put(k, order(100 + i)));
  agree(index, ref, keys);
  assert.equal(index.get(keys[5])?.id, 105);
});

test('empty keys and 64-character keys are ordinary keys', () => {
  const index = new ClOrdIdIndex();
  const long = 'x'.repeat(64);
  index.set('', order(1));
  index.set(long, order(2));
  assert.equal(index.get('')?.id, 1);
  assert.equal(index.get(long)?.id, 2);
  assert.equal(index.get(long.slice(1)), undefined);
  assert.equal(index.delete(''), true);
  assert.equal(index.has(''), false);
  assert.equal(index.size, 1);
});
