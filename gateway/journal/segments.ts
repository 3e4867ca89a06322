// Segment files on disk: naming, the file header, reading every record back
// (dropping a torn tail), and the atomic writes of small metadata files.
import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, ftruncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { readRecord, type JournalRecord } from './codec.ts';

/** Every segment starts with these 8 bytes (format version 1). */
export const SEGMENT_MAGIC = Buffer.from('MBJRNL\u0000\u0001', 'latin1');
const SEGMENT_RE = /^(\d{16})\.journal$/;

export class JournalError extends Error {}

/** The file name of the segment whose first record has `firstSeq`. */
export const segmentName = (firstSeq: number): string => `${String(firstSeq).padStart(16, '0')}.journal`;

/** The segment files of `dir`, oldest first. */
export function segmentFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => SEGMENT_RE.test(f)).sort();
}

/** The sequence number of a segment file's first record (from its name). */
export const segmentFirstSeq = (file: string): number => Number(SEGMENT_RE.exec(file)?.[1] ?? NaN);

export interface ScanResult {
  /** the last record's sequence number (0 for an empty journal) */
  lastSeq: number;
  /** the last record's exchange time (0 for an empty journal) */
  lastTime: number;
  records: number;
  /** bytes cut off the end of the last segment: a record torn by a crash */
  tornBytes: number;
}

/**
 * Reads every record of the journal in `dir` in order, calling `onRecord`
 * for each until it returns false (that record is not counted). An invalid record at the end of the last
 * segment is a write torn by a crash: it is cut off when `repair` is set.
 * Anywhere else it is corruption, reported as a JournalError.
 */
export function scanJournal(dir: string, onRecord: (r: JournalRecord) => boolean | void, repair = false, fromSeq = 0): ScanResult {
  const files = segmentFiles(dir);
  // records up to fromSeq are not wanted (a snapshot holds them): start at the segment that holds fromSeq + 1
  let first = 0;
  while (first + 1 < files.length && segmentFirstSeq(files[first + 1]) <= fromSeq + 1) first++;
  const start = files.length > 0 ? segmentFirstSeq(files[first]) : 1;
  if (start > fromSeq + 1) throw new JournalError(`${dir}: the journal starts at record ${start}: records before it were pruned (they are in a snapshot)`);
  const out: ScanResult = { lastSeq: start - 1, lastTime: 0, records: 0, tornBytes: 0 };
  for (let f = first; f < files.length; f++) {
    const path = join(dir, files[f]);
    const buf = readFileSync(path);
    const last = f === files.length - 1;
    let at = 0;
    if (buf.length < SEGMENT_MAGIC.length || !buf.subarray(0, SEGMENT_MAGIC.length).equals(SEGMENT_MAGIC)) {
      if (!last || buf.length >= SEGMENT_MAGIC.length) throw new JournalError(`${path}: not a makerbench journal segment`);
    } else at = SEGMENT_MAGIC.length;
    while (at < buf.length) {
      // records a snapshot holds are stepped over by their length (the checksum is checked only for the last one)
      const next = at + 8 + (buf.length - at >= 8 ? buf.readUInt32LE(at) : 0);
      if (out.lastSeq + 1 < fromSeq && next <= buf.length && next - at >= 25) {
        const seq = buf.readDoubleLE(at + 8);
        if (seq === out.lastSeq + 1) {
          out.lastSeq = seq;
          at = next;
          continue;
        }
      }
      const r = readRecord(buf, at);
      if ('failure' in r) {
        if (!last) throw new JournalError(`${path}: ${r.failure} record at byte ${at} in the middle of the journal`);
        out.tornBytes = buf.length - at;
        if (repair) truncate(path, at);
        break;
      }
      if (r.record.seq !== out.lastSeq + 1) throw new JournalError(`${path}: record ${r.record.seq} follows ${out.lastSeq}`);
      if (r.record.seq <= fromSeq) {
        out.lastSeq = r.record.seq;
        out.lastTime = r.record.time;
        at = r.next;
        continue;
      }
      if (onRecord(r.record) === false) return out;
      out.lastSeq = r.record.seq;
      out.lastTime = r.record.time;
      out.records++;
      at = r.next;
    }
  }
  return out;
}

function truncate(path: string, length: number): void {
  const fd = openSync(path, 'r+');
  try {
    ftruncateSync(fd, length);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes a directory entry change (a new file, a rename) durable. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `data` to `path` atomically: a temporary file, fsync, rename, fsync of the directory. */
export function writeFileAtomic(dir: string, name: string, data: string | Buffer): void {
  const tmp = join(dir, `.${name}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(dir, name));
  fsyncDir(dir);
}
