// Instructions per message, steady state, free of the host's load: run under
// valgrind twice with different pass counts and divide the difference by the
// messages of the extra passes (valgrind counts every instruction the process
// executes, JIT code included; --single-threaded keeps compilation on the main
// thread, so both runs compile the same way):
//
//   for p in 2 4; do valgrind --tool=cachegrind --cache-sim=no --smc-check=all-non-file \
//     --cachegrind-out-file=/dev/null node --single-threaded --import tsx \
//     bench/engine-instructions.ts swing-40 $p 500000 [textbook] 2>&1 | grep 'I *refs'; done
//   # (I refs with 4 passes − I refs with 2 passes) / 1,000,000 = instructions per message
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
