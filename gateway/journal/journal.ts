// Opening a journal directory: a new one records the configuration (with the
// api keys it generated) and starts empty; an existing one is recovered: its
// configuration rebuilds the Exchange, every record is applied again (a torn
// last record is cut off first), and journaling continues after the last one.
// Ids continue from the journal, so none is ever reused across restarts.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { bootEpoch, Clock, Exchange, type ExchangeConfig } from '../exchange.ts';
import { applyRecord, JournalRecorder, ReplayTime, type SessionReplay } from './recorder.ts';
import { JournalError, scanJournal, segmentFiles, segmentFirstSeq, writeFileAtomic, type ScanResult } from './segments.ts';
import { EXCHANGE_SNAPSHOT_POLICY, graphPart, Snapshotter, type SnapshotLoaded, type SnapshotOptions } from './snapshot.ts';
import { JournalWriter, type FsyncPolicy } from './writer.ts';
import type { JournalRecord } from './codec.ts';

export const META_FILE = 'journal.json';

export interface JournalOptions {
  dir: string;
  /** default batch */
  fsync?: FsyncPolicy;
  segmentBytes?: number;
  /** where the run came from (command line, scenario, seed): kept in journal.json for bug-report bundles */
  origin?: Record<string, unknown>;
  /** ids start above this in a new journal (default bootEpoch()); a recovered journal keeps its own, so ids continue */
  idEpoch?: number;
  /** snapshots: every N records, how many kept, pruning of segments (default: every 1,000,000 records, 2 kept, no pruning) */
  snapshots?: SnapshotOptions;
}

/** Records between two automatic snapshots, by default. */
export const DEFAULT_SNAPSHOT_EVERY = 1_000_000;

/** The journal's metadata: the configuration as given, and as run (generated api keys filled in). */
export interface JournalMeta {
  format: 1;
  given: ExchangeConfig;
  config: ExchangeConfig;
  /** the id epoch of the journal's first boot (Exchange idEpoch): kept, so ids continue across restarts instead of jumping */
  idEpoch: number;
  /** free-form provenance for bug-report bundles: scenario, seed, command line */
  origin?: Record<string, unknown>;
}

export interface Recovery extends ScanResult {
  /** wall time spent loading the snapshot and reading and applying the journal, ms */
  ms: number;
  /** the snapshot loaded (the records replayed are those after it); null: the whole journal was replayed */
  snapshot: SnapshotLoaded | null;
  /** newer snapshot files that were not valid (checksum, unknown classes), and why */
  skippedSnapshots: string[];
}

export interface OpenedJournal {
  /** empty until recover(): the server first attaches its listeners, so replayed reports rebuild what they keep */
  exchange: Exchange;
  /** Replays the journal (null for a new one) into the exchange and `sessions`, then journals every later command. Call once. */
  recover(sessions?: JournaledSessions): Recovery | null;
  recorder(): JournalRecorder;
  /** the snapshots: parts of the state they hold (add before recover()), take one */
  snapshots: Snapshotter;
  close(): Promise<void>;
}

export function readMeta(dir: string): JournalMeta | null {
  const path = join(dir, META_FILE);
  if (!existsSync(path)) return null;
  const meta = JSON.parse(readFileSync(path, 'utf8')) as JournalMeta;
  if (meta.format !== 1) throw new JournalError(`${path}: unknown journal format ${String(meta.format)}`);
  return meta;
}

const sameConfig = (a: ExchangeConfig, b: ExchangeConfig): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Replays the journal of `dir` into a fresh Exchange (built from the journal's
 * own configuration) up to and including record `untilSeq` or time `untilTime`.
 * `time` is the Exchange's time source (its `at` is each record's time).
 */
export function replayInto(dir: string, opts: ReplayOptions = {}, time = new ReplayTime()): { exchange: Exchange; scan: ScanResult } {
  const meta = readMeta(dir);
  if (!meta) throw new JournalError(`${dir}: no ${META_FILE}: not a journal directory`);
  const exchange = new Exchange(meta.config, new Clock(time.now), meta.idEpoch);
  opts.before?.(exchange);
  return { exchange, scan: applyJournal(dir, exchange, opts, time) };
}

export interface ReplayOptions {
  repair?: boolean; untilSeq?: number; untilTime?: number; before?: (x: Exchange) => void; sessions?: SessionReplay;
  /** records up to this one are skipped (a snapshot holds their effect) */
  fromSeq?: number;
}

/** Order-entry sessions kept in the journal: rebuilt by a replay; their inbound sequence numbers are appended with each commit. */
export interface JournaledSessions extends SessionReplay {
  recordProgress(recorder: { sessionIn(account: number, nextIn: number): void }): void;
}

/** Applies the journal's records to `exchange` (whose clock reads `time`). */
function applyJournal(dir: string, exchange: Exchange, opts: ReplayOptions, time: ReplayTime): ScanResult {
  const untilSeq = opts.untilSeq ?? Infinity;
  const untilTime = opts.untilTime ?? Infinity;
  return scanJournal(dir, (r: JournalRecord) => {
    if (r.seq > untilSeq || r.time > untilTime) return false;
    applyRecord(exchange, r, time, opts.sessions);
  }, opts.repair === true, opts.fromSeq ?? 0);
}

/**
 * Opens (creating or recovering) the journal in `opts.dir` for a server whose
 * exchange clock is `live`. A journal written under another configuration is
 * refused: its commands mean something else there.
 */
export function openJournal(config: ExchangeConfig, live: () => number, opts: JournalOptions): OpenedJournal {
  const origin = opts.origin;
  mkdirSync(opts.dir, { recursive: true });
  const meta = readMeta(opts.dir);
  const time = new ReplayTime(live);
  let exchange: Exchange;
  if (meta) {
    if (!sameConfig(meta.given, config)) {
      throw new JournalError(`${opts.dir} was written under another configuration: start with the same --config/--profile, or use a new --journal directory`);
    }
    exchange = new Exchange(meta.config, new Clock(time.now), meta.idEpoch);
  } else {
    const idEpoch = opts.idEpoch ?? bootEpoch();
    exchange = new Exchange(config, new Clock(time.now), idEpoch);
    const run = structuredClone(config);
    const ids = exchange.engine.accountIds();
    (run.accounts ?? []).forEach((a, i) => { a.api_key = exchange.accountInfo(ids[i])?.apiKey; });
    const fresh: JournalMeta = { format: 1, given: config, config: run, idEpoch, ...(origin ? { origin } : {}) };
    writeFileAtomic(opts.dir, META_FILE, JSON.stringify(fresh, null, 2));
  }
  let recorder: JournalRecorder | null = null;
  const dir = opts.dir;
  const snapshots = new Snapshotter(dir, {
    position: () => ({ seq: recorder?.writer.seq ?? 0, time: recorder?.writer.lastTime ?? 0 }),
    whenDurable: (fn) => (recorder ? recorder.whenDurable(fn) : fn()),
  }, { every: DEFAULT_SNAPSHOT_EVERY, ...opts.snapshots }, (upto) => pruneSegments(dir, upto));
  snapshots.add('exchange', graphPart(exchange, EXCHANGE_SNAPSHOT_POLICY));
  return {
    exchange,
    snapshots,
    recover(sessions) {
      if (recorder) throw new Error('journal already recovered');
      const t0 = performance.now();
      const snap = meta ? snapshots.load() : null;
      const scan = meta ? applyJournal(dir, exchange, { repair: true, sessions, fromSeq: snap?.seq ?? 0 }, time) : null;
      const writer = new JournalWriter({
        dir, fsync: opts.fsync ?? 'batch', lastSeq: scan?.lastSeq ?? 0, lastTime: scan?.lastTime, segmentBytes: opts.segmentBytes,
        endFile: scan?.endFile, endOffset: scan?.endOffset,
      });
      const rec = (recorder = new JournalRecorder(writer));
      rec.snapshots = snapshots;
      if (sessions) writer.beforeCommit = () => sessions.recordProgress(rec);
      if (snapshots.every > 0) {
        writer.snapshotAt = snapshots.lastSeq + snapshots.every;
        writer.onSnapshotDue = () => {
          writer.snapshotAt = writer.seq + snapshots.every;
          // a snapshot that cannot be written costs a longer recovery, not durability: the journal has every record
          snapshots.take().catch((e: Error) => console.error(`journal: snapshot not written: ${e.message}`));
        };
      }
      exchange.recorder = rec;
      return scan && { ...scan, ms: performance.now() - t0, snapshot: snap && snap.seq > 0 ? snap : null, skippedSnapshots: snap?.skipped ?? [] };
    },
    recorder() {
      if (!recorder) throw new Error('journal not recovered yet');
      return recorder;
    },
    async close() {
      exchange.recorder = null;
      await snapshots.flush().catch(() => undefined);
      await recorder?.writer.close();
    },
  };
}

/** Deletes the segments whose records all are at or before `upto` (never the newest). */
async function pruneSegments(dir: string, upto: number): Promise<void> {
  const files = segmentFiles(dir);
  for (let i = 0; i + 1 < files.length && segmentFirstSeq(files[i + 1]) <= upto + 1; i++) {
    await unlink(join(dir, files[i])).catch(() => undefined);
  }
}
