// Stateless checks of a command's fields against the instrument's rules. Each
// returns 0 when the field is fine, else a RejectReason; `why.text` then says
// what was wrong. State-dependent checks (liquidity, duplicates, limits) live
// with the engine.
import { isOnTick, type Instrument } from './instrument.ts';
import type { NewOrder } from './commands.ts';
import { OrdType, RejectReason, TimeInForce, isCrossTif, isSide, isStpMode } from './types.ts';

export interface Why {
  text: string;
}

export const MAX_CL_ORD_ID = 64;

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

function invalid(why: Why, field: string, rule: string): RejectReason {
  why.text = `invalid field ${field}: ${rule}`;
  return RejectReason.INVALID_FIELD;
}

export const CL_ORD_ID_RULE = `at most ${MAX_CL_ORD_ID} printable characters of valid UTF-8`;

export function checkClOrdId(v: unknown, field: string, why: Why): RejectReason | 0 {
  if (v === undefined) return 0;
  if (typeof v !== 'string' || v.length > MAX_CL_ORD_ID || !isPrintable(v)) return invalid(why, field, CL_ORD_ID_RULE);
  return 0;
}

/**
 * No control characters (C0, DEL, C1), no U+FFFD (what a decoder makes of
 * invalid UTF-8: two different byte strings would name the same order) and no
 * unpaired surrogate (not UTF-8 at all). A loop, not a regex: it runs for
 * every order.
 */
export function isPrintable(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20) return false;
    if (c < 0x7f) continue;
    if (c <= 0x9f || c === 0xfffd) return false;
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c >= 0xdc00 || !(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    }
  }
  return true;
}

/** A client's string as a reject may echo it: never longer than a valid one (a 60,000-character id is not sent back whole). */
export function echoed(v: unknown): string {
  return typeof v !== 'string' ? '' : v.length > MAX_CL_ORD_ID ? v.slice(0, MAX_CL_ORD_ID) : v;
}

export function checkPrice(inst: Instrument, price: unknown, why: Why): RejectReason | 0 {
  if (!isInt(price)) return invalid(why, 'price', 'an integer in price units');
  if (price < inst.minPrice || price > inst.maxPrice) {
    why.text = `price ${price} outside [${inst.minPrice}, ${inst.maxPrice}]`;
    return RejectReason.PRICE_OUT_OF_RANGE;
  }
  if (!isOnTick(inst, price)) {
    why.text = `price ${price} is not on the tick grid`;
    return RejectReason.PRICE_OFF_TICK;
  }
  return 0;
}

export function checkQty(inst: Instrument, qty: unknown, why: Why): RejectReason | 0 {
  if (!isInt(qty)) return invalid(why, 'qty', 'an integer in quantity units');
  if (qty < inst.minQty || qty > inst.maxQty) {
    why.text = `quantity ${qty} outside [${inst.minQty}, ${inst.maxQty}]`;
    return RejectReason.QTY_OUT_OF_RANGE;
  }
  if (inst.lot !== 1 && qty % inst.lot !== 0) {
    why.text = `quantity ${qty} is not a multiple of the lot ${inst.lot}`;
    return RejectReason.QTY_OFF_LOT;
  }
  return 0;
}

/**
 * Shapes and combinations of a new order's fields. `special` false: the order has none of the
 * fields of stops, pegs, icebergs, sliding post-only or crosses (Engine.place), whose checks are skipped.
 */
export function checkNewOrderFields(c: NewOrder, ordType: number, tif: number, now: number, why: Why, marketRests = false, special = true): RejectReason | 0 {
  if (!isSide(c.side)) return invalid(why, 'side', 'BUY (1) or SELL (2)');
  if (ordType !== OrdType.LIMIT && ordType !== OrdType.MARKET && !isOrderTypeExtra(ordType)) {
    return invalid(why, 'ordType', 'LIMIT (1), MARKET (2), STOP (3), STOP_LIMIT (4) or MIDPOINT_PEG (5)');
  }
  const cross = special && isCrossTif(tif);
  if (tif !== TimeInForce.GTC && tif !== TimeInForce.IOC && tif !== TimeInForce.FOK && tif !== TimeInForce.GTD && !cross) {
    return invalid(why, 'tif', 'GTC, IOC, FOK, GTD, AT_THE_OPENING or AT_THE_CLOSE');
  }
  if (c.stp !== undefined && !isStpMode(c.stp)) return invalid(why, 'stp', 'a self-trade prevention mode 0-4');
  if (c.postOnly !== undefined && typeof c.postOnly !== 'boolean') return invalid(why, 'postOnly', 'a boolean');
  const clOrd = checkClOrdId(c.clOrdId, 'clOrdId', why);
  if (clOrd) return clOrd;
  if (ordType === OrdType.MARKET && tif !== TimeInForce.IOC && tif !== TimeInForce.FOK && !marketRests && !cross) {
    return invalid(why, 'tif', 'a market order is IOC, FOK, AT_THE_OPENING or AT_THE_CLOSE');
  }
  if (c.postOnly && (ordType === OrdType.MARKET || tif === TimeInForce.IOC || tif === TimeInForce.FOK || cross)) {
    return invalid(why, 'postOnly', 'post-only needs a GTC or GTD limit order');
  }
  if (special) {
    // out of line: the plain order's checks stay small enough for the engine's command path to inline
    const extra = checkExtraFields(c, ordType, tif, cross, why);
    if (extra) return extra;
  }
  if (tif === TimeInForce.GTD && (!isInt(c.expireTime) || c.expireTime <= now)) {
    why.text = `expire time ${String(c.expireTime)} is not after engine time ${now}`;
    return RejectReason.INVALID_EXPIRE_TIME;
  }
  return 0;
}

export const isTime = (t: unknown): t is number => isInt(t) && t >= 0;
export const isOrderId = (v: unknown): v is number => isInt(v) && v > 0;

const isOrderTypeExtra = (t: number): boolean => t === OrdType.STOP || t === OrdType.STOP_LIMIT || t === OrdType.MIDPOINT_PEG;

/** The fields of stops, pegs, icebergs, sliding post-only and imbalance-only orders, and which combinations they allow. */
function checkExtraFields(c: NewOrder, ordType: number, tif: number, cross: boolean, why: Why): RejectReason | 0 {
  if (c.imbalanceOnly !== undefined && typeof c.imbalanceOnly !== 'boolean') return invalid(why, 'imbalanceOnly', 'a boolean');
  if (c.imbalanceOnly && (!cross || ordType !== OrdType.LIMIT)) return invalid(why, 'imbalanceOnly', 'an imbalance-only order is a limit AT_THE_OPENING or AT_THE_CLOSE order');
  if (c.postOnlySlide !== undefined && typeof c.postOnlySlide !== 'boolean') return invalid(why, 'postOnlySlide', 'a boolean');
  if (c.postOnlySlide && !c.postOnly) return invalid(why, 'postOnlySlide', 'needs postOnly');
  const stop = ordType === OrdType.STOP || ordType === OrdType.STOP_LIMIT;
  if (stop !== (c.stopPx !== undefined && c.stopPx !== 0)) {
    return invalid(why, 'stopPx', stop ? 'a STOP or STOP_LIMIT order needs a stop price' : 'only STOP and STOP_LIMIT orders take a stop price');
  }
  if (c.displayQty !== undefined && c.displayQty !== 0) {
    if (!isInt(c.displayQty) || c.displayQty < 0) return invalid(why, 'displayQty', 'an integer in quantity units');
    if (ordType !== OrdType.LIMIT || (tif !== TimeInForce.GTC && tif !== TimeInForce.GTD)) {
      return invalid(why, 'displayQty', 'an iceberg is a GTC or GTD limit order');
    }
    if (isInt(c.qty) && c.displayQty > c.qty) return invalid(why, 'displayQty', 'at most the order quantity');
  }
  if (ordType === OrdType.STOP && tif !== TimeInForce.GTC && tif !== TimeInForce.GTD) return invalid(why, 'tif', 'a stop order is held GTC or GTD');
  if (ordType === OrdType.STOP_LIMIT && tif !== TimeInForce.GTC && tif !== TimeInForce.GTD && tif !== TimeInForce.IOC) {
    return invalid(why, 'tif', 'a stop-limit order is GTC, GTD or IOC');
  }
  if (ordType === OrdType.MIDPOINT_PEG && tif !== TimeInForce.GTC && tif !== TimeInForce.GTD) return invalid(why, 'tif', 'a midpoint peg is GTC or GTD');
  if (c.postOnly && ordType !== OrdType.LIMIT) return invalid(why, 'postOnly', 'post-only needs a GTC or GTD limit order');
  return 0;
}

/**
 * An iceberg's display quantity: on the lot, at least the instrument's
 * minimum (TSX: at least one board lot), and with `iceberg_parts` set, at
 * least qty / parts rounded up (Binance ICEBERG_PARTS).
 */
export function checkDisplay(inst: Instrument, display: number, qty: number, why: Why): RejectReason | 0 {
  if (display % inst.lot !== 0) {
    why.text = `display quantity ${display} is not a multiple of the lot ${inst.lot}`;
    return RejectReason.QTY_OFF_LOT;
  }
  if (display >= qty) return 0; // all of it shown: not an iceberg
  if (display < inst.minDisplayQty) {
    why.text = `display quantity ${display} below the minimum ${inst.minDisplayQty}`;
    return RejectReason.DISPLAY_QTY;
  }
  if (inst.icebergParts > 0 && display * inst.icebergParts < qty) {
    why.text = `display quantity ${display} makes more than ${inst.icebergParts} parts of ${qty}`;
    return RejectReason.DISPLAY_QTY;
  }
  return 0;
}
