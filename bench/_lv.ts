import { loadWorkload } from './flash1/workload.ts';
import { replay } from './flash1/replay.ts';
import { BookSide } from '../engine/book.ts';
const proto = BookSide.prototype as unknown as { findOrCreate(p: number): unknown; levels: { price: number }[] };
const orig = proto.findOrCreate;
let calls = 0, sumLen = 0, sumDist = 0, maxLen = 0, deep = 0;
proto.findOrCreate = function (this: BookSide, p: number) {
  const before = this.levels.length;
  const r = orig.call(this, p);
  if (this.levels.length > before) { calls++; sumLen += before; maxLen = Math.max(maxLen, before);
    const d = before - this.levels.indexOf(r as never); sumDist += d; if (d > 50) deep++; }
  return r;
};
for (const s of ['normal','static','swing-25','swing-40','flash-crash'] as const) {
  calls = sumLen = sumDist = maxLen = deep = 0;
  replay(loadWorkload(s));
  console.log(s, 'newLevels', calls, 'avgLen', (sumLen / calls).toFixed(0), 'maxLen', maxLen, 'avgDistFromBest', (sumDist / calls).toFixed(1), 'deep>50', deep);
}
