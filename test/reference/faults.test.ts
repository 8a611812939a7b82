// Each named fault is really active: the same probe passes on a correct server
// and fails on a server with only that fault switched on.
import { createLocalJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { FAULT_NAMES, FAULTS, type FaultName } from '../../conformance/reference/faults.js';
import { computeCodeChallenge } from '../../src/integrity/pkce.js';
import { claimsOf, start, type Api } from './helpers.js';
import { auditHashProbe, webhookSignatureProbe } from './fault-probes-integrity.js';
import {
  didJwksProbe,
  passportDepthProbe,
  passportMaxLifetimeProbe,
  passportAtMaxProbe,
  passportRevokeProbe,
  registryPublicProbe,
} from './fault-probes-identity.js';
import { verdictProbes } from './fault-probes-verdicts.js';
import { consequenceProbes } from './fault-probes-consequences.js';
import { limitProbes } from './fault-probes-limits.js';
import { readSse } from './sse.js';

/** Resolves true when the server keeps the MUST that the fault breaks. */
type Probe = (api: Api) => Promise<boolean>;

const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';

async function setup(api: Api, mode: 'sandbox' | 'live' = 'sandbox') {
  const { key, id } = await api.developer(mode);
  const agentId = await api.agent(key);
  return { key, id, agentId };
}

async function delegate(
  api: Api,
  key: string,
  parentGrantToken: string,
  scopes = ['calendar:read'],
  expiresIn?: string,
) {
  const subAgentId = await api.agent(key);
  return api.post(
    '/v1/grants/delegate',
    { parentGrantToken, subAgentId, scopes, ...(expiresIn ? { expiresIn } : {}) },
    key,
  );
}

const probes: Record<FaultName, Probe> = {
  ...consequenceProbes,
  ...limitProbes,
  'pkce-ignored': async (api) => {
    const { key, agentId } = await setup(api);
    const codeChallenge = await computeCodeChallenge(VERIFIER);
    const authz = await api.post(
      '/v1/authorize',
      { agentId, principalId: 'p', scopes: ['a'], codeChallenge, codeChallengeMethod: 'S256' },
      key,
    );
    const wrong = await api.post('/v1/token', { code: authz.body.code, agentId, codeVerifier: 'w'.repeat(43) }, key);
    return wrong.status === 400;
  },
  'code-reusable': async (api) => {
    const { key, agentId } = await setup(api);
    const authz = await api.post('/v1/authorize', { agentId, principalId: 'p', scopes: ['a'] }, key);
    await api.post('/v1/token', { code: authz.body.code, agentId }, key);
    return (await api.post('/v1/token', { code: authz.body.code, agentId }, key)).status === 400;
  },
  'code-not-bound-to-agent': async (api) => {
    const { key, agentId } = await setup(api);
    const other = await api.agent(key);
    const authz = await api.post('/v1/authorize', { agentId, principalId: 'p', scopes: ['a'] }, key);
    return (await api.post('/v1/token', { code: authz.body.code, agentId: other }, key)).status === 400;
  },
  'refresh-token-reusable': async (api) => {
    const { key, agentId } = await setup(api);
    const t = await api.grant(key, agentId);
    await api.post('/v1/token/refresh', { refreshToken: t.refreshToken, agentId }, key);
    return (await api.post('/v1/token/refresh', { refreshToken: t.refreshToken, agentId }, key)).status === 400;
  },
  'live-auto-approve': async (api) => {
    const { key, agentId } = await setup(api, 'live');
    const authz = await api.post('/v1/authorize', { agentId, principalId: 'p', scopes: ['a'] }, key);
    return authz.status === 201 && authz.body.code === undefined;
  },
  'scopes-escalated': async (api) => {
    const { key, agentId } = await setup(api);
    const t = await api.grant(key, agentId, ['calendar:read']);
    return JSON.stringify(claimsOf(t.grantToken).scp) === JSON.stringify(['calendar:read']);
  },
  'expires-in-ignored': async (api) => {
    const { key, agentId } = await setup(api);
    const c = claimsOf((await api.grant(key, agentId, ['a'], { expiresIn: '1h' })).grantToken);
    return c.exp - c.iat === 3600;
  },
  'audience-dropped': async (api) => {
    const { key, agentId } = await setup(api);
    return (
      claimsOf((await api.grant(key, agentId, ['a'], { audience: 'https://rs.example' })).grantToken).aud ===
      'https://rs.example'
    );
  },
  'token-unpublished-key': async (api) => verifiesOffline(api),
  'token-alg-hs256': async (api) => verifiesOffline(api),
  'verify-ignores-revocation': async (api) => {
    const { key, agentId } = await setup(api);
    const t = await api.grant(key, agentId);
    await api.delete(`/v1/grants/${t.grantId}`, key);
    return !(await api.verify(key, t.grantToken));
  },
  'token-revoke-noop': async (api) => {
    const { key, agentId } = await setup(api);
    const t = await api.grant(key, agentId);
    await api.post('/v1/tokens/revoke', { jti: claimsOf(t.grantToken).jti }, key);
    return !(await api.verify(key, t.grantToken));
  },
  'grant-revoke-noop': async (api) => {
    const { key, agentId } = await setup(api);
    const t = await api.grant(key, agentId);
    const res = await api.delete(`/v1/grants/${t.grantId}`, key);
    return res.status === 204 && (await api.get(`/v1/grants/${t.grantId}`, key)).body.status === 'revoked';
  },
  'revoke-no-cascade': async (api) => {
    const { key, agentId } = await setup(api);
    const t = await api.grant(key, agentId);
    const child = await delegate(api, key, t.grantToken);
    await api.delete(`/v1/grants/${t.grantId}`, key);
    return !(await api.verify(key, child.body.grantToken));
  },
  'delegation-scope-escalation': async (api) => {
    const { key, agentId } = await setup(api);
    const t = await api.grant(key, agentId, ['calendar:read']);
    return (await delegate(api, key, t.grantToken, ['calendar:read', 'files:write'])).status === 400;
  },
  'delegation-depth-unlimited': async (api) => {
    const { key, agentId } = await setup(api);
    let token = (await api.grant(key, agentId)).grantToken;
    for (let depth = 1; depth <= 3; depth++) token = (await delegate(api, key, token)).body.grantToken;
    return (await delegate(api, key, token)).status === 403;
  },
  'delegation-exp-not-capped': async (api) => {
    const { key, agentId } = await setup(api);
    const t = await api.grant(key, agentId, ['calendar:read'], { expiresIn: '10m' });
    const child = await delegate(api, key, t.grantToken, ['calendar:read'], '2h');
    return claimsOf(child.body.grantToken).exp <= claimsOf(t.grantToken).exp;
  },
  'delegation-revoked-parent': async (api) => {
    const { key, agentId } = await setup(api);
    const t = await api.grant(key, agentId);
    await api.delete(`/v1/grants/${t.grantId}`, key);
    return (await delegate(api, key, t.grantToken)).status === 400;
  },
  'delegation-foreign-subagent': async (api) => {
    const { key, agentId } = await setup(api);
    const other = await setup(api);
    const t = await api.grant(key, agentId);
    const res = await api.post(
      '/v1/grants/delegate',
      { parentGrantToken: t.grantToken, subAgentId: other.agentId, scopes: ['calendar:read'] },
      key,
    );
    return res.status === 404;
  },
  'tenant-leak': async (api) => {
    const a = await setup(api);
    const b = await setup(api);
    const t = await api.grant(a.key, a.agentId);
    const grant = await api.get(`/v1/grants/${t.grantId}`, b.key);
    const agent = await api.get(`/v1/agents/${a.agentId}`, b.key);
    return grant.status === 404 && agent.status === 404;
  },
  'audit-chain-broken': async (api) => {
    const { key, agentId } = await setup(api);
    const entry = { agentId, agentDid: `did:grantex:${agentId}`, grantId: 'grnt_x', principalId: 'p', action: 'x' };
    const first = await api.post('/v1/audit/log', entry, key);
    const second = await api.post('/v1/audit/log', entry, key);
    return second.body.prevHash === first.body.hash;
  },
  'audit-hash-wrong': auditHashProbe,
  'policy-allow-before-deny': async (api) => {
    const { key, agentId } = await setup(api, 'live');
    await api.post('/v1/policies', { name: 'allow', effect: 'allow', priority: 1 }, key);
    await api.post('/v1/policies', { name: 'deny', effect: 'deny', priority: 10 }, key);
    return (await api.post('/v1/authorize', { agentId, principalId: 'p', scopes: ['a'] }, key)).status === 403;
  },
  'issuer-elsewhere': async (api) => {
    const { key, agentId } = await setup(api);
    const t = await api.grant(key, agentId);
    const iss = String(claimsOf(t.grantToken).iss);
    const jwks = createLocalJWKSet((await (await fetch(`${iss}/.well-known/jwks.json`)).json()) as never);
    try {
      await jwtVerify(t.grantToken, jwks, { algorithms: ['RS256'], issuer: iss });
      return true;
    } catch {
      return false;
    }
  },
  'issuer-varies': async (api) => {
    const { key, agentId } = await setup(api);
    const first = await api.grant(key, agentId);
    const second = await api.grant(key, agentId);
    return claimsOf(first.grantToken).iss === claimsOf(second.grantToken).iss;
  },
  'policy-priority-first': async (api) => {
    const { key, agentId } = await setup(api, 'live');
    await api.post('/v1/policies', { name: 'allow', effect: 'allow', priority: 10 }, key);
    await api.post('/v1/policies', { name: 'deny', effect: 'deny', priority: 1 }, key);
    return (await api.post('/v1/authorize', { agentId, principalId: 'p', scopes: ['a'] }, key)).status === 403;
  },
  'webhook-signature-wrong': webhookSignatureProbe,
  'scim-accepts-api-key': async (api) => {
    const { key } = await setup(api);
    return (await api.get('/scim/v2/Users', key)).status === 401;
  },
  'sso-state-unchecked': async (api) => {
    const { key, id } = await setup(api);
    const redirectUri = 'http://127.0.0.1:9/app/callback';
    await api.post(
      '/v1/sso/config',
      { issuerUrl: `${api.url}/_test-idp`, clientId: 'client-1', clientSecret: 's3cret', redirectUri },
      key,
    );
    // An attacker's own code from the IdP, paired with a state the server never issued.
    const idp = await fetch(
      `${api.url}/_test-idp/authorize?client_id=client-1&redirect_uri=${encodeURIComponent(redirectUri)}&response_type=code`,
      { redirect: 'manual' },
    );
    const code = new URL(idp.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const res = await api.get(`/sso/callback?code=${code}&state=${id}.forged`);
    return res.status === 400;
  },
  'crash-on-bad-query': async (api) => {
    const { key } = await setup(api);
    return (await api.get('/v1/grants?status=%00bogus', key, { unchecked: true })).status === 200;
  },
  'undocumented-status': async (api) => {
    const { key } = await setup(api);
    return (await api.post('/v1/policies', { name: 'p', effect: 'maybe' }, key, { unchecked: true })).status === 400;
  },
  'sse-malformed-event': async (api) => {
    const { key, agentId } = await setup(api);
    const read = await readSse(api.url, key, { count: 2, whileOpen: async () => void (await api.grant(key, agentId)) });
    return read.events.length === 2 && read.events.every((e) => parsesAsEvent(e.data));
  },
  'budget-balance-number': async (api) => {
    const { key, agentId } = await setup(api);
    const { grantId } = await api.grant(key, agentId);
    await api.post('/v1/budget/allocate', { grantId, initialBudget: 10 }, key);
    const balance = await api.get(`/v1/budget/balance/${grantId}`, key, { unchecked: true });
    return typeof balance.body.remainingBudget === 'string';
  },
  'schema-drift-rare': async (api) => {
    const { key } = await setup(api);
    const created = await api.post('/v1/agents', { name: 'bell\u0007' }, key, { unchecked: true });
    return created.status === 201 && Array.isArray(created.body.scopes);
  },
  'did-jwks-mismatch': didJwksProbe,
  'passport-revoke-noop': passportRevokeProbe,
  'passport-outlives-720h': passportMaxLifetimeProbe,
  'passport-refuses-720h': passportAtMaxProbe,
  'passport-depth-zero': passportDepthProbe,
  'registry-requires-auth': registryPublicProbe,
  ...verdictProbes,
};

async function verifiesOffline(api: Api): Promise<boolean> {
  const { key, agentId } = await setup(api);
  const t = await api.grant(key, agentId);
  const jwks = createLocalJWKSet((await api.get('/.well-known/jwks.json')).body);
  try {
    await jwtVerify(t.grantToken, jwks, { algorithms: ['RS256'] });
    return true;
  } catch {
    return false;
  }
}

/** Faults whose answers break the spec by design (what the fuzz area must notice). */
const SPEC_BREAKING: readonly FaultName[] = [
  'crash-on-bad-query',
  'undocumented-status',
  'schema-drift-rare',
  'registry-requires-auth',
  'budget-balance-number',
];

function parsesAsEvent(data: string): boolean {
  try {
    const event = JSON.parse(data) as { id?: unknown; type?: unknown };
    return typeof event.id === 'string' && typeof event.type === 'string';
  } catch {
    return false;
  }
}

describe('reference server faults', () => {
  it('has at least 15 faults, each with a description and a probe', () => {
    expect(FAULT_NAMES.length).toBeGreaterThanOrEqual(15);
    for (const name of FAULT_NAMES) expect(FAULTS[name].length).toBeGreaterThan(20);
    expect(Object.keys(probes).sort()).toEqual([...FAULT_NAMES].sort());
  });

  it('refuses unknown fault names', async () => {
    await expect(start({ faults: ['no-such-fault' as FaultName] })).rejects.toThrow(/Unknown fault/);
  });

  it.each(FAULT_NAMES)('%s: the probe passes on a correct server and fails with the fault on', async (name) => {
    const correct = await start({ webhookRetryDelaysMs: [] });
    // These faults break the spec on purpose, so the faulty server does not check its own answers.
    const breaksSpec = SPEC_BREAKING.includes(name);
    const faulty = await start({
      faults: [name],
      webhookRetryDelaysMs: [],
      ...(breaksSpec ? { validateResponses: false, onError: () => undefined } : {}),
    });
    expect(await probes[name](correct), 'correct server').toBe(true);
    expect(await probes[name](faulty), `server with ${name}`).toBe(false);
  });
});
