// The flash1 adapter's table of live workload ids (bench/flash1/replay.ts)
// against a Map: inserts, overwrites, lookups and backward-shift deletes (from a
// lookup's hit, or by probing), through several growths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiveIds } from '../bench/flash1/replay.ts';
import { prng } from './prng.ts';

test('LiveIds agrees with a Map under random churn', () => {
  const rnd = prng(3);
  const t = new LiveIds();
  const m = new Map<number, number>();
  const keys: number[] = [];
  for (let step = 1; step <= 200_000; step++) {
    const r = rnd();
    // a growing then shrinking population, ids anywhere in uint32 and a dense cluster that collides often
    const grow = step < 120_000 ? 0.6 : 0.35;
    if (r < grow || keys.length === 0) {
      const wid = rnd() < 0.5 ? Math.floor(rnd() * 2 ** 32) : Math.floor(rnd() * 5_000);
      t.set(wid, step);
      if (!m.has(wid)) keys.push(wid);
      m.set(wid, step);
    } else {
      const k = Math.floor(rnd() * keys.length);
      const wid = keys[k];
      keys[k] = keys[keys.length - 1];
      keys.pop();
      if (rnd() < 0.5) assert.equal(t.get(wid), m.get(wid)); // a cancel looks its id up, then deletes it
      t.delete(wid);
      m.delete(wid);
      t.delete(wid); // deleting a missing id is a no-op
    }
    if (step % 997 === 0) for (const w of keys) assert.equal(t.get(w), m.get(w));
    const probe = Math.floor(rnd() * 5_000);
    assert.equal(t.get(probe), m.get(probe) ?? 0);
  }
});
