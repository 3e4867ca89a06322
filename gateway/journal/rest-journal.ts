// Admin REST of the journal: where it stands (sequence number, state hash)
// checkpoints (a marker record replay and export can name) and snapshots on request.
import type { FastifyInstance } from 'fastify';
import type { Exchange } from '../exchange.ts';
import { HttpError, requireAdmin } from '../rest-http.ts';
import { JournalRecorder } from './recorder.ts';
import { stateHash } from './state.ts';

export function journalRoutes(api: FastifyInstance, exchange: Exchange, adminToken: string): void {
  const onRequest = requireAdmin(adminToken);
  const recorder = (): JournalRecorder => {
    const r = exchange.recorder;
    if (!(r instanceof JournalRecorder)) throw new HttpError(404, 'NO_JOURNAL', 'the server runs without --journal');
    return r;
  };
  // The state hash walks every book and account: an admin tool for tests and audits, not for polling.
  api.get('/admin/journal', { onRequest }, async () => {
    const r = recorder();
    return { seq: r.writer.seq, fsync: r.writer.fsync, state_hash: stateHash(exchange) };
  });
  api.post<{ Body: { label?: string } | undefined }>('/admin/journal/checkpoint', {
    onRequest,
    schema: { body: { type: ['object', 'null'], additionalProperties: false, properties: { label: { type: 'string', maxLength: 256 } } } },
  }, async (req) => {
    const seq = recorder().checkpoint(exchange.clock.now(), req.body?.label ?? '');
    return { seq, state_hash: stateHash(exchange) };
  });
  // A snapshot now: answered once it is on disk (its file, size, and the time it took).
  api.post('/admin/journal/snapshot', { onRequest, schema: { body: { type: ['object', 'null'], additionalProperties: false } } }, async () => {
    const s = recorder().snapshots;
    if (!s) throw new HttpError(404, 'NO_JOURNAL', 'the server runs without --journal');
    const r = await s.take();
    return { seq: r.seq, file: r.file, bytes: r.bytes, capture_ms: round(r.capture_ms), encode_slice_ms: round(r.encode_slice_ms), write_ms: round(r.write_ms) };
  });
}

const round = (ms: number): number => Math.round(ms * 10) / 10;
