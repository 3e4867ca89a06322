// Call-auction uncross price. In a call phase orders rest without matching, so
// the book may be crossed; the auction then executes everything it can at one
// price, filled in price-time priority. This module only chooses that price
// (and reports the volume and surplus there); it reads the book and changes
// nothing, so the engine can also call it after every command of a call phase
// to publish the indicative price.
//
// For a price p, demand(p) = Σ bid qty priced ≥ p, supply(p) = Σ ask qty priced
// ≤ p, executable(p) = min(demand, supply), surplus(p) = |demand − supply| on
// the side with more. The price is chosen as on Xetra / Euronext:
//   1. the largest executable volume — the point of the auction;
//   2. then the smallest surplus — the fewest orders left unfilled that were
//      willing to trade at that price;
//   3. then market pressure: if every remaining price leaves a buy surplus the
//      highest (unfilled buyers would bid it up), if every one leaves a sell
//      surplus the lowest;
//   4. otherwise (surpluses on both sides, or none) the price closest to the
//      reference price, which anchors the auction to the last known value;
//      without a reference price, closest to the middle of the remaining
//      prices, so that neither side is favoured;
//   5. of two equally close prices, the higher.
//
// Candidates are the distinct limit prices inside the crossed range
// [best ask, best bid], plus the reference price when it is on the tick grid
// and inside that range. A price strictly between two adjacent limits never
// executes more than both of them, so limits suffice for step 1; it can leave
// a smaller surplus (bids 5@100 10@102, asks 10@100 5@102: 101 balances at 10
// while 100 and 102 leave 5), but, as on those venues, only limit prices and
// the reference price are considered.
//
// Cost: one ascending merge sweep over the levels inside the crossed range
// (two sweeps when step 4 needs the middle of the remaining prices, which is
// known only at the end); nothing is allocated. Levels outside the range are
// never visited.
import type { Book } from '../book.ts';
import type { Level } from '../level.ts';
import { isOnTick, type Instrument } from '../instrument.ts';
import { Side } from '../types.ts';

export interface Uncross {
  /** uncross price, 0 = nothing crosses */
  price: number;
  /** executable volume at that price */
  qty: number;
  /** unmatched quantity at that price, on `surplusSide` (0 = balanced) */
  surplus: number;
  surplusSide: Side | 0;
}

/** A fresh result object, to be reused across calls. */
export const newUncross = (): Uncross => ({ price: 0, qty: 0, surplus: 0, surplusSide: 0 });

// State of one sweep: module-level so that a call allocates nothing (the engine is single-threaded).
const s = {
  /** best (executable, surplus) so far, and the prices tied on it */
  qty: -1,
  surplus: 0,
  low: 0,
  high: 0,
  allBuy: true,
  allSell: true,
  /** the tied price closest to `target` (the higher on equal distance), and its surplus side */
  pick: 0,
  pickDist: 0,
  pickSide: 0 as Side | 0,
};

function consider(p: number, demand: number, supply: number, target: number): void {
  const qty = demand < supply ? demand : supply;
  const surplus = demand > supply ? demand - supply : supply - demand;
  const side: Side | 0 = demand > supply ? Side.BUY : supply > demand ? Side.SELL : 0;
  const dist = p > target ? p - target : target - p;
  if (qty > s.qty || (qty === s.qty && surplus < s.surplus)) {
    s.qty = qty;
    s.surplus = surplus;
    s.low = s.high = s.pick = p;
    s.allBuy = side === Side.BUY;
    s.allSell = side === Side.SELL;
    s.pickDist = dist;
    s.pickSide = side;
  } else if (qty === s.qty && surplus === s.surplus) {
    s.high = p;
    s.allBuy &&= side === Side.BUY;
    s.allSell &&= side === Side.SELL;
    // prices come in ascending order: `<=` makes the higher win a tie (step 5)
    if (dist <= s.pickDist) {
      s.pick = p;
      s.pickDist = dist;
      s.pickSide = side;
    }
  }
}

/**
 * Visits every candidate in ascending order. `iLo` is the lowest bid level
 * priced ≥ best ask and `demand0` the bid quantity from there up; `refCand` is
 * the reference price if it is a candidate, else 0.
 */
function sweep(bids: Level[], asks: Level[], iLo: number, demand0: number, hi: number, refCand: number, target: number): void {
  s.qty = -1;
  const nb = bids.length;
  let i = iLo;
  let j = asks.length - 1; // asks are stored highest first: walk down from the best
  let demand = demand0;
  let supply = 0;
  let p = asks[j].price; // the best ask is the lowest candidate (a reference candidate is ≥ it)
  for (;;) {
    while (j >= 0 && asks[j].price <= p) supply += asks[j--].qty;
    // terminates inside the array: p ≤ best bid
    while (bids[i].price < p) demand -= bids[i++].qty;
    consider(p, demand, supply, target);
    let next = j >= 0 ? asks[j].price : Infinity;
    const k = bids[i].price === p ? i + 1 : i;
    if (k < nb && bids[k].price < next) next = bids[k].price;
    if (refCand > p && refCand < next) next = refCand;
    if (next > hi) return;
    p = next;
  }
}

/** Writes the uncross of the (possibly crossed) book into `out`; price 0 / qty 0 when nothing crosses. */
export function uncross(book: Book, inst: Instrument, reference: number, out: Uncross): Uncross {
  const bids = book.bids.toArray();
  const asks = book.asks.toArray();
  const nb = bids.length;
  if (nb === 0 || asks.length === 0 || bids[nb - 1].price < asks[asks.length - 1].price) {
    out.price = out.qty = out.surplus = out.surplusSide = 0;
    return out;
  }
  const lo = asks[asks.length - 1].price;
  const hi = bids[nb - 1].price;
  let iLo = nb - 1;
  let demand0 = bids[iLo].qty;
  while (iLo > 0 && bids[iLo - 1].price >= lo) demand0 += bids[--iLo].qty;
  const refCand = reference > 0 && reference >= lo && reference <= hi && isOnTick(inst, reference) ? reference : 0;

  sweep(bids, asks, iLo, demand0, hi, refCand, reference > 0 ? reference : NaN);
  let price: number;
  let side: Side | 0;
  if (s.allBuy) {
    price = s.high;
    side = Side.BUY;
  } else if (s.allSell) {
    price = s.low;
    side = Side.SELL;
  } else {
    // Without a reference the first sweep's pick is meaningless (distance to NaN): redo it towards the middle.
    if (reference <= 0 && s.low !== s.high) sweep(bids, asks, iLo, demand0, hi, refCand, (s.low + s.high) / 2);
    price = s.pick;
    side = s.pickSide;
  }
  out.price = price;
  out.qty = s.qty;
  out.surplus = s.surplus;
  out.surplusSide = side;
  return out;
}
