// How the SDK reaches the exchange: a Transport opens a Connection to an
// endpoint (/ws/trade, /ws/md) that carries binary frames both ways. The
// default is a WebSocket over the network; a simulation passes one that
// hands frames to the gateway's session code in the same process
// (sim/bot-host.ts), so a bot runs unchanged in virtual time.
import WebSocket, { type RawData } from 'ws';

/** An open connection. */
export interface Connection {
  /** false once closed or dropped */
  readonly open: boolean;
  /** bytes sent but not yet on their way (backpressure) */
  readonly bufferedAmount: number;
  send(frame: Uint8Array): void;
  /** an orderly close (the peer answers; 'close' follows) */
  close(code: number, reason: string): void;
  /** drops the connection at once, as a network failure would */
  terminate(): void;
}

/** What a connection reports, from the moment it is open. */
export interface ConnectionEvents {
  frame(data: RawData, isBinary: boolean): void;
  /** once, however the connection ended */
  close(reason: string): void;
}

export interface Transport {
  /** Opens a connection to `url` (ws://host:port/ws/trade or /ws/md); rejects with an Error saying why it could not. */
  connect(url: string, timeoutMs: number, events: ConnectionEvents): Promise<Connection>;
}

/** WebSockets over the network (the `ws` package). */
export const wsTransport: Transport = {
  connect(url, timeoutMs, events) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { handshakeTimeout: timeoutMs, perMessageDeflate: false });
      const fail = (e: Error): void => {
        ws.removeAllListeners();
        ws.on('error', () => undefined); // a late error after terminate must not crash the process
        ws.terminate();
        reject(e);
      };
      ws.once('error', fail);
      ws.once('open', () => {
        ws.off('error', fail);
        let ended = false;
        const end = (reason: string): void => {
          if (ended) return;
          ended = true;
          events.close(reason);
        };
        ws.on('message', (data, isBinary) => events.frame(data, isBinary));
        ws.on('close', (code, reason) => end(reason.toString() || `closed (${code})`));
        ws.on('error', (e) => end(e.message));
        resolve({
          get open() {
            return !ended && ws.readyState === WebSocket.OPEN;
          },
          get bufferedAmount() {
            return ws.bufferedAmount;
          },
          send: (frame) => ws.send(frame),
          close: (code, reason) => ws.close(code, reason),
          terminate: () => ws.terminate(),
        });
      });
    });
  },
};
