// Signed markouts (domain.md §7): for a fill, s·(mid(t + τ) − price) with s = +1
// for a buy and −1 for a sell, in bp of the price, averaged per account and
// counterparty type. Negative against a type = that type's flow is toxic to
// the account. Streaming: fills wait in a queue until the first mid sample at
// or after t + τ arrives; memory is the fills of the last τ.

export interface MarkoutCell {
  fills: number;
  /** mean signed markout, bp */
  mean_bp: number;
  /** quantity-weighted mean, bp */
  qty_weighted_bp: number;
}

interface Pending {
  due: number;
  price: number;
  qty: number;
  sign: number;
  key: string;
}

export class Markouts {
  private readonly queues = new Map<string, Pending[]>();
  private readonly heads = new Map<string, number>();
  private readonly sums = new Map<string, { n: number; sum: number; qsum: number; q: number }>();

  /** @param horizonUs τ, µs (default 10 s) */
  constructor(readonly horizonUs = 10_000_000) {}

  /**
   * One side of a fill: `account` bought (`buy`) or sold `qty` at `price` against a counterparty of
   * type `counterparty` ('external' for members); `key` groups results (default: the account id).
   */
  add(symbol: string, time: number, account: number | string, buy: boolean, price: number, qty: number, counterparty: string): void {
    let q = this.queues.get(symbol);
    if (!q) {
      this.queues.set(symbol, (q = []));
      this.heads.set(symbol, 0);
    }
    q.push({ due: time + this.horizonUs, price, qty, sign: buy ? 1 : -1, key: `${account}\u0000${counterparty}` });
  }

  /** A mid sample of `symbol` at `time`: settles every fill due by then. A mid of 0 (one-sided book) settles nothing. */
  mid(symbol: string, time: number, mid: number): void {
    const q = this.queues.get(symbol);
    if (!q || !(mid > 0)) return;
    let h = this.heads.get(symbol) as number;
    while (h < q.length && q[h].due <= time) {
      const p = q[h++];
      const bp = (p.sign * (mid - p.price) / p.price) * 1e4;
      let c = this.sums.get(p.key);
      if (!c) this.sums.set(p.key, (c = { n: 0, sum: 0, qsum: 0, q: 0 }));
      c.n++;
      c.sum += bp;
      c.qsum += bp * p.qty;
      c.q += p.qty;
    }
    if (h > 1024 && h * 2 > q.length) {
      q.splice(0, h);
      h = 0;
    }
    this.heads.set(symbol, h);
  }

  /** Results by account (or key) and counterparty type. */
  table(): Record<string, Record<string, MarkoutCell>> {
    const out: Record<string, Record<string, MarkoutCell>> = {};
    for (const [key, c] of [...this.sums].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const [account, cpty] = key.split('\u0000');
      (out[account] ??= {})[cpty] = { fills: c.n, mean_bp: round(c.sum / c.n), qty_weighted_bp: round(c.q > 0 ? c.qsum / c.q : 0) };
    }
    return out;
  }
}

const round = (x: number): number => Math.round(x * 1000) / 1000;
