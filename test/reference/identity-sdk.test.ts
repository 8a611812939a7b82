// The SDK end to end on every identity operation, against the reference server
// (which validates its own answers against the spec).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer, type ReferenceServer } from '../../conformance/reference/server.js';
import { identityTour } from './identity-tour.js';

describe('identity SDK end to end (reference server)', () => {
  let server: ReferenceServer;
  beforeAll(async () => {
    server = await startReferenceServer({ validateResponses: true });
  });
  afterAll(async () => {
    await server.close();
  });

  it('calls all 45 identity operations, each answered with success or a documented error', async () => {
    const steps = await identityTour(server.url);
    expect(new Set(steps.map((s) => s.operationId)).size).toBe(45);
    const byId = Object.fromEntries(steps.map((s) => [s.operationId, s.status]));
    // What the reference server does, like the public one: no DNS, no authenticator, a free plan.
    expect(byId).toMatchObject({
      passportsRevoke: 200,
      registryLegacyVerifyDns: 400,
      webauthnRegisterVerify: 400,
      domainsAdd: 402,
      credentialsGet: 200,
      principalRevokeGrant: 200,
    });
  });
});
