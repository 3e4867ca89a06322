// The crash test, short: 3 SIGKILLs of a journaling server under load from
// three REST clients and a /ws/trade session (npm run crash for the long one). See scripts/crash-harness.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crashRun } from '../scripts/crash-harness.ts';

test('SIGKILLed under load and restarted: no acknowledged order or fill lost, nothing unsent, books and cash consistent, replay = live', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mb-crash-'));
  try {
    const r = await crashRun({ dir, kills: 3, seed: 7 });
    assert.deepEqual(r.problems, []);
    assert.ok(r.acked > 10, `only ${r.acked} orders acknowledged`);
    assert.ok(r.ackedFills > 0, 'some acknowledged orders traded');
    assert.ok(r.snapshotRestarts > 0, 'restarts loaded snapshots (taken every 50 records)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
