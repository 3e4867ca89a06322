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
import type { WebSocket } from 'ws';
import { numbered, numberedHeaderLength, writeNumberedHeader } from './wire.ts';

const FIN_BINARY = 0x82;

/** The whole WebSocket frame (header + numbered envelope) of a shared frame under `seq`. */
export function wsNumberedFrame(seq: number, shared: Uint8Array, possDup = false): Buffer {
  const payload = numberedHeaderLength(seq, possDup) + shared.length;
  const header = payload < 126 ? 2 : payload < 65_536 ? 4 : 10;
  const out = Buffer.allocUnsafe(header + payload);
  out[0] = FIN_BINARY;
  if (header === 2) {
    out[1] = payload;
  } else if (header === 4) {
    out[1] = 126;
    out[2] = payload >>> 8;
    out[3] = payload & 0xff;
  } else {
    out[1] = 127;
    out.writeUInt32BE(0, 2); // frames here are far below 2^32 bytes
    out.writeUInt32BE(payload, 6);
  }
  out.set(shared, writeNumberedHeader(out, header, seq, possDup));
  return out;
}

/**
 * Sends a numbered envelope on `ws`: one socket write when the TCP socket is
 * known, ws.send otherwise. Nothing is sent once the WebSocket is closing.
 */
export function sendNumbered(ws: WebSocket, socket: Socket | null, seq: number, shared: Uint8Array, possDup = false): void {
  if (ws.readyState !== ws.OPEN) return;
  if (socket) socket.write(wsNumberedFrame(seq, shared, possDup));
  else ws.send(numbered(seq, shared, possDup));
}
