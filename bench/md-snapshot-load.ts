// npm run bench:md-snapshots [-- --orders 40000] [--seconds 4] [--rounds 3] [--rate 500] [--trader-price 400000]
//                            [--reconnect-ms 10] [--server-flags=--trace-gc] [--server DIR]
//
// What a market-data client looping on the largest snapshot does to order
// entry. The server (`npm start`'s entry point, default configuration) runs in
// a child process; this process fills BTC-USD with `orders` resting orders
// (half a side, one per price level; it checks they all rest), then measures a
// trader's ack latency — a new order or a cancel sent every 1/rate s, open
// loop, timed from the moment it is written to its ExecutionReport — in
// alternating phases: quiet, then with a second connection on /ws/md asking
// for a full snapshot (market_depth 0, L2 + L3 + BBO) again as soon as each
// answer arrives, and again every 5 ms when none does (refusals past the
// first are not answered), reconnecting `reconnect-ms` after it is logged out
// or refused at the upgrade (in a child process of its own, reading only
// which message each frame is: decoding its snapshots would take CPU from the
// trader and the server on a 2-core machine). The trader sleeps on a
// timer between orders (no busy wait: on a 2-core machine a spinning client
// takes a core from the server and the looper). Prints per phase p50 / p99 /
// max, how late the trader's own timer sent (the client's scheduling, not the
// server's), the server's CPU time, and the p99 difference. One second of
// each load comes first, unmeasured (the server's first snapshots, refusals
// and upgrades are compiled then). Per phase the server's own event-loop delay
// and GC pauses are printed too (bench/server-probe.ts, preloaded into it).
//
// First, in this process, the slice itself: the time one largest snapshot
// (market_depth 0, L2 + L3 + BBO) takes on the same book, capped as the
// server serves it — built and encoded, and from the kept encoding (an
// unchanged book) — and uncapped (as before the caps): the longest an order
// can wait behind one snapshot. CPU time, so it holds on a busy machine too.
//
// --server DIR: run the server of another checkout (its gateway/main.ts), e.g.
// a worktree of an earlier commit, to compare before and after with one bench.
// --trader-price: the trader's buy price; the default rests far below the
// 1,000 bid levels a snapshot shows (the kept encoding stays valid); a price
// inside them (e.g. 499000) changes the snapshot with every order, so every
// served snapshot is built again.
import { spawn, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { BODY_NAMES, EnvelopeType, decodeEnvelope, encodeEnvelope, sharedFrame, type Envelope } from '../gateway/wire.ts';
import { Exchange } from '../gateway/exchange.ts';
import { defaultConfig } from '../gateway/config.ts';
import { snapshot } from '../gateway/md-feed.ts';
import { SnapshotCache, type FrameParts } from '../gateway/md-snapshot-cache.ts';
import { readFileSync } from 'node:fs';
import { DEFAULT_SESSION_LIMITS } from '../gateway/limits.ts';
import { SERVER_NODE_FLAGS } from './gateway-child.ts';
import type { ProcessStats } from './child-link.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

const { values } = parseArgs({
  options: { orders: { type: 'string' }, seconds: { type: 'string' }, rounds: { type: 'string' }, rate: { type: 'string' }, looper: { type: 'string' }, 'server-flags': { type: 'string' },
    'trader-price': { type: 'string' }, 'reconnect-ms': { type: 'string' }, server: { type: 'string' },
  },
});
const ORDERS = Number(values.orders ?? 40_000);
const SECONDS = Number(values.seconds ?? 4);
const ROUNDS = Number(values.rounds ?? 3);
const RATE = Number(values.rate ?? 500);
const TRADER_PRICE = Number(values['trader-price'] ?? 400_000);
const RECONNECT_MS = Number(values['reconnect-ms'] ?? 10);
/** the looper asks again after this long without an answer (a refusal past the first is not answered) */
const REASK_MS = 5;
const SYMBOL = 'BTC-USD';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Starts the exchange in a child process; resolves with its URL once it listens. */
let serverStart = 0;
const probeDir = mkdtempSync(path.join(tmpdir(), 'md-snapshot-probe-'));
const PROBE_FILE = path.join(probeDir, 'probe.jsonl');
function startExchange(): Promise<{ url: string; child: ChildProcess }> {
  serverStart = performance.now();
  // npm start's node flags (the gateway bench's list), then --server-flags; the probe (this checkout's) reports the server's event loop and GC per phase
  const flags = [...SERVER_NODE_FLAGS, ...(values['server-flags'] ?? '').split(' ').filter(Boolean), '--import', 'tsx', '--import', path.join(ROOT, 'bench/server-probe.ts')];
  const child = spawn(process.execPath, [...flags, 'gateway/main.ts', '--port', '0'], {
    cwd: values.server ? path.resolve(values.server) : ROOT, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, MAKERBENCH_PROBE_FILE: PROBE_FILE },
  });
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

/**
 * The name of an Envelope's body, read from the field tags alone (BODY_NAMES):
 * the looper's frames are mostly 32 KiB snapshots, and decoding each would
 * spend CPU of the machine the trader and the server share.
 */
function bodyName(d: Uint8Array): string | undefined {
  let i = 0;
  const varint = (): number => {
    let v = 0;
    let scale = 1;
    let b;
    do {
      b = d[i++];
      v += (b & 0x7f) * scale;
      scale *= 0x80;
    } while (b & 0x80 && i < d.length);
    return v;
  };
  while (i < d.length) {
    const tag = varint();
    const wire = tag % 8;
    if (wire === 0) varint();
    else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else if (wire === 2) {
      const len = varint();
      const name = EnvelopeType.fieldsById[Math.floor(tag / 8)]?.name;
      if (name !== undefined && BODIES.has(name)) return name;
      i += len;
    } else return undefined;
  }
  return undefined;
}
const BODIES: ReadonlySet<string> = new Set(BODY_NAMES);

/** A numbered connection: decoding what it receives, or (`decode` false) reading only each message's name. */
class Conn {
  private seq = 1;
  onEnvelope: (e: Envelope) => void = () => {};
  /** without decoding: the body's name of each message */
  onBody: (body: string | undefined) => void = () => {};
  private constructor(readonly ws: WebSocket, decode: boolean) {
    ws.on('message', (d: Buffer) => {
      if (!decode) return this.onBody(bodyName(d));
      const r = decodeEnvelope(d);
      if (r.ok) this.onEnvelope(r.env);
    });
  }
  static async open(url: string, p: string, decode = true): Promise<Conn> {
    const ws = new WebSocket(url.replace('http', 'ws') + p);
    await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
    return new Conn(ws, decode);
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
  let resting = 0;
  const done = new Promise<void>((res) => (maker.onEnvelope = (e) => {
    if (e.body !== 'execution_report') return;
    if ((e.execution_report as { ord_status: number }).ord_status === 1) resting++; // ORD_STATUS_NEW
    if (++acked === ORDERS) res();
  }));
  for (let i = 0; i < ORDERS; i++) {
    const side = i % 2 === 0 ? 1 : 2;
    const off = 10 + Math.floor(i / 2);
    maker.send('new_order_single', { cl_ord_id: `m${i}`, symbol: SYMBOL, side, ord_type: 2, price: side === 1 ? 500_000 - off : 500_000 + off, order_qty: 1 });
    if (i % 2000 === 1999) await new Promise((r) => setImmediate(r));
  }
  await done;
  maker.onEnvelope = () => {};
  if (resting !== ORDERS) throw new Error(`only ${resting} of ${ORDERS} orders rest on the book`);
}

interface Phase {
  /** ack latencies, ms, from the write of each message to its ExecutionReport */
  lat: number[];
  /** how late the trader's timer sent each message after its due time, ms (the client's scheduling) */
  late: number[];
  /**
   * of each ack, the part from the write to the report's sending_time_us (the
   * server's clock, the same machine's: reading, queueing behind other work,
   * processing, encoding), ms; the rest is the write back and the client's own
   * event loop
   */
  toReport: number[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The trader's ack latencies over `seconds`: open loop, new orders and their cancels alternately, sent on a timer. */
async function measure(trader: Conn, seconds: number): Promise<Phase> {
  const sent = new Map<string, number>();
  const phase: Phase = { lat: [], late: [], toReport: [] };
  trader.onEnvelope = (e) => {
    if (e.body !== 'execution_report') return;
    const id = (e.execution_report as { cl_ord_id: string }).cl_ord_id;
    const t = sent.get(id);
    if (t !== undefined) {
      phase.lat.push(performance.now() - t);
      phase.toReport.push(e.sending_time_us / 1000 - (performance.timeOrigin + t));
      sent.delete(id);
    }
  };
  const start = performance.now();
  const n = Math.floor(seconds * RATE);
  for (let i = 0; i < n; i++) {
    const at = start + (i * 1000) / RATE;
    const wait = at - performance.now();
    if (wait > 0) await sleep(wait);
    const k = `${start.toFixed(0)}-${i}`;
    const now = performance.now();
    phase.late.push(Math.max(0, now - at));
    sent.set(k, now);
    if (i % 2 === 0) trader.send('new_order_single', { cl_ord_id: k, symbol: SYMBOL, side: 1, ord_type: 2, price: TRADER_PRICE, order_qty: 1 });
    else trader.send('order_cancel_request', { cl_ord_id: k, orig_cl_ord_id: `${start.toFixed(0)}-${i - 1}`, symbol: SYMBOL });
  }
  const deadline = performance.now() + 2000;
  while (sent.size > 0 && performance.now() < deadline) await sleep(5);
  return phase;
}

/** Lines the probe has written so far. */
function probeLines(): string[] {
  try {
    return readFileSync(PROBE_FILE, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * Asks the server's probe (bench/server-probe.ts) for its event-loop delay and
 * GC since the previous ask, and starts it counting again: at a phase's start
 * (the answer is dropped) and at its end. null if no answer comes (a server
 * without the probe).
 */
async function probe(child: ChildProcess): Promise<ProcessStats | null> {
  const before = probeLines().length;
  child.kill('SIGUSR2');
  for (let i = 0; i < 100; i++) {
    const lines = probeLines();
    if (lines.length > before) return JSON.parse(lines[lines.length - 1]) as ProcessStats;
    await sleep(2);
  }
  return null;
}

/** The server process's CPU time so far, ms (Linux /proc; NaN elsewhere). */
function serverCpuMs(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime, in clock ticks of 10 ms
  } catch {
    return NaN;
  }
}

/**
 * Keeps asking for the full snapshot until stopped: as soon as each answer
 * arrives, and every REASK_MS while none does (it ignores when it was told to
 * retry). Logged out, or refused at the upgrade, it connects again after
 * RECONNECT_MS (a fresh connection has a fresh burst). Counts snapshots
 * served, refusals answered, connections made and upgrades refused.
 */
function loopSnapshots(url: string): LoopCounts & { stop(): void } {
  const state = {
    stopped: false, served: 0, refused: 0, bytes: 0, connections: 0, upgradesRefused: 0,
    stop: () => { state.stopped = true; current?.ws.close(); },
  };
  let current: Conn | null = null;
  let n = 0;
  const connect = async (): Promise<void> => {
    if (state.stopped) return;
    let md: Conn;
    try {
      md = current = await Conn.open(url, '/ws/md', false);
    } catch {
      state.upgradesRefused++;
      setTimeout(() => void connect(), RECONNECT_MS);
      return;
    }
    state.connections++;
    let reask: ReturnType<typeof setTimeout> | null = null;
    const ask = (): void => {
      if (reask) clearTimeout(reask);
      if (state.stopped || md.ws.readyState !== WebSocket.OPEN) return;
      md.send('market_data_request', { md_req_id: `s${n++}`, symbol: SYMBOL, subscription: 1, market_depth: 0, channels: [1, 2, 4] });
      reask = setTimeout(ask, REASK_MS);
    };
    md.ws.on('message', (d: Buffer) => { state.bytes += d.length; });
    md.ws.on('error', () => {});
    md.ws.once('close', () => {
      if (reask) clearTimeout(reask);
      setTimeout(() => void connect(), RECONNECT_MS);
    });
    md.onBody = (body) => {
      if (body === 'market_data_snapshot_full_refresh') state.served++;
      else if (body === 'market_data_request_reject') state.refused++;
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

/** CPU ms of the largest snapshot on an in-process book like the server's, capped and uncapped (median and max of `n`, after `n` unmeasured). */
function sliceOfLargestSnapshot(n = 30): void {
  const ex = new Exchange(defaultConfig());
  const account = (ex.authenticate('demo-maker-1') as { id: number }).id;
  for (let i = 0; i < ORDERS; i++) {
    const side = i % 2 === 0 ? 1 : 2;
    const off = 10 + Math.floor(i / 2);
    ex.newOrder({ account, symbol: SYMBOL, side, ordType: 1, tif: 1, price: side === 1 ? 500_000 - off : 500_000 + off, qty: 1 } as never);
  }
  const L2_L3_BBO = 1 | 2 | 8;
  /** CPU ms of `f` (median and max of n, after n unmeasured), with the size of what it made */
  const time = (f: () => number, digits = 2, runs = n): string => {
    const ms: number[] = [];
    let bytes = 0;
    for (let i = 0; i < runs; i++) f(); // compiled first: the steady cost, as a server that serves snapshots pays it
    for (let i = 0; i < runs; i++) {
      const t = process.cpuUsage();
      bytes = f();
      const d = process.cpuUsage(t);
      ms.push((d.user + d.system) / 1000);
    }
    return `median ${pct(ms, 50).toFixed(digits)} ms, max ${Math.max(...ms).toFixed(digits)} ms, ${(bytes / 1024).toFixed(0)} KiB`;
  };
  const { mdSnapshotLevels: levels, mdSnapshotOrders: orders } = DEFAULT_SESSION_LIMITS;
  const cache = new SnapshotCache(ex, 16);
  // as the server serves it: built and encoded (nothing kept yet), and from the kept encoding (an unchanged book)
  const size = (p: FrameParts): number => p.head.length + p.body.length;
  const built = time(() => size(new SnapshotCache(ex, 1).parts(SYMBOL, 'x', L2_L3_BBO, levels, orders)));
  const kept = time(() => size(cache.parts(SYMBOL, 'x', L2_L3_BBO, levels, orders)), 3);
  // every level and order, through protobufjs, as before the caps
  const uncapped = time(() => sharedFrame('market_data_snapshot_full_refresh', snapshot(ex, SYMBOL, 'x', L2_L3_BBO, 0, Number.MAX_SAFE_INTEGER)).length, 2, 5);
  console.log(`largest snapshot of a ${ORDERS}-order book, CPU: capped (${levels} levels, ${orders} L3 orders) built ${built}, from the kept encoding ${kept}; uncapped ${uncapped}`);
}

interface LoopCounts { served: number; refused: number; connections: number; upgradesRefused: number; bytes: number }

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
        const { served, refused, connections, upgradesRefused, bytes } = loop;
        console.log(JSON.stringify({ served, refused, connections, upgradesRefused, bytes }));
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
    // warm-up, 1 s each: the trader alone, then with the loop (the server's first snapshots, refusals and upgrades are compiled then, not in a measured phase)
    await measure(trader, 1);
    looper.go();
    await measure(trader, 1);
    await looper.stop();
    console.log(`book: ${ORDERS} resting orders on ${SYMBOL}; trader at ${RATE} operations/s (buy price ${TRADER_PRICE}); ${SECONDS} s per phase, the phases' order alternating`);
    const quiet: Phase = { lat: [], late: [], toReport: [] };
    const loaded: Phase = { lat: [], late: [], toReport: [] };
    const cpu = { quiet: 0, loaded: 0 };
    const mark = (what: string): void => {
      if (values['server-flags']) console.error(`${what} phase from ${(performance.now() - serverStart).toFixed(0)} ms`);
    };
    /** the server's own view per phase: event-loop delay (max, p99) and GC pauses, worst over the rounds */
    const server = { quiet: [] as ProcessStats[], loaded: [] as ProcessStats[] };
    const quietPhase = async (): Promise<Phase> => {
      mark('quiet');
      await probe(child);
      const c0 = serverCpuMs(child.pid);
      const q = await measure(trader, SECONDS);
      cpu.quiet += serverCpuMs(child.pid) - c0;
      const st = await probe(child);
      if (st) server.quiet.push(st);
      return q;
    };
    const loopPhase = async (): Promise<[Phase, LoopCounts]> => {
      mark('loop');
      await probe(child);
      const c0 = serverCpuMs(child.pid);
      looper.go();
      const l = await measure(trader, SECONDS);
      const counts = await looper.stop();
      cpu.loaded += serverCpuMs(child.pid) - c0;
      const st = await probe(child);
      if (st) server.loaded.push(st);
      return [l, counts];
    };
    const serverLine = (st: ProcessStats | undefined): string =>
      st ? `loop delay p99 ${(st.loopP99Us / 1000).toFixed(1)} max ${(st.loopMaxUs / 1000).toFixed(1)} ms, GC ${st.gcCount} pauses max ${st.gcMaxMs} ms` : 'no probe';
    const worst = (xs: ProcessStats[]): string => xs.length === 0 ? 'no probe'
      : `loop delay max ${(Math.max(...xs.map((x) => x.loopMaxUs)) / 1000).toFixed(1)} ms, GC pauses ${xs.reduce((a, x) => a + x.gcCount, 0)} (${xs.reduce((a, x) => a + x.gcTotalMs, 0)} ms) max ${Math.max(...xs.map((x) => x.gcMaxMs))} ms`;
    const line = (name: string, p: Phase): string =>
      `${name} p50=${pct(p.lat, 50).toFixed(2)} p99=${pct(p.lat, 99).toFixed(2)} max=${Math.max(...p.lat).toFixed(2)} ms (to the report p99 ${pct(p.toReport, 99).toFixed(2)}; sent late p99 ${pct(p.late, 99).toFixed(2)} ms)`;
    for (let r = 0; r < ROUNDS; r++) {
      let q: Phase;
      let l: Phase;
      let loop: LoopCounts;
      if (r % 2 === 0) {
        q = await quietPhase();
        [l, loop] = await loopPhase();
      } else {
        [l, loop] = await loopPhase();
        q = await quietPhase();
      }
      for (const [to, from] of [[quiet, q], [loaded, l]] as const) {
        to.lat.push(...from.lat);
        to.late.push(...from.late);
        to.toReport.push(...from.toReport);
      }
      console.log(`round ${r + 1}: ${line('quiet', q)} | ${line('snapshot loop', l)} | snapshots served=${loop.served} refusals answered=${loop.refused} on ${loop.connections} connections, ${loop.upgradesRefused} upgrades refused (${(loop.bytes / 2 ** 20).toFixed(1)} MiB)`);
      console.log(`  server: quiet ${serverLine(server.quiet.at(-1))} | snapshot loop ${serverLine(server.loaded.at(-1))}`);
    }
    const dp99 = pct(loaded.lat, 99) - pct(quiet.lat, 99);
    console.log(`all rounds, write to the report's sending time (the server's part): quiet p99=${pct(quiet.toReport, 99).toFixed(2)} ms, with the snapshot loop p99=${pct(loaded.toReport, 99).toFixed(2)} ms: change ${(pct(loaded.toReport, 99) - pct(quiet.toReport, 99)).toFixed(2)} ms`);
    console.log(`server CPU: quiet ${(cpu.quiet / ROUNDS / SECONDS / 10).toFixed(1)} %, with the snapshot loop ${(cpu.loaded / ROUNDS / SECONDS / 10).toFixed(1)} % of a core`);
    console.log(`server, worst round: quiet ${worst(server.quiet)} | with the snapshot loop ${worst(server.loaded)}`);
    console.log(`all rounds: quiet p99=${pct(quiet.lat, 99).toFixed(2)} ms, with the snapshot loop p99=${pct(loaded.lat, 99).toFixed(2)} ms: p99 change ${dp99.toFixed(2)} ms (${dp99 < 1 ? 'under' : 'NOT under'} 1 ms)`);
    trader.ws.close();
    looper.end();
  } finally {
    child.kill('SIGTERM');
    rmSync(probeDir, { recursive: true, force: true });
  }
}

await main();
