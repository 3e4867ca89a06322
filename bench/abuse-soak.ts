// npm run soak [-- --frames 20000]
//
// The long form of the abuse tests, for release runs (minutes, not seconds):
//   1. the fuzz test with --frames random and mutated frames per garbage worker (npm test: 1,500);
//   2. 40 stalled market-data subscribers at the default 8 MiB budget (npm test: 512 KiB), with the
//      memory they made the server hold;
//   3. a connection flood: 1,000 sockets on /ws/trade that never log on, against the default
//      connection rate, caps and logon timeout; then a real client must still get in;
//   4. api-key guessing over REST: how many wrong keys one address gets to try;
//   5. bench/md-snapshot-load.ts: a trader's ack p99 with a client looping on the largest snapshot.
// Each step prints its figures; the exit status is 1 if any step failed.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { startServer } from '../gateway/index.ts';
import { defaultConfig } from '../gateway/config.ts';
import { encodeEnvelope, decodeEnvelope } from '../gateway/wire.ts';

const { values } = parseArgs({ options: { frames: { type: 'string' } } });
const FRAMES = values.frames ?? '20000';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const failures: string[] = [];

function runNode(name: string, args: string[], env: Record<string, string>, keep: RegExp): void {
  console.log(`\n== ${name}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  for (const line of `${r.stdout}\n${r.stderr}`.split('\n')) if (keep.test(line)) console.log(line);
  if (r.status !== 0) failures.push(name);
  console.log(r.status === 0 ? 'ok' : `FAILED (exit ${r.status})`);
}

async function connectionFlood(): Promise<void> {
  console.log('\n== connection flood: 1,000 sockets that never log on');
  const s = await startServer({ config: defaultConfig() });
  try {
    const url = s.url.replace('http', 'ws') + '/ws/trade';
    const codes = new Map<number, number>();
    const upgrades = { refused429: 0, dropped: 0 };
    const sockets = await Promise.all(Array.from({ length: 1000 }, () => new Promise<WebSocket>((res) => {
      const ws = new WebSocket(url);
      let refused = false;
      ws.on('error', () => {});
      ws.once('close', (code) => { if (!refused) codes.set(code, (codes.get(code) ?? 0) + 1); });
      ws.once('open', () => res(ws));
      // the per-address connection rate (connectBurstPerIp, connectsPerIpPerSec): a 429 once, then nothing
      ws.once('unexpected-response', (req, r) => { refused = true; if (r.statusCode === 429) upgrades.refused429++; req.destroy(); res(ws); });
      ws.once('error', () => { if (!refused && ws.readyState !== WebSocket.OPEN) { refused = true; upgrades.dropped++; } res(ws); });
    })));
    await new Promise((r) => setTimeout(r, 500));
    console.log(`after 0.5 s: refused at the upgrade ${upgrades.refused429} with 429, ${upgrades.dropped} dropped unanswered; closed by code ${JSON.stringify(Object.fromEntries(codes))}; held ${sockets.filter((w) => w.readyState === WebSocket.OPEN).length}`);
    await new Promise((r) => setTimeout(r, 5500));
    const open = sockets.filter((w) => w.readyState === WebSocket.OPEN).length;
    console.log(`after 6 s (logon timeout 5 s): closed by code ${JSON.stringify(Object.fromEntries(codes))}; still open ${open}`);
    const ws = new WebSocket(url);
    const logon = await new Promise<string>((res) => {
      ws.once('open', () => ws.send(encodeEnvelope({ msg_seq_num: 1, sending_time_us: 0, logon: { api_key: 'demo-taker', reset_seq_num: true } })));
      ws.on('message', (d: Buffer) => { const e = decodeEnvelope(d); if (e.ok) res(e.env.body ?? ''); });
      ws.once('error', () => res('error'));
    });
    ws.close();
    console.log(`a real client then logs on: ${logon}`);
    if (open !== 0 || logon !== 'logon') failures.push('connection flood');
  } finally {
    await s.close();
  }
}

async function keyGuessing(): Promise<void> {
  console.log('\n== api-key guessing over REST: 2,000 wrong keys from one address');
  const s = await startServer({ config: defaultConfig() });
  try {
    const status = new Map<number, number>();
    const t0 = performance.now();
    for (let i = 0; i < 2000; i++) {
      const r = await fetch(`${s.url}/api/v1/account`, { headers: { 'x-api-key': `guess-${i}-0123456789abcdef` } });
      await r.arrayBuffer();
      status.set(r.status, (status.get(r.status) ?? 0) + 1);
    }
    const s401 = status.get(401) ?? 0;
    console.log(`statuses ${JSON.stringify(Object.fromEntries(status))} in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${s401} keys actually tried`);
    if (s401 > 10) failures.push('key guessing');
  } finally {
    await s.close();
  }
}

runNode('fuzz', ['--test', '--test-reporter=spec', 'test/gateway-fuzz.test.ts'], { FUZZ_FRAMES: FRAMES }, /^[✔✖]|^ℹ (pass|fail)/);
runNode('40 stalled subscribers, 8 MiB budget', ['--test', '--test-reporter=spec', '--test-name-pattern=stalled', 'test/gateway-limits.test.ts'], { STALLED_BUDGET: String(8 * 2 ** 20) }, /stalled-subscribers|[✔✖]/);
await connectionFlood();
await keyGuessing();
runNode('md snapshot loop against order entry', ['bench/md-snapshot-load.ts'], {}, /./);
console.log(failures.length ? `\nFAILED: ${failures.join(', ')}` : '\nall soak steps passed');
process.exit(failures.length ? 1 : 0);
