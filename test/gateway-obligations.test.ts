// The maker programme at the gateway, over real sockets: programme
// configuration and its errors, the REST definitions, report and own
// obligations, the admin stress switch, and end to end: the example naive
// quoter runs in-process as two members against the exchange, and each one's
// last ObligationStatus agrees exactly with the REST report and its CSV
// export. Time is the server's clock shifted (and, to compare at one instant
// or to end a window, frozen and moved) by a test clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../gateway/index.ts';
import { Clock, wallClockUs, type ExchangeConfig } from '../gateway/exchange.ts';
import { DEFAULT_CONFIG, defaultConfig, loadConfig, validateConfig } from '../gateway/config.ts';
import {
  CSV_COLUMNS, Outcome, WireMeasurement, WireSettlementKind, WireWindow, obligationReport, obligationStatus, settledBy,
} from '../gateway/obligations.ts';
import { decodeEnvelope, encodeEnvelope, enumValues } from '../gateway/wire.ts';
import { Engine } from '../engine/engine.ts';
import { RecordingSink, type ObligationEvent } from '../engine/events.ts';
import { Side } from '../engine/types.ts';
import { toObligationReport, toObligationStatus } from '../client/reports.ts';
import { Instrument as ClientInstrument } from '../client/instrument.ts';
import type { WireObligationReport, WireObligationStatus, WireSecurity } from '../client/protocol.ts';
import { securityList } from '../gateway/reference.ts';
import { Breach } from '../engine/obligations/types.ts';
import type { ObligationConfig, ProgrammeConfig } from '../engine/obligations/config.ts';
import { feeFor } from '../engine/money.ts';
import { ExchangeClient, fromUnits, type ObligationStatus } from '../client/index.ts';
import { BotRuntime, obligationText } from '../client/bots/bot-runtime.ts';
import { naiveStrategy } from '../client/bots/naive-quoter.ts';
import { TEST_CONFIG, collect, sleep, waitFor, withoutEffectiveTime } from './client-test-helpers.ts';

const ADMIN = 'obligations-admin-token';
const HOUR = 3_600_000_000;
const BTC = 'BTC-USD';
const ALICE = 'alice-key-1-0123456';
const BOB = 'bob-key-01-01234567';
const CAROL = 'carol-key-1-0123456';

/** BTC-USD (tick 0.1 USD, lot 0.0001 BTC): at most 4 ticks wide, 0.0100 BTC a side, half the time of each UTC hour. */
const OBLIGATION: ObligationConfig = { max_spread_ticks: 4, min_size_qty: 100, presence_pct: 50, window: 'hour', stressed: { spread_multiplier: 2 } };
const PROGRAMME: ProgrammeConfig = {
  name: 'mm', members: ['alice', 'bob'], status_interval_ms: 100, instruments: { [BTC]: OBLIGATION }, incentives: { enhanced_maker_fee_bp: -3 },
};

const config = (programmes: unknown = [PROGRAMME]): ExchangeConfig => ({ ...structuredClone(TEST_CONFIG), programmes: structuredClone(programmes) as ProgrammeConfig[] });

/**
 * The server's time: the wall clock shifted so the server starts 10 s into a
 * UTC hour (the whole test runs inside that hour); freeze() stops it, set()
 * moves it (never backwards: the exchange's clock is monotonic).
 */
class TestTime {
  private readonly offset: number;
  private frozen: number | null = null;
  readonly clock: Clock;

  constructor() {
    const now = wallClockUs();
    this.offset = (Math.floor(now / HOUR) + 1) * HOUR + 10_000_000 - now;
    this.clock = new Clock(() => this.frozen ?? wallClockUs() + this.offset);
  }

  freeze(): number {
    this.frozen = this.clock.now();
    return this.frozen;
  }

  set(t: number): void {
    this.frozen = t;
  }
}

async function withServer(cfg: ExchangeConfig, fn: (s: RunningServer, time: TestTime) => Promise<void>): Promise<void> {
  const time = new TestTime();
  const s = await startServer({ config: cfg, adminToken: ADMIN, clock: time.clock });
  try { await fn(s, time); } finally { await s.close(); }
}

type Json = Record<string, unknown>;

async function call(s: RunningServer, method: string, path: string, c: { key?: string; admin?: string; body?: unknown } = {}): Promise<{ status: number; body: Json; text: string; type: string }> {
  const headers: Record<string, string> = {};
  if (c.key) headers['x-api-key'] = c.key;
  if (c.admin) headers['x-admin-token'] = c.admin;
  if (c.body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(`${s.url}/api/v1${path}`, { method, headers, body: c.body === undefined ? undefined : JSON.stringify(c.body) });
  const text = await r.text();
  const type = r.headers.get('content-type') ?? '';
  return { status: r.status, body: type.includes('json') && text ? withoutEffectiveTime(method, path, r.status, JSON.parse(text) as Json) : {}, text, type };
}

const report = async (s: RunningServer, auth: { key?: string; admin?: string } = { admin: ADMIN }): Promise<Json[]> => {
  const r = await call(s, 'GET', '/programmes/mm/report', auth);
  assert.equal(r.status, 200, r.text);
  return r.body.windows as Json[];
};
const rowOf = (rows: Json[], account: string, final = false): Json => {
  const row = rows.find((r) => r.account === account && r.final === final);
  assert.ok(row, `a ${final ? 'closed' : 'current'} window of ${account}`);
  return row;
};

/** Polls until `pred` holds (bots act on their own schedule). */
async function until(pred: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** RFC 4180, enough for the export: quoted fields, doubled quotes, CRLF line ends. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false; else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  return rows;
}

/**
 * A status at time t and the report of the same window at a later instant
 * (row.at), with the member's compliance unchanged in between: every figure
 * moves by exactly the time elapsed, or not at all.
 */
function assertAgrees(row: Json, st: ObligationStatus, state: { compliant: boolean; twoSided: boolean }): void {
  const dt = (row.at as number) - st.transactTime;
  assert.ok(dt >= 0, 'the report is not older than the status');
  assert.deepEqual([row.label, row.start, row.end], [st.windowLabel, st.windowStart, st.windowEnd]);
  assert.equal(row.measured_us, st.measuredUs + dt);
  assert.equal(row.compliant_us, st.compliantUs + (state.compliant ? dt : 0));
  assert.equal(row.two_sided_us, st.twoSidedUs + (state.twoSided ? dt : 0));
  assert.equal(row.exempt_us, st.exemptUs);
  assert.equal(row.required_pct, st.requiredPct);
  assert.equal(row.presence_ppm, Number((BigInt(row.compliant_us as number) * 1_000_000n) / BigInt(row.measured_us as number)));
  if (dt === 0) assert.deepEqual([row.presence_ppm, row.presence_pct], [st.presencePpm, st.presencePct]);
}

test('wire enums: ObligationReason numbers are the engine\'s breach codes; windows, measurements, outcomes and settlements as the .proto', () => {
  const reason = enumValues('ObligationReason');
  for (const [name, code] of Object.entries(Breach)) assert.equal(reason[`OBLIGATION_REASON_${name}`], code, name);
  const check = (protoEnum: string, prefix: string, values: Record<string, number>): void => {
    const proto = enumValues(protoEnum);
    for (const [name, v] of Object.entries(values)) assert.equal(proto[prefix + name.toUpperCase()], v, `${protoEnum} ${name}`);
  };
  check('ObligationWindow', 'OBLIGATION_WINDOW_', WireWindow);
  check('ObligationMeasurement', 'OBLIGATION_MEASUREMENT_', WireMeasurement);
  check('ObligationOutcome', 'OBLIGATION_OUTCOME_', Outcome);
  check('SettlementKind', 'SETTLEMENT_KIND_', WireSettlementKind);
});

test('translation: engine views → ObligationStatus / ObligationReport → protobuf → the SDK\'s typed events (snapshot mode, claw-back)', () => {
  const sink = new RecordingSink();
  const S = 1_000_000;
  const day = 20_000 * 86_400 * S; // a UTC midnight: 2024-10-04
  const e = new Engine({
    instruments: [structuredClone(TEST_CONFIG.instruments[0])], sink,
    programmes: [{
      name: 'snap', members: ['m'], status_interval_ms: 3_600_000, incentives: { enhanced_maker_fee_bp: -3 },
      instruments: { [BTC]: { ...OBLIGATION, window: 'day', measurement: { snapshot_s: 10, pass_pct: 75 } } },
    }],
  });
  e.addAccount({ name: 'm' });
  e.addAccount({ name: 't' });
  e.massQuote({ time: day + 5 * S, account: 1, symbol: BTC, bidPx: 999_999, bidSize: 100, offerPx: 1_000_001, offerSize: 100 });
  e.newOrder({ time: day + 15 * S, account: 2, symbol: BTC, side: Side.BUY, price: 1_000_001, qty: 100, tif: 3 }); // takes the ask: NO_ASK
  e.advanceTime(day + 86_400 * S + 1); // the day ends: 1 of 8,640 snapshots passed
  const events = sink.events.filter((x): x is { type: 'obligation' } & ObligationEvent => x.type === 'obligation');
  const statusEvent = events.filter((x) => x.status !== null).find((x) => x.status?.reasonName === 'NO_ASK') as ObligationEvent;
  const reportEvent = events.find((x) => x.report !== null) as ObligationEvent;

  // through the wire and into the SDK
  const roundTrip = (body: string, msg: Record<string, unknown>): unknown => {
    const d = decodeEnvelope(encodeEnvelope({ msg_seq_num: 7, sending_time_us: 1, [body]: msg }));
    assert.ok(d.ok);
    return d.env[body];
  };
  const wire = obligationStatus('snap', statusEvent.status!);
  const st = toObligationStatus(roundTrip('obligation_status', wire) as WireObligationStatus, { seq: 7, possDup: false });
  assert.deepEqual(
    [st.programme, st.symbol, st.transactTime, st.compliant, st.reason, st.text, st.measured, st.measurement, st.window, st.windowLabel],
    ['snap', BTC, day + 15 * S, false, 'no_ask', 'no ask', true, 'snapshot', 'day', '2024-10-04'],
  );
  assert.deepEqual([st.windowStart, st.windowEnd, st.remainingUs, st.breachStart, st.neededUs], [day, day + 86_400 * S, 86_385 * S, day + 15 * S, null]);
  // the meter started at 5 s: one snapshot so far (10 s, quoted: passed); 20 s … 86,390 s are left, 75 % of all 8,639 needed
  assert.deepEqual(st.snapshots, { taken: 1, passed: 1, skipped: 0, remaining: 8638, needed: 6479, passPct: '100.000', requiredPct: '75.000' });
  assert.deepEqual([st.measuredUs, st.compliantUs, st.presencePct, st.passingNow, st.cannotPass], [10 * S, 10 * S, '100.000', 'pass', false]);
  assert.equal(obligationText(st), 'snap no_ask snapshots 100.000/75.000 %');

  const settled = settledBy(e.settlements(1), 'snap', reportEvent.time, reportEvent.report!);
  const inst = new ClientInstrument(securityList({ engine: e } as never)[0] as unknown as WireSecurity);
  const r = toObligationReport(roundTrip('obligation_report', obligationReport('snap', reportEvent.time, reportEvent.report!, settled)) as WireObligationReport,
    inst, { seq: 8, possDup: false });
  const enhancement = feeFor(1_000_001 * 100 * 100, -100) - feeFor(1_000_001 * 100 * 100, -300);
  assert.deepEqual([r.outcome, r.windowLabel, r.transactTime, r.snapshots?.taken, r.snapshots?.passed, r.snapshots?.passPct], ['fail', '2024-10-04', day + 86_400 * S + 1, 8639, 1, '0.011']);
  assert.deepEqual([r.avgSpread, r.avgBidQty, r.avgAskQty, r.breachCount], ['0.2', '0.0100', '0.0100', 1]);
  assert.deepEqual(r.settlements.map((x) => [x.kind, x.amount, x.makerFeeBp]), [['clawback', fromUnits(enhancement, 7), -3]]);
});

test('needed_us is always the need: beyond remaining_us once the window cannot pass (with cannot_pass)', () => {
  const sink = new RecordingSink();
  const S = 1_000_000;
  const hour = 20_000 * 86_400 * S; // a UTC hour start
  const e = new Engine({
    instruments: [structuredClone(TEST_CONFIG.instruments[0])], sink,
    programmes: [{ name: 'p', members: ['m'], status_interval_ms: 60_000, instruments: { [BTC]: { ...OBLIGATION, presence_pct: 90 } } }],
  });
  e.addAccount({ name: 'm' });
  // quoted for 1 s, then nothing: after 10 % of the hour without a quote, 90 % can no longer be met
  e.massQuote({ time: hour, account: 1, symbol: BTC, bidPx: 999_999, bidSize: 100, offerPx: 1_000_001, offerSize: 100 });
  e.quoteCancel({ time: hour + S, account: 1, symbol: BTC });
  e.advanceTime(hour + 1200 * S);
  const last = sink.events.filter((x): x is { type: 'obligation' } & ObligationEvent => x.type === 'obligation' && x.status !== null).at(-1)!;
  const wire = obligationStatus('p', last.status!);
  assert.equal(wire.cannot_pass, true);
  // 90 % of 3,600 s = 3,240 s compliant; 1 s so far
  assert.equal(wire.needed_us, 3240 * S - S);
  assert.ok(wire.needed_us > wire.remaining_us);
});

test('programme configuration: the engine\'s checks with the path of the bad field; members must be accounts of the file', () => {
  const bad = (programmes: unknown, re: RegExp): void => assert.throws(() => validateConfig(config(programmes)), re);
  const at = (o: Json): ProgrammeConfig[] => [{ ...PROGRAMME, instruments: { [BTC]: { ...OBLIGATION, ...o } as ObligationConfig } }];
  bad(at({ max_sprad_ticks: 4 }), /^ConfigError: invalid config: programmes\[0\]\.instruments\.BTC-USD\.max_sprad_ticks: unknown field/);
  bad(at({ max_spread_bp: 5 }), /programmes\[0\]\.instruments\.BTC-USD\.max_spread_ticks: give max_spread_ticks or max_spread_bp, not both/);
  bad(at({ window: 'fortnight' }), /programmes\[0\]\.instruments\.BTC-USD\.window: must be one of 'hour', 'day', 'week', 'month'/);
  bad(at({ measurement: { snapshot_s: 10, pass_pct: 75, jitter: 1 } }), /programmes\[0\]\.instruments\.BTC-USD\.measurement\.jitter: unknown field/);
  bad([{ ...PROGRAMME, colour: 'red' }], /^ConfigError: invalid config: programmes\[0\]\.colour: unknown field/);
  bad([{ ...PROGRAMME, incentives: { enhanced_maker_fee_bp: -3, bonus: 1 } }], /programmes\[0\]\.incentives\.bonus: unknown field/);
  bad([{ ...PROGRAMME, members: ['alice', 'zed'] }], /^ConfigError: invalid config: programmes\[0\]\.members\[1\]: unknown account "zed"$/);
  bad([{ ...PROGRAMME, instruments: { 'DOGE-USD': OBLIGATION } }], /programmes\[0\]\.instruments\.DOGE-USD: unknown instrument "DOGE-USD"/);
  bad([PROGRAMME, { ...PROGRAMME, name: 'mm2' }], /programmes\[1\]\.members: "alice" already has an obligation on BTC-USD in programme "mm"/);
  bad({ mm: PROGRAMME }, /^ConfigError: invalid config: programmes: must be an array$/);
  assert.deepEqual(validateConfig(config()).programmes, [PROGRAMME]);

  // the default venue and both profiles come with a programme for the demo makers
  assert.deepEqual(DEFAULT_CONFIG.programmes?.map((p) => [p.name, p.members, Object.keys(p.instruments)]), [['btc-mm', ['maker-1', 'maker-2'], [BTC]]]);
  assert.deepEqual(validateConfig(defaultConfig()), DEFAULT_CONFIG);
  const [lp] = loadConfig(undefined, 'crypto-spot').programmes ?? [];
  assert.deepEqual([lp.name, lp.instruments[BTC].measurement, lp.instruments[BTC].depth_bp, lp.incentives?.maker_share_tiers?.length],
    ['spot-lp', { snapshot_s: 10, pass_pct: 75 }, 20, 2]);
  const [dmm] = loadConfig(undefined, 'us-equity').programmes ?? [];
  assert.deepEqual([dmm.name, dmm.members, Object.keys(dmm.instruments), dmm.instruments.AAPL.window], ['dmm', ['maker-1'], ['AAPL', 'MSFT', 'SPY'], 'month']);
  // NYSE Rule 104(a)(1)(A): at the inside an average of 10 % of the day (consolidated ADV ≥ 1 million shares)
  assert.equal(dmm.instruments.AAPL.time_at_best_pct, 10);
});

test('REST: definitions for everyone; the report is the admin\'s whole or a member\'s own rows; own obligations; the stress switch is admin', () => withServer(config(), async (s) => {
  const defs = await call(s, 'GET', '/programmes');
  assert.deepEqual(defs.body, [{
    name: 'mm', members: ['alice', 'bob'], status_interval_ms: 100,
    instruments: { [BTC]: { ...OBLIGATION, measurement: 'continuous' } },
    incentives: { enhanced_maker_fee_bp: -3, clawback_on_fail: true, maker_share_tiers: [] },
  }]);

  const codes = async (path: string, auth: { key?: string; admin?: string }): Promise<[number, unknown]> => {
    const r = await call(s, 'GET', path, auth);
    return [r.status, r.body.code];
  };
  assert.deepEqual(await codes('/programmes/mm/report', {}), [401, 'UNAUTHORIZED']);
  assert.deepEqual(await codes('/programmes/mm/report', { admin: 'wrong' }), [401, 'UNAUTHORIZED']);
  assert.deepEqual(await codes('/programmes/nope/report', { admin: ADMIN }), [404, 'UNKNOWN_PROGRAMME']);
  assert.deepEqual(await codes('/programmes/mm/report', { key: CAROL }), [403, 'NOT_A_MEMBER']);
  assert.deepEqual(await codes('/programmes/mm/report?format=xml', { admin: ADMIN }), [400, 'INVALID_REQUEST']);
  assert.deepEqual((await report(s)).map((r) => [r.account_id, r.account, r.symbol, r.window, r.final]), [['1', 'alice', BTC, 'hour', false], ['2', 'bob', BTC, 'hour', false]]);
  assert.deepEqual((await report(s, { key: BOB })).map((r) => r.account), ['bob']);

  // nothing quoted yet: measured from the server's start, no bid all along
  const own = await call(s, 'GET', '/obligations', { key: ALICE });
  const [ob] = own.body.obligations as Json[];
  const cur = ob.current as Json;
  assert.deepEqual([ob.programme, ob.symbol, cur.compliant_us, cur.passed, cur.presence_pct, (cur.breaches as Json[])[0].reason], ['mm', BTC, 0, false, '0.000', 'NO_BID']);
  const st = ob.status as Json;
  assert.deepEqual([st.compliant, st.reason, st.reason_name, st.text, st.window_label], [false, 1, 'NO_BID', 'no bid', cur.label]);
  assert.deepEqual((await call(s, 'GET', '/obligations', { key: CAROL })).body.obligations, []);
  const metrics = await (await fetch(`${s.url}/metrics`)).text();
  assert.match(metrics, /^makerbench_obligation_compliant\{programme="mm",account="alice",symbol="BTC-USD"\} 0$/m);
  assert.match(metrics, /^makerbench_obligation_presence_ppm\{programme="mm",account="bob",symbol="BTC-USD"\} 0$/m);

  const stress = (symbol: string, body: unknown, admin = ADMIN) => call(s, 'POST', `/admin/instruments/${symbol}/stress`, { admin, body });
  assert.equal((await stress(BTC, { on: true }, 'wrong')).status, 401);
  assert.deepEqual([(await stress('NOPE', { on: true })).body.code, (await stress(BTC, { on: 'yes' })).status], ['UNKNOWN_SYMBOL', 400]);
  const c = await ExchangeClient.connect(s.url, ALICE);
  try {
    const stressed = waitFor(c, 'obligationStatus', (o) => o.stressed);
    assert.deepEqual((await stress(BTC, { on: true })).body, { symbol: BTC, stressed: true });
    await stressed;
    const calm = waitFor(c, 'obligationStatus', (o) => !o.stressed);
    assert.deepEqual((await stress(BTC, { on: false })).body, { symbol: BTC, stressed: false });
    await calm;
  } finally {
    await c.close();
  }
}));

test('end to end: two naive quoters as members; each one\'s ObligationStatus agrees with the REST report, live and exactly; the CSV export matches the JSON', () => withServer(config(), async (s, time) => {
  const settings = (apiKey: string) => ({ url: s.url, apiKey, symbol: BTC, refPrice: '100000.0' });
  // alice quotes ±1 tick (2 wide: compliant), bob ±3 ticks (6 wide: TOO_WIDE against 4)
  const alice = await BotRuntime.start(settings(ALICE), naiveStrategy(1), { print: () => {} });
  const bob = await BotRuntime.start(settings(BOB), naiveStrategy(3), { print: () => {} });
  const aliceStatuses = collect(alice.client, 'obligationStatus');
  const bobStatuses = collect(bob.client, 'obligationStatus');
  try {
    await until(() => alice.obligation('mm')?.compliant === true, 'alice compliant');
    await until(() => bob.obligation('mm')?.reason === 'too_wide', 'bob too wide');
    assert.match(alice.statusLine(), /quotes 99999\.9 \/ 100000\.1 × 0\.0100 .*\| mm ok \d+\.\d{3}\/50\.000 %$/);
    assert.match(bob.statusLine(), /quotes 99999\.7 \/ 100000\.3 × 0\.0100 .*\| mm too_wide \d+\.\d{3}\/50\.000 %$/);

    // live: the next status of each, then the report — nothing changes in between but time
    const [a] = await waitFor(alice.client, 'obligationStatus');
    let rows = await report(s);
    assertAgrees(rowOf(rows, 'alice'), a, { compliant: true, twoSided: true });
    const [b] = await waitFor(bob.client, 'obligationStatus');
    rows = await report(s);
    assertAgrees(rowOf(rows, 'bob'), b, { compliant: false, twoSided: true });
    assert.deepEqual([b.compliant, b.text, b.measured, b.stressed, b.passingNow, b.window, b.measurement], [false, 'spread too wide', true, false, 'fail', 'hour', 'continuous']);
    assert.equal(rowOf(rows, 'bob').avg_spread, 6, 'bob quotes 6 ticks wide');

    // under stress the max spread doubles to 8 ticks: bob's 6 are within it
    const relief = waitFor(bob.client, 'obligationStatus', (o) => o.stressed);
    assert.equal((await call(s, 'POST', `/admin/instruments/${BTC}/stress`, { admin: ADMIN, body: { on: true } })).status, 200);
    const [stressed] = await relief;
    assert.deepEqual([stressed.compliant, stressed.reason], [true, 'none']);
    assert.match(obligationText(stressed), /^mm ok \d+\.\d{3}\/50\.000 % stressed$/);
    const back = waitFor(bob.client, 'obligationStatus', (o) => !o.stressed);
    await call(s, 'POST', `/admin/instruments/${BTC}/stress`, { admin: ADMIN, body: { on: false } });
    assert.equal((await back)[0].reason, 'too_wide');
  } finally {
    await alice.stop();
    await bob.stop();
  }

  // stopped: each bot's last status is the NO_BID of its own cancel; freeze time and compare exactly
  const lastA = aliceStatuses.at(-1) as ObligationStatus;
  const lastB = bobStatuses.at(-1) as ObligationStatus;
  assert.deepEqual([lastA.reason, lastB.reason], ['no_bid', 'no_bid']);
  const t = time.freeze();
  await sleep(150); // the server's ticks catch up with the frozen time
  const json = await call(s, 'GET', '/programmes/mm/report', { admin: ADMIN });
  assert.equal(json.body.time, t);
  const rows = json.body.windows as Json[];
  for (const [name, last] of [['alice', lastA], ['bob', lastB]] as const) {
    const row = rowOf(rows, name);
    assert.equal(row.at, t);
    assertAgrees(row, last, { compliant: false, twoSided: false });
    assert.deepEqual((row.breaches as Json[]).at(-1), { start: last.breachStart, end: t, reason: 'NO_BID' });
    assert.equal(row.breach_count, (row.breaches as Json[]).length);
  }
  assert.ok((rowOf(rows, 'bob').breaches as Json[]).some((br) => br.reason === 'TOO_WIDE'));
  // the member's own view at the same instant is the admin's row
  const own = await call(s, 'GET', '/obligations', { key: ALICE });
  assert.deepEqual((own.body.obligations as Json[])[0].current, rowOf(rows, 'alice'));

  // CSV: a header, then one line per member × instrument × window, the JSON's figures
  const csv = await call(s, 'GET', '/programmes/mm/report?format=csv', { admin: ADMIN });
  assert.equal(csv.status, 200);
  assert.match(csv.type, /^text\/csv/);
  const [header, ...lines] = parseCsv(csv.text);
  assert.deepEqual(header, CSV_COLUMNS);
  assert.equal(lines.length, rows.length);
  lines.forEach((line, i) => {
    const row = rows[i];
    header.forEach((col, j) => {
      const want = col === 'breaches'
        ? (row.breaches as Json[]).map((br) => `${br.reason} ${br.start}-${br.end}`).join(';')
        : row[col] === null ? '' : String(row[col]);
      assert.equal(line[j], want, `row ${i} ${col}`);
    });
  });
}));

test('a failed hour claws back the enhanced rebate: the ObligationReport tells the member, GET /account shows the settlement', () => withServer(config(), async (s, time) => {
  const alice = await ExchangeClient.connect(s.url, ALICE);
  const bob = await ExchangeClient.connect(s.url, BOB);
  try {
    const inst = s.exchange.instrument(BTC)!;
    await alice.massQuote({ symbol: BTC, bid: { price: '99999.9', qty: '0.0100' }, ask: { price: '100000.1', qty: '0.0100' } });
    const fill = waitFor(alice, 'fill');
    // carol buys 0.0040 BTC from alice's ask: alice earns the programme's −3 bp instead of the instrument's −1 bp
    const buy = await call(s, 'POST', '/orders', { key: CAROL, body: { cl_ord_id: 'c1', symbol: BTC, side: 1, ord_type: 2, time_in_force: 3, price: '100000.1', order_qty: '0.0040' } });
    assert.equal(buy.status, 200);
    const notional = 1_000_001 * 40 * inst.notionalMultiplier;
    const [f] = await fill;
    assert.equal(f.raw.fee, feeFor(notional, -300));
    const enhancement = feeFor(notional, inst.makerRate) - feeFor(notional, -300);
    assert.ok(enhancement > 0);
    await alice.quoteCancel(BTC);
    const cashBefore = s.exchange.engine.accountView(1)!.positions[0].cash;

    // end the hour: the next tick closes alice's window (a few seconds quoted of 50 % needed) and settles it
    const t = time.freeze();
    const end = (Math.floor(t / HOUR) + 1) * HOUR;
    const aliceReport = waitFor(alice, 'obligationReport');
    const bobReport = waitFor(bob, 'obligationReport');
    time.set(end + 1_000_000);
    const [r] = await aliceReport;
    assert.deepEqual([r.programme, r.symbol, r.window, r.windowEnd, r.transactTime, r.outcome], ['mm', BTC, 'hour', end, end + 1_000_000, 'fail']);
    assert.equal(r.settlements.length, 1);
    assert.deepEqual({ ...r.settlements[0], text: '' }, { kind: 'clawback', amount: fromUnits(enhancement, inst.cashScale), makerFeeBp: -3, text: '' });
    assert.match(r.settlements[0].text, /window failed \(presence \d+\.\d{3} % < 50\.000 %\): enhanced rebate paid back/);
    assert.deepEqual([(await bobReport)[0].outcome, (await bobReport)[0].settlements], ['fail', []], 'bob never traded: nothing to pay back');

    // the account: the claw-back in its ledger and its cash
    const acct = await call(s, 'GET', '/account', { key: ALICE });
    assert.deepEqual(acct.body.settlements, [{
      time: end + 1_000_000, programme: 'mm', symbol: BTC, window: r.windowLabel, kind: 'clawback',
      amount: fromUnits(enhancement, inst.cashScale), maker_fee_bp: -3, text: r.settlements[0].text,
    }]);
    assert.equal(s.exchange.engine.accountView(1)!.positions[0].cash, cashBefore - BigInt(enhancement));
    assert.deepEqual((await call(s, 'GET', '/account', { key: BOB })).body.settlements, []);
    assert.match(await (await fetch(`${s.url}/metrics`)).text(), /^makerbench_obligation_reports_total\{programme="mm",symbol="BTC-USD",outcome="FAIL"\} 2$/m);

    // the report: the closed hour (its figures are the ObligationReport's) and the new one
    const rows = await report(s);
    const closed = rowOf(rows, 'alice', true);
    assert.deepEqual(
      [closed.label, closed.end, closed.passed, closed.presence_pct, closed.measured_us, closed.compliant_us, closed.two_sided_us, closed.breach_count],
      [r.windowLabel, end, false, r.presencePct, r.measuredUs, r.compliantUs, r.twoSidedUs, r.breachCount],
    );
    // 2 ticks wide with 0.0100 a side; the ask 0.0060 after the fill: its average is in between
    assert.deepEqual([closed.avg_spread, closed.avg_bid_qty], [2, 100]);
    assert.ok((closed.avg_ask_qty as number) > 60 && (closed.avg_ask_qty as number) < 100);
    assert.deepEqual([r.avgSpread, r.avgBidQty, r.avgAskQty], ['0.2', '0.0100', fromUnits(closed.avg_ask_qty as number, inst.qtyScale)]);
    assert.deepEqual(rows.map((w) => [w.account, w.final]), [['alice', true], ['alice', false], ['bob', true], ['bob', false]]);
    assert.equal(rowOf(rows, 'alice').start, end);
  } finally {
    await alice.close();
    await bob.close();
  }
}));
