// Admin REST behind the x-admin-token header: accounts, fee tiers, kill
// switches, trading phases (halt, resume, any phase, timed halts), the maker
// programmes' stressed-market mode and reference prices.
import type { FastifyInstance } from 'fastify';
import type { Exchange } from './exchange.ts';
import { rejectName } from './metrics.ts';
import { HttpError, optionalBody, requireAdmin } from './rest-http.ts';
import { amount, price } from './rest-format.ts';
import { killSwitch, killSwitchSchema, type KillSwitchBody } from './rest-orders.ts';
import { phaseFromName, phaseName, phaseToWire } from './translate.ts';
import { API_KEY_RULE, isApiKey } from './config.ts';
import { PHASE_NAME, RejectReason, TradingPhase } from '../engine/types.ts';
import type { PhaseName } from '../engine/rules/config.ts';

interface FeeTierBody {
  account_id: string | number; symbol?: string; maker_fee_bp: number; taker_fee_bp: number; maker_fee_per_share?: number; taker_fee_per_share?: number;
}
interface PhaseBody { phase: PhaseName; duration_ms?: number; text?: string }
interface ReferenceBody { reference_price?: string; reference_price_units?: number; previous_close?: string; previous_close_units?: number }

const symbolParams = { type: 'object', properties: { symbol: { type: 'string', minLength: 1 } }, required: ['symbol'] } as const;
const accountParams = { type: 'object', properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,15}$' } }, required: ['id'] } as const;

/** The longest timed halt (a week): longer ones are open-ended halts resumed by hand. */
export const MAX_HALT_MS = 7 * 24 * 3_600_000;
const durationSchema = { type: 'integer', minimum: 1, maximum: MAX_HALT_MS } as const;
const textSchema = { type: 'string', maxLength: 256 } as const;

/** An engine refusal of an admin command: unknown things are 404, bad values 400. */
function adminRefusal(reason: RejectReason, text: string): HttpError {
  const notFound = reason === RejectReason.UNKNOWN_ACCOUNT || reason === RejectReason.UNKNOWN_SYMBOL;
  return new HttpError(notFound ? 404 : 400, rejectName(reason), text);
}

export function adminRoutes(api: FastifyInstance, exchange: Exchange, adminToken: string): void {
  const onRequest = requireAdmin(adminToken);
  // Every admin command's answer (routes registered from here on, in this scope: the clock's too) says at
  // which engine time (µs since the epoch) it took effect: the time of the command it ran.
  api.addHook('preSerialization', async (req, reply, payload: unknown) => {
    const admin = req.method !== 'GET' && req.routeOptions.url?.includes('/admin/') === true && reply.statusCode < 300;
    return admin && payload !== null && typeof payload === 'object' && !Array.isArray(payload)
      ? { ...payload, effective_time: exchange.engine.time } : payload;
  });

  api.post<{ Body: { name: string; api_key?: string } }>('/admin/accounts', {
    onRequest,
    schema: {
      body: {
        type: 'object', required: ['name'], additionalProperties: false,
        properties: { name: { type: 'string' }, api_key: { type: 'string' } },
      },
    },
  }, async (req, reply) => {
    const { name, api_key: apiKey } = req.body;
    if (apiKey !== undefined && !isApiKey(apiKey)) throw new HttpError(400, 'INVALID_FIELD', `api_key: ${API_KEY_RULE}`);
    if (apiKey !== undefined && exchange.authenticate(apiKey)) throw new HttpError(409, 'CONFLICT', 'api_key already in use');
    const r = exchange.createAccount(name, apiKey);
    if ('error' in r) throw new HttpError(400, 'INVALID_FIELD', r.error);
    return reply.code(201).send({ account_id: String(r.id), name: r.name, api_key: r.apiKey });
  });

  api.post<{ Body: FeeTierBody }>('/admin/fee-tiers', {
    onRequest,
    schema: {
      body: {
        type: 'object', required: ['account_id', 'maker_fee_bp', 'taker_fee_bp'], additionalProperties: false,
        properties: {
          // the id as POST /admin/accounts returns it (a string), or as a number
          account_id: { anyOf: [{ type: 'string', pattern: '^[1-9][0-9]{0,15}$' }, { type: 'integer', minimum: 1 }] },
          symbol: { type: 'string' },
          maker_fee_bp: { type: 'number' },
          taker_fee_bp: { type: 'number' },
          // integers of cash units per whole share (default: the instrument's)
          maker_fee_per_share: { type: 'integer' },
          taker_fee_per_share: { type: 'integer' },
        },
      },
    },
  }, async (req) => {
    const b = req.body;
    const account = Number(b.account_id);
    const { account_id: _, ...tier } = b;
    const r = exchange.setFeeTier(account, tier);
    if (!r.ok) throw adminRefusal(r.reason, r.text);
    return { account_id: String(account), symbol: b.symbol ?? null, ...tier };
  });

  api.post<{ Params: { id: string }; Body: KillSwitchBody }>('/admin/accounts/:id/kill-switch', {
    onRequest,
    schema: { params: accountParams, body: killSwitchSchema },
  }, async (req) => {
    const account = Number(req.params.id);
    if (!exchange.accountInfo(account)) throw adminRefusal(RejectReason.UNKNOWN_ACCOUNT, `unknown account ${req.params.id}`);
    return killSwitch(exchange, account, req.body.on, req.body.text ?? (req.body.on ? 'kill switch on (admin)' : 'kill switch off (admin)'));
  });

  // ---- trading phases ----

  /** The instrument's phase after the command: the uncross of a resume has already run. */
  const phaseAnswer = (symbol: string, changed: boolean): Record<string, unknown> => {
    const phase = exchange.engine.phaseOf(symbol);
    const status = exchange.status(symbol);
    const haltEnd = phase === TradingPhase.HALTED && status?.trading_phase === phaseToWire(phase) ? status.halt_end_time : 0;
    return { symbol, trading_phase: phaseToWire(phase), phase: phaseName(phase), changed, halt_end_time: haltEnd };
  };

  const setPhase = (symbol: string, phase: TradingPhase, text: string, durationMs: number | undefined): Record<string, unknown> => {
    if (!exchange.instrument(symbol)) throw adminRefusal(RejectReason.UNKNOWN_SYMBOL, `unknown symbol ${symbol}`);
    if (durationMs !== undefined && phase !== TradingPhase.HALTED) {
      throw new HttpError(400, 'INVALID_FIELD', 'duration_ms: only a halt (phase HALTED) can be timed');
    }
    const changed = exchange.setPhase(symbol, phase, text, durationMs === undefined ? undefined : durationMs * 1000) === 1;
    return phaseAnswer(symbol, changed);
  };

  api.post<{ Params: { symbol: string }; Body: PhaseBody }>('/admin/instruments/:symbol/phase', {
    onRequest,
    schema: {
      params: symbolParams,
      body: {
        type: 'object', required: ['phase'], additionalProperties: false,
        properties: { phase: { enum: Object.values(PHASE_NAME) }, duration_ms: durationSchema, text: textSchema },
      },
    },
  }, async (req) => {
    const b = req.body;
    return setPhase(req.params.symbol, phaseFromName(b.phase) as TradingPhase, b.text ?? `${b.phase} (admin)`, b.duration_ms);
  });

  api.post<{ Params: { symbol: string }; Body: { text?: string; duration_ms?: number } }>('/admin/instruments/:symbol/halt', {
    onRequest,
    preValidation: optionalBody,
    schema: {
      params: symbolParams,
      body: { type: 'object', additionalProperties: false, properties: { text: textSchema, duration_ms: durationSchema } },
    },
  }, async (req) => setPhase(req.params.symbol, TradingPhase.HALTED, req.body.text ?? 'halted by admin', req.body.duration_ms));

  api.post<{ Params: { symbol: string }; Body: { text?: string } }>('/admin/instruments/:symbol/resume', {
    onRequest,
    preValidation: optionalBody,
    schema: { params: symbolParams, body: { type: 'object', additionalProperties: false, properties: { text: textSchema } } },
  }, async (req) => setPhase(req.params.symbol, TradingPhase.CONTINUOUS, req.body.text ?? 'resumed by admin', undefined));

  // ---- maker programmes: stressed-market mode ----

  api.post<{ Params: { symbol: string }; Body: { on: boolean } }>('/admin/instruments/:symbol/stress', {
    onRequest,
    schema: { params: symbolParams, body: { type: 'object', required: ['on'], additionalProperties: false, properties: { on: { type: 'boolean' } } } },
  }, async (req) => {
    const { symbol } = req.params;
    if (!exchange.instrument(symbol)) throw adminRefusal(RejectReason.UNKNOWN_SYMBOL, `unknown symbol ${symbol}`);
    if (exchange.setStress(symbol, req.body.on) !== 1) throw new HttpError(500, 'INTERNAL', 'the engine refused the stress command');
    return { symbol, stressed: req.body.on };
  });

  // ---- reference prices ----

  api.post<{ Params: { symbol: string }; Body: ReferenceBody }>('/admin/instruments/:symbol/reference', {
    onRequest,
    schema: {
      params: symbolParams,
      body: {
        type: 'object', additionalProperties: false, minProperties: 1,
        properties: {
          reference_price: { type: 'string', description: 'a decimal string in the quote currency, e.g. "100000.5"; or reference_price_units' },
          reference_price_units: { type: 'integer', minimum: 1, description: 'an integer in price units (10^-price_scale); or reference_price' },
          previous_close: { type: 'string', description: 'a decimal string in the quote currency; or previous_close_units' },
          previous_close_units: { type: 'integer', minimum: 1, description: 'an integer in price units (10^-price_scale); or previous_close' },
        },
      },
    },
  }, async (req) => {
    const { symbol } = req.params;
    const inst = exchange.instrument(symbol);
    if (!inst) throw adminRefusal(RejectReason.UNKNOWN_SYMBOL, `unknown symbol ${symbol}`);
    const b = req.body;
    const referencePrice = amount(inst, 'price', 'reference_price', b.reference_price, b.reference_price_units);
    const previousClose = amount(inst, 'price', 'previous_close', b.previous_close, b.previous_close_units);
    // 0 would read as "not given" to the engine
    const ok = referencePrice !== 0 && previousClose !== 0 && exchange.setReference({ symbol, referencePrice, previousClose }) === 1;
    if (!ok) {
      throw new HttpError(400, 'INVALID_FIELD', `the engine refused the reference prices: each must be a price of ${symbol} within [${price(inst, inst.minPrice)}, ${price(inst, inst.maxPrice)}] on its tick grid`);
    }
    const px = (v: number | undefined): string | null => (v === undefined ? null : price(inst, v));
    return { symbol, reference_price: px(referencePrice), previous_close: px(previousClose) };
  });
}
