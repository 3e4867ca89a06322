// An account's live orders by client order id: an open-addressing hash table
// (linear probing, backward-shift deletion, so no tombstones) over plain
// arrays that live as long as the account.
//
// Why not a Map: every order inserts one key and later deletes it, and a Map
// with that churn rebuilds its table each time the deleted entries fill it.
// For a long-lived Map V8 allocates the new table in the old generation, so
// under load this alone left ~60 bytes of old-space garbage per order and
// brought a full mark-compact (a ~20–50 ms hiccup on the gateway) every few
// seconds. Here the arrays are only replaced when the capacity changes.
import type { Order } from './order.ts';

const MIN_CAPACITY = 16;

/** FNV-1a over the UTF-16 code units (ids are at most 64 characters, validate.ts). */
export function hashOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class ClOrdIdIndex {
  private keys: (string | undefined)[] = [];
  private orders: (Order | undefined)[] = [];
  private hashes = new Uint32Array(0);
  private mask = -1;
  size = 0;

  constructor() {
    this.allocate(MIN_CAPACITY);
  }

  get(id: string): Order | undefined {
    const i = this.find(id, hashOf(id));
    return i < 0 ? undefined : this.orders[i];
  }

  has(id: string): boolean {
    return this.find(id, hashOf(id)) >= 0;
  }

  /** Adds or replaces the order under `id`. */
  set(id: string, o: Order): void {
    const h = hashOf(id);
    let i = h & this.mask;
    for (let k = this.keys[i]; k !== undefined; k = this.keys[i]) {
      if (this.hashes[i] === h && k === id) {
        this.orders[i] = o;
        return;
      }
      i = (i + 1) & this.mask;
    }
    this.keys[i] = id;
    this.orders[i] = o;
    this.hashes[i] = h;
    // load factor ≤ 1/2 keeps probe runs short
    if (++this.size * 2 > this.keys.length) this.resize(this.keys.length * 2);
  }

  delete(id: string): boolean {
    let i = this.find(id, hashOf(id));
    if (i < 0) return false;
    // backward shift: pull later entries of the probe run into the hole, unless that would move one before its home slot
    const mask = this.mask;
    for (let j = (i + 1) & mask; this.keys[j] !== undefined; j = (j + 1) & mask) {
      const home = this.hashes[j] & mask;
      if (((j - home) & mask) >= ((j - i) & mask)) {
        this.keys[i] = this.keys[j];
        this.orders[i] = this.orders[j];
        this.hashes[i] = this.hashes[j];
        i = j;
      }
    }
    this.keys[i] = undefined;
    this.orders[i] = undefined;
    this.size--;
    // memory follows the live orders: shrink once at most 1/8 full
    if (this.keys.length > MIN_CAPACITY && this.size * 8 < this.keys.length) this.resize(this.keys.length / 2);
    return true;
  }

  private find(id: string, h: number): number {
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const k = this.keys[i];
      if (k === undefined) return -1;
      if (this.hashes[i] === h && k === id) return i;
    }
  }

  private allocate(capacity: number): void {
    this.keys = new Array<string | undefined>(capacity).fill(undefined);
    this.orders = new Array<Order | undefined>(capacity).fill(undefined);
    this.hashes = new Uint32Array(capacity);
    this.mask = capacity - 1;
  }

  private resize(capacity: number): void {
    const { keys, orders, hashes } = this;
    this.allocate(capacity);
    for (let j = 0; j < keys.length; j++) {
      const k = keys[j];
      if (k === undefined) continue;
      let i = hashes[j] & this.mask;
      while (this.keys[i] !== undefined) i = (i + 1) & this.mask;
      this.keys[i] = k;
      this.orders[i] = orders[j];
      this.hashes[i] = hashes[j];
    }
  }
}
