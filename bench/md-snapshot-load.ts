// npm run bench:md-snapshots [-- --orders 40000] [--seconds 4] [--rounds 3] [--rate 500]
//
// What a market-data client looping on the largest snapshot does to order
// entry. The server (`npm start`'s entry point, default configuration) runs in
// a child process; this process fills BTC-USD with `orders` resting orders
// (half a side, one per price level), then measures a trader's ack latency —
// a new order or a cancel sent every 1/rate s, open loop, timed from its due
// time to its ExecutionReport — in alternating phases: quiet, then with a
// second connection on /ws/md asking for a full snapshot (market_depth 0, L2
// + L3 + BBO) again as soon as each answer (snapshot or rate-limit reject)
// arrives (in a child process of its own, so decoding snapshots never delays
// the trader's measurement). Prints p50 / p99 / max per phase and the p99
// difference.
//
// First, in this process, the slice itself: the time one largest snapshot
// (market_depth 0, L2 + L3 + BBO) takes to build and encode on the same book,
// capped as the server serves it and uncapped (as before the caps): the
// longest an order can wait behind one snapshot. CPU time, so it holds on a
// busy machine too.
import { spawn, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { decodeEnvelope, encodeEnvelope, sharedFrame, type Envelope } from '../gateway/wire.ts';
import { Exchange } from '../gateway/exchange.ts';
import { defaultConfig } from '../gateway/config.ts';
import { snapshot } from '../gateway/md-feed.ts';
import { DEFAULT_SESSION_LIMITS } from '../gateway/limits.ts';

const { values } = parseArgs({
  options: { orders: { type: 'string' }, seconds: { type: 'string' }, rounds: { type: 'string' }, rate: { type: 'string' }, looper: { type: 'string' }, 'server-flags': { type: 'string' } },
});
const ORDERS = Number(values.orders ?? 40_000);
const SECONDS = Number(values.seconds ?? 4);
const ROUNDS = Number(values.rounds ?? 3);
const RATE = Number(values.rate ?? 500);
const SYMBOL = 'BTC-USD';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Starts the exchange in a child process; resolves with its URL once it listens. */
let serverStart = 0;
function startExchange(): Promise<{ url: string; child: ChildProcess }> {
  serverStart = performance.now();
  const child = spawn(process.execPath, ['--single-threaded-gc', ...(values['server-flags'] ?? '').split(' ').filter(Boolean), '--import', 'tsx', 'gateway/main.ts', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((res, rej) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) res({ url: m[1], child });
      // with diagnostic flags (--trace-gc, …) the server's output is wanted
      if (values['server-flags']) process.stderr.write(d);
    });
    child.once('exit', (code) => rej(new Error(`exchange exited (${code})`)));
  });
}

/** A numbered, decoding connection. */
class Conn {
  private seq = 1;
  onEnvelope: (e: Envelope) => void = () => {};
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d: Buffer) => {
      const r = decodeEnvelope(d);
      if (r.ok) this.onEnvelope(r.env);
    });
  }
  static async open(url: string, p: string): Promise<Conn> {
    const ws = new WebSocket(url.replace('http', 'ws') + p);
    await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
    return new Conn(ws);
  }
  send(body: string, msg: Record<string, unknown>): void {
    this.ws.send(encodeEnvelope({ msg_seq_num: this.seq++, sending_time_us: 0, [body]: msg }));
  }
  async logon(apiKey: string): Promise<void> {
    const done = new Promise<void>((res) => (this.onEnvelope = (e) => { if (e.body === 'logon') res(); }));
    this.send('logon', { api_key: apiKey, reset_seq_num: true, heartbeat_interval_ms: 60_000 });
    await done;
  }
}

/** Rests ORDERS orders of maker-1, one per level, and waits for the last ack. */
async function fillBook(url: string): Promise<void> {
  const maker = await Conn.open(url, '/ws/trade');
  await maker.logon('demo-maker-1');
  let acked = 0;
  const done = new Promise<void>((res) => (maker.onEnvelope = (e) => { if (e.body === 'execution_report' && ++acked === ORDERS) res(); }));
  for (let i = 0; i < ORDERS; i++) {
    const side = i % 2 === 0 ? 1 : 2;
    const off = 10 + Math.floor(i / 2);
    maker.send('new_order_single', { cl_ord_id: `m${i}`, symbol: SYMBOL, side, ord_type: 2, price: side === 1 ? 500_000 - off : 500_000 + off, order_qty: 1 });
    if (i % 2000 === 1999) await new Promise((r) => setImmediate(r));
  }
  await done;
}

/** The trader's ack latencies (ms) over `seconds`: open loop, new orders and their cancels alternately. */
async function measure(trader: Conn, seconds: number): Promise<number[]> {
  const due = new Map<string, number>();
  const lat: number[] = [];
  trader.onEnvelope = (e) => {
    if (e.body !== 'execution_report') return;
    const id = (e.execution_report as { cl_ord_id: string }).cl_ord_id;
    const t = due.get(id);
    if (t !== undefined) {
      lat.push(performance.now() - t);
      due.delete(id);
    }
  };
  const start = performance.now();
  const n = Math.floor(seconds * RATE);
  for (let i = 0; i < n; i++) {
    const at = start + (i * 1000) / RATE;
    while (performance.now() < at) await new Promise((r) => setImmediate(r));
    const k = `${start.toFixed(0)}-${i}`;
    due.set(k, at);
    if (i % 2 === 0) trader.send('new_order_single', { cl_ord_id: k, symbol: SYMBOL, side: 1, ord_type: 2, price: 400_000, order_qty: 1 });
    else trader.send('order_cancel_request', { cl_ord_id: k, orig_cl_ord_id: `${start.toFixed(0)}-${i - 1}`, symbol: SYMBOL });
  }
  const deadline = performance.now() + 2000;
  while (due.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  return lat;
}

/**
 * Keeps asking for the full snapshot until stopped, as soon as each answer
 * arrives; logged out for asking too fast, it connects again at once (a fresh
 * connection has a fresh burst). Counts snapshots served and refused.
 */
function loopSnapshots(url: string): { stop(): void; served: number; refused: number; bytes: number; connections: number } {
  const state = { stopped: false, served: 0, refused: 0, bytes: 0, connections: 0, stop: () => { state.stopped = true; current?.ws.close(); } };
  let current: Conn | null = null;
  let n = 0;
  const connect = async (): Promise<void> => {
    if (state.stopped) return;
    const md = (current = await Conn.open(url, '/ws/md'));
    state.connections++;
    const ask = (): void => {
      if (!state.stopped) md.send('market_data_request', { md_req_id: `s${n++}`, symbol: SYMBOL, subscription: 1, market_depth: 0, channels: [1, 2, 4] });
    };
    md.ws.on('message', (d: Buffer) => { state.bytes += d.length; });
    md.ws.once('close', () => void connect());
    md.onEnvelope = (e) => {
      if (e.body === 'market_data_snapshot_full_refresh') state.served++;
      else if (e.body === 'market_data_request_reject') state.refused++;
      else return;
      ask();
    };
    ask();
  };
  void connect();
  return state;
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

/** CPU ms of the largest snapshot on an in-process book like the server's, capped and uncapped (median and max of `n`). */
function sliceOfLargestSnapshot(n = 30): void {
  const ex = new Exchange(defaultConfig());
  const account = (ex.authenticate('demo-maker-1') as { id: number }).id;
  for (let i = 0; i < ORDERS; i++) {
    const side = i % 2 === 0 ? 1 : 2;
    const off = 10 + Math.floor(i / 2);
    ex.newOrder({ account, symbol: SYMBOL, side, ordType: 1, tif: 1, price: side === 1 ? 500_000 - off : 500_000 + off, qty: 1 } as never);
  }
  const L2_L3_BBO = 1 | 2 | 8;
  const time = (levels: number, orders: number): string => {
    const ms: number[] = [];
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      const t = process.cpuUsage();
      bytes = sharedFrame('market_data_snapshot_full_refresh', snapshot(ex, SYMBOL, 'x', L2_L3_BBO, levels, orders)).length;
      const d = process.cpuUsage(t);
      ms.push((d.user + d.system) / 1000);
    }
    return `median ${pct(ms, 50).toFixed(2)} ms, max ${Math.max(...ms).toFixed(2)} ms, ${(bytes / 1024).toFixed(0)} KiB`;
  };
  const { mdSnapshotLevels: levels, mdSnapshotOrders: orders } = DEFAULT_SESSION_LIMITS;
  console.log(`largest snapshot of a ${ORDERS}-order book, CPU: capped (${levels} levels, ${orders} L3 orders) ${time(levels, orders)}; uncapped ${time(0, Number.MAX_SAFE_INTEGER)}`);
}

interface LoopCounts { served: number; refused: number; connections: number; bytes: number }

/**
 * The snapshot loop in a child process (this file with --looper URL), started
 * once and told by lines on stdin to go and to stop, so its own start-up
 * never falls in a measured phase. stop() resolves with the phase's counts.
 */
async function startLooper(url: string): Promise<{ go(): void; stop(): Promise<LoopCounts>; end(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--looper', url], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let waiter: (() => void) | null = null;
  let buf = '';
  child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
      waiter?.();
    }
  });
  const nextLine = async (): Promise<string> => {
    while (lines.length === 0) await new Promise<void>((r) => (waiter = r));
    return lines.shift() as string;
  };
  await nextLine(); // "ready"
  return {
    go: () => child.stdin?.write('go\n'),
    stop: async () => {
      child.stdin?.write('stop\n');
      return JSON.parse(await nextLine()) as LoopCounts;
    },
    end: () => child.kill('SIGTERM'),
  };
}

/** The child's side: a loop per go … stop, its counts printed as one JSON line. */
function runLooper(url: string): void {
  let loop: ReturnType<typeof loopSnapshots> | null = null;
  let input = '';
  process.stdin.on('data', (d: Buffer) => {
    input += d.toString();
    let i;
    while ((i = input.indexOf('\n')) >= 0) {
      const cmd = input.slice(0, i);
      input = input.slice(i + 1);
      if (cmd === 'go') loop = loopSnapshots(url);
      else if (cmd === 'stop' && loop) {
        loop.stop();
        console.log(JSON.stringify({ served: loop.served, refused: loop.refused, connections: loop.connections, bytes: loop.bytes }));
        loop = null;
      }
    }
  });
  console.log('ready');
}

async function main(): Promise<void> {
  if (values.looper) return runLooper(values.looper);
  sliceOfLargestSnapshot();
  const { url, child } = await startExchange();
  try {
    await fillBook(url);
    const trader = await Conn.open(url, '/ws/trade');
    await trader.logon('demo-taker');
    const looper = await startLooper(url);
    await measure(trader, 1); // warm-up
    console.log(`book: ${ORDERS} resting orders on ${SYMBOL}; trader at ${RATE} operations/s; ${SECONDS} s per phase`);
    const quiet: number[] = [];
    const loaded: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      if (values['server-flags']) console.error(`quiet phase from ${(performance.now() - serverStart).toFixed(0)} ms`);
      const q = await measure(trader, SECONDS);
      if (values['server-flags']) console.error(`loop phase from ${(performance.now() - serverStart).toFixed(0)} ms`);
      looper.go();
      const l = await measure(trader, SECONDS);
      const loop = await looper.stop();
      quiet.push(...q);
      loaded.push(...l);
      const line = (name: string, xs: number[]): string => `${name} p50=${pct(xs, 50).toFixed(2)} p99=${pct(xs, 99).toFixed(2)} max=${Math.max(...xs).toFixed(2)} ms`;
      console.log(`round ${r + 1}: ${line('quiet', q)} | ${line('snapshot loop', l)} | snapshots served=${loop.served} refused=${loop.refused} on ${loop.connections} connections (${(loop.bytes / 2 ** 20).toFixed(1)} MiB)`);
    }
    const dp99 = pct(loaded, 99) - pct(quiet, 99);
    console.log(`all rounds: quiet p99=${pct(quiet, 99).toFixed(2)} ms, with the snapshot loop p99=${pct(loaded, 99).toFixed(2)} ms: p99 change ${dp99.toFixed(2)} ms (${dp99 < 1 ? 'under' : 'NOT under'} 1 ms)`);
    trader.ws.close();
    looper.end();
  } finally {
    child.kill('SIGTERM');
  }
}

await main();
