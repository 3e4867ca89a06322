// What else the benches measure over an interval besides their own figures:
// CPU use of server, client and the rest of the machine (a figure measured on
// a contended machine must say so), event-loop stalls and GC pauses on both
// sides (where a latency tail comes from).
import { readFileSync } from 'node:fs';
import { build, type Histogram } from 'hdr-histogram-js';
import type { ChildServer } from './gateway-child.ts';
import { Monitor, type ProcessStats } from './child-link.ts';

/** Busy CPU time of the whole machine so far, µs (/proc/stat: all but idle and iowait; 10 ms ticks); NaN without /proc. */
function machineBusyMicros(): number {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return (total - f[3] - f[4]) * 10_000;
  } catch {
    return NaN;
  }
}

/** The client's own event loop and GC, one monitor for the whole run (each one adds a GC observer). */
let clientMonitor: Monitor | undefined;

/**
 * One measurement interval, [from, to) in this process's performance.now()
 * ms: CPU use in cores of the server child, this client, and other =
 * everything else busy on the machine (other processes, e.g. concurrent
 * builds, plus kernel work not charged to a process); both processes'
 * event-loop delay (a stalled client inflates measured latency as much as a
 * stalled server); both processes' GC pauses. Construct it before the load
 * starts (it tells the server the interval then), call begin() at `from`
 * and read() after `to`.
 */
export class Measurement {
  private readonly client = (clientMonitor ??= new Monitor());
  private wall0 = 0;
  private server0 = 0;
  private client0 = process.cpuUsage();
  private machine0 = 0;

  constructor(private readonly server: ChildServer, from: number, to: number) {
    server.measureWindow(performance.timeOrigin + from, performance.timeOrigin + to);
  }

  /** The interval's start on this side: CPU readings, and this process's event-loop and GC monitor reset (the server's is reset by its own timer). */
  begin(): void {
    this.wall0 = performance.now();
    this.server0 = this.server.cpuMicros();
    this.client0 = process.cpuUsage();
    this.machine0 = machineBusyMicros();
    this.client.reset();
  }

  /** CPU use and both processes' event-loop and GC figures over the interval, as result-line fields. */
  async read(): Promise<string> {
    const cpu = this.cpu();
    const client = formatStats('client', this.client.stats());
    return `${cpu} ${formatStats('server', await this.server.stats())} ${client}`;
  }

  private cpu(): string {
    const wallUs = (performance.now() - this.wall0) * 1000;
    const c = process.cpuUsage(this.client0);
    const client = (c.user + c.system) / wallUs;
    const server = (this.server.cpuMicros() - this.server0) / wallUs;
    const other = (machineBusyMicros() - this.machine0) / wallUs - client - server;
    return `server_cpu=${server.toFixed(2)} client_cpu=${client.toFixed(2)} other_cpu=${Math.max(0, other).toFixed(2)}`;
  }
}

export function loadAvg(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').trim();
  } catch {
    return 'n/a';
  }
}

/** One process's view of an interval (`who`: server or client), as result-line fields. */
export function formatStats(who: string, s: ProcessStats): string {
  return `${who}_loop_delay_p99_us=${s.loopP99Us} ${who}_loop_delay_max_us=${s.loopMaxUs} ` +
    `${who}_gc_pauses=${s.gcCount} ${who}_gc_total_ms=${s.gcTotalMs} ${who}_gc_max_ms=${s.gcMaxMs} ${who}_heap_mb=${s.heapUsedMb}`;
}

/** A latency histogram in µs, 1 µs to 60 s at 3 significant digits. */
export function newHistogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3, autoResize: true });
}
