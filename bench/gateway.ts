// npm run bench:gateway [-- --connections 8] [--rate 20000] [--seconds 5]
//   [--window 64] [--resting 32] [--warmup 2] [--mode both|closed|open]
//   [--sender spin|tick] [--floor] [--prof] [--resend-store N]
//   [--tail-ms 2] [--timeline FILE.csv] [--journal] [--fsync always|batch|off]
//
// Order-entry throughput and latency over real /ws/trade WebSockets. The
// server runs in a child process (bench/gateway-server.ts, with the node
// flags of `npm start`) so that it and the load generator each have a core;
// this process is the client.
//
// closed loop: every connection keeps `window` operations in flight (a new
//   one goes out as soon as one is acknowledged); the figure is acknowledged
//   operations per second, i.e. the server's capacity.
// open loop: operations are due at a fixed total rate, whatever the server
//   does; each is sent within microseconds of its due time by a setImmediate
//   loop (--sender spin, the default: it takes one client core), or by a 1 ms
//   timer tick at or just after it (--sender tick: little CPU, but up to 1 ms
//   of send lag in every sample and bursts of rate/1000 orders), and its
//   latency runs from the DUE time to its ExecutionReport, so a stalled
//   server or client shows up as latency instead of as fewer samples
//   (no coordinated omission). The report's own timestamps split each
//   latency into legs (client send lag, to the server, in the server, back
//   to the client), and the orders slower than --tail-ms are counted by the
//   leg they spent longest in (gateway-latency.ts); --timeline writes every
//   order's instants as CSV.
// --floor: then the same runs against gateway-floor-server.ts — ws and the
//   wire codec with no exchange behind them — printed as floor_closed_loop and
//   floor_open_loop: what this machine, Node and ws cost (throughput, and the
//   part of the tail) before the exchange does anything.
// An operation ("order" in the output) is a new non-crossing GTC limit order
// or the cancel of an earlier one, half each in steady state (see
// gateway-client.ts); each gets exactly one ExecutionReport (NEW / CANCELED).
// CPU use of server, client and the rest of the machine is printed with each
// figure: on a shared 2-core machine the numbers mean little without it.
// --journal: then the same runs against a server with --journal (a temporary
//   directory) and --fsync (default batch), printed as journal_closed_loop and
//   journal_open_loop: what making every order durable before its ack costs.
// --prof writes a V8 CPU profile of the server under out/ and prints where
// its time went (bench/gateway-profile.ts). See gateway-measure.ts for the
// CPU, event-loop and GC fields printed with each result.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startChildServer, type ChildOptions, type ChildServer } from './gateway-child.ts';
import { BenchConn } from './gateway-client.ts';
import { Latencies } from './gateway-latency.ts';
import { Measurement, loadAvg } from './gateway-measure.ts';
import { mainThreadProfiles, printProfile } from './gateway-profile.ts';

interface Options {
  connections: number;
  rate: number;
  seconds: number;
  window: number;
  resting: number;
  /** seconds of load before each measured window: on fresh processes the open loop's first 0.2 s had all orders over 2 ms, tapering off by ~0.7 s (JIT, heap growth), with stragglers past 1 s */
  warmup: number;
  mode: string;
  prof: boolean;
  /** 0 = the server's default */
  resendStore: number;
  sender: 'spin' | 'tick';
  floor: boolean;
  /** the fsync policy of a second run with a journal, none when undefined */
  journal: string | undefined;
  /** open-loop orders slower than this (ms) are attributed to the leg they spent longest in */
  tailMs: number;
  /** CSV of every open-loop order's instants (undefined: none) */
  timeline?: string;
}

function options(): Options {
  const arg = (name: string, dflt: number, min = Number.MIN_VALUE): number => {
    const i = process.argv.indexOf(`--${name}`);
    const v = i >= 0 ? Number(process.argv[i + 1]) : dflt;
    if (!(v >= min)) throw new Error(`--${name} must be a number ≥ ${min}`);
    return v;
  };
  const word = (name: string, allowed: string[]): string => {
    const i = process.argv.indexOf(`--${name}`);
    const v = i >= 0 ? process.argv[i + 1] : allowed[0];
    if (!allowed.includes(v)) throw new Error(`--${name} is ${allowed.join(', ')}`);
    return v;
  };
  const text = (name: string): string | undefined => {
    const i = process.argv.indexOf(`--${name}`);
    if (i < 0) return undefined;
    const v = process.argv[i + 1];
    if (!v || v.startsWith('--')) throw new Error(`--${name} needs a value`);
    return v;
  };
  const mode = word('mode', ['both', 'closed', 'open']);
  return {
    connections: arg('connections', 8), rate: arg('rate', 20_000), seconds: arg('seconds', 5), window: arg('window', 64),
    resting: arg('resting', 32), warmup: arg('warmup', 2), mode, prof: process.argv.includes('--prof'),
    resendStore: arg('resend-store', 0, 0), sender: word('sender', ['spin', 'tick']) as Options['sender'],
    floor: process.argv.includes('--floor'), tailMs: arg('tail-ms', 2), timeline: text('timeline'),
    journal: process.argv.includes('--journal') ? (text('fsync') ?? 'batch') : undefined,
  };
}

/** Resolves at `t` (performance.now() ms) or just after. */
const sleepUntil = (t: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, t - performance.now())));

/** Waits for `p`, at most `ms` (the timer is unref'd so it cannot keep the process alive after `p` settles). */
function atMost(p: Promise<unknown>, ms: number): Promise<unknown> {
  return Promise.race([p, new Promise((r) => setTimeout(r, ms).unref())]);
}
const sum = (conns: BenchConn[]): number => conns.reduce((a, c) => a + c.acked, 0);

async function closedLoop(o: Options, conns: BenchConn[], server: ChildServer, label: string): Promise<void> {
  const from = performance.now() + o.warmup * 1000;
  const to = from + o.seconds * 1000;
  const m = new Measurement(server, from, to);
  let running = true;
  for (const c of conns) {
    c.phase('c', true);
    c.onAck = () => { if (running) c.sendOp(0); };
    for (let i = 0; i < o.window; i++) c.sendOp(0);
  }
  await sleepUntil(from);
  const a0 = sum(conns);
  const t0 = performance.now();
  m.begin();
  await sleepUntil(to);
  const acked = sum(conns) - a0;
  const secs = (performance.now() - t0) / 1000;
  const usage = await m.read();
  running = false;
  await atMost(Promise.all(conns.map((c) => c.drained())), 10_000);
  console.log(`${label}closed_loop connections=${conns.length} window=${o.window} acked_orders=${acked} seconds=${secs.toFixed(2)} orders_per_s=${Math.round(acked / secs)} ${usage}`);
}

/**
 * Sends every operation due before `to` from a setImmediate loop (or a 1 ms timer tick); connection i's
 * k-th operation is due at start + i/rate + k·connections/rate (the
 * connections are staggered so the total is evenly spaced).
 */
function schedule(conns: BenchConn[], o: Options, start: number, to: number): Promise<void> {
  const intervalMs = (1000 * conns.length) / o.rate;
  const next = conns.map((_, i) => start + (i * 1000) / o.rate);
  const spin = o.sender === 'spin';
  return new Promise((resolve) => {
    const step = (): void => {
      const now = performance.now();
      for (let i = 0; i < conns.length; i++) {
        for (; next[i] <= now && next[i] < to; next[i] += intervalMs) conns[i].sendOp(next[i]);
      }
      if (now >= to) {
        clearInterval(tick);
        resolve();
      } else if (spin) setImmediate(step);
    };
    const tick = spin ? undefined : setInterval(step, 1);
    if (spin) setImmediate(step);
  });
}

/** Waits for the stragglers; any still unanswered would be missing from the tail, so that is an error, not a footnote. */
async function drainOpenLoop(conns: BenchConn[]): Promise<void> {
  await atMost(Promise.all(conns.map((c) => c.drained())), 10_000);
  const unanswered = conns.reduce((a, c) => a + c.inFlight, 0);
  if (unanswered > 0) {
    console.error(`open_loop unanswered=${unanswered} after 10 s: the latency figures exclude them`);
    process.exitCode = 1;
  }
}

/**
 * `label` prefixes the result lines (floor_ for the floor server). Nothing in
 * the client's loops changes at the window's edges (the window is applied
 * to the recorded orders afterwards, and CPU readings are taken by a timer),
 * so the code being measured is the code that ran through the warm-up.
 */
async function openLoop(o: Options, conns: BenchConn[], server: ChildServer, label: string): Promise<void> {
  const perConn = Math.ceil((o.rate * (o.warmup + o.seconds)) / conns.length) + 1;
  for (const c of conns) {
    c.phase('o', false);
    c.prepare(perConn); // each due operation is then one socket write
  }
  const start = performance.now() + 50;
  const from = start + o.warmup * 1000; // operations due before this are warm-up
  const to = from + o.seconds * 1000;
  const lat = new Latencies(o.tailMs, from, to, perConn * conns.length, o.timeline);
  for (const c of conns) c.onAck = (due, sent, transactUs, sendingUs) => lat.record(due, sent, performance.now(), transactUs, sendingUs);
  const m = new Measurement(server, from, to);
  setTimeout(() => m.begin(), from - performance.now());
  await schedule(conns, o, start, to);
  const usage = await m.read();
  await drainOpenLoop(conns);
  console.log(`${label}open_loop connections=${conns.length} offered_per_s=${o.rate} sender=${o.sender} ${lat.summary()} ${usage}`);
  console.log(`${label}open_loop_breakdown ${lat.breakdown()}`);
  const file = lat.writeTimeline(label);
  if (file) console.log(`${label}open_loop_timeline ${file}`);
}

/** Runs `fn` with `connections` sessions logged on to a fresh child server; returns their errors. */
async function withServer(o: Options, child: ChildOptions, fn: (conns: BenchConn[], server: ChildServer) => Promise<void>): Promise<string[]> {
  const server = await startChildServer(child);
  const conns: BenchConn[] = [];
  try {
    for (let i = 0; i < o.connections; i++) conns.push(await BenchConn.open(server.url, i, o.resting));
    await fn(conns, server);
  } finally {
    for (const c of conns) c.close();
    await server.stop();
  }
  return conns.flatMap((c) => c.errors);
}

async function main(): Promise<void> {
  const o = options();
  const profDir = o.prof ? path.resolve('out', `prof-gateway-${Date.now()}`) : undefined;
  if (profDir) mkdirSync(profDir, { recursive: true });
  const runModes = (label: string) => async (conns: BenchConn[], server: ChildServer): Promise<void> => {
    if (o.mode !== 'open') await closedLoop(o, conns, server, label);
    if (o.mode !== 'closed') await openLoop(o, conns, server, label);
  };
  const errors = await withServer(o, { accounts: o.connections, profDir, resendStore: o.resendStore || undefined }, runModes(''));
  if (o.journal) errors.push(...await withServer(o, { accounts: o.connections, journal: o.journal }, runModes('journal_')));
  if (o.floor) errors.push(...await withServer(o, { accounts: o.connections, floor: true }, runModes('floor_')));
  for (const e of errors) console.error(`error ${e}`);
  console.log(`load_avg ${loadAvg()}`);
  if (profDir) for (const f of mainThreadProfiles(profDir)) printProfile(f);
  if (errors.length) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
