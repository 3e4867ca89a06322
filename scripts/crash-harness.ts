// The crash test: a server (child process) with --journal takes orders from
// several REST clients and one /ws/trade session, and is SIGKILLed at random moments, then restarted on
// the same journal. Afterwards a replay of the journal must hold every
// acknowledged order and fill, no order the clients never sent, positions
// summing to zero per instrument, cash plus venue fees summing to zero, and
// the live server's state hash at its last journal record.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { replayInto } from '../gateway/journal/journal.ts';
import { exchangeState, stateHash } from '../gateway/journal/state.ts';
import WebSocket from 'ws';
import { Rng } from '../sim/rng.ts';
import { decodeEnvelope, encodeEnvelope } from '../gateway/wire.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TOKEN = 'crash-test-admin-token-0123456789';
const KEYS = ['demo-maker-1', 'demo-maker-2', 'demo-taker'];

export interface CrashOptions {
  dir: string; kills: number; seed: number; fsync?: 'always' | 'batch' | 'off'; log?: (s: string) => void;
  /** the server's --snapshot-every (default 50: restarts load snapshots, some of them cut off by a kill) */
  snapshotEvery?: number;
}

export interface CrashResult {
  kills: number;
  acked: number;
  ackedFills: number;
  /** orders whose answer the kill cut off (they may or may not be in the journal) */
  inDoubt: number;
  records: number;
  /** restarts that loaded a snapshot (and replayed only the records after it) */
  snapshotRestarts: number;
  /** each a broken invariant; empty when the run passed */
  problems: string[];
}

interface Server { child: ChildProcess; url: string }

const snapshotRestarts = { n: 0 };

async function startServer(o: CrashOptions): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/main.ts', '--port', '0', '--journal', o.dir, '--fsync', o.fsync ?? 'batch',
    '--snapshot-every', String(o.snapshotEvery ?? 50)], {
    cwd: ROOT, env: { ...process.env, MAKERBENCH_ADMIN_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (l) => {
      const m = /listening on (http:\/\/\S+)/.exec(l);
      if (m) resolve(m[1]);
      if (l.startsWith('journal:')) {
        o.log?.(l);
        if (l.includes('from snapshot')) snapshotRestarts.n++;
      }
    });
    child.on('exit', (c) => reject(new Error(`server exited (${c}) before listening: ${err}`)));
  });
  return { child, url };
}

async function kill(s: Server): Promise<void> {
  if (s.child.exitCode !== null) return;
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGKILL');
  await exited;
}

interface Client {
  key: string;
  /** cl_ord_id → order id, for every order the server acknowledged */
  acked: Map<string, number>;
  /** trade ids of fills the server acknowledged in an order's answer */
  fills: Set<number>;
  /** cl_ord_ids sent without an answer (the kill cut it off) */
  inDoubt: Set<string>;
  next: number;
}

/** Sends orders one at a time until `stop()`; a failed request leaves its order in doubt. */
async function load(c: Client, server: () => Server, rng: Rng, running: () => boolean): Promise<void> {
  while (running()) {
    const clOrdId = `${c.key}-${c.next++}`;
    const body = { cl_ord_id: clOrdId, symbol: 'BTC-USD', side: rng.next() < 0.5 ? 1 : 2, price_units: 30_000 + rng.int(-5, 5), order_qty_units: rng.int(1, 5) };
    try {
      const r = await fetch(`${server().url}/api/v1/orders`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': c.key }, body: JSON.stringify(body) });
      const j = (await r.json()) as { order_id?: number; execution_reports?: { trade_id?: number }[] };
      if (r.status === 200 && j.order_id) {
        c.acked.set(clOrdId, j.order_id);
        for (const er of j.execution_reports ?? []) if (er.trade_id) c.fills.add(Number(er.trade_id));
      }
    } catch (e) {
      // refused = never sent (the server is restarting); anything else may have reached it
      if ((e as { cause?: { code?: string } }).cause?.code !== 'ECONNREFUSED') c.inDoubt.add(clOrdId);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

const WINDOW = 16;
const EXEC_NEW = 1;

/**
 * One order-entry session: logs on (reset) to each server it finds, keeps
 * WINDOW orders in flight, and counts an order acknowledged when its NEW
 * ExecutionReport arrives; what is in flight when the connection drops is in doubt.
 */
async function wsLoad(c: Client, server: () => Server, rng: Rng, running: () => boolean): Promise<void> {
  while (running()) {
    const inFlight = new Set<string>();
    await new Promise<void>((done) => {
      const ws = new WebSocket(server().url.replace('http', 'ws') + '/ws/trade');
      let seq = 1;
      const send = (body: string, msg: Record<string, unknown>): void => ws.send(encodeEnvelope({ msg_seq_num: seq++, sending_time: 0, [body]: msg }));
      const order = (): void => {
        if (!running()) return void ws.close();
        const cl = `${c.key}-ws-${c.next++}`;
        inFlight.add(cl);
        send('new_order_single', { cl_ord_id: cl, symbol: 'BTC-USD', side: rng.next() < 0.5 ? 1 : 2, ord_type: 2, price: 30_000 + rng.int(-5, 5), order_qty: rng.int(1, 5) });
      };
      ws.on('open', () => send('logon', { api_key: c.key, reset_seq_num: true }));
      ws.on('message', (d: Buffer) => {
        const r = decodeEnvelope(d);
        if (!r.ok) return;
        if (r.env.body === 'logon') for (let i = 0; i < WINDOW; i++) order();
        const er = r.env.execution_report as { cl_ord_id?: string; exec_type?: number; order_id?: number; trade_id?: number } | undefined;
        if (!er) return;
        if (er.trade_id) c.fills.add(Number(er.trade_id));
        if (er.exec_type === EXEC_NEW && er.cl_ord_id && inFlight.delete(er.cl_ord_id)) {
          c.acked.set(er.cl_ord_id, Number(er.order_id));
          order();
        }
      });
      ws.on('error', () => {});
      ws.on('close', () => done());
    });
    for (const cl of inFlight) c.inDoubt.add(cl);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function crashRun(o: CrashOptions): Promise<CrashResult> {
  snapshotRestarts.n = 0;
  const rng = new Rng(o.seed);
  let server = await startServer(o);
  const clients: Client[] = [...KEYS, 'demo-maker-1'].map((key) => ({ key, acked: new Map(), fills: new Set(), inDoubt: new Set(), next: 0 }));
  let running = true;
  const loads = clients.map((c, i) => (i < KEYS.length ? load : wsLoad)(c, () => server, rng.fork(`client${i}`), () => running));
  const acked = (): number => clients.reduce((n, c) => n + c.acked.size, 0);
  for (let k = 0; k < o.kills; k++) {
    // each restart takes some load before the next kill (a loaded machine starts servers slowly), then a random moment
    const before = acked();
    for (const until = Date.now() + 15_000; acked() < before + 10 && Date.now() < until;) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, rng.int(0, 500)));
    await kill(server);
    server = await startServer(o);
  }
  await new Promise((r) => setTimeout(r, 200));
  running = false;
  await Promise.all(loads);
  const live = (await (await fetch(`${server.url}/api/v1/admin/journal`, { headers: { 'x-admin-token': TOKEN } })).json()) as { seq: number; state_hash: string };
  await kill(server);
  return check(o, clients, live);
}

function check(o: CrashOptions, clients: Client[], live: { seq: number; state_hash: string }): CrashResult {
  const problems: string[] = [];
  const accepted = new Map<string, number>();
  const trades = new Set<number>();
  const { exchange, scan } = replayInto(o.dir, {
    untilSeq: live.seq,
    before: (x) => x.tapReports((_a, body, m) => {
      if (body !== 'execution_report') return;
      if (m.exec_type === 1) accepted.set(m.cl_ord_id as string, m.order_id as number);
      if (m.trade_id) trades.add(Number(m.trade_id));
    }),
  });
  if (stateHash(exchange) !== live.state_hash) problems.push(`state hash of the replay to ${live.seq} differs from the live server's`);
  for (const c of clients) {
    for (const [cl, id] of c.acked) if (accepted.get(cl) !== id) problems.push(`acknowledged order ${cl} (id ${id}) is not in the journal`);
    for (const t of c.fills) if (!trades.has(t)) problems.push(`acknowledged fill ${t} is not in the journal`);
  }
  const sent = (cl: string): boolean => clients.some((c) => c.acked.has(cl) || c.inDoubt.has(cl));
  for (const cl of accepted.keys()) if (!sent(cl)) problems.push(`order ${cl} in the journal was never sent`);
  const st = exchangeState(exchange) as { accounts: { view: { positions: { symbol: string; position: number; cash: bigint }[] } | null }[]; venueFees: string[] };
  const pos = new Map<string, number>();
  const cash = new Map<string, bigint>();
  for (const a of st.accounts) for (const p of a.view?.positions ?? []) {
    pos.set(p.symbol, (pos.get(p.symbol) ?? 0) + p.position);
    cash.set(p.symbol, (cash.get(p.symbol) ?? 0n) + BigInt(p.cash));
  }
  exchange.engine.instruments.forEach((inst, i) => {
    if ((pos.get(inst.symbol) ?? 0) !== 0) problems.push(`positions in ${inst.symbol} sum to ${pos.get(inst.symbol)}`);
    const total = (cash.get(inst.symbol) ?? 0n) + BigInt(st.venueFees[i]);
    if (total !== 0n) problems.push(`cash plus venue fees in ${inst.symbol} sum to ${total}`);
  });
  return {
    kills: o.kills, acked: clients.reduce((n, c) => n + c.acked.size, 0), ackedFills: clients.reduce((n, c) => n + c.fills.size, 0),
    inDoubt: clients.reduce((n, c) => n + c.inDoubt.size, 0), records: scan.records, snapshotRestarts: snapshotRestarts.n, problems,
  };
}
