// The Python example client (examples/python) against a real server: its
// message classes generated with protoc from proto/makerbench.proto into a
// temporary directory, it logs on, places an order, reads the
// ExecutionReport and a market-data snapshot. Needs protoc and a python3
// with the protobuf and websockets modules (Debian: protobuf-compiler,
// python3-protobuf, python3-websockets; .ci/run installs them). Without them
// the test is skipped and says why — unless MAKERBENCH_REQUIRE_PYTHON=1 (CI),
// where their absence fails it. MAKERBENCH_PYTHON names the python3 to use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startServer } from '../gateway/index.ts';
import { defaultConfig } from '../gateway/config.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);

/** The first python3 that imports both modules (Debian's packages live under /usr/bin/python3, not a pyenv or venv one). */
function python(): string | undefined {
  return (process.env.MAKERBENCH_PYTHON ? [process.env.MAKERBENCH_PYTHON] : ['python3', '/usr/bin/python3']).find((py) => spawnSync(py, ['-c', 'import google.protobuf, websockets'], { stdio: 'ignore' }).status === 0);
}

const hasProtoc = spawnSync('protoc', ['--version'], { stdio: 'ignore' }).status === 0;
const py = python();
const missing = [!hasProtoc && 'protoc (Debian: protobuf-compiler)', !py && 'a python3 with protobuf and websockets (Debian: python3-protobuf, python3-websockets)']
  .filter(Boolean).join(' and ');

if (missing && process.env.MAKERBENCH_REQUIRE_PYTHON === '1') {
  test('the Python example needs its tools', () => assert.fail(`missing ${missing}`));
}

test('Python example: logon, order, ExecutionReport, market-data snapshot', { skip: missing ? `missing ${missing}` : false }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'makerbench-py-'));
  const s = await startServer({ config: defaultConfig(), adminToken: 'python-test' });
  try {
    await run('protoc', [`--python_out=${dir}`, '-I', path.join(ROOT, 'proto'), path.join(ROOT, 'proto/makerbench.proto')]);
    assert.ok(fs.existsSync(path.join(dir, 'makerbench_pb2.py')));
    const { stdout } = await run(py as string, [
      path.join(ROOT, 'examples/python/makerbench_client.py'), '--url', s.url.replace('http', 'ws'), '--pb-dir', dir,
      '--key', 'demo-maker-2', '--price', '99990.5', '--qty', '0.0100',
    ], { timeout: 30_000 });
    const lines = stdout.trim().split('\n');
    assert.equal(lines[0], 'logon account_id=2');
    assert.equal(lines[1], 'instrument BTC-USD price_scale=1 qty_scale=4');
    assert.match(lines[2], /^execution_report order_id=\d+ cl_ord_id=py-\d+ exec_type=EXEC_TYPE_NEW ord_status=ORD_STATUS_NEW price=99990\.5 leaves_qty=0\.0100 /);
    assert.match(lines[3], /^snapshot BTC-USD last_update_id=1 bids=\['99990\.5x0\.0100'\] asks=\[\]$/);
    assert.equal(lines[4], "logout 'logout acknowledged'");
    // the exchange saw the order: it rested, then went with the session (cancel on disconnect)
    assert.equal(s.exchange.engine.order(1), null);
  } finally {
    await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
