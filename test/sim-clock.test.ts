// The exchange clock and the real-time scheduler on it, driven by an injected
// wall clock and fake wall timers: exact, with no waiting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClockError, ExchangeClock, MAX_TIME_US, clockFromFlags, isoUs, parseStartTime } from '../sim/clock.ts';
import { RealtimeScheduler, type WallTimers } from '../sim/realtime-scheduler.ts';

const S = 1_000_000;
const T0 = Date.UTC(2026, 2, 2, 14, 25) * 1000; // 2026-03-02T14:25Z (09:25 in New York, EST)

/** A wall clock in µs that moves only when told, and wall timers that fire when it passes them. */
class FakeWall implements WallTimers {
  us = 1_700_000_000 * S;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private ids = 0;
  readonly read = (): number => this.us;
  setTimeout(fn: () => void, ms: number): unknown {
    const t = { at: this.us + ms * 1000, fn, id: ++this.ids };
    this.timers.push(t);
    return t.id;
  }
  clearTimeout(id: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== id);
  }
  get armed(): number {
    return this.timers.length;
  }
  /** Moves wall time forward by `ms`, firing the timers it passes in order. */
  advance(ms: number): void {
    const end = this.us + ms * 1000;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const t = this.timers[0];
      if (t === undefined || t.at > end) break;
      this.timers.shift();
      this.us = Math.max(this.us, t.at);
      t.fn();
    }
    this.us = end;
  }
}

const code = (c: string) => (e: unknown) => e instanceof ClockError && e.code === c;

test('wall mode reads the wall clock; scaled mode runs start + speed × elapsed wall time', () => {
  const w = new FakeWall();
  const wall = new ExchangeClock({ wall: w.read });
  assert.equal(wall.mode, 'wall');
  assert.equal(wall.now(), w.us);
  w.us += 1234;
  assert.equal(wall.now(), w.us);

  const c = new ExchangeClock({ mode: 'scaled', speed: 100, startUs: T0, wall: w.read });
  assert.equal(c.now(), T0);
  w.us += 1500; // 1.5 ms wall = 150 ms exchange
  assert.equal(c.now(), T0 + 150_000);
  w.us += 10 * S;
  assert.equal(c.now(), T0 + 150_000 + 1000 * S);
  assert.deepEqual(c.state(), { mode: 'scaled', time_us: T0 + 1000_150_000, time: '2026-03-02T14:41:40.150000Z', speed: 100, paused: false });
});

test('a speed applies from the moment it is set; out of range is a typed error', () => {
  const w = new FakeWall();
  const c = new ExchangeClock({ mode: 'scaled', startUs: T0, wall: w.read });
  w.us += 2 * S;
  c.setSpeed(10);
  w.us += 3 * S;
  assert.equal(c.now(), T0 + 2 * S + 30 * S);
  c.setSpeed(0.1);
  w.us += 10 * S;
  assert.equal(c.now(), T0 + 33 * S);
  assert.throws(() => c.setSpeed(0.05), code('SPEED_OUT_OF_RANGE'));
  assert.throws(() => c.setSpeed(1001), code('SPEED_OUT_OF_RANGE'));
  assert.throws(() => c.setSpeed(NaN), code('SPEED_OUT_OF_RANGE'));
  assert.throws(() => new ExchangeClock({ mode: 'scaled', speed: 0, wall: w.read }), code('SPEED_OUT_OF_RANGE'));
  assert.equal(c.speed, 0.1);
});

test('paused time stands still; resume continues from where it stopped', () => {
  const w = new FakeWall();
  const c = new ExchangeClock({ mode: 'scaled', speed: 10, startUs: T0, wall: w.read });
  w.us += S;
  c.pause();
  const t = c.now();
  assert.equal(t, T0 + 10 * S);
  w.us += 60 * S;
  assert.equal(c.now(), t);
  assert.equal(c.paused, true);
  c.resume();
  w.us += S;
  assert.equal(c.now(), t + 10 * S);
});

test('a jump moves forward only: backward is a typed error and changes nothing; paused stays paused', () => {
  const w = new FakeWall();
  const c = new ExchangeClock({ mode: 'scaled', startUs: T0, wall: w.read });
  c.pause();
  c.jumpTo(T0 + 300 * S);
  assert.equal(c.now(), T0 + 300 * S);
  w.us += S;
  assert.equal(c.now(), T0 + 300 * S, 'still paused');
  assert.throws(() => c.jumpTo(T0 + 299 * S), (e: unknown) => code('BACKWARD_JUMP')(e) && /before the exchange time 2026-03-02T14:30:00.000000Z/.test((e as Error).message));
  assert.throws(() => c.jumpBy(-1), code('BACKWARD_JUMP'));
  assert.throws(() => c.jumpTo(MAX_TIME_US + 1), code('TIME_OUT_OF_RANGE'));
  assert.throws(() => c.jumpTo(T0 + 0.5), code('TIME_OUT_OF_RANGE'));
  assert.equal(c.now(), T0 + 300 * S);
  c.jumpTo(T0 + 300 * S); // to now: allowed, nothing moves
  c.resume();
  c.jumpBy(60 * S);
  w.us += S;
  assert.equal(c.now(), T0 + 361 * S);
});

test('a change turns a wall clock into a scaled one; listeners hear every change', () => {
  const w = new FakeWall();
  const c = new ExchangeClock({ wall: w.read });
  const heard: string[] = [];
  const off = c.onChange((x) => heard.push(x));
  c.jumpBy(S);
  assert.equal(c.mode, 'scaled');
  assert.equal(c.now(), w.us + S);
  c.setSpeed(2);
  c.pause();
  c.pause();
  c.resume();
  off();
  c.setSpeed(3);
  assert.deepEqual(heard, ['jump', 'speed', 'pause', 'resume']);
});

test('virtual time moves only when told, and never back', () => {
  const w = new FakeWall();
  const c = new ExchangeClock({ mode: 'virtual', startUs: T0, wall: w.read });
  w.us += 100 * S;
  assert.equal(c.now(), T0);
  c.advance(T0 + 5);
  assert.equal(c.now(), T0 + 5);
  c.advance(T0 + 1);
  assert.equal(c.now(), T0 + 5, 'advance never goes back');
  c.jumpTo(T0 + S);
  assert.equal(c.now(), T0 + S);
  assert.equal(c.wallDelayUs(T0 + 2 * S), Infinity);
  assert.equal(c.wallDelayUs(T0), 0);
});

test('now() is monotonic even if the wall source steps back', () => {
  const w = new FakeWall();
  const c = new ExchangeClock({ wall: w.read });
  const a = c.now();
  w.us -= 5 * S;
  assert.equal(c.now(), a);
});

test('start times: ISO (absolute or in the venue zone) and HH:MM today in the venue zone', () => {
  const wallNow = Date.UTC(2026, 2, 2, 3, 0) * 1000; // 2026-03-01 22:00 in New York
  assert.equal(parseStartTime('09:25', 'America/New_York', wallNow), Date.UTC(2026, 2, 1, 14, 25) * 1000);
  assert.equal(parseStartTime('09:25', 'UTC', wallNow), Date.UTC(2026, 2, 2, 9, 25) * 1000);
  assert.equal(parseStartTime('09:25:30', '-04:00', wallNow), Date.UTC(2026, 2, 1, 13, 25, 30) * 1000);
  // summer: New York is UTC−4
  assert.equal(parseStartTime('2026-07-01T09:25', 'America/New_York', wallNow), Date.UTC(2026, 6, 1, 13, 25) * 1000);
  assert.equal(parseStartTime('2026-07-01T09:25:00.5Z', 'America/New_York', wallNow), Date.UTC(2026, 6, 1, 9, 25) * 1000 + 500_000);
  assert.equal(parseStartTime('2026-07-01T09:25:00+02:00', 'UTC', wallNow), Date.UTC(2026, 6, 1, 7, 25) * 1000);
  for (const bad of ['9:25', '24:00', '2026-02-30T09:25', '2026-13-01T00:00Z', 'tomorrow', '']) {
    assert.throws(() => parseStartTime(bad, 'UTC', wallNow), code('BAD_START_TIME'), bad);
  }
  assert.throws(() => parseStartTime('09:25', 'Mars/Olympus', wallNow), code('BAD_TIME_ZONE'));
  assert.equal(isoUs(T0 + 7), '2026-03-02T14:25:00.000007Z');
});

test('scheduler: timers fire when exchange time reaches them, the wall delay divided by the speed', () => {
  const w = new FakeWall();
  const c = new ExchangeClock({ mode: 'scaled', speed: 100, startUs: T0, wall: w.read });
  const s = new RealtimeScheduler(c, w);
  const ran: [string, number][] = [];
  s.at(T0 + 10 * S, () => ran.push(['b', s.now()]));
  s.after(5 * S, () => ran.push(['a', s.now()]));
  const gone = s.after(7 * S, () => ran.push(['cancelled', s.now()]));
  s.cancel(gone);
  w.advance(49);
  assert.deepEqual(ran, []);
  w.advance(1); // 50 ms wall = 5 s exchange
  assert.deepEqual(ran, [['a', T0 + 5 * S]]);
  w.advance(50);
  assert.deepEqual(ran, [['a', T0 + 5 * S], ['b', T0 + 10 * S]]);
  assert.equal(w.armed, 0);
  s.close();
});

test('scheduler: re-planned on speed change, pause and resume', () => {
  const w = new FakeWall();
  const c = new ExchangeClock({ mode: 'scaled', speed: 1, startUs: T0, wall: w.read });
  const s = new RealtimeScheduler(c, w);
  const ran: number[] = [];
  s.at(T0 + 100 * S, () => ran.push(s.now()));
  w.advance(10_000); // 10 s at speed 1
  c.setSpeed(10); // 90 s left = 9 s wall
  w.advance(8_999);
  assert.deepEqual(ran, []);
  c.pause();
  assert.equal(w.armed, 0, 'no wall timer while paused');
  w.advance(60_000);
  c.resume();
  w.advance(1);
  assert.deepEqual(ran, [T0 + 100 * S]);
  s.close();
});

test('scheduler: a jump runs everything due in time order, each at its own time, including timers they add', () => {
  const w = new FakeWall();
  const c = new ExchangeClock({ mode: 'scaled', startUs: T0, wall: w.read });
  const s = new RealtimeScheduler(c, w);
  const ran: [string, number][] = [];
  s.at(T0 + 30 * S, () => ran.push(['c', s.now()]));
  s.at(T0 + 10 * S, () => {
    ran.push(['a', s.now()]);
    s.after(5 * S, () => ran.push(['a+5', s.now()]));
  });
  s.at(T0 + 90 * S, () => ran.push(['later', s.now()]));
  s.at(T0 + 10 * S, () => assert.throws(() => c.jumpBy(S), code('JUMP_IN_PROGRESS')));
  c.jumpTo(T0 + 60 * S);
  assert.deepEqual(ran, [['a', T0 + 10 * S], ['a+5', T0 + 15 * S], ['c', T0 + 30 * S]]);
  assert.equal(c.now(), T0 + 60 * S);
  w.advance(29_999);
  assert.equal(ran.length, 3);
  w.advance(1); // the remaining 30 s re-planned from the jump's target
  assert.deepEqual(ran[3], ['later', T0 + 90 * S]);
  s.close();
});

test('scheduler on a virtual clock: nothing fires by wall time; jumps run what is due; past times run at once', () => {
  const w = new FakeWall();
  const c = new ExchangeClock({ mode: 'virtual', startUs: T0, wall: w.read });
  const s = new RealtimeScheduler(c, w);
  const ran: string[] = [];
  s.after(S, () => ran.push('x'));
  w.advance(3_600_000);
  assert.equal(ran.length, 0);
  c.jumpBy(S);
  assert.deepEqual(ran, ['x']);
  s.at(T0, () => ran.push('past'));
  assert.deepEqual(ran, ['x'], 'not inside at()');
  w.advance(0);
  assert.deepEqual(ran, ['x', 'past']);
  s.after(S, () => ran.push('closed'));
  s.close();
  c.jumpBy(10 * S);
  assert.deepEqual(ran, ['x', 'past']);
});

test('clock flags: --speed or --start-time alone mean scaled; contradictions are typed errors', () => {
  const w = new FakeWall();
  w.us = Date.UTC(2026, 2, 2, 3, 0) * 1000;
  const wall = clockFromFlags({}, 'UTC', { wall: w.read });
  assert.deepEqual([wall.mode, wall.speed, wall.now()], ['wall', 1, w.us]);
  const scaled = clockFromFlags({ speed: '10', startTime: '09:25' }, '-04:00', { wall: w.read, holdScaled: true });
  assert.deepEqual([scaled.mode, scaled.speed, scaled.paused, scaled.now()], ['scaled', 10, true, Date.UTC(2026, 2, 1, 13, 25) * 1000]);
  const virtual = clockFromFlags({ clock: 'virtual', startTime: '2026-03-02T00:00:00Z' }, 'UTC', { wall: w.read, holdScaled: true });
  assert.deepEqual([virtual.mode, virtual.paused, virtual.now()], ['virtual', false, Date.UTC(2026, 2, 2) * 1000]);
  for (const f of [{ clock: 'fast' }, { clock: 'wall', speed: '2' }, { clock: 'wall', startTime: '09:25' }, { clock: 'virtual', speed: '2' }]) {
    assert.throws(() => clockFromFlags(f, 'UTC', { wall: w.read }), code('BAD_CLOCK_FLAGS'), JSON.stringify(f));
  }
  for (const speed of ['0', '1e3', 'x', '-1', '1001']) assert.throws(() => clockFromFlags({ speed }, 'UTC', { wall: w.read }), code('SPEED_OUT_OF_RANGE'), speed);
});
