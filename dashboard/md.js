// Market data over /ws/md (docs/protocol.md): protobuf Envelopes decoded with
// protobufjs's browser build from proto/makerbench.proto. Each symbol keeps an
// L2 book, its BBO, the last trades and the auction indication; `onChange`
// is told which symbols changed, and the page redraws once per animation frame.
// An update-id gap reconnects, which brings fresh snapshots.

const TAPE_MAX = 200;

export class Book {
  constructor(symbol) {
    this.symbol = symbol;
    this.bids = new Map(); // price units → qty units
    this.asks = new Map();
    this.lastUpdateId = 0;
    this.bbo = { bidPx: 0, bidQty: 0, askPx: 0, askQty: 0 };
    this.trades = []; // newest last: {id, price, qty, side, time}
    this.auction = null; // {phase, price, qty, surplusQty, surplusSide} in a call phase
  }

  /** The best `n` levels a side as [price, qty] pairs, best first. */
  levels(n) {
    const pick = (m, desc) => [...m].sort((a, b) => (desc ? b[0] - a[0] : a[0] - b[0])).slice(0, n);
    return { bids: pick(this.bids, true), asks: pick(this.asks, false) };
  }

  apply(levels, side) {
    const m = side === 'bid' ? this.bids : this.asks;
    for (const l of levels) {
      if (Number(l.qty) === 0) m.delete(Number(l.price));
      else m.set(Number(l.price), Number(l.qty));
    }
  }
}

export class MarketData {
  constructor(root, symbols, handlers) {
    this.Envelope = root.lookupType('makerbench.v1.Envelope');
    this.symbols = symbols;
    this.h = handlers; // {onChange(symbol, what), onStatus(SecurityStatus), onConnection(text, ok), onTrade(symbol, trade)}
    this.books = new Map(symbols.map((s) => [s, new Book(s)]));
    this.messages = 0;
    this.busyMs = 0; // main-thread time spent decoding and applying messages
    this.closed = false;
    this.connect();
  }

  connect() {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/md`;
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.seq = 0; // client messages are numbered from 1 per connection
    ws.onopen = () => {
      this.h.onConnection('market data: live', true);
      for (const symbol of this.symbols) {
        this.send({ marketDataRequest: { mdReqId: `dash-${symbol}`, symbol, subscription: 0, marketDepth: 0 } });
      }
    };
    ws.onmessage = (ev) => this.receive(new Uint8Array(ev.data));
    ws.onclose = () => {
      if (this.closed) return;
      this.h.onConnection('market data: reconnecting', false);
      setTimeout(() => this.connect(), 1000);
    };
  }

  send(body) {
    this.ws.send(this.Envelope.encode(this.Envelope.create({ msgSeqNum: ++this.seq, ...body })).finish());
  }

  receive(bytes) {
    const t0 = performance.now();
    this.messages++;
    this.handle(this.Envelope.decode(bytes));
    this.busyMs += performance.now() - t0;
  }

  handle(env) {
    if (env.marketDataIncrementalRefresh) this.incremental(env.marketDataIncrementalRefresh);
    else if (env.marketDataSnapshotFullRefresh) this.snapshot(env.marketDataSnapshotFullRefresh);
    else if (env.securityStatus) this.h.onStatus(env.securityStatus);
    else if (env.reject || env.marketDataRequestReject) console.warn('market data refused', env.reject ?? env.marketDataRequestReject);
  }

  snapshot(s) {
    const b = new Book(s.symbol);
    b.trades = this.books.get(s.symbol)?.trades ?? [];
    b.apply(s.bids, 'bid');
    b.apply(s.asks, 'ask');
    b.lastUpdateId = Number(s.lastUpdateId);
    this.bbo(b, s.bbo);
    b.auction = s.auction && auctionOf(s.auction);
    this.books.set(s.symbol, b);
    this.h.onChange(s.symbol, 'book');
  }

  incremental(u) {
    const b = this.books.get(u.symbol);
    if (!b) return;
    const first = Number(u.firstUpdateId);
    if (b.lastUpdateId === 0 || Number(u.lastUpdateId) <= b.lastUpdateId) return; // before the snapshot
    if (first !== b.lastUpdateId + 1) return this.resync();
    b.lastUpdateId = Number(u.lastUpdateId);
    b.apply(u.bids, 'bid');
    b.apply(u.asks, 'ask');
    if (u.bbo) this.bbo(b, u.bbo);
    if (u.auction) b.auction = u.auction.final ? null : auctionOf(u.auction);
    for (const t of u.trades) {
      const trade = { id: Number(t.tradeId), price: Number(t.price), qty: Number(t.qty), side: t.aggressorSide, time: Number(t.transactTime), auction: t.auction };
      b.trades.push(trade);
      this.h.onTrade(u.symbol, trade);
    }
    if (b.trades.length > TAPE_MAX) b.trades.splice(0, b.trades.length - TAPE_MAX);
    this.h.onChange(u.symbol, u.trades.length > 0 ? 'trades' : 'book');
  }

  bbo(b, m) {
    if (!m) return;
    b.bbo = { bidPx: Number(m.bidPx), bidQty: Number(m.bidQty), askPx: Number(m.askPx), askQty: Number(m.askQty) };
  }

  /** Updates were lost: a new connection brings new snapshots. */
  resync() {
    for (const b of this.books.values()) b.lastUpdateId = 0;
    this.ws.close();
  }
}

function auctionOf(a) {
  return { phase: a.tradingPhase, price: Number(a.price), qty: Number(a.qty), surplusQty: Number(a.surplusQty), surplusSide: a.surplusSide };
}
