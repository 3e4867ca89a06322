// Instructions per message, steady state, free of the host's load: run under
// valgrind twice with different pass counts and divide the difference by the
// messages of the extra pass (valgrind counts every instruction the process
// executes, JIT code included). For counts that repeat to ~0.01 %: bundle the
// script first (tsx's on-disk transform cache otherwise changes what the
// process executes from one run to the next), keep compilation on the main
// thread (--single-threaded) and fix V8's hash and random seeds. With the cache
// simulated at this CPU's L1 and L2 sizes, misses come out too:
//
//   npx esbuild bench/engine-instructions.ts --bundle --platform=node --format=esm --outfile=/tmp/ei.mjs
//   for p in 1 2; do valgrind --tool=cachegrind --cache-sim=yes --LL=1048576,16,64 --smc-check=all-non-file \
//     --cachegrind-out-file=/dev/null node --single-threaded --hash-seed=1 --random-seed=1 \
//     /tmp/ei.mjs flash-crash $p 500000 engine ../shared/flash1 2>&1 | grep -E 'I *refs|D1  misses|LLd misses'; done
//   # (I refs with 2 passes − I refs with 1 pass) / 500,000 = instructions per message (same for misses)
//
// Arguments: SCENARIO PASSES MESSAGES [engine|textbook] [DATA_DIR]; each pass replays the
// first MESSAGES messages on a fresh engine (or the textbook FIFO). No timing, no hashing.
import path from 'node:path';
import { loadWorkload, sharedDir, type Scenario } from './flash1/workload.ts';
import { replay } from './flash1/replay.ts';
import { replayTextbook } from './flash1/textbook.ts';
import { ReportLog } from './flash1/reports.ts';

const [scenario, passesArg, countArg, who, dir] = process.argv.slice(2);
const w = loadWorkload(scenario as Scenario, path.resolve(dir ?? sharedDir));
const count = Math.min(Number(countArg ?? w.count), w.count);
const log = new ReportLog(count * 2);
for (let i = 0; i < Number(passesArg ?? 1); i++) {
  if (who === 'textbook') replayTextbook(w, count, log);
  else replay(w, undefined, count, log);
}
console.log(`${scenario} ${who === 'textbook' ? 'textbook' : 'engine'}: ${log.length} reports in the last pass`);
