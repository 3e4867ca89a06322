// npm run crash -- [--kills N] [--seed N] [--fsync always|batch|off] [--snapshot-every N] [--dir DIR]
// The long crash test (scripts/crash-harness.ts): ≥ 20 SIGKILLs by default.
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crashRun } from './crash-harness.ts';

const { values } = parseArgs({ options: { kills: { type: 'string' }, seed: { type: 'string' }, fsync: { type: 'string' }, dir: { type: 'string' }, 'snapshot-every': { type: 'string' } } });
const dir = values.dir ?? mkdtempSync(join(tmpdir(), 'mb-crash-'));
const t0 = Date.now();
const r = await crashRun({
  dir, kills: Number(values.kills ?? 25), seed: Number(values.seed ?? 1), fsync: (values.fsync ?? 'batch') as 'batch', log: (s) => console.log(s),
  snapshotEvery: values['snapshot-every'] === undefined ? undefined : Number(values['snapshot-every']),
});
console.log(JSON.stringify({ ...r, problems: r.problems.slice(0, 20), problemCount: r.problems.length, seconds: (Date.now() - t0) / 1000 }));
if (values.dir === undefined) rmSync(dir, { recursive: true, force: true });
process.exit(r.problems.length === 0 ? 0 : 1);
