// REST plumbing shared by every /api/v1 route: the error shape, validation,
// authentication. Every failure leaves as JSON {code, message, ...} with a
// 4xx/5xx status; nothing a client sends can crash the server.
import { createHash, timingSafeEqual } from 'node:crypto';
import { Ajv, type ValidateFunction } from 'ajv';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { AccountInfo, Exchange } from './exchange.ts';
import { authenticateFrom } from './auth-throttle.ts';

/** A failure a handler throws; the scope's error handler renders it. */
export class HttpError extends Error {
  constructor(
    readonly status: number, readonly code: string, message: string, readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Fastify's own client errors, by their code, in this API's words. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
};

interface AjvIssue {
  keyword: string; instancePath: string; message?: string; params: Record<string, unknown>;
  /** with Ajv's `verbose`: the schema object the failing keyword belongs to */
  parentSchema?: { description?: string; properties?: Record<string, { description?: string }> };
}

/**
 * A schema failure in the wire's words: the field and what it must be — the
 * property's `description` in the route's schema says that (units included).
 */
function validationError(e: FastifyError & { validation?: AjvIssue[]; validationContext?: string }): HttpError {
  const first = e.validation?.[0];
  if (!first) return new HttpError(400, 'INVALID_REQUEST', e.message);
  if (first.keyword === 'additionalProperties') {
    const field = String(first.params.additionalProperty);
    return new HttpError(400, 'INVALID_REQUEST', `${e.validationContext}: unknown field '${field}'`, { field });
  }
  const missing = first.keyword === 'required' ? String(first.params.missingProperty) : undefined;
  const field = missing ?? first.instancePath.split('/').filter(Boolean).join('.');
  const hint = missing !== undefined ? first.parentSchema?.properties?.[missing]?.description : first.parentSchema?.description;
  if (!field || !hint) return new HttpError(400, 'INVALID_REQUEST', e.message, field ? { field } : {});
  return new HttpError(400, 'INVALID_REQUEST', `${e.validationContext}: ${field}${missing ? ' is required' : ''}: ${hint}`, { field });
}

/** The one body type the API reads. */
export const JSON_TYPE = 'application/json';

/** Renders thrown HttpErrors, schema failures and fastify's parse errors; anything else is a 500 (logged). `notFound`: also the prefix's 404 (once per prefix). */
export function installErrorHandling(scope: FastifyInstance, notFound = true): void {
  // only JSON bodies: without this a text/plain body would reach the schema as a string
  scope.removeContentTypeParser('text/plain');
  scope.setErrorHandler((err: FastifyError | HttpError, req, reply) => {
    if ('validation' in err && err.validation) err = validationError(err);
    if (err instanceof HttpError) return reply.code(err.status).headers(err.headers).send({ code: err.code, message: err.message, ...err.extra });
    const status = err.statusCode ?? 500;
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      const given = req.headers['content-type'];
      return reply.code(415).send({
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: `the body must be JSON sent with the header "content-type: ${JSON_TYPE}" (got ${given ? `"${given}"` : 'no content-type'})`,
      });
    }
    if (status >= 400 && status < 500) return reply.code(status).send({ code: FASTIFY_CODES[err.code] ?? 'BAD_REQUEST', message: err.message });
    req.log.error(err);
    return reply.code(500).send({ code: 'INTERNAL', message: 'internal error' });
  });
  if (notFound) scope.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({ code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` });
  });
}

/**
 * Bodies are validated strictly: fastify's default Ajv coerces types, which
 * would turn `"price": true` into 1 and `"side": "1"` into 1 — a bot with such
 * a bug should hear about it. URL parts are strings by nature, so params and
 * querystrings keep coercion ("?levels=10" → 10).
 */
export function installValidators(scope: FastifyInstance): void {
  // verbose: a failure carries its schema, whose description words the error (validationError)
  const strict = new Ajv({ coerceTypes: false, useDefaults: true, allErrors: false, verbose: true, allowUnionTypes: true });
  const coercing = new Ajv({ coerceTypes: true, useDefaults: true, allErrors: false, verbose: true, allowUnionTypes: true });
  scope.setValidatorCompiler(({ schema, httpPart }) => {
    if (httpPart === 'body') return strict.compile(schema as object);
    return integerStrings(schema as JsonSchema, coercing.compile(schema as object));
  });
}

interface JsonSchema { type?: string; properties?: Record<string, JsonSchema> }

/** A decimal integer of at most 15 digits: always a safe integer. */
const INTEGER_TEXT = /^-?\d{1,15}$/;

/**
 * Ajv's coercion reads an integer parameter as Number() does: "Infinity",
 * "1e3", "0x10", " 5" and 400 nines (→ Infinity) all pass. URL integers must
 * be plain decimal digits, checked before coercion.
 */
function integerStrings(schema: JsonSchema, validate: ValidateFunction): ValidateFunction {
  const integers = Object.entries(schema.properties ?? {}).filter(([, p]) => p.type === 'integer').map(([name]) => name);
  if (integers.length === 0) return validate;
  const check = ((data: Record<string, unknown> | null, ...rest: unknown[]) => {
    for (const name of integers) {
      const v = data?.[name];
      if (typeof v === 'string' && !INTEGER_TEXT.test(v)) {
        check.errors = [{ keyword: 'type', instancePath: `/${name}`, schemaPath: '', params: { type: 'integer' }, message: 'must be a decimal integer of at most 15 digits' }];
        return false;
      }
    }
    const ok = (validate as (...a: unknown[]) => boolean)(data, ...rest);
    check.errors = validate.errors;
    return ok;
  }) as ValidateFunction;
  return check;
}

const accounts = new WeakMap<FastifyRequest, AccountInfo>();

/** onRequest hook: the x-api-key header must name an account (before the body is even parsed). */
export function requireAccount(exchange: Exchange): onRequestHookHandler {
  return (req, _reply, done) => {
    const r = authenticateFrom(exchange, req.headers['x-api-key'], req.ip);
    if (r === null) return done(new HttpError(401, 'UNAUTHORIZED', 'missing or unknown x-api-key header'));
    if ('retryAfterMs' in r) {
      const s = Math.ceil(r.retryAfterMs / 1000);
      return done(new HttpError(429, 'AUTH_BLOCKED', `too many failed authentications from this address; retry in ${s} s`, {}, { 'retry-after': String(s) }));
    }
    accounts.set(req, r.account);
    done();
  };
}

/** The account requireAccount authenticated. */
export function accountOf(req: FastifyRequest): AccountInfo {
  const a = accounts.get(req);
  if (!a) throw new HttpError(401, 'UNAUTHORIZED', 'missing or unknown x-api-key header');
  return a;
}

/** onRequest hook: the x-admin-token header must equal the server's admin token (compared in constant time). */
export function requireAdmin(adminToken: string): onRequestHookHandler {
  const expected = digest(adminToken);
  return (req, _reply, done) => {
    const given = req.headers['x-admin-token'];
    const ok = typeof given === 'string' && timingSafeEqual(digest(given), expected);
    done(ok ? undefined : new HttpError(401, 'UNAUTHORIZED', 'missing or wrong x-admin-token header'));
  };
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * onRequest hook for what the venue sees whole and an account sees its own
 * part of: with an x-admin-token header it must be the admin's, else x-api-key
 * must name an account (accountOrAdmin tells which).
 */
export function requireAdminOrAccount(exchange: Exchange, adminToken: string): onRequestHookHandler {
  const admin = requireAdmin(adminToken);
  const account = requireAccount(exchange);
  return function (this: unknown, req, reply, done) {
    return (req.headers['x-admin-token'] !== undefined ? admin : account).call(this as never, req, reply, done);
  };
}

/** Under requireAdminOrAccount: the account, or null for the admin. */
export function accountOrAdmin(req: FastifyRequest): AccountInfo | null {
  return accounts.get(req) ?? null;
}

/** preValidation hook for routes whose JSON body is optional: no body reads as {}. */
export function optionalBody(req: FastifyRequest, _reply: FastifyReply, done: () => void): void {
  req.body ??= {};
  done();
}
