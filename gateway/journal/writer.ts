// Appends records to the journal's segment files under a durability policy:
//   always  every record is written and made durable before the command runs on
//   batch   group commit: the records of one event-loop turn are written and
//           made durable together, off the event loop, while the next turn's
//           records fill another buffer (and go out at once: two commits may be
//           in flight, see commit())
//   off     written (to the OS page cache: survives a process crash, not a power cut), never synced
// Outbound reports wait for `whenDurable` (the order-entry sockets stay corked
// until then), so a client is told "accepted" only once its record is durable.
//
// Segments are preallocated (segments.ts): created at full size, zero-filled
// and synced, the next one in the background while the current one fills.
// Records are written in place at an offset, so a sync commits data only, no
// file size or block allocation. Under always and batch the segment is open
// with O_DSYNC: one write system call is the write and its fdatasync, so a
// group commit is one trip to the thread pool (MAKERBENCH_JOURNAL_SYNC=fdatasync:
// a write, then an fdatasync).
import { close, closeSync, constants, fdatasync, fdatasyncSync, fstatSync, openSync, unlinkSync, write, writeSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { RecordEncoder, type RecordKind } from './codec.ts';
import { createSegment, createSegmentSync, installSegment, installSegmentSync, NEXT_SEGMENT, SEGMENT_MAGIC, segmentName } from './segments.ts';

export type FsyncPolicy = 'always' | 'batch' | 'off';
export const FSYNC_POLICIES: readonly FsyncPolicy[] = ['always', 'batch', 'off'];

/** A segment is created at this size (preallocated, zero-filled); a new one is begun when a commit does not fit. */
export const DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024;

export interface WriterOptions {
  dir: string;
  fsync: FsyncPolicy;
  /** the sequence number and time of the last record already in the journal */
  lastSeq: number;
  lastTime?: number;
  segmentBytes?: number;
  /** the last segment and the offset after its last record (from the recovery scan): writing goes on there while it has room */
  endFile?: string;
  endOffset?: number;
  /** a write or sync failed: the journal cannot promise durability any more (default: throw, ending the process) */
  onError?: (e: Error) => void;
}

const useDsync = process.env.MAKERBENCH_JOURNAL_SYNC !== 'fdatasync';
/** Group commits written at once (MAKERBENCH_JOURNAL_IN_FLIGHT, default 2; 1: each waits for the one before). */
const MAX_IN_FLIGHT = Math.max(1, Number(process.env.MAKERBENCH_JOURNAL_IN_FLIGHT ?? 2) || 2);

export class JournalWriter {
  readonly fsync: FsyncPolicy;
  private active = new RecordEncoder();
  /** encoders of finished commits, to be filled again */
  private free: RecordEncoder[] = [new RecordEncoder()];
  private fd = -1;
  /** where the next commit is written in the current segment, and the segment's preallocated size */
  private offset = 0;
  private capacity = 0;
  private readonly segmentBytes: number;
  /** writes are durable when they return (O_DSYNC); else an fdatasync follows each (policy always/batch) */
  private readonly dsync: boolean;
  /** the next segment being prepared in the background (resolves true once it is ready under NEXT_SEGMENT) */
  private next: Promise<boolean> | null = null;
  private nextReady = false;
  /** last record appended, last record handed to a write, and last record durable under the policy */
  private lastSeq: number;
  private writtenSeq: number;
  private durableSeq: number;
  /** group commits handed to the thread pool and not finished, in order (a record is durable once every commit up to its own is) */
  private inFlight = 0;
  private readonly commits: { upto: number; done: boolean }[] = [];
  private rolling = false;
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
    this.dsync = opts.fsync !== 'off' && useDsync;
    this.lastSeq = this.writtenSeq = this.durableSeq = opts.lastSeq;
    this.lastTime = opts.lastTime ?? 0;
    this.onError = opts.onError ?? ((e) => { throw e; });
    // a segment being prepared when the process stopped may be incomplete
    const next = join(opts.dir, NEXT_SEGMENT);
    if (existsSync(next)) unlinkSync(next);
    if (opts.endFile !== undefined && (opts.endOffset ?? 0) >= SEGMENT_MAGIC.length) {
      this.fd = openSync(join(opts.dir, opts.endFile), this.flags());
      this.offset = opts.endOffset as number;
      this.capacity = fstatSync(this.fd).size;
    }
    if (this.fd < 0 || this.offset >= this.capacity) this.rollSync();
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

  /** Writes and syncs everything appended, then closes the segment (waits for a commit, and a segment being prepared). */
  async close(): Promise<void> {
    while (this.inFlight > 0 || this.rolling) await new Promise((r) => setTimeout(r, 1));
    this.closed = true;
    this.commitSync();
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    await this.next;
  }

  private flags(): number {
    return constants.O_RDWR | (this.dsync ? constants.O_DSYNC : 0);
  }

  /** Everything appended, written and synced on the spot (fsync always; close). */
  private commitSync(): void {
    this.runHook();
    if (this.active.pos > 0) {
      if (!this.closed && this.offset > SEGMENT_MAGIC.length && this.offset + this.active.pos > this.capacity) this.rollSync();
      let done = 0;
      while (done < this.active.pos) done += writeSync(this.fd, this.active.buf, done, this.active.pos - done, this.offset + done);
      this.offset += this.active.pos;
      this.active.reset();
      if (this.fsync !== 'off' && !this.dsync) fdatasyncSync(this.fd);
      this.writtenSeq = this.lastSeq;
      this.prepareNext();
    }
    this.durable(this.lastSeq);
  }

  /**
   * Group commit: hands the turn's buffer to the thread pool and goes on filling another. Up to
   * MAX_IN_FLIGHT commits are written at once (at their own offsets), so records appended while a
   * sync is in flight wait for one sync of their own, not for the rest of that one first; they are
   * acknowledged only once every commit before theirs is durable too.
   */
  private commit(): void {
    this.scheduled = false;
    if (this.active.pos === 0 || this.closed || this.rolling || this.inFlight >= MAX_IN_FLIGHT) return;
    // a commit that does not fit begins the next segment, once the writes to this one are done
    if (this.inFlight > 0 && this.offset + this.active.pos > this.capacity) return;
    this.runHook();
    const out = this.active;
    this.active = this.free.pop() ?? new RecordEncoder();
    const entry = { upto: this.lastSeq, done: false };
    this.commits.push(entry);
    this.inFlight++;
    // (one larger than a whole segment grows the file)
    if (this.inFlight === 1 && this.offset > SEGMENT_MAGIC.length && this.offset + out.pos > this.capacity) {
      this.rolling = true;
      this.roll().then(() => {
        this.rolling = false;
        this.writeOut(out, entry);
      }, (e: Error) => this.onError(e));
    } else this.writeOut(out, entry);
  }

  private writeOut(out: RecordEncoder, entry: { upto: number; done: boolean }): void {
    const at = this.offset;
    const fd = this.fd;
    this.offset += out.pos;
    this.writtenSeq = entry.upto;
    const finish = (): void => {
      out.reset();
      this.free.push(out);
      this.inFlight--;
      entry.done = true;
      let upto = -1;
      while (this.commits.length > 0 && this.commits[0].done) upto = (this.commits.shift() as { upto: number }).upto;
      if (upto >= 0) this.durable(upto);
      this.prepareNext();
      if (this.active.pos > 0 && !this.scheduled) this.commit();
    };
    this.writeAll(fd, out.buf, 0, out.pos, at, (e) => {
      if (e) return this.onError(e);
      if (this.fsync === 'off' || this.dsync) return finish();
      fdatasync(fd, (e2) => (e2 ? this.onError(e2) : finish()));
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

  private writeAll(fd: number, buf: Buffer, from: number, to: number, position: number, done: (e: Error | null) => void): void {
    write(fd, buf, from, to - from, position, (e, n) => {
      if (e) return done(e);
      if (from + n < to) return this.writeAll(fd, buf, from + n, to, position + n, done);
      done(null);
    });
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

  /** Once the current segment is half full, the next one is prepared in the background. */
  private prepareNext(): void {
    if (this.next || this.closed || this.offset < this.capacity / 2) return;
    this.nextReady = false;
    this.next = createSegment(join(this.opts.dir, NEXT_SEGMENT), this.segmentBytes).then(
      () => (this.nextReady = true),
      (e: Error) => {
        // not fatal: the roll creates the segment itself
        console.error(`journal: preparing the next segment failed: ${e.message}`);
        return false;
      },
    );
  }

  /** The next segment (prepared, or created now) takes the name of its first record, `writtenSeq` + 1. */
  private async roll(): Promise<void> {
    this.prepareNext();
    const ready = (await this.next) === true;
    this.next = null;
    this.nextReady = false;
    if (!ready) await createSegment(join(this.opts.dir, NEXT_SEGMENT), this.segmentBytes);
    const name = segmentName(this.writtenSeq + 1);
    await installSegment(this.opts.dir, NEXT_SEGMENT, name);
    const old = this.fd;
    this.writeTo(name);
    if (old >= 0) close(old, () => undefined);
  }

  /** roll() on the spot: the prepared segment when it is ready, else one created now (any file of that name holds no valid record). */
  private rollSync(): void {
    const name = segmentName(this.writtenSeq + 1);
    if (this.nextReady) {
      this.next = null;
      this.nextReady = false;
      installSegmentSync(this.opts.dir, NEXT_SEGMENT, name);
    } else {
      const tmp = `.${name}.tmp`;
      createSegmentSync(join(this.opts.dir, tmp), this.segmentBytes);
      installSegmentSync(this.opts.dir, tmp, name);
    }
    if (this.fd >= 0) closeSync(this.fd);
    this.writeTo(name);
  }

  /** Writing goes on in the fresh segment `name`, after its header. */
  private writeTo(name: string): void {
    this.fd = openSync(join(this.opts.dir, name), this.flags());
    this.offset = SEGMENT_MAGIC.length;
    this.capacity = this.segmentBytes;
  }
}
