// The external oracle: the canonical report stream of the `normal` flash1
// workload must hash to the published SHA-256 (all five run in npm run bench:engine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadWorkload, publishedHashes } from '../bench/flash1/workload.ts';
import { replay } from '../bench/flash1/replay.ts';

test('flash1 normal scenario reproduces the published report hash', () => {
  const w = loadWorkload('normal');
  assert.equal(w.count, 1_996_097);
  const { log, engine } = replay(w);
  assert.equal(log.sha256(), publishedHashes().get('normal'));
  // Accounting stayed consistent over 2M messages: positions net to zero, and
  // the cash of all accounts plus the venue's fee income nets to zero.
  let position = 0;
  let cash = 0n;
  for (const id of engine.accountIds()) {
    const p = engine.accountView(id)!.positions[0];
    position += p.position;
    cash += p.cash;
  }
  assert.equal(position, 0);
  assert.equal(cash + engine.venueFees[0].toBigInt(), 0n);
});
