// Waiting for an Envelope that a raw test client has received (polling its list).
import type { Envelope } from '../gateway/wire.ts';

/** The first envelope in `got` matching `pred`, waiting up to `ms`; `nap` waits before looking again. */
export async function firstEnvelope(
  got: readonly Envelope[], pred: (e: Envelope) => boolean, ms: number, nap: () => Promise<void>,
): Promise<Envelope> {
  const deadline = Date.now() + ms;
  for (;;) {
    const hit = got.find(pred);
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error(`timeout; got ${got.map((e) => e.body).join(',')}`);
    await nap();
  }
}
