// The built-in configuration, config files and their errors, and the
// `npm start` command line (run as a real child process).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONFIG, defaultConfig, loadConfig, validateConfig } from '../gateway/config.ts';
import { ConfigError } from '../engine/instrument.ts';
import { ENVIRONMENT, FLAGS, openingLines } from '../gateway/operator.ts';
import { TradingPhase } from '../engine/types.ts';
import { enumValues } from '../gateway/wire.ts';
import { Raw } from './gateway-raw-client.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'makerbench-config-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** The ConfigError loadConfig throws for a file with this content. */
function errorFor(content: unknown): ConfigError {
  try {
    loadConfig(file(`c${Math.random()}.json`, content));
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e;
  }
  assert.fail('expected a ConfigError');
}

const withInstrument = (i: number, patch: Record<string, unknown>): unknown => {
  const c = defaultConfig();
  Object.assign(c.instruments[i], patch);
  return c;
};

test('the default configuration is valid and has the documented instruments and demo keys', () => {
  assert.deepEqual(validateConfig(defaultConfig()), DEFAULT_CONFIG);
  assert.deepEqual(loadConfig(), DEFAULT_CONFIG);
  assert.deepEqual(DEFAULT_CONFIG.instruments.map((i) => i.symbol), ['BTC-USD', 'ETH-USD', 'ACME']);
  assert.deepEqual(DEFAULT_CONFIG.accounts?.map((a) => a.api_key), ['demo-maker-1', 'demo-maker-2', 'demo-taker']);
  const btc = DEFAULT_CONFIG.instruments[0];
  assert.deepEqual([btc.price_scale, btc.tick_size, btc.qty_scale, btc.lot, btc.taker_fee_bp, btc.maker_fee_bp], [1, 1, 4, 1, 2, -1]);
  assert.ok(Object.isFrozen(DEFAULT_CONFIG));
  assert.notEqual(defaultConfig().instruments, DEFAULT_CONFIG.instruments, 'a copy callers may change');
  // a file holding the default configuration loads to the same thing
  assert.deepEqual(loadConfig(file('default.json', DEFAULT_CONFIG)), DEFAULT_CONFIG);
});

test('a bad config file is one ConfigError naming the field', () => {
  const cases: [unknown, RegExp][] = [
    [withInstrument(2, { rts11_liquidity_band: undefined, tick_table: [{ from_price: 0, tick: 1 }, { from_price: 10_0000, tick: 5 }, { from_price: 10_0002, tick: 50 }] }),
      /^invalid config: instruments\[2\]\.tick_table\[2\]\.from_price: must lie on the previous band's tick grid \(5\)$/],
    [withInstrument(0, { lot: 0 }), /^invalid config: instruments\[0\]\.lot: must be an integer/],
    [withInstrument(1, { taker_fee_bp: 0.001 }), /^invalid config: instruments\[1\]\.taker_fee_bp: /],
    [withInstrument(0, { max_positon: 5 }), /^invalid config: instruments\[0\]\.max_positon: unknown field/],
    [{ ...defaultConfig(), instrument: [] }, /^invalid config: instrument: unknown field/],
    [{ accounts: [] }, /^invalid config: instruments: must be a non-empty array$/],
    [{ ...defaultConfig(), max_open_orders_per_account: 0 }, /^invalid config: max_open_orders_per_account: must be a positive integer/],
    [{ ...defaultConfig(), accounts: [{ name: 'a', api_key: 'has a space' }] }, /^invalid config: accounts\[0\]\.api_key: /],
    [{ ...defaultConfig(), accounts: [{ name: '' }] }, /^invalid config: accounts\[0\]: name: /],
    [{ ...defaultConfig(), accounts: [{ name: 'a', api_key: 'same-key-0123456789' }, { name: 'b', api_key: 'same-key-0123456789' }] }, /^invalid config: accounts\[1\]: api key already in use$/],
    [{ ...defaultConfig(), accounts: {} }, /^invalid config: accounts: must be an array$/],
    [[], /^invalid config: config: must be an object$/],
    ['{"instruments": [', /^invalid config: .*c[0-9.]+\.json: not valid JSON \(/],
  ];
  for (const [content, message] of cases) {
    const e = errorFor(content);
    assert.match(e.message, message);
    assert.ok(!e.message.includes('\n'), 'one line');
  }
  assert.throws(() => loadConfig(join(dir, 'missing.json')), /^ConfigError: invalid config: .*missing\.json: cannot read the file \(ENOENT\)$/);
});

// ---- the command line, as a child process ----

interface Run { code: number | null; stdout: string; stderr: string }

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/main.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts a long-running server child; resolves with its URL once it prints the listening line. */
function boot(command: string, args: string[], env: Record<string, string> = {}): Promise<{ url: string; output: () => string; exited: Promise<number | null>; pid: number }> {
  // detached: the child leads its own process group, so `npm start` and the node it runs are signalled together
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, detached: true });
  let out = '';
  // 'close', not 'exit': it fires after stdout is drained, so output() is complete
  const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line; output: ${out}`)), 20_000);
    child.stderr.on('data', (d: Buffer) => (out += d));
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      const m = /makerbench listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], output: () => out, exited, pid: child.pid as number });
      }
    });
  });
}

describe('gateway/main.ts command line', { concurrency: true }, () => {
  test('a bad config file: exit 1 with one line on stderr', async () => {
    const bad = file('bad.json', withInstrument(0, { min_qty: -5 }));
    const r = await run(['--port', '0', '--config', bad]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^makerbench: invalid config: instruments\[0\]\.min_qty: must be an integer in \[1, \d+\], got -5\n$/);
  });

  test('bad arguments: exit 1 with one line on stderr', async () => {
    const runs = await Promise.all([['--port', 'x'], ['--bogus']].map((a) => run(a)));
    for (const r of runs) {
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /^makerbench: [^\n]+\n$/);
    }
    assert.match(runs[0].stderr, /--port must be an integer 0-65535, got 'x'/);
    assert.match(runs[1].stderr, /Unknown option '--bogus'/);
  });

  test('--print-config prints the built-in configuration as JSON', async () => {
    const r = await run(['--print-config']);
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.stdout), DEFAULT_CONFIG);
  });

  test('--print-config FILE writes the file and nothing else (no banner in it); a file it cannot write is one line', async () => {
    const to = join(dir, 'printed.json');
    const [r, dash, bad] = await Promise.all([
      run(['--profile', 'us-equity', '--print-config', to]), run(['--print-config', '-', '--profile', 'crypto-spot']),
      run(['--print-config', join(dir, 'no-such-dir', 'x.json')]),
    ]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '');
    assert.deepEqual(JSON.parse(readFileSync(to, 'utf8')), loadConfig(undefined, 'us-equity'));
    assert.deepEqual(JSON.parse(dash.stdout), loadConfig(undefined, 'crypto-spot'));
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^makerbench: --print-config: cannot write .*x\.json: ENOENT\n$/);
  });

  test('--help lists every flag with its default, and the environment variables', async () => {
    const r = await run(['--help']);
    assert.equal(r.code, 0);
    for (const f of FLAGS) {
      const line = r.stdout.split('\n').find((l) => l.trimStart().startsWith(`--${f.name}`));
      assert.ok(line, `--${f.name} listed`);
      if (f.default) assert.ok(line.includes(`(default: ${f.default})`), line);
    }
    for (const e of ENVIRONMENT) assert.match(r.stdout, new RegExp(`^ {2}${e.name} .*\\(default: `, 'm'));
  });

  test('--log-level: a bad level is one line and exit 1', async () => {
    const r = await run(['--log-level', 'loud']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^makerbench: --log-level must be one of trace, debug, info, warn, error, fatal, got 'loud'\n$/);
  });

  test('--log logs sessions through pino: logon, logout with its reason, session rejects; SIGTERM logs every session out', async () => {
    const s = await boot(process.execPath, ['--import', 'tsx', 'gateway/main.ts', '--port', '0', '--log']);
    const bad = await Raw.logon(s.url, 'not-a-key-1');
    await bad.closed();
    const a = await Raw.logon(s.url, 'demo-maker-1');
    a.send('new_order_single', { cl_ord_id: 'x', symbol: 'BTC-USD', side: 1, ord_type: 2, price: -1, order_qty: 1 });
    await a.next('execution_report', () => true, 10_000);
    a.ws.send('not binary');
    await a.next('reject', () => true, 10_000);
    process.kill(s.pid, 'SIGTERM');
    assert.equal(await s.exited, 0);
    assert.equal(a.of<{ reason: number }>('logout')[0]?.reason, enumValues('LogoutReason').LOGOUT_REASON_SERVER_SHUTDOWN);
    const lines = s.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const events = lines.filter((l) => l.event).map((l) => [l.level, l.event, l.reason ?? l.reject_code ?? l.name]);
    assert.deepEqual(events, [
      [30, 'logout', 'UNKNOWN_API_KEY'], [30, 'logon', 'maker-1'], [30, 'order_reject', 'PRICE_OUT_OF_RANGE'],
      [40, 'session_reject', 'NOT_BINARY'], [30, 'logout', 'SERVER_SHUTDOWN'],
    ]);
  });

  test('--log-level warn leaves out logons and order rejects', async () => {
    const s = await boot(process.execPath, ['--import', 'tsx', 'gateway/main.ts', '--port', '0', '--log-level', 'warn']);
    const a = await Raw.logon(s.url, 'demo-maker-1');
    a.ws.send('not binary');
    await a.next('reject', () => true, 10_000);
    process.kill(s.pid, 'SIGTERM');
    await s.exited;
    const events = s.output().split('\n').filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { event?: string }).event).filter(Boolean);
    assert.deepEqual(events, ['session_reject']);
  });

  test('a closed venue says when each instrument opens and how to open it now', () => {
    const config = loadConfig(undefined, 'us-equity');
    const day = 20_000 * 86_400_000_000;
    const lines = openingLines({
      config, phaseOf: (symbol) => (symbol === 'SPX' ? TradingPhase.CONTINUOUS : TradingPhase.PRE_OPEN), now: day + 9 * 3_600_000_000,
      api: 'http://127.0.0.1:8080/api/v1', token: '$MAKERBENCH_ADMIN_TOKEN',
    });
    assert.deepEqual(lines.slice(0, 4), [
      'not trading now:', '  AAPL: PRE_OPEN, opens 13:30 UTC (in 4 h 31 min)', '  MSFT: PRE_OPEN, opens 13:30 UTC (in 4 h 31 min)',
      '  SPY: PRE_OPEN, opens 13:30 UTC (in 4 h 31 min)',
    ]);
    assert.equal(lines[6], 'or start the exchange clock at the opening: add --start-time 2024-10-04T13:30:01Z');
    assert.match(lines[5], /for s in AAPL MSFT SPY; do curl -s -X POST http:\/\/127\.0\.0\.1:8080\/api\/v1\/admin\/instruments\/\$s\/phase -H 'x-admin-token: \$MAKERBENCH_ADMIN_TOKEN' .*-d '\{"phase":"CONTINUOUS"\}'/);
    // after the close, the next opening is tomorrow's pre-market
    const late = openingLines({ config, phaseOf: () => TradingPhase.CLOSED, now: day + 21 * 3_600_000_000, api: '', token: '' });
    assert.equal(late[1], '  AAPL: CLOSED, opens 08:00 UTC (in 11 h 0 min)'); // pre-market continuous trading from 04:00 New York
    assert.deepEqual(openingLines({ config, phaseOf: () => TradingPhase.CONTINUOUS, now: day, api: '', token: '' }), []);
  });

  test('--profile: a bad name is one line and exit 1; --print-config prints the profile', async () => {
    const [bad, printed] = await Promise.all([run(['--profile', 'nasdaq']), run(['--profile', 'crypto-spot', '--print-config'])]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^makerbench: invalid config: profile: must be one of "crypto-spot", "us-equity", "eu-derivatives", got "nasdaq"\n$/);
    assert.equal(printed.code, 0);
    assert.deepEqual(JSON.parse(printed.stdout), loadConfig(undefined, 'crypto-spot'));
  });

  test('npm start -- --profile us-equity boots the US equity venue', async () => {
    const s = await boot('npm', ['start', '--', '--port', '0', '--profile', 'us-equity']);
    try {
      assert.match(s.output(), /^profile: us-equity$/m);
      assert.match(s.output(), /^ {2}AAPL: price_scale 2 \(tick 0\.01\)/m);
      const instruments = await (await fetch(`${s.url}/api/v1/instruments`)).json() as { symbol: string; rules: { luld?: unknown } }[];
      assert.deepEqual(instruments.map((i) => i.symbol), ['AAPL', 'MSFT', 'SPY', 'SPX']);
      assert.ok(instruments[0].rules.luld);
      const rules = await (await fetch(`${s.url}/api/v1/rules`)).json() as { profile: string; market_wide: { index: string } };
      assert.deepEqual([rules.profile, rules.market_wide.index], ['us-equity', 'SPX']);
    } finally {
      process.kill(-s.pid, 'SIGTERM');
      await s.exited;
    }
  });

  test('npm start boots: banner, /health, then SIGTERM stops it', async () => {
    const s = await boot('npm', ['start', '--', '--port', '0']);
    const health = await (await fetch(`${s.url}/health`)).json() as { status: string };
    assert.equal(health.status, 'ok');
    assert.match(s.output(), /ws:\/\/127\.0\.0\.1:\d+\/ws\/trade/);
    assert.match(s.output(), /maker-1: demo-maker-1/);
    assert.match(s.output(), /^maker programmes \(http:\/\/127\.0\.0\.1:\d+\/api\/v1\/programmes\):\n {2}btc-mm: maker-1, maker-2 on BTC-USD$/m);
    assert.match(s.output(), /admin token \(x-admin-token\): [0-9a-f]{32}/);
    process.kill(-s.pid, 'SIGTERM');
    await s.exited;
  });

  test('the admin token comes from MAKERBENCH_ADMIN_TOKEN; SIGTERM closes gracefully with exit 0', async () => {
    const s = await boot(process.execPath, ['--import', 'tsx', 'gateway/main.ts', '--port', '0'], { MAKERBENCH_ADMIN_TOKEN: 'env-token' });
    assert.match(s.output(), /from MAKERBENCH_ADMIN_TOKEN/);
    assert.ok(!s.output().includes('env-token'), 'the token is not printed');
    const created = await fetch(`${s.url}/api/v1/admin/accounts`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-admin-token': 'env-token' }, body: JSON.stringify({ name: 'cli' }),
    });
    assert.equal(created.status, 201);
    process.kill(s.pid, 'SIGTERM');
    assert.equal(await s.exited, 0);
    assert.match(s.output(), /makerbench: SIGTERM, closing\nmakerbench: closed\n$/);
  });
});
