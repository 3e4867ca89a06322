// The `npm start` command: starts the exchange and prints how to reach it.
//
//   npm start -- [--port 8080] [--host 127.0.0.1] [--profile crypto-spot|us-equity] [--config file.json] [--log]
//                [--clock wall|scaled|virtual] [--speed K] [--start-time HH:MM|ISO]   the exchange clock (sim/clock.ts)
//                [--scenario NAME|file.json] [--seed N]   a simulated market around the exchange (sim/, docs/simulation.md)
//                [--journal DIR] [--fsync always|batch|off]   a durable command journal, recovered on restart (docs/journal.md)
//   npm start -- [--profile <name>] --print-config   the configuration as JSON (a starting point for --config)
//
// The admin token comes from MAKERBENCH_ADMIN_TOKEN, else a random one is
// generated and printed. A bad argument or configuration is one line on
// stderr and exit status 1; SIGINT/SIGTERM close the server gracefully.
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import type { RunningServer } from './index.ts';
import { isLoopbackHost, loadConfig, withoutDemoKeys } from './config.ts';
import { PROFILE_NAMES, venueTimeZone } from './profiles.ts';
import { ClockError, clockFromFlags, MAX_SPEED, MIN_SPEED, type ClockFlags } from '../sim/clock.ts';
import { phaseName } from './translate.ts';
import type { ExchangeConfig } from './exchange.ts';
import type { Instrument } from '../engine/instrument.ts';
import type { TradingPhase } from '../engine/types.ts';
import { ConfigError } from '../engine/instrument.ts';
import { JournalError } from './journal/segments.ts';
import { FSYNC_POLICIES, type FsyncPolicy } from './journal/writer.ts';
import { formatUnits } from '../engine/money.ts';
import { loadScenario, ScenarioError, type Scenario } from '../sim/scenario.ts';

export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = '127.0.0.1';

const USAGE = `usage: npm start -- [--port <n>] [--host <h>] [--profile ${PROFILE_NAMES.join('|')}] [--config <file.json>] [--log] [--print-config] [--demo-keys] `
  + '[--clock wall|scaled|virtual] [--speed <K>] [--start-time <HH:MM|ISO 8601>] [--scenario <name|file.json>] [--seed <n>] '
  + '[--journal <dir>] [--fsync always|batch|off]';

/** --help: the usage, then what the clock flags mean. */
const CLOCK_HELP = `  --clock       the exchange clock: wall (default), scaled (start + K × wall time elapsed), virtual (moves only by jumps)
  --speed       exchange seconds per wall second, ${MIN_SPEED} to ${MAX_SPEED} (implies --clock scaled; default 1)
  --start-time  the exchange time to start at: HH:MM[:SS] today in the venue's time zone (us-equity: New York, UTC-04:00;
                otherwise UTC) or ISO 8601 such as 2026-03-02T09:25:00-04:00 (implies --clock scaled)
  pause, resume, speed and jumps: POST /api/v1/admin/clock (docs/simulation.md)
  --scenario    a simulated market (calm, regimes, toxic, jump, 1011 or a JSON file): agents quote and trade on the exchange;
                its profile applies unless --profile or --config is given
  --seed        the simulated market's seed (default 1)
  --demo-keys   keep the demo accounts' well-known api keys when --host is not loopback
  --journal     journal every command to this directory; restarting with it recovers the exchange (docs/journal.md)
  --fsync       when a journaled command is durable before it is acknowledged: always, batch (default, group commit), off`;

/** A problem with the command line or environment: printed as one line, exit 1. */
class UsageError extends Error {}

interface Cli {
  port: number;
  host: string;
  configPath?: string;
  profile?: string;
  log: boolean;
  printConfig: boolean;
  help: boolean;
  clock: ClockFlags;
  scenario?: string;
  seed?: string;
  /** keep the demo accounts' well-known keys on a host other than loopback */
  demoKeys: boolean;
  journal?: { dir: string; fsync: FsyncPolicy };
}

function parseCli(argv: string[]): Cli {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' }, host: { type: 'string' }, config: { type: 'string' }, profile: { type: 'string' },
        log: { type: 'boolean' }, 'print-config': { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, 'demo-keys': { type: 'boolean' },
        clock: { type: 'string' }, speed: { type: 'string' }, 'start-time': { type: 'string' },
        scenario: { type: 'string' }, seed: { type: 'string' }, journal: { type: 'string' }, fsync: { type: 'string' },
      },
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split('\n')[0]} (${USAGE})`);
  }
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!/^\d{1,5}$/.test(values.port ?? '0') || port > 65535) throw new UsageError(`--port must be an integer 0-65535, got '${values.port}'`);
  if (values.host === '') throw new UsageError('--host must not be empty');
  return {
    port, host: values.host ?? DEFAULT_HOST, configPath: values.config, profile: values.profile, log: values.log === true,
    printConfig: values['print-config'] === true, help: values.help === true, demoKeys: values['demo-keys'] === true,
    clock: { clock: values.clock, speed: values.speed, startTime: values['start-time'] },
    scenario: values.scenario, seed: values.seed, journal: journalFlags(values.journal, values.fsync),
  };
}

function journalFlags(dir: string | undefined, fsync: string | undefined): Cli['journal'] {
  if (dir === undefined) {
    if (fsync !== undefined) throw new UsageError('--fsync needs --journal <dir>');
    return undefined;
  }
  if (dir === '') throw new UsageError('--journal must not be empty');
  if (fsync !== undefined && !(FSYNC_POLICIES as readonly string[]).includes(fsync)) throw new UsageError(`--fsync must be always, batch or off, got '${fsync}'`);
  return { dir, fsync: (fsync ?? 'batch') as FsyncPolicy };
}

function journalLine(cli: Cli, s: RunningServer): string {
  if (!cli.journal) return '';
  const r = s.recovery;
  return `\njournal: ${cli.journal.dir} (fsync ${cli.journal.fsync})`
    + (r ? `, recovered ${r.records} records in ${Math.round(r.ms)} ms${r.tornBytes ? `, dropped a torn last record (${r.tornBytes} bytes)` : ''}` : ', new');
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

function banner(s: RunningServer, token: { token: string; generated: boolean }, apiPrefix: string): string {
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

function fail(message: string): void {
  console.error(`makerbench: ${message}`);
  process.exit(1);
}

async function main(argv: string[]): Promise<void> {
  const cli = parseCli(argv);
  if (cli.help) return void console.log(`${USAGE}\n${CLOCK_HELP}`);
  const scenario: Scenario | undefined = cli.scenario === undefined ? undefined : loadScenario(cli.scenario);
  const sim = scenario && (await import('../sim/serve.ts'));
  const seed = sim?.parseSeed(cli.seed);
  let config: ExchangeConfig = loadConfig(cli.configPath, cli.profile ?? (cli.configPath === undefined ? scenario?.profile : undefined));
  if (!isLoopbackHost(cli.host) && !cli.demoKeys) config = withoutDemoKeys(config);
  if (cli.printConfig) return void console.log(JSON.stringify(config, null, 2));
  const clock = clockFromFlags(cli.clock, venueTimeZone(config.profile), { holdScaled: true });
  const token = adminToken();
  // The server's modules load only now: argument and config errors come back at once.
  const [{ startServer }, { API_PREFIX }] = await Promise.all([import('./index.ts'), import('./rest.ts')]);
  let server: RunningServer;
  try {
    server = await startServer({ config, port: cli.port, host: cli.host, adminToken: token.token, logger: cli.log, exchangeClock: clock,
      journal: cli.journal && { ...cli.journal, origin: { argv, scenario: scenario?.name, seed } } });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err instanceof ConfigError || err instanceof JournalError) throw err;
    throw new UsageError(`cannot listen on ${cli.host}:${cli.port}: ${err.code ?? err.message}`);
  }
  clock.resume(); // a scaled clock runs from its start time once the server listens
  const market = sim && scenario ? sim.serveMarket(server, scenario, seed as number) : undefined;
  console.log(banner(server, token, API_PREFIX) + (market ? `\n${market.line}` : '') + journalLine(cli, server));
  closeOnSignals(server, () => market?.stop());
}

main(process.argv.slice(2)).catch((e: unknown) => {
  // Expected failures are one line; anything else is a bug and keeps its stack.
  if (e instanceof UsageError || e instanceof ConfigError || e instanceof ClockError || e instanceof ScenarioError || e instanceof JournalError) fail(e.message);
  else throw e;
});
