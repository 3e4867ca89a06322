// Prometheus metrics of one server (GET /metrics). Everything is observed from
// outside the order path: reports through account subscriptions, trades through
// a market listener, sessions and open orders read at scrape time. Each server
// has its own Registry, so several servers in one process (tests) never share
// counters; the default Node metrics (CPU, memory, event loop, GC) describe the
// process, so they are collected once per process and merged in at scrape time.
import type { Server } from 'node:http';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { ServerContext } from './server.ts';
import { ExecType, PHASE_CAUSE_NAME, phaseName, phaseToWire } from './translate.ts';
import { RejectReason } from '../engine/types.ts';
import { RuleEventKind } from '../engine/events.ts';
import type { Exchange } from './exchange.ts';
import type { SnapshotPart } from './journal/snapshot.ts';
import { Outcome, type ObligationStatus } from './obligations.ts';

/** Enum name by number: { NEW: 1 } → { 1: 'NEW' }. */
export function invert(e: Readonly<Record<string, number>>): Record<number, string> {
  return Object.fromEntries(Object.entries(e).map(([name, n]) => [n, name]));
}

const EXEC_TYPE_NAME = invert(ExecType);
const REJECT_NAME = invert(RejectReason);
const RULE_EVENT_NAME = invert(RuleEventKind);

const OUTCOME_NAME = invert(Outcome);

/** Labels of a member's obligation: programme, account name, symbol. */
function obligationLabels(exchange: Exchange, account: number, status: ObligationStatus): Record<string, string> {
  return { programme: status.programme, account: exchange.accountInfo(account)?.name ?? String(account), symbol: status.symbol };
}

/** The name of a RejectReason number ('UNKNOWN' for anything else). */
export const rejectName = (code: number): string => REJECT_NAME[code] ?? 'UNKNOWN';

let processRegistry: Registry | undefined;

/** The process-wide default metrics (created on first use: each collection installs observers for the life of the process). */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** Labelled counter children cached per label value: reports are counted on the hot path, and prom-client hashes labels on every inc(). */
function byLabel(c: Counter<string>): (value: string) => Counter.Internal {
  const children = new Map<string, Counter.Internal>();
  return (value) => {
    let child = children.get(value);
    if (!child) children.set(value, (child = c.labels(value)));
    return child;
  };
}

export class GatewayMetrics {
  private readonly registry = new Registry();
  private readonly started = Date.now();
  private readonly unsubscribe: (() => void)[] = [];
  private mdSockets = 0;
  /**
   * Execution reports by exec type, and new orders, counted in plain numbers
   * on the hot path and handed to prom-client when it is scraped: a
   * prom-client inc() allocates, and this runs for every report.
   */
  private readonly reportCounts = new Map<string, number>();
  private ordersReceivedCount = 0;
  private readonly rejects: Counter<string>;
  private readonly trades: (symbol: string) => Counter.Internal;
  private readonly httpRequests: Counter<string>;
  private readonly phaseChanges: Counter<string>;
  private readonly auctions: (symbol: string) => Counter.Internal;
  private readonly ruleEvents: Counter<string>;
  private readonly obligationReports: Counter<string>;

  constructor(private readonly ctx: ServerContext) {
    const registers = [this.registry];
    const self = this;
    let ordersReported = 0;
    new Counter({
      name: 'makerbench_orders_received_total',
      help: 'New orders the engine processed, all transports and mass-quote sides (each yields exactly one NEW or REJECTED report)',
      registers,
      collect() {
        this.inc(self.ordersReceivedCount - ordersReported);
        ordersReported = self.ordersReceivedCount;
      },
    });
    const reported = new Map<string, number>();
    new Counter({
      name: 'makerbench_execution_reports_total', help: 'Execution reports sent to accounts, by exec_type', labelNames: ['exec_type'], registers,
      collect() {
        for (const [execType, n] of self.reportCounts) {
          this.labels(execType).inc(n - (reported.get(execType) ?? 0));
          reported.set(execType, n);
        }
      },
    });
    this.rejects = new Counter({
      name: 'makerbench_rejects_total', help: 'Refused orders, cancels, replaces and mass cancels, by reject_code', labelNames: ['reject_code', 'request'], registers,
    });
    this.trades = byLabel(new Counter({ name: 'makerbench_trades_total', help: 'Trades, by symbol', labelNames: ['symbol'], registers }));
    this.httpRequests = new Counter({
      name: 'makerbench_http_requests_total', help: 'HTTP requests, by method, route and status', labelNames: ['method', 'route', 'status'], registers,
    });
    this.phaseChanges = new Counter({
      name: 'makerbench_phase_changes_total', help: 'Trading phase changes, by symbol, new phase and cause',
      labelNames: ['symbol', 'phase', 'cause'], registers,
    });
    this.auctions = byLabel(new Counter({ name: 'makerbench_auctions_total', help: 'Auction uncrosses run, by symbol', labelNames: ['symbol'], registers }));
    this.ruleEvents = new Counter({
      name: 'makerbench_rule_events_total',
      help: 'Rule events: BAN, OTR_FLAG, KILL_SWITCH_ON/OFF, LIMIT_STATE_ON/OFF, by kind and symbol (empty for account events)',
      labelNames: ['kind', 'symbol'], registers,
    });
    this.obligationReports = new Counter({
      name: 'makerbench_obligation_reports_total', help: 'Maker programme windows closed, by programme, symbol and outcome (PASS, FAIL, NONE)',
      labelNames: ['programme', 'symbol', 'outcome'], registers,
    });
    this.obligationGauges(registers);
    this.sessionGauges(registers);
    this.openOrdersGauge(registers);
    this.phaseGauge(registers);
    this.unsubscribe.push(ctx.exchange.subscribeMarket({
      trade: (e) => this.trades(e.symbol).inc(),
      phase: (e) => this.phaseChanges.inc({ symbol: e.symbol, phase: phaseName(e.phase), cause: PHASE_CAUSE_NAME[e.cause] ?? String(e.cause) }),
      auction: (symbol, a) => { if (a.final) this.auctions(symbol).inc(); },
      level: () => {}, order: () => {}, commit: () => {},
    }));
    this.unsubscribe.push(ctx.exchange.subscribeRules((e) => this.ruleEvents.inc({ kind: RULE_EVENT_NAME[e.kind] ?? String(e.kind), symbol: e.symbol })));
    this.unsubscribe.push(ctx.exchange.tapReports((_account, body, msg) => this.onReport(body, msg)));
    this.countMdSockets(ctx.app.server);
  }

  /**
   * The counters of what the exchange did (orders, reports, rejects, trades, phases, auctions, rule
   * events, obligation windows) in a journal snapshot, so they continue across a restart as a full
   * replay of the journal would leave them. HTTP request counts are the process's own and start at 0.
   */
  snapshotPart(): SnapshotPart {
    const counters: Record<string, Counter<string>> = {
      rejects: this.rejects, phases: this.phaseChanges, rules: this.ruleEvents, obligations: this.obligationReports,
    };
    const byName = (name: string): Counter<string> | undefined => this.registry.getSingleMetric(name) as Counter<string> | undefined;
    for (const name of ['makerbench_trades_total', 'makerbench_auctions_total']) {
      const c = byName(name);
      if (c) counters[name] = c;
    }
    /** prom-client keeps a counter's children in `hashMap` (labels, value): read synchronously here */
    const children = (c: Counter<string>): { labels: Record<string, string>; value: number }[] =>
      Object.values((c as unknown as { hashMap?: Record<string, { labels: Record<string, string>; value: number }> }).hashMap ?? {});
    return {
      save: () => ({
        ordersReceived: this.ordersReceivedCount,
        reports: [...this.reportCounts],
        counters: Object.fromEntries(Object.entries(counters).map(([k, c]) => [k, children(c).map((x) => [x.labels, x.value])])),
      }),
      load: (data) => {
        const d = data as { ordersReceived: number; reports: [string, number][]; counters: Record<string, [Record<string, string>, number][]> };
        this.ordersReceivedCount = d.ordersReceived;
        for (const [k, n] of d.reports) this.reportCounts.set(k, n);
        for (const [k, list] of Object.entries(d.counters)) {
          const c = counters[k];
          if (c) for (const [labels, value] of list) c.inc(labels, value);
        }
      },
    };
  }

  /** The Prometheus text exposition of this server and its process. */
  async render(): Promise<{ contentType: string; text: string }> {
    const merged = Registry.merge([processMetrics(), this.registry]);
    return { contentType: merged.contentType, text: await merged.metrics() };
  }

  countRequest(method: string, route: string, status: number): void {
    this.httpRequests.inc({ method, route, status: String(status) });
  }

  uptimeSeconds(): number {
    return Math.floor((Date.now() - this.started) / 1000);
  }

  sessions(): { trade: number; md: number } {
    return { trade: this.ctx.trade.live.size, md: this.mdSockets };
  }

  close(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }

  private onReport(body: string, msg: Record<string, unknown>): void {
    if (body === 'execution_report') {
      const execType = msg.exec_type as number;
      const name = EXEC_TYPE_NAME[execType] ?? String(execType);
      this.reportCounts.set(name, (this.reportCounts.get(name) ?? 0) + 1);
      if (execType === ExecType.NEW || execType === ExecType.REJECTED) this.ordersReceivedCount++;
      if (execType === ExecType.REJECTED) this.countReject(msg.reject_code, 'new_order');
    } else if (body === 'order_cancel_reject') {
      this.countReject(msg.reject_code, msg.cxl_rej_response_to === 2 ? 'replace' : 'cancel');
    } else if (body === 'order_mass_cancel_report' && msg.rejected === true) {
      this.countReject(msg.reject_code, 'mass_cancel');
    } else if (body === 'obligation_report') {
      this.obligationReports.inc({ programme: msg.programme as string, symbol: msg.symbol as string, outcome: OUTCOME_NAME[msg.outcome as number] ?? 'NONE' });
    }
  }

  private countReject(code: unknown, request: string): void {
    this.rejects.inc({ reject_code: rejectName(code as number), request });
  }

  /** Each member's compliance and presence on each obligation, as its latest ObligationStatus says. */
  private obligationGauges(registers: Registry[]): void {
    const exchange = this.ctx.exchange;
    new Gauge({
      name: 'makerbench_obligation_compliant', help: 'Maker programme members: 1 while compliant, 0 while not (the latest ObligationStatus)',
      labelNames: ['programme', 'account', 'symbol'], registers,
      collect() {
        for (const { account, status } of exchange.obligationStatusList()) this.set(obligationLabels(exchange, account, status), status.compliant ? 1 : 0);
      },
    });
    new Gauge({
      name: 'makerbench_obligation_presence_ppm', help: 'Maker programme members: presence in the current window, ppm of measured time (the latest ObligationStatus)',
      labelNames: ['programme', 'account', 'symbol'], registers,
      collect() {
        for (const { account, status } of exchange.obligationStatusList()) this.set(obligationLabels(exchange, account, status), status.presence_ppm);
      },
    });
  }

  private sessionGauges(registers: Registry[]): void {
    const sessions = (): { trade: number; md: number } => this.sessions();
    new Gauge({
      name: 'makerbench_trade_sessions', help: 'Open order-entry connections on /ws/trade', registers,
      collect() { this.set(sessions().trade); },
    });
    new Gauge({
      name: 'makerbench_md_sessions', help: 'Open market-data connections on /ws/md', registers,
      collect() { this.set(sessions().md); },
    });
  }

  private openOrdersGauge(registers: Registry[]): void {
    const engine = this.ctx.exchange.engine;
    new Gauge({
      name: 'makerbench_open_orders', help: 'Resting orders, by symbol', labelNames: ['symbol'], registers,
      // the engine counts them as they rest and leave: a scrape never walks a book
      collect() {
        for (const inst of engine.instruments) this.set({ symbol: inst.symbol }, engine.restingOrderCount(inst.symbol));
      },
    });
  }

  /** The trading phase of each symbol, as the wire's TradingPhase number (1 continuous, 2 halted, 3 pre-open, 4 opening auction, 5 closed, 6 closing auction). */
  private phaseGauge(registers: Registry[]): void {
    const engine = this.ctx.exchange.engine;
    new Gauge({
      name: 'makerbench_trading_phase',
      help: 'Trading phase by symbol (TradingPhase: 1 continuous, 2 halted, 3 pre-open, 4 opening auction, 5 closed, 6 closing auction)',
      labelNames: ['symbol'], registers,
      collect() {
        for (const inst of engine.instruments) this.set({ symbol: inst.symbol }, phaseToWire(engine.phaseOf(inst.symbol)));
      },
    });
  }

  /**
   * The market-data hub lives in another module and exposes no count, so its
   * connections are counted at the HTTP upgrade: every upgraded socket on
   * /ws/md is one session until it closes.
   */
  private countMdSockets(server: Server): void {
    const onUpgrade = (req: { url?: string }, socket: NodeJS.EventEmitter): void => {
      if ((req.url ?? '').split('?')[0] !== '/ws/md') return;
      this.mdSockets++;
      socket.once('close', () => this.mdSockets--);
    };
    server.on('upgrade', onUpgrade);
    this.unsubscribe.push(() => server.off('upgrade', onUpgrade));
  }
}
