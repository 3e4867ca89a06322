// Requests awaiting their answer, keyed by what the answer will carry (a
// cl_ord_id, a quote_id, …) and by the sequence number they went out with,
// so a session Reject (ref_seq_num) or a lost-in-flight range can find them.
// Bounded in number and in time: every entry ends resolved, rejected or
// timed out.
import { realTimers, unref, type TimerHandle, type Timers } from '../gateway/timers.ts';
import { ClientError } from './errors.ts';

interface Entry {
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: TimerHandle;
  seq: number;
}

/** `Answers` maps each request kind to the type its promise resolves with. */
export class PendingRequests<Answers extends object> {
  private readonly byKey = new Map<string, Entry>();
  private readonly bySeq = new Map<number, string>();

  constructor(private readonly max: number, private readonly timeoutMs: number, private readonly timers: Timers = realTimers) {}

  get size(): number {
    return this.byKey.size;
  }

  has<K extends keyof Answers & string>(kind: K, id: string): boolean {
    return this.byKey.has(`${kind}:${id}`);
  }

  /**
   * Registers a request; the caller then sends it and calls sent() with its
   * sequence number. Throws (before anything is sent) when the id is already
   * pending or the table is full.
   */
  open<K extends keyof Answers & string>(kind: K, id: string): Promise<Answers[K]> {
    const key = `${kind}:${id}`;
    if (this.byKey.has(key)) throw new ClientError('invalid_argument', `a ${kind} request with id ${id} is already pending`);
    if (this.byKey.size >= this.max) throw new ClientError('too_many_pending', `${this.byKey.size} requests already await an answer`);
    return new Promise<Answers[K]>((resolve, reject) => {
      const timer = unref(this.timers.setTimeout(() => this.fail(key, new ClientError('timeout', `no answer to ${kind} ${id} within ${this.timeoutMs} ms`)), this.timeoutMs));
      this.byKey.set(key, { resolve: (v) => resolve(v as Answers[K]), reject, timer, seq: 0 });
    });
  }

  sent<K extends keyof Answers & string>(kind: K, id: string, seq: number): void {
    const key = `${kind}:${id}`;
    const e = this.byKey.get(key);
    if (!e) return;
    e.seq = seq;
    this.bySeq.set(seq, key);
  }

  /** Resolves a request with its answer; false if none was pending under that id. */
  settle<K extends keyof Answers & string>(kind: K, id: string, answer: Answers[K]): boolean {
    const key = `${kind}:${id}`;
    const e = this.take(key);
    if (!e) return false;
    e.resolve(answer);
    return true;
  }

  /** Rejects one request (e.g. its send failed). */
  abort<K extends keyof Answers & string>(kind: K, id: string, err: Error): void {
    this.fail(`${kind}:${id}`, err);
  }

  /** Rejects the request that went out as `seq`, if one is pending. */
  failSeq(seq: number, err: Error): boolean {
    const key = this.bySeq.get(seq);
    return key !== undefined && this.fail(key, err);
  }

  /** Rejects every request sent as begin … end (inclusive). */
  failSeqRange(begin: number, end: number, err: (seq: number) => Error): number {
    let n = 0;
    for (const [seq, key] of [...this.bySeq]) if (seq >= begin && seq <= end && this.fail(key, err(seq))) n++;
    return n;
  }

  failAll(err: Error): void {
    for (const key of [...this.byKey.keys()]) this.fail(key, err);
  }

  private fail(key: string, err: Error): boolean {
    const e = this.take(key);
    if (!e) return false;
    e.reject(err);
    return true;
  }

  private take(key: string): Entry | undefined {
    const e = this.byKey.get(key);
    if (!e) return undefined;
    this.timers.clearTimeout(e.timer);
    this.byKey.delete(key);
    if (e.seq) this.bySeq.delete(e.seq);
    return e;
  }
}
