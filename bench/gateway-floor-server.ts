// The floor of the gateway bench: what this machine, Node and ws cost before
// the exchange does anything. It speaks just enough of /ws/trade for the
// bench client — a Logon answer, and one ExecutionReport (NEW or CANCELED)
// per order or cancel — through the same pieces the exchange uses (the ws
// server, gateway/fast-decode.ts, gateway/fast-encode.ts, numbered envelopes
// as whole WebSocket frames, one corked write per tick), with no engine, no
// session state, no resend store and no metrics. `npm run bench:gateway --
// --floor` runs the same loops against it after the exchange, so the two can
// be compared on the same machine in the same minute.
import http from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { fastDecode } from '../gateway/fast-decode.ts';
import { TickCork } from '../gateway/tick-cork.ts';
import { executionReportFrame } from '../gateway/fast-encode.ts';
import { wallClockUs } from '../gateway/exchange.ts';
import { encodeEnvelope, nowMicros } from '../gateway/wire.ts';
import { sendNumbered } from '../gateway/ws-frame.ts';
import { serveParent } from './child-link.ts';

const EXEC_NEW = 1;
const EXEC_CANCELED = 2;

class FloorSession {
  private seq = 1;
  private orderId = 0;
  private readonly cork: TickCork;

  constructor(private readonly ws: WebSocket, private readonly socket: Socket) {
    this.cork = new TickCork(socket);
    ws.on('message', (d: Buffer) => this.onFrame(d));
  }

  private onFrame(d: Buffer): void {
    this.cork.hold();
    const f = fastDecode(d);
    if (f === null) { // the Logon (anything else is not in the bench's stream)
      this.ws.send(encodeEnvelope({ msg_seq_num: this.seq++, sending_time_us: nowMicros(), logon: { heartbeat_interval_ms: 30_000 } }));
      return;
    }
    let er: Record<string, unknown>; // transact_time as the exchange stamps it, for the bench's latency legs
    const id = ++this.orderId;
    if (f.body === 'new_order_single') {
      const m = f.new_order_single;
      er = { order_id: id, cl_ord_id: m.cl_ord_id, exec_id: id, exec_type: EXEC_NEW, ord_status: 0, symbol: m.symbol, side: m.side, price: m.price, order_qty: m.order_qty, leaves_qty: m.order_qty, transact_time: wallClockUs() };
    } else if (f.body === 'order_cancel_request') {
      const m = f.order_cancel_request;
      er = { order_id: id, cl_ord_id: m.cl_ord_id, orig_cl_ord_id: m.orig_cl_ord_id, exec_id: id, exec_type: EXEC_CANCELED, ord_status: 4, symbol: m.symbol, transact_time: wallClockUs() };
    } else return;
    sendNumbered(this.ws, this.socket, this.seq++, executionReportFrame(er, nowMicros()));
  }
}

const server = http.createServer();
const wss = new WebSocketServer({ server, path: '/ws/trade', perMessageDeflate: false });
wss.on('connection', (ws, req) => new FloorSession(ws, req.socket));
server.listen(0, '127.0.0.1', () => {
  const port = (server.address() as { port: number }).port;
  serveParent({ port, adminToken: '' }, () => new Promise((res) => { wss.close(); server.close(() => res()); }));
});
