// The part of a FIX-style session that outlives a connection: sequence numbers
// both ways and a bounded store of what was sent, so a reconnect can ask for
// what it missed. One per account; reports produced while the account is not
// connected are numbered and stored too.

export interface StoredMessage {
  seq: number;
  /** the Envelope body's name */
  body: string;
  /** the Envelope without msg_seq_num (wire.sharedFrame): bytes, not objects, so a full store costs the GC little */
  frame: Uint8Array;
}

export class SessionState {
  /** next sequence number expected from the client */
  nextIn = 1;
  /** next sequence number the server will send */
  nextOut = 1;
  private readonly ring: (StoredMessage | undefined)[];
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.ring = new Array<StoredMessage | undefined>(capacity);
  }

  reset(): void {
    this.nextIn = 1;
    this.nextOut = 1;
    this.ring.fill(undefined);
    this.head = this.count = 0;
  }

  /** Numbers an outgoing message and keeps it for resends (the oldest drops out when full). */
  store(body: string, frame: Uint8Array): number {
    const seq = this.nextOut++;
    this.ring[this.head] = { seq, body, frame };
    this.head = (this.head + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
    return seq;
  }

  /** The lowest sequence number still stored (nextOut if none). */
  get oldest(): number {
    return this.nextOut - this.count;
  }

  /** Stored messages with begin ≤ seq ≤ end, in order. */
  range(begin: number, end: number): StoredMessage[] {
    const out: StoredMessage[] = [];
    const from = Math.max(begin, this.oldest);
    const to = Math.min(end, this.nextOut - 1);
    for (let seq = from; seq <= to; seq++) {
      const idx = (this.head - (this.nextOut - seq) + this.capacity * 2) % this.capacity;
      const m = this.ring[idx];
      if (m && m.seq === seq) out.push(m);
    }
    return out;
  }
}
