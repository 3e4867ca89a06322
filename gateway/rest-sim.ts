// Admin REST for the simulated market beside the gateway (`npm start --
// --scenario NAME`, sim/serve.ts): its latent fair value and regime, and the
// operator's triggers — a maker withdrawal, a restore, a jump. The routes are
// always registered (fastify takes no routes once listening); without a
// running scenario they answer 404 NO_SCENARIO. docs/simulation.md, docs/rest.md.
import type { FastifyInstance } from 'fastify';
import type { Exchange } from './exchange.ts';
import { HttpError, optionalBody, requireAdmin } from './rest-http.ts';
import { formatUnits } from '../engine/money.ts';
import type { SimMarket, TriggerEvent } from '../sim/market.ts';

export interface AttachedSimulation {
  scenario: string;
  seed: number;
  symbols: readonly string[];
  market: SimMarket;
}

const attached = new WeakMap<Exchange, AttachedSimulation>();

/** sim/serve.ts: the market now running on this exchange (null: none any more). */
export function attachSimulation(exchange: Exchange, sim: AttachedSimulation | null): void {
  if (sim) attached.set(exchange, sim);
  else attached.delete(exchange);
}

function running(exchange: Exchange): AttachedSimulation {
  const sim = attached.get(exchange);
  if (!sim) throw new HttpError(404, 'NO_SCENARIO', 'no simulated market is running (npm start -- --scenario NAME)');
  return sim;
}

const pct = (min: number, max: number, dflt: number) => ({ type: 'number', minimum: min, maximum: max, default: dflt }) as const;
const withinS = pct(0, 3600, 3);
const TRIGGER_SCHEMAS = {
  withdraw: { type: 'object', additionalProperties: false, properties: { withdraw_pct: pct(0, 100, 95), within_s: withinS } },
  restore: { type: 'object', additionalProperties: false, properties: { depth_pct: pct(0, 100, 100), within_s: withinS } },
  jump: {
    type: 'object', additionalProperties: false, required: ['jump_pct'],
    properties: { jump_pct: { type: 'number', minimum: -50, maximum: 100 }, symbol: { type: 'string', minLength: 1, maxLength: 64 } },
  },
} as const;

type TriggerBody = { withdraw_pct?: number; depth_pct?: number; within_s?: number; jump_pct?: number; symbol?: string };

function triggerOf(type: keyof typeof TRIGGER_SCHEMAS, b: TriggerBody, sim: AttachedSimulation): TriggerEvent {
  switch (type) {
    case 'withdraw': return { type, withdraw_pct: b.withdraw_pct as number, within_s: b.within_s as number };
    case 'restore': return { type, depth_pct: b.depth_pct as number, within_s: b.within_s as number };
    case 'jump':
      if (b.symbol !== undefined && !sim.symbols.includes(b.symbol)) {
        throw new HttpError(404, 'UNKNOWN_SYMBOL', `${b.symbol} has no simulated market (${sim.symbols.join(', ')})`, { field: 'symbol' });
      }
      return { type, jump_pct: b.jump_pct as number, symbol: b.symbol ?? null };
  }
}

export function simRoutes(api: FastifyInstance, exchange: Exchange, adminToken: string): void {
  // the simulator's latent value: for watching a run (a bot that reads it is looking at the answers)
  api.get('/sim', async () => {
    const sim = running(exchange);
    return {
      scenario: sim.scenario, seed: sim.seed, time: exchange.engine.time,
      symbols: sim.symbols.map((symbol) => {
        const scale = exchange.instrument(symbol)?.priceScale ?? 0;
        return { symbol, fair_value: formatUnits(Math.round(sim.market.fairValue(symbol)), scale), regime: sim.market.regime(symbol) };
      }),
      conditions: sim.market.conditions,
    };
  });

  const onRequest = requireAdmin(adminToken);
  for (const type of Object.keys(TRIGGER_SCHEMAS) as (keyof typeof TRIGGER_SCHEMAS)[]) {
    api.post<{ Body: TriggerBody }>(`/admin/sim/${type}`, { onRequest, preValidation: optionalBody, schema: { body: TRIGGER_SCHEMAS[type] } }, async (req) => {
      const sim = running(exchange);
      const e = triggerOf(type, req.body ?? {}, sim);
      sim.market.trigger(e);
      return { scenario: sim.scenario, triggered: e };
    });
  }
}
