// npm run replay -- DIR [--until SEQ|TIME] [--events FILE] [--state]
//
// Rebuilds a journal's engine event stream (one JSON line per event, the same
// bytes as the live run's) and prints its hash; --state prints the books and
// accounts at the end. --until stops after a sequence number (an integer) or
// at an exchange time (ISO 8601).
import { parseArgs } from 'node:util';
import { closeSync, openSync, writeSync } from 'node:fs';
import { replayInto } from '../gateway/journal/journal.ts';
import { EventTap, exchangeState, stateHash } from '../gateway/journal/state.ts';
import { JournalError } from '../gateway/journal/segments.ts';

/** --until: a sequence number, or an exchange time as ISO 8601 (µs). */
function parseUntil(s: string | undefined): { untilSeq?: number; untilTime?: number } {
  if (s === undefined) return {};
  if (/^\d{1,15}$/.test(s)) return { untilSeq: Number(s) };
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) throw new JournalError(`--until must be a sequence number or an ISO 8601 time, got '${s}'`);
  return { untilTime: ms * 1000 };
}

function main(argv: string[]): void {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true, strict: true,
    options: { until: { type: 'string' }, events: { type: 'string' }, state: { type: 'boolean' } },
  });
  if (positionals.length !== 1) throw new JournalError('usage: npm run replay -- DIR [--until SEQ|TIME] [--events FILE] [--state]');
  const fd = values.events ? openSync(values.events, 'w') : -1;
  let tap: EventTap | undefined;
  const t0 = performance.now();
  const { exchange, scan } = replayInto(positionals[0], {
    ...parseUntil(values.until),
    before: (x) => x.engine.setSink((tap = new EventTap(x, fd >= 0 ? (line) => void writeSync(fd, line) : undefined))),
  });
  if (fd >= 0) closeSync(fd);
  const ms = performance.now() - t0;
  console.log(JSON.stringify({
    records: scan.records, last_seq: scan.lastSeq, last_time: scan.lastTime ? new Date(scan.lastTime / 1000).toISOString() : null,
    torn_bytes: scan.tornBytes, events: tap?.events, event_hash: tap?.digest(), state_hash: stateHash(exchange), ms: Math.round(ms),
  }));
  if (values.state) console.log(JSON.stringify(exchangeState(exchange), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2));
}

try {
  main(process.argv.slice(2));
} catch (e) {
  if (e instanceof JournalError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`replay: ${(e as Error).message}`);
    process.exit(1);
  }
  throw e;
}
