// The MiFID II tick size regime: Commission Delegated Regulation (EU) 2017/588
// (RTS 11), Annex "Tick size table". A share's tick depends on its price range
// and its liquidity band, the average daily number of transactions (ADNT) on
// its most liquid market: band 1 ADNT < 10, 2 < 80, 3 < 600, 4 < 2,000,
// 5 < 9,000, 6 ≥ 9,000. Venues apply a tick at least this large (Article 2).
import type { TickBand } from './instrument.ts';

/** Each row: the price range's lower bound, then the tick of liquidity bands 1 … 6 (decimal strings, quote currency). */
const ANNEX: readonly (readonly string[])[] = [
  ['0', '0.0005', '0.0002', '0.0001', '0.0001', '0.0001', '0.0001'],
  ['0.1', '0.001', '0.0005', '0.0002', '0.0001', '0.0001', '0.0001'],
  ['0.2', '0.002', '0.001', '0.0005', '0.0002', '0.0001', '0.0001'],
  ['0.5', '0.005', '0.002', '0.001', '0.0005', '0.0002', '0.0001'],
  ['1', '0.01', '0.005', '0.002', '0.001', '0.0005', '0.0002'],
  ['2', '0.02', '0.01', '0.005', '0.002', '0.001', '0.0005'],
  ['5', '0.05', '0.02', '0.01', '0.005', '0.002', '0.001'],
  ['10', '0.1', '0.05', '0.02', '0.01', '0.005', '0.002'],
  ['20', '0.2', '0.1', '0.05', '0.02', '0.01', '0.005'],
  ['50', '0.5', '0.2', '0.1', '0.05', '0.02', '0.01'],
  ['100', '1', '0.5', '0.2', '0.1', '0.05', '0.02'],
  ['200', '2', '1', '0.5', '0.2', '0.1', '0.05'],
  ['500', '5', '2', '1', '0.5', '0.2', '0.1'],
  ['1000', '10', '5', '2', '1', '0.5', '0.2'],
  ['2000', '20', '10', '5', '2', '1', '0.5'],
  ['5000', '50', '20', '10', '5', '2', '1'],
  ['10000', '100', '50', '20', '10', '5', '2'],
  ['20000', '200', '100', '50', '20', '10', '5'],
  ['50000', '500', '200', '100', '50', '20', '10'],
];

/** A decimal string in units of 10^-scale, or null if it has more decimals than the scale. */
function units(dec: string, scale: number): number | null {
  const [int, frac = ''] = dec.split('.');
  if (frac.length > scale) return null;
  return Number(int + frac.padEnd(scale, '0'));
}

/**
 * The Annex's tick table for one liquidity band (1-6) in price units of `priceScale`, bands of equal
 * tick merged, up to `maxPrice`. Returns why not when a tick has more decimals than the price scale.
 */
export function rts11TickTable(band: number, priceScale: number, maxPrice: number): TickBand[] | string {
  const out: TickBand[] = [];
  for (const row of ANNEX) {
    const from = units(row[0], priceScale) as number;
    if (from > maxPrice) break;
    const tick = units(row[band], priceScale);
    if (tick === null) return `liquidity band ${band} has a tick of ${row[band]} from ${row[0]}: more decimals than price_scale ${priceScale}`;
    if (out.length === 0 || out[out.length - 1].tick !== tick) out.push({ from_price: from, tick });
  }
  return out;
}
