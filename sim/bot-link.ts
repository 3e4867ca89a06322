// The network between an in-process bot and the gateway's session code: each
// connection is a pair of one-way links that deliver frames in order (as TCP
// does), each after a sampled latency — a fixed part plus a uniform random
// jitter, from a seeded stream — through the simulation's Scheduler.
import type { RawData } from 'ws';
import type { PeerSocket } from '../gateway/ws-frame.ts';
import type { Connection, ConnectionEvents } from '../client/transport.ts';
import type { Rng } from './rng.ts';
import type { Scheduler } from './scheduler.ts';

/** One-way latencies, µs. */
export interface LatencyModel {
  /** market data (/ws/md), each way */
  feedUs: number;
  /** order entry (/ws/trade), each way */
  orderUs: number;
  /** up to this much more on every frame (uniform), µs */
  jitterUs: number;
}

export const DEFAULT_LATENCY: LatencyModel = { feedUs: 2000, orderUs: 1000, jitterUs: 500 };

/** '2ms', '500us', '0.5ms', '1s' or a bare number of ms → µs; null when it is not a duration. */
export function parseLatency(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*(us|µs|ms|s)?$/.exec(text.trim());
  if (!m) return null;
  const scale = m[2] === 'us' || m[2] === 'µs' ? 1 : m[2] === 's' ? 1_000_000 : 1000;
  const us = Math.round(Number(m[1]) * scale);
  return us <= 60_000_000 ? us : null;
}

/** One direction of a connection: frames leave in order and arrive in order, each after its latency. */
export class Link {
  private lastAt = 0;

  /** `extraUs`: more delay now (a scenario's latency spike), drawn from the link's stream */
  constructor(
    private readonly sched: Scheduler, private readonly fixedUs: number, private readonly jitterUs: number, private readonly rng: Rng,
    private readonly extraUs: ((rng: Rng) => number) | null = null,
  ) {}

  /** Runs `arrive` when something sent now reaches the other end (never before what was sent earlier). */
  carry(arrive: () => void): void {
    const delay = this.fixedUs + (this.jitterUs > 0 ? Math.floor(this.rng.next() * this.jitterUs) : 0) + (this.extraUs?.(this.rng) ?? 0);
    this.lastAt = Math.max(this.sched.now() + delay, this.lastAt);
    this.sched.at(this.lastAt, arrive);
  }
}

const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

type FrameListener = (data: RawData, isBinary: boolean) => void;

/**
 * The gateway's end of an in-process connection: what TradeSession and
 * MdSession use of a ws WebSocket. Nothing is buffered (bufferedAmount 0):
 * the link always takes a frame, latency is all there is to it.
 */
export class ServerEnd implements PeerSocket {
  readonly OPEN = OPEN;
  readyState = OPEN;
  readonly bufferedAmount = 0;
  private readonly onFrame: FrameListener[] = [];
  private readonly onClose: (() => void)[] = [];
  private readonly onPong: (() => void)[] = [];

  constructor(private readonly pipe: Pipe) {}

  on(event: 'message', fn: FrameListener): this;
  on(event: 'close' | 'error' | 'pong', fn: () => void): this;
  on(event: 'message' | 'close' | 'error' | 'pong', fn: FrameListener | (() => void)): this {
    if (event === 'message') this.onFrame.push(fn as FrameListener);
    else if (event === 'close') this.onClose.push(fn as () => void);
    else if (event === 'pong') this.onPong.push(fn as () => void);
    return this; // errors: an in-process link has none
  }

  /** The bot's WebSocket layer answers a ping by itself: the pong is back after a round trip. */
  ping(): void {
    if (this.readyState === OPEN) this.pipe.pingClient(() => this.readyState === OPEN && this.onPong.forEach((fn) => fn()));
  }

  send(data: Uint8Array): void {
    if (this.readyState === OPEN) this.pipe.toClient(data);
  }

  close(): void {
    if (this.readyState !== OPEN) return;
    this.readyState = CLOSING;
    this.pipe.closeFromServer();
  }

  terminate(): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSING;
    this.pipe.closeFromServer();
  }

  /** A frame from the bot arrived. */
  receive(data: Buffer): void {
    if (this.readyState !== OPEN) return;
    for (const fn of this.onFrame) fn(data, true);
  }

  /** The connection is gone (either side closed it). */
  ended(): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    for (const fn of this.onClose) fn();
  }
}

/**
 * One in-process connection: the bot's Connection, the gateway's ServerEnd,
 * and a link each way. `touch` runs whatever reaches the bot (so the host
 * knows bot code ran and its promises must settle before time moves on).
 */
export class Pipe {
  readonly server: ServerEnd;
  /** the bot hears frames (until the connection ended) */
  private clientOpen = false;
  /** the bot closed or dropped its end: it sends nothing more */
  private clientClosing = false;
  private clientEvents: ConnectionEvents | null = null;

  constructor(private readonly up: Link, private readonly down: Link, private readonly touch: (fn: () => void) => void) {
    this.server = new ServerEnd(this);
  }

  /** Connects: the gateway sees the connection after one trip, the bot has it open after the answer's. */
  open(events: ConnectionEvents, accept: (server: ServerEnd) => void): Promise<Connection> {
    return new Promise((resolve) => {
      this.up.carry(() => {
        accept(this.server);
        this.down.carry(() => this.touch(() => {
          this.clientOpen = true;
          this.clientEvents = events;
          resolve(this.clientEnd());
        }));
      });
    });
  }

  toClient(data: Uint8Array): void {
    this.down.carry(() => {
      if (this.clientOpen) this.touch(() => this.clientEvents?.frame(data as Buffer, true));
    });
  }

  /** A ping to the bot, `pong` once its answer is back (not if the bot's end is gone). */
  pingClient(pong: () => void): void {
    this.down.carry(() => {
      if (this.clientOpen && !this.clientClosing) this.up.carry(pong);
    });
  }

  closeFromServer(): void {
    this.down.carry(() => this.touch(() => this.endClient('closed by the exchange')));
    this.up.carry(() => this.server.ended());
  }

  private endClient(reason: string): void {
    if (!this.clientOpen) return;
    this.clientOpen = false;
    this.clientEvents?.close(reason);
  }

  private clientEnd(): Connection {
    const pipe = this;
    return {
      get open() {
        return pipe.clientOpen && !pipe.clientClosing;
      },
      bufferedAmount: 0,
      send(frame) {
        if (!this.open) return;
        const data = Buffer.isBuffer(frame) ? frame : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
        pipe.up.carry(() => pipe.server.receive(data));
      },
      close(_code, reason) {
        if (!this.open) return;
        pipe.clientClosing = true; // frames still arrive until the gateway's answer closes the connection
        pipe.up.carry(() => {
          pipe.server.ended();
          pipe.down.carry(() => pipe.touch(() => pipe.endClient(reason)));
        });
      },
      terminate() {
        if (!pipe.clientOpen) return;
        // the owner reports its own reason (as with ws, whose 'close' comes later and finds it done)
        pipe.clientOpen = false;
        pipe.clientClosing = true;
        pipe.up.carry(() => pipe.server.ended());
      },
    };
  }
}
