// Every event leaves the engine through the Emitter: it numbers them (one
// sequence across all kinds), stamps the engine time, and fills one reused
// object per kind before handing it to the sink — no allocation per event on
// the hot path. Rejects echo what was sent, made safe to encode.
import type { Instrument } from './instrument.ts';
import type { MassCancel, NewOrder, OrderRef, Replace } from './commands.ts';
import { AuctionEvent, EventSink, ObligationEvent, FillEvent, LevelEvent, MassCancelEvent, OrderEvent, OrderEventKind, PhaseEvent, RuleEvent, type PhaseCause, type RuleEventKind } from './events.ts';
import type { Uncross } from './rules/auction.ts';
import type { CrossResult } from './rules/crosses.ts';
import type { ObligationStatusView, WindowReport } from './obligations/types.ts';
import type { Order } from './order.ts';
import { echoed } from './validate.ts';
import { CANCEL_REASON_TEXT, CancelReason, OrdType, REJECT_REASON_TEXT, RejectReason, Side, TimeInForce, TradingPhase, isSide } from './types.ts';

const safeInt = (v: unknown): number => (typeof v === 'number' && Number.isSafeInteger(v) ? v : 0);

export class Emitter {
  /** the last sequence number used */
  seq = 0;
  /** engine time of the current command */
  time = 0;
  /** the reason of the last order reject (lets a mass quote report each side's) */
  lastReject: RejectReason | 0 = 0;
  /** set by a rate-limit refusal just before its reject is emitted */
  retryAfter = 0;
  /** set around the ACCEPTED / REPLACED event of a post-only order that slid */
  slid = false;
  /** the reused order event may hold feature fields (display, stopPx, hidden, slid) of an earlier event */
  private featured = false;
  /** the instrument whose symbol, and the cancel reason whose text, the reused order event holds (-1: unknown, a reject wrote them) */
  private oeInstrument = -1;
  private oeReason = -1;
  private readonly oe = new OrderEvent();
  private readonly fe = new FillEvent();
  /** the reused level event (LevelChanges fills it) */
  readonly level = new LevelEvent();

  constructor(public sink: EventSink, private readonly instruments: readonly Instrument[]) {}

  order(kind: OrderEventKind, o: Order, reason: CancelReason | 0, clOrdId = o.clOrdId, origClOrdId = ''): void {
    const e = this.oe;
    e.seq = ++this.seq;
    e.time = this.time;
    e.kind = kind;
    e.account = o.account.id;
    // symbol and text are written only when they change: a string store costs a write barrier
    if (o.instrument !== this.oeInstrument) {
      e.symbol = this.instruments[o.instrument].symbol;
      this.oeInstrument = o.instrument;
    }
    e.orderId = o.id;
    e.clOrdId = clOrdId;
    e.origClOrdId = origClOrdId;
    e.side = o.side;
    e.ordType = o.ordType;
    e.tif = o.tif;
    e.price = o.price;
    e.qty = o.qty;
    e.leaves = o.leaves + o.reserve;
    e.cum = o.cum;
    e.cumPxQty = o.cumPxQty;
    e.prevented = o.prevented;
    e.reason = reason;
    if (reason !== this.oeReason) {
      e.text = reason === 0 ? '' : CANCEL_REASON_TEXT[reason];
      this.oeReason = reason;
    }
    e.retryAfter = 0;
    if (o.special || this.slid) {
      e.display = o.display;
      e.stopPx = o.stopPx;
      e.hidden = o.parked !== 0;
      e.slid = this.slid;
      this.featured = true;
    } else if (this.featured) this.plainFeatures(e);
    this.sink.order(e);
  }

  /** Clears the feature fields a special order's event or a reject left in the reused order event. */
  private plainFeatures(e: OrderEvent): void {
    e.display = e.stopPx = 0;
    e.hidden = e.slid = false;
    this.featured = false;
  }

  /** A trade of q at the maker's price (orders already updated): notional and both fees in cash units. */
  fill(t: Order, m: Order, inst: Instrument, price: number, q: number, notional: number, makerFee: number, takerFee: number, tradeId: number, auction: boolean): void {
    const e = this.fe;
    e.seq = ++this.seq;
    e.time = this.time;
    e.tradeId = tradeId;
    e.symbol = inst.symbol;
    e.price = price;
    e.qty = q;
    e.aggressorSide = t.side;
    e.notional = notional;
    e.makerOrderId = m.id;
    e.makerClOrdId = m.clOrdId;
    e.makerAccount = m.account.id;
    e.makerQty = m.qty;
    e.makerLeaves = m.leaves + m.reserve;
    e.makerCum = m.cum;
    e.makerCumPxQty = m.cumPxQty;
    e.makerFee = makerFee;
    e.takerOrderId = t.id;
    e.takerClOrdId = t.clOrdId;
    e.takerAccount = t.account.id;
    e.takerPrice = t.price;
    e.takerQty = t.qty;
    e.takerLeaves = t.leaves;
    e.takerCum = t.cum;
    e.takerCumPxQty = t.cumPxQty;
    e.takerFee = takerFee;
    e.auction = auction;
    this.sink.fill(e);
  }

  rejectNew(c: NewOrder, reason: RejectReason, text: string): void {
    const e = this.oe;
    const ordType = c.ordType ?? OrdType.LIMIT;
    const tif = c.tif ?? (ordType === OrdType.MARKET ? TimeInForce.IOC : TimeInForce.GTC);
    this.refused(e, OrderEventKind.REJECTED, c.account, c.symbol, c.clOrdId, reason, text);
    e.side = isSide(c.side) ? c.side : Side.BUY;
    e.ordType = typeof ordType === 'number' && ordType >= OrdType.LIMIT && ordType <= OrdType.MIDPOINT_PEG && Number.isInteger(ordType) ? ordType : OrdType.LIMIT;
    e.stopPx = safeInt(c.stopPx);
    e.display = safeInt(c.displayQty);
    e.tif = tif === TimeInForce.IOC || tif === TimeInForce.FOK || tif === TimeInForce.GTD ? tif : TimeInForce.GTC;
    e.price = safeInt(c.price);
    e.qty = safeInt(c.qty);
    this.featured = true;
    this.lastReject = reason;
    this.sink.order(e);
  }

  rejectRef(kind: OrderEventKind, c: OrderRef | Replace, reason: RejectReason, text: string): void {
    const e = this.oe;
    this.refused(e, kind, c.account, c.symbol, c.clOrdId, reason, text);
    e.orderId = safeInt(c.orderId);
    e.origClOrdId = echoed(c.origClOrdId);
    e.price = safeInt((c as Replace).price);
    e.qty = safeInt((c as Replace).qty);
    this.sink.order(e);
  }

  massCancel(c: MassCancel, cancelled: number, reason: RejectReason | 0, text: string): void {
    const e = this.stamp(new MassCancelEvent()); // rare: not worth a reused object
    e.account = safeInt(c.account);
    e.symbol = typeof c.symbol === 'string' ? c.symbol : '';
    e.side = isSide(c.side) ? c.side : 0;
    e.cancelled = cancelled;
    e.reason = reason;
    e.text = text;
    this.sink.massCancel(e);
  }

  phase(symbol: string, phase: TradingPhase, cause: PhaseCause, until: number, text: string): void {
    const e = this.stamp(new PhaseEvent()); // rare
    e.symbol = symbol;
    e.phase = phase;
    e.cause = cause;
    e.until = until;
    e.text = text;
    this.sink.phase(e);
  }

  auction(symbol: string, phase: TradingPhase, u: Uncross, final: boolean, x: CrossResult | null = null): void {
    const e = this.stamp(new AuctionEvent()); // once per command in a call phase at most
    e.symbol = symbol;
    e.phase = phase;
    e.price = u.price;
    e.qty = u.qty;
    e.surplus = u.surplus;
    e.surplusSide = u.surplusSide;
    e.final = final;
    if (x !== null) {
      e.far = x.far;
      e.reference = x.reference;
      e.collarLow = x.collarLow;
      e.collarHigh = x.collarHigh;
      e.extensions = x.extensions;
      e.extendedUntil = x.extendedUntil;
    }
    this.sink.auction(e);
  }

  rule(kind: RuleEventKind, account: number, session: number, symbol: string, until: number, value: number, text: string): void {
    const e = this.stamp(new RuleEvent()); // rare
    e.kind = kind;
    e.account = account;
    e.session = session;
    e.symbol = symbol;
    e.until = until;
    e.value = value;
    e.text = text;
    this.sink.rule(e);
  }

  obligationStatus(programme: string, account: number, status: ObligationStatusView): void {
    this.obligation(programme, account, status.symbol, status, null);
  }

  obligationReport(programme: string, account: number, report: WindowReport): void {
    this.obligation(programme, account, report.symbol, null, report);
  }

  private obligation(programme: string, account: number, symbol: string, status: ObligationStatusView | null, report: WindowReport | null): void {
    const e = this.stamp(new ObligationEvent()); // a few per member per status interval
    e.programme = programme;
    e.account = account;
    e.symbol = symbol;
    e.status = status;
    e.report = report;
    this.sink.obligation(e);
  }

  /** Numbers and times a freshly made (rare) event. */
  private stamp<E extends { seq: number; time: number }>(e: E): E {
    e.seq = ++this.seq;
    e.time = this.time;
    return e;
  }

  private refused(e: OrderEvent, kind: OrderEventKind, account: unknown, symbol: unknown, clOrdId: unknown, reason: RejectReason, text: string): void {
    e.seq = ++this.seq;
    e.time = this.time;
    e.kind = kind;
    e.account = safeInt(account);
    e.symbol = echoed(symbol);
    e.orderId = 0;
    e.clOrdId = echoed(clOrdId);
    e.origClOrdId = '';
    e.side = Side.BUY;
    e.ordType = OrdType.LIMIT;
    e.tif = TimeInForce.GTC;
    e.price = e.qty = e.leaves = e.cum = e.cumPxQty = e.prevented = e.display = e.stopPx = 0;
    e.hidden = e.slid = false;
    this.oeInstrument = this.oeReason = -1;
    this.featured = false; // all plain now (rejectNew then echoes a stop price and display quantity)
    e.reason = reason;
    e.text = text || REJECT_REASON_TEXT[reason];
    e.retryAfter = this.retryAfter;
    this.retryAfter = 0;
  }
}
