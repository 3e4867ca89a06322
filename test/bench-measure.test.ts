// The gateway bench's bookkeeping: which open-loop orders count (those due
// inside the window, applied after the run), how each latency splits into
// legs, and the server's measurement interval kept by its own timers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Latencies } from '../bench/gateway-latency.ts';
import { epochMs, Interval, type ProcessStats } from '../bench/child-link.ts';

/** Records an order from its five instants (ms of performance.now()), the server's two as the report carries them. */
function record(lat: Latencies, due: number, sent: number, transact: number, sending: number, received: number): void {
  const origin = performance.timeOrigin;
  lat.record(due, sent, received, (origin + transact) * 1e3, (origin + sending) * 1e3);
}

const field = (line: string, name: string): string => {
  const m = new RegExp(`(?:^| )${name}=(\\S+)`).exec(line);
  assert.ok(m, `${name} in ${line}`);
  return m[1];
};

test('only orders due inside [from, to) count; the achieved rate counts reports received inside it', () => {
  const lat = new Latencies(2, 1000, 2000, 8);
  record(lat, 500, 500.01, 500.03, 500.031, 500.05); // warm-up: excluded
  record(lat, 999.9, 1000, 1000.01, 1000.02, 1000.2); // due before the window, received in it
  record(lat, 1000, 1000.01, 1000.03, 1000.031, 1000.05); // 50 µs
  record(lat, 1500, 1500.01, 1503.01, 1503.02, 1503.2); // 3.2 ms, mostly on the way to the server
  record(lat, 1999, 1999.5, 1999.6, 1999.61, 2001); // 2 ms, mostly received after the window (still counted: due inside)
  record(lat, 2000, 2000.01, 2000.02, 2000.03, 2000.05); // due at `to`: excluded
  const summary = lat.summary();
  assert.equal(field(summary, 'samples'), '3');
  assert.equal(field(summary, 'achieved_per_s'), '3'); // three reports arrived in [1000, 2000), one of them for an order due before it
  assert.equal(field(summary, 'p50_us'), '2000');
  assert.ok(Math.abs(Number(field(summary, 'max_us')) - 3200) <= 4, summary);
  const breakdown = lat.breakdown();
  assert.equal(field(breakdown, 'over_2ms'), '33.33%'); // one of three is over 2 ms (2.000 is not)
  assert.equal(field(breakdown, 'to_server'), '100%');
  assert.equal(field(breakdown, 'send_lag'), '0%');
  assert.ok(Math.abs(Number(field(breakdown, 'to_server_p99_us')) - 3000) <= 3, breakdown);
});

test('the store grows past its expected size, and the timeline holds the window\'s orders with epoch times', () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'mb-lat-')), 'tl.csv');
  const lat = new Latencies(2, 100, 200, 1, file);
  for (let i = 0; i < 3000; i++) record(lat, i / 10, i / 10 + 0.01, i / 10 + 0.02, i / 10 + 0.03, i / 10 + 0.1);
  assert.equal(field(lat.summary(), 'samples'), '1000');
  assert.equal(lat.writeTimeline(''), file);
  const rows = readFileSync(file, 'utf8').trim().split('\n');
  assert.equal(rows[0], 'due_ms,sent_ms,transact_ms,sending_ms,received_ms');
  assert.equal(rows.length, 1001);
  const first = rows[1].split(',').map(Number);
  assert.ok(Math.abs(first[0] - (performance.timeOrigin + 100)) < 0.01);
  assert.ok(Math.abs(first[4] - first[0] - 0.1) < 0.002);
});

/** A monitor that says how often it was reset and stamps each reading. */
function fakeMonitor(): { reset: () => void; stats: () => ProcessStats; resets: number[]; reads: number[] } {
  const m = {
    resets: [] as number[], reads: [] as number[],
    reset: () => { m.resets.push(epochMs()); },
    stats: (): ProcessStats => {
      m.reads.push(epochMs());
      return { loopP50Us: 0, loopP99Us: m.resets.length, loopMaxUs: 0, gcCount: m.reads.length, gcTotalMs: 0, gcMaxMs: 0, heapUsedMb: 0 };
    },
  };
  return m;
}

test('the server\'s interval is reset and read by its own timers; stats asked early wait for its end', async () => {
  const monitor = fakeMonitor();
  const interval = new Interval(monitor);
  const t = epochMs();
  interval.set(t + 5000, t + 6000); // replaced before it starts: its timers must not fire
  interval.set(t + 20, t + 60);
  const got = await new Promise<ProcessStats>((resolve) => interval.whenEnded(resolve));
  assert.equal(monitor.resets.length, 1);
  assert.ok(monitor.resets[0] >= t + 19, 'reset at the start, not when announced');
  assert.equal(monitor.reads.length, 1);
  assert.ok(monitor.reads[0] >= t + 59, 'read at the end');
  assert.equal(got.loopP99Us, 1, 'the reading taken after the reset');
  // asked again after the end: the same reading, at once
  const again = await new Promise<ProcessStats>((resolve) => interval.whenEnded(resolve));
  assert.deepEqual(again, got);
  assert.equal(monitor.reads.length, 1);
});

test('stats with no interval announced are read at once', () => {
  const monitor = fakeMonitor();
  let got: ProcessStats | null = null;
  new Interval(monitor).whenEnded((s) => { got = s; });
  assert.ok(got);
  assert.equal(monitor.resets.length, 0);
});
