// Snapshot files: the whole state after one journal record, so recovery loads
// the newest valid one and replays only the records after it.
//
// `DIR/<seq, 16 digits>.snapshot`: the 8 bytes `MBSNAP\0\1`, the payload's
// length (u32 LE) and CRC32C (u32 LE), then the payload: UTF-8 JSON
// { seq, time, parts: { name: data } }. Written atomically off the event loop
// (temporary file, fsync, rename, fsync of the directory); a file that fails
// its checksum is skipped for an older one.
import { crc32c } from '@node-rs/crc32';
import { readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { captureGraph, ENGINE_SNAPSHOT_POLICY, mergePolicies, restoreGraph, unknownClasses, type GraphPolicy, type GraphSnapshot } from '../../engine/snapshot.ts';
import { Exchange } from '../exchange.ts';
import { fsyncDir, JournalError } from './segments.ts';

export const SNAPSHOT_MAGIC = Buffer.from('MBSNAP\u0000\u0001', 'latin1');
const SNAPSHOT_RE = /^(\d{16})\.snapshot$/;
const HEADER = SNAPSHOT_MAGIC.length + 8;

export const snapshotName = (seq: number): string => `${String(seq).padStart(16, '0')}.snapshot`;

/** A part of the server's state kept in snapshots: plain JSON-safe data out, and back in on recovery. */
export interface SnapshotPart {
  save(): unknown;
  load(data: unknown): void;
  /** why `data` cannot be loaded here (checked for every part before any is loaded), or null */
  check?(data: unknown): string | null;
}

export interface SnapshotContent {
  /** the last journal record the state includes */
  seq: number;
  /** that record's exchange time */
  time: number;
  parts: Record<string, unknown>;
}

/** The snapshot files of `dir`, newest first, with their sequence numbers. */
export function snapshotFiles(dir: string): { file: string; seq: number }[] {
  return readdirSync(dir).flatMap((f) => {
    const m = SNAPSHOT_RE.exec(f);
    return m ? [{ file: f, seq: Number(m[1]) }] : [];
  }).sort((a, b) => b.seq - a.seq);
}

export function encodeSnapshot(s: SnapshotContent): Buffer {
  return framePayload(Buffer.from(JSON.stringify(s)));
}

/**
 * encodeSnapshot in slices: each part is turned into JSON on a turn of its own (the parts are
 * already a copy of the state, captured at one instant), so order entry runs between them.
 * The bytes equal encodeSnapshot's. `slowest`: the longest slice, ms.
 */
export async function encodeSnapshotSliced(s: SnapshotContent, slowest: { ms: number } = { ms: 0 }): Promise<Buffer> {
  const chunks: Buffer[] = [Buffer.from(`{"seq":${JSON.stringify(s.seq)},"time":${JSON.stringify(s.time)},"parts":{`)];
  let first = true;
  for (const [name, data] of Object.entries(s.parts)) {
    await new Promise((r) => setImmediate(r));
    const t0 = performance.now();
    const json = JSON.stringify(data);
    // a part whose data is undefined is left out, as JSON.stringify leaves it out of the whole
    if (json !== undefined) {
      chunks.push(Buffer.from(`${first ? '' : ','}${JSON.stringify(name)}:${json}`));
      first = false;
    }
    slowest.ms = Math.max(slowest.ms, performance.now() - t0);
  }
  chunks.push(Buffer.from('}}'));
  await new Promise((r) => setImmediate(r));
  const t0 = performance.now();
  const out = framePayload(Buffer.concat(chunks));
  slowest.ms = Math.max(slowest.ms, performance.now() - t0);
  return out;
}

function framePayload(payload: Buffer): Buffer {
  const head = Buffer.alloc(HEADER);
  SNAPSHOT_MAGIC.copy(head);
  head.writeUInt32LE(payload.length, SNAPSHOT_MAGIC.length);
  head.writeUInt32LE(crc32c(payload), SNAPSHOT_MAGIC.length + 4);
  return Buffer.concat([head, payload]);
}

/** The snapshot in `path`, or why it is not valid (cut short, checksum, not a snapshot). */
export function readSnapshot(path: string): SnapshotContent | { invalid: string } {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    return { invalid: (e as Error).message };
  }
  if (buf.length < HEADER || !buf.subarray(0, SNAPSHOT_MAGIC.length).equals(SNAPSHOT_MAGIC)) return { invalid: 'not a snapshot file' };
  const len = buf.readUInt32LE(SNAPSHOT_MAGIC.length);
  if (buf.length !== HEADER + len) return { invalid: `${buf.length - HEADER} bytes of payload, the header says ${len}` };
  const payload = buf.subarray(HEADER);
  if (crc32c(payload) !== buf.readUInt32LE(SNAPSHOT_MAGIC.length + 4)) return { invalid: 'checksum mismatch' };
  try {
    const s = JSON.parse(payload.toString('utf8')) as SnapshotContent;
    if (!Number.isSafeInteger(s.seq) || typeof s.parts !== 'object' || s.parts === null) return { invalid: 'no sequence number or parts' };
    return s;
  } catch (e) {
    return { invalid: (e as Error).message };
  }
}

/** Writes `data` as `dir/name` atomically, off the event loop: temporary file, fsync, rename, fsync of the directory. */
export async function writeFileAtomicAsync(dir: string, name: string, data: Buffer): Promise<void> {
  const tmp = join(dir, `.${name}.tmp`);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, join(dir, name));
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

/** Deletes all but the newest `keep` snapshots. */
export async function pruneSnapshots(dir: string, keep: number): Promise<void> {
  for (const s of snapshotFiles(dir).slice(keep)) await unlink(join(dir, s.file)).catch(() => undefined);
}

/** Synchronous removal of leftovers of a snapshot write cut off by a crash. */
export function removeSnapshotTemps(dir: string): void {
  let removed = false;
  for (const f of readdirSync(dir)) {
    if (/^\.\d{16}\.snapshot\.tmp$/.test(f)) {
      unlinkSync(join(dir, f));
      removed = true;
    }
  }
  if (removed) fsyncDir(dir);
}

/** A GraphSnapshot as JSON-safe data (its tag bytes in base64). */
export function graphToJson(g: GraphSnapshot): unknown {
  return { ...g, tags: Buffer.from(g.tags.buffer, g.tags.byteOffset, g.tags.length).toString('base64') };
}

export function graphFromJson(d: unknown): GraphSnapshot {
  const g = d as Omit<GraphSnapshot, 'tags'> & { tags: string };
  return { ...g, tags: new Uint8Array(Buffer.from(g.tags, 'base64')) };
}

/** A snapshot part holding an object graph (captured and restored in place: engine/snapshot.ts). */
export function graphPart(root: object, policy: GraphPolicy): SnapshotPart {
  return {
    save: () => graphToJson(captureGraph(root, policy)),
    load: (d) => restoreGraph(root, graphFromJson(d), policy),
    check: (d) => {
      const unknown = unknownClasses(root, graphFromJson(d), policy);
      return unknown.length > 0 ? `classes this code does not have: ${unknown.join(', ')}` : null;
    },
  };
}

export interface JournalPosition {
  position(): { seq: number; time: number };
  whenDurable(fn: () => void): void;
}

export interface SnapshotOptions {
  /** a snapshot after every this many journal records (0: only on request) */
  every?: number;
  /** snapshots kept (oldest deleted first; at least 1) */
  keep?: number;
  /** delete the segments every kept snapshot already covers (replay and export then start at the oldest snapshot's records) */
  pruneSegments?: boolean;
}

export interface SnapshotTaken {
  seq: number;
  file: string;
  bytes: number;
  /** capturing the state (on the event loop, in one piece: order entry waits this long), ms */
  capture_ms: number;
  /** the longest of the slices the encoding ran in (on the event loop, one part each), ms */
  encode_slice_ms: number;
  /** encoding (in slices) and writing it (the write itself off the event loop), ms of wall time */
  write_ms: number;
}

export interface SnapshotLoaded {
  seq: number;
  file: string;
  ms: number;
  /** newer snapshot files that were not valid, and why */
  skipped: string[];
}

/**
 * The snapshots of one journal directory: the parts of the state they hold,
 * taking one (every N records, or on request), and loading the newest valid one.
 */
export class Snapshotter {
  private readonly parts = new Map<string, SnapshotPart>();
  private chain: Promise<unknown> = Promise.resolve();
  readonly every: number;
  readonly keep: number;
  readonly pruneSegments: boolean;
  /** the sequence number of the newest snapshot written (0: none) */
  lastSeq = 0;

  /**
   * `journal`: where it stands (the last record appended, whose command has run) and when what is
   * appended is durable (a snapshot is written only once the records it covers are).
   */
  constructor(readonly dir: string, private readonly journal: JournalPosition, opts: SnapshotOptions = {},
    private readonly onPrune: (upto: number) => Promise<void> = async () => {}) {
    this.every = opts.every ?? 0;
    this.keep = Math.max(1, opts.keep ?? 2);
    this.pruneSegments = opts.pruneSegments === true;
  }

  /** Adds a part of the state (before recovery: a part added later is missing from the snapshot loaded). */
  add(name: string, part: SnapshotPart): void {
    if (this.parts.has(name)) throw new Error(`snapshot part ${name} already added`);
    this.parts.set(name, part);
  }

  /** Captures the state now (between two commands) and writes it; snapshots are written one at a time. */
  take(): Promise<SnapshotTaken> {
    const t0 = performance.now();
    const { seq, time } = this.journal.position();
    const parts: Record<string, unknown> = {};
    for (const [name, p] of this.parts) parts[name] = p.save();
    const t1 = performance.now();
    const slice = { ms: 0 };
    const encoded = encodeSnapshotSliced({ seq, time, parts }, slice);
    const file = snapshotName(seq);
    const durable = new Promise<void>((resolve) => this.journal.whenDurable(resolve));
    const run = this.chain.then(async () => {
      const buf = await encoded;
      await durable;
      await writeFileAtomicAsync(this.dir, file, buf);
      this.lastSeq = Math.max(this.lastSeq, seq);
      await pruneSnapshots(this.dir, this.keep);
      if (this.pruneSegments) {
        const oldest = snapshotFiles(this.dir).at(-1);
        if (oldest) await this.onPrune(oldest.seq);
      }
      return { seq, file, bytes: buf.length, capture_ms: t1 - t0, encode_slice_ms: slice.ms, write_ms: performance.now() - t1 };
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Waits for the snapshots being written. */
  async flush(): Promise<void> {
    await this.chain;
  }

  /**
   * Loads the newest valid snapshot into the parts (null: there is none; seq 0: none was valid — replay from the start).
   * A file that fails its checksum, or names a class this code does not have, is skipped for an older one.
   */
  load(): SnapshotLoaded | null {
    removeSnapshotTemps(this.dir);
    const skipped: string[] = [];
    for (const { file } of snapshotFiles(this.dir)) {
      const t0 = performance.now();
      const s = readSnapshot(join(this.dir, file));
      if ('invalid' in s) {
        skipped.push(`${file}: ${s.invalid}`);
        continue;
      }
      const missing = [...this.parts.keys()].filter((n) => !(n in s.parts));
      if (missing.length > 0) {
        skipped.push(`${file}: no ${missing.join(', ')}`);
        continue;
      }
      const known = this.check(s);
      if (known !== null) {
        skipped.push(`${file}: ${known}`);
        continue;
      }
      try {
        for (const [name, p] of this.parts) p.load(s.parts[name]);
      } catch (e) {
        // the parts are restored in place: half restored, they cannot fall back to another snapshot in this process
        throw new JournalError(`${join(this.dir, file)} could not be loaded (${(e as Error).message}): `
          + 'move it out of the directory to recover from an older snapshot or the whole journal');
      }
      this.lastSeq = s.seq;
      return { seq: s.seq, file, ms: performance.now() - t0, skipped };
    }
    return skipped.length > 0 ? { seq: 0, file: '', ms: 0, skipped } : null;
  }

  /** null when every graph part's classes are known here (checked before anything is overwritten), else why not. */
  private check(s: SnapshotContent): string | null {
    for (const [name, p] of this.parts) {
      const err = p.check?.(s.parts[name]);
      if (err) return err;
    }
    return null;
  }
}

/**
 * The Exchange and the engine under it, as one graph. Kept from the fresh
 * Exchange: who listens (sessions, market data, metrics attach before
 * recovery), the journal itself and the engine's event sink.
 */
export const EXCHANGE_SNAPSHOT_POLICY: GraphPolicy = mergePolicies(ENGINE_SNAPSHOT_POLICY, {
  external: new Map([[Exchange, new Set(['listeners', 'taps', 'market', 'observers', 'ruleListeners', 'recorder', 'l3Listeners'])]]),
});
