// MiFID II RTS 9 order-to-trade ratio: hand-computed counts and volumes, the
// min_orders gate, exact ceilings, flag vs reject mode, the UTC day rollover
// and independence across accounts and instruments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OtrCounters, OTR_UNBOUNDED } from '../engine/rules/otr.ts';
import type { OtrConfig } from '../engine/rules/config.ts';
import { ConfigError } from '../engine/instrument.ts';
import { RejectReason } from '../engine/types.ts';

const DAY = 86_400_000_000;
const D = 19_675 * DAY; // 2023-11-14T00:00:00Z in µs
const T = D + 9 * 3600 * 1_000_000;

function orders(o: OtrCounters, account: number, instrument: number, qtys: number[], now = T): void {
  for (const q of qtys) o.countOrder(account, instrument, q, now);
}

test('RTS 9 by count and by volume: 10 adds, 5 amends, 5 cancels, 4 trades', () => {
  const o = new OtrCounters({ max_count_ratio: 10, max_volume_ratio: 10, min_orders: 1 });
  orders(o, 1, 0, Array(10).fill(10)); // adds: 100
  orders(o, 1, 0, Array(5).fill(8)); // amends, to 8: 40
  orders(o, 1, 0, Array(5).fill(6)); // cancels of 6 left: 30
  for (let i = 0; i < 4; i++) o.countTrade(1, 0, 5, T);
  assert.deepEqual(o.view(1, 0, T), { orders: 20, orderVolume: 170, trades: 4, tradedVolume: 20, countRatio: 4, volumeRatio: 7.5 });
  const c = o.check(1, 0, T);
  assert.deepEqual({ ...c }, { reason: 0, flag: false, countRatioMilli: 4000, volumeRatioMilli: 7500, text: '' });
});

test('trades above orders give a negative ratio; no trade gives null in view and OTR_UNBOUNDED in check', () => {
  const o = new OtrCounters({ max_count_ratio: 1, min_orders: 1 });
  o.countOrder(1, 0, 9, T);
  for (let i = 0; i < 3; i++) o.countTrade(1, 0, 3, T);
  assert.deepEqual(o.view(1, 0, T), { orders: 1, orderVolume: 9, trades: 3, tradedVolume: 9, countRatio: 1 / 3 - 1, volumeRatio: 0 });
  assert.equal(o.check(1, 0, T).countRatioMilli, -667); // floor(−666.67)
  assert.equal(o.check(1, 0, T).volumeRatioMilli, 0);
  o.countOrder(2, 0, 1, T);
  assert.deepEqual(o.view(2, 0, T), { orders: 1, orderVolume: 1, trades: 0, tradedVolume: 0, countRatio: null, volumeRatio: null });
  assert.equal(o.check(2, 0, T).countRatioMilli, OTR_UNBOUNDED);
  assert.deepEqual(o.view(3, 0, T), { orders: 0, orderVolume: 0, trades: 0, tradedVolume: 0, countRatio: null, volumeRatio: null });
});

test('min_orders gate: with no trade the ratio is unbounded, exceeded once the gate is reached', () => {
  const o = new OtrCounters({ max_count_ratio: 3, mode: 'reject', min_orders: 20 });
  orders(o, 1, 0, Array(19).fill(1));
  assert.equal(o.check(1, 0, T).reason, 0);
  o.countOrder(1, 0, 1, T);
  const c = o.check(1, 0, T);
  assert.equal(c.reason, RejectReason.OTR_EXCEEDED);
  assert.equal(c.flag, true);
  assert.equal(c.text, 'order-to-trade ratio by count unbounded (no trades) above 3.000 (20 orders, 0 trades)');
  // The default gate is 100 orders.
  const d = new OtrCounters({ max_count_ratio: 3, mode: 'reject' });
  orders(d, 1, 0, Array(99).fill(1));
  assert.equal(d.check(1, 0, T).reason, 0);
  d.countOrder(1, 0, 1, T);
  assert.equal(d.check(1, 0, T).reason, RejectReason.OTR_EXCEEDED);
});

test('ceilings are exact: equal to the ceiling passes, one more order fails; decimals are exact', () => {
  const o = new OtrCounters({ max_count_ratio: 4, mode: 'reject', min_orders: 1 });
  orders(o, 1, 0, Array(20).fill(1));
  for (let i = 0; i < 4; i++) o.countTrade(1, 0, 1, T);
  assert.equal(o.check(1, 0, T).reason, 0); // (20 ÷ 4) − 1 = 4
  o.countOrder(1, 0, 1, T);
  assert.equal(o.check(1, 0, T).reason, RejectReason.OTR_EXCEEDED); // 4.25

  const dec = new OtrCounters({ max_count_ratio: 2.5, max_volume_ratio: 0.125, mode: 'reject', min_orders: 1 });
  orders(dec, 1, 0, [3, 3, 3, 3, 3, 3, 3]); // 7 orders, volume 21
  dec.countTrade(1, 0, 10, T);
  dec.countTrade(1, 0, 10, T); // 2 trades, volume 20: volume ratio 0.05
  assert.equal(dec.check(1, 0, T).reason, 0); // (7 ÷ 2) − 1 = 2.5
  dec.countTrade(1, 0, 1, T);
  orders(dec, 1, 0, [1, 1, 1]); // 10 orders ÷ 3 − 1 = 2.333…, volume 24 ÷ 21 − 1 = 0.1428…
  const c = dec.check(1, 0, T);
  assert.equal(c.reason, RejectReason.OTR_EXCEEDED);
  assert.equal(c.volumeRatioMilli, 142);
  assert.equal(c.countRatioMilli, 2333);
  assert.equal(c.text, 'order-to-trade ratio by volume 0.142 above 0.125 (24 ordered, 21 traded)');

  const vol = new OtrCounters({ max_volume_ratio: 0.125, mode: 'reject', min_orders: 1 });
  vol.countOrder(1, 0, 27, T);
  vol.countTrade(1, 0, 24, T);
  assert.equal(vol.check(1, 0, T).reason, 0); // 27 ÷ 24 − 1 = 0.125
  vol.countOrder(1, 0, 1, T);
  assert.equal(vol.check(1, 0, T).reason, RejectReason.OTR_EXCEEDED);
});

test('volumes past 2^53 / 1000 still compare exactly', () => {
  const o = new OtrCounters({ max_volume_ratio: 2, mode: 'reject', min_orders: 1 });
  o.countOrder(1, 0, 9e15, T);
  o.countTrade(1, 0, 3e15, T);
  assert.equal(o.check(1, 0, T).reason, 0); // exactly 2
  assert.equal(o.check(1, 0, T).volumeRatioMilli, 2000);
  o.countOrder(1, 0, 1, T);
  assert.equal(o.check(1, 0, T).reason, RejectReason.OTR_EXCEEDED);
});

test('flag mode passes every order but flags once per account, instrument and day; reject mode flags once too', () => {
  const cfg: OtrConfig = { max_count_ratio: 1, min_orders: 5 };
  const o = new OtrCounters(cfg);
  orders(o, 1, 0, Array(5).fill(1));
  const first = { ...o.check(1, 0, T) };
  assert.equal(first.reason, 0);
  assert.equal(first.flag, true);
  assert.equal(first.countRatioMilli, OTR_UNBOUNDED);
  const again = o.check(1, 0, T + 1);
  assert.equal(again.reason, 0);
  assert.equal(again.flag, false);
  assert.equal(again.text, ''); // still above the ceiling, but nothing to report
  // The next day starts clean, and can flag again.
  assert.deepEqual({ ...o.check(1, 0, D + DAY) }, { reason: 0, flag: false, countRatioMilli: 0, volumeRatioMilli: 0, text: '' });
  orders(o, 1, 0, Array(5).fill(1), D + DAY + 1);
  assert.equal(o.check(1, 0, D + DAY + 2).flag, true);

  const r2 = new OtrCounters({ ...cfg, mode: 'reject' });
  orders(r2, 1, 0, Array(5).fill(1));
  const a = { ...r2.check(1, 0, T) }; // the result object is reused: copy it
  const b = { ...r2.check(1, 0, T) };
  assert.deepEqual([a.reason, a.flag, b.reason, b.flag], [RejectReason.OTR_EXCEEDED, true, RejectReason.OTR_EXCEEDED, false]);
});

test('counters reset at the UTC day boundary, and old days are dropped', () => {
  const o = new OtrCounters({ max_count_ratio: 1, mode: 'reject', min_orders: 3 });
  const midnight = D + DAY;
  orders(o, 1, 0, [1, 1, 1], midnight - 1);
  orders(o, 2, 0, [1], midnight - 1);
  assert.equal(o.check(1, 0, midnight - 1).reason, RejectReason.OTR_EXCEEDED);
  assert.equal(o.size(), 2);
  assert.equal(o.check(1, 0, midnight).reason, 0);
  assert.equal(o.view(1, 0, midnight).orders, 0);
  assert.equal(o.size(), 0); // the first call of the new day drops yesterday
  orders(o, 1, 0, [1, 1], midnight);
  o.countTrade(1, 0, 1, midnight);
  assert.deepEqual(o.view(1, 0, midnight + DAY - 1), { orders: 2, orderVolume: 2, trades: 1, tradedVolume: 1, countRatio: 1, volumeRatio: 1 });
  assert.equal(o.view(1, 0, midnight + DAY).orders, 0);
});

test('accounts and instruments are independent', () => {
  const o = new OtrCounters({ max_count_ratio: 1, mode: 'reject', min_orders: 2 });
  orders(o, 1, 0, [1, 1, 1]);
  orders(o, 1, 1, [1, 1, 1]);
  o.countTrade(1, 1, 1, T);
  o.countTrade(1, 1, 1, T);
  orders(o, 2, 0, [1]);
  assert.equal(o.check(1, 0, T).reason, RejectReason.OTR_EXCEEDED);
  assert.equal(o.check(1, 1, T).reason, 0); // 3 ÷ 2 − 1 = 0.5
  assert.equal(o.check(2, 0, T).reason, 0); // below the gate
  assert.equal(o.check(2, 1, T).reason, 0); // nothing sent
  assert.equal(o.view(1, 1, T).trades, 2);
  assert.equal(o.view(2, 0, T).orders, 1);
});

test('without a config it only counts', () => {
  const o = new OtrCounters(undefined);
  orders(o, 1, 0, Array(500).fill(1));
  assert.deepEqual({ ...o.check(1, 0, T) }, { reason: 0, flag: false, countRatioMilli: OTR_UNBOUNDED, volumeRatioMilli: OTR_UNBOUNDED, text: '' });
  assert.equal(o.view(1, 0, T).orders, 500);
});

test('config errors name the field', () => {
  const bad = (cfg: unknown): string => {
    try {
      new OtrCounters(cfg as OtrConfig);
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      return e.field;
    }
    throw new Error('no error');
  };
  assert.equal(bad('x'), 'rules.otr');
  assert.equal(bad({ max_count_ratio: -1 }), 'rules.otr.max_count_ratio');
  assert.equal(bad({ max_count_ratio: 1.2345 }), 'rules.otr.max_count_ratio');
  assert.equal(bad({ max_count_ratio: '3' }), 'rules.otr.max_count_ratio');
  assert.equal(bad({ max_volume_ratio: Infinity }), 'rules.otr.max_volume_ratio');
  assert.equal(bad({ mode: 'block' }), 'rules.otr.mode');
  assert.equal(bad({ min_orders: 0 }), 'rules.otr.min_orders');
  assert.equal(bad({ min_orders: 2.5 }), 'rules.otr.min_orders');
  assert.doesNotThrow(() => new OtrCounters({ max_count_ratio: 0.001, max_volume_ratio: 1_000_000 }));
});
