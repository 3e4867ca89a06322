// Market-data bookkeeping: the levels a command touched, reported once each
// (with their final aggregate) when the command ends, so a sweep of one level
// by ten fills yields one update, not ten.
import type { Level } from './level.ts';
import type { BookSide } from './book.ts';
import type { EventSink, LevelEvent } from './events.ts';
import { objectArray } from './arrays.ts';
import type { Emitter } from './emitter.ts';

export class LevelChanges {
  private readonly levels = objectArray<Level>();
  private readonly sides = objectArray<BookSide>();
  /** entries in use (the arrays are reused, never shrunk: cheaper than truncating) */
  private n = 0;
  /** identifies the current command; a level touched under the same mark is already listed */
  private mark = 0;
  /** false while the sink ignores level events: nothing is tracked */
  on = true;

  begin(): void {
    this.mark++;
  }

  touch(lvl: Level, side: BookSide): void {
    if (lvl.touchedAt === this.mark || !this.on) return;
    lvl.touchedAt = this.mark;
    this.levels[this.n] = lvl;
    this.sides[this.n++] = side;
  }

  /** Reports the touched levels through the emitter's sink, numbered on from its sequence; tiny, for the engine's command path to inline. */
  flushTo(out: Emitter, time: number): void {
    if (this.n !== 0) out.seq = this.flush(out.sink, out.level, time, out.seq);
  }

  /**
   * Reports each touched level through `ev` (sequence numbers from `seq` + 1
   * on), then lets emptied levels be recycled. Returns the last sequence number used.
   */
  flush(sink: EventSink, ev: LevelEvent, time: number, seq: number): number {
    const n = this.n;
    if (n === 0) return seq;
    for (let i = 0; i < n; i++) {
      const lvl = this.levels[i];
      const side = this.sides[i];
      ev.seq = ++seq;
      ev.time = time;
      ev.symbol = side.symbol;
      ev.side = side.side;
      ev.price = lvl.price;
      ev.qty = lvl.qty;
      ev.count = lvl.count;
      sink.level(ev);
    }
    for (let i = 0; i < n; i++) this.sides[i].recycleRemoved();
    this.n = 0;
    return seq;
  }
}
