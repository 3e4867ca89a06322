// Starts a bench server (bench/gateway-server.ts, or gateway-floor-server.ts)
// in a child process, waits until it listens, and talks to it over its
// stdin/stdout (bench/child-link.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ProcessStats } from './child-link.ts';

export interface ChildServer {
  port: number;
  url: string;
  adminToken: string;
  /** the child's own CPU time so far, read from /proc (µs), or -1 where /proc is missing */
  cpuMicros(): number;
  /**
   * Announces the next measurement interval, [from, to) in epoch ms, to the
   * server; call it before the load that is measured starts (nothing may
   * cross the link during a measurement: see child-link.ts).
   */
  measureWindow(fromEpochMs: number, toEpochMs: number): void;
  /** the server's event-loop delay and GC pauses within the last announced interval, once it has ended */
  stats(): Promise<ProcessStats>;
  /** closes the child's stdin (it shuts down cleanly, writing any CPU profile) and waits for its exit */
  stop(): Promise<void>;
}

export interface ChildOptions {
  accounts: number;
  prefill?: number;
  /** the server's per-account resend store size (SessionLimits.resendStore); its default when undefined */
  resendStore?: number;
  /** directory for a V8 CPU profile of the server (node --cpu-prof), none when undefined */
  profDir?: string;
  /** run the floor server instead of the exchange (gateway-floor-server.ts) */
  floor?: boolean;
  /** journal to a temporary directory with this fsync policy (none when undefined) */
  journal?: string;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));

/**
 * Node flags of the server as `npm start` runs it (package.json): keep the two
 * the same, so the bench measures the server as shipped.
 * --single-threaded-gc: no GC helper threads competing with the event loop and
 * the bots for a 2-core machine's cores (4 interleaved A/B runs at 20k/s offered,
 * spinning sender: p99 4.6–6.4 → 3.5–4.9 ms).
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--single-threaded-gc'];

export async function startChildServer(o: ChildOptions): Promise<ChildServer> {
  const nodeArgs = [...process.execArgv, ...SERVER_NODE_FLAGS, ...(o.profDir ? ['--cpu-prof', `--cpu-prof-dir=${o.profDir}`] : [])];
  const server = path.join(HERE, o.floor ? 'gateway-floor-server.ts' : 'gateway-server.ts');
  const args = [server, '--accounts', String(o.accounts), '--prefill', String(o.prefill ?? 0), '--resend-store', String(o.resendStore ?? 0), ...(o.journal ? ['--journal-fsync', o.journal] : [])];
  const child = spawn(process.execPath, [...nodeArgs, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const replies = new ChildLines(child);
  const info = JSON.parse(await replies.next('READY ')) as { port: number; adminToken: string };
  return {
    port: info.port,
    url: `http://127.0.0.1:${info.port}`,
    adminToken: info.adminToken,
    cpuMicros: () => procCpuMicros(child.pid),
    measureWindow: (from, to) => { child.stdin?.write(`window ${from.toFixed(3)} ${to.toFixed(3)}\n`); },
    async stats() {
      const reply = replies.next('STATS ');
      child.stdin?.write('stats\n');
      return JSON.parse(await reply) as ProcessStats;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.stdin?.end();
      await exited;
    },
  };
}

/**
 * The child's stdout, line by line: lines with an awaited prefix answer that
 * wait; anything else (e.g. --trace-gc output) goes to stderr, leaving this
 * process's stdout to the results.
 */
class ChildLines {
  private waiter: { prefix: string; resolve: (rest: string) => void; reject: (e: Error) => void } | null = null;

  constructor(child: ChildProcess) {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => this.onLine(line));
    child.once('exit', (code) => this.waiter?.reject(new Error(`bench server exited with code ${code}`)));
  }

  next(prefix: string): Promise<string> {
    return new Promise((resolve, reject) => { this.waiter = { prefix, resolve, reject }; });
  }

  private onLine(line: string): void {
    const w = this.waiter;
    if (w && line.startsWith(w.prefix)) {
      this.waiter = null;
      w.resolve(line.slice(w.prefix.length));
    } else {
      process.stderr.write(`${line}\n`);
    }
  }
}

/** utime + stime of a process in µs (Linux /proc/<pid>/stat, clock ticks of 10 ms). */
function procCpuMicros(pid: number | undefined): number {
  if (pid === undefined) return -1;
  try {
    // fields after the parenthesised command name; utime and stime are fields 14 and 15
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) * 10_000;
  } catch {
    return -1;
  }
}
