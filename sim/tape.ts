// What a headless run records: every trade (with both sides' agent types),
// the book once per simulated second, and from them the stylised facts and
// the markouts. Optionally written as CSV (trades.csv, book.csv) as it goes.
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { FillEvent } from '../engine/events.ts';
import { Side } from '../engine/types.ts';
import { formatUnits } from '../engine/money.ts';
import type { Instrument } from '../engine/instrument.ts';
import type { Exchange } from '../gateway/exchange.ts';
import type { Scheduler, Timer } from './scheduler.ts';
import type { SimMarket } from './market.ts';
import { Markouts } from './markout.ts';
import { stylisedFacts, type StylisedFacts } from './stylised-facts.ts';
import { notionalOf } from './agents/context.ts';

const FLUSH_CHARS = 1 << 20;

class CsvFile {
  private fd: number;
  private buf = '';
  constructor(path: string, header: string) {
    this.fd = openSync(path, 'w');
    this.buf = header + '\n';
  }
  line(s: string): void {
    this.buf += s + '\n';
    if (this.buf.length > FLUSH_CHARS) this.flush();
  }
  flush(): void {
    if (this.buf.length > 0) writeSync(this.fd, this.buf);
    this.buf = '';
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** A growable Float64 column. */
class Column {
  data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const d = new Float64Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.length++] = v;
  }
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

class SymbolTape {
  readonly mids = new Column();
  readonly spreadTicks = new Column();
  readonly spreadBp = new Column();
  readonly depth = new Column();
  readonly regimes: string[] = [];
  readonly tradeNotional = new Column();
  readonly byParticipant: Record<string, number> = {};
  readonly byAggressor: Record<string, number> = {};
  constructor(readonly inst: Instrument) {}
}

export class Tape {
  private readonly tapes = new Map<string, SymbolTape>();
  private readonly trades: CsvFile | null;
  private readonly book: CsvFile | null;
  readonly markouts = new Markouts();
  private timer: Timer | null = null;
  private readonly unobserve: () => void;
  tradeCount = 0;
  /** types of accounts that are not agents (the in-process bot: 'bot'); others are 'external' */
  readonly labels = new Map<number, string>();

  constructor(
    private readonly exchange: Exchange,
    private readonly scheduler: Scheduler,
    private readonly market: SimMarket,
    symbols: readonly string[],
    outDir?: string,
  ) {
    for (const s of symbols) this.tapes.set(s, new SymbolTape(exchange.instrument(s) as Instrument));
    this.trades = outDir ? new CsvFile(join(outDir, 'trades.csv'), 'time_us,symbol,price,qty,aggressor_side,buyer_type,seller_type') : null;
    this.book = outDir ? new CsvFile(join(outDir, 'book.csv'), 'time_us,symbol,best_bid,best_ask,bid_depth_1pct,ask_depth_1pct,fair_value,regime') : null;
    this.unobserve = market.observe({ fill: (e) => this.fill(e) });
    this.sample();
  }

  private typeOf(account: number): string {
    return this.market.agentType(account) ?? this.labels.get(account) ?? 'external';
  }

  private fill(e: FillEvent): void {
    const t = this.tapes.get(e.symbol);
    if (!t) return;
    this.tradeCount++;
    const buyer = e.aggressorSide === Side.BUY ? e.takerAccount : e.makerAccount;
    const seller = e.aggressorSide === Side.BUY ? e.makerAccount : e.takerAccount;
    const bt = this.typeOf(buyer);
    const st = this.typeOf(seller);
    const notional = notionalOf(t.inst, e.qty, e.price);
    t.tradeNotional.push(notional);
    t.byParticipant[bt] = (t.byParticipant[bt] ?? 0) + notional;
    t.byParticipant[st] = (t.byParticipant[st] ?? 0) + notional;
    const agg = e.aggressorSide === Side.BUY ? bt : st;
    t.byAggressor[agg] = (t.byAggressor[agg] ?? 0) + notional;
    this.markouts.add(e.symbol, e.time, buyer, true, e.price, e.qty, st);
    this.markouts.add(e.symbol, e.time, seller, false, e.price, e.qty, bt);
    this.trades?.line(`${e.time},${e.symbol},${formatUnits(e.price, t.inst.priceScale)},${formatUnits(e.qty, t.inst.qtyScale)},${e.aggressorSide === Side.BUY ? 'BUY' : 'SELL'},${bt},${st}`);
  }

  private sample(): void {
    const now = this.scheduler.now();
    const eng = this.exchange.engine;
    for (const [symbol, t] of this.tapes) {
      const inst = t.inst;
      const d = eng.depth(symbol, 500);
      const bid = d && d.bids.length > 0 ? d.bids[0].price : 0;
      const ask = d && d.asks.length > 0 ? d.asks[0].price : 0;
      const fv = this.market.fairValue(symbol);
      const mid = bid > 0 && ask > 0 ? (bid + ask) / 2 : 0;
      const ref = mid > 0 ? mid : fv;
      let bidDepth = 0;
      let askDepth = 0;
      if (d) {
        for (const l of d.bids) { if (l.price < ref * 0.99) break; bidDepth += notionalOf(inst, l.qty, l.price); }
        for (const l of d.asks) { if (l.price > ref * 1.01) break; askDepth += notionalOf(inst, l.qty, l.price); }
      }
      const regime = this.market.regime(symbol);
      t.mids.push(mid);
      t.spreadTicks.push(mid > 0 ? (ask - bid) / inst.tickTable[0].tick : NaN);
      t.spreadBp.push(mid > 0 ? ((ask - bid) / mid) * 1e4 : NaN);
      t.depth.push(bidDepth + askDepth);
      t.regimes.push(regime);
      this.markouts.mid(symbol, now, mid);
      this.book?.line(`${now},${symbol},${bid > 0 ? formatUnits(bid, inst.priceScale) : ''},${ask > 0 ? formatUnits(ask, inst.priceScale) : ''},`
        + `${bidDepth.toFixed(2)},${askDepth.toFixed(2)},${formatUnits(Math.round(fv), inst.priceScale)},${regime}`);
    }
    this.timer = this.scheduler.after(1_000_000, () => this.sample());
  }

  facts(): Record<string, StylisedFacts> {
    const out: Record<string, StylisedFacts> = {};
    for (const [symbol, t] of this.tapes) {
      out[symbol] = stylisedFacts({
        mids: t.mids.view(), spreadTicks: t.spreadTicks.view(), spreadBp: t.spreadBp.view(), depth: t.depth.view(), regimes: t.regimes,
        tradeNotional: t.tradeNotional.view(), byParticipant: t.byParticipant, byAggressor: t.byAggressor,
      });
    }
    return out;
  }

  /** The 1-s series of one symbol (tests and tools). */
  series(symbol: string): { mids: Float64Array; spreadTicks: Float64Array; spreadBp: Float64Array; depth: Float64Array; regimes: readonly string[] } | undefined {
    const t = this.tapes.get(symbol);
    return t && { mids: t.mids.view(), spreadTicks: t.spreadTicks.view(), spreadBp: t.spreadBp.view(), depth: t.depth.view(), regimes: t.regimes };
  }

  close(): void {
    if (this.timer) this.scheduler.cancel(this.timer);
    this.unobserve();
    this.trades?.close();
    this.book?.close();
  }
}
