// Market-maker protection over REST: the caller's protections (limits, tallies
// now, tripped or not) and the reset that lets it quote again after a trip
// (the REST twin of MassQuote.mmp_reset). Quantities are decimal strings in
// the instrument's units, like the rest of the API; the fill percentage and
// the fill count are plain integers.
import type { FastifyInstance } from 'fastify';
import type { Exchange } from './exchange.ts';
import { HttpError, accountOf, requireAccount } from './rest-http.ts';
import { qty } from './rest-format.ts';
import type { MmpView } from '../engine/rules/mmp.ts';
import type { Instrument } from '../engine/instrument.ts';

function mmpJson(inst: Instrument, v: MmpView): Record<string, unknown> {
  const l = v.limits;
  const q = (n: number | undefined): string | null => (n === undefined ? null : qty(inst, n));
  return {
    symbol: v.symbol, triggered: v.triggered, triggered_at: v.triggeredAt || null,
    limits: { window_ms: l.window_ms, window: l.window ?? 'sliding', max_fills: l.max_fills ?? null, max_qty: q(l.max_qty), max_delta: q(l.max_delta), max_fill_pct: l.max_fill_pct ?? null },
    fills: v.fills, qty: qty(inst, v.qty), delta: qty(inst, v.delta), fill_pct: v.fillPct, interval_start: v.intervalStart || null,
  };
}

export function mmpRoutes(api: FastifyInstance, exchange: Exchange): void {
  const onRequest = requireAccount(exchange);

  api.get('/mmp', { onRequest }, async (req) => {
    const a = accountOf(req);
    exchange.tick();
    const views = exchange.engine.mmpStatus(a.id);
    return { account_id: String(a.id), time: exchange.engine.time, protections: views.map((v) => mmpJson(exchange.instrument(v.symbol) as Instrument, v)) };
  });

  api.post<{ Body: { symbol: string } }>('/mmp/reset', {
    onRequest,
    schema: { body: { type: 'object', required: ['symbol'], additionalProperties: false, properties: { symbol: { type: 'string', minLength: 1, maxLength: 64 } } } },
  }, async (req) => {
    const a = accountOf(req);
    const { symbol } = req.body;
    if (!exchange.instrument(symbol)) throw new HttpError(404, 'UNKNOWN_SYMBOL', `unknown symbol ${symbol}`);
    if (!exchange.engine.mmpStatus(a.id).some((v) => v.symbol === symbol)) {
      throw new HttpError(409, 'NO_PROTECTION', `account ${a.name} has no market-maker protection on ${symbol}`);
    }
    const was = exchange.mmpReset(a.id, symbol) === 1;
    return { symbol, was_triggered: was, triggered: false };
  });
}
