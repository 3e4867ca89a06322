// On-close orders end to end on the us-equity profile (a real server on port 0, virtual clock):
// REST and the SDK place MOC / LOC / IO orders, a late cancel is refused AUCTION_CUTOFF, the
// imbalance appears on GET /instruments and on market data, and the closing cross fills them.
// Source: Nasdaq Rule 4754 and Equity Trader Alert 2019-20 (see test/venue-us-crosses.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../gateway/index.ts';
import { profileConfig } from '../gateway/profiles.ts';
import { ExchangeClient, MarketDataClient, type AuctionInfo } from '../client/index.ts';
import { ExchangeClock } from '../sim/clock.ts';

const ADMIN = 'crosses-admin-token';
/** 2026-07-15 15:40 New York (EDT) */
const T0 = Date.parse('2026-07-15T15:40:00-04:00') * 1000;
type Json = Record<string, unknown>;

async function call(s: RunningServer, method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; body: Json }> {
  const headers: Record<string, string> = key ? { 'x-api-key': key } : { 'x-admin-token': ADMIN };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(s.url + '/api/v1' + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, body: await r.json() as Json };
}

test('MOC, LOC and IO over REST and the SDK: imbalance at 15:50, a refused late cancel, the closing cross at 16:00', async () => {
  const s = await startServer({ config: profileConfig('us-equity'), adminToken: ADMIN, exchangeClock: new ExchangeClock({ mode: 'virtual', startUs: T0 }) });
  const client = new ExchangeClient(s.url, 'demo-maker-2');
  const md = new MarketDataClient(s.url, 'AAPL');
  try {
    const ask = await call(s, 'POST', '/orders', { cl_ord_id: 'ask', symbol: 'AAPL', side: 'SELL', price: '190.10', order_qty: '100' }, 'demo-maker-1');
    assert.equal(ask.status, 200, JSON.stringify(ask.body));
    const moc = await call(s, 'POST', '/orders', {
      cl_ord_id: 'moc', symbol: 'AAPL', side: 'BUY', ord_type: 'MARKET', time_in_force: 'AT_THE_CLOSE', order_qty: '300',
    }, 'demo-taker');
    assert.equal(moc.status, 200, JSON.stringify(moc.body));
    const er = (moc.body.execution_reports as Json[])[0];
    assert.deepEqual([moc.body.ord_status, er.exec_type, er.time_in_force, er.ord_type], ['NEW', 'NEW', 'AT_THE_CLOSE', 'MARKET']);
    await client.connect();
    const io = await client.placeOrder({ symbol: 'AAPL', side: 'sell', price: '190.00', qty: '500', tif: 'at_the_close', imbalanceOnly: true, clOrdId: 'io' });
    assert.equal(io.execType, 'new');
    const open = await call(s, 'GET', '/orders', undefined, 'demo-maker-2');
    assert.deepEqual((open.body.orders as Json[]).map((o) => [o.cl_ord_id, o.time_in_force, o.imbalance_only]), [['io', 'AT_THE_CLOSE', true]]);

    const auctions: AuctionInfo[] = [];
    md.on('auction', (a) => auctions.push(a));
    await md.connect();
    assert.equal((await call(s, 'POST', '/admin/clock', { action: 'jump', to: '15:50' })).status, 200);
    for (let i = 0; i < 200 && auctions.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    // MOC 300 against 100 offered at 190.10: a buy imbalance of 200, which the IO sell (at no less
    // than the 190.10 offer) offsets
    const inst = ((await call(s, 'GET', '/instruments')).body as unknown as Json[]).find((i) => i.symbol === 'AAPL') as Json;
    assert.deepEqual(inst.auction, {
      trading_phase: 6, price: '190.10', qty: '300', surplus_qty: '0', surplus_side: null, final: false, far_price: '190.10',
      reference_price: '190.00', collar_low: '171.09', collar_high: '209.11', extensions: 0, extended_until: 0,
    });
    assert.deepEqual([auctions[0].tradingPhase, auctions[0].price, auctions[0].qty, auctions[0].surplusQty, auctions[0].farPrice], ['closing_auction', 190_10, 300, 0, 190_10]);

    await call(s, 'POST', '/admin/clock', { action: 'jump', to: '15:56' });
    const late = await call(s, 'DELETE', '/orders/by-cl-ord-id/moc?symbol=AAPL', undefined, 'demo-taker');
    assert.deepEqual([late.status, late.body.code, late.body.message], [400, 'AUCTION_CUTOFF', 'on-close orders cannot be cancelled or amended from 15:55:00 local time']);

    await call(s, 'POST', '/admin/clock', { action: 'jump', to: '16:00:01' });
    const fills = s.exchange.trades('AAPL').map((t) => [t.price, t.qty, t.auction]);
    assert.deepEqual(fills, [[190_10, 100, true], [190_10, 200, true]]);
  } finally {
    await client.close();
    await md.close();
    await s.close();
  }
});

// Source: Nasdaq shows a cross's interest only through its Net Order Imbalance Indicator (Rule 4754;
// nasdaqtrader.com "Opening and Closing Crosses"): the us-equity profile's call_book 'indicative'.
test('call_book indicative: the crossed call book is not streamed, only the indication; the book catches up at the uncross', async () => {
  const s = await startServer({
    config: profileConfig('us-equity'), adminToken: ADMIN,
    exchangeClock: new ExchangeClock({ mode: 'virtual', startUs: Date.parse('2026-07-15T15:59:00-04:00') * 1000 }),
  });
  const md = new MarketDataClient(s.url, 'AAPL');
  const late = new MarketDataClient(s.url, 'AAPL');
  try {
    const order = (key: string, id: string, side: string, price: string, qty: string) =>
      call(s, 'POST', '/orders', { cl_ord_id: id, symbol: 'AAPL', side, price, order_qty: qty }, key);
    await order('demo-maker-1', 'b1', 'BUY', '189.90', '100');
    await order('demo-maker-2', 'a1', 'SELL', '190.10', '100');
    const auctions: AuctionInfo[] = [];
    md.on('auction', (a) => auctions.push(a));
    await md.connect();
    await call(s, 'POST', '/admin/clock', { action: 'jump', to: '16:00' });
    assert.equal(s.exchange.engine.phaseOf('AAPL'), 5, 'CLOSING_AUCTION');
    // a bid through the offer rests in the call: the book would be crossed
    await order('demo-taker', 't1', 'BUY', '190.20', '60');
    for (let i = 0; i < 200 && auctions.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual([auctions[0].price, auctions[0].qty], [190_10, 60], 'the indication is published');
    const levels = (c: MarketDataClient) => [c.book.bids().map((l) => [l.price, l.qty]), c.book.asks().map((l) => [l.price, l.qty])];
    assert.deepEqual(levels(md), [[[189_90, 100]], [[190_10, 100]]], 'the 190.20 bid is not shown');
    await late.connect();
    assert.deepEqual(levels(late), [[[189_90, 100]], [[190_10, 100]]], 'nor to a subscriber joining during the call');
    await call(s, 'POST', '/admin/clock', { action: 'jump', to: '16:00:01' });
    for (let i = 0; i < 200 && md.book.asks()[0]?.qty !== 40; i++) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(levels(md), [[[189_90, 100]], [[190_10, 40]]], 'after the cross: 60 crossed at 190.10');
    assert.deepEqual(levels(late), [[[189_90, 100]], [[190_10, 40]]]);
  } finally {
    await md.close();
    await late.close();
    await s.close();
  }
});
