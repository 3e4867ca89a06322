// Snapshots served from the kept encoding: a repeated snapshot of an
// unchanged book is not built again, a change deeper than the levels it shows
// keeps it, and whatever the order flow, the served bytes decode to exactly
// the snapshot a fresh build gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Exchange } from '../gateway/exchange.ts';
import { snapshot } from '../gateway/md-feed.ts';
import { SnapshotCache } from '../gateway/md-snapshot-cache.ts';
import { decodeEnvelope, numbered, sharedFrame } from '../gateway/wire.ts';
import { prng } from './prng.ts';
import { startServer } from '../gateway/index.ts';
import { marketDataHub } from '../gateway/md.ts';
import { Raw } from './gateway-raw-client.ts';

const SYMBOL = 'BTC-USD';
const CONFIG = {
  instruments: [{ symbol: SYMBOL, price_scale: 1, qty_scale: 4, tick_size: 1, lot: 1, min_qty: 1, max_qty: 1_000_000, max_price: 10_000_000, maker_fee_bp: -1, taker_fee_bp: 2 }],
  accounts: [{ name: 'maker', api_key: 'maker-key-0123456789' }, { name: 'taker', api_key: 'taker-key-0123456789' }],
};
const L2_L3_BBO = 1 | 2 | 8;

/** An exchange whose level events reach the cache, as the market-data hub forwards them. */
function setup(): { ex: Exchange; cache: SnapshotCache } {
  const ex = new Exchange(structuredClone(CONFIG));
  const cache = new SnapshotCache(ex, 16);
  ex.subscribeMarket({
    level: (e) => cache.level(e.symbol, e.side, e.price), trade: () => {}, order: () => {}, phase: (e) => cache.forget(e.symbol),
    auction: (symbol) => cache.forget(symbol), commit: () => {},
  });
  return { ex, cache };
}

const order = (ex: Exchange, side: number, price: number, qty = 1, account = 1): void =>
  void ex.newOrder({ account, symbol: SYMBOL, side, ordType: 1, tif: 1, price, qty } as never);

/** The snapshot a served frame carries, as a client decodes it. */
function served(cache: SnapshotCache, id: string, mask: number, depth: number, orders: number): unknown {
  const d = decodeEnvelope(numbered(1, cache.frame(SYMBOL, id, mask, depth, orders)));
  assert.ok(d.ok);
  return d.env.market_data_snapshot_full_refresh;
}

/** A fresh build encoded the plain way (protobufjs, whole message), through the same decoder. */
function fresh(ex: Exchange, id: string, mask: number, depth: number, orders: number): unknown {
  const d = decodeEnvelope(numbered(1, sharedFrame('market_data_snapshot_full_refresh', snapshot(ex, SYMBOL, id, mask, depth, orders))));
  assert.ok(d.ok);
  return d.env.market_data_snapshot_full_refresh;
}

test('a repeated snapshot of an unchanged book is encoded once; a change deeper than it shows keeps it; one inside it rebuilds', () => {
  const { ex, cache } = setup();
  for (let i = 0; i < 200; i++) order(ex, i % 2 === 0 ? 1 : 2, i % 2 === 0 ? 500_000 - i : 500_100 + i);
  const a = served(cache, 'a', L2_L3_BBO, 10, 10) as { md_req_id: string; last_update_id: number; bids: { price: number }[] };
  served(cache, 'b', L2_L3_BBO, 10, 10);
  assert.deepEqual(cache.stats, { hits: 1, builds: 1 });
  assert.equal(a.md_req_id, 'a');
  assert.equal(a.bids.length, 10);
  // an order far below the 10 bid levels shown: same body, new update id
  order(ex, 1, 400_000);
  const c = served(cache, 'c', L2_L3_BBO, 10, 10) as { md_req_id: string; last_update_id: number };
  assert.deepEqual(cache.stats, { hits: 2, builds: 1 });
  assert.equal(c.last_update_id, a.last_update_id + 1);
  assert.deepEqual(c, fresh(ex, 'c', L2_L3_BBO, 10, 10));
  // one at the worst level shown changes it (its count and L3 orders)
  order(ex, 1, a.bids[9].price);
  assert.deepEqual(served(cache, 'd', L2_L3_BBO, 10, 10), fresh(ex, 'd', L2_L3_BBO, 10, 10));
  assert.equal(cache.stats.builds, 2);
  // another depth is another entry
  served(cache, 'e', L2_L3_BBO, 5, 10);
  assert.equal(cache.stats.builds, 3);
});

test('served snapshots always equal a fresh build, whatever the order flow (random, seeded)', () => {
  const { ex, cache } = setup();
  const r = prng(18);
  const masks = [1, 2, 8, 1 | 8, L2_L3_BBO, 2 | 8];
  for (let step = 0; step < 2000; step++) {
    const side = r() < 0.5 ? 1 : 2;
    const roll = r();
    // resting orders around 500,000 (some cross and trade), IOCs, cancels
    // some far from the touch, below the levels a snapshot shows (the kept encoding survives those)
    if (roll < 0.5) order(ex, side, side === 1 ? 400_000 - Math.floor(r() * 50) : 600_000 + Math.floor(r() * 50), 1, 1 + Math.floor(r() * 2));
    else if (roll < 0.65) order(ex, side, side === 1 ? 499_999 - Math.floor(r() * 30) : 500_001 + Math.floor(r() * 30), 1 + Math.floor(r() * 3), 1 + Math.floor(r() * 2));
    else if (roll < 0.7) order(ex, side, 500_000 + Math.floor((r() - 0.5) * 20), 1 + Math.floor(r() * 3), 1 + Math.floor(r() * 2));
    else if (roll < 0.75) void ex.newOrder({ account: 2, symbol: SYMBOL, side, ordType: 2, tif: 3, qty: 1 + Math.floor(r() * 6) } as never);
    else {
      const open = ex.engine.openOrders(1 + Math.floor(r() * 2));
      const o = open[Math.floor(r() * open.length)];
      if (o) ex.cancel({ account: o.account, symbol: SYMBOL, orderId: o.orderId } as never);
    }
    // mostly the same request (as a looping client asks), sometimes another
    const usual = r() < 0.8;
    const mask = usual ? L2_L3_BBO : masks[Math.floor(r() * masks.length)];
    const depth = usual ? 5 : 1 + Math.floor(r() * 12);
    const orders = usual ? 10 : 1 + Math.floor(r() * 30);
    {
      assert.deepEqual(served(cache, `s${step}`, mask, depth, orders), fresh(ex, `s${step}`, mask, depth, orders), `step ${step}`);
    }
  }
  assert.ok(cache.stats.hits > 200, `${cache.stats.hits} hits, ${cache.stats.builds} builds`);
});

test('kept encodings per symbol are bounded (mdSnapshotCacheEntries): the oldest goes first', () => {
  const ex = new Exchange(structuredClone(CONFIG));
  const cache = new SnapshotCache(ex, 2);
  for (let i = 0; i < 20; i++) order(ex, i % 2 === 0 ? 1 : 2, i % 2 === 0 ? 500_000 - i : 500_100 + i);
  for (const depth of [1, 2, 3]) served(cache, 'x', L2_L3_BBO, depth, 10);
  served(cache, 'x', L2_L3_BBO, 3, 10);
  served(cache, 'x', L2_L3_BBO, 2, 10);
  assert.deepEqual(cache.stats, { hits: 2, builds: 3 });
  served(cache, 'x', L2_L3_BBO, 1, 10); // forgotten: built again
  assert.deepEqual(cache.stats, { hits: 2, builds: 4 });
});

test('a large snapshot served over /ws/md (kept body written as it is, after its own head) decodes to exactly a fresh build', async () => {
  // caps raised so the snapshot is the whole 40,000-order book (~0.9 MB, a 64-bit frame length)
  const s = await startServer({ config: structuredClone(CONFIG), limits: { mdSnapshotLevels: 20_000, mdSnapshotOrders: 40_000 } });
  try {
    for (let i = 0; i < 40_000; i++) order(s.exchange, i % 2 === 0 ? 1 : 2, i % 2 === 0 ? 500_000 - 1 - Math.floor(i / 2) : 500_000 + 1 + Math.floor(i / 2));
    const m = await Raw.open(s.url, '/ws/md');
    // built, then from the kept encoding (an unchanged book); a small message between and after them
    m.send('market_data_request', { md_req_id: 'big1', symbol: SYMBOL, subscription: 1, market_depth: 0, channels: [1, 2, 4] });
    m.send('test_request', { test_req_id: 't1' });
    m.send('market_data_request', { md_req_id: 'big2', symbol: SYMBOL, subscription: 1, market_depth: 0, channels: [1, 2, 4] });
    m.send('test_request', { test_req_id: 't2' });
    await m.next('heartbeat', (h: { test_req_id: string }) => h.test_req_id === 't2', 10_000);
    assert.deepEqual(m.got.map((e) => e.body), ['market_data_snapshot_full_refresh', 'heartbeat', 'market_data_snapshot_full_refresh', 'heartbeat']);
    assert.deepEqual(m.got.map((e) => e.msg_seq_num), [1, 2, 3, 4]);
    const snaps = m.of<{ orders: unknown[]; bids: unknown[] }>('market_data_snapshot_full_refresh');
    assert.equal(snaps[0].orders.length, 40_000);
    assert.equal(snaps[0].bids.length, 20_000);
    for (const [i, id] of ['big1', 'big2'].entries()) assert.deepEqual(snaps[i], fresh(s.exchange, id, L2_L3_BBO, 20_000, 40_000));
    assert.deepEqual(marketDataHub(s.exchange)?.cache.stats, { hits: 1, builds: 1 });
    m.ws.close();
  } finally {
    await s.close();
  }
});
