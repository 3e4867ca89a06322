// Market-data bookkeeping: the levels a command touched, reported once each
// (with their final aggregate) when the command ends, so a sweep of one level
// by ten fills yields one update, not ten.
import type { Level } from './level.ts';
import type { BookSide } from './book.ts';

export class LevelChanges {
  private readonly levels: Level[] = [];
  private readonly sides: BookSide[] = [];
  /** identifies the current command; a level touched under the same mark is already listed */
  private mark = 0;

  begin(): void {
    this.mark++;
  }

  touch(lvl: Level, side: BookSide): void {
    if (lvl.touchedAt === this.mark) return;
    lvl.touchedAt = this.mark;
    this.levels.push(lvl);
    this.sides.push(side);
  }

  /** Hands each touched level to `report`, then lets emptied levels be recycled. */
  flush(report: (lvl: Level, side: BookSide) => void): void {
    const n = this.levels.length;
    for (let i = 0; i < n; i++) report(this.levels[i], this.sides[i]);
    for (let i = 0; i < n; i++) this.sides[i].recycle(this.levels[i]);
    this.levels.length = 0;
    this.sides.length = 0;
  }
}
