// Reads a flash1 workload: Brotli-compressed, 16-byte header then 40-byte
// little-endian records (see data/README.md).
import { existsSync, readFileSync } from 'node:fs';
import { brotliDecompressSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const SCENARIOS = ['normal', 'static', 'swing-25', 'swing-40', 'flash-crash'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export const MSG_NEW = 0;
export const MSG_CANCEL = 1;
export const MSG_MODIFY = 2;

/** Column arrays, one entry per message (sequence number = index). */
export interface Workload {
  count: number;
  type: Uint8Array;
  side: Uint8Array;
  ioc: Uint8Array;
  qty: Uint32Array;
  orderId: Uint32Array;
  price: Int32Array;
  maxOrderId: number;
}

const RECORD = 40;
const HEADER = 16;

const here = path.dirname(fileURLToPath(import.meta.url));
/** Shipped with the repository: the `normal` workload and the published hashes of all five. */
export const bundledDir = path.join(here, 'data');
/** The five workloads, beside the repository (not part of a clone). */
export const sharedDir = path.resolve(here, '../../../shared/flash1');

export const workloadFile = (scenario: Scenario, dir: string): string => path.join(dir, `orders_${scenario}_s23.bin.br`);

export function loadWorkload(scenario: Scenario, dir = bundledDir): Workload {
  const file = workloadFile(scenario, dir);
  if (!existsSync(file)) throw new Error(`${file}: no such workload file (give the folder of the flash1 workloads with --data-dir DIR)`);
  const buf = brotliDecompressSync(readFileSync(file));
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const count = dv.getUint32(12, true);
  if (buf.byteLength < HEADER + count * RECORD) throw new Error(`${scenario}: truncated workload`);
  const w: Workload = {
    count,
    type: new Uint8Array(count),
    side: new Uint8Array(count),
    ioc: new Uint8Array(count),
    qty: new Uint32Array(count),
    orderId: new Uint32Array(count),
    price: new Int32Array(count),
    maxOrderId: 0,
  };
  for (let i = 0; i < count; i++) {
    const o = HEADER + i * RECORD;
    if (Number(dv.getBigUint64(o + 8, true)) !== i) throw new Error(`${scenario}: sequence numbers are not dense at ${i}`);
    const id = Number(dv.getBigUint64(o + 16, true));
    const price = Number(dv.getBigInt64(o + 24, true));
    if (id > 0xffffffff || price < -(2 ** 31) || price >= 2 ** 31) throw new Error(`${scenario}: field out of range at ${i}`);
    w.type[i] = buf[o];
    w.side[i] = buf[o + 1];
    w.ioc[i] = buf[o + 2];
    w.qty[i] = dv.getUint32(o + 4, true);
    w.orderId[i] = id;
    w.price[i] = price;
    if (id > w.maxOrderId) w.maxOrderId = id;
  }
  return w;
}

export function publishedHashes(dir = bundledDir): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of readFileSync(path.join(dir, 'correctness_hash.txt'), 'utf8').split('\n')) {
    const m = /^([0-9a-f]{64})\s+(.+?)_seed/.exec(line.trim());
    if (m) out.set(m[2], m[1]);
  }
  return out;
}
