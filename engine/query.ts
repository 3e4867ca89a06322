// Read-only views of engine state, as plain objects a caller may keep.
import type { Band, PriceControls } from './rules/price-controls.ts';
import type { WindowReport } from './obligations/types.ts';
import type { Account } from './account.ts';
import type { RiskLimits } from './rules/risk.ts';
import type { Book, BookSide } from './book.ts';
import type { Level } from './level.ts';
import type { Instrument } from './instrument.ts';
import { PARK_PEG, PARK_STOP, type Order } from './order.ts';
import type { Side, OrdType, TimeInForce, StpMode } from './types.ts';

export interface LevelView { price: number; qty: number; count: number }
export interface DepthView { symbol: string; bids: LevelView[]; asks: LevelView[] }

export interface OrderView {
  orderId: number; clOrdId: string; account: number; symbol: string; side: Side; ordType: OrdType; tif: TimeInForce;
  price: number; qty: number; leaves: number; cum: number; cumPxQty: number; postOnly: boolean; stp: StpMode;
  /** an imbalance-only (IO) order of a cross */
  imbalanceOnly: boolean;
  /** open quantity self-trade prevention (DECREMENT) took away: qty = cum + leaves + prevented */
  prevented: number;
  expireTime: number; time: number;
  /** quantity shown in the book now: leaves for a plain resting order, the current slice of an iceberg, 0 for a held stop or peg */
  shown: number;
  /** iceberg display quantity (0 = not an iceberg) */
  displayQty: number;
  /** stop price of a stop / stop-limit (kept once triggered; 0 = not a stop) */
  stopPx: number;
  /** held off the book: 'stop' (not yet triggered), 'peg' (midpoint peg, price = its current pegged price, 0 = not executable), or '' */
  held: '' | 'stop' | 'peg';
  /** midpoint peg: its limit price cap (0 = none) */
  pegCap: number;
}

/** Money as exact decimal-free integers in cash units, as strings when they may pass 2^53. */
export interface PositionView {
  symbol: string;
  cashScale: number;
  /** signed, quantity units */
  position: number;
  /** entry notional of the open position, cash units */
  costBasis: number;
  /** average entry price in price units (display; exact = costBasis / |position|) */
  avgEntryPx: number;
  realisedPnl: bigint;
  feesPaid: bigint;
  rebatesReceived: bigint;
  cash: bigint;
  volumeQty: bigint;
  volumeNotional: bigint;
  trades: number;
  openBuyQty: number;
  openSellQty: number;
}

export interface AccountView { account: number; name: string; openOrders: number; positions: PositionView[] }

/** What an account may do on one instrument now: its effective fee rates (tier or maker-programme rates included) and limits. */
export interface InstrumentTermsView {
  symbol: string;
  /** effective fee rates in units of 1e-6 (0.01 bp); negative = rebate */
  makerRate: number;
  takerRate: number;
  /** the instrument's cap on |position| counting open orders, quantity units */
  maxPosition: number;
  /** the account's pre-trade risk limits (Number.MAX_SAFE_INTEGER = none) */
  risk: Readonly<RiskLimits>;
  /** the maker programmes the account is a member of on the instrument */
  programmes: string[];
}

export interface AccountTermsView {
  account: number;
  maxOpenOrders: number;
  openOrders: number;
  killSwitch: boolean;
  /** the account's default self-trade prevention */
  stp: StpMode;
  instruments: InstrumentTermsView[];
}

const view = (l: { price: number; qty: number; count: number }): LevelView => ({ price: l.price, qty: l.qty, count: l.count });

export function best(side: BookSide | undefined): LevelView | null {
  const l = side?.best();
  return l ? view(l) : null;
}

export function depth(book: Book, n: number): DepthView {
  const k = Number.isSafeInteger(n) && n > 0 ? n : 0;
  return { symbol: book.symbol, bids: [...book.bids.top(k)].map(view), asks: [...book.asks.top(k)].map(view) };
}

export function orderView(o: Order, instruments: readonly Instrument[]): OrderView {
  return {
    orderId: o.id, clOrdId: o.clOrdId, account: o.account.id, symbol: instruments[o.instrument].symbol, side: o.side,
    ordType: o.ordType, tif: o.tif, price: o.price, qty: o.qty, leaves: o.leaves + o.reserve, cum: o.cum, cumPxQty: o.cumPxQty,
    postOnly: o.postOnly, imbalanceOnly: o.imbalanceOnly, stp: o.stp, prevented: o.prevented, expireTime: o.expireTime, time: o.time,
    shown: o.parked === 0 ? o.leaves : 0, displayQty: o.display, stopPx: o.stopPx,
    held: o.parked === PARK_STOP ? 'stop' : o.parked === PARK_PEG ? 'peg' : '', pegCap: o.pegCap,
  };
}

/** The orders of one level in priority order. */
export function levelOrders(side: BookSide, price: number, instruments: readonly Instrument[]): OrderView[] {
  const out: OrderView[] = [];
  const lvl = side.find(price);
  for (let o = lvl?.first() ?? null; o !== null; o = (lvl as Level).after(o)) out.push(orderView(o, instruments));
  return out;
}

export function accountOrders(a: Account | undefined, instruments: readonly Instrument[]): OrderView[] {
  const out = (a?.liveOrders() ?? []).map((o) => orderView(o, instruments));
  return out.sort((x, y) => x.orderId - y.orderId);
}

export function accountView(a: Account, instruments: readonly Instrument[]): AccountView {
  return {
    account: a.id,
    name: a.name,
    openOrders: a.openOrders,
    positions: instruments.map((inst) => {
      const p = a.positions[inst.index];
      return {
        symbol: inst.symbol,
        cashScale: inst.cashScale,
        position: p.qty,
        costBasis: p.cost,
        avgEntryPx: p.avgEntryPx(inst.notionalMultiplier),
        realisedPnl: p.realisedPnl.toBigInt(),
        feesPaid: p.feesPaid.toBigInt(),
        rebatesReceived: p.rebatesReceived.toBigInt(),
        cash: p.cash.toBigInt(),
        volumeQty: p.volumeQty.toBigInt(),
        volumeNotional: p.volumeNotional.toBigInt(),
        trades: p.trades,
        openBuyQty: p.openBuy,
        openSellQty: p.openSell,
      };
    }),
  };
}

/** `programmes(index)`: the maker programmes the account is a member of on that instrument. */
export function accountTerms(a: Account, instruments: readonly Instrument[], programmes: (index: number) => string[] = () => []): AccountTermsView {
  return {
    account: a.id,
    maxOpenOrders: a.maxOpenOrders,
    openOrders: a.openOrders,
    killSwitch: a.killed,
    stp: a.stp,
    instruments: instruments.map((inst) => ({
      symbol: inst.symbol, makerRate: a.makerRate[inst.index], takerRate: a.takerRate[inst.index], maxPosition: inst.maxPosition,
      risk: { ...a.risk[inst.index] }, programmes: programmes(inst.index),
    })),
  };
}

export interface PriceControlsView {
  /** static band reference (last trade or admin-set), 0 = none */
  referencePrice: number;
  previousClose: number;
  dailyLimits: Band | null;
  /** the LULD band now */
  dynamicBand: Band | null;
}

export function priceControls(c: PriceControls, now: number): PriceControlsView {
  return { referencePrice: c.bandReference(now), previousClose: c.previousClose, dailyLimits: c.dailyLimits(), dynamicBand: c.bandView(now) };
}

/** One member's obligation on one instrument: the current window so far and the closed windows. */
export interface ObligationView {
  programme: string;
  account: number;
  name: string;
  symbol: string;
  current: WindowReport;
  reports: WindowReport[];
}
