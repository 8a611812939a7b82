/**
 * @module app
 * The Hono application: one route per operation of the bundled spec, each
 * going through authentication (as the operation's `security` says), rate
 * limiting, request validation against the spec, and its typed handler.
 */
import { Hono, type Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Ctx, Handlers, OpId, ServerEnv } from './context.js';
import { bodyTooLarge, declaresTooLarge, readBodyText, unsupportedEncoding } from './http/body.js';
import { parseExactJson } from './http/exact-json.js';
import { RawJson } from './http/raw-json.js';
import { HttpError } from './http/http-error.js';
import { rateLimitHeaders, type Bucket, type Hit, type RateDecision, type RateLimiter } from './http/rate-limit.js';
import type { Tenant } from './domain/store.js';
import type { Contract, Operation } from './http/validate.js';
import { ContractValidator, recordedResponse } from '../http/contract.js';
import type { GrantClaims } from './domain/keys.js';
import { countUsage } from './routes/usage.js';
import { validatedView } from './routes/request-limits.js';

/** How the app reports what it sees; all optional. */
export interface AppHooks {
  /** Called with every contract violation of an outgoing response (when response validation is on). */
  onViolation?: (violation: string) => void;
  /** Called with unexpected handler errors (500s). */
  onError?: (error: unknown) => void;
}

const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const SCIM_TYPES: Record<number, string> = {
  400: 'invalidValue',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'noTarget',
  409: 'uniqueness',
};

// Route-specific buckets. Authenticated calls also count against their developer's `default`; other public calls against `public` (see `limit`).
const BUCKETS: Partial<Record<OpId, Bucket>> = {
  signup: 'signup',
  authorize: 'authorize',
  tokensExchange: 'token',
  tokensRefresh: 'token',
};
const BUCKET_CODES: Partial<Record<Bucket, string>> = { authorize: 'RATE_LIMITED' };

// Each handler is typed per operation in routes/; here they are called alike.
type LooseHandler = (ctx: Ctx<OpId>) => LooseReply | Promise<LooseReply>;
interface LooseReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Caller {
  tenant: Tenant | undefined;
  key: string;
}

/** Builds the app for one server. */
export function createApp(
  env: ServerEnv,
  contract: Contract,
  handlers: Handlers,
  limiter: RateLimiter,
  hooks: AppHooks & { validateResponses?: boolean },
  extraRoutes: (app: Hono) => void = () => {},
): Hono {
  const app = new Hono();
  extraRoutes(app);
  for (const operation of contract.operations) {
    const handler = handlers[operation.operationId as OpId] as unknown as LooseHandler | undefined;
    if (handler === undefined) throw new Error(`No handler for operation ${operation.operationId}`);
    app.on(operation.method.toUpperCase(), operation.routePath, async (c) => {
      const requestId = crypto.randomUUID();
      let rate: RateDecision | undefined;
      let response: Response;
      try {
        // Before any other work, so an oversized body costs nothing, with or without a key.
        if (takesBody(contract, operation) && declaresTooLarge(c, env.settings.maxBodyBytes))
          throw bodyTooLarge(env.settings.maxBodyBytes);
        const encoding = takesBody(contract, operation) ? unsupportedEncoding(c) : undefined;
        if (encoding !== undefined) throw encoding;
        let caller: Caller;
        let grant: GrantClaims | undefined;
        try {
          if (operation.security === 'grantToken') ({ caller, grant } = await authenticateGrant(env, c));
          else caller = authenticate(env, operation, c);
        } catch (error) {
          // Refused before a developer was known (401): it counts against the caller's address.
          if (operation.operationId !== 'jwks') rate = limiter.hit('public', `ip:${clientAddress(c)}`);
          throw error;
        }
        rate = limit(limiter, operation, caller, c);
        const ctx = await buildCtx(env, contract, operation, c, caller.tenant, requestId);
        ctx.header = (name) => c.req.header(name);
        if (grant !== undefined) ctx.grant = grant;
        const reply = await handler(ctx);
        countUsage(env, caller.tenant, operation.operationId, reply.status);
        response = render(contract, operation, reply.status, reply.body, {
          ...(rate ? rateLimitHeaders(rate) : {}),
          ...reply.headers,
        });
      } catch (error) {
        response = renderError(operation, error, requestId, rate, hooks);
      }
      response.headers.set('x-request-id', requestId);
      if (hooks.validateResponses === true) await check(operation, response, hooks);
      return response;
    });
  }
  // Routes outside the spec (pages, test IdP) throw HttpErrors too; they answer in the error shape.
  app.onError((error) => {
    if (!(error instanceof HttpError)) hooks.onError?.(error);
    const http =
      error instanceof HttpError ? error : new HttpError(500, 'INTERNAL_ERROR', 'An unexpected error occurred');
    return Response.json(
      { message: http.message, code: http.code, requestId: crypto.randomUUID() },
      { status: http.status, headers: http.headers },
    );
  });
  app.notFound((c) =>
    Response.json(
      {
        message: `Route ${c.req.method}:${new URL(c.req.url).pathname} not found`,
        code: 'NOT_FOUND',
        requestId: crypto.randomUUID(),
      },
      { status: 404 },
    ),
  );
  return app;
}

function bearer(c: Context): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '');
  return match?.[1];
}

function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** An agent's grant token as the credential: signed by this server, unexpired, and not revoked. */
async function authenticateGrant(env: ServerEnv, c: Context): Promise<{ caller: Caller; grant: GrantClaims }> {
  const token = bearer(c);
  if (token === undefined) throw new HttpError(401, 'UNAUTHORIZED', 'Missing grant token');
  const nowMs = env.now();
  const claims = await env.signer.verify(token, nowMs);
  const tenant = claims === undefined ? undefined : env.store.tenant(claims.dev);
  const record = claims === undefined ? undefined : tenant?.tokens.get(claims.jti);
  const grant = claims === undefined ? undefined : tenant?.grants.get(claims.grnt);
  if (claims === undefined || tenant === undefined || record?.revoked !== false || grant?.status !== 'active')
    throw new HttpError(401, 'UNAUTHORIZED', 'Invalid or expired grant token');
  env.store.touch(tenant.developer.id);
  return { caller: { tenant, key: `dev:${tenant.developer.id}` }, grant: claims };
}

function authenticate(env: ServerEnv, operation: Operation, c: Context): Caller {
  if (operation.security === 'none') return { tenant: undefined, key: `ip:${clientAddress(c)}` };
  const token = bearer(c);
  if (operation.security === 'scimToken') {
    if (token === undefined) throw new HttpError(401, 'UNAUTHORIZED', 'Missing or invalid Bearer token');
    const tenant =
      env.store.tenantByScimToken(token) ??
      (env.faults.has('scim-accepts-api-key') ? env.store.tenantByApiKey(token) : undefined);
    if (tenant === undefined) throw new HttpError(401, 'UNAUTHORIZED', 'Invalid SCIM token');
    const record = [...tenant.scimTokens.values()].find((t) => t.token === token);
    if (record !== undefined) record.lastUsedAt = new Date(env.now()).toISOString();
    return { tenant, key: `dev:${tenant.developer.id}` };
  }
  if (token === undefined) throw new HttpError(401, 'UNAUTHORIZED', 'Missing or invalid Authorization header');
  const tenant = env.store.tenantByApiKey(token);
  if (tenant === undefined) throw new HttpError(401, 'UNAUTHORIZED', 'Invalid API key');
  return { tenant, key: `dev:${tenant.developer.id}` };
}

/**
 * Counts the request against the buckets that govern it: its route's own
 * bucket (signup, authorize, token) and, for an authenticated call, its
 * developer's `default` bucket; other public calls count against `public`.
 * A refused request is counted nowhere.
 */
function limit(limiter: RateLimiter, operation: Operation, caller: Caller, c: Context): RateDecision | undefined {
  if (operation.operationId === 'jwks') return undefined; // never rate-limited
  const specific = BUCKETS[operation.operationId as OpId];
  const hits: Hit[] = [];
  if (caller.tenant !== undefined) hits.push({ bucket: 'default', key: caller.key });
  else if (specific === undefined) hits.push({ bucket: 'public', key: caller.key });
  if (specific !== undefined) {
    // As documented: authorize counts per developer; token exchange/refresh and signup per client address.
    const perDeveloper = specific === 'authorize' && caller.tenant !== undefined;
    hits.push({ bucket: specific, key: perDeveloper ? caller.key : `ip:${clientAddress(c)}` });
  }
  const { decisions, refused } = limiter.take(hits);
  if (refused !== undefined) {
    throw new HttpError(
      429,
      BUCKET_CODES[refused.bucket] ?? 'RATE_LIMIT_EXCEEDED',
      `Rate limit exceeded, retry in ${refused.decision.resetSeconds} seconds`,
      rateLimitHeaders(refused.decision),
    );
  }
  return decisions.at(-1);
}

const JSON_TYPE = /^application\/json\s*(;|$)/i;

function takesBody(contract: Contract, operation: Operation): boolean {
  return contract.requestBody(operation.operationId) !== undefined;
}

async function readBody(env: ServerEnv, contract: Contract, operation: Operation, c: Context): Promise<unknown> {
  const spec = contract.requestBody(operation.operationId);
  if (spec === undefined) return undefined; // operations without a body ignore whatever was sent
  const contentType = c.req.header('content-type') ?? '';
  const text = await readBodyText(c, env.settings.maxBodyBytes);
  if (text.length === 0 && contentType === '') {
    if (spec.required) throw new HttpError(400, 'BAD_REQUEST', 'A JSON request body is required');
    return undefined;
  }
  if (!JSON_TYPE.test(contentType)) {
    const documents415 = contract.documents(operation.operationId, 415);
    throw new HttpError(
      documents415 ? 415 : 400,
      'BAD_REQUEST',
      documents415 ? 'Unsupported Media Type' : 'Content-Type must be application/json',
    );
  }
  if (text.trim().length === 0)
    throw new HttpError(400, 'BAD_REQUEST', "Body cannot be empty when content-type is set to 'application/json'");
  try {
    return parseExactJson(text);
  } catch {
    throw new HttpError(400, 'BAD_REQUEST', "Body is not valid JSON but content-type is set to 'application/json'");
  }
}

async function buildCtx(
  env: ServerEnv,
  contract: Contract,
  operation: Operation,
  c: Context,
  tenant: Tenant | undefined,
  requestId: string,
): Promise<Ctx<OpId>> {
  const url = new URL(c.req.url);
  const params = c.req.param() as Record<string, string>;
  const checked = contract.validateParameters(operation.operationId, params, url.searchParams);
  if (checked.message !== undefined) {
    // An id of the wrong form names nothing: 404 where the operation documents it, like any unknown id.
    const badId = checked.message.startsWith('path') && contract.documents(operation.operationId, 404);
    throw scimAware(
      operation,
      badId ? new HttpError(404, 'NOT_FOUND', 'Not found') : new HttpError(400, 'BAD_REQUEST', checked.message),
    );
  }
  const body = await readBody(env, contract, operation, c);
  if (body !== undefined) {
    const problem = contract.validateBody(
      operation.operationId,
      validatedView(env.faults, operation.operationId, body),
    );
    if (problem !== undefined && env.faults.has('undocumented-status') && operation.operationId === 'policiesCreate')
      throw new HttpError(422, 'UNPROCESSABLE_ENTITY', problem);
    if (problem !== undefined) throw scimAware(operation, new HttpError(400, 'BAD_REQUEST', problem));
  }
  return {
    env,
    get tenant(): Tenant {
      if (tenant === undefined) throw new HttpError(401, 'UNAUTHORIZED', 'Missing or invalid Authorization header');
      return tenant;
    },
    params: params as never,
    query: checked.query as never,
    body: body as never,
    requestId,
    bearer: bearer(c),
  };
}

// Marks an error raised for a SCIM 2.0 route so it renders as a SCIM error body.
function scimAware(operation: Operation, error: HttpError): HttpError {
  if (operation.security === 'scimToken') error.scim = true;
  return error;
}

function contentTypeOf(contract: Contract, operation: Operation, status: number): string {
  const responses = contract.operation(operation.operationId)['responses'] as Record<string, unknown>;
  const doc = responses[String(status)] as { content?: Record<string, unknown> } | undefined;
  const type = Object.keys(doc?.content ?? {})[0] ?? 'application/json';
  return `${type}; charset=utf-8`;
}

function render(
  contract: Contract,
  operation: Operation,
  status: number,
  body: unknown,
  headers: Record<string, string>,
): Response {
  const out = new Headers(headers);
  if (body === undefined) return new Response(null, { status, headers: out });
  if (body instanceof ReadableStream) {
    out.set('content-type', contentTypeOf(contract, operation, status));
    return new Response(body, { status, headers: out });
  }
  out.set('content-type', contentTypeOf(contract, operation, status));
  return new Response(body instanceof RawJson ? body.text : JSON.stringify(body), { status, headers: out });
}

function renderError(
  operation: Operation,
  error: unknown,
  requestId: string,
  rate: RateDecision | undefined,
  hooks: AppHooks,
): Response {
  const http = error instanceof HttpError ? error : undefined;
  if (http === undefined) hooks.onError?.(error);
  const status = http?.status ?? 500;
  const headers = new Headers({
    ...(rate ? rateLimitHeaders(rate) : {}),
    ...http?.headers,
    'content-type': 'application/json; charset=utf-8',
  });
  const scim = operation.security === 'scimToken' && (http?.scim === true || status === 401 || status === 404);
  const body =
    http?.body !== undefined
      ? http.body
      : scim
        ? {
            schemas: [SCIM_ERROR],
            detail: http?.message ?? 'Internal error',
            scimType: SCIM_TYPES[status] ?? 'invalidValue',
            status,
          }
        : { message: http?.message ?? 'An unexpected error occurred', code: http?.code ?? 'INTERNAL_ERROR', requestId };
  return new Response(JSON.stringify(body), { status, headers });
}

/** Reports every way `response` breaks the spec, with the conformance suite's own validator. */
async function check(operation: Operation, response: Response, hooks: AppHooks): Promise<void> {
  // An event stream does not end: its framing is checked by the suite's event-stream checks instead.
  if (/^text\/event-stream/.test(response.headers.get('content-type') ?? '')) return;
  const recorded = recordedResponse(response.status, response.headers, await response.clone().text());
  const problems = ContractValidator.bundled().validateResponse(operation.operationId, recorded, {
    requireHeaders: true,
  });
  for (const problem of problems) hooks.onViolation?.(`${operation.operationId} ${response.status}: ${problem}`);
}
