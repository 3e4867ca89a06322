// The client's FIX session rules, in isolation: the inbound sequencer as a
// pure state machine, then the ExchangeClient against a scripted fake
// exchange that sends exactly the gaps, replays, TestRequests, resend
// requests and rejects a real one only produces by accident.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { InboundSequencer } from '../client/inbound-sequence.ts';
import { ExchangeClient } from '../client/exchange-client.ts';
import { ClientError } from '../client/errors.ts';
import { decodeEnvelope, encodeEnvelope, type Envelope } from '../gateway/wire.ts';
import { collect, sleep, waitFor } from './client-test-helpers.ts';

// ---- InboundSequencer ----

test('sequencer: in order passes through; a gap holds later messages and asks for the gap once', () => {
  const s = new InboundSequencer<string>(100);
  assert.deepEqual(s.receive(1, 'a').ready, ['a']);
  const r3 = s.receive(3, 'c');
  assert.deepEqual([r3.ready, r3.resend], [[], { begin: 2, end: 2 }]);
  const r5 = s.receive(5, 'e');
  assert.deepEqual(r5.resend, { begin: 4, end: 4 }, 'only the part not yet asked for');
  assert.equal(s.receive(3, 'c').duplicate, true, 'a held number seen again is a duplicate');
  assert.deepEqual(s.receive(2, 'b').ready, ['b', 'c']);
  assert.deepEqual(s.receive(4, 'd').ready, ['d', 'e']);
  assert.equal(s.nextExpected, 6);
  assert.equal(s.receive(2, 'b').duplicate, true);
});

test('sequencer: a gap fill skips numbers that will not come, releasing what was held after them', () => {
  const s = new InboundSequencer<string>(100);
  s.receive(1, 'a');
  s.receive(6, 'f');
  // SequenceReset-GapFill sent as number 2: 2..4 will not come
  assert.deepEqual(s.gapFill(2, 5).ready, []);
  assert.equal(s.nextExpected, 5);
  assert.deepEqual(s.receive(5, 'e').ready, ['e', 'f']);
  // a gap fill that starts below the expected number still moves it forward
  s.receive(9, 'i');
  assert.deepEqual(s.gapFill(3, 9).ready, ['i']);
  assert.equal(s.nextExpected, 10);
  // a gap fill jumping over a held message releases it instead of losing it
  s.receive(12, 'l');
  assert.deepEqual(s.gapFill(10, 14).ready, ['l']);
  assert.equal(s.nextExpected, 14);
});

test('sequencer: consumed-only numbers, a bounded hold buffer, and re-requests after a new connection', () => {
  const s = new InboundSequencer<string>(2);
  assert.deepEqual(s.receive(1, null).ready, [], 'a handled session message only consumes its number');
  s.receive(3, 'c');
  s.receive(4, 'd');
  assert.equal(s.receive(5, 'e').overflow, true);
  assert.equal(s.heldCount, 2);
  s.newConnection();
  assert.deepEqual(s.receive(6, 'f').resend, null, 'still full: nothing held, nothing asked');
  assert.deepEqual(s.rerequest(), { begin: 2, end: 2 });
  s.reset(1);
  assert.equal(s.heldCount, 0);
  assert.deepEqual(s.receive(1, 'x').ready, ['x']);
});

// ---- the client against a scripted exchange ----

const SECURITY = {
  symbol: 'BTC-USD', price_scale: 1, qty_scale: 4, cash_scale: 7, tick_table: [{ from_price: 0, tick: 1 }], lot: 1, min_qty: 1,
  max_qty: 1_000_000, min_price: 1, max_price: 10_000_000, maker_fee_bp: -1, taker_fee_bp: 2, trading_phase: 1,
};

/** One connection of a fake /ws/trade: records what the client sends, sends what the test says. */
class FakeExchange {
  readonly got: Envelope[] = [];
  conn: WebSocket | null = null;
  private out = 1;

  private constructor(readonly wss: WebSocketServer, readonly url: string) {
    wss.on('connection', (ws) => {
      this.conn = ws;
      ws.on('message', (d: Buffer) => {
        const r = decodeEnvelope(d);
        if (!r.ok) return;
        this.got.push(r.env);
        this.answer(r.env);
      });
    });
  }

  static async start(): Promise<FakeExchange> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => wss.once('listening', r));
    return new FakeExchange(wss, `http://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  }

  /** The session basics a client needs to get going; everything else is up to the test. */
  private answer(env: Envelope): void {
    if (env.body === 'logon') this.send('logon', { heartbeat_interval_ms: 200, account_id: '7', next_expected_msg_seq_num: env.msg_seq_num + 1 });
    if (env.body === 'logout') {
      this.send('logout', { text: 'bye' });
      this.conn?.close();
    }
    if (env.body === 'security_list_request') {
      this.send('security_list', { security_req_id: (env.security_list_request as { security_req_id: string }).security_req_id, securities: [SECURITY] });
    }
  }

  /** Sends under the next number, or under `seq` (which then becomes the current number). */
  send(body: string, msg: Record<string, unknown>, opts: { seq?: number; possDup?: boolean } = {}): number {
    const seq = opts.seq ?? this.out;
    this.out = Math.max(this.out, seq + 1);
    this.conn?.send(encodeEnvelope({ msg_seq_num: seq, sending_time_us: 0, poss_dup: opts.possDup ?? false, [body]: msg }));
    return seq;
  }

  async next(pred: (e: Envelope) => boolean, ms = 1500): Promise<Envelope> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.got.find(pred);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`the client did not send it; got ${this.got.map((e) => e.body).join(',')}`);
      await sleep(10);
    }
  }

  close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    return new Promise((r) => this.wss.close(() => r()));
  }
}

const er = (clOrdId: string, orderId: number): Record<string, unknown> => ({
  order_id: orderId, cl_ord_id: clOrdId, exec_id: orderId, exec_type: 1, ord_status: 1, symbol: 'BTC-USD', side: 1,
  price: 1_000_000, order_qty: 10_000, leaves_qty: 10_000,
});

async function withFake(fn: (fake: FakeExchange, client: ExchangeClient) => Promise<void>): Promise<void> {
  const fake = await FakeExchange.start();
  const client = await ExchangeClient.connect(fake.url, 'key-of-test', { reconnect: false, requestTimeoutMs: 2000 });
  try {
    await fn(fake, client);
  } finally {
    await client.close();
    await fake.close();
  }
}

test('client: logs on with reset, answers a TestRequest with its id, heartbeats at the agreed interval', () => withFake(async (fake, client) => {
  const logon = await fake.next((e) => e.body === 'logon');
  assert.equal(logon.msg_seq_num, 1);
  assert.deepEqual((logon.logon as { reset_seq_num: boolean }).reset_seq_num, true);
  assert.equal(client.accountId, '7');
  fake.send('test_request', { test_req_id: 'ping-1' });
  const hb = await fake.next((e) => e.body === 'heartbeat' && (e.heartbeat as { test_req_id: string }).test_req_id === 'ping-1');
  assert.ok(hb.msg_seq_num > 1);
  // nothing else to say: the client's own heartbeat follows within the 200 ms interval (+ timer slack)
  const before = fake.got.length;
  await fake.next((e) => e.body === 'heartbeat' && (e.heartbeat as { test_req_id: string }).test_req_id === '' && fake.got.indexOf(e) >= before, 1000);
  // numbers the client sends are dense
  assert.deepEqual(fake.got.map((e) => e.msg_seq_num), fake.got.map((_, i) => i + 1));
}));

test('client: a gap triggers a ResendRequest; a gap fill heals it; a replayed duplicate is dropped', () => withFake(async (fake, client) => {
  const reports = collect(client, 'executionReport');
  const afterSecList = 3;
  fake.send('execution_report', er('x1', 11), { seq: afterSecList + 1 }); // skips 3
  const rr = await fake.next((e) => e.body === 'resend_request');
  assert.deepEqual({ ...(rr.resend_request as object) }, { begin_seq_no: 3, end_seq_no: 3 });
  assert.equal(reports.length, 0, 'held until the gap is filled');
  fake.send('sequence_reset', { new_seq_no: 4, gap_fill: true }, { seq: 3, possDup: true });
  await waitFor(client, 'executionReport');
  fake.send('execution_report', er('x1', 11), { seq: 4, possDup: true }); // the same report replayed
  fake.send('execution_report', er('x2', 12));
  await waitFor(client, 'executionReport', (r) => r.clOrdId === 'x2');
  assert.deepEqual(reports.map((r) => [r.clOrdId, r.seq]), [['x1', 4], ['x2', 5]]);
  assert.equal(client.stats.duplicatesDropped, 1);
  assert.equal(client.inboundSeq, 5);
}));

test('client: a request the exchange reports missing (its ResendRequest) is rejected as lost and gap-filled', () => withFake(async (fake, client) => {
  const order = client.placeOrder({ symbol: 'BTC-USD', side: 'buy', price: '100000.0', qty: '1' });
  const nos = await fake.next((e) => e.body === 'new_order_single');
  fake.send('resend_request', { begin_seq_no: nos.msg_seq_num, end_seq_no: nos.msg_seq_num });
  await assert.rejects(order, (e: ClientError) => e.code === 'lost');
  const reset = await fake.next((e) => e.body === 'sequence_reset');
  assert.equal(reset.msg_seq_num, nos.msg_seq_num);
  assert.equal(reset.poss_dup, true);
  assert.deepEqual({ ...(reset.sequence_reset as object) }, { new_seq_no: nos.msg_seq_num + 1, gap_fill: true });
  assert.equal(client.lostRequests, 1);
}));

test('client: a session Reject of a request rejects its promise; a BusinessMessageReject too', () => withFake(async (fake, client) => {
  const rejects = collect(client, 'reject');
  const a = client.massCancel();
  const m1 = await fake.next((e) => e.body === 'order_mass_cancel_request');
  fake.send('reject', { ref_seq_num: m1.msg_seq_num, reason: 6, text: 'bad value' });
  await assert.rejects(a, (e: ClientError) => e.code === 'session_reject');
  const b = client.quoteCancel();
  const m2 = await fake.next((e) => e.body === 'quote_cancel');
  fake.send('business_message_reject', { ref_seq_num: m2.msg_seq_num, ref_msg_type: 'quote_cancel', business_reject_reason: 3, text: 'no' });
  await assert.rejects(b, (e: ClientError) => e.code === 'business_reject');
  assert.deepEqual(rejects.map((r) => [r.kind, r.reason, r.refSeqNum]), [['session', 'invalid_value', m1.msg_seq_num], ['business', null, m2.msg_seq_num]]);
}));

test('client: a silent exchange gets a TestRequest', () => withFake(async (fake) => {
  // interval 200 ms: a TestRequest once the exchange has been quiet for 700 ms
  const tr = await fake.next((e) => e.body === 'test_request', 1500);
  assert.match((tr.test_request as { test_req_id: string }).test_req_id, /^live-/);
}));
