// Whole WebSocket frames written straight to the socket (gateway/ws-frame.ts)
// must read, in a real ws client, as the same messages ws.send would carry:
// every length encoding (7-bit, 16-bit, 64-bit), poss_dup, and nothing at all
// once the connection is closing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { numbered } from '../gateway/wire.ts';
import { sendNumbered, sendNumberedParts, wsNumberedFrame } from '../gateway/ws-frame.ts';

/** A server-side WebSocket, its TCP socket, and the client's received messages. */
async function pair(): Promise<{ server: WebSocket; socket: Socket; received: Buffer[]; client: WebSocket; close: () => Promise<void> }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  await once(wss, 'listening');
  const accepted = once(wss, 'connection');
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, { perMessageDeflate: false });
  const received: Buffer[] = [];
  client.on('message', (d: Buffer, isBinary: boolean) => { assert.ok(isBinary); received.push(d); });
  const [[server, req]] = await Promise.all([accepted, once(client, 'open')]);
  return {
    server, socket: req.socket as Socket, received, client,
    close: async () => { client.terminate(); await new Promise((r) => wss.close(r)); },
  };
}

const until = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 2));
  assert.ok(cond(), 'timed out');
};

test('frames of every length encoding arrive as the numbered envelopes ws.send would carry', async () => {
  const p = await pair();
  try {
    // payload = 2-byte msg_seq_num header (seq < 128) + shared: 7-bit lengths up to 125, 16-bit to 65535, then 64-bit
    const sizes = [0, 1, 123, 124, 125, 200, 65_533, 65_534, 70_000];
    const sent: Buffer[] = [];
    sizes.forEach((n, i) => {
      const shared = Buffer.alloc(n, i + 1);
      const possDup = i % 2 === 1;
      sent.push(numbered(i + 1, shared, possDup));
      sendNumbered(p.server, p.socket, i + 1, shared, possDup);
    });
    // a sequence number past 2^31 (a 5-byte varint) as well
    sent.push(numbered(2 ** 33 + 5, Buffer.from('x')));
    sendNumbered(p.server, p.socket, 2 ** 33 + 5, Buffer.from('x'));
    await until(() => p.received.length === sent.length);
    assert.deepEqual(p.received, sent);
  } finally {
    await p.close();
  }
});

test('a frame sent as head and body (a kept snapshot) arrives as the same frame in one piece, interleaved with whole frames, every length encoding', async () => {
  const p = await pair();
  try {
    // head + body across the 7-bit, 16-bit and 64-bit lengths, and a body of 1 MiB (a snapshot far above the caps)
    const sizes: [number, number][] = [[3, 0], [10, 100], [40, 200], [40, 65_000], [40, 70_000], [30, 1 << 20]];
    const sent: Buffer[] = [];
    let seq = 1;
    sizes.forEach(([h, b], i) => {
      const head = Buffer.alloc(h, 0x40 + i);
      const body = Buffer.alloc(b, i + 1);
      sent.push(numbered(seq, Buffer.concat([head, body])));
      p.socket.cork(); // as a market-data session writes a burst
      sendNumberedParts(p.server, p.socket, seq++, head, body);
      sent.push(numbered(seq, Buffer.from(`after ${i}`)));
      sendNumbered(p.server, p.socket, seq++, Buffer.from(`after ${i}`));
      p.socket.uncork();
    });
    // uncorked: two writes still make one frame
    sent.push(numbered(seq, Buffer.from('head+body')));
    sendNumberedParts(p.server, p.socket, seq++, Buffer.from('head+'), Buffer.from('body'));
    await until(() => p.received.length === sent.length);
    assert.deepEqual(p.received, sent);
  } finally {
    await p.close();
  }
});

test('the header states the payload length in the shortest form (RFC 6455 §5.2)', () => {
  const frame = (n: number): Buffer => wsNumberedFrame(1, Buffer.alloc(n));
  assert.deepEqual([...frame(123).subarray(0, 2)], [0x82, 125]);
  assert.deepEqual([...frame(124).subarray(0, 4)], [0x82, 126, 0, 126]);
  assert.deepEqual([...frame(65_533).subarray(0, 4)], [0x82, 126, 0xff, 0xff]);
  assert.deepEqual([...frame(65_534).subarray(0, 10)], [0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]);
});

test('nothing is written once the WebSocket is closing', async () => {
  const p = await pair();
  try {
    sendNumbered(p.server, p.socket, 1, Buffer.from('before'));
    p.server.close(1000, 'bye');
    sendNumbered(p.server, p.socket, 2, Buffer.from('after'));
    const [code] = await once(p.client, 'close');
    assert.equal(code, 1000);
    assert.deepEqual(p.received, [numbered(1, Buffer.from('before'))]);
  } finally {
    await p.close();
  }
});
