// Order-entry sessions across a restart on the same journal: sequence numbers
// go on, and a ResendRequest gets the reports missed while the server was down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../gateway/server.ts';
import { defaultConfig } from '../gateway/config.ts';
import { Raw } from './gateway-raw-client.ts';

const ER_TRADE = 6;

test('a session resumes across a restart: numbers continue, missed reports come back by ResendRequest', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mb-journal-session-'));
  const start = () => startServer({ config: defaultConfig(), journal: { dir, fsync: 'batch' } });
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
    await s.close();

    s = await start();
    assert.ok((s.recovery?.records ?? 0) > 0);
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
