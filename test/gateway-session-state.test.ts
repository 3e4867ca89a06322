// The resend store: a byte ring per account. Whatever the frame sizes, what it
// returns is a contiguous run of the newest messages, byte for byte as sent,
// within its message and byte bounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionState } from '../gateway/session-state.ts';
import { prng } from './prng.ts';

function frame(seq: number, len: number): Uint8Array {
  const f = new Uint8Array(len);
  for (let i = 0; i < len; i++) f[i] = (seq * 31 + i * 7) & 0xff;
  return f;
}

test('random frame sizes: the store keeps a contiguous suffix, byte-exact, newest always kept', () => {
  for (const [seed, capacity] of [[1, 8], [2, 50], [3, 200]] as const) {
    const rnd = prng(seed);
    const s = new SessionState(capacity);
    const maxBytes = Math.max(16 * 1024, capacity * 256);
    const sent: Uint8Array[] = [];
    for (let n = 1; n <= 5000; n++) {
      const len = rnd() < 0.01 ? 1 + Math.floor(rnd() * 20_000) : 1 + Math.floor(rnd() * 600);
      const f = frame(n, len);
      assert.equal(s.store(n % 3 === 0 ? 'execution_report' : 'heartbeat', f), n);
      sent.push(f);
      const kept = s.range(1, n);
      assert.ok(kept.length <= capacity);
      if (len <= maxBytes) assert.equal(kept.at(-1)?.seq, n, 'the newest is kept');
      kept.forEach((m, i) => {
        assert.equal(m.seq, s.oldest + i, 'contiguous');
        assert.deepEqual(m.frame, sent[m.seq - 1]);
        assert.equal(m.body, m.seq % 3 === 0 ? 'execution_report' : 'heartbeat');
      });
      const bytes = kept.reduce((a, m) => a + m.frame.length, 0);
      assert.ok(bytes <= maxBytes);
    }
  }
});

test('small frames: a full store holds exactly `capacity` messages; ranges clip; reset empties it', () => {
  const s = new SessionState(100);
  for (let n = 1; n <= 1000; n++) s.store('execution_report', frame(n, 120));
  assert.equal(s.oldest, 901);
  assert.deepEqual(s.range(950, 952).map((m) => m.seq), [950, 951, 952]);
  assert.deepEqual(s.range(1, 905).map((m) => m.seq), [901, 902, 903, 904, 905]);
  assert.deepEqual(s.range(999, 5000).map((m) => m.seq), [999, 1000]);
  s.reset();
  assert.deepEqual([s.nextOut, s.oldest, s.range(1, 10).length], [1, 1, 0]);
});
