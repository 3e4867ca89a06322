// The `npm start` command: starts the exchange and prints how to reach it.
//
//   npm start -- --help                              every flag with its default, and the environment
//   npm start -- [--port 8080] [--host 127.0.0.1] [--profile crypto-spot|us-equity|eu-derivatives] [--config file.json] [--log [--log-level info]]
//                [--clock wall|scaled|virtual] [--speed K] [--start-time HH:MM|ISO]   the exchange clock (sim/clock.ts)
//                [--scenario NAME|file.json] [--seed N]   a simulated market around the exchange (sim/, docs/simulation.md)
//                [--journal DIR] [--fsync always|batch|off]   a durable command journal, recovered on restart (docs/journal.md)
//                [--snapshot-every N] [--snapshot-keep N] [--prune-segments]   its snapshots
//   npm start -- [--profile <name>] --print-config [FILE]   the configuration as JSON (a starting point for --config)
//
// The admin token comes from MAKERBENCH_ADMIN_TOKEN, else a random one is
// generated and printed. A bad argument or configuration is one line on
// stderr and exit status 1; SIGINT/SIGTERM send every session a Logout and
// close the server.
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { RunningServer } from './index.ts';
import { isLoopbackHost, loadConfig, withoutDemoKeys } from './config.ts';
import { venueTimeZone } from './profiles.ts';
import { ClockError, clockFromFlags, type ClockFlags } from '../sim/clock.ts';
import { phaseName } from './translate.ts';
import { DEFAULT_HOST, DEFAULT_PORT, FLAGS, helpText, LOG_LEVELS, normaliseArgv, openingLines, USAGE, type LogLevel } from './operator.ts';
import type { ExchangeConfig } from './exchange.ts';
import type { Instrument } from '../engine/instrument.ts';
import type { TradingPhase } from '../engine/types.ts';
import { ConfigError } from '../engine/instrument.ts';
import { JournalError } from './journal/segments.ts';
import { FSYNC_POLICIES, type FsyncPolicy } from './journal/writer.ts';
import { DEFAULT_SNAPSHOT_EVERY } from './journal/journal.ts';
import type { SnapshotOptions } from './journal/snapshot.ts';
import { formatUnits } from '../engine/money.ts';
import { loadScenario, ScenarioError, type Scenario } from '../sim/scenario.ts';

export { DEFAULT_HOST, DEFAULT_PORT };

/** A problem with the command line or environment: printed as one line, exit 1. */
class UsageError extends Error {}

interface Cli {
  port: number;
  host: string;
  configPath?: string;
  profile?: string;
  /** the pino level of the log, or null without --log */
  log: LogLevel | null;
  /** where --print-config writes ('-' = stdout), or null */
  printConfig: string | null;
  help: boolean;
  clock: ClockFlags;
  scenario?: string;
  seed?: string;
  /** keep the demo accounts' well-known keys on a host other than loopback */
  demoKeys: boolean;
  journal?: { dir: string; fsync: FsyncPolicy; snapshots: SnapshotOptions };
}

function parseCli(argv: string[]): Cli {
  let values;
  try {
    const options = Object.fromEntries(FLAGS.map((f) => [f.name, f.short ? { type: f.type, short: f.short } : { type: f.type }]));
    ({ values } = parseArgs({ args: normaliseArgv(argv), strict: true, allowPositionals: false, options }) as { values: Record<string, string | boolean | undefined> });
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split('\n')[0]} (${USAGE})`);
  }
  const str = (name: string): string | undefined => values[name] as string | undefined;
  const port = str('port') === undefined ? DEFAULT_PORT : Number(str('port'));
  if (!/^\d{1,5}$/.test(str('port') ?? '0') || port > 65535) throw new UsageError(`--port must be an integer 0-65535, got '${str('port')}'`);
  if (str('host') === '') throw new UsageError('--host must not be empty');
  const level = str('log-level');
  if (level !== undefined && !(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got '${level}'`);
  }
  return {
    port, host: str('host') ?? DEFAULT_HOST, configPath: str('config'), profile: str('profile'),
    log: values.log === true || level !== undefined ? ((level ?? 'info') as LogLevel) : null,
    printConfig: str('print-config') ?? null, help: values.help === true, demoKeys: values['demo-keys'] === true,
    clock: { clock: str('clock'), speed: str('speed'), startTime: str('start-time') },
    scenario: str('scenario'), seed: str('seed'), journal: journalFlags(str('journal'), str('fsync'), {
      every: str('snapshot-every'), keep: str('snapshot-keep'), prune: values['prune-segments'] === true,
    }),
  };
}

function journalFlags(dir: string | undefined, fsync: string | undefined, snap: { every?: string; keep?: string; prune: boolean }): Cli['journal'] {
  if (dir === undefined) {
    if (fsync !== undefined) throw new UsageError('--fsync needs --journal <dir>');
    if (snap.every !== undefined || snap.keep !== undefined || snap.prune) throw new UsageError('--snapshot-every, --snapshot-keep and --prune-segments need --journal <dir>');
    return undefined;
  }
  if (dir === '') throw new UsageError('--journal must not be empty');
  if (fsync !== undefined && !(FSYNC_POLICIES as readonly string[]).includes(fsync)) throw new UsageError(`--fsync must be always, batch or off, got '${fsync}'`);
  const count = (flag: string, v: string | undefined, min: number): number | undefined => {
    if (v === undefined) return undefined;
    if (!/^\d{1,15}$/.test(v) || Number(v) < min) throw new UsageError(`--${flag} must be an integer ≥ ${min}, got '${v}'`);
    return Number(v);
  };
  const snapshots: SnapshotOptions = {
    every: count('snapshot-every', snap.every, 0) ?? DEFAULT_SNAPSHOT_EVERY, keep: count('snapshot-keep', snap.keep, 1), pruneSegments: snap.prune,
  };
  return { dir, fsync: (fsync ?? 'batch') as FsyncPolicy, snapshots };
}

function journalLine(cli: Cli, s: RunningServer): string {
  if (!cli.journal) return '';
  const r = s.recovery;
  return `\njournal: ${cli.journal.dir} (fsync ${cli.journal.fsync})`
    + (r ? `, recovered ${r.snapshot ? `from snapshot ${r.snapshot.seq} + ` : ''}${r.records} records in ${Math.round(r.ms)} ms`
      + `${r.tornBytes ? `, dropped a torn last record (${r.tornBytes} bytes)` : ''}` : ', new')
    + (r?.skippedSnapshots.length ? `\njournal: skipped invalid snapshots: ${r.skippedSnapshots.join('; ')}` : '');
}

/** An empty variable counts as unset, as shells make it easy to export one by accident. */
function adminToken(): { token: string; generated: boolean } {
  const fromEnv = process.env.MAKERBENCH_ADMIN_TOKEN;
  return fromEnv ? { token: fromEnv, generated: false } : { token: randomBytes(16).toString('hex'), generated: true };
}

function describeInstrument(i: Instrument, phase: TradingPhase | null): string {
  const ticks = i.tickTable.length === 1
    ? `tick ${formatUnits(i.tickTable[0].tick, i.priceScale)}`
    : 'ticks ' + i.tickTable.map((b) => `${formatUnits(b.tick, i.priceScale)} from ${formatUnits(b.from_price, i.priceScale)}`).join(', ');
  return `${i.symbol}: price_scale ${i.priceScale} (${ticks}), qty_scale ${i.qtyScale} (lot ${formatUnits(i.lot, i.qtyScale)}), `
    + `maker ${i.makerRate / 100} bp, taker ${i.takerRate / 100} bp, ${phaseName(phase)}`;
}

function banner(s: RunningServer, token: { token: string; generated: boolean }, apiPrefix: string, config: ExchangeConfig): string {
  const ws = s.url.replace(/^http/, 'ws');
  const lines = [
    `makerbench listening on ${s.url}`,
    `  REST         ${s.url}${apiPrefix}   (health ${s.url}/health, metrics ${s.url}/metrics)`,
    `  order entry  ${ws}/ws/trade`,
    `  market data  ${ws}/ws/md`,
    token.generated
      ? `admin token (x-admin-token): ${token.token}   (generated; set MAKERBENCH_ADMIN_TOKEN to choose one)`
      : 'admin token (x-admin-token): from MAKERBENCH_ADMIN_TOKEN',
    ...(s.exchange.profile ? [`profile: ${s.exchange.profile}`] : []),
    clockLine(s, apiPrefix),
    'instruments:',
    ...s.exchange.engine.instruments.map((i) => `  ${describeInstrument(i, s.exchange.engine.phaseOf(i.symbol))}`),
    'accounts (x-api-key):',
    ...s.exchange.engine.accountIds().map((id) => {
      const a = s.exchange.accountInfo(id);
      return `  ${a?.name}: ${a?.apiKey}`;
    }),
    ...programmeLines(s, apiPrefix),
    ...openingLines({
      config, phaseOf: (symbol) => s.exchange.engine.phaseOf(symbol), now: s.exchange.engine.time,
      api: `${s.url}${apiPrefix}`, token: token.generated ? token.token : '$MAKERBENCH_ADMIN_TOKEN',
    }),
  ];
  return lines.join('\n');
}

/** The exchange clock; where to change it when it is not the wall's. */
function clockLine(s: RunningServer, apiPrefix: string): string {
  const c = s.clock.state();
  return `clock: ${c.mode}${c.mode === 'scaled' ? ` at ${c.speed}x` : ''}, exchange time ${c.time}${c.mode === 'wall' ? '' : `   (${s.url}${apiPrefix}/admin/clock)`}`;
}

/** The maker programmes: members and instruments, and where the definitions are. */
function programmeLines(s: RunningServer, apiPrefix: string): string[] {
  const list = s.exchange.engine.programmeList();
  if (list.length === 0) return [];
  return [
    `maker programmes (${s.url}${apiPrefix}/programmes):`,
    ...list.map((p) => `  ${p.name}: ${p.members.join(', ')} on ${[...p.instruments.keys()].join(', ')}`),
  ];
}

/** Closes the server on SIGINT/SIGTERM; a second signal, or a close that hangs, exits at once. */
function closeOnSignals(s: RunningServer, beforeClose?: () => void): void {
  let closing = false;
  const onSignal = (signal: string): void => {
    if (closing) process.exit(1);
    closing = true;
    console.log(`makerbench: ${signal}, closing`);
    setTimeout(() => process.exit(1), 5000).unref();
    beforeClose?.();
    s.close().then(() => {
      console.log('makerbench: closed');
      process.exit(0);
    }, (e: Error) => fail(`close failed: ${e.message}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** The configuration as JSON, to a file (no npm banner can get into it) or to stdout ('-'). */
function printConfig(config: ExchangeConfig, to: string): void {
  const json = JSON.stringify(config, null, 2) + '\n';
  if (to === '-') return void process.stdout.write(json);
  try {
    writeFileSync(to, json);
  } catch (e) {
    throw new UsageError(`--print-config: cannot write ${to}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  console.error(`makerbench: configuration written to ${to}`);
}

function fail(message: string): void {
  console.error(`makerbench: ${message}`);
  process.exit(1);
}

async function main(argv: string[]): Promise<void> {
  const cli = parseCli(argv);
  if (cli.help) return void console.log(helpText());
  const scenario: Scenario | undefined = cli.scenario === undefined ? undefined : loadScenario(cli.scenario);
  const sim = scenario && (await import('../sim/serve.ts'));
  const seed = sim?.parseSeed(cli.seed);
  let config: ExchangeConfig = loadConfig(cli.configPath, cli.profile ?? (cli.configPath === undefined ? scenario?.profile : undefined));
  if (!isLoopbackHost(cli.host) && !cli.demoKeys) config = withoutDemoKeys(config);
  if (cli.printConfig !== null) return printConfig(config, cli.printConfig);
  const clock = clockFromFlags(cli.clock, venueTimeZone(config.profile), { holdScaled: true });
  const token = adminToken();
  // The server's modules load only now: argument and config errors come back at once.
  const [{ startServer }, { API_PREFIX }] = await Promise.all([import('./index.ts'), import('./rest.ts')]);
  let server: RunningServer;
  try {
    server = await startServer({
      config, port: cli.port, host: cli.host, adminToken: token.token, logger: cli.log === null ? false : { level: cli.log }, exchangeClock: clock,
      journal: cli.journal && { ...cli.journal, origin: { argv, scenario: scenario?.name, seed } },
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err instanceof ConfigError || err instanceof JournalError) throw err;
    throw new UsageError(`cannot listen on ${cli.host}:${cli.port}: ${err.code ?? err.message}`);
  }
  clock.resume(); // a scaled clock runs from its start time once the server listens
  const market = sim && scenario ? sim.serveMarket(server, scenario, seed as number) : undefined;
  console.log(banner(server, token, API_PREFIX, config) + (market ? `\n${market.line}` : '') + journalLine(cli, server));
  closeOnSignals(server, () => market?.stop());
}

main(process.argv.slice(2)).catch((e: unknown) => {
  // Expected failures are one line; anything else is a bug and keeps its stack.
  if (e instanceof UsageError || e instanceof ConfigError || e instanceof ClockError || e instanceof ScenarioError || e instanceof JournalError) fail(e.message);
  else throw e;
});
