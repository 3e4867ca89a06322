// Numbered envelopes written straight to a WebSocket's TCP socket as whole
// frames. ws.send() builds a header buffer and an options object per message
// and writes header and payload as two chunks; for the one-report-per-order
// stream of a trade session that was a third of the outbound path. A server
// frame is simple (RFC 6455 §5.2: FIN, opcode, length, no mask), so the
// header, msg_seq_num and shared frame go out as one buffer in one write.
// Only for connections without extensions (the trade endpoint runs without
// permessage-deflate) and only while the WebSocket is OPEN: after a close
// frame nothing may follow, and ws's own close handshake is untouched.
import type { Socket } from 'node:net';
import type { RawData } from 'ws';
import { numbered, numberedHeaderLength, writeNumberedHeader } from './wire.ts';

const FIN_BINARY = 0x82;

/**
 * What the sessions use of a server-side WebSocket: ws's WebSocket, or an
 * in-process peer that hands frames to a simulated bot (sim/bot-host.ts).
 */
export interface PeerSocket {
  /** OPEN while frames may be sent */
  readonly readyState: number;
  readonly OPEN: number;
  readonly bufferedAmount: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  /** a WebSocket ping; the peer's pong comes as a 'pong' event */
  ping(): void;
  on(event: 'message', fn: (data: RawData, isBinary: boolean) => void): unknown;
  on(event: 'close' | 'error' | 'pong', fn: () => void): unknown;
}

/** Bytes of a frame header (RFC 6455 §5.2) for a payload of `n` bytes, without the masking key. */
export function wsHeaderLength(n: number): number {
  return n < 126 ? 2 : n < 65_536 ? 4 : 10;
}

/**
 * Writes a frame header at the start of `out`: `first` (FIN and opcode), the
 * payload length in its shortest form, and the MASK bit when `masked` (a
 * client's frames; the caller writes the key after the header). Returns the
 * header's length.
 */
export function writeWsHeader(out: Buffer, first: number, n: number, masked = false): number {
  const mask = masked ? 0x80 : 0;
  const header = wsHeaderLength(n);
  out[0] = first;
  if (header === 2) {
    out[1] = mask | n;
  } else if (header === 4) {
    out[1] = mask | 126;
    out.writeUInt16BE(n, 2);
  } else {
    out[1] = mask | 127;
    out.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    out.writeUInt32BE(n >>> 0, 6);
  }
  return header;
}

/** The whole WebSocket frame (header + numbered envelope) of a shared frame under `seq`. */
export function wsNumberedFrame(seq: number, shared: Uint8Array, possDup = false): Buffer {
  const payload = numberedHeaderLength(seq, possDup) + shared.length;
  const out = Buffer.allocUnsafe(wsHeaderLength(payload) + payload);
  const header = writeWsHeader(out, FIN_BINARY, payload);
  out.set(shared, writeNumberedHeader(out, header, seq, possDup));
  return out;
}

/**
 * Sends a numbered envelope on `ws`: one socket write when the TCP socket is
 * known, ws.send otherwise. Nothing is sent once the WebSocket is closing.
 */
export function sendNumbered(ws: PeerSocket, socket: Socket | null, seq: number, shared: Uint8Array, possDup = false): void {
  if (ws.readyState !== ws.OPEN) return;
  if (socket) socket.write(wsNumberedFrame(seq, shared, possDup));
  else ws.send(numbered(seq, shared, possDup));
}

/**
 * Sends a numbered envelope given as two parts of its shared frame, `head` ++
 * `body` (a kept market-data snapshot: body is shared and never changes). On
 * a TCP socket the WebSocket header, msg_seq_num and head go out as one small
 * buffer and `body` itself follows as a second write of the same frame (one
 * writev while the socket is corked): nothing the size of the body is
 * allocated or copied. Nothing may be written to the socket between the two;
 * nothing is, the calls are synchronous.
 */
export function sendNumberedParts(ws: PeerSocket, socket: Socket | null, seq: number, head: Uint8Array, body: Uint8Array): void {
  if (ws.readyState !== ws.OPEN) return;
  if (!socket) {
    ws.send(numbered(seq, Buffer.concat([head, body])));
    return;
  }
  const numberedLength = numberedHeaderLength(seq, false);
  const payload = numberedLength + head.length + body.length;
  const header = wsHeaderLength(payload);
  const out = Buffer.allocUnsafe(header + numberedLength + head.length);
  writeWsHeader(out, FIN_BINARY, payload);
  out.set(head, writeNumberedHeader(out, header, seq, false));
  socket.write(out);
  socket.write(body);
}
