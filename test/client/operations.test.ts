// Every operation of the spec is reachable through a client method named after
// its operationId, and that method sends the operation's method and path.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Grantex, GrantexApiError } from '../../src/index.js';
import { calls, exampleToken, NOT_PROMISE_CALLS, sessionToken } from './fixtures.js';

interface Operation {
  operationId: string;
  method: string;
  path: string;
}

const spec = JSON.parse(readFileSync(new URL('../../generated/openapi.json', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, { operationId?: string }>>;
};
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const allOperations: Operation[] = Object.entries(spec.paths).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([method]) => METHODS.includes(method))
    .map(([method, op]) => ({
      operationId: op.operationId ?? `(none: ${method} ${path})`,
      method: method.toUpperCase(),
      path,
    })),
);

// Operations reached otherwise than by a promise-returning method (see NOT_PROMISE_CALLS).
const operations = allOperations.filter((op) => !(op.operationId in NOT_PROMISE_CALLS));

/** `tokensExchange` → ['tokens', 'exchange']; `health` → ['health']. */
function methodPath(operationId: string): string[] {
  const match = /^([a-z]+)([A-Z]\w*)?$/.exec(operationId);
  if (match === null) throw new Error(`operationId ${operationId} is not camelCase`);
  const [, head = '', tail] = match;
  return tail === undefined ? [head] : [head, tail[0]!.toLowerCase() + tail.slice(1)];
}

function lookup(root: object, path: string[]): unknown {
  let value: unknown = root;
  for (const key of path) {
    const container = (typeof value === 'object' && value !== null) || typeof value === 'function';
    value = container ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value;
}

function recordingClient() {
  const sent: Request[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    sent.push(new Request(input, init));
    return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
  };
  const base = { baseUrl: 'http://grantex.test/base', fetch };
  const client = new Grantex({ ...base, apiKey: 'gx_test_key', scimToken: 'scim_token' });
  return { client, base, sent };
}

const templateRegExp = (path: string) =>
  new RegExp(`^/base${path.replace(/\{[^}]+\}/g, '[^/]+').replace(/\./g, '\\.')}$`);

describe('operation coverage', () => {
  it('the spec has operations, each with a unique operationId', () => {
    expect(allOperations.length).toBeGreaterThan(100);
    expect(new Set(allOperations.map((op) => op.operationId)).size).toBe(allOperations.length);
    for (const id of Object.keys(NOT_PROMISE_CALLS))
      expect(allOperations.some((op) => op.operationId === id)).toBe(true);
  });

  it.each(operations)('$operationId is a client method', ({ operationId }) => {
    const { client } = recordingClient();
    const path = methodPath(operationId);
    // Top-level operations live on the instance, or on the class when they need no key (signup).
    const method = path.length === 1 ? (lookup(client, path) ?? lookup(Grantex, path)) : lookup(client, path);
    expect(typeof method, `client.${path.join('.')}`).toBe('function');
  });

  it('the fixtures cover exactly the spec operations', () => {
    expect(Object.keys(calls).sort()).toEqual(operations.map((op) => op.operationId).sort());
  });

  it.each(operations)(
    '$operationId sends $method $path with the right credential',
    async ({ operationId, method, path }) => {
      const { client, base, sent } = recordingClient();
      const call = calls[operationId];
      expect(call, `fixture for ${operationId}`).toBeDefined();
      // The recorded answer ({}) lacks the fields most responses require: only the request matters here.
      await call!(client, base).catch((error: unknown) => {
        if (!(error instanceof GrantexApiError && error.code === 'INVALID_RESPONSE')) throw error;
      });
      expect(sent).toHaveLength(1);
      const request = sent[0]!;
      expect(request.method).toBe(method);
      expect(new URL(request.url).pathname).toMatch(templateRegExp(path));
      const expected = path.startsWith('/scim/v2/Users')
        ? 'Bearer scim_token'
        : path.startsWith('/v1/principal/')
          ? `Bearer ${sessionToken}`
          : operationId === 'signup'
            ? null
            : operationId === 'vaultExchange'
              ? `Bearer ${exampleToken}`
              : 'Bearer gx_test_key';
      expect(request.headers.get('authorization')).toBe(expected);
      expect(request.headers.get('user-agent')).toMatch(/^grantex-ts\/\d+\.\d+\.\d+/);
    },
  );
});
