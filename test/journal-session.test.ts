// Order-entry sessions across a restart on the same journal: sequence numbers
// go on, and a ResendRequest gets the reports missed while the server was down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../gateway/index.ts';
import { defaultConfig } from '../gateway/config.ts';
import { Raw } from './gateway-raw-client.ts';
import { replayInto } from '../gateway/journal/journal.ts';
import { stateHash } from '../gateway/journal/state.ts';

const ER_TRADE = 6;

for (const snapshot of [false, true]) {
test(`a session resumes across a restart${snapshot ? ' from a snapshot' : ''}: numbers continue, missed reports come back by ResendRequest`, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mb-journal-session-'));
  const start = () => startServer({ config: defaultConfig(), journal: { dir, fsync: 'batch', snapshots: { every: 0 } } });
  const admin = async (url: string, path: string, token: string, method = 'GET'): Promise<Record<string, unknown>> =>
    (await fetch(`${url}/api/v1${path}`, { method, headers: { 'x-admin-token': token } })).json() as Promise<Record<string, unknown>>;
  const depthId = async (url: string): Promise<number> =>
    ((await (await fetch(`${url}/api/v1/depth/BTC-USD`)).json()) as { last_update_id: number }).last_update_id;
  const ordersReceived = async (url: string): Promise<string | undefined> =>
    /^makerbench_orders_received_total (\d+)/m.exec(await (await fetch(`${url}/metrics`)).text())?.[1];
  try {
    let s = await start();
    const a = await Raw.logon(s.url, 'demo-maker-1');
    a.send('new_order_single', { cl_ord_id: 'r1', symbol: 'BTC-USD', side: 1, ord_type: 2, price: 30_000, order_qty: 5 });
    await a.waitFor((e) => e.body === 'execution_report');
    a.send('heartbeat', {});
    const lastSeen = Math.max(...a.got.map((e) => e.msg_seq_num));
    a.ws.close();
    await a.closed();
    // while the maker is away its order trades: the fill report is numbered and stored in its session
    const b = await Raw.logon(s.url, 'demo-taker');
    b.send('new_order_single', { cl_ord_id: 'b1', symbol: 'BTC-USD', side: 2, ord_type: 2, price: 30_000, order_qty: 5 });
    await b.waitFor((e) => e.body === 'execution_report' && (e.execution_report as { exec_type: number }).exec_type === ER_TRADE);
    b.ws.close();
    const updateId = await depthId(s.url);
    assert.ok(updateId > 0);
    const received = await ordersReceived(s.url);
    let snapSeq = 0;
    if (snapshot) {
      const r = await admin(s.url, '/admin/journal/snapshot', s.adminToken, 'POST');
      snapSeq = r.seq as number;
      assert.match(r.file as string, /^\d{16}\.snapshot$/);
    }
    const live = await admin(s.url, '/admin/journal', s.adminToken);
    const sessions = s.trade.snapshotPart().save() as { account: number; nextIn: number; nextOut: number; stored: [string, string][] }[];
    await s.close();
    // a timer tick may journal a record between the GET above and the close: count to the journal's real end
    const closedSeq = replayInto(dir).scan.lastSeq;
    assert.ok(closedSeq >= (live.seq as number));

    s = await start();
    if (snapshot) {
      assert.equal(s.recovery?.snapshot?.seq, snapSeq, 'loaded the snapshot');
      assert.equal(s.recovery?.records, closedSeq - snapSeq, 'replayed only the records after it');
    } else assert.ok((s.recovery?.records ?? 0) > 0);
    // restored = live: the state hash (books, orders, accounts, keys, positions, cash, fees, obligations, rules) at
    // the last record before the restart (a full replay to it), and the sessions' numbers and stores
    assert.equal(stateHash(replayInto(dir, { untilSeq: live.seq as number }).exchange), live.state_hash);
    // (the restart's first tick may have sent an obligation status since: the saved messages are a prefix)
    const after = s.trade.snapshotPart().save() as typeof sessions;
    assert.equal(after.length, sessions.length);
    sessions.forEach((b, i) => {
      const a = after[i];
      assert.deepEqual([a.account, a.nextIn], [b.account, b.nextIn]);
      assert.equal(a.nextOut - a.stored.length, b.nextOut - b.stored.length, 'the same oldest stored number');
      // a full replay stores the reports again with the replay's sending time; a snapshot keeps the very frames
      assert.deepEqual(a.stored.slice(0, b.stored.length).map((m) => (snapshot ? m : m[0])), b.stored.map((m) => (snapshot ? m : m[0])));
    });
    await new Promise<void>((r) => s.exchange.whenDurable(r));
    assert.equal(stateHash(s.exchange), stateHash(replayInto(dir).exchange), 'restored + the restart\'s own records = a full replay');
    assert.equal(await depthId(s.url), updateId, 'market-data update ids go on from where they were');
    assert.equal(await ordersReceived(s.url), received, 'the exchange\'s counters too');
    const a2 = await Raw.open(s.url);
    a2.send('logon', { api_key: 'demo-maker-1' }, 4); // logon 1, order 2, heartbeat 3: the server expects 4
    const logon = await a2.waitFor((e) => e.body === 'logon' || e.body === 'logout' || e.body === 'reject');
    assert.equal(logon.body, 'logon');
    assert.equal((logon.logon as { next_expected_msg_seq_num: number }).next_expected_msg_seq_num, 5);
    assert.ok(!a2.got.some((e) => e.body === 'resend_request'), 'no gap in what the server received');
    a2.send('resend_request', { begin_seq_no: lastSeen + 1, end_seq_no: 0 }, 5);
    const fill = await a2.waitFor((e) => e.body === 'execution_report' && e.poss_dup === true);
    assert.equal((fill.execution_report as { exec_type: number; cl_ord_id: string }).exec_type, ER_TRADE);
    assert.equal((fill.execution_report as { cl_ord_id: string }).cl_ord_id, 'r1');
    assert.equal(fill.msg_seq_num, lastSeen + 1);
    assert.ok(logon.msg_seq_num > fill.msg_seq_num, 'the new Logon is numbered after what was sent before the restart');
    a2.ws.close();
    await s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
}

test('a journaled exchange keeps its id epoch across restarts: ids go on where they stopped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mb-journal-epoch-'));
  try {
    const first = await startServer({ config: defaultConfig(), journal: { dir, fsync: 'off' }, idEpoch: 4096 });
    const next = first.exchange.engine.nextOrderIdPreview();
    await first.close();
    const again = await startServer({ config: defaultConfig(), journal: { dir, fsync: 'off' }, idEpoch: 8192 });
    assert.equal(again.exchange.idEpoch, 4096);
    assert.equal(again.exchange.engine.nextOrderIdPreview(), next);
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
