// Commands ↔ journal records. The recorder writes each command the Exchange
// runs (its fields in a fixed order per kind); `applyRecord` runs a record
// through an Exchange again, at the record's time, which gives the same
// engine state and the same events: the engine is deterministic.
import type { Cancel, MassCancel, MassQuote, NewOrder, Replace, SetReference } from '../../engine/commands.ts';
import { CancelReason, type Side, type StpMode, type TradingPhase } from '../../engine/types.ts';
import type { AccountRiskConfig } from '../../engine/rules/config.ts';
import type { AccountCreation, CommandRecorder, Exchange, FeeTier } from '../exchange.ts';
import { RecordKind, type JournalRecord } from './codec.ts';
import type { JournalWriter } from './writer.ts';
import type { Snapshotter } from './snapshot.ts';

export class JournalRecorder implements CommandRecorder {
  /** the journal's snapshots (taken on admin request through here) */
  snapshots: Snapshotter | null = null;

  constructor(readonly writer: JournalWriter) {}

  newOrder(c: NewOrder): void {
    const e = this.writer.begin(c.time, RecordKind.NEW_ORDER);
    e.value(c.account); e.value(c.session); e.value(c.symbol); e.value(c.clOrdId); e.value(c.side); e.value(c.ordType);
    e.value(c.tif); e.value(c.price); e.value(c.qty); e.value(c.expireTime); e.value(c.postOnly); e.value(c.stp);
    // appended last: a journal written before it replays as false
    e.value(c.imbalanceOnly);
    // order types, appended after it (absent in older journals: a plain order)
    e.value(c.stopPx); e.value(c.displayQty); e.value(c.postOnlySlide);
    this.writer.end();
  }

  cancel(c: Cancel): void {
    this.orderRef(RecordKind.CANCEL, c);
    this.writer.end();
  }

  replace(c: Replace): void {
    const e = this.orderRef(RecordKind.REPLACE, c);
    e.value(c.price); e.value(c.qty);
    this.writer.end();
  }

  private orderRef(kind: RecordKind, c: Cancel) {
    const e = this.writer.begin(c.time, kind);
    e.value(c.account); e.value(c.session); e.value(c.symbol); e.value(c.orderId); e.value(c.origClOrdId); e.value(c.clOrdId);
    return e;
  }

  massCancel(c: MassCancel, clOrdId: string): void {
    const e = this.writer.begin(c.time, RecordKind.MASS_CANCEL);
    e.value(c.account); e.value(clOrdId); e.value(c.symbol); e.value(c.side); e.value(c.cause);
    this.writer.end();
  }

  massQuote(c: MassQuote): void {
    const e = this.writer.begin(c.time, RecordKind.MASS_QUOTE);
    e.value(c.account); e.value(c.session); e.value(c.symbol); e.value(c.bidPx); e.value(c.bidSize); e.value(c.offerPx); e.value(c.offerSize);
    e.value(c.mmpReset === true);
    this.writer.end();
  }

  quoteCancel(time: number, account: number, symbol: string | undefined): void {
    this.values(time, RecordKind.QUOTE_CANCEL, account, symbol);
  }

  setPhase(time: number, symbol: string, phase: TradingPhase, text: string, durationUs: number | undefined): void {
    this.values(time, RecordKind.SET_PHASE, symbol, phase, text, durationUs);
  }

  killSwitch(time: number, account: number, on: boolean, text: string): void {
    this.values(time, RecordKind.KILL_SWITCH, account, on, text);
  }

  setReference(c: SetReference): void {
    this.values(c.time, RecordKind.SET_REFERENCE, c.symbol, c.referencePrice, c.previousClose);
  }

  setStress(time: number, symbol: string, on: boolean): void {
    this.values(time, RecordKind.SET_STRESS, symbol, on);
  }

  mmpReset(time: number, account: number, symbol: string): void {
    this.values(time, RecordKind.MMP_RESET, account, symbol);
  }

  tick(time: number): void {
    this.writer.begin(time, RecordKind.TICK);
    this.writer.end();
  }

  createAccount(time: number, a: AccountCreation): void {
    this.values(time, RecordKind.CREATE_ACCOUNT, a.name, a.apiKey, a.stp, a.risk, a.rateLimitExempt);
  }

  setFeeTier(time: number, account: number, tier: FeeTier): void {
    this.values(time, RecordKind.SET_FEE_TIER, account, tier);
  }

  sessionAttach(account: number, reset: boolean): void {
    this.values(this.writer.lastTime, RecordKind.SESSION_ATTACH, account, reset);
  }

  sessionOut(account: number, body: string, msg: Record<string, unknown>): void {
    this.values(this.writer.lastTime, RecordKind.SESSION_OUT, account, body, msg);
  }

  sessionIn(account: number, nextIn: number): void {
    this.values(this.writer.lastTime, RecordKind.SESSION_IN, account, nextIn);
  }

  /** A marker recovery and replay can stop at (admin request); changes nothing. */
  checkpoint(time: number, label: string): number {
    this.values(time, RecordKind.CHECKPOINT, label);
    return this.writer.seq;
  }

  whenDurable(fn: () => void): void {
    this.writer.whenDurable(fn);
  }

  /** Admin commands are rare: a rest parameter is fine here, not on the order path. */
  private values(time: number, kind: RecordKind, ...vs: unknown[]): void {
    const e = this.writer.begin(time, kind);
    for (const v of vs) e.value(v);
    this.writer.end();
  }
}

/**
 * The time source of an Exchange that replays: the record's time while one
 * is being applied, else `live` (the exchange clock, once recovery is over).
 */
export class ReplayTime {
  at: number | null = null;
  constructor(private readonly live: () => number = () => 0) {}
  readonly now = (): number => this.at ?? this.live();
}

/** Order-entry session state rebuilt by a replay (TradeSessions); an offline replay has none. */
export interface SessionReplay {
  replayAttach(account: number, reset: boolean): void;
  replayOut(account: number, body: string, msg: Record<string, unknown>): void;
  replayIn(account: number, nextIn: number): void;
}

const stringOrUndefined = (v: unknown): string | undefined => (v === undefined ? undefined : (v as string));

/** Runs one journaled command through `exchange` at its journaled time (the exchange's clock must read `time`). */
export function applyRecord(exchange: Exchange, r: JournalRecord, time: ReplayTime, sessions: SessionReplay | null = null): void {
  const v = r.values;
  time.at = r.time;
  try {
    switch (r.kind) {
      case RecordKind.NEW_ORDER:
        exchange.newOrder({
          account: v[0], session: v[1], symbol: v[2], clOrdId: v[3], side: v[4], ordType: v[5], tif: v[6], price: v[7], qty: v[8],
          expireTime: v[9], postOnly: v[10], stp: v[11], imbalanceOnly: v[12], stopPx: v[13], displayQty: v[14], postOnlySlide: v[15],
        } as NewOrder);
        return;
      case RecordKind.CANCEL:
        exchange.cancel(orderRef(v) as Cancel);
        return;
      case RecordKind.REPLACE:
        exchange.replace({ ...orderRef(v), price: v[6], qty: v[7] } as Replace);
        return;
      case RecordKind.MASS_CANCEL:
        exchange.massCancelOrders(v[0] as number, v[1] as string, stringOrUndefined(v[2]), v[3] as Side | undefined, v[4] === CancelReason.DISCONNECT);
        return;
      case RecordKind.MASS_QUOTE:
        exchange.massQuote({ account: v[0], session: v[1], symbol: v[2], bidPx: v[3], bidSize: v[4], offerPx: v[5], offerSize: v[6], mmpReset: v[7] === true } as MassQuote);
        return;
      case RecordKind.QUOTE_CANCEL:
        exchange.quoteCancel(v[0] as number, stringOrUndefined(v[1]));
        return;
      case RecordKind.SET_PHASE:
        exchange.setPhase(v[0] as string, v[1] as TradingPhase, v[2] as string, v[3] as number | undefined);
        return;
      case RecordKind.KILL_SWITCH:
        exchange.killSwitch(v[0] as number, v[1] as boolean, v[2] as string);
        return;
      case RecordKind.SET_REFERENCE:
        exchange.setReference({ symbol: v[0], referencePrice: v[1], previousClose: v[2] } as SetReference);
        return;
      case RecordKind.SET_STRESS:
        exchange.setStress(v[0] as string, v[1] as boolean);
        return;
      case RecordKind.MMP_RESET:
        exchange.mmpReset(v[0] as number, v[1] as string);
        return;
      case RecordKind.TICK:
        exchange.tick();
        return;
      case RecordKind.CREATE_ACCOUNT:
        exchange.createAccount(v[0] as string, v[1] as string, v[2] as StpMode | undefined, v[3] as AccountRiskConfig | undefined, v[4] === true);
        return;
      case RecordKind.SET_FEE_TIER:
        exchange.setFeeTier(v[0] as number, v[1] as FeeTier);
        return;
      case RecordKind.CHECKPOINT:
        return;
      case RecordKind.SESSION_ATTACH:
        sessions?.replayAttach(v[0] as number, v[1] === true);
        return;
      case RecordKind.SESSION_OUT:
        sessions?.replayOut(v[0] as number, v[1] as string, v[2] as Record<string, unknown>);
        return;
      case RecordKind.SESSION_IN:
        sessions?.replayIn(v[0] as number, v[1] as number);
        return;
      default:
        throw new Error(`journal record ${r.seq}: unknown kind ${r.kind as number}`);
    }
  } finally {
    time.at = null;
  }
}

function orderRef(v: unknown[]): Omit<Cancel, 'time'> {
  return { account: v[0], session: v[1], symbol: v[2], orderId: v[3], origClOrdId: v[4], clOrdId: v[5] } as Omit<Cancel, 'time'>;
}
