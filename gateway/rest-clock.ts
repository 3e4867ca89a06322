// Admin REST for the exchange clock (sim/clock.ts): read it; pause, resume,
// set the speed, jump forward. After a change the exchange ticks at once
// (exchange-ticker.ts), so what fell due (GTD expiry, halts ending, scheduled
// phases, programme windows) applies before the answer is sent.
import type { FastifyInstance } from 'fastify';
import { ClockError, MAX_SPEED, MIN_SPEED, parseStartTime, type ExchangeClock } from '../sim/clock.ts';
import { HttpError, installErrorHandling, installValidators, requireAdmin } from './rest-http.ts';
import type { ServerContext } from './server.ts';

type ClockAction = 'pause' | 'resume' | 'speed' | 'jump';

interface ClockBody {
  action: ClockAction;
  /** action speed: exchange seconds per wall second */
  speed?: number;
  /** action jump: the target as ISO 8601, or HH:MM[:SS] = the next such time of day in the venue's time zone */
  to?: string;
  /** action jump: the target in µs since the epoch */
  to_us?: number;
  /** action jump: how far, ms */
  by_ms?: number;
}

const US_PER_DAY = 86_400_000_000;

const clockBodySchema = {
  type: 'object', required: ['action'], additionalProperties: false,
  properties: {
    action: { enum: ['pause', 'resume', 'speed', 'jump'] },
    speed: { type: 'number' },
    to: { type: 'string', maxLength: 64 },
    to_us: { type: 'integer', minimum: 0 },
    by_ms: { type: 'integer', minimum: 0 },
  },
} as const;

/** The clock's state with the venue's time zone. */
function clockAnswer(clock: ExchangeClock, timeZone: string): Record<string, unknown> {
  return { ...clock.state(), time_zone: timeZone, min_speed: MIN_SPEED, max_speed: MAX_SPEED };
}

/** A jump's target from exactly one of to, to_us, by_ms. */
function jumpTarget(b: ClockBody, clock: ExchangeClock, timeZone: string): number {
  const given = [b.to, b.to_us, b.by_ms].filter((x) => x !== undefined).length;
  if (given !== 1) throw new HttpError(400, 'INVALID_FIELD', 'jump needs exactly one of to (ISO 8601 or HH:MM), to_us (µs since the epoch), by_ms');
  const now = clock.now();
  if (b.by_ms !== undefined) return now + b.by_ms * 1000;
  if (b.to_us !== undefined) return b.to_us;
  const to = b.to as string;
  const t = parseStartTime(to, timeZone, now);
  // a time of day means its next occurrence in exchange time
  return /^\d{2}:\d{2}(:\d{2})?$/.test(to) && t < now ? t + US_PER_DAY * Math.ceil((now - t) / US_PER_DAY) : t;
}

function applyClockAction(clock: ExchangeClock, b: ClockBody, timeZone: string): void {
  if (b.action !== 'speed' && b.speed !== undefined) throw new HttpError(400, 'INVALID_FIELD', `speed: only with action speed`);
  if (b.action !== 'jump' && (b.to ?? b.to_us ?? b.by_ms) !== undefined) throw new HttpError(400, 'INVALID_FIELD', 'to, to_us, by_ms: only with action jump');
  switch (b.action) {
    case 'pause': return clock.pause();
    case 'resume': return clock.resume();
    case 'speed':
      if (b.speed === undefined) throw new HttpError(400, 'INVALID_FIELD', `speed: required for action speed (${MIN_SPEED} to ${MAX_SPEED})`);
      return clock.setSpeed(b.speed);
    case 'jump': return clock.jumpTo(jumpTarget(b, clock, timeZone));
  }
}

/** Every answer of the scope carries the exchange time it was sent at (µs since the epoch) in x-exchange-time. */
export function exchangeTimeHeader(api: FastifyInstance, clock: ExchangeClock): void {
  api.addHook('onSend', (_req, reply, payload, done) => {
    reply.header('x-exchange-time', String(clock.now()));
    done(null, payload);
  });
}

export function clockRoutes(api: FastifyInstance, clock: ExchangeClock, timeZone: string, adminToken: string): void {
  const onRequest = requireAdmin(adminToken);

  api.get('/admin/clock', { onRequest }, async () => clockAnswer(clock, timeZone));

  api.post<{ Body: ClockBody }>('/admin/clock', { onRequest, schema: { body: clockBodySchema } }, async (req) => {
    try {
      applyClockAction(clock, req.body, timeZone);
    } catch (e) {
      if (e instanceof ClockError) throw new HttpError(400, e.code, e.message);
      throw e;
    }
    return clockAnswer(clock, timeZone);
  });
}

/** A server part's routes under /api/v1, as REST's own: strict validation, the error shape, the exchange-time header (rest.ts answers the 404s). */
export function registerApiRoutes(ctx: ServerContext, routes: (api: FastifyInstance) => void): void {
  void ctx.app.register(async (api) => {
    installValidators(api);
    installErrorHandling(api, false);
    exchangeTimeHeader(api, ctx.clock);
    routes(api);
  }, { prefix: '/api/v1' });
}
