// Encoded market-data snapshots, kept while the part of the book they show is
// unchanged. Building and encoding the largest capped snapshot (1,000 levels a
// side, 1,000 L3 orders) costs a few tenths of a millisecond on the thread
// that runs the engine; a client asking for it in a loop, or many bots
// subscribing at once, would pay that again and again for the same bytes. A snapshot shows
// the best `depth` levels of each side: an order or level change deeper in
// the book leaves it as it was (only its update id moves), so the body is
// kept and each answer adds its own md_req_id, symbol and last_update_id in
// front of it, as a separate small buffer: the kept bytes are written as they
// are, never copied per answer (parts()).
//
// Protobuf fields may come in any order, so a snapshot message is those three
// fields followed by the cached bytes of the rest (bids, asks, orders, bbo).
// A level event at or inside an entry's worst shown price on its side (or
// anywhere on a side shown whole) drops the entry. Snapshots during a call
// phase carry the auction indication, which moves without level events: they
// are never cached.
import type { Exchange } from './exchange.ts';
import { snapshot } from './md-feed.ts';
import { Bit, type MdBbo, type MdLevel, type MdOrder } from './md-wire.ts';
import { snapshotBodyFields } from './fast-encode.ts';
import { EnvelopeType, nowMicros, varintLength, writeVarint } from './wire.ts';
import { Side } from '../engine/types.ts';
import type { LevelView } from '../engine/query.ts';

const BODY = 'market_data_snapshot_full_refresh';
const FIELD = EnvelopeType.fields[BODY];
const SnapshotType = FIELD.resolvedType as typeof EnvelopeType;
/** the Envelope's tag of the snapshot body: field number, wire type 2 (length-delimited) */
const TAG = FIELD.id * 8 + 2;

interface Entry {
  /** the snapshot message's fields after md_req_id, symbol and last_update_id */
  readonly body: Uint8Array;
  /** a bid at or above this price is shown (-Infinity: the whole bid side is) */
  readonly bidFloor: number;
  /** an ask at or below this price is shown (Infinity: the whole ask side is) */
  readonly askCeiling: number;
}

export interface SnapshotCacheStats {
  /** snapshots answered from a kept encoding */
  hits: number;
  /** snapshots built and encoded */
  builds: number;
}

export class SnapshotCache {
  readonly stats: SnapshotCacheStats = { hits: 0, builds: 0 };
  private readonly bySymbol = new Map<string, Map<string, Entry>>();

  /** `perSymbol`: kept encodings per symbol at most (one per channel set and depth asked for; the oldest goes first) */
  constructor(private readonly exchange: Exchange, private readonly perSymbol: number) {}

  /** A level changed: entries that show it are dropped. */
  level(symbol: string, side: Side, price: number): void {
    const entries = this.bySymbol.get(symbol);
    if (entries === undefined) return;
    for (const [key, e] of entries) {
      if (side === Side.BUY ? price >= e.bidFloor : price <= e.askCeiling) entries.delete(key);
    }
  }

  /** Something a snapshot shows changed without a level event (an auction, a phase): the symbol's entries go. */
  forget(symbol: string): void {
    this.bySymbol.delete(symbol);
  }

  /**
   * The shared frame (an Envelope without msg_seq_num) of the snapshot of
   * `symbol` with these channels, `depth` levels a side (≥ 1) and at most
   * `maxOrders` L3 orders, as of the symbol's current update id, in one buffer.
   */
  frame(symbol: string, mdReqId: string, mask: number, depth: number, maxOrders: number): Uint8Array {
    const { head, body } = this.parts(symbol, mdReqId, mask, depth, maxOrders);
    return Buffer.concat([head, body]);
  }

  /**
   * The same frame in two parts, `head` ++ `body`: the head is this answer's
   * own (the Envelope's sending time and the snapshot's md_req_id, symbol and
   * last_update_id, a few dozen bytes), the body is the kept encoding itself,
   * shared by every answer while the levels it shows are unchanged and never
   * written to. Served as two writes of one frame (ws-frame.ts
   * sendNumberedParts), an answer copies and allocates nothing the size of the
   * snapshot.
   */
  parts(symbol: string, mdReqId: string, mask: number, depth: number, maxOrders: number): FrameParts {
    const head = SnapshotType.encode({ md_req_id: mdReqId, symbol, last_update_id: this.exchange.updateId(symbol) }).finish();
    const body = this.body(symbol, mask, depth, maxOrders);
    return { head: envelopeHead(head, body.length), body };
  }

  private body(symbol: string, mask: number, depth: number, maxOrders: number): Uint8Array {
    if (this.exchange.auctionState(symbol) !== undefined) return this.build(symbol, mask, depth, maxOrders).body;
    let entries = this.bySymbol.get(symbol);
    if (entries === undefined) this.bySymbol.set(symbol, (entries = new Map()));
    const key = `${mask}:${depth}:${maxOrders}`;
    const hit = entries.get(key);
    if (hit !== undefined) {
      this.stats.hits++;
      return hit.body;
    }
    const entry = this.build(symbol, mask, depth, maxOrders);
    if (entries.size >= this.perSymbol) entries.delete(entries.keys().next().value as string);
    entries.set(key, entry);
    return entry.body;
  }

  private build(symbol: string, mask: number, depth: number, maxOrders: number): Entry {
    this.stats.builds++;
    const msg = snapshot(this.exchange, symbol, '', mask, depth, maxOrders);
    // what the snapshot shows: its levels (`depth` a side), or the best one alone for BBO only
    const levels = mask & (Bit.L2 | Bit.L3) ? depth : 1;
    const shown = mask & Bit.L2 ? (msg as { bids: LevelView[]; asks: LevelView[] }) : this.exchange.engine.depth(symbol, levels);
    const bids = shown?.bids ?? [];
    const asks = shown?.asks ?? [];
    // the head's fields are left out, not blanked (protobufjs writes every field present, even an empty one)
    const { md_req_id: _id, symbol: _symbol, last_update_id: _u, ...rest } = msg;
    const m = rest as { bids?: MdLevel[]; asks?: MdLevel[]; orders?: MdOrder[]; bbo?: MdBbo; auction?: unknown };
    return {
      body: m.auction === undefined ? snapshotBodyFields(m.bids, m.asks, m.orders, m.bbo) : SnapshotType.encode(rest).finish(),
      bidFloor: bids.length < levels ? -Infinity : bids[bids.length - 1].price,
      askCeiling: asks.length < levels ? Infinity : asks[asks.length - 1].price,
    };
  }
}

/** A shared frame as `head` ++ `body` (see SnapshotCache.parts). */
export interface FrameParts {
  readonly head: Uint8Array;
  readonly body: Uint8Array;
}

/** Envelope{sending_time_us, snapshot = head ++ body} up to the body, by hand: the body is already encoded. */
function envelopeHead(head: Uint8Array, bodyLength: number): Uint8Array {
  const time = EnvelopeType.encode({ sending_time_us: nowMicros() }).finish();
  const n = head.length + bodyLength;
  const out = Buffer.allocUnsafe(time.length + varintLength(TAG) + varintLength(n) + head.length);
  out.set(time, 0);
  let i = writeVarint(out, time.length, TAG);
  i = writeVarint(out, i, n);
  out.set(head, i);
  return out;
}
