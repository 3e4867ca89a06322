// The I/O edge: one fastify HTTP server carrying REST and the two WebSocket
// endpoints (/ws/trade order entry, /ws/md market data). It decodes,
// authenticates, calls the Exchange and routes what comes back.
import Fastify, { type FastifyInstance } from 'fastify';
import { WebSocketServer } from 'ws';
import { randomBytes } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { Clock, Exchange, bootEpoch, type ExchangeConfig } from './exchange.ts';
import { TradeSessions, DEFAULT_SESSION_LIMITS, type SessionLimits } from './trade-session.ts';
import { ExchangeClock } from '../sim/clock.ts';
import { startTicker } from './exchange-ticker.ts';
import { ConnectionGate, ConnectionRate, tooManyConnectionsResponse } from './connection-limits.ts';
import { AuthThrottle, setAuthThrottle } from './auth-throttle.ts';
import { openJournal, type JournalOptions, type Recovery } from './journal/journal.ts';
import type { Snapshotter } from './journal/snapshot.ts';
import { warmCodecs } from './wire.ts';

export interface ServerOptions {
  config: ExchangeConfig;
  host?: string;
  /** 0 = an ephemeral port */
  port?: number;
  adminToken?: string;
  limits?: Partial<SessionLimits>;
  /** fastify's pino logger on or off, or on from a level (the session log goes to it too) */
  logger?: boolean | { level: string };
  /** the exchange clock (default: the wall clock in wall mode) */
  exchangeClock?: ExchangeClock;
  /** a wall time source for the exchange clock, µs (tests drive time with their own) */
  clock?: Clock;
  /** order, trade and exec ids start above this (default: bootEpoch(), from the start time, so ids never repeat across restarts) */
  idEpoch?: number;
  /** keep a durable journal of every command in this directory, recovering from it first if it exists (gateway/journal/) */
  journal?: JournalOptions;
}

export interface RunningServer {
  url: string;
  port: number;
  adminToken: string;
  exchange: Exchange;
  clock: ExchangeClock;
  app: FastifyInstance;
  trade: TradeSessions;
  /** what recovery from an existing journal did (null without a journal, or with a new one) */
  recovery: Recovery | null;
  close(): Promise<void>;
}

/** Hooks for the parts of the server other modules add (REST routes, market data). */
export interface ServerContext {
  app: FastifyInstance;
  exchange: Exchange;
  clock: ExchangeClock;
  trade: TradeSessions;
  adminToken: string;
  limits: SessionLimits;
  /** the journal's snapshots (null without --journal): a part that keeps state built from reports adds itself here */
  snapshots: Snapshotter | null;
}

export type Extension = (ctx: ServerContext) => { onUpgrade?: Record<string, WebSocketServer>; close?: () => void } | void;

const extensions: Extension[] = [];

/** Registers a server part (called at module load by rest.ts, md.ts, …). */
export function extendServer(x: Extension): void {
  extensions.push(x);
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  warmCodecs();
  const testClock = opts.clock;
  const clock = opts.exchangeClock ?? new ExchangeClock(testClock ? { wall: () => testClock.now() } : {});
  const journal = opts.journal ? openJournal(opts.config, clock.now, { idEpoch: opts.idEpoch, ...opts.journal }) : null;
  const exchange = journal?.exchange ?? new Exchange(opts.config, new Clock(clock.now), opts.idEpoch ?? bootEpoch());
  if (!journal) exchange.tick(); // engine time starts now: scheduled phases apply before the first client arrives
  const limits: SessionLimits = { ...DEFAULT_SESSION_LIMITS, ...opts.config.limits, ...opts.limits };
  const adminToken = opts.adminToken ?? randomBytes(16).toString('hex');
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit: 64 * 1024 });
  // a REST answer about a command goes out once the command is durable
  if (journal) app.addHook('onSend', (_req, _reply, payload, done) => exchange.whenDurable(() => done(null, payload)));
  const trade = new TradeSessions(exchange, limits);
  setAuthThrottle(exchange, new AuthThrottle(limits, (level, fields, message) => app.log[level](fields, message)));
  // ws's own cap is a backstop well above ours, so an oversize frame gets a Reject instead of a dropped socket.
  const tradeWss = new WebSocketServer({ noServer: true, maxPayload: 16 * limits.maxFrameBytes });
  tradeWss.on('connection', (ws, req: IncomingMessage) => trade.accept(ws, req.socket as Socket));
  const routes: Record<string, WebSocketServer> = { '/ws/trade': tradeWss };
  const closers: (() => void)[] = [];
  const ctx: ServerContext = { app, exchange, clock, trade, adminToken, limits, snapshots: journal?.snapshots ?? null };
  ctx.snapshots?.add('sessions', trade.snapshotPart());
  for (const x of extensions) {
    const r = x(ctx);
    if (r?.onUpgrade) Object.assign(routes, r.onUpgrade);
    if (r?.close) closers.push(r.close);
  }
  // replayed after every part is attached, so what they keep from reports (order history, fills) comes back too
  const recovery = journal?.recover(trade) ?? null;
  if (journal) exchange.tick();
  const gate = new ConnectionGate(limits.maxConnections, limits.maxConnectionsPerIp);
  const rate = new ConnectionRate(limits.connectBurstPerIp, limits.connectsPerIpPerSec);
  app.server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '').split('?')[0];
    const wss = routes[path];
    if (!wss) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    const address = (socket as Socket).remoteAddress ?? '';
    // too many new connections from the address: refused before ws or a session does any work (a 429 once, then nothing)
    const tooFast = rate.admit(address, performance.now());
    if (tooFast) {
      if (tooFast.answer) socket.end(tooManyConnectionsResponse(tooFast.retryAfterMs));
      else socket.destroy();
      return;
    }
    const refused = gate.admit(address);
    if (!refused) socket.once('close', () => gate.release(address));
    wss.handleUpgrade(req, socket, head, (ws) => (refused ? ws.close(refused.code, refused.reason) : wss.emit('connection', ws, req)));
  });
  // GTD orders expire, timed halts end and scheduled phases begin on the exchange clock (exchange-ticker.ts)
  const stopTicker = startTicker(exchange, clock);
  await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 0 });
  const port = (app.server.address() as AddressInfo).port;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    adminToken,
    exchange,
    clock,
    app,
    trade,
    recovery,
    async close() {
      stopTicker();
      // every session hears why it ends (md sessions from their hub's closer), then the sockets go
      trade.logoutAll('server shutting down');
      for (const c of closers) c();
      await new Promise((resolve) => setImmediate(resolve)); // the corked Logout frames are written out
      trade.close();
      for (const wss of Object.values(routes)) {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
      }
      await app.close();
      await journal?.close();
    },
  };
}
