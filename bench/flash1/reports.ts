// The canonical flash1 report stream: recorded compactly during the timed
// replay (six int32 per report), rendered to text and hashed afterwards.
import { createHash } from 'node:crypto';

export const R_ACK = 0;
export const R_TRADE = 1;
export const R_CANCEL_ACK = 2;
export const R_MODIFY_ACK = 3;
export const R_CANCEL_REJECT = 4;
export const R_MODIFY_REJECT = 5;

const STRIDE = 6; // type, seq, a, b, c, d

const CHUNK = 1 << 16; // reports per chunk: the log grows by chunks, never copies

export class ReportLog {
  private readonly chunks: Int32Array[] = [];
  private cur: Int32Array = new Int32Array(0);
  private at = 0;
  private spare = 0;
  length = 0;

  /**
   * Commits memory for about `expected` reports up front (writing it, so the
   * page faults happen here and not inside the timed replay).
   */
  constructor(expected = 0) {
    for (let n = 0; n < expected; n += CHUNK) this.chunks.push(new Int32Array(CHUNK * STRIDE).fill(-1));
    this.spare = this.chunks.length;
    if (this.spare > 0) this.cur = this.chunks[0];
  }

  push(type: number, seq: number, a: number, b: number, c: number, d: number): void {
    let k = this.at;
    if (k === this.cur.length) k = this.addChunk();
    const x = this.cur;
    x[k] = type; x[k + 1] = seq; x[k + 2] = a; x[k + 3] = b; x[k + 4] = c; x[k + 5] = d;
    this.at = k + STRIDE;
    this.length++;
  }

  /** Empties the log, keeping its memory (passes reuse one log: no fresh 100 MB, no GC it would provoke). */
  clear(): void {
    this.cur = this.chunks.length > 0 ? this.chunks[0] : new Int32Array(0);
    this.spare = this.chunks.length;
    this.at = 0;
    this.length = 0;
  }

  private addChunk(): number {
    const used = Math.ceil(this.length / CHUNK);
    if (used < this.spare) this.cur = this.chunks[used];
    else this.chunks.push((this.cur = new Int32Array(CHUNK * STRIDE)));
    this.at = 0;
    return 0;
  }

  /** Field f of report i. */
  private get(i: number, f: number): number {
    return this.chunks[Math.floor(i / CHUNK)][(i % CHUNK) * STRIDE + f];
  }

  private line(i: number): string {
    const type = this.get(i, 0);
    const head = `${type},${this.get(i, 1)},${this.get(i, 2)}`;
    switch (type) {
      case R_ACK: case R_MODIFY_ACK: case R_TRADE: return `${head},${this.get(i, 3)},${this.get(i, 4)},${this.get(i, 5)}`;
      case R_CANCEL_ACK: return `${head},${this.get(i, 3)},${this.get(i, 4)}`;
      default: return head;
    }
  }

  /** Report indices in canonical order: by sequence number, then type, stably. */
  private order(): Uint32Array {
    const idx = new Uint32Array(this.length);
    for (let i = 0; i < this.length; i++) idx[i] = i;
    // Reports are recorded message by message; only within one message may types be out of order.
    let start = 0;
    while (start < this.length) {
      const seq = this.get(start, 1);
      let end = start + 1;
      while (end < this.length && this.get(end, 1) === seq) end++;
      for (let i = start + 1; i < end; i++) { // insertion sort: stable, groups are tiny
        const v = idx[i];
        let j = i - 1;
        while (j >= start && this.get(idx[j], 0) > this.get(v, 0)) { idx[j + 1] = idx[j]; j--; }
        idx[j + 1] = v;
      }
      start = end;
    }
    return idx;
  }

  /** Streams the canonical text (lines joined by \n, no trailing newline) to `write`. */
  render(write: (chunk: string) => void): void {
    const idx = this.order();
    let chunk: string[] = [];
    for (let i = 0; i < idx.length; i++) {
      chunk.push(this.line(idx[i]));
      if (chunk.length === 65536) {
        write((i + 1 > chunk.length ? '\n' : '') + chunk.join('\n'));
        chunk = [];
      }
    }
    if (chunk.length) write((idx.length > chunk.length ? '\n' : '') + chunk.join('\n'));
  }

  sha256(): string {
    const h = createHash('sha256');
    this.render((s) => h.update(s, 'utf8'));
    return h.digest('hex');
  }
}
