// The SDK as a package: `makerbench/client` and `makerbench/server` resolve
// through package.json's exports (a package may import itself by name, so
// this checks the same map another project uses), and the packed tarball
// holds every file the client imports, the .proto included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

test('makerbench/client and makerbench/server resolve by the package name', async () => {
  const client = await import('makerbench/client');
  assert.equal(typeof client.ExchangeClient.connect, 'function');
  assert.equal(typeof client.MarketDataClient.connect, 'function');
  const server = await import('makerbench/server');
  assert.equal(typeof server.startServer, 'function');
});

/** The repository files a module imports, transitively (relative imports only). */
function importClosure(entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  const src = fs.readFileSync(entry, 'utf8');
  for (const m of src.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gm)) importClosure(path.resolve(path.dirname(entry), m[1]), seen);
  return seen;
}

test('npm pack ships every file the client and the server import, and the contract', () => {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const packed = new Set((JSON.parse(out) as { files: { path: string }[] }[])[0].files.map((f) => f.path));
  const needed = new Set([
    ...importClosure(path.join(ROOT, 'client/index.ts')), ...importClosure(path.join(ROOT, 'gateway/index.ts')),
  ].map((f) => path.relative(ROOT, f)));
  needed.add('proto/makerbench.proto');
  needed.add('examples/my-bot.ts');
  const missing = [...needed].filter((f) => !packed.has(f));
  assert.deepEqual(missing, []);
  assert.ok(![...packed].some((f) => f.startsWith('test/') || f.startsWith('bench/')), 'tests and benchmarks stay out of the package');
});
