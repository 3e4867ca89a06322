// The `npm start` command: starts the exchange and prints how to reach it.
//
//   npm start -- [--port 8080] [--host 127.0.0.1] [--profile crypto-spot|us-equity] [--config file.json] [--log]
//   npm start -- [--profile <name>] --print-config   the configuration as JSON (a starting point for --config)
//
// The admin token comes from MAKERBENCH_ADMIN_TOKEN, else a random one is
// generated and printed. A bad argument or configuration is one line on
// stderr and exit status 1; SIGINT/SIGTERM close the server gracefully.
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import type { RunningServer } from './index.ts';
import { isLoopbackHost, loadConfig, withoutDemoKeys } from './config.ts';
import { PROFILE_NAMES } from './profiles.ts';
import { phaseName } from './translate.ts';
import type { ExchangeConfig } from './exchange.ts';
import type { Instrument } from '../engine/instrument.ts';
import type { TradingPhase } from '../engine/types.ts';
import { ConfigError } from '../engine/instrument.ts';
import { formatUnits } from '../engine/money.ts';

export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = '127.0.0.1';

const USAGE = `usage: npm start -- [--port <n>] [--host <h>] [--profile ${PROFILE_NAMES.join('|')}] [--config <file.json>] [--log] [--print-config] [--demo-keys]`;

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
  /** keep the demo accounts' well-known keys on a host other than loopback */
  demoKeys: boolean;
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
  };
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
function closeOnSignals(s: RunningServer): void {
  let closing = false;
  const onSignal = (signal: string): void => {
    if (closing) process.exit(1);
    closing = true;
    console.log(`makerbench: ${signal}, closing`);
    setTimeout(() => process.exit(1), 5000).unref();
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
  if (cli.help) return void console.log(USAGE);
  let config: ExchangeConfig = loadConfig(cli.configPath, cli.profile);
  if (!isLoopbackHost(cli.host) && !cli.demoKeys) config = withoutDemoKeys(config);
  if (cli.printConfig) return void console.log(JSON.stringify(config, null, 2));
  const token = adminToken();
  // The server's modules load only now: argument and config errors come back at once.
  const [{ startServer }, { API_PREFIX }] = await Promise.all([import('./index.ts'), import('./rest.ts')]);
  let server: RunningServer;
  try {
    server = await startServer({ config, port: cli.port, host: cli.host, adminToken: token.token, logger: cli.log });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err instanceof ConfigError) throw err;
    throw new UsageError(`cannot listen on ${cli.host}:${cli.port}: ${err.code ?? err.message}`);
  }
  console.log(banner(server, token, API_PREFIX));
  closeOnSignals(server);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  // Expected failures are one line; anything else is a bug and keeps its stack.
  if (e instanceof UsageError || e instanceof ConfigError) fail(e.message);
  else throw e;
});
