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

export class ReportLog {
  private data = new Int32Array(STRIDE * (1 << 20));
  length = 0;

  push(type: number, seq: number, a: number, b: number, c: number, d: number): void {
    let at = this.length * STRIDE;
    if (at + STRIDE > this.data.length) this.grow();
    const x = this.data;
    x[at++] = type; x[at++] = seq; x[at++] = a; x[at++] = b; x[at++] = c; x[at] = d;
    this.length++;
  }

  private grow(): void {
    const bigger = new Int32Array(this.data.length * 2);
    bigger.set(this.data);
    this.data = bigger;
  }

  private line(i: number): string {
    const x = this.data;
    const k = i * STRIDE;
    const type = x[k];
    const head = `${type},${x[k + 1]},${x[k + 2]}`;
    switch (type) {
      case R_ACK: case R_MODIFY_ACK: case R_TRADE: return `${head},${x[k + 3]},${x[k + 4]},${x[k + 5]}`;
      case R_CANCEL_ACK: return `${head},${x[k + 3]},${x[k + 4]}`;
      default: return head;
    }
  }

  /** Report indices in canonical order: by sequence number, then type, stably. */
  private order(): Uint32Array {
    const idx = new Uint32Array(this.length);
    const x = this.data;
    for (let i = 0; i < this.length; i++) idx[i] = i;
    // Reports are recorded message by message; only within one message may types be out of order.
    let start = 0;
    while (start < this.length) {
      const seq = x[start * STRIDE + 1];
      let end = start + 1;
      while (end < this.length && x[end * STRIDE + 1] === seq) end++;
      for (let i = start + 1; i < end; i++) { // insertion sort: stable, groups are tiny
        const v = idx[i];
        let j = i - 1;
        while (j >= start && x[idx[j] * STRIDE] > x[v * STRIDE]) { idx[j + 1] = idx[j]; j--; }
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
