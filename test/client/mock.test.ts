// Every client method against the Prism mock of the bundled spec: each request
// must pass Prism's validation (no `sl-violations` header) and get a 2xx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../scripts/mock.js';
import { Grantex } from '../../src/index.js';
import { calls } from './fixtures.js';

let mock: MockServer;
let client: Grantex;

beforeAll(async () => {
  mock = await startMock();
  client = new Grantex({
    apiKey: 'gx_test_0123456789abcdef0123',
    scimToken: 'scim_0123456789abcdef',
    baseUrl: mock.url,
  });
});
afterAll(async () => {
  await client?.close();
  await mock?.close();
});

describe('client against the Prism mock', () => {
  it.each(Object.keys(calls))('%s sends a valid request', async (operationId) => {
    const { response } = await calls[operationId]!(client, { baseUrl: mock.url }).withResponse();
    expect(response.headers.get('sl-violations')).toBeNull();
    expect(response.status).toBeGreaterThanOrEqual(200);
    expect(response.status).toBeLessThan(300);
  });

  it('runs the sandbox flow: authorize, exchange, verify online, revoke', async () => {
    const request = await client.authorize({
      agentId: 'ag_01M8H3D6A60QZ1Z8Z6GZBQ32QD',
      userId: 'user_42',
      scopes: ['calendar:read'],
    });
    expect(request.authRequestId).toMatch(/^areq_/);
    expect(request.code).toBeTypeOf('string');
    const token = await client.tokens.exchange({ code: request.code!, agentId: 'ag_01M8H3D6A60QZ1Z8Z6GZBQ32QD' });
    expect(token.grantToken.split('.')).toHaveLength(3);
    const online = await client.tokens.verify(token.grantToken);
    expect(typeof online.valid).toBe('boolean');
    await expect(client.tokens.revoke('tok_01M8H3DM8C2B82HM5N3G1C3BF1')).resolves.toBeUndefined();
  });

  it('exposes the rate-limit headers on results', async () => {
    const { rateLimit } = await client.agents.list().withResponse();
    expect(rateLimit).toEqual({ limit: 100, remaining: 99, reset: 60 });
  });

  it('turns a request Prism rejects into a typed error without a crash', async () => {
    await expect(client.agents.get('not-an-agent-id')).rejects.toMatchObject({
      name: 'GrantexUnprocessableEntityError',
      statusCode: 422,
    });
  });
});
