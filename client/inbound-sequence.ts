// FIX inbound sequencing for one session, as a pure state machine (no I/O, so
// it is tested on its own). Messages are released strictly in msg_seq_num
// order, each exactly once: a number below the expected one is a duplicate
// (e.g. a poss_dup replay) and dropped; a number above it is held until the
// gap is filled by a resend or a SequenceReset-GapFill, and the caller is
// told which range to ask for. The hold buffer is bounded: overflowing it
// means the gap will not heal by itself, and the caller starts over.

export interface SequencerResult<T> {
  /** messages now in order, oldest first (placeholders for consumed-only numbers are skipped) */
  ready: T[];
  /** a range to ask the sender for (ResendRequest), when a new gap opened */
  resend: { begin: number; end: number } | null;
  /** true when the number had been seen before (the message was dropped) */
  duplicate: boolean;
  /** true when the hold buffer is full: the message was not kept */
  overflow: boolean;
}

/** A held slot: a message to release, or a number that only has to be consumed (gap fill, handled admin message). */
type Slot<T> = { msg: T | null; gapFillTo: number };

export class InboundSequencer<T> {
  private expected = 1;
  private readonly held = new Map<number, Slot<T>>();
  /** the highest number already asked for (so a gap is requested once per connection) */
  private requestedThrough = 0;
  private progressAt = 0;

  constructor(private readonly maxHeld: number) {}

  /** The next number expected; everything below it has been released or skipped. */
  get nextExpected(): number {
    return this.expected;
  }

  /** Numbers received out of order and waiting for the gap below them. */
  get heldCount(): number {
    return this.held.size;
  }

  /** How many times the expected number moved (lets a watchdog see a stuck gap). */
  get progress(): number {
    return this.progressAt;
  }

  /** Starts over at `next` (a sequence reset of the session). */
  reset(next: number): void {
    this.expected = next;
    this.held.clear();
    this.requestedThrough = next - 1;
    this.progressAt++;
  }

  /** A new connection: earlier resend requests died with the old one, so open gaps are asked for again. */
  newConnection(): void {
    this.requestedThrough = this.expected - 1;
  }

  /** The gap to ask for again (a watchdog found it stuck), or null if there is none. */
  rerequest(): { begin: number; end: number } | null {
    if (this.held.size === 0) return null;
    this.requestedThrough = this.expected - 1;
    return this.requestGap(Math.min(...this.held.keys()) - 1);
  }

  /** Message `seq`; `msg` null = consume the number without releasing anything (e.g. a handled admin message). */
  receive(seq: number, msg: T | null): SequencerResult<T> {
    return this.accept(seq, { msg, gapFillTo: 0 });
  }

  /** SequenceReset-GapFill sent as number `seq`: numbers seq … newSeq − 1 will not come. */
  gapFill(seq: number, newSeq: number): SequencerResult<T> {
    return this.accept(seq, { msg: null, gapFillTo: newSeq });
  }

  private accept(seq: number, slot: Slot<T>): SequencerResult<T> {
    const out: SequencerResult<T> = { ready: [], resend: null, duplicate: false, overflow: false };
    if (seq < this.expected || this.held.has(seq)) {
      // A gap fill can still move us forward when it starts below the expected number.
      if (seq <= this.expected && slot.gapFillTo > this.expected) {
        this.advanceTo(slot.gapFillTo, out.ready);
        this.releaseFollowing(out.ready);
      } else out.duplicate = true;
      return out;
    }
    if (seq > this.expected) {
      if (this.held.size >= this.maxHeld) {
        out.overflow = true;
        return out;
      }
      this.held.set(seq, slot);
      out.resend = this.requestGap(seq - 1);
      this.requestedThrough = Math.max(this.requestedThrough, seq); // never ask for what is already here
      return out;
    }
    if (slot.msg !== null) out.ready.push(slot.msg);
    this.advanceTo(Math.max(this.expected + 1, slot.gapFillTo), out.ready);
    this.releaseFollowing(out.ready);
    return out;
  }

  /** Releases held messages that now follow without a gap. */
  private releaseFollowing(ready: T[]): void {
    for (let s = this.held.get(this.expected); s; s = this.held.get(this.expected)) {
      this.held.delete(this.expected);
      if (s.msg !== null) ready.push(s.msg);
      this.advanceTo(Math.max(this.expected + 1, s.gapFillTo), ready);
    }
  }

  /**
   * Moves the expected number to `next`. Held numbers a gap fill jumps over
   * were received after all, so they are released (in order) rather than lost.
   */
  private advanceTo(next: number, ready: T[]): void {
    let target = next;
    // Held numbers are all above the expected one, so only a jump can pass any.
    while (target > this.expected + 1 && this.held.size > 0) {
      let lowest = Infinity;
      for (const k of this.held.keys()) if (k < target && k < lowest) lowest = k;
      if (lowest === Infinity) break;
      const s = this.held.get(lowest) as Slot<T>;
      this.held.delete(lowest);
      if (s.msg !== null) ready.push(s.msg);
      target = Math.max(target, s.gapFillTo);
    }
    this.expected = target;
    this.progressAt++;
  }

  private requestGap(end: number): { begin: number; end: number } | null {
    const begin = Math.max(this.expected, this.requestedThrough + 1);
    if (begin > end) return null;
    this.requestedThrough = end;
    return { begin, end };
  }
}
