// Obligation measures beyond presence, through the engine and exact:
// - MiFID II RTS 8 (Delegated Regulation (EU) 2017/578), Art. 2(1)(b): firm,
//   simultaneous two-way quotes "of comparable size"; Cboe Europe's RTS 8
//   programme defines comparable size as bids and offers "not diverging more
//   than 50 % from each other" — the smaller side at least 50 % of the larger;
// - NYSE Rule 104(a)(1)(A): a DMM unit keeps a bid or an offer at the inside
//   (the national best bid or offer) an average of at least 10 % of the
//   trading day for a stock with an ADV of 1 million shares or more (15 %
//   below that), averaged over the bid and the offer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.ts';
import { RecordingSink, type ObligationEvent } from '../engine/events.ts';
import type { InstrumentConfig } from '../engine/instrument.ts';
import type { ProgrammeConfig } from '../engine/obligations/config.ts';
import { ConfigError } from '../engine/instrument.ts';
import { Side } from '../engine/types.ts';

const S = 1_000_000;
const MIN = 60 * S;
const DAY = 20_000 * 86_400 * S;

const X: InstrumentConfig = {
  symbol: 'X', price_scale: 0, qty_scale: 0, tick_size: 1, lot: 1, min_qty: 1, max_qty: 100_000, max_price: 100_000, maker_fee_bp: 0, taker_fee_bp: 0,
};

function setup(obligation: Record<string, unknown>): { e: Engine; sink: RecordingSink } {
  const sink = new RecordingSink();
  const programmes: ProgrammeConfig[] = [{
    name: 'mm', members: ['m1'], status_interval_ms: 3_600_000,
    instruments: { X: { max_spread_ticks: 10, min_size_qty: 100, presence_pct: 50, ...obligation } as never },
  }];
  const e = new Engine({ instruments: [X], sink, programmes });
  for (const name of ['m1', 'other']) e.addAccount({ name });
  return { e, sink };
}

const statuses = (sink: RecordingSink): ObligationEvent[] =>
  sink.events.filter((x): x is { type: 'obligation' } & ObligationEvent => x.type === 'obligation' && x.account === 1 && x.status !== null);
const view = (e: Engine) => e.obligationViews({ account: 1 })[0].current;

test('RTS 8 comparable size: a 100 × 10,000 quote fails (NOT_COMPARABLE_SIZE); 100 × 200 (exactly 50 %) passes, 100 × 201 fails', () => {
  const { e, sink } = setup({ comparable_size_pct: 50 });
  const t0 = DAY + 9 * 60 * MIN;
  const q = (t: number, bid: number, ask: number): void => {
    e.massQuote({ time: t, account: 1, symbol: 'X', bidPx: 100, bidSize: bid, offerPx: 102, offerSize: ask });
  };
  q(t0, 100, 10_000);
  const st = statuses(sink).at(-1)?.status;
  assert.deepEqual([st?.compliant, st?.reasonName], [false, 'NOT_COMPARABLE_SIZE']);
  q(t0 + 10 * S, 100, 200);
  assert.deepEqual([statuses(sink).at(-1)?.status?.reasonName], ['NONE']);
  q(t0 + 30 * S, 201, 100);
  assert.equal(statuses(sink).at(-1)?.status?.reasonName, 'NOT_COMPARABLE_SIZE', 'either side may be the larger');
  e.advanceTime(t0 + 40 * S);
  const v = view(e);
  assert.deepEqual([v.measuredUs, v.compliantUs, v.presencePct], [40 * S, 20 * S, '50.000']);
  assert.deepEqual(v.breaches.map((b) => [b.startUs - t0, b.endUs - t0, b.reason]), [[0, 10 * S, 10], [30 * S, 40 * S, 10]]);
  // without the test the same quote is compliant
  const plain = setup({});
  plain.e.massQuote({ time: t0, account: 1, symbol: 'X', bidPx: 100, bidSize: 100, offerPx: 102, offerSize: 10_000 });
  assert.equal(statuses(plain.sink).at(-1)?.status?.reasonName, 'NONE');
});

test('RTS 8: the size checks come first (BID_TOO_SMALL before NOT_COMPARABLE_SIZE)', () => {
  const { e, sink } = setup({ comparable_size_pct: 50 });
  e.massQuote({ time: DAY + S, account: 1, symbol: 'X', bidPx: 100, bidSize: 99, offerPx: 102, offerSize: 10_000 });
  assert.equal(statuses(sink).at(-1)?.status?.reasonName, 'BID_TOO_SMALL');
});

test('time at the best (NYSE DMM): µs at the best bid and best ask, averaged; the window needs time_at_best_pct too', () => {
  const { e, sink } = setup({ time_at_best_pct: 10, window: 'hour' });
  const t0 = DAY + 10 * 60 * MIN; // 10:00 UTC
  // m1 quotes 100 / 110 all hour (compliant: spread 10 ticks, 100 a side)
  e.massQuote({ time: t0, account: 1, symbol: 'X', bidPx: 100, bidSize: 100, offerPx: 110, offerSize: 100 });
  // another account improves the bid to 101 after 3 minutes, and the ask to 109 after 6
  const bid = e.newOrder({ time: t0 + 3 * MIN, account: 2, symbol: 'X', side: Side.BUY, price: 101, qty: 1 });
  e.newOrder({ time: t0 + 6 * MIN, account: 2, symbol: 'X', side: Side.SELL, price: 109, qty: 1 });
  // the better bid is cancelled at 9 minutes: m1 is back at the best bid
  e.cancel({ time: t0 + 9 * MIN, account: 2, symbol: 'X', orderId: bid });
  e.advanceTime(t0 + 12 * MIN);
  let v = view(e);
  // at the bid: [0, 3) and [9, 12) = 6 min; at the ask: [0, 6) = 6 min; (6 + 6) / (2 × 12) = 50 %
  assert.deepEqual([v.atBidUs, v.atAskUs, v.timeAtBestPpm, v.timeAtBestPct, v.requiredTimeAtBestPct], [6 * MIN, 6 * MIN, 500_000, '50.000', '10.000']);
  const st = statuses(sink).at(-1)?.status;
  assert.equal(st?.requiredTimeAtBestPct, '10.000');
  // the rest of the hour m1 is at the best on neither side: 6 + 6 over 2 × 60 min = exactly 10 % → passes
  e.newOrder({ time: t0 + 12 * MIN, account: 2, symbol: 'X', side: Side.BUY, price: 105, qty: 1 });
  e.advanceTime(t0 + 60 * MIN);
  let r = e.obligationViews({ account: 1 })[0].reports[0];
  assert.deepEqual([r.presencePct, r.timeAtBestPpm, r.timeAtBestPct, r.passed], ['100.000', 100_000, '10.000', true]);
  // the next hour: at the best on neither side at all: presence 100 % but time at the best 0 → fails
  e.advanceTime(t0 + 120 * MIN);
  r = e.obligationViews({ account: 1 })[0].reports[1];
  assert.deepEqual([r.presencePct, r.atBidUs, r.atAskUs, r.timeAtBestPct, r.passed], ['100.000', 0, 0, '0.000', false]);
  v = view(e);
  assert.equal(v.requiredTimeAtBestPct, '10.000');
});

test('without time_at_best_pct the figures are still measured but do not decide; config errors name the field', () => {
  const { e } = setup({});
  e.massQuote({ time: DAY + S, account: 1, symbol: 'X', bidPx: 100, bidSize: 100, offerPx: 102, offerSize: 100 });
  e.advanceTime(DAY + 2 * S);
  const v = view(e);
  assert.deepEqual([v.atBidUs, v.requiredTimeAtBestPct, v.passed], [0, null, true], 'the book top is not watched without the requirement');
  const bad = (o: Record<string, unknown>, msg: RegExp): void => {
    assert.throws(() => setup(o), (err: unknown) => err instanceof ConfigError && msg.test(err.message));
  };
  bad({ comparable_size_pct: 0 }, /programmes\[0\]\.instruments\.X\.comparable_size_pct: must be an integer in \[1, 100\]/);
  bad({ time_at_best_pct: 101 }, /programmes\[0\]\.instruments\.X\.time_at_best_pct: must be a number in \[0.001, 100\]/);
});
