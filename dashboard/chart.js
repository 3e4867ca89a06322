// The price chart (TradingView's lightweight-charts: 5 s candles from the
// trade tape, the simulator's fair value as a line) and the depth chart (a
// canvas: cumulative quantity by price on each side).

const CANDLE_S = 5;
const MAX_CANDLES = 2000;

export class PriceChart {
  constructor(el) {
    const LC = window.LightweightCharts;
    this.chart = LC.createChart(el, {
      autoSize: true,
      layout: { background: { color: '#171d24' }, textColor: '#d8dee6' },
      grid: { vertLines: { color: '#222b34' }, horzLines: { color: '#222b34' } },
      timeScale: { timeVisible: true, secondsVisible: true },
    });
    this.candles = this.chart.addSeries(LC.CandlestickSeries, { upColor: '#26a69a', downColor: '#ef5350', wickUpColor: '#26a69a', wickDownColor: '#ef5350', borderVisible: false });
    this.fair = this.chart.addSeries(LC.LineSeries, { color: '#f0b429', lineWidth: 2, priceLineVisible: false, lastValueVisible: true });
    this.reset(2);
  }

  /** A new symbol: empty series, its decimals. */
  reset(decimals) {
    this.scale = 10 ** decimals;
    const format = { type: 'price', precision: decimals, minMove: 1 / this.scale };
    this.candles.applyOptions({ priceFormat: format });
    this.fair.applyOptions({ priceFormat: format });
    this.candles.setData([]);
    this.fair.setData([]);
    this.bars = [];
    this.changedFrom = Infinity; // the oldest bar changed since the last draw
    this.lastFair = 0;
  }

  /** A trade (price units, µs): joins its candle; drawn at the next frame. */
  addTrade(priceUnits, timeUs) {
    const t = Math.floor(timeUs / 1e6 / CANDLE_S) * CANDLE_S;
    const px = priceUnits / this.scale;
    const last = this.bars[this.bars.length - 1];
    if (last && t < last.time) return; // out of order (never on one symbol's feed)
    if (last && last.time === t) {
      last.high = Math.max(last.high, px);
      last.low = Math.min(last.low, px);
      last.close = px;
      this.changedFrom = Math.min(this.changedFrom, this.bars.length - 1);
    } else {
      const open = last ? last.close : px;
      this.bars.push({ time: t, open, high: Math.max(px, open), low: Math.min(px, open), close: px });
      this.changedFrom = Math.min(this.changedFrom, this.bars.length - 1);
      if (this.bars.length > MAX_CANDLES) {
        const drop = this.bars.length - MAX_CANDLES;
        this.bars.splice(0, drop);
        this.changedFrom = Math.max(0, this.changedFrom - drop);
      }
    }
  }

  /** The fair value (decimal string) at exchange time µs. */
  addFair(value, timeUs) {
    const t = Math.floor(timeUs / 1e6);
    if (t <= this.lastFair) return;
    this.lastFair = t;
    this.fair.update({ time: t, value: Number(value) });
  }

  /** Once per frame: the candles that changed since the last one. */
  draw() {
    for (let i = this.changedFrom; i < this.bars.length; i++) this.candles.update({ ...this.bars[i] });
    this.changedFrom = Infinity;
  }

  get candleCount() {
    return this.bars.length;
  }
}

/** Cumulative depth, bids left of the mid and asks right, on a canvas. */
export function drawDepth(canvas, levels, scale) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  if (canvas.width !== w * dpr) { canvas.width = w * dpr; canvas.height = h * dpr; }
  const g = canvas.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  const cum = (side) => { let c = 0; return side.map(([p, q]) => [p, (c += q)]); };
  const bids = cum(levels.bids);
  const asks = cum(levels.asks);
  if (bids.length === 0 && asks.length === 0) {
    g.fillStyle = '#7d8896';
    g.fillText('empty book', w / 2 - 30, h / 2);
    return;
  }
  const lo = bids.length ? bids[bids.length - 1][0] : asks[0][0];
  const hi = asks.length ? asks[asks.length - 1][0] : bids[0][0];
  const maxQ = Math.max(bids.length ? bids[bids.length - 1][1] : 0, asks.length ? asks[asks.length - 1][1] : 0);
  const pad = 18;
  const x = (p) => (hi === lo ? w / 2 : pad + ((p - lo) / (hi - lo)) * (w - 2 * pad));
  const y = (q) => h - pad - (q / maxQ) * (h - 2 * pad);
  const area = (pts, color) => {
    if (pts.length === 0) return;
    g.beginPath();
    g.moveTo(x(pts[0][0]), h - pad);
    for (const [p, q] of pts) g.lineTo(x(p), y(q));
    g.lineTo(x(pts[pts.length - 1][0]), h - pad);
    g.closePath();
    g.fillStyle = color + '44';
    g.fill();
    g.strokeStyle = color;
    g.stroke();
  };
  area(bids, '#26a69a');
  area(asks, '#ef5350');
  g.fillStyle = '#7d8896';
  g.font = '11px system-ui';
  g.fillText((lo / scale).toFixed(Math.log10(scale)), 2, h - 4);
  const hiText = (hi / scale).toFixed(Math.log10(scale));
  g.fillText(hiText, w - g.measureText(hiText).width - 2, h - 4);
}
