// Market-data bookkeeping: the levels a command touched, reported once each
// (with their final aggregate) when the command ends, so a sweep of one level
// by ten fills yields one update, not ten.
import type { Level } from './level.ts';
import type { BookSide } from './book.ts';

export class LevelChanges {
  private readonly levels: Level[] = [];
  private readonly sides: BookSide[] = [];
  /** entries in use (the arrays are reused, never shrunk: cheaper than truncating) */
  private n = 0;
  /** identifies the current command; a level touched under the same mark is already listed */
  private mark = 0;

  begin(): void {
    this.mark++;
  }

  touch(lvl: Level, side: BookSide): void {
    if (lvl.touchedAt === this.mark) return;
    lvl.touchedAt = this.mark;
    this.levels[this.n] = lvl;
    this.sides[this.n++] = side;
  }

  /** Hands each touched level to `report`, then lets emptied levels be recycled. */
  flush(report: (lvl: Level, side: BookSide) => void): void {
    const n = this.n;
    for (let i = 0; i < n; i++) report(this.levels[i], this.sides[i]);
    for (let i = 0; i < n; i++) this.sides[i].recycleRemoved();
    this.n = 0;
  }
}
