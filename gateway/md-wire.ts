// Market-data wire pieces: channel masks, the MdLevel/MdOrder/MdTrade/MdBbo
// shapes, and shared frames. A market-data message goes to many connections
// whose envelopes differ only in msg_seq_num, so the message is encoded once
// and each connection's sequence number is written in front of those bytes:
// protobuf merges concatenated encodings of one message, so
// [field 1 = seq] ++ Envelope{sending_time_us, body} decodes as one Envelope.
import type { Engine } from '../engine/engine.ts';
import type { Side } from '../engine/types.ts';

/** MdChannel numbers of the contract. */
export const MdChannel = { L2: 1, L3: 2, TRADES: 3, BBO: 4 } as const;

/** One bit per channel (bit = 1 << (channel - 1)): a subscription's channels as a small integer. */
export const Bit = { L2: 1, L3: 2, TRADES: 4, BBO: 8 } as const;
/** How many distinct channel masks exist (a per-commit frame cache is indexed by mask). */
export const MASKS = 16;
/** What an empty channels list means (contract: L2 + TRADES + BBO). */
export const DEFAULT_MASK = Bit.L2 | Bit.TRADES | Bit.BBO;

/** The mask of a MarketDataRequest's channels, or null if one is not a channel. */
export function channelMask(channels: readonly number[]): number | null {
  if (channels.length === 0) return DEFAULT_MASK;
  let mask = 0;
  for (const c of channels) {
    if (!Number.isInteger(c) || c < MdChannel.L2 || c > MdChannel.BBO) return null;
    mask |= 1 << (c - 1);
  }
  return mask;
}

export interface MdLevel { price: number; qty: number; count: number }
export interface MdOrder { order_id: number; side: Side; price: number; qty: number }
export interface MdTrade { trade_id: number; price: number; qty: number; aggressor_side: Side; transact_time: number; auction: boolean }
export interface MdBbo { bid_px: number; bid_qty: number; ask_px: number; ask_qty: number }

/** The best bid and offer now (0/0 for an empty side, as the contract says). */
export function bboOf(engine: Engine, symbol: string): MdBbo {
  const b = engine.bestBid(symbol);
  const a = engine.bestAsk(symbol);
  return { bid_px: b?.price ?? 0, bid_qty: b?.qty ?? 0, ask_px: a?.price ?? 0, ask_qty: a?.qty ?? 0 };
}

export function sameBbo(x: MdBbo, y: MdBbo): boolean {
  return x.bid_px === y.bid_px && x.bid_qty === y.bid_qty && x.ask_px === y.ask_px && x.ask_qty === y.ask_qty;
}

export { numbered, sharedFrame } from './wire.ts';
