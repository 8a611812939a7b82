// Path ids cannot change which operation is called: every value is encoded
// into exactly one segment, and '', '.' and '..' are refused before sending.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Grantex, GrantexError, GrantexInvalidArgumentError } from '../../src/index.js';
import { createPathSerializer } from '../../src/internal/path.js';
import { startFakeServer, type FakeServer } from './fake-server.js';

let server: FakeServer;
let client: Grantex;
beforeAll(async () => {
  server = await startFakeServer(() => ({ status: 200, body: { agentId: 'ag_1' } }));
  client = new Grantex({ apiKey: 'gx_test_key', scimToken: 'scim_token', baseUrl: server.url, maxRetries: 0 });
});
afterAll(() => server.close());

/** Calls that take a path id, as a user would make them. */
const withId: Record<string, (c: Grantex, id: string) => Promise<unknown>> = {
  'agents.get': (c, id) => c.agents.get(id),
  'agents.delete': (c, id) => c.agents.delete(id),
  'agents.update': (c, id) => c.agents.update(id, { name: 'x' }),
  'consent.approve': (c, id) => c.consent.approve(id),
  'consent.deny': (c, id) => c.consent.deny(id),
  'grants.revoke': (c, id) => c.grants.revoke(id),
  'webhooks.delete': (c, id) => c.webhooks.delete(id),
  'webhooks.listDeliveries': (c, id) => c.webhooks.listDeliveries(id),
  'scim.revokeToken': (c, id) => c.scim.revokeToken(id),
  'scim.getUser': (c, id) => c.scim.getUser(id),
  'scim.deleteUser': (c, id) => c.scim.deleteUser(id),
  'scim.patchUser': (c, id) => c.scim.patchUser(id, { schemas: [], Operations: [] } as never),
};

describe('path parameters', () => {
  it.each(Object.keys(withId))('%s refuses "", "." and ".." before sending anything', async (name) => {
    const before = server.requests.length;
    for (const id of ['', '.', '..']) {
      const error = await withId[name]!(client, id).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, `${name}(${JSON.stringify(id)})`).toBeInstanceOf(GrantexInvalidArgumentError);
      expect((error as GrantexInvalidArgumentError).code).toBe('ERR_INVALID_ARGUMENT');
    }
    expect(server.requests.length).toBe(before);
  });

  it('client.api refuses "", "." and ".." too, so the escape hatch cannot reach another route', async () => {
    const before = server.requests.length;
    for (const agentId of ['', '.', '..']) {
      await expect(client.api.DELETE('/v1/agents/{agentId}', { params: { path: { agentId } } })).rejects.toBeInstanceOf(
        GrantexInvalidArgumentError,
      );
    }
    expect(server.requests.length).toBe(before);
  });

  it('refuses a missing or non-string id, and a lone surrogate, with the same typed error', async () => {
    const before = server.requests.length;
    for (const id of [undefined, null, {}, '\uD800']) {
      await expect(client.agents.delete(id as string)).rejects.toBeInstanceOf(GrantexInvalidArgumentError);
    }
    expect(server.requests.length).toBe(before);
  });

  it('sends any other id as exactly one segment that decodes back to it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .oneof(fc.string({ unit: 'binary', minLength: 1 }), fc.stringMatching(/^[./%?#\\ ]{1,6}$/))
          .filter((id) => id !== '.' && id !== '..'),
        async (id) => {
          const before = server.requests.length;
          await client.agents.delete(id);
          const seen = server.requests.slice(before);
          expect(seen).toHaveLength(1);
          const [, v1, agents, segment, ...rest] = seen[0]!.url.split('/');
          expect([v1, agents, rest]).toEqual(['v1', 'agents', []]);
          expect(decodeURIComponent(segment!)).toBe(id);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('the serializer refuses dot segments in any placeholder and names the parameter', () => {
    const serialize = createPathSerializer();
    expect(serialize('http://x/v1/consent/{authRequestId}/approve', { authRequestId: 'areq_1' })).toBe(
      'http://x/v1/consent/areq_1/approve',
    );
    expect(() => serialize('http://x/v1/consent/{authRequestId}/approve', { authRequestId: '..' })).toThrow(
      /authRequestId/,
    );
    expect(() => serialize('http://x/v1/agents/{agentId}', {})).toThrow(GrantexInvalidArgumentError);
    expect(new GrantexInvalidArgumentError('x')).toBeInstanceOf(GrantexError);
  });
});
