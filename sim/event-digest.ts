// A fingerprint of a run: every report the exchange sends any account and
// every book, trade and phase event, hashed in order (SHA-256). Two runs with
// the same seed, scenario and bot must give the same digest.
import { createHash, type Hash } from 'node:crypto';
import type { FillEvent, LevelEvent, PhaseEvent } from '../engine/events.ts';
import type { Side } from '../engine/types.ts';
import type { Exchange, MarketListener } from '../gateway/exchange.ts';
import type { MdAuction } from '../gateway/translate.ts';

const plain = (_key: string, v: unknown): unknown => (typeof v === 'bigint' ? v.toString() : v);

export class EventDigest implements MarketListener {
  private readonly hash: Hash = createHash('sha256');
  /** events hashed */
  count = 0;
  private readonly detach: (() => void)[];

  constructor(exchange: Exchange) {
    this.detach = [
      exchange.tapReports((account, body, msg) => this.add('r', account, body, msg)),
      exchange.subscribeMarket(this),
    ];
  }

  level(e: LevelEvent): void {
    this.add('l', e);
  }

  trade(e: FillEvent): void {
    this.add('t', e);
  }

  order(symbol: string, orderId: number, side: Side, price: number, qty: number): void {
    this.add('o', symbol, orderId, side, price, qty);
  }

  phase(e: PhaseEvent): void {
    this.add('p', e);
  }

  auction(symbol: string, a: MdAuction): void {
    this.add('a', symbol, a);
  }

  commit(): void {}

  /** The digest so far (hex); hashing stops. */
  hex(): string {
    for (const d of this.detach) d();
    return this.hash.digest('hex');
  }

  private add(...parts: unknown[]): void {
    this.count++;
    this.hash.update(JSON.stringify(parts, plain));
    this.hash.update('\n');
  }
}
