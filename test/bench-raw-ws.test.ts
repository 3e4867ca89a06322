// The gateway bench's own WebSocket client (bench/raw-ws.ts) against the ws
// package's server: the upgrade, masked frames of every length class both
// ways, messages split across and packed into TCP reads, ping → pong, close,
// and a refused upgrade.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import { WebSocketServer, type WebSocket } from 'ws';
import { clientFrame, RawWebSocket } from '../bench/raw-ws.ts';
import { prng } from './prng.ts';

async function echoServer(): Promise<{ url: string; wss: WebSocketServer; close: () => Promise<void> }> {
  const server = http.createServer();
  const wss = new WebSocketServer({ server, path: '/ws/trade', perMessageDeflate: false, maxPayload: 1 << 20 });
  wss.on('connection', (ws) => ws.on('message', (d: Buffer) => ws.send(d)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { url, wss, close: () => new Promise((res) => { wss.close(); server.close(() => res()); }) };
}

function collect(): { got: Buffer[]; errors: string[]; onMessage: (d: Buffer) => void; onError: (w: string) => void } {
  const got: Buffer[] = [];
  const errors: string[] = [];
  return { got, errors, onMessage: (d) => got.push(Buffer.from(d)), onError: (w) => errors.push(w) };
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond(), 'timed out');
}

test('messages of every frame-length class go out masked and come back intact, in order', async () => {
  const s = await echoServer();
  const c = collect();
  const ws = await RawWebSocket.connect(s.url, '/ws/trade', c.onMessage, c.onError);
  const r = prng(11);
  const sizes = [0, 1, 125, 126, 127, 65_535, 65_536, 200_000, ...Array.from({ length: 200 }, () => Math.floor(r() * 300))];
  const sent = sizes.map((n) => Buffer.from(Array.from({ length: n }, () => Math.floor(r() * 256))));
  for (const p of sent) ws.send(clientFrame(p)); // many frames per TCP segment, and some spanning several reads
  await until(() => c.got.length === sent.length);
  assert.deepEqual(c.got, sent);
  assert.deepEqual(c.errors, []);
  ws.close();
  await s.close();
});

test('a frame is masked: the payload bytes on the wire are not the plain ones, and unmask to them', () => {
  const payload = Buffer.from('an order that should not be readable on the wire as is');
  const f = clientFrame(payload);
  assert.equal(f[0], 0x82);
  assert.equal(f[1], 0x80 | payload.length);
  const key = f.subarray(2, 6);
  const body = f.subarray(6);
  assert.equal(body.length, payload.length);
  assert.deepEqual(Buffer.from(body.map((b, i) => b ^ key[i & 3])), payload);
});

test('a ping from the server is answered with a pong carrying its data; a close frame ends the stream', async () => {
  const s = await echoServer();
  const c = collect();
  const serverSide = once(s.wss, 'connection') as Promise<[WebSocket]>;
  const ws = await RawWebSocket.connect(s.url, '/ws/trade', c.onMessage, c.onError);
  const [peer] = await serverSide;
  const pong = once(peer, 'pong') as Promise<[Buffer]>;
  peer.ping(Buffer.from('hb-7'));
  assert.equal((await pong)[0].toString(), 'hb-7');
  const closed = once(peer, 'close');
  ws.close();
  await closed;
  assert.deepEqual(c.errors, []);
  await s.close();
});

test('an upgrade the server refuses rejects the connect with the HTTP status line', async () => {
  const s = await echoServer();
  const c = collect();
  await assert.rejects(RawWebSocket.connect(s.url, '/no-such-path', c.onMessage, c.onError), /upgrade refused: HTTP\/1\.1 400/);
  await s.close();
});
