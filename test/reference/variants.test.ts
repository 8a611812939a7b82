// Each variant of the reference server is really on (the probe sees the
// permitted difference), and every answer still validates against the spec
// (the helpers' client checks each response).
import { createLocalJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { EXTRA_FIELD, VARIANT_NAMES, VARIANTS, type VariantName } from '../../conformance/reference/variants.js';
import { claimsOf, start, type Api } from './helpers.js';

/** What the variant changes, read through the API; differs between the reference and the variant. */
type Probe = (api: Api) => Promise<unknown>;

const probes: Record<VariantName, Probe> = {
  'trim-names': async (api) => {
    const { key } = await api.developer('sandbox');
    const created = await api.post('/v1/agents', { name: '  Travel assistant \u00a0' }, key);
    const patched = await api.patch(`/v1/agents/${created.body.agentId}`, { name: ' Renamed ' }, key);
    return [created.body.name, patched.body.name];
  },
  'reverse-lists': async (api) => {
    const { key } = await api.developer('sandbox');
    const names = [];
    for (const name of ['first', 'second', 'third'])
      names.push((await api.post('/v1/agents', { name }, key)).body.name);
    await api.post('/v1/policies', { name: 'low', effect: 'allow', priority: 1 }, key);
    await api.post('/v1/policies', { name: 'high', effect: 'allow', priority: 9 }, key);
    const agents = (await api.get('/v1/agents', key)).body.agents.map((a: { name: string }) => a.name);
    const policies = (await api.get('/v1/policies', key)).body.policies.map((p: { name: string }) => p.name);
    return { agents, policies };
  },
  'issuer-alias': async (api) => {
    const { key, agentId } = await setup(api);
    const t = await api.grant(key, agentId);
    const iss = String(claimsOf(t.grantToken).iss);
    // The alias serves the very key set of the base URL, so the token verifies from it.
    const aliasKeys = await (await fetch(`${iss}/.well-known/jwks.json`)).json();
    expect(aliasKeys).toEqual((await api.get('/.well-known/jwks.json')).body);
    await jwtVerify(t.grantToken, createLocalJWKSet(aliasKeys as never), { algorithms: ['RS256'], issuer: iss });
    const online = await api.post('/v1/tokens/verify', { token: t.grantToken }, key);
    expect(online.body.valid).toBe(true);
    return iss.replace(/:\d+$/, ':PORT');
  },
  'extra-fields': async (api) => {
    const { key, agentId } = await setup(api);
    const agent = await api.get(`/v1/agents/${agentId}`, key);
    const listed = (await api.get('/v1/agents', key)).body.agents[0];
    const t = await api.grant(key, agentId);
    const metadata = { amount: 1 };
    const logged = await api.post(
      '/v1/audit/log',
      { agentId, agentDid: `did:grantex:${agentId}`, grantId: t.grantId, principalId: 'p', action: 'x.y', metadata },
      key,
    );
    // Caller data is never touched: metadata reads back exactly.
    expect(logged.body.metadata).toEqual(metadata);
    return [agent.body[EXTRA_FIELD], listed[EXTRA_FIELD], claimsOf(t.grantToken)[EXTRA_FIELD]];
  },
  'other-id-format': async (api) => {
    const { key, agentId } = await setup(api);
    const t = await api.grant(key, agentId);
    return [agentId, t.grantId, String(claimsOf(t.grantToken).jti)].map((id) =>
      id.replace(/_[0-9a-f]{32}$/, '_<hex32>').replace(/_[0-9A-HJKMNP-TV-Z]{26}$/, '_<ULID>'),
    );
  },
  'eager-anomalies': async (api) => {
    const { key, agentId } = await setup(api);
    const t = await api.grant(key, agentId);
    await api.post(
      '/v1/audit/log',
      { agentId, agentDid: `did:grantex:${agentId}`, grantId: t.grantId, principalId: 'p', action: 'x' },
      key,
    );
    const detected = await api.post('/v1/anomalies/detect', {}, key);
    return [detected.body.autoRevokedGrants, await api.verify(key, t.grantToken)];
  },
};

async function setup(api: Api) {
  const { key } = await api.developer('sandbox');
  const agentId = await api.agent(key);
  return { key, agentId };
}

describe('reference server variants', () => {
  it('has a description and a probe for every variant', () => {
    expect(VARIANT_NAMES.length).toBeGreaterThanOrEqual(5);
    for (const name of VARIANT_NAMES) expect(VARIANTS[name].length).toBeGreaterThan(20);
    expect(Object.keys(probes).sort()).toEqual([...VARIANT_NAMES].sort());
  });

  it('refuses unknown variant names', async () => {
    await expect(start({ variants: ['no-such-variant' as VariantName] })).rejects.toThrow(/Unknown variant/);
  });

  const expected: Record<VariantName, [unknown, unknown]> = {
    'trim-names': [
      ['  Travel assistant \u00a0', ' Renamed '],
      ['Travel assistant', 'Renamed'],
    ],
    'reverse-lists': [
      { agents: ['third', 'second', 'first'], policies: ['high', 'low'] },
      { agents: ['first', 'second', 'third'], policies: ['low', 'high'] },
    ],
    'issuer-alias': [expect.stringMatching(/^http:\/\/127\.0\.0\.1:PORT$/), 'http://localhost:PORT'],
    'extra-fields': [
      [undefined, undefined, undefined],
      ['extra-fields', 'extra-fields', 'extra-fields'],
    ],
    'other-id-format': [
      ['ag_<ULID>', 'grnt_<ULID>', 'tok_<ULID>'],
      ['ag_<hex32>', 'grnt_<hex32>', 'tok_<hex32>'],
    ],
    'eager-anomalies': [
      [0, true],
      [1, false],
    ],
  };

  it.each(VARIANT_NAMES)('%s: the reference and the variant differ exactly as described', async (name) => {
    const reference = await start({ webhookRetryDelaysMs: [] });
    const variant = await start({ variants: [name], webhookRetryDelaysMs: [] });
    const [before, after] = expected[name];
    expect(await probes[name](reference), 'reference server').toEqual(before);
    expect(await probes[name](variant), `server with ${name}`).toEqual(after);
  });
});
