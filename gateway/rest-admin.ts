// Admin REST behind the x-admin-token header: accounts, fee tiers, halt/resume.
import type { FastifyInstance } from 'fastify';
import type { Exchange } from './exchange.ts';
import { rejectName } from './metrics.ts';
import { HttpError, optionalBody, requireAdmin } from './rest-http.ts';
import { W_PHASE_CONTINUOUS, W_PHASE_HALTED } from './reference.ts';
import { API_KEY_RULE, isApiKey } from './config.ts';
import { RejectReason, TradingPhase } from '../engine/types.ts';

interface FeeTierBody { account_id: string | number; symbol?: string; maker_fee_bp: number; taker_fee_bp: number }

const symbolParams = { type: 'object', properties: { symbol: { type: 'string', minLength: 1 } }, required: ['symbol'] } as const;

/** An engine refusal of an admin command: unknown things are 404, bad values 400. */
function adminRefusal(reason: RejectReason, text: string): HttpError {
  const notFound = reason === RejectReason.UNKNOWN_ACCOUNT || reason === RejectReason.UNKNOWN_SYMBOL;
  return new HttpError(notFound ? 404 : 400, rejectName(reason), text);
}

export function adminRoutes(api: FastifyInstance, exchange: Exchange, adminToken: string): void {
  const onRequest = requireAdmin(adminToken);

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
        },
      },
    },
  }, async (req) => {
    const b = req.body;
    const account = Number(b.account_id);
    const r = exchange.engine.setFeeTier(account, { symbol: b.symbol, maker_fee_bp: b.maker_fee_bp, taker_fee_bp: b.taker_fee_bp });
    if (!r.ok) throw adminRefusal(r.reason, r.text);
    return { account_id: String(account), symbol: b.symbol ?? null, maker_fee_bp: b.maker_fee_bp, taker_fee_bp: b.taker_fee_bp };
  });

  const phaseRoute = (action: string, phase: TradingPhase, defaultText: string): void => {
    api.post<{ Params: { symbol: string }; Body: { text?: string } }>(`/admin/instruments/:symbol/${action}`, {
      onRequest,
      preValidation: optionalBody,
      schema: {
        params: symbolParams,
        body: { type: 'object', additionalProperties: false, properties: { text: { type: 'string', maxLength: 256 } } },
      },
    }, async (req) => {
      const { symbol } = req.params;
      if (!exchange.instrument(symbol)) throw adminRefusal(RejectReason.UNKNOWN_SYMBOL, `unknown symbol ${symbol}`);
      const changed = exchange.setPhase(symbol, phase, req.body.text ?? defaultText) === 1;
      return { symbol, trading_phase: phase === TradingPhase.HALTED ? W_PHASE_HALTED : W_PHASE_CONTINUOUS, changed };
    });
  };
  phaseRoute('halt', TradingPhase.HALTED, 'halted by admin');
  phaseRoute('resume', TradingPhase.CONTINUOUS, 'resumed by admin');
}
