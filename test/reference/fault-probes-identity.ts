// Fault probes of the identity groups: the DID document, passports and the trust registry.
import { gunzipSync } from 'node:zlib';
import type { Api } from './helpers.js';

const MPP = ['calendar:read', 'payments:mpp:inference'];

/** A sandbox developer, an agent with MPP scopes and a grant of them. */
async function mppGrant(api: Api) {
  const { key } = await api.developer();
  const agentId = await api.agent(key, MPP);
  const grant = await api.grant(key, agentId, MPP);
  return { key, agentId, grantId: grant.grantId, grantToken: grant.grantToken };
}

function issueBody(agentId: string, grantId: string, expiresIn = '1h') {
  return {
    agentId,
    grantId,
    allowedMPPCategories: ['inference'],
    maxTransactionAmount: { amount: 5, currency: 'USDC' },
    expiresIn,
  };
}

/** Every RSA key of the DID document is in the JWKS (same kid, same modulus). */
export async function didJwksProbe(api: Api): Promise<boolean> {
  const did = (await api.get('/.well-known/did.json')).body;
  const jwks = (await api.get('/.well-known/jwks.json')).body;
  return did.verificationMethod.every((m: { publicKeyJwk: Record<string, string> }) =>
    jwks.keys.some(
      (k: Record<string, string>) =>
        k.kid === m.publicKeyJwk.kid && k.n === m.publicKeyJwk.n && k.x === m.publicKeyJwk.x,
    ),
  );
}

/** After a revoke, the passport's status-list bit is set. */
export async function passportRevokeProbe(api: Api): Promise<boolean> {
  const { key, agentId, grantId } = await mppGrant(api);
  const issued = await api.post('/v1/passport/issue', issueBody(agentId, grantId), key);
  await api.post(`/v1/passport/${encodeURIComponent(issued.body.passportId)}/revoke`, undefined, key);
  const status = issued.body.credential.credentialStatus;
  const list = await api.get(new URL(status.statusListCredential).pathname);
  const bits = gunzipSync(Buffer.from(list.body.credentialSubject.encodedList, 'base64url'));
  const index = Number(status.statusListIndex);
  return ((bits[index >> 3] ?? 0) & (0x80 >> (index & 7))) !== 0;
}

/** A passport longer than 720 hours is refused. */
export async function passportMaxLifetimeProbe(api: Api): Promise<boolean> {
  const { key, agentId, grantId } = await mppGrant(api);
  return (await api.post('/v1/passport/issue', issueBody(agentId, grantId, '721h'), key)).status === 422;
}

/** A passport of exactly 720 hours, the maximum, is issued. */
export async function passportAtMaxProbe(api: Api): Promise<boolean> {
  const { key, agentId, grantId } = await mppGrant(api);
  return (await api.post('/v1/passport/issue', issueBody(agentId, grantId, '720h'), key)).status === 201;
}

/** A passport from a delegated grant carries the grant's delegation depth. */
export async function passportDepthProbe(api: Api): Promise<boolean> {
  const { key, grantToken } = await mppGrant(api);
  const subAgentId = await api.agent(key, MPP);
  const delegated = await api.post(
    '/v1/grants/delegate',
    { parentGrantToken: grantToken, subAgentId, scopes: MPP },
    key,
  );
  const issued = await api.post('/v1/passport/issue', issueBody(subAgentId, delegated.body.grantId), key);
  return issued.body.credential.credentialSubject.delegationDepth === 1;
}

/** Trust records are readable without a credential. */
export async function registryPublicProbe(api: Api): Promise<boolean> {
  const { key } = await api.developer();
  const did = 'did:web:probe.example.com';
  await api.post('/v1/registry/orgs', { did, name: 'Probe' }, key);
  const list = await api.get('/v1/registry/orgs', undefined, { unchecked: true });
  const one = await api.get(`/v1/registry/orgs/${encodeURIComponent(did)}`, undefined, { unchecked: true });
  return list.status === 200 && one.status === 200;
}
