// Maker programmes through the engine: members' quotes measured from their
// real orders command by command, halts exempt, stress, grace after a fill,
// live status events, window reports and the claw-back settlement — exact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.ts';
import { RecordingSink, type ObligationEvent } from '../engine/events.ts';
import type { InstrumentConfig } from '../engine/instrument.ts';
import type { ProgrammeConfig } from '../engine/obligations/config.ts';
import { feeFor } from '../engine/money.ts';
import { Side, TradingPhase } from '../engine/types.ts';

const S = 1_000_000;
const MIN = 60 * S;
const DAY = 20_000 * 86_400 * S; // a UTC midnight

const X: InstrumentConfig = {
  symbol: 'X', price_scale: 0, qty_scale: 0, tick_size: 1, lot: 1, min_qty: 1, max_qty: 1000, max_price: 100_000,
  maker_fee_bp: -1, taker_fee_bp: 2,
};

function setup(programme: Partial<ProgrammeConfig> = {}, obligation: Record<string, unknown> = {}): { e: Engine; sink: RecordingSink } {
  const sink = new RecordingSink();
  const programmes: ProgrammeConfig[] = [{
    name: 'mm', members: ['m1', 'm2'], status_interval_ms: 3_600_000,
    instruments: { X: { max_spread_ticks: 4, min_size_qty: 10, presence_pct: 90, ...obligation } as never },
    ...programme,
  }];
  const e = new Engine({ instruments: [X], sink, programmes });
  for (const name of ['m1', 'm2', 'taker']) e.addAccount({ name });
  return { e, sink };
}

const quote = (e: Engine, t: number, account: number, bid: number, ask: number, size = 10) =>
  e.massQuote({ time: t, account, symbol: 'X', bidPx: bid, bidSize: size, offerPx: ask, offerSize: size });
const view = (e: Engine, account: number) => e.obligationViews({ account })[0].current;
const statuses = (sink: RecordingSink, account: number): ObligationEvent[] =>
  sink.events.filter((x): x is { type: 'obligation' } & ObligationEvent => x.type === 'obligation' && x.account === account && x.status !== null);

test('quotes present 54 of 60 minutes → 90.000 %; a 6-minute halt is out of the denominator', () => {
  const { e } = setup();
  const t0 = DAY + 10 * 60 * MIN;
  quote(e, t0, 1, 100, 104);
  e.quoteCancel({ time: t0 + 54 * MIN, account: 1, symbol: 'X' });
  e.advanceTime(t0 + 60 * MIN);
  let v = view(e, 1);
  assert.deepEqual([v.measuredUs, v.compliantUs, v.presencePct, v.passed], [60 * MIN, 54 * MIN, '90.000', true]);
  // the next hour: quoted throughout, but halted for 6 minutes of it
  quote(e, t0 + 60 * MIN, 1, 100, 104);
  e.setPhase({ time: t0 + 70 * MIN, symbol: 'X', phase: TradingPhase.HALTED });
  e.setPhase({ time: t0 + 76 * MIN, symbol: 'X', phase: TradingPhase.CONTINUOUS });
  e.advanceTime(t0 + 120 * MIN);
  v = view(e, 1);
  // the halt cancelled the quote (halt_cancels_quotes): 10 min quoted, 6 exempt, 44 unquoted
  assert.deepEqual([v.measuredUs, v.compliantUs, v.exemptUs], [114 * MIN, 64 * MIN, 6 * MIN]);
});

test('spread: exactly at the limit is compliant, one tick wider is not; min size on one side only fails', () => {
  const { e, sink } = setup();
  const t0 = DAY + S;
  quote(e, t0, 1, 100, 104);
  assert.equal(statuses(sink, 1).at(-1)?.status?.reasonName, 'NONE');
  quote(e, t0 + S, 1, 100, 105);
  assert.equal(statuses(sink, 1).at(-1)?.status?.reasonName, 'TOO_WIDE');
  e.massQuote({ time: t0 + 2 * S, account: 1, symbol: 'X', bidPx: 100, bidSize: 9, offerPx: 104, offerSize: 10 });
  assert.equal(statuses(sink, 1).at(-1)?.status?.reasonName, 'BID_TOO_SMALL');
  e.advanceTime(t0 + 3 * S);
  const v = view(e, 1);
  assert.deepEqual([v.measuredUs, v.compliantUs], [3 * S, 1 * S]);
  assert.deepEqual(v.breaches.map((b) => [b.startUs - t0, b.endUs - t0, b.reason]), [[S, 2 * S, 3], [2 * S, 3 * S, 4]]);
  assert.equal(view(e, 2).compliantUs, 0, 'the other member is measured independently');
});

test('the stress multiplier applies only while stressed', () => {
  const { e } = setup({}, { stressed: { spread_multiplier: 2 } });
  const t0 = DAY + S;
  quote(e, t0, 1, 100, 106); // 6 ticks: too wide normally, fine under ×2 (8)
  e.setStress({ time: t0 + 10 * S, symbol: 'X', on: true });
  e.setStress({ time: t0 + 30 * S, symbol: 'X', on: false });
  e.advanceTime(t0 + 40 * S);
  assert.equal(view(e, 1).compliantUs, 20 * S);
});

test('grace after a fill: the side taken out is not a breach for grace_ms', () => {
  const { e } = setup({}, { grace_ms: 2000 });
  const t0 = DAY + S;
  quote(e, t0, 1, 100, 104);
  e.newOrder({ time: t0 + S, account: 3, symbol: 'X', side: Side.SELL, price: 100, qty: 10, tif: 2 });
  e.advanceTime(t0 + 10 * S);
  const v = view(e, 1);
  // compliant 1 s quoted + 2 s grace; then NO_BID
  assert.equal(v.compliantUs, 3 * S);
  assert.deepEqual(v.breaches.map((b) => [b.startUs - t0, b.reason]), [[3 * S, 1]]);
});

test('a failed day claws back the enhanced rebate, exactly, into the account and the venue', () => {
  const { e, sink } = setup({ incentives: { enhanced_maker_fee_bp: -3 } });
  const t0 = DAY + 12 * 60 * MIN;
  quote(e, t0, 1, 1000, 1004, 100);
  e.newOrder({ time: t0 + S, account: 3, symbol: 'X', side: Side.SELL, price: 1000, qty: 7, tif: 2 });
  const [fill] = sink.fills();
  // notional 7 × 1000 = 7000 USD = 7e9 cash units (cash_scale 6); −3 bp = −2.1 USD instead of −1 bp = −0.7 USD
  assert.equal(fill.makerFee, -2_100_000, 'the member earns the enhanced −3 bp');
  const enhancement = feeFor(7e9, -100) - feeFor(7e9, -300);
  assert.equal(enhancement, 1_400_000, '2 bp of 7000 USD = 1.4 USD');
  const cashBefore = e.accountView(1)?.positions[0].cash ?? 0n;
  e.quoteCancel({ time: t0 + 2 * S, account: 1, symbol: 'X' });
  e.advanceTime(DAY + 86_400 * S + 1); // the day ends: 2 s quoted out of 12 h → failed
  const report = sink.events.find((x) => x.type === 'obligation' && x.report !== null) as ObligationEvent | undefined;
  assert.equal(report?.report?.passed, false);
  const [settlement] = e.settlements(1);
  assert.deepEqual([settlement.kind, settlement.amount, settlement.window], ['clawback', enhancement, '2024-10-04']);
  assert.equal(e.accountView(1)?.positions[0].cash, cashBefore - BigInt(enhancement));
  assert.equal(e.settlements(2).length, 0, 'm2 never traded: nothing to claw back');
});

test('maker-share tiers: each member\'s share of the hour\'s volume sets its maker fee for the next hour', () => {
  const { e, sink } = setup({ incentives: { maker_share_tiers: [{ min_share_bp: 2000, maker_fee_bp: -2 }, { min_share_bp: 5000, maker_fee_bp: -3 }] } }, { window: 'hour' });
  const t0 = DAY + 10 * 60 * MIN;
  quote(e, t0, 1, 100, 104, 10);
  quote(e, t0, 2, 99, 105, 10);
  e.newOrder({ time: t0 + S, account: 3, symbol: 'X', side: Side.SELL, price: 100, qty: 6, tif: 2 }); // m1 makes 6 @ 100 = 600
  e.newOrder({ time: t0 + 2 * S, account: 3, symbol: 'X', side: Side.BUY, price: 105, qty: 15, tif: 2 }); // m1 10 @ 104 = 1040, m2 5 @ 105 = 525
  e.advanceTime(t0 + 60 * MIN);
  // shares of 2165: m1 1640 = 75.75 % → −3 bp; m2 525 = 24.25 % → −2 bp
  const tier = (acct: number) => e.settlements(acct).find((x) => x.kind === 'tier');
  assert.deepEqual([tier(1)?.makerRate, tier(2)?.makerRate], [-300, -200]);
  assert.match(tier(1)?.text ?? '', /maker share 75\.7505 %/);
  // the next fill of m1 as maker pays the new rate
  quote(e, t0 + 61 * MIN, 1, 100, 104, 10);
  e.newOrder({ time: t0 + 61 * MIN + 1, account: 3, symbol: 'X', side: Side.SELL, price: 100, qty: 1, tif: 2 });
  assert.equal(sink.fills().at(-1)?.makerFee, feeFor(100 * 1_000_000, -300));
});

// Self-trades are no volume for fee tiers or maker share (Binance VIP and LP
// programmes; domain.md §4 "Self-trades count for no volume tier or maker share").
test('maker-share tiers: a self-trade counts neither in the member\'s maker volume nor in the total', () => {
  const { e, sink } = setup({ incentives: { maker_share_tiers: [{ min_share_bp: 2000, maker_fee_bp: -2 }, { min_share_bp: 5000, maker_fee_bp: -3 }] } }, { window: 'hour' });
  const t0 = DAY + 10 * 60 * MIN;
  quote(e, t0, 1, 100, 104, 10);
  quote(e, t0, 2, 99, 105, 10);
  e.newOrder({ time: t0 + S, account: 3, symbol: 'X', side: Side.SELL, price: 100, qty: 6, tif: 2 }); // m1 makes 600
  e.newOrder({ time: t0 + 2 * S, account: 1, symbol: 'X', side: Side.BUY, price: 104, qty: 10, tif: 2 }); // m1 with itself: 1040, no STP
  e.newOrder({ time: t0 + 3 * S, account: 3, symbol: 'X', side: Side.BUY, price: 105, qty: 5, tif: 2 }); // m2 makes 525
  assert.equal(sink.fills().length, 3, 'the self-trade executed');
  e.advanceTime(t0 + 60 * MIN);
  // of 1125: m1 600 = 53.33 % → −3 bp; m2 525 = 46.67 % → −2 bp (with the wash trade m1 would have 75.75 %)
  const tier = (acct: number) => e.settlements(acct).find((x) => x.kind === 'tier');
  assert.deepEqual([tier(1)?.makerRate, tier(2)?.makerRate], [-300, -200]);
  assert.match(tier(1)?.text ?? '', /maker share 53\.3333 %/);
  assert.match(tier(2)?.text ?? '', /maker share 46\.6666 %/);
});
