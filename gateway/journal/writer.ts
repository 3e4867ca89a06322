// Appends records to the journal's segment files under a durability policy:
//   always  every record is written and fdatasync'ed before the command runs on
//   batch   group commit: the records of one event-loop turn are written and
//           fdatasync'ed together, off the event loop, while the next turn's
//           records fill the other buffer
//   off     written (to the OS page cache: survives a process crash, not a power cut), never synced
// Outbound reports wait for `whenDurable` (the order-entry sockets stay corked
// until then), so a client is told "accepted" only once its record is durable.
import { closeSync, fdatasync, fdatasyncSync, openSync, write, writeSync } from 'node:fs';
import { join } from 'node:path';
import { RecordEncoder, type RecordKind } from './codec.ts';
import { fsyncDir, SEGMENT_MAGIC, segmentName } from './segments.ts';

export type FsyncPolicy = 'always' | 'batch' | 'off';
export const FSYNC_POLICIES: readonly FsyncPolicy[] = ['always', 'batch', 'off'];

/** A segment is closed and a new one begun once it is this large. */
export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;

export interface WriterOptions {
  dir: string;
  fsync: FsyncPolicy;
  /** the sequence number and time of the last record already in the journal */
  lastSeq: number;
  lastTime?: number;
  segmentBytes?: number;
  /** a write or sync failed: the journal cannot promise durability any more (default: throw, ending the process) */
  onError?: (e: Error) => void;
}

export class JournalWriter {
  readonly fsync: FsyncPolicy;
  private active = new RecordEncoder();
  private spare = new RecordEncoder();
  private fd = -1;
  private segmentSize = 0;
  private readonly segmentBytes: number;
  /** last record appended, and last record durable under the policy */
  private lastSeq: number;
  private durableSeq: number;
  private inFlight = false;
  private scheduled = false;
  private closed = false;
  /** callbacks waiting for a record to be durable: the seq each waits for, and the callback */
  private waitSeqs: number[] = [];
  private waitFns: (() => void)[] = [];
  private readonly onError: (e: Error) => void;
  private readonly commitNow = (): void => this.commit();
  /** appends what must be in the same commit as the commands it covers (sessions' inbound sequence numbers) */
  beforeCommit: (() => void) | null = null;
  private inHook = false;
  /** once the journal reaches this sequence number, `onSnapshotDue` runs on a later turn (between commands) */
  snapshotAt = Infinity;
  onSnapshotDue: (() => void) | null = null;

  constructor(private readonly opts: WriterOptions) {
    this.fsync = opts.fsync;
    this.segmentBytes = opts.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.lastSeq = this.durableSeq = opts.lastSeq;
    this.lastTime = opts.lastTime ?? 0;
    this.onError = opts.onError ?? ((e) => { throw e; });
    this.openSegment();
  }

  /** the exchange time of the last record appended (records without a time of their own take it) */
  lastTime = 0;

  /** The sequence number of the last record appended. */
  get seq(): number {
    return this.lastSeq;
  }

  /** Starts a record: write its values into the returned encoder, then call end(). */
  begin(time: number, kind: RecordKind): RecordEncoder {
    this.active.begin(this.lastSeq + 1, time, kind);
    this.lastTime = time;
    return this.active;
  }

  end(): void {
    this.active.end();
    this.lastSeq++;
    if (this.lastSeq >= this.snapshotAt) this.snapshotDue();
    if (this.inHook) return;
    if (this.fsync === 'always') this.commitSync();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.commitNow);
    }
  }

  private snapshotDue(): void {
    this.snapshotAt = Infinity;
    const fn = this.onSnapshotDue;
    if (fn) setImmediate(fn);
  }

  /** Calls `fn` once every record appended so far is durable (at once when it already is). */
  whenDurable(fn: () => void): void {
    if (this.durableSeq >= this.lastSeq || this.closed) return fn();
    this.waitSeqs.push(this.lastSeq);
    this.waitFns.push(fn);
  }

  /** Writes and syncs everything appended, then closes the segment (waits for a commit in flight). */
  async close(): Promise<void> {
    while (this.inFlight) await new Promise((r) => setTimeout(r, 1));
    this.commitSync();
    this.closed = true;
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  /** Everything appended, written and synced on the spot (fsync always; close). */
  private commitSync(): void {
    this.runHook();
    if (this.active.pos > 0) {
      writeSync(this.fd, this.active.buf, 0, this.active.pos);
      this.segmentSize += this.active.pos;
      this.active.reset();
      if (this.fsync !== 'off') fdatasyncSync(this.fd);
      if (this.segmentSize >= this.segmentBytes && !this.closed) this.roll(this.lastSeq);
    }
    this.durable(this.lastSeq);
  }

  /** Group commit: hands the turn's buffer to the thread pool and goes on filling the other. */
  private commit(): void {
    this.scheduled = false;
    if (this.inFlight || this.active.pos === 0 || this.closed) return;
    this.runHook();
    const out = this.active;
    this.active = this.spare;
    this.spare = out;
    const upto = this.lastSeq;
    this.inFlight = true;
    this.writeAll(out.buf, 0, out.pos, (e) => {
      if (e) return this.onError(e);
      this.segmentSize += out.pos;
      out.reset();
      if (this.fsync === 'off') return this.committed(upto);
      fdatasync(this.fd, (e2) => (e2 ? this.onError(e2) : this.committed(upto)));
    });
  }

  private runHook(): void {
    if (!this.beforeCommit || this.inHook) return;
    this.inHook = true;
    try {
      this.beforeCommit();
    } finally {
      this.inHook = false;
    }
  }

  private writeAll(buf: Buffer, from: number, to: number, done: (e: Error | null) => void): void {
    write(this.fd, buf, from, to - from, null, (e, n) => {
      if (e) return done(e);
      if (from + n < to) return this.writeAll(buf, from + n, to, done);
      done(null);
    });
  }

  private committed(upto: number): void {
    this.inFlight = false;
    // records appended meanwhile are not written yet: the next segment begins after the last one written
    if (this.segmentSize >= this.segmentBytes) this.roll(upto);
    this.durable(upto);
    if (this.active.pos > 0 && !this.scheduled) this.commit();
  }

  private durable(upto: number): void {
    this.durableSeq = upto;
    if (this.waitSeqs.length === 0) return;
    let n = 0;
    while (n < this.waitSeqs.length && this.waitSeqs[n] <= upto) n++;
    const fns = this.waitFns.splice(0, n);
    this.waitSeqs.splice(0, n);
    for (const fn of fns) fn();
  }

  /** Closes the full segment and begins the next, named by its first record's sequence number (`written` + 1). */
  private roll(written: number): void {
    closeSync(this.fd);
    this.openSegment(written);
  }

  private openSegment(written = this.lastSeq): void {
    // a file of this name can only hold a torn record the scan cut off (or just the header): it is begun again
    this.fd = openSync(join(this.opts.dir, segmentName(written + 1)), 'w');
    writeSync(this.fd, SEGMENT_MAGIC);
    fdatasyncSync(this.fd);
    fsyncDir(this.opts.dir);
    this.segmentSize = SEGMENT_MAGIC.length;
  }
}
