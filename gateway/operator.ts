// What `npm start` tells its operator: the flags (one table feeds the parser
// and --help), the environment variables, and for instruments that are not
// trading now when they open and how to open them at once. Pure functions:
// main.ts does the I/O, tests call these directly.
import { Schedule } from '../engine/rules/phases.ts';
import { zoneClock } from '../engine/time.ts';
import { PHASE_NAME, TradingPhase } from '../engine/types.ts';
import type { ExchangeConfig } from './exchange.ts';
import { PROFILE_NAMES } from './profiles.ts';
import { MAX_SPEED, MIN_SPEED } from '../sim/clock.ts';

export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = '127.0.0.1';
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Flag {
  name: string;
  type: 'string' | 'boolean';
  short?: string;
  /** how the value is written in the help, e.g. '<n>' */
  arg?: string;
  default: string;
  help: string;
}

/** Every command-line flag of `npm start`: parseArgs's options and --help come from this table. */
export const FLAGS: readonly Flag[] = [
  { name: 'port', type: 'string', arg: '<n>', default: String(DEFAULT_PORT), help: 'TCP port to listen on (0 = any free port; the banner says which)' },
  { name: 'host', type: 'string', arg: '<h>', default: DEFAULT_HOST, help: 'address to listen on' },
  { name: 'profile', type: 'string', arg: `<${PROFILE_NAMES.join('|')}>`, default: 'the built-in configuration', help: 'run a ready-made venue' },
  { name: 'config', type: 'string', arg: '<file.json>', default: 'none', help: 'run this configuration instead of the built-in one' },
  {
    name: 'print-config', type: 'string', arg: '[FILE]', default: 'off',
    help: 'write the configuration that would run to FILE (stdout without FILE or with -) and exit',
  },
  { name: 'log', type: 'boolean', default: 'off', help: 'log sessions (logons, logouts, rejects, bans, halts) and HTTP requests to stdout as pino JSON lines' },
  { name: 'log-level', type: 'string', arg: '<level>', default: 'info', help: `the lowest level logged: ${LOG_LEVELS.join(', ')} (implies --log)` },
  {
    name: 'clock', type: 'string', arg: '<wall|scaled|virtual>', default: 'wall',
    help: 'the exchange clock: wall, scaled (start + K × wall time elapsed), virtual (moves only by jumps)',
  },
  { name: 'speed', type: 'string', arg: '<K>', default: '1', help: `exchange seconds per wall second, ${MIN_SPEED} to ${MAX_SPEED} (implies --clock scaled)` },
  {
    name: 'start-time', type: 'string', arg: '<HH:MM|ISO 8601>', default: 'now',
    help: "the exchange time to start at: HH:MM[:SS] today in the venue's time zone (us-equity: New York, eu-derivatives: Frankfurt; otherwise UTC), "
      + 'or ISO 8601 such as 2026-03-02T09:25:00-04:00 (implies --clock scaled); pause, resume, speed and jumps: POST /api/v1/admin/clock',
  },
  {
    name: 'scenario', type: 'string', arg: '<name|file.json>', default: 'none',
    help: 'a simulated market (calm, regimes, toxic, jump, 1011 or a JSON file): agents quote and trade on the exchange; '
      + 'its profile applies unless --profile or --config is given',
  },
  { name: 'seed', type: 'string', arg: '<n>', default: '1', help: "the simulated market's seed" },
  { name: 'demo-keys', type: 'boolean', default: 'off', help: "keep the demo accounts' well-known api keys when --host is not loopback" },
  {
    name: 'journal', type: 'string', arg: '<dir>', default: 'off',
    help: 'journal every command to this directory; restarting with it recovers the exchange (docs/journal.md)',
  },
  {
    name: 'fsync', type: 'string', arg: '<always|batch|off>', default: 'batch',
    help: 'when a journaled command is durable before it is acknowledged (batch: group commit)',
  },
  {
    name: 'snapshot-every', type: 'string', arg: '<records>', default: '1000000',
    help: 'a journal snapshot after every this many records, so a restart replays only the records after it (0: only on admin request)',
  },
  { name: 'snapshot-keep', type: 'string', arg: '<n>', default: '2', help: 'journal snapshots kept (the oldest are deleted)' },
  {
    name: 'prune-segments', type: 'boolean', default: 'off',
    help: 'delete journal segments the oldest kept snapshot covers (replay and export then refuse the journal)',
  },
  { name: 'help', type: 'boolean', short: 'h', default: '', help: 'print this help and exit' },
];

/** Environment variables the server reads. */
export const ENVIRONMENT: readonly { name: string; default: string; help: string }[] = [
  { name: 'MAKERBENCH_ADMIN_TOKEN', default: 'a random token, printed at start', help: 'the admin token (header x-admin-token)' },
  { name: 'MAKERBENCH_FAST_DECODE', default: '1', help: '0 decodes every inbound frame with protobufjs (the hand-written fast path off)' },
];

export const USAGE = `usage: npm start -- ${FLAGS.filter((f) => f.name !== 'help').map((f) => `[--${f.name}${f.arg ? ` ${f.arg}` : ''}]`).join(' ')}`;

/** The --help text: every flag with its default, and the environment variables. */
export function helpText(): string {
  const flag = (f: Flag): string => `--${f.name}${f.short ? `, -${f.short}` : ''}${f.arg ? ` ${f.arg}` : ''}`;
  const width = Math.max(...FLAGS.map((f) => flag(f).length), ...ENVIRONMENT.map((e) => e.name.length)) + 2;
  const row = (left: string, help: string, def: string): string => `  ${left.padEnd(width)}${help}${def ? ` (default: ${def})` : ''}`;
  return [
    'makerbench: a local exchange for market-making bots (REST, /ws/trade order entry, /ws/md market data)',
    '',
    USAGE,
    '',
    'options:',
    ...FLAGS.map((f) => row(flag(f), f.help, f.default)),
    '',
    'environment:',
    ...ENVIRONMENT.map((e) => row(e.name, e.help, e.default)),
    '',
    'examples:',
    '  npm start',
    '  npm start -- --profile us-equity --log --log-level warn',
    '  npm start -- --profile crypto-spot --print-config venue.json && npm start -- --config venue.json',
  ].join('\n');
}

/**
 * `--print-config` takes an optional FILE: given alone (last, or before another
 * flag) it means stdout, written '-' so parseArgs can read it as a string.
 */
export function normaliseArgv(argv: readonly string[]): string[] {
  const out = [...argv];
  for (let i = 0; i < out.length; i++) {
    if (out[i] === '--print-config' && (i + 1 === out.length || out[i + 1].startsWith('--'))) out.splice(i + 1, 0, '-');
  }
  return out;
}

const US_PER_MIN = 60_000_000;

function clockTime(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString().slice(11, 16);
}

function duration(us: number): string {
  const min = Math.ceil(us / US_PER_MIN);
  return min < 60 ? `${min} min` : `${Math.floor(min / 60)} h ${min % 60} min`;
}

/** When a schedule next enters CONTINUOUS after `now` (within two days), or null if it never does. */
export function nextOpening(schedule: Schedule, now: number): number | null {
  let t = now;
  for (let i = 0; i < 64; i++) {
    const next = schedule.nextAfter(t);
    if (next.phase === TradingPhase.CONTINUOUS) return next.time;
    t = next.time;
  }
  return null;
}

export interface OpeningContext {
  config: ExchangeConfig;
  /** each instrument's phase now */
  phaseOf: (symbol: string) => TradingPhase | null;
  /** engine time, µs since the epoch */
  now: number;
  /** the REST base, e.g. http://127.0.0.1:8080/api/v1 */
  api: string;
  /** how to write the admin token in a shell command */
  token: string;
}

/**
 * For instruments not trading continuously now: when each one opens (by its
 * schedule) and the admin command that opens them at once. [] when all trade.
 */
export function openingLines(c: OpeningContext): string[] {
  const closed = c.config.instruments.filter((i) => c.phaseOf(i.symbol) !== TradingPhase.CONTINUOUS);
  if (closed.length === 0) return [];
  let first: number | null = null;
  const lines = closed.map((i) => {
    const phase = c.phaseOf(i.symbol);
    const name = phase === null ? 'UNKNOWN' : PHASE_NAME[phase];
    // a schedule is in the instrument's time zone (us-equity: America/New_York, daylight saving included)
    const sched = i.rules?.schedule ? new Schedule(i.rules.schedule, i.symbol, zoneClock(i.rules.time_zone)) : null;
    const at = sched ? nextOpening(sched, c.now) : null;
    if (at !== null && (first === null || at < first)) first = at;
    const when = at === null ? 'no scheduled opening' : `opens ${clockTime(at)} UTC (in ${duration(at - c.now)})`;
    return `  ${i.symbol}: ${name}, ${when}`;
  });
  const symbols = closed.map((i) => i.symbol).join(' ');
  return [
    'not trading now:',
    ...lines,
    'open them now (until their next scheduled change):',
    `  for s in ${symbols}; do curl -s -X POST ${c.api}/admin/instruments/$s/phase -H 'x-admin-token: ${c.token}' `
      + `-H 'content-type: application/json' -d '{"phase":"CONTINUOUS"}'; echo; done`,
    ...(first === null ? [] : [`or start the exchange clock at the opening: add --start-time ${new Date(Math.floor(first / 1000)).toISOString().slice(0, 19)}Z`]),
  ];
}
