// The SDK's order-type helpers against a real server: an iceberg, a sliding
// post-only, a stop-limit reported 'triggered', a midpoint peg.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExchangeClient } from '../client/exchange-client.ts';
import type { ExecutionReport } from '../client/reports.ts';
import { collect, withServer } from './client-test-helpers.ts';

const SYM = 'BTC-USD';
const quick = { heartbeatMs: 1000, requestTimeoutMs: 3000, reconnect: { initialDelayMs: 50, jitter: 0 } };

async function until(reports: ExecutionReport[], pred: (r: ExecutionReport) => boolean): Promise<ExecutionReport> {
  for (let i = 0; i < 300; i++) {
    const hit = reports.find(pred);
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('report not received');
}

test('SDK: placeIceberg, placePostOnlySlide, placeStop (triggered), placeMidpointPeg', () => withServer(async (s) => {
  const alice = await ExchangeClient.connect(s.url, 'alice-key-1-0123456', quick);
  const bob = await ExchangeClient.connect(s.url, 'bob-key-01-01234567', quick);
  try {
    const ice = await alice.placeIceberg({ symbol: SYM, side: 'sell', price: '100000.0', qty: '1', displayQty: '0.1' });
    assert.deepEqual([ice.execType, ice.displayQty, ice.leavesQty, ice.ordType], ['new', '0.1000', '1.0000', 'limit']);

    // Deribit-style post_only: a bid at 100001.0 would take the 100000.0 offer; it rests at 99999.9 instead
    const po = await bob.placePostOnlySlide({ symbol: SYM, side: 'buy', price: '100001.0', qty: '0.5' });
    assert.deepEqual([po.execType, po.price, po.priceSlid], ['new', '99999.9', true]);

    const peg = await bob.placeMidpointPeg({ symbol: SYM, side: 'buy', qty: '0.2' });
    assert.deepEqual([peg.ordType, peg.price], ['midpoint_peg', '99999.9']); // mid 99999.95, a buy rounds down

    const aliceReports = collect(alice, 'executionReport');
    const stop = await alice.placeStop({ symbol: SYM, side: 'buy', stopPx: '100000.0', price: '100000.0', qty: '0.05' });
    assert.deepEqual([stop.ordType, stop.stopPx], ['stop_limit', '100000.0']);
    // bob lifts 0.1 of the iceberg at 100000.0: a trade at the stop price triggers alice's stop-limit
    await bob.placeOrder({ symbol: SYM, side: 'buy', price: '100000.0', qty: '0.1', tif: 'ioc' });
    const trig = await until(aliceReports, (r) => r.clOrdId === stop.clOrdId && r.execType === 'triggered');
    assert.equal(trig.ordType, 'stop_limit');
  } finally {
    await alice.close();
    await bob.close();
  }
}));
