// The in-memory store stays bounded under load: a tenant keeps at most
// MAX_AUTH_REQUESTS authorization requests, dropping the oldest first.
import { describe, expect, it } from 'vitest';
import { MAX_AUTH_REQUESTS, Store, type AuthRequestRecord } from '../../conformance/reference/domain/store.js';

function request(id: string): AuthRequestRecord {
  return {
    id,
    developerId: 'dev_1',
    agentId: 'ag_1',
    principalId: 'p',
    scopes: ['a'],
    grantLifetimeSeconds: 60,
    expiresAt: 0,
    redirectUri: null,
    state: null,
    audience: null,
    codeChallenge: null,
    status: 'approved',
    code: 'c',
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

describe('reference store bounds', () => {
  it('drops the oldest authorization request (and its consent index) past the cap', () => {
    const store = new Store();
    const tenant = store.addDeveloper({
      id: 'dev_1',
      apiKey: 'k',
      name: 'n',
      email: null,
      mode: 'sandbox',
      createdAt: '',
    });
    for (let i = 0; i <= MAX_AUTH_REQUESTS; i++) store.addAuthRequest(tenant, request(`areq_${i}`));
    expect(tenant.authRequests.size).toBe(MAX_AUTH_REQUESTS);
    expect(tenant.authRequests.has('areq_0')).toBe(false);
    expect(store.tenantOfAuthRequest('areq_0')).toBeUndefined();
    expect(tenant.authRequests.has('areq_1')).toBe(true);
    expect(store.tenantOfAuthRequest(`areq_${MAX_AUTH_REQUESTS}`)).toBe(tenant);
  });
});
