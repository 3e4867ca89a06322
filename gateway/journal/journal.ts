// Opening a journal directory: a new one records the configuration (with the
// api keys it generated) and starts empty; an existing one is recovered: its
// configuration rebuilds the Exchange, every record is applied again (a torn
// last record is cut off first), and journaling continues after the last one.
// Ids continue from the journal, so none is ever reused across restarts.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootEpoch, Clock, Exchange, type ExchangeConfig } from '../exchange.ts';
import { applyRecord, JournalRecorder, ReplayTime, type SessionReplay } from './recorder.ts';
import { JournalError, scanJournal, writeFileAtomic, type ScanResult } from './segments.ts';
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
}

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
  /** wall time spent reading and applying the journal, ms */
  ms: number;
}

export interface OpenedJournal {
  /** empty until recover(): the server first attaches its listeners, so replayed reports rebuild what they keep */
  exchange: Exchange;
  /** Replays the journal (null for a new one) into the exchange and `sessions`, then journals every later command. Call once. */
  recover(sessions?: JournaledSessions): Recovery | null;
  recorder(): JournalRecorder;
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

export interface ReplayOptions { repair?: boolean; untilSeq?: number; untilTime?: number; before?: (x: Exchange) => void; sessions?: SessionReplay }

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
  }, opts.repair === true);
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
  return {
    exchange,
    recover(sessions) {
      if (recorder) throw new Error('journal already recovered');
      const t0 = performance.now();
      const scan = meta ? applyJournal(opts.dir, exchange, { repair: true, sessions }, time) : null;
      const writer = new JournalWriter({
        dir: opts.dir, fsync: opts.fsync ?? 'batch', lastSeq: scan?.lastSeq ?? 0, lastTime: scan?.lastTime, segmentBytes: opts.segmentBytes,
      });
      const rec = (recorder = new JournalRecorder(writer));
      if (sessions) writer.beforeCommit = () => sessions.recordProgress(rec);
      exchange.recorder = rec;
      return scan && { ...scan, ms: performance.now() - t0 };
    },
    recorder() {
      if (!recorder) throw new Error('journal not recovered yet');
      return recorder;
    },
    async close() {
      exchange.recorder = null;
      await recorder?.writer.close();
    },
  };
}
