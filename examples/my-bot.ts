// A bot template: a two-sided quoter you can copy into your own project and
// change. It logs on, follows the book, keeps one bid and one ask around a
// fair price (re-sent as one mass quote when the fair price moves), leans its
// quotes against its position, and on Ctrl-C (or after --seconds) cancels its
// quotes and logs out.
//
//   npm start                                  # the exchange, in another terminal
//   npm run bot:template -- --seconds 30       # this bot, in this repository
//
// In your own project (see docs/sdk.md): `npm install <path to makerbench> tsx`,
// copy this file, and run it with `npx tsx my-bot.ts`. The import below is the
// package's: it works here too (a package may import itself by its name).
import { parseArgs } from 'node:util';
import { ExchangeClient, MarketDataClient, type ExecutionReport, type Instrument } from 'makerbench/client';

interface Settings {
  url: string;
  key: string;
  symbol: string;
  /** quote this many ticks either side of the fair price */
  spreadTicks: number;
  /** quantity per side, a decimal string in the instrument's units */
  size: string;
  /** the fair price while the book is empty, a decimal string */
  refPrice: string;
  /** shift both quotes this many ticks per `size` of position (leaning against it) */
  skewTicks: number;
  /** stop after this many seconds (0 = until Ctrl-C) */
  seconds: number;
}

function settings(): Settings {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', default: 'http://127.0.0.1:8080' },
      key: { type: 'string', default: 'demo-maker-1' },
      symbol: { type: 'string', default: 'BTC-USD' },
      'spread-ticks': { type: 'string', default: '5' },
      size: { type: 'string', default: '0.0100' },
      'ref-price': { type: 'string', default: '100000.0' },
      'skew-ticks': { type: 'string', default: '1' },
      seconds: { type: 'string', default: '0' },
    },
  });
  return {
    url: values.url, key: values.key, symbol: values.symbol, spreadTicks: Number(values['spread-ticks']), size: values.size,
    refPrice: values['ref-price'], skewTicks: Number(values['skew-ticks']), seconds: Number(values.seconds),
  };
}

/** The bot's state: its position (quantity units) and the fair price its quotes were last sent for. */
class Quoter {
  private position = 0;
  private quotedAt: number | null = null;

  constructor(private readonly s: Settings, private readonly c: ExchangeClient, private readonly md: MarketDataClient, private readonly inst: Instrument) {}

  /** Fair price in price units: the book's mid, else the reference price. */
  private fair(): number {
    return this.md.mid() ?? this.inst.priceUnits(this.s.refPrice);
  }

  onFill(f: ExecutionReport): void {
    const qty = this.inst.qtyUnits(f.lastQty);
    this.position += f.side === 'buy' ? qty : -qty;
    console.log(`fill ${f.side} ${f.lastQty} @ ${f.lastPx} (${f.liquidity}), fee ${f.fee}; position ${this.inst.formatQty(this.position)}`);
    void this.requote(true);
  }

  /** Sends a new two-sided quote when the fair price moved by a tick (or `force`). */
  async requote(force = false): Promise<void> {
    const fair = this.inst.roundToTick(this.fair(), 'nearest');
    if (!force && this.quotedAt !== null && Math.abs(fair - this.quotedAt) < this.inst.tickAt(fair)) return;
    this.quotedAt = fair;
    const size = this.inst.qtyUnits(this.s.size);
    const lean = -Math.round((this.position / size) * this.s.skewTicks); // long → lower both quotes
    const bid = this.inst.stepTick(fair, lean - this.s.spreadTicks);
    const ask = this.inst.stepTick(fair, lean + this.s.spreadTicks);
    const ack = await this.c.massQuote({
      symbol: this.s.symbol,
      bid: { price: this.inst.formatPrice(bid), qty: this.s.size },
      ask: { price: this.inst.formatPrice(ask), qty: this.s.size },
    });
    console.log(`quote ${this.inst.formatPrice(bid)} / ${this.inst.formatPrice(ask)} x ${this.s.size}: ${ack.bidRejectCode ?? 'ok'} / ${ack.offerRejectCode ?? 'ok'}`);
  }
}

async function main(): Promise<void> {
  const s = settings();
  // cancel-on-disconnect: the exchange pulls the quotes if this process dies
  const c = await ExchangeClient.connect(s.url, s.key, { cancelOnDisconnect: true });
  const inst = c.instrument(s.symbol);
  if (!inst) throw new Error(`unknown symbol ${s.symbol}; the exchange lists ${c.instruments().map((i) => i.symbol).join(', ')}`);
  const md = await MarketDataClient.connect(s.url, s.symbol);
  const bot = new Quoter(s, c, md, inst);
  c.on('fill', (f) => bot.onFill(f));
  c.on('securityStatus', (st) => console.log(`${st.symbol} is now ${st.tradingPhase ?? 'unknown'}: ${st.text}`));
  c.on('disconnect', (why) => console.log(`disconnected (${why}); reconnecting`));
  md.on('update', () => void bot.requote().catch((e: Error) => console.error(`quote failed: ${e.message}`)));
  await bot.requote(true);
  console.log(`quoting ${s.symbol} as ${c.accountId}; Ctrl-C stops`);

  const stop = async (): Promise<void> => {
    await c.quoteCancel(s.symbol).catch(() => undefined);
    md.close();
    await c.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  if (s.seconds > 0) setTimeout(() => void stop(), s.seconds * 1000);
}

main().catch((e: Error) => {
  console.error(`my-bot: ${e.message}`);
  process.exit(1);
});
