// Segment files on disk: naming, the file header, creating preallocated
// segments, reading every record back (dropping a torn tail), and the atomic
// writes of small metadata files.
//
// A segment is created at its full size, zero-filled and synced before it
// gets its name (PostgreSQL's WAL segments work the same way): records are
// then written in place, and a sync has only data to make durable, no file
// size or block allocation. The records end where a zero length word begins
// (the zeros the segment was filled with); a record that fails its length or
// checksum, or any non-zero byte after the end, in the last segment is a
// write torn by a crash: recovery zeroes it (nothing the journal acknowledged
// is there).
import { closeSync, fdatasyncSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
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

/** Where a new segment is prepared (zero-filled, synced) before it is renamed to its first record's name. */
export const NEXT_SEGMENT = '.next.journal.tmp';

const ZEROS = Buffer.alloc(1 << 20);

/** Writes a segment of `bytes` (header, then zeros) to `path` and syncs it (a temporary name: the caller renames it). */
export function createSegmentSync(path: string, bytes: number): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, SEGMENT_MAGIC);
    for (let at = SEGMENT_MAGIC.length; at < bytes; at += ZEROS.length) writeSync(fd, ZEROS, 0, Math.min(ZEROS.length, bytes - at));
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Bytes of zeros the background preparation writes (and syncs) at a time. */
const PREPARE_CHUNK = 256 * 1024;

/** createSegmentSync off the event loop, written 256 KiB at a time with a sync after each (a sync of the journal never waits behind more). */
export async function createSegment(path: string, bytes: number): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.write(SEGMENT_MAGIC);
    for (let at = SEGMENT_MAGIC.length; at < bytes; at += PREPARE_CHUNK) {
      await fh.write(ZEROS, 0, Math.min(PREPARE_CHUNK, bytes - at));
      await fh.datasync();
    }
    await fh.datasync();
  } finally {
    await fh.close();
  }
}

/** Renames a prepared segment to `name` and makes the new directory entry durable. */
export async function installSegment(dir: string, from: string, name: string): Promise<void> {
  await rename(join(dir, from), join(dir, name));
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

export function installSegmentSync(dir: string, from: string, name: string): void {
  renameSync(join(dir, from), join(dir, name));
  fsyncDir(dir);
}

/** The offset after the last non-zero byte of `buf` at or after `from` (`from` when there is none). */
export function nonZeroEnd(buf: Buffer, from: number): number {
  let end = buf.length;
  while (end > from) {
    const start = Math.max(from, end - ZEROS.length);
    if (buf.compare(ZEROS, 0, end - start, start, end) !== 0) break;
    end = start;
  }
  while (end > from && buf[end - 1] === 0) end--;
  return end;
}

export interface ScanResult {
  /** the last record's sequence number (0 for an empty journal) */
  lastSeq: number;
  /** the last record's exchange time (0 for an empty journal) */
  lastTime: number;
  records: number;
  /** bytes zeroed at the end of the last segment: a record torn by a crash (up to its last non-zero byte) */
  tornBytes: number;
  /** the last segment and the offset after its last valid record, where writing goes on (only after a full scan) */
  endFile?: string;
  endOffset?: number;
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
      // a header cut short (a crash as the segment was created): no records; the writer creates the segment again
      out.tornBytes = buf.length;
      out.endFile = files[f];
      out.endOffset = 0;
      break;
    }
    at = SEGMENT_MAGIC.length;
    while (at < buf.length) {
      // a zero length word (or a few bytes too short for one): the zeros the segment was created with
      if (buf.length - at < 4 || buf.readUInt32LE(at) === 0) {
        const end = nonZeroEnd(buf, at);
        if (end === at) break;
        if (!last) throw new JournalError(`${path}: non-zero bytes at byte ${at} after the last record of a segment in the middle of the journal`);
        out.tornBytes = end - at;
        if (repair) zero(path, at, end);
        break;
      }
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
        const end = nonZeroEnd(buf, at);
        out.tornBytes = end - at;
        if (repair) zero(path, at, end);
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
    if (last) {
      out.endFile = files[f];
      out.endOffset = Math.max(at, SEGMENT_MAGIC.length);
    }
  }
  return out;
}

/** Zeroes bytes [from, to) of the file (a torn write) and syncs it. */
function zero(path: string, from: number, to: number): void {
  const fd = openSync(path, 'r+');
  try {
    for (let at = from; at < to; at += ZEROS.length) writeSync(fd, ZEROS, 0, Math.min(ZEROS.length, to - at), at);
    fdatasyncSync(fd);
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
