// Fault probes for the rules judged by consequences: redirect URIs, key
// material, jti, anomaly advice, standard scopes, scope descriptions.
import { claimsOf, type Api } from './helpers.js';

async function setup(api: Api, mode: 'sandbox' | 'live' = 'sandbox') {
  const { key } = await api.developer(mode);
  return { key, agentId: await api.agent(key) };
}

/** Each resolves true when the server keeps the rule the fault breaks. */
export const verdictProbes = {
  'redirect-uri-any-scheme': async (api: Api) => {
    const { key, agentId } = await setup(api, 'live');
    const body = { agentId, principalId: 'p', scopes: ['calendar:read'], redirectUri: 'javascript:alert(1)//' };
    return (await api.post('/v1/authorize', body, key, { unchecked: true })).status === 400;
  },
  'jwks-private-key': async (api: Api) => {
    const keys = (await api.get('/.well-known/jwks.json', undefined, { unchecked: true })).body.keys as object[];
    return keys.every((k) => !('d' in k));
  },
  'jti-reused': async (api: Api) => {
    const { key, agentId } = await setup(api);
    const t = await api.grant(key, agentId);
    const refreshed = await api.post('/v1/token/refresh', { refreshToken: t.refreshToken, agentId }, key);
    return claimsOf(t.grantToken).jti !== claimsOf(refreshed.body.grantToken).jti;
  },
  'anomaly-blocks-issuance': async (api: Api) => {
    const { key, agentId } = await setup(api);
    const t = await api.grant(key, agentId);
    for (let i = 0; i < 6; i++)
      await api.post(
        '/v1/audit/log',
        {
          agentId,
          agentDid: `did:grantex:${agentId}`,
          grantId: t.grantId,
          principalId: 'p',
          action: 'x',
          status: 'failure',
        },
        key,
      );
    await api.post('/v1/anomalies/detect', {}, key);
    const again = await api.post('/v1/authorize', { agentId, principalId: 'p', scopes: ['calendar:read'] }, key, {
      unchecked: true,
    });
    return again.status === 201;
  },
  'standard-scope-refused': async (api: Api) => {
    const { key, agentId } = await setup(api);
    const authz = await api.post(
      '/v1/authorize',
      { agentId, principalId: 'p', scopes: ['payments:mpp:browser'] },
      key,
      {
        unchecked: true,
      },
    );
    return authz.status === 201;
  },
  'policy-deny-ignored': async (api: Api) => {
    const { key, agentId } = await setup(api);
    await api.post('/v1/policies', { name: 'no', effect: 'deny', principalId: 'p' }, key);
    const authz = await api.post('/v1/authorize', { agentId, principalId: 'p', scopes: ['calendar:read'] }, key, {
      unchecked: true,
    });
    return authz.status === 403;
  },
  'policy-condition-ignored': async (api: Api) => {
    const { key, agentId } = await setup(api);
    await api.post('/v1/policies', { name: 'no', effect: 'deny', principalId: 'someone-else' }, key);
    const authz = await api.post('/v1/authorize', { agentId, principalId: 'p', scopes: ['calendar:read'] }, key, {
      unchecked: true,
    });
    return authz.status === 201;
  },
  'consent-raw-scopes': async (api: Api) => {
    const { key, agentId } = await setup(api, 'live');
    const authz = await api.post('/v1/authorize', { agentId, principalId: 'p', scopes: ['calendar:read'] }, key);
    const shown = await api.get(`/v1/consent/${authz.body.authRequestId}`);
    return !shown.body.scopeDescriptions.includes('calendar:read');
  },
};
