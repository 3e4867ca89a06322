// The hand-written ExecutionReport encoder must produce what protobufjs
// decodes to exactly the message protobufjs itself would encode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { executionReportFrame } from '../gateway/fast-encode.ts';
import { decodeEnvelope, encodeEnvelope, EnvelopeType } from '../gateway/wire.ts';
import { prng } from './prng.ts';

function decoded(bytes: Uint8Array): Record<string, unknown> {
  const d = decodeEnvelope(bytes);
  assert.ok(d.ok);
  return EnvelopeType.toObject(EnvelopeType.decode(bytes), { defaults: true }) as Record<string, unknown>;
}

test('random execution reports encode identically to protobufjs, negative int64 and unicode included', () => {
  const r = prng(42);
  const int = (max: number): number => Math.floor(r() * max);
  const big = (): number => (r() < 0.5 ? 1 : -1) * int(Number.MAX_SAFE_INTEGER);
  // ASCII (copied char by char) up to 127 chars, longer or non-ASCII (Buffer#write), and non-ASCII after an ASCII run
  const str = (): string => ['', 'a1', 'ordre-é-€-😀', 'x'.repeat(64), 'BTC-USD', 'y'.repeat(127), 'z'.repeat(128), 'abc-é', 'q'.repeat(200) + 'é'][int(9)];
  for (let i = 0; i < 2000; i++) {
    const er: Record<string, unknown> = {
      order_id: int(2 ** 53), cl_ord_id: str(), orig_cl_ord_id: str(), exec_id: int(2 ** 40), exec_type: int(8),
      ord_status: int(7), symbol: str(), side: int(3), price: big(), order_qty: int(2 ** 50), leaves_qty: int(2 ** 30),
      cum_qty: int(1000), avg_px: int(1e9), last_px: int(1e9), last_qty: int(1e6), trade_id: int(2 ** 45), liquidity: [0, 1, 2, 4][int(4)],
      fee: big(), ord_rej_reason: int(100), reject_code: int(30), cancel_reason: int(14), text: str(),
      transact_time: 1_795_281_737_341_304 + int(1e6), ord_type: int(3), time_in_force: [0, 1, 3, 4, 6][int(5)], cum_quote_qty: big(),
      retry_after: r() < 0.5 ? 0 : 1_795_281_737_341_304 + int(1e9),
      stop_px: r() < 0.5 ? 0 : big(), display_qty: int(1e6), price_slid: r() < 0.5,
    };
    const sendingTime = 1_795_281_737_341_304_000 + int(1e9) * 256;
    const fast = decoded(executionReportFrame(er, sendingTime));
    const reference = decoded(encodeEnvelope({ sending_time_us: sendingTime, execution_report: er }));
    assert.deepEqual(fast, reference, `report ${i}`);
  }
});
