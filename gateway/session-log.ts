// The operator's log of what happens to sessions and instruments, through the
// server's pino logger (`npm start -- --log [--log-level <l>]`): logons and
// logouts with their reason (info; warn when the server ended the session for
// a fault), session Rejects (warn), order rejects with their code (info),
// bans (warn), kill switches and limit states (info), and phase changes
// (halts warn, the rest info). Nothing is listened to at a level that is off,
// so a server without --log pays nothing for it.
import type { FastifyBaseLogger } from 'fastify';
import { RuleEventKind } from '../engine/events.ts';
import { TradingPhase } from '../engine/types.ts';
import type { Exchange, MarketListener } from './exchange.ts';
import { extendServer } from './server.ts';
import type { SessionEvent, TradeSessions } from './trade-session.ts';
import { ExecType, PHASE_CAUSE_NAME, phaseName } from './translate.ts';
import { enumValues, LogoutReason } from './wire.ts';

const nameOf = (e: string, prefix: string): Record<number, string> =>
  Object.fromEntries(Object.entries(enumValues(e)).map(([k, v]) => [v, k.slice(prefix.length)]));
const LOGOUT_NAME = nameOf('LogoutReason', 'LOGOUT_REASON_');
const REJECT_NAME = nameOf('RejectCode', 'REJECT_CODE_');
const SESSION_REJECT_NAME = nameOf('SessionRejectReason', 'SESSION_REJECT_REASON_');

/** Logouts that end a session for a fault of the client (or a ban): worth a warning. */
const FAULTS: ReadonlySet<number> = new Set([
  LogoutReason.BANNED, LogoutReason.SEQ_TOO_LOW, LogoutReason.TOO_MANY_REJECTS, LogoutReason.HEARTBEAT_TIMEOUT, LogoutReason.RATE_LIMIT,
]);

type Log = Pick<FastifyBaseLogger, 'info' | 'warn'> & { isLevelEnabled?: (level: string) => boolean };

const enabled = (log: Log, level: string): boolean => typeof log.isLevelEnabled === 'function' && log.isLevelEnabled(level);

function logSession(log: Log, e: SessionEvent): void {
  switch (e.kind) {
    case 'logon': return log.info({ event: 'logon', session: e.session, account: e.account, name: e.name }, 'logon');
    case 'logout': {
      const reason = e.reason === 0 ? 'DISCONNECTED' : LOGOUT_NAME[e.reason] ?? String(e.reason);
      const fields = { event: 'logout', session: e.session, account: e.account, reason, text: e.text };
      return FAULTS.has(e.reason) ? log.warn(fields, 'logout') : log.info(fields, 'logout');
    }
    case 'reject':
      return log.warn({ event: 'session_reject', session: e.session, account: e.account, reason: SESSION_REJECT_NAME[e.reason], text: e.text }, 'session reject');
  }
}

/** Order-level refusals as they go to their account: the code and the text. */
function logReport(log: Log, account: number, body: string, m: Record<string, unknown>): void {
  if (body === 'execution_report' && m.exec_type === ExecType.REJECTED) {
    log.info({ event: 'order_reject', account, cl_ord_id: m.cl_ord_id, symbol: m.symbol, reject_code: REJECT_NAME[m.reject_code as number], text: m.text }, 'order rejected');
  } else if (body === 'order_cancel_reject') {
    log.info({ event: 'cancel_reject', account, cl_ord_id: m.cl_ord_id, reject_code: REJECT_NAME[m.reject_code as number], text: m.text }, 'cancel rejected');
  } else if (body === 'mass_quote_ack' && (m.bid_reject_code || m.offer_reject_code)) {
    log.info({
      event: 'quote_reject', account, quote_id: m.quote_id, symbol: m.symbol,
      bid: REJECT_NAME[m.bid_reject_code as number], offer: REJECT_NAME[m.offer_reject_code as number],
    }, 'quote side rejected');
  }
}

/** Phase changes: a halt is a warning, the rest (schedule, resumes) information. */
function phaseListener(log: Log): MarketListener {
  const none = (): void => {};
  return {
    level: none, trade: none, order: none, auction: none, commit: none,
    phase(e) {
      const fields = { event: 'phase', symbol: e.symbol, phase: phaseName(e.phase), cause: PHASE_CAUSE_NAME[e.cause], text: e.text };
      if (e.phase === TradingPhase.HALTED) log.warn({ ...fields, until: e.until || undefined }, 'halt');
      else log.info(fields, 'phase');
    },
  };
}

/** Hooks the log onto a server's sessions and exchange; returns the unsubscribers. */
export function attachSessionLog(log: Log, exchange: Exchange, trade: TradeSessions): () => void {
  const off: (() => void)[] = [];
  if (enabled(log, 'warn')) {
    const fn = (e: SessionEvent): void => logSession(log, e);
    trade.events.add(fn);
    off.push(() => trade.events.delete(fn));
    off.push(exchange.subscribeMarket(phaseListener(log)));
    off.push(exchange.subscribeRules((e) => {
      if (e.kind === RuleEventKind.BAN) log.warn({ event: 'ban', account: e.account, session: e.session || undefined, until: e.until, text: e.text }, 'ban');
      else if (e.kind === RuleEventKind.KILL_SWITCH_ON || e.kind === RuleEventKind.KILL_SWITCH_OFF) {
        log.info({ event: 'kill_switch', account: e.account, on: e.kind === RuleEventKind.KILL_SWITCH_ON, text: e.text }, 'kill switch');
      } else if (e.kind === RuleEventKind.LIMIT_STATE_ON || e.kind === RuleEventKind.LIMIT_STATE_OFF) {
        log.info({ event: 'limit_state', symbol: e.symbol, on: e.kind === RuleEventKind.LIMIT_STATE_ON, halt_time: e.until || undefined }, e.text);
      } else if (e.kind === RuleEventKind.MMP_TRIGGERED || e.kind === RuleEventKind.MMP_RESET) {
        log.info({ event: 'mmp', account: e.account, symbol: e.symbol, triggered: e.kind === RuleEventKind.MMP_TRIGGERED, value: e.value || undefined }, e.text);
      }
    }));
  }
  if (enabled(log, 'info')) off.push(exchange.tapReports((account, body, m) => logReport(log, account, body, m)));
  return () => { for (const f of off) f(); };
}

extendServer((ctx) => ({ close: attachSessionLog(ctx.app.log, ctx.exchange, ctx.trade) }));
