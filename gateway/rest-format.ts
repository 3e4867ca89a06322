// REST's units and names. The wire carries integers in instrument units and
// enum numbers; REST speaks decimal strings in the instrument's own units
// ("100000.5" USD, "0.0100" BTC) and enum names ("BUY", "LIMIT", "GTC").
//
// The rule, the same on every route:
// - in a request, `price` / `order_qty` (and the like) are decimal strings;
//   `price_units` / `order_qty_units` are integers in instrument units (10^-price_scale,
//   10^-qty_scale), as on the wire. A JSON number in a decimal field is refused, so an
//   old integer-units client fails loudly instead of trading 10^scale times the size.
// - enums are names (case-insensitive) or the wire's numbers;
// - in an answer, prices and quantities are decimal strings, money is a decimal string of
//   the quote currency (cash_scale decimals), enums are names (null for "none").
import { enumValues } from './wire.ts';
import { HttpError } from './rest-http.ts';
import { tickAt, type Instrument } from '../engine/instrument.ts';
import { RejectReason } from '../engine/types.ts';
import { WIRE_FIELD, wireText } from './translate.ts';

/** A wire enum by name: the proto value names without their prefix (SIDE_BUY → BUY). */
export class WireEnum {
  private readonly byName = new Map<string, number>();
  private readonly byValue = new Map<number, string>();
  readonly names: string[] = [];

  constructor(readonly type: string) {
    const prefix = type.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase() + '_';
    for (const [full, value] of Object.entries(enumValues(type))) {
      const name = full.startsWith(prefix) ? full.slice(prefix.length) : full;
      if (value === 0) continue; // UNSPECIFIED (or NONE): shown as null, never asked for by name
      this.byName.set(name, value);
      this.byValue.set(value, name);
      this.names.push(name);
    }
  }

  /** The name of a wire value; null for 0 (unspecified) and unknown values. */
  name(value: unknown): string | null {
    return typeof value === 'number' ? this.byValue.get(value) ?? null : null;
  }

  /**
   * A request's value (a name, any case, or a wire number) → the wire number; undefined stays
   * undefined (the wire's default). A number outside the enum passes through: the engine
   * rejects it with its typed reason, as it would on /ws/trade.
   */
  parse(field: string, v: string | number | undefined): number | undefined {
    if (v === undefined || typeof v === 'number') return v;
    const n = this.byName.get(v) ?? this.byName.get(v.toUpperCase());
    if (n === undefined) throw new HttpError(400, 'INVALID_FIELD', `${field}: one of ${this.names.join(', ')} (or the wire number), got "${v}"`, { field });
    return n;
  }
}

export const Enums = {
  side: new WireEnum('Side'),
  ordType: new WireEnum('OrdType'),
  tif: new WireEnum('TimeInForce'),
  stp: new WireEnum('StpMode'),
  execType: new WireEnum('ExecType'),
  ordStatus: new WireEnum('OrdStatus'),
  liquidity: new WireEnum('Liquidity'),
  rejectCode: new WireEnum('RejectCode'),
  cancelReason: new WireEnum('CancelReason'),
};

/** "0", "0.0", "0.00", …: zeros are common in reports (nothing filled yet) */
const ZEROS = Array.from({ length: 19 }, (_, s) => (s === 0 ? '0' : `0.${'0'.repeat(s)}`));

/** An integer amount in units of 10^-scale as a decimal string; plain string work (BigInt is slow on hot routes). */
export function decimal(units: number, scale: number): string {
  if (units === 0 && scale < ZEROS.length) return ZEROS[scale];
  if (!Number.isSafeInteger(units)) return String(units);
  const neg = units < 0;
  let digits = String(neg ? -units : units);
  if (scale > 0) {
    if (digits.length <= scale) digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  }
  return neg ? `-${digits}` : digits;
}

export const price = (inst: Instrument, units: number): string => decimal(units, inst.priceScale);
export const qty = (inst: Instrument, units: number): string => decimal(units, inst.qtyScale);
export const money = (inst: Instrument, units: number): string => decimal(units, inst.cashScale);

/** What a unit field measures: its scale, and how its unit reads in a message. */
type Kind = 'price' | 'qty' | 'money';

function scaleOf(inst: Instrument, kind: Kind): number {
  return kind === 'price' ? inst.priceScale : kind === 'qty' ? inst.qtyScale : inst.cashScale;
}

function unitWords(inst: Instrument, kind: Kind): string {
  const s = scaleOf(inst, kind);
  const what = kind === 'price' ? `price_scale ${s}` : kind === 'qty' ? `qty_scale ${s}` : `cash_scale ${s}`;
  return `${s === 0 ? 'no decimals' : `at most ${s} decimal${s === 1 ? '' : 's'}`} for ${inst.symbol} (${what})`;
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * A request's amount: `decimalField` as a decimal string, or `decimalField`_units as an integer.
 * Returns undefined when neither is given. Without an instrument (unknown symbol) any amount
 * reads as 0 — the engine then refuses the order for its symbol, as on the wire.
 */
export function amount(inst: Instrument | undefined, kind: Kind, field: string, text: string | undefined, units: number | undefined): number | undefined {
  if (text !== undefined && units !== undefined) {
    throw new HttpError(400, 'INVALID_FIELD', `${field}: give ${field} (a decimal string) or ${field}_units (an integer), not both`, { field });
  }
  if (units !== undefined || text === undefined) return units;
  if (!inst) return 0;
  const s = scaleOf(inst, kind);
  const m = DECIMAL.exec(text);
  const frac = m?.[1] ? m[1].length - 1 : 0;
  const v = m && frac <= s ? Number(text.replace('.', '') + '0'.repeat(s - frac)) : NaN;
  if (!Number.isSafeInteger(v)) {
    throw new HttpError(400, 'INVALID_FIELD', `${field}: a decimal string such as "${s > 0 ? '12.5' : '12'}", ${unitWords(inst, kind)}; got "${text}"`, { field });
  }
  return v + 0; // "-0" reads as 0
}

// ---- answers ----

/** How REST shows a report field: a unit kind (decimals) or an enum (its names). */
const FIELD_VIEW = new Map<string, Kind | WireEnum>([
  ...['price', 'avg_px', 'last_px', 'stop_px'].map((k) => [k, 'price'] as const),
  ...['order_qty', 'leaves_qty', 'cum_qty', 'last_qty', 'position', 'qty', 'display_qty', 'shown_qty'].map((k) => [k, 'qty'] as const),
  ...['fee', 'cum_quote_qty'].map((k) => [k, 'money'] as const),
  ['side', Enums.side], ['aggressor_side', Enums.side], ['ord_type', Enums.ordType], ['time_in_force', Enums.tif],
  ['stp_mode', Enums.stp], ['exec_type', Enums.execType], ['ord_status', Enums.ordStatus], ['liquidity', Enums.liquidity],
  ['reject_code', Enums.rejectCode], ['cancel_reason', Enums.cancelReason],
]);

const VIEW_FIELDS = [...FIELD_VIEW.keys()];

/**
 * A wire report (ExecutionReport, OrderCancelReject, an open order, a trade) in REST's units and
 * names: a new object; fields it does not know stay as they are. `text` (engine words in
 * units) is rewritten to decimals where its numbers are known (restText).
 */
export function restReport(msg: Record<string, unknown>, inst: Instrument | undefined): Record<string, unknown> {
  // a shallow copy keeps the report's shape (fast), then the fields REST shows otherwise are replaced
  const out: Record<string, unknown> = { ...msg };
  for (let i = 0; i < VIEW_FIELDS.length; i++) {
    const k = VIEW_FIELDS[i];
    const v = msg[k];
    if (v === undefined) continue;
    const view = FIELD_VIEW.get(k) as Kind | WireEnum;
    if (typeof view !== 'string') out[k] = view.name(v);
    else if (inst && typeof v === 'number') out[k] = decimal(v, scaleOf(inst, view));
  }
  if (typeof msg.text === 'string' && typeof msg.reject_code === 'number' && msg.reject_code !== 0) out.text = restText(msg.reject_code, msg.text, inst);
  // the order-type fields only where they apply (a stop, an iceberg, a post-only that slid)
  if (msg.stop_px === 0) delete out.stop_px;
  if (msg.display_qty === 0) delete out.display_qty;
  if (msg.price_slid === false) delete out.price_slid;
  return out;
}

// ---- reject texts ----

/**
 * The units of the numbers in an engine reject text, in order (engine/validate.ts,
 * engine/rules/risk.ts, price-controls.ts). A text whose count of numbers differs is left alone.
 */
const TEXT_KINDS: Partial<Record<RejectReason, Kind[]>> = {
  [RejectReason.PRICE_OUT_OF_RANGE]: ['price', 'price', 'price'],
  [RejectReason.PRICE_OFF_TICK]: ['price'],
  [RejectReason.QTY_OUT_OF_RANGE]: ['qty', 'qty', 'qty'],
  [RejectReason.QTY_OFF_LOT]: ['qty', 'qty'],
  [RejectReason.RISK_ORDER_QTY]: ['qty', 'qty'],
  [RejectReason.RISK_ORDER_NOTIONAL]: ['money', 'money'],
  [RejectReason.POSITION_LIMIT]: ['qty', 'qty'],
  [RejectReason.RISK_GROSS_NOTIONAL]: ['money', 'money'],
  [RejectReason.PRICE_BAND]: ['price', 'price', 'price', 'price'],
  [RejectReason.PRICE_LIMIT]: ['price', 'price', 'price', 'price'],
  [RejectReason.STOP_WOULD_TRIGGER]: ['price', 'price'],
  [RejectReason.DISPLAY_QTY]: ['qty', 'qty'],
};

/** The wire field a reject concerns, when one does. */
const CODE_FIELD: Partial<Record<RejectReason, string>> = {
  [RejectReason.UNKNOWN_SYMBOL]: 'symbol', [RejectReason.PRICE_OFF_TICK]: 'price', [RejectReason.PRICE_OUT_OF_RANGE]: 'price',
  [RejectReason.QTY_OFF_LOT]: 'order_qty', [RejectReason.QTY_OUT_OF_RANGE]: 'order_qty', [RejectReason.INVALID_EXPIRE_TIME]: 'expire_time',
  [RejectReason.DUPLICATE_CL_ORD_ID]: 'cl_ord_id', [RejectReason.PRICE_BAND]: 'price', [RejectReason.PRICE_LIMIT]: 'price',
  [RejectReason.RISK_ORDER_QTY]: 'order_qty', [RejectReason.NOTIONAL_TOO_SMALL]: 'order_qty',
  [RejectReason.STOP_WOULD_TRIGGER]: 'stop_px', [RejectReason.DISPLAY_QTY]: 'display_qty',
};

/** The wire field an engine reject names, or undefined. */
export function rejectField(code: number, text: string): string | undefined {
  const m = /^invalid field (\w+)/.exec(text);
  if (m) return WIRE_FIELD[m[1]] ?? m[1];
  return CODE_FIELD[code as RejectReason];
}

/** An engine reject text in REST's words: wire field names, decimals in the instrument's units. */
export function restText(code: number, text: string, inst: Instrument | undefined): string {
  if (code === RejectReason.INVALID_FIELD) return wireText(code, text);
  if (code === RejectReason.INVALID_EXPIRE_TIME) return `${text} (expire_time: µs since the epoch)`;
  const kinds = TEXT_KINDS[code as RejectReason];
  if (!inst) return text;
  if (code === RejectReason.NOTIONAL_TOO_SMALL) return `${text} (min_notional ${money(inst, inst.minNotional)})`;
  if (!kinds || (text.match(/-?\d+/g)?.length ?? 0) !== kinds.length) return text;
  let i = 0;
  const out = text.replace(/-?\d+/g, (n) => decimal(Number(n), scaleOf(inst, kinds[i++])));
  return code === RejectReason.PRICE_OFF_TICK ? `${out} (tick ${price(inst, tickAtText(inst, text))} at this price)` : out;
}

function tickAtText(inst: Instrument, text: string): number {
  return tickAt(inst, Number(/-?\d+/.exec(text)?.[0] ?? 0));
}
