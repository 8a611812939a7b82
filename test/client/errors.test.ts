// Non-2xx answers become typed errors carrying what the server said; bodies
// that are not JSON still give a useful error.
import { afterEach, describe, expect, it } from 'vitest';
import {
  Grantex,
  GrantexApiError,
  GrantexAuthError,
  GrantexAuthenticationError,
  GrantexBadRequestError,
  GrantexConflictError,
  GrantexError,
  GrantexInternalServerError,
  GrantexNotFoundError,
  GrantexPermissionDeniedError,
  GrantexRateLimitError,
  GrantexUnprocessableEntityError,
  GrantexValidationError,
} from '../../src/index.js';
import { startFakeServer, type FakeServer, type Reply } from './fake-server.js';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function failWith(reply: Reply): Promise<GrantexApiError> {
  server = await startFakeServer(() => reply);
  const client = new Grantex({ apiKey: 'gx_test_key', baseUrl: server.url, maxRetries: 0, logLevel: 'off' });
  const error = await client.agents.get('ag_1').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(GrantexApiError);
  expect(error).toBeInstanceOf(GrantexError);
  return error as GrantexApiError;
}

const rateHeaders = { 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '42' };

describe('API errors', () => {
  it.each([
    [400, GrantexBadRequestError, 'BAD_REQUEST'],
    [401, GrantexAuthenticationError, 'UNAUTHORIZED'],
    [403, GrantexPermissionDeniedError, 'FORBIDDEN'],
    [404, GrantexNotFoundError, 'NOT_FOUND'],
    [409, GrantexConflictError, 'CONFLICT'],
    [422, GrantexUnprocessableEntityError, 'UNPROCESSABLE'],
    [429, GrantexRateLimitError, 'RATE_LIMIT_EXCEEDED'],
    [500, GrantexInternalServerError, 'INTERNAL_ERROR'],
    [503, GrantexInternalServerError, 'SERVICE_UNAVAILABLE'],
  ] as const)('%i becomes %o with the server fields', async (status, type, code) => {
    const error = await failWith({
      status,
      headers: { ...rateHeaders, 'retry-after': '7' },
      body: { message: `failed with ${status}`, code, requestId: 'req-123' },
    });
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({
      statusCode: status,
      code,
      serverMessage: `failed with ${status}`,
      method: 'GET',
      path: '/v1/agents/{agentId}',
      requestId: 'req-123',
      body: { message: `failed with ${status}`, code, requestId: 'req-123' },
      rateLimit: { limit: 100, remaining: 0, reset: 42 },
    });
    expect(error.headers.get('x-ratelimit-reset')).toBe('42');
  });

  it('401 and 403 share the parent GrantexAuthError; the deprecated GrantexValidationError is the 422 class', async () => {
    for (const status of [401, 403]) {
      const error = await failWith({ status, body: { message: 'no', code: 'X', requestId: 'r' } });
      expect(error).toBeInstanceOf(GrantexAuthError);
    }
    expect(GrantexValidationError).toBe(GrantexUnprocessableEntityError);
    const error = await failWith({ status: 422, body: { message: 'no', code: 'X', requestId: 'r' } });
    expect(error).toBeInstanceOf(GrantexValidationError);
    const other = await failWith({ status: 400, body: { message: 'no', code: 'X', requestId: 'r' } });
    expect(other).not.toBeInstanceOf(GrantexAuthError);
  });

  it('a SCIM error body maps by status too', async () => {
    const error = await failWith({
      status: 409,
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        detail: 'userName taken',
        scimType: 'uniqueness',
        status: '409',
      },
    });
    expect(error).toBeInstanceOf(GrantexConflictError);
    expect(error).toMatchObject({ serverMessage: 'userName taken', code: 'uniqueness' });
  });

  it('a 429 carries retryAfter in seconds', async () => {
    const error = await failWith({
      status: 429,
      headers: { 'retry-after': '12' },
      body: { message: 'slow', code: 'RATE_LIMIT_EXCEEDED', requestId: 'r' },
    });
    expect((error as GrantexRateLimitError).retryAfter).toBe(12);
  });

  it('other statuses are a plain GrantexApiError', async () => {
    const error = await failWith({
      status: 402,
      body: { message: 'Plan limit reached', code: 'PLAN_LIMIT_EXCEEDED', requestId: 'r' },
    });
    expect(error.constructor).toBe(GrantexApiError);
    expect(error).toMatchObject({ statusCode: 402, code: 'PLAN_LIMIT_EXCEEDED', rateLimit: undefined });
  });

  it('a non-JSON error body still gives status, code and an excerpt', async () => {
    const html = '<html><body><h1>502 Bad Gateway</h1>\n<p>nginx</p></body></html>';
    const error = await failWith({ status: 500, headers: { 'content-type': 'text/html' }, body: html });
    expect(error).toBeInstanceOf(GrantexInternalServerError);
    expect(error).toMatchObject({ statusCode: 500, code: 'HTTP_500', requestId: undefined, body: html });
    expect(error.message).toBe(
      '500 GET /v1/agents/{agentId}: <html><body><h1>502 Bad Gateway</h1> <p>nginx</p></body></html>',
    );
  });

  it('an empty error body gives the status text', async () => {
    const error = await failWith({ status: 500 });
    expect(error.message).toBe('500 GET /v1/agents/{agentId}: Internal Server Error');
    expect(error.code).toBe('HTTP_500');
  });

  it('a SCIM error body gives its detail and scimType', async () => {
    const error = await failWith({
      status: 404,
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        detail: 'User not found',
        scimType: 'noTarget',
        status: 404,
      },
    });
    expect(error).toBeInstanceOf(GrantexNotFoundError);
    expect(error).toMatchObject({ serverMessage: 'User not found', code: 'noTarget' });
  });

  it('a long text body is cut to an excerpt in the message but kept whole in body', async () => {
    const text = 'x'.repeat(5000);
    const error = await failWith({ status: 503, headers: { 'content-type': 'text/plain' }, body: text });
    expect(error.message.length).toBeLessThan(300);
    expect(error.body).toBe(text);
  });

  it('a 2xx whose JSON body is malformed is an INVALID_RESPONSE error, not a crash', async () => {
    server = await startFakeServer(() => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"agentId": ',
    }));
    const client = new Grantex({ apiKey: 'k', baseUrl: server.url });
    const error = await client.agents.get('ag_1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrantexApiError);
    expect(error).toMatchObject({ statusCode: 200, code: 'INVALID_RESPONSE', body: '{"agentId": ' });
  });

  it('errors have stable names for logs', async () => {
    const error = await failWith({
      status: 404,
      body: { message: 'Agent not found', code: 'NOT_FOUND', requestId: 'req_7Qx' },
    });
    expect(error.name).toBe('GrantexNotFoundError');
    expect(String(error)).toBe(
      'GrantexNotFoundError: 404 GET /v1/agents/{agentId}: Agent not found (request id req_7Qx)',
    );
  });

  it('String(error) has the status, method, path template, request id, message and what to do', async () => {
    const error = await failWith({
      status: 401,
      headers: { 'x-request-id': 'req_header' },
      body: { message: 'Missing or invalid Authorization header', code: 'UNAUTHORIZED', requestId: 'req_9' },
    });
    const text = String(error);
    expect(text).toMatch(/^GrantexAuthenticationError: 401 GET \/v1\/agents\/\{agentId\}: /);
    expect(text).toContain('Missing or invalid Authorization header');
    expect(text).toContain('(request id req_9)');
    expect(text).toContain('GRANTEX_API_KEY');
    // The path is the template: the id the caller passed is not in it.
    expect(text).not.toContain('ag_1');
    const limited = await failWith({
      status: 429,
      body: { message: 'slow down', code: 'RATE_LIMIT_EXCEEDED', requestId: 'req_8' },
    });
    expect(String(limited)).toMatch(
      /^GrantexRateLimitError: 429 GET .*slow down \(request id req_8\); rate limited: wait/,
    );
  });

  it('a 2xx the client cannot use names the request too', async () => {
    server = await startFakeServer(() => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{}',
    }));
    const client = new Grantex({ apiKey: 'k', baseUrl: server.url, logLevel: 'off' });
    const error = await client.agents.get('ag_1').catch((e: unknown) => e);
    expect(String(error)).toMatch(
      /^GrantexApiError: GET \/v1\/agents\/\{agentId\}: The server answered 200 with a body/,
    );
  });
});
