// The part of a FIX-style session that outlives a connection: sequence numbers
// both ways and a bounded store of what was sent, so a reconnect can ask for
// what it missed. One per account; reports produced while the account is not
// connected are numbered and stored too.
//
// The store copies each frame's bytes into one byte ring per account, with
// offsets, lengths and body kinds in typed arrays. Keeping a Buffer object per
// stored report made every report survive young-generation GC for seconds
// (at 20k reports/s, the objects scavenges copied and promoted — the length of
// the pauses that set the open-loop tail); a byte copy leaves nothing behind.

export interface StoredMessage {
  seq: number;
  /** the Envelope body's name */
  body: string;
  /** the Envelope without msg_seq_num (wire.sharedFrame) */
  frame: Uint8Array;
}

/** Body names ↔ small ids (a handful of kinds exist). */
const bodyIds = new Map<string, number>();
const bodyNames: string[] = [];
function bodyId(body: string): number {
  let id = bodyIds.get(body);
  if (id === undefined) {
    id = bodyNames.length;
    bodyNames.push(body);
    bodyIds.set(body, id);
  }
  return id;
}

/** Bytes reserved per stored message at most (reports are ~100–200 bytes). */
const BYTES_PER_MESSAGE = 256;
/** the ring of a tiny store still holds a few large frames */
const MIN_BYTES = 16 * 1024;

export class SessionState {
  /** next sequence number expected from the client */
  nextIn = 1;
  /** next sequence number the server will send */
  nextOut = 1;
  /** per message slot (ring of `capacity`): where its bytes are, how many, which body */
  private readonly offs: Uint32Array;
  private readonly lens: Uint32Array;
  private readonly kinds: Uint16Array;
  /** slot of the oldest stored message, and how many are stored */
  private first = 0;
  private count = 0;
  /**
   * The byte ring, allocated once at its full size; `pos` is where the next
   * frame goes. The OS backs its pages only as frames first reach them. It
   * used to start small and double, but each doubling copied the stored
   * frames into a freshly allocated buffer all at once: the last one (1.3 MB
   * into a new 2 MB ring) took 3.4 ms on the 2-core dev VM, for every
   * account in the same second — a 27 ms stall in a fresh server under load.
   */
  private readonly bytes: Uint8Array;
  private pos = 0;

  constructor(readonly capacity: number) {
    this.offs = new Uint32Array(capacity);
    this.lens = new Uint32Array(capacity);
    this.kinds = new Uint16Array(capacity);
    this.bytes = new Uint8Array(Math.max(MIN_BYTES, capacity * BYTES_PER_MESSAGE));
  }

  /** Back to a saved state (journal snapshots): the next outbound number, and the stored messages, oldest first. */
  restore(nextIn: number, nextOut: number, stored: readonly { body: string; frame: Uint8Array }[]): void {
    this.reset();
    this.nextOut = nextOut - stored.length;
    for (const m of stored) this.store(m.body, m.frame);
    this.nextIn = nextIn;
    this.nextOut = nextOut;
  }

  reset(): void {
    this.nextIn = 1;
    this.nextOut = 1;
    this.first = this.count = this.pos = 0;
  }

  /** Numbers an outgoing message and keeps it for resends (the oldest drop out when the store is full). */
  store(body: string, frame: Uint8Array): number {
    const seq = this.nextOut++;
    const len = frame.length;
    if (len > this.bytes.length) {
      this.clear(); // too large to keep: a resend gap-fills it (and everything older)
      return seq;
    }
    if (this.count === this.capacity) this.dropOldest();
    const at = this.reserve(len);
    this.bytes.set(frame, at);
    const slot = this.slotOf(this.count);
    this.offs[slot] = at;
    this.lens[slot] = len;
    this.kinds[slot] = bodyId(body);
    this.count++;
    this.pos = at + len;
    return seq;
  }

  /** The lowest sequence number still stored (nextOut if none). */
  get oldest(): number {
    return this.nextOut - this.count;
  }

  /** Stored messages with begin ≤ seq ≤ end, in order (copies: resends are rare). */
  range(begin: number, end: number): StoredMessage[] {
    const out: StoredMessage[] = [];
    const from = Math.max(begin, this.oldest);
    const to = Math.min(end, this.nextOut - 1);
    for (let seq = from; seq <= to; seq++) {
      const slot = this.slotOf(seq - this.oldest);
      const at = this.offs[slot];
      out.push({ seq, body: bodyNames[this.kinds[slot]], frame: this.bytes.slice(at, at + this.lens[slot]) });
    }
    return out;
  }

  /** Where `len` bytes go: after the newest frame, or at 0 when they do not fit before the end; older frames in the way drop out. */
  private reserve(len: number): number {
    let at = this.pos;
    if (at + len > this.bytes.length) {
      // wrap: the frames between pos and the end are the oldest, then those from 0 on
      while (this.count > 0 && this.offs[this.first] >= at) this.dropOldest();
      at = 0;
    }
    while (this.count > 0 && this.overlaps(this.first, at, len)) this.dropOldest();
    return at;
  }

  private overlaps(slot: number, at: number, len: number): boolean {
    const o = this.offs[slot];
    return o < at + len && o + this.lens[slot] > at;
  }

  /** The ring slot of the i-th oldest stored message. */
  private slotOf(i: number): number {
    return (this.first + i) % this.capacity;
  }

  private dropOldest(): void {
    this.first = (this.first + 1) % this.capacity;
    this.count--;
  }

  private clear(): void {
    this.first = this.count = this.pos = 0;
  }
}
