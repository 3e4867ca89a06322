// A fingerprint of a run: every engine event (orders, fills, book levels,
// mass cancels, phases, auctions, rule and obligation events), hashed in
// order (SHA-256). The same seed, scenario and bot must give the same digest.
import { createHash, type Hash } from 'node:crypto';
import type { EventSink } from '../engine/events.ts';
import type { Exchange } from '../gateway/exchange.ts';

const plain = (_key: string, v: unknown): unknown => (typeof v === 'bigint' ? v.toString() : v);

export class EventDigest implements EventSink {
  private readonly hash: Hash = createHash('sha256');
  /** events hashed */
  count = 0;

  /** A digest of everything `exchange`'s engine does from now on (it sees each event before the exchange does). */
  static of(exchange: Exchange): EventDigest {
    const d = new EventDigest();
    const ex: EventSink = exchange;
    exchange.engine.setSink({
      order: (e) => (d.order(e), ex.order(e)),
      fill: (e) => (d.fill(e), ex.fill(e)),
      level: (e) => (d.level(e), ex.level(e)),
      massCancel: (e) => (d.massCancel(e), ex.massCancel(e)),
      phase: (e) => (d.phase(e), ex.phase(e)),
      auction: (e) => (d.auction(e), ex.auction(e)),
      rule: (e) => (d.rule(e), ex.rule(e)),
      obligation: (e) => (d.obligation(e), ex.obligation(e)),
    });
    return d;
  }

  order = (e: object): void => this.add('order', e);
  fill = (e: object): void => this.add('fill', e);
  level = (e: object): void => this.add('level', e);
  massCancel = (e: object): void => this.add('massCancel', e);
  phase = (e: object): void => this.add('phase', e);
  auction = (e: object): void => this.add('auction', e);
  rule = (e: object): void => this.add('rule', e);
  obligation = (e: object): void => this.add('obligation', e);

  /** The digest (hex); hashing ends. */
  hex(): string {
    return this.hash.digest('hex');
  }

  private add(kind: string, e: object): void {
    this.count++;
    this.hash.update(kind);
    this.hash.update(JSON.stringify(e, plain));
    this.hash.update('\n');
  }
}
