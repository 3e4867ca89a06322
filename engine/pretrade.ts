// Pre-trade checks that need the book or the account: open-order and
// position limits, minimum notional, post-only, the FOK fill pre-check, and
// the market-order protection price. They only read state; a failing check
// leaves everything as it was.
import type { Account } from './account.ts';
import type { Book, BookSide } from './book.ts';
import type { NewOrder } from './commands.ts';
import { ceilToTick, floorToTick, type Instrument } from './instrument.ts';
import { mulDivFloor } from './money.ts';
import type { Order } from './order.ts';
import { OrdType, RejectReason, Side, StpMode, TimeInForce, isCrossTif } from './types.ts';

export const crosses = (side: Side, price: number, oppositePrice: number): boolean =>
  side === Side.BUY ? oppositePrice <= price : oppositePrice >= price;

/**
 * Only GTC/GTD orders (limits, and market orders where the remainder rests), on-open / on-close
 * orders, and held stops and pegs can rest, so only they count against open-order limits.
 */
export const mayRest = (ordType: number, tif: number): boolean =>
  ordType > OrdType.MARKET || ((ordType === OrdType.LIMIT || ordType === OrdType.MARKET) && (tif === TimeInForce.GTC || tif === TimeInForce.GTD)) || isCrossTif(tif);

/** Checks of a new order against the book and the account, after its fields passed validate.ts. */
export function newOrderState(c: NewOrder, acct: Account, inst: Instrument, book: Book, price: number, ordType: number, tif: number): RejectReason | 0 {
  const opposite = book.oppositeOf(c.side);
  const best = opposite.best();
  // a market order is valued at the best opposite price (it has liquidity: protectedPrice found some)
  const refPrice = ordType === OrdType.MARKET && best !== null ? best.price : price;
  if (refPrice * c.qty * inst.notionalMultiplier < inst.minNotional) return RejectReason.NOTIONAL_TOO_SMALL;
  if (exceedsPositionLimit(acct, inst, c.side, c.qty)) return RejectReason.POSITION_LIMIT;
  if (c.postOnly && !c.postOnlySlide && best !== null && crosses(c.side, price, best.price)) return RejectReason.POST_ONLY_WOULD_TAKE;
  if (tif === TimeInForce.FOK && !canFillInFull(acct, opposite, c.side, price, c.qty, c.stp ?? acct.stp)) return RejectReason.FOK_CANNOT_FILL;
  return 0;
}

/** Checks of a cancel-replace's new price and quantity. */
export function replaceState(o: Order, inst: Instrument, book: Book, price: number, qty: number): RejectReason | 0 {
  if (price * qty * inst.notionalMultiplier < inst.minNotional) return RejectReason.NOTIONAL_TOO_SMALL;
  if (qty > o.qty && exceedsPositionLimit(o.account, inst, o.side, qty - o.qty)) return RejectReason.POSITION_LIMIT;
  const best = book.oppositeOf(o.side).best();
  if (o.postOnly && !o.slide && best !== null && crosses(o.side, price, best.price)) return RejectReason.POST_ONLY_WOULD_TAKE;
  return 0;
}

/**
 * A sliding post-only order's price: unchanged if it would not take, else one
 * tick inside the opposite best (a buy just below the best offer, a sell just
 * above the best bid), as Deribit re-prices post_only orders without
 * reject_post_only. 0 if that price is outside the instrument's range.
 */
export function slidePrice(inst: Instrument, book: Book, side: Side, price: number): number {
  const best = book.oppositeOf(side).best();
  if (best === null || !crosses(side, price, best.price)) return price;
  const p = side === Side.BUY ? floorToTick(inst, best.price - 1) : ceilToTick(inst, best.price + 1);
  return p < inst.minPrice || p > inst.maxPrice ? 0 : p;
}

/**
 * The price a midpoint peg on `side` rests at: the midpoint of the book's
 * best bid and offer, on the tick grid toward its own side (a buy rounds
 * down, a sell up: a peg never pays more than the midpoint), within its cap.
 * 0 = not executable: the book is one-sided, empty, or locked/crossed (a call
 * phase).
 */
export function pegPrice(inst: Instrument, book: Book, side: Side, cap: number): number {
  const bb = book.bids.best();
  const ba = book.asks.best();
  if (bb === null || ba === null || bb.price >= ba.price) return 0;
  const sum = bb.price + ba.price;
  if (side === Side.BUY) {
    const p = floorToTick(inst, Math.floor(sum / 2));
    return cap !== 0 && cap < p ? cap : p;
  }
  const p = ceilToTick(inst, Math.ceil(sum / 2));
  return cap !== 0 && cap > p ? cap : p;
}

/** Worst case: the position if every open order on that side, and this one, filled. */
function exceedsPositionLimit(acct: Account, inst: Instrument, side: Side, qty: number): boolean {
  const p = acct.positions[inst.index];
  return side === Side.BUY ? p.qty + p.openBuy + qty > inst.maxPosition : -p.qty + p.openSell + qty > inst.maxPosition;
}

/** FOK pre-check: walks the crossing levels as matching would, self-trade prevention included. */
function canFillInFull(acct: Account, opposite: BookSide, side: Side, price: number, qty: number, stp: StpMode): boolean {
  let need = qty;
  for (let lvl = opposite.best(); lvl !== null; lvl = lvl.worse) {
    if (!crosses(side, price, lvl.price)) break;
    if (stp === StpMode.NONE) {
      need -= lvl.qty;
    } else {
      for (let m = lvl.first(); m !== null && need > 0; m = lvl.after(m)) {
        if (m.account !== acct) need -= m.leaves;
        else if (stp !== StpMode.CANCEL_MAKER) return false; // the taker would be cut short
      }
    }
    if (need <= 0) return true;
  }
  return false;
}

/** A market order's limit: best opposite price ± the protection band, on the tick grid; 0 if no liquidity. */
export function protectedPrice(inst: Instrument, book: Book, side: Side): number {
  const best = book.oppositeOf(side).best();
  if (best === null) return 0;
  const band = mulDivFloor(best.price, inst.marketProtectionBp, 10_000);
  return side === Side.BUY
    ? floorToTick(inst, Math.min(best.price + band, inst.maxPrice))
    : ceilToTick(inst, Math.max(best.price - band, inst.minPrice));
}
