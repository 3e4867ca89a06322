// The ExchangeClient against a real server on a loopback port: two accounts
// trade and agree on fills, fees and positions (with REST too); a dropped
// connection recovers the reports it missed, each exactly once; orders die
// with a cancel-on-disconnect session; accounts cannot touch each other's
// orders; quotes, amends and mass cancels answer with their reports; a halt
// arrives as a SecurityStatus.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExchangeClient } from '../client/exchange-client.ts';
import { ClientError } from '../client/errors.ts';
import type { ExecutionReport } from '../client/reports.ts';
import { collect, waitFor, withServer } from './client-test-helpers.ts';

const SYM = 'BTC-USD';
const quick = { heartbeatMs: 1000, requestTimeoutMs: 3000, reconnect: { initialDelayMs: 50, jitter: 0 } };

test('two clients trade: fills, fees and positions agree on both sides and with REST', () => withServer(async (s) => {
  const alice = await ExchangeClient.connect(s.url, 'alice-key-1-0123456', quick);
  const bob = await ExchangeClient.connect(s.url, 'bob-key-01-01234567', quick);
  try {
    const inst = alice.instrument(SYM);
    assert.ok(inst);
    assert.equal(inst.cashScale, 7); // the engine's default for these limits; the fee strings below depend on it
    const aliceFills = collect(alice, 'fill');
    const bobFills = collect(bob, 'fill');

    const ack = await alice.placeOrder({ symbol: SYM, side: 'buy', price: '100000.0', qty: '1', postOnly: true });
    assert.deepEqual([ack.execType, ack.ordStatus, ack.price, ack.orderQty, ack.leavesQty], ['new', 'new', '100000.0', '1.0000', '1.0000']);

    // bob sells 0.4 at market: one trade, alice maker (1 bp rebate), bob taker (2 bp)
    const bobFill = waitFor(bob, 'fill');
    const aliceFill = waitFor(alice, 'fill');
    const bobAck = await bob.placeOrder({ symbol: SYM, side: 'sell', type: 'market', qty: '0.4' });
    assert.equal(bobAck.execType, 'new');
    const [taker] = await bobFill;
    const [maker] = await aliceFill;
    assert.equal(maker.tradeId, taker.tradeId);
    assert.deepEqual([maker.lastPx, maker.lastQty, maker.liquidity, maker.leavesQty, maker.ordStatus], ['100000.0', '0.4000', 'maker', '0.6000', 'partially_filled']);
    assert.deepEqual([taker.lastPx, taker.lastQty, taker.liquidity, taker.ordStatus, taker.side], ['100000.0', '0.4000', 'taker', 'filled', 'sell']);
    // notional 40000 USD: maker rebate 4 USD, taker fee 8 USD (domain.md §1 rates)
    assert.equal(maker.fee, '-4.0000000');
    assert.equal(taker.fee, '8.0000000');

    const [pa] = await alice.positions(SYM);
    const [pb] = await bob.positions(SYM);
    assert.deepEqual([pa.position, pa.rebatesReceived, pa.feesPaid, pa.cash], ['0.4000', '4.0000000', '0.0000000', '-39996.0000000']);
    assert.deepEqual([pb.position, pb.rebatesReceived, pb.feesPaid, pb.cash], ['-0.4000', '0.0000000', '8.0000000', '39992.0000000']);
    assert.equal(pa.volumeNotional, pb.volumeNotional);
    assert.equal(aliceFills.length, 1);
    assert.equal(bobFills.length, 1);

    // the REST view of each account says the same (money and position as decimal strings)
    for (const [key, p] of [['alice-key-1-0123456', pa], ['bob-key-01-01234567', pb]] as const) {
      const res = await fetch(`${s.url}/api/v1/account`, { headers: { 'x-api-key': key } });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { positions: Record<string, unknown>[] };
      const rest = body.positions.find((x) => x.symbol === SYM);
      assert.ok(rest);
      assert.equal(rest.position, p.position);
      assert.deepEqual([rest.fees_paid, rest.rebates_received, rest.cash, rest.realised_pnl], [p.feesPaid, p.rebatesReceived, p.cash, p.realisedPnl]);
    }
  } finally {
    await alice.close();
    await bob.close();
  }
}));

test('a dropped connection reconnects without a reset and replays the missed fill exactly once', () => withServer(async (s) => {
  // A slow first retry keeps alice away long enough for bob's trade to happen while she is gone.
  const alice = await ExchangeClient.connect(s.url, 'alice-key-1-0123456', { ...quick, reconnect: { initialDelayMs: 300, jitter: 0 } });
  const bob = await ExchangeClient.connect(s.url, 'bob-key-01-01234567', quick);
  try {
    const fills = collect(alice, 'fill');
    const order = await alice.placeOrder({ symbol: SYM, side: 'buy', price: '99990.0', qty: '0.5' });
    const seqBefore = alice.inboundSeq;
    const outBefore = alice.outboundSeq;

    const dropped = waitFor(alice, 'disconnect');
    alice.dropConnection();
    await dropped;
    assert.equal(alice.connected, false);
    await assert.rejects(alice.placeOrder({ symbol: SYM, side: 'buy', price: '1.0', qty: '1' }), (e: ClientError) => e.code === 'not_connected');

    const bobFill = waitFor(bob, 'fill');
    await bob.placeOrder({ symbol: SYM, side: 'sell', price: '99990.0', qty: '0.5' });
    const [taker] = await bobFill;

    const [info] = await waitFor(alice, 'reconnect', () => true, 3000);
    assert.equal(info.resendFrom, seqBefore + 1, 'asks for everything after the last message it processed');
    const [fill] = fills.length ? [fills[0]] : await waitFor(alice, 'fill');
    assert.equal(fill.tradeId, taker.tradeId);
    assert.equal(fill.orderId, order.orderId);
    assert.equal(fill.possDup, true, 'the fill was produced while alice was away: it comes as a replay');
    assert.ok(alice.outboundSeq > outBefore, 'outbound numbering continued (no reset)');

    // Everything again from 1: all of it is a duplicate now and must not be delivered twice.
    const dupsBefore = alice.stats.duplicatesDropped;
    alice.requestResend(1);
    await alice.positions(SYM); // answered after the replay, so the replay has been processed
    assert.equal(fills.length, 1);
    assert.ok(alice.stats.duplicatesDropped > dupsBefore);

    // the session is fully usable again
    const next = await alice.placeOrder({ symbol: SYM, side: 'buy', price: '99000.0', qty: '0.1' });
    assert.equal(next.execType, 'new');
  } finally {
    await alice.close();
    await bob.close();
  }
}));

test('reports the exchange no longer stores are gap-filled: the client skips them and carries on', () => withServer(async (s) => {
  const alice = await ExchangeClient.connect(s.url, 'alice-key-1-0123456', { ...quick, reconnect: { initialDelayMs: 300, jitter: 0 } });
  const bob = await ExchangeClient.connect(s.url, 'bob-key-01-01234567', quick);
  try {
    const fills = collect(alice, 'fill');
    await alice.placeOrder({ symbol: SYM, side: 'buy', price: '99990.0', qty: '0.5' });
    const dropped = waitFor(alice, 'disconnect');
    alice.dropConnection();
    await dropped;
    // three fills while away: 3 × (ExecutionReport + PositionReport), more than the store of 4 keeps
    for (let i = 0; i < 3; i++) {
      const filled = waitFor(bob, 'fill');
      await bob.placeOrder({ symbol: SYM, side: 'sell', price: '99990.0', qty: '0.1' });
      await filled;
    }
    await waitFor(alice, 'reconnect', () => true, 3000);
    const [p] = await alice.positions(SYM); // answered after the gap fill and the replay
    assert.equal(p.position, '0.3000', 'the position report tells the truth the skipped fills no longer can');
    assert.ok(fills.length >= 1 && fills.length < 3, `${fills.length} of 3 fills were still stored`);
    assert.ok(fills.every((f) => f.possDup));
    assert.equal(new Set(fills.map((f) => f.tradeId)).size, fills.length);
    const next = await alice.placeOrder({ symbol: SYM, side: 'buy', price: '99000.0', qty: '0.1' });
    assert.equal(next.execType, 'new');
  } finally {
    await alice.close();
    await bob.close();
  }
}, { limits: { resendStore: 4 } }));

test('a request in flight when the connection drops is answered after the reconnect or rejected as lost', () => withServer(async (s) => {
  const alice = await ExchangeClient.connect(s.url, 'alice-key-1-0123456', quick);
  try {
    const pending = alice.placeOrder({ symbol: SYM, side: 'buy', price: '99000.0', qty: '0.1' });
    alice.dropConnection(); // the order may or may not have left the machine: both ends are defined
    const outcome = await pending.then((r: ExecutionReport) => r.execType, (e: ClientError) => e.code);
    assert.ok(outcome === 'new' || outcome === 'lost', `settled as ${outcome}`);
  } finally {
    await alice.close();
  }
}));

test('cancel-on-disconnect: the exchange cancels the orders, and the CANCELED report is replayed on reconnect', () => withServer(async (s) => {
  const alice = await ExchangeClient.connect(s.url, 'alice-key-1-0123456', { ...quick, cancelOnDisconnect: true });
  try {
    const o = await alice.placeOrder({ symbol: SYM, side: 'sell', price: '101000.0', qty: '0.2' });
    const canceled = waitFor(alice, 'executionReport', (r) => r.orderId === o.orderId && r.execType === 'canceled', 3000);
    alice.dropConnection();
    const [r] = await canceled;
    assert.equal(r.cancelReason, 'disconnect');
    assert.equal(r.possDup, true);
    assert.deepEqual(s.exchange.engine.openOrders(Number(alice.accountId)), []);
  } finally {
    await alice.close();
  }
}));

test('a client cannot cancel or amend another account\'s order: OrderCancelReject, unknown order', () => withServer(async (s) => {
  const alice = await ExchangeClient.connect(s.url, 'alice-key-1-0123456', quick);
  const bob = await ExchangeClient.connect(s.url, 'bob-key-01-01234567', quick);
  try {
    const o = await alice.placeOrder({ symbol: SYM, side: 'buy', price: '95000.0', qty: '0.3', clOrdId: 'alice-1' });
    for (const ref of [o.orderId, 'alice-1']) {
      const r = await bob.cancel(ref, SYM);
      assert.equal(r.ok, false);
      if (!r.ok) assert.deepEqual([r.reject.rejectCode, r.reject.responseTo], ['unknown_order', 'cancel']);
    }
    const amend = await bob.amend({ symbol: SYM, order: o.orderId, price: '1.0', qty: '1' });
    assert.equal(amend.ok, false);
    if (!amend.ok) assert.deepEqual([amend.reject.rejectCode, amend.reject.responseTo], ['unknown_order', 'replace']);
    // still alice's and still live
    const mine = await alice.cancel('alice-1', SYM);
    assert.equal(mine.ok, true);
    if (mine.ok) assert.deepEqual([mine.report.execType, mine.report.orderId, mine.report.cancelReason], ['canceled', o.orderId, 'user']);
  } finally {
    await alice.close();
    await bob.close();
  }
}));

test('mass quote, amend, mass cancel and rejects come back as typed answers', () => withServer(async (s) => {
  const alice = await ExchangeClient.connect(s.url, 'alice-key-1-0123456', quick);
  try {
    const ack = await alice.massQuote({ symbol: SYM, bid: { price: '99999.0', qty: '0.01' }, ask: { price: '100001.0', qty: '0.01' } });
    assert.equal(ack.rejected, false);
    assert.ok(ack.bidOrderId > 0 && ack.offerOrderId > 0);
    const requote = await alice.massQuote({ symbol: SYM, bid: { price: '99998.0', qty: '0.02' } });
    assert.ok(requote.bidOrderId > 0);
    assert.equal(requote.offerOrderId, 0, 'a side left out is left empty');

    const o = await alice.placeOrder({ symbol: SYM, side: 'buy', price: '90000.0', qty: '0.5' });
    const amended = await alice.amend({ symbol: SYM, order: o.clOrdId, price: '90000.0', qty: '0.25' });
    assert.equal(amended.ok, true);
    if (amended.ok) assert.deepEqual([amended.report.execType, amended.report.orderQty, amended.report.origClOrdId], ['replaced', '0.2500', o.clOrdId]);

    const rejected = await alice.placeOrder({ symbol: SYM, side: 'sell', price: '90000.0', qty: '0.1', postOnly: true });
    assert.deepEqual([rejected.execType, rejected.rejectCode], ['rejected', 'post_only_would_take']);

    const mc = await alice.massCancel(SYM);
    assert.equal(mc.totalAffectedOrders, 2); // the requoted bid and the amended order
    assert.equal(mc.rejected, false);

    // arguments that cannot be sent exactly never leave the client
    await assert.rejects(alice.placeOrder({ symbol: SYM, side: 'buy', price: '100.05', qty: '1' }), (e: ClientError) => e.code === 'invalid_argument');
    await assert.rejects(alice.placeOrder({ symbol: 'NOPE', side: 'buy', price: '1', qty: '1' }), (e: ClientError) => e.code === 'unknown_symbol');
  } finally {
    await alice.close();
  }
}));

test('a wrong api key is refused at connect', () => withServer(async (s) => {
  await assert.rejects(ExchangeClient.connect(s.url, 'nobody-key', quick), (e: ClientError) => e.code === 'logon_refused' && /unknown api key/.test(e.message));
}));

test('a halt arrives as a securityStatus event; IOC orders are then rejected as halted, limit orders wait for the auction', () => withServer(async (s) => {
  const alice = await ExchangeClient.connect(s.url, 'alice-key-1-0123456', quick);
  try {
    assert.equal(alice.instrument(SYM)?.tradingPhase, 'continuous');
    const status = waitFor(alice, 'securityStatus');
    const res = await fetch(`${s.url}/api/v1/admin/instruments/${SYM}/halt`, { method: 'POST', headers: { 'x-admin-token': s.adminToken } });
    assert.equal(res.status, 200);
    const [st] = await status;
    assert.deepEqual([st.symbol, st.tradingPhase, st.cause, st.haltEndTime], [SYM, 'halted', 'admin', 0]);
    const r = await alice.placeOrder({ symbol: SYM, side: 'buy', price: '100.0', qty: '1', tif: 'ioc' });
    assert.deepEqual([r.execType, r.rejectCode, r.retryAfter], ['rejected', 'instrument_halted', 0]);
    const queued = await alice.placeOrder({ symbol: SYM, side: 'buy', price: '100.0', qty: '1' });
    assert.deepEqual([queued.execType, queued.ordStatus], ['new', 'new']);
  } finally {
    await alice.close();
  }
}));
