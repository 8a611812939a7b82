// The Prism mock serves the bundled spec and enforces it on requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../scripts/mock.js';

let mock: MockServer;
const auth = { authorization: 'Bearer gx_test_0123456789abcdef0123' };
const json = { ...auth, 'content-type': 'application/json' };

beforeAll(async () => {
  mock = await startMock();
});
afterAll(async () => {
  await mock?.close();
});

async function call(path: string, init: RequestInit = {}) {
  const response = await fetch(mock.url + path, init);
  const text = await response.text();
  return {
    status: response.status,
    violations: response.headers.get('sl-violations'),
    body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
  };
}

describe('Prism mock of the bundled spec', () => {
  it('answers valid requests from the examples without violations', async () => {
    const health = await call('/health');
    expect(health).toMatchObject({ status: 200, violations: null, body: { status: 'healthy' } });

    const jwks = await call('/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    expect(((jwks.body?.keys ?? []) as unknown[]).length).toBeGreaterThan(0);

    const signup = await call('/v1/signup', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Mock test', mode: 'sandbox' }),
    });
    expect(signup).toMatchObject({ status: 201, violations: null });
    expect(signup.body?.apiKey).toMatch(/^gx_(live|test)_/);

    const created = await call('/v1/agents', { method: 'POST', headers: json, body: JSON.stringify({ name: 'Bot' }) });
    expect(created).toMatchObject({ status: 201, violations: null });
    expect(created.body?.agentId).toMatch(/^ag_/);

    const listed = await call('/v1/agents', { headers: auth });
    expect(listed).toMatchObject({ status: 200, violations: null });
    expect(Array.isArray(listed.body?.agents)).toBe(true);
  });

  it('rejects a request body that breaks the schema and names the violation', async () => {
    const result = await call('/v1/agents', { method: 'POST', headers: json, body: JSON.stringify({ nam: 'typo' }) });
    expect(result.status).toBe(400);
    expect(result.body).toMatchObject({ code: 'BAD_REQUEST' });
    const violations = JSON.parse(result.violations ?? '[]') as { message: string }[];
    expect(violations.map((v) => v.message).join('\n')).toMatch(/required property 'name'/);
  });

  it('rejects a protected call without credentials', async () => {
    const result = await call('/v1/agents');
    expect(result.status).toBe(401);
    expect(result.body).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('rejects a path parameter that breaks its pattern', async () => {
    // GET /v1/agents/{agentId} documents no 400, so Prism answers with its own 422 problem.
    const result = await call('/v1/agents/not-an-agent-id', { headers: auth });
    expect(result.status).toBe(422);
    expect(JSON.stringify(result.body?.validation)).toMatch(/must match pattern/);
  });
});
