// Live orders by exchange id: an open-addressing hash table (linear probing,
// backward-shift deletion, so no tombstones) of the live orders themselves,
// sized to them (at most half full, shrunk once at most 1/8 full). A table of
// every id handed out would spread the few live orders over the whole id
// range, a cache line each; this one keeps them dense, so looking one up by id
// (every cancel and amend), adding and dropping one stay in cache.
import { objectArray } from './arrays.ts';
import type { Order } from './order.ts';

const MIN_BITS = 10;
/** 2^32, to fold ids beyond 32 bits (long runs) into the hash */
const TWO32 = 4294967296;

export class OrderIndex {
  private slots = objectArray<Order | null>();
  private mask = 0;
  /** 32 − log2(capacity): the hash keeps the top bits of the product */
  private shift = 0;
  size = 0;

  constructor() {
    this.allocate(MIN_BITS);
  }

  /** Home slot of an id: Fibonacci hashing (consecutive ids land far apart, so their probe runs stay short). */
  private home(id: number): number {
    const k = id <= 0x7fffffff ? id : (id % TWO32) ^ Math.floor(id / TWO32);
    return Math.imul(k, 0x9e3779b1) >>> this.shift;
  }

  /** `id` must be a positive safe integer (ids pass 2^32 in long runs). */
  get(id: number): Order | undefined {
    const slots = this.slots;
    for (let i = this.home(id); ; i = (i + 1) & this.mask) {
      const o = slots[i];
      if (o === null) return undefined;
      if (o.id === id) return o;
    }
  }

  set(o: Order): void {
    const slots = this.slots;
    let i = this.home(o.id);
    for (let s = slots[i]; s !== null; s = slots[i]) {
      if (s.id === o.id) {
        slots[i] = o;
        return;
      }
      i = (i + 1) & this.mask;
    }
    slots[i] = o;
    if (++this.size * 2 > slots.length) this.resize(this.bits() + 1);
  }

  /** Drops the order with this id, if live. */
  delete(id: number): void {
    const { slots, mask } = this;
    let i = this.home(id);
    for (let s = slots[i]; ; s = slots[i]) {
      if (s === null) return;
      if (s.id === id) break;
      i = (i + 1) & mask;
    }
    // backward shift: pull later entries of the probe run into the hole, unless that would move one before its home slot
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const s = slots[j];
      if (s === null) break;
      const h = this.home(s.id);
      if (((j - h) & mask) >= ((j - i) & mask)) {
        slots[i] = s;
        i = j;
      }
    }
    slots[i] = null;
    this.size--;
    if (this.size * 8 < slots.length && slots.length > 1 << MIN_BITS) this.resize(this.bits() - 1);
  }

  private bits(): number {
    return 32 - this.shift;
  }

  private allocate(bits: number): void {
    const slots = objectArray<Order | null>();
    for (let i = 0; i < 1 << bits; i++) slots.push(null);
    this.slots = slots;
    this.mask = (1 << bits) - 1;
    this.shift = 32 - bits;
  }

  private resize(bits: number): void {
    const old = this.slots;
    this.allocate(bits);
    const slots = this.slots;
    for (const o of old) {
      if (o === null) continue;
      let i = this.home(o.id);
      while (slots[i] !== null) i = (i + 1) & this.mask;
      slots[i] = o;
    }
  }
}
