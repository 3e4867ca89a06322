// Ids are never reused across restarts: each run of the exchange starts its
// order, trade and exec ids above a per-boot epoch, so a bot's stale cancel
// of a pre-restart order cannot hit someone's new order; the Logon after a
// restart says so, and the SDK raises exchangeRestarted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../gateway/index.ts';
import { bootEpoch, IDS_PER_MS } from '../gateway/exchange.ts';
import { Engine } from '../engine/engine.ts';
import { ExchangeClient } from '../client/exchange-client.ts';
import type { ExchangeRestart } from '../client/order-entry-session.ts';
import { TEST_CONFIG, BTC } from './client-test-helpers.ts';
import { Raw } from './gateway-raw-client.ts';

const ALICE = 'alice-key-1-0123456';
const BOB = 'bob-key-01-01234567';
type Msg = Record<string, number | string | boolean>;

/** One run: alice rests a buy, bob takes part of it; returns the ids seen and the epoch. */
async function run(staleOrderId = 0): Promise<{ epoch: number; orderId: number; tradeId: number; execId: number; close(): Promise<void> }> {
  const s = await startServer({ config: structuredClone(TEST_CONFIG) });
  const a = await Raw.logon(s.url, ALICE);
  const b = await Raw.logon(s.url, BOB);
  a.send('new_order_single', { cl_ord_id: 'a1', symbol: 'BTC-USD', side: 1, ord_type: 2, price: 1_000_000, order_qty: 10 });
  const ack = await a.next<Msg>('execution_report');
  if (staleOrderId) {
    // alice's bot still holds her order id of the previous run: it names nothing now (with ids from 1 it named her new order)
    a.send('order_cancel_request', { cl_ord_id: 'stale', order_id: staleOrderId, symbol: 'BTC-USD' });
    assert.equal((await a.next<Msg>('order_cancel_reject')).cl_ord_id, 'stale');
  }
  b.send('new_order_single', { cl_ord_id: 'b1', symbol: 'BTC-USD', side: 2, ord_type: 1, order_qty: 4 });
  const fill = await b.next<Msg>('execution_report', (r) => r.exec_type === 6);
  const epoch = Number(a.of<Msg>('logon')[0].exchange_epoch);
  a.ws.close();
  b.ws.close();
  return { epoch, orderId: Number(ack.order_id), tradeId: Number(fill.trade_id), execId: Number(fill.exec_id), close: () => s.close() };
}

test('bootEpoch: later boots get higher epochs, safe integers until 2089, 4,096 ids per ms of uptime', () => {
  const t = Date.UTC(2026, 11, 2);
  assert.ok(bootEpoch(t + 1) > bootEpoch(t));
  assert.equal(bootEpoch(t + 1) - bootEpoch(t), IDS_PER_MS);
  assert.ok(Number.isSafeInteger(bootEpoch(Date.UTC(2089, 0, 1)) + IDS_PER_MS * 1000));
});

test('the engine counts ids on from its idEpoch and finds its orders by them', () => {
  const epoch = bootEpoch(Date.UTC(2088, 0, 1));
  const e = new Engine({ instruments: [BTC], idEpoch: epoch });
  const acct = e.addAccount({ name: 'a' }) as number;
  const ids: number[] = [];
  for (let i = 0; i < 5000; i++) {
    e.newOrder({ time: i + 1, account: acct, symbol: 'BTC-USD', side: 1, price: 100 + (i % 50), qty: 1 });
    ids.push(e.nextOrderIdPreview() - 1);
  }
  assert.equal(ids[0], epoch + 1);
  assert.ok(ids.every((id) => e.order(id)?.orderId === id));
  for (const id of ids.slice(0, 4500)) e.cancel({ time: 10_000, account: acct, symbol: 'BTC-USD', orderId: id });
  assert.equal(e.order(ids[0]), null);
  assert.equal(e.order(ids[4999])?.orderId, ids[4999]);
  assert.throws(() => new Engine({ instruments: [BTC], idEpoch: -1 }), /idEpoch/);
});

test('after a restart, order, trade and exec ids are all above the previous run\'s; a stale cancel names nothing', async () => {
  const first = await run();
  await first.close();
  await new Promise((r) => setTimeout(r, 5));
  const second = await run(first.orderId);
  try {
    assert.ok(second.epoch > first.epoch);
    assert.ok(second.orderId > first.orderId, `${second.orderId} > ${first.orderId}`);
    assert.ok(second.tradeId > first.tradeId);
    assert.ok(second.execId > first.execId);
    for (const id of [second.orderId, second.tradeId, second.execId]) assert.ok(Number.isSafeInteger(id));
  } finally {
    await second.close();
  }
});

test('Logon: exchange_restarted when the client\'s previous epoch differs; the SDK raises exchangeRestarted on reconnect', async () => {
  const s1 = await startServer({ config: structuredClone(TEST_CONFIG), port: 0 });
  const port = s1.port;
  const client = await ExchangeClient.connect(s1.url, ALICE, { heartbeatMs: 1000, requestTimeoutMs: 3000, reconnect: { initialDelayMs: 50, jitter: 0 } });
  const restarts: ExchangeRestart[] = [];
  client.on('exchangeRestarted', (info) => restarts.push(info));
  const firstEpoch = s1.exchange.idEpoch;
  // the same client reconnecting to the same run: no restart
  const raw = await Raw.open(s1.url);
  raw.send('logon', { api_key: BOB, reset_seq_num: true, exchange_epoch: firstEpoch });
  assert.equal((await raw.next<Msg>('logon')).exchange_restarted, false);
  raw.ws.close();
  await s1.close();
  await new Promise((r) => setTimeout(r, 20));
  const s2 = await startServer({ config: structuredClone(TEST_CONFIG), port });
  try {
    const deadline = Date.now() + 5000;
    while (restarts.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(restarts, [{ previousEpoch: firstEpoch, epoch: s2.exchange.idEpoch }]);
    const r2 = await Raw.open(s2.url);
    r2.send('logon', { api_key: BOB, reset_seq_num: true, exchange_epoch: firstEpoch });
    const answer = await r2.next<Msg>('logon');
    assert.deepEqual([answer.exchange_restarted, answer.exchange_epoch], [true, s2.exchange.idEpoch]);
    r2.ws.close();
  } finally {
    await client.close();
    await s2.close();
  }
});
