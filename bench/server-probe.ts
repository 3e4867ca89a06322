// Preloaded into a bench's server process (node --import tsx --import
// bench/server-probe.ts …): the server's own event-loop delay and GC pauses
// per measured phase, the server-side view of a client's latency tail. On
// SIGUSR2 it appends one JSON line (ProcessStats, child-link.ts) for the time
// since the previous signal to the file named by MAKERBENCH_PROBE_FILE, and
// starts counting again. A file rather than stdout: nothing moves on the
// server's streams while a phase is measured. At the first signal it
// collects all garbage first: what filling the book left in the young
// generation is promoted then, in one pause before the first measured phase,
// instead of in a 5-10 ms scavenge in whichever phase comes first.
//
// With MAKERBENCH_PROBE_PROFILE=DIR it also takes a CPU profile per interval
// between signals (DIR/interval-N.cpuprofile, for Chrome DevTools or
// `node --cpu-prof`'s tools): where the server's time went in each phase.
import { appendFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Monitor } from './child-link.ts';

const file = process.env.MAKERBENCH_PROBE_FILE;
const profileDir = process.env.MAKERBENCH_PROBE_PROFILE;
/** with MAKERBENCH_PROBE_HEAP=1 the profiles are of allocations (sampling heap profiler, .heapprofile) instead of CPU time */
const heap = process.env.MAKERBENCH_PROBE_HEAP === '1';

/** Starts a profile; the returned function stops it and writes it to `to`. */
function profiler(): ((to: string) => void) | null {
  if (!profileDir) return null;
  const session = new Session();
  session.connect();
  const start = (): void => {
    if (heap) session.post('HeapProfiler.enable', () => session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true }));
    else session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 100 }, () => session.post('Profiler.start')));
  };
  start();
  return (to) => {
    if (heap) {
      session.post('HeapProfiler.stopSampling', (err, res) => {
        if (!err) writeFileSync(to.replace(/\.cpuprofile$/, '.heapprofile'), JSON.stringify(res.profile));
        start();
      });
      return;
    }
    session.post('Profiler.stop', (err, res) => {
      if (!err) writeFileSync(to, JSON.stringify(res.profile));
      start();
    });
  };
}

if (file) {
  const monitor = new Monitor();
  const cutProfile = profiler();
  let n = 0;
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const cut = (): void => {
    appendFileSync(file, `${JSON.stringify(monitor.stats())}\n`);
    monitor.reset();
    if (cutProfile && profileDir) cutProfile(path.join(profileDir, `interval-${n}.cpuprofile`));
    n++;
  };
  process.on('SIGUSR2', () => {
    if (n > 0) return cut();
    // the collection's own pause and GC entry (delivered later) belong to no phase: the interval ends after them
    gc();
    setTimeout(cut, 20);
  });
}
