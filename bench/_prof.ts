import { loadWorkload } from './flash1/workload.ts';
import { replay } from './flash1/replay.ts';
const w = loadWorkload((process.argv[2] ?? 'swing-40') as 'swing-40');
let best = 9;
for (let k = 0; k < Number(process.argv[3] ?? 1); k++) best = Math.min(best, replay(w).seconds);
console.log(best);
