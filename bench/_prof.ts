import { loadWorkload } from '/work/main/bench/flash1/workload.ts';
import { replay } from '/work/main/bench/flash1/replay.ts';
const w = loadWorkload((process.argv[2] ?? 'swing-40') as 'swing-40');
for (let k = 0; k < Number(process.argv[3] ?? 1); k++) { const r = replay(w); console.log(r.seconds); }
