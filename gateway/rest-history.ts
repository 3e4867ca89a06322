// What REST shows of an account's past: its recently finished orders (for the
// order status of an order no longer open) and its recent fills. The engine
// keeps only live orders, so the gateway records the last ExecutionReport of
// each order that finished, and every fill, from the reports the exchange
// routes. Both are bounded per account (oldest dropped first), and kept only
// for accounts that have used REST (from their first authenticated request
// on): an account trading over /ws/trade alone costs its hot path nothing.
import type { Exchange } from './exchange.ts';
import { graphPart, type SnapshotPart } from './journal/snapshot.ts';
import { ExecType, OrdStatus } from './translate.ts';

/** Finished orders kept per account. */
export const FINISHED_ORDERS_KEPT = 1000;
/** Fills kept per account. */
export const FILLS_KEPT = 1000;

type Report = Record<string, unknown>;

const FINISHED: ReadonlySet<unknown> = new Set([OrdStatus.FILLED, OrdStatus.CANCELED, OrdStatus.EXPIRED]);

export class AccountHistory {
  /** order id → its last report */
  readonly finished = new Map<number, Report>();
  readonly byClOrdId = new Map<string, number>();
  /** the finished order ids in finishing order, a ring: the slot of the next one is the oldest */
  private readonly ring: number[] = [];
  private next = 0;
  /** oldest first; trimmed in batches */
  fills: Report[] = [];

  finish(er: Report): void {
    const id = er.order_id as number;
    const clOrdId = er.cl_ord_id as string;
    // an order finishes once: its id is never reused
    this.finished.set(id, er);
    if (clOrdId !== '') this.byClOrdId.set(clOrdId, id);
    if (this.ring.length < FINISHED_ORDERS_KEPT) {
      this.ring.push(id);
      return;
    }
    const oldId = this.ring[this.next];
    this.ring[this.next] = id;
    this.next = (this.next + 1) % FINISHED_ORDERS_KEPT;
    const old = this.finished.get(oldId);
    this.finished.delete(oldId);
    if (old && this.byClOrdId.get(old.cl_ord_id as string) === oldId) this.byClOrdId.delete(old.cl_ord_id as string);
  }

  fill(er: Report): void {
    this.fills.push(er);
    if (this.fills.length >= FILLS_KEPT * 2) this.fills = this.fills.slice(-FILLS_KEPT);
  }
}

export class History {
  /** the accounts recorded: those that have made an authenticated REST request */
  private readonly accounts = new Map<number, AccountHistory>();
  readonly close: () => void;

  constructor(exchange: Exchange) {
    this.close = exchange.tapReports((account, body, msg) => {
      if (body !== 'execution_report') return;
      const h = this.accounts.get(account);
      if (h === undefined) return;
      if (msg.exec_type === ExecType.TRADE) h.fill(msg);
      if (FINISHED.has(msg.ord_status) && msg.order_id !== 0) h.finish(msg);
    });
  }

  /** Kept in journal snapshots as an object graph (its reports are plain objects). */
  snapshotPart(): SnapshotPart {
    return graphPart(this, { classes: [AccountHistory] });
  }

  /** Records the account's finished orders and fills from now on. */
  watch(account: number): void {
    if (!this.accounts.has(account)) this.accounts.set(account, new AccountHistory());
  }

  /** The last report of a finished order of the account, by order id. */
  finishedOrder(account: number, orderId: number): Report | undefined {
    return this.accounts.get(account)?.finished.get(orderId);
  }

  /** The last report of the latest finished order of the account with this cl_ord_id. */
  finishedByClOrdId(account: number, clOrdId: string): Report | undefined {
    const h = this.accounts.get(account);
    const id = h?.byClOrdId.get(clOrdId);
    return id === undefined ? undefined : h?.finished.get(id);
  }

  /** The account's most recent fills (optionally of one symbol), oldest first, at most `limit`. */
  fills(account: number, limit: number, symbol?: string): Report[] {
    const all = this.accounts.get(account)?.fills ?? [];
    const out: Report[] = [];
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) if (symbol === undefined || all[i].symbol === symbol) out.push(all[i]);
    return out.reverse();
  }
}
