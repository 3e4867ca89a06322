// npm run export -- DIR --from T --to T --out OUT
//
// A bug-report bundle: OUT is a new journal directory holding the
// configuration, where the run came from (command line, scenario, seed), the
// window [from, to] of interest, and the journal's records up to `to`. Every
// record before `from` is kept too: a bundle carries no snapshot, so the
// window's state is rebuilt from the first record. Replay it with
// `npm run replay -- OUT`; pack it with tar to send it.
import { parseArgs } from 'node:util';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { readMeta, META_FILE } from '../gateway/journal/journal.ts';
import { JournalError, scanJournal, segmentName, SEGMENT_MAGIC, writeFileAtomic, fsyncDir } from '../gateway/journal/segments.ts';
import { RecordEncoder } from '../gateway/journal/codec.ts';

function time(s: string | undefined, flag: string): number | undefined {
  if (s === undefined) return undefined;
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) throw new JournalError(`${flag} must be an ISO 8601 time, got '${s}'`);
  return ms * 1000;
}

function main(argv: string[]): void {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' } } });
  if (positionals.length !== 1 || !values.out) throw new JournalError('usage: npm run export -- DIR [--from T] [--to T] --out OUT');
  const dir = positionals[0];
  const meta = readMeta(dir);
  if (!meta) throw new JournalError(`${dir}: no ${META_FILE}: not a journal directory`);
  const from = time(values.from, '--from');
  const to = time(values.to, '--to') ?? Infinity;
  if (existsSync(values.out) && readdirSync(values.out).length > 0) throw new JournalError(`${values.out} exists and is not empty`);
  mkdirSync(values.out, { recursive: true });
  const fd = openSync(join(values.out, segmentName(1)), 'w');
  writeSync(fd, SEGMENT_MAGIC);
  const enc = new RecordEncoder();
  let n = 0;
  scanJournal(dir, (r) => {
    if (r.time > to) return false;
    enc.begin(r.seq, r.time, r.kind);
    for (const v of r.values) enc.value(v);
    enc.end();
    n++;
    if (enc.pos > 1 << 20) {
      writeSync(fd, enc.buf, 0, enc.pos);
      enc.reset();
    }
  });
  writeSync(fd, enc.buf, 0, enc.pos);
  closeSync(fd);
  fsyncDir(values.out);
  const window = { from: from === undefined ? null : new Date(from / 1000).toISOString(), to: to === Infinity ? null : new Date(to / 1000).toISOString() };
  writeFileAtomic(values.out, META_FILE, JSON.stringify({ ...meta, origin: { ...meta.origin, source: dir, window } }, null, 2));
  console.log(JSON.stringify({ out: values.out, records: n, window }));
}

try {
  main(process.argv.slice(2));
} catch (e) {
  if (!(e instanceof JournalError)) throw e;
  console.error(`export: ${e.message}`);
  process.exit(1);
}
