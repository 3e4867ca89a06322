// Prints the two transcripts of docs/protocol.md from a real server: an
// order-entry session (logon, order, fill, disconnect, fill while away, logon
// again, resend, cancel, logout) and a market-data subscription. Plain ws and
// the contract's protobuf codec, no SDK: what a client in any language sends.
//
//   npm start                                        # a fresh exchange, built-in configuration
//   node --import tsx examples/wire-transcript.ts [http://127.0.0.1:8080]
import WebSocket from 'ws';
import { decodeEnvelope, encodeEnvelope, nowMicros } from '../gateway/wire.ts';

const base = process.argv[2] ?? 'http://127.0.0.1:8080';
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const HEADER = new Set(['msg_seq_num', 'sending_time_us', 'poss_dup', 'body']);

/** Zero, empty and false fields left out, as protobuf leaves them off the wire. */
function nonDefault(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(nonDefault);
  if (v === null || typeof v !== 'object') return v;
  const kept = Object.entries(v).filter(([, x]) => x !== 0 && x !== '' && x !== false && x !== null && !(Array.isArray(x) && x.length === 0));
  return Object.fromEntries(kept.map(([k, x]) => [k, nonDefault(x)]));
}

function show(direction: '>' | '<', env: Record<string, unknown>): void {
  const body = Object.keys(env).find((k) => !HEADER.has(k)) ?? '?';
  console.log(`${direction} #${String(env.msg_seq_num)}${env.poss_dup ? ' poss_dup' : ''} ${body} ${JSON.stringify(nonDefault(env[body]))}`);
}

/** One connection that prints what it sends and receives and numbers what it sends from `firstSeq`. */
class Wire {
  lastSeqIn = 0;
  private constructor(private readonly ws: WebSocket, private seq: number) {
    ws.on('message', (data: Buffer) => {
      const r = decodeEnvelope(data);
      if (!r.ok) return void console.log(`< undecodable frame: ${r.error}`);
      this.lastSeqIn = Math.max(this.lastSeqIn, r.env.msg_seq_num);
      show('<', r.env);
    });
  }
  static async open(path: string, firstSeq = 1): Promise<Wire> {
    const ws = new WebSocket(base.replace(/^http/, 'ws') + path);
    await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
    return new Wire(ws, firstSeq);
  }
  get nextSeq(): number {
    return this.seq;
  }
  async send(body: string, msg: Record<string, unknown>, waitMs = 200): Promise<void> {
    const env = { msg_seq_num: this.seq++, sending_time_us: nowMicros(), [body]: msg };
    show('>', env);
    this.ws.send(encodeEnvelope(env));
    await pause(waitMs);
  }
  drop(): void {
    this.ws.terminate();
  }
}

/** Another account's order over REST (the same engine path as /ws/trade). */
async function restOrder(apiKey: string, order: Record<string, unknown>): Promise<void> {
  console.log(`-- REST, ${apiKey}: ${JSON.stringify(order)}`);
  const res = await fetch(`${base}/api/v1/orders`, {
    method: 'POST', headers: { 'x-api-key': apiKey, 'content-type': 'application/json' }, body: JSON.stringify(order),
  });
  if (!res.ok) console.log(`-- REST answered ${res.status}: ${await res.text()}`);
  await pause(200);
}

async function orderEntry(): Promise<void> {
  console.log('== /ws/trade');
  let s = await Wire.open('/ws/trade');
  await s.send('logon', { api_key: 'demo-taker', heartbeat_interval_ms: 5000, reset_seq_num: true });
  await s.send('new_order_single', { cl_ord_id: 'a1', symbol: 'BTC-USD', side: 2, ord_type: 2, time_in_force: 1, price: 1000000, order_qty: 100 });
  await restOrder('demo-maker-1', { cl_ord_id: 'm1', symbol: 'BTC-USD', side: 1, ord_type: 2, time_in_force: 3, price_units: 1000000, order_qty_units: 30 });
  await s.send('test_request', { test_req_id: 'ping-1' });
  console.log('-- the client drops the connection');
  s.drop();
  await pause(200);
  await restOrder('demo-maker-1', { cl_ord_id: 'm2', symbol: 'BTC-USD', side: 1, ord_type: 2, time_in_force: 3, price_units: 1000000, order_qty_units: 20 });
  // Both directions keep their numbers: the client resumes its own and asks for what follows the last one it processed.
  const resumeFrom = s.lastSeqIn + 1;
  s = await Wire.open('/ws/trade', s.nextSeq);
  await s.send('logon', { api_key: 'demo-taker', heartbeat_interval_ms: 5000 });
  await s.send('resend_request', { begin_seq_no: resumeFrom, end_seq_no: 0 }, 300);
  await s.send('order_cancel_request', { cl_ord_id: 'c1', orig_cl_ord_id: 'a1', symbol: 'BTC-USD' });
  await s.send('logout', { text: 'bye' }, 300);
  s.drop();
}

async function marketData(): Promise<void> {
  console.log('== /ws/md');
  const m = await Wire.open('/ws/md');
  await m.send('market_data_request', { md_req_id: 'md1', symbol: 'BTC-USD', market_depth: 5 }, 300);
  await restOrder('demo-maker-1', { cl_ord_id: 'b1', symbol: 'BTC-USD', side: 1, ord_type: 2, time_in_force: 1, price_units: 999990, order_qty_units: 200 });
  await restOrder('demo-taker', { cl_ord_id: 's1', symbol: 'BTC-USD', side: 2, ord_type: 2, time_in_force: 3, price_units: 999990, order_qty_units: 50 });
  m.drop();
}

await orderEntry();
await marketData();
