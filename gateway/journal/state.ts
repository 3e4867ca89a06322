// What a replay is checked against: the exchange's state as one canonical
// JSON document (books, orders, accounts, keys, positions, cash, fees,
// obligation meters, rule state) and its hash, and the engine's event stream
// as JSON lines (with a running hash) from a sink placed in front of the Exchange.
import { createHash, type Hash } from 'node:crypto';
import type { EventSink } from '../../engine/events.ts';
import type { Exchange } from '../exchange.ts';
import { Side } from '../../engine/types.ts';

const bigints = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? v.toString() : v);

/** The exchange's state as plain data (deterministic key order: built field by field). */
export function exchangeState(x: Exchange): Record<string, unknown> {
  const e = x.engine;
  const books = e.instruments.map((i) => {
    const d = e.depth(i.symbol, Number.MAX_SAFE_INTEGER);
    const orders = (side: Side, levels: { price: number }[]): unknown[] => levels.map((l) => e.levelOrders(i.symbol, side, l.price));
    return {
      symbol: i.symbol, phase: e.phaseOf(i.symbol), stress: e.stressOf(i.symbol), controls: e.priceControls(i.symbol),
      bids: d?.bids, asks: d?.asks, bidOrders: orders(Side.BUY, d?.bids ?? []), askOrders: orders(Side.SELL, d?.asks ?? []),
    };
  });
  const accounts = e.accountIds().map((id) => ({
    info: x.accountInfo(id), view: e.accountView(id), killSwitch: e.killSwitchOf(id), settlements: e.settlements(id),
    otr: e.instruments.map((i) => e.orderToTrade(id, i.symbol)),
  }));
  return {
    time: e.time, eventSeq: e.lastSeq, nextOrderId: e.nextOrderIdPreview(), venueFees: e.venueFees.map((a) => a.toBigInt().toString()),
    books, accounts, obligations: e.obligationViews(),
  };
}

/** SHA-256 of the canonical state document, hex. */
export function stateHash(x: Exchange): string {
  return createHash('sha256').update(JSON.stringify(exchangeState(x), bigints)).digest('hex');
}

/**
 * Puts itself between the engine and the Exchange: every event is written as
 * one JSON line (to `onLine`, when given) and hashed, then passed on.
 */
export class EventTap implements EventSink {
  private readonly hash: Hash = createHash('sha256');
  events = 0;

  constructor(private readonly next: EventSink, private readonly onLine?: (line: string) => void) {}

  digest(): string {
    return this.hash.copy().digest('hex');
  }

  private line(type: string, e: object): void {
    const s = JSON.stringify({ type, ...e }, bigints) + '\n';
    this.hash.update(s);
    this.events++;
    this.onLine?.(s);
  }

  order(e: Parameters<EventSink['order']>[0]): void { this.line('order', e); this.next.order(e); }
  fill(e: Parameters<EventSink['fill']>[0]): void { this.line('fill', e); this.next.fill(e); }
  level(e: Parameters<EventSink['level']>[0]): void { this.line('level', e); this.next.level(e); }
  massCancel(e: Parameters<EventSink['massCancel']>[0]): void { this.line('massCancel', e); this.next.massCancel(e); }
  phase(e: Parameters<EventSink['phase']>[0]): void { this.line('phase', e); this.next.phase(e); }
  auction(e: Parameters<EventSink['auction']>[0]): void { this.line('auction', e); this.next.auction(e); }
  rule(e: Parameters<EventSink['rule']>[0]): void { this.line('rule', e); this.next.rule(e); }
  obligation(e: Parameters<EventSink['obligation']>[0]): void { this.line('obligation', e); this.next.obligation(e); }
}
