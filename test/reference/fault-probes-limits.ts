// Fault probes for the limits probed on both sides of their boundary, and the deleted agent's
// earlier code: each is true on a correct server and false with its fault on.
import type { Api } from './helpers.js';

type Probe = (api: Api) => Promise<boolean>;

/** `text` padded with 'a' to exactly `length` characters. */
const sized = (text: string, length: number) => text.padEnd(length, 'a');

/** The authorize status for a sandbox developer's own agent, with `extra` in the body. */
async function authorizeStatus(api: Api, extra: Record<string, unknown>): Promise<number> {
  const { key } = await api.developer();
  const agentId = await api.agent(key);
  return (await api.post('/v1/authorize', { agentId, principalId: 'p', scopes: ['a:b'], ...extra }, key)).status;
}

/** The two probes of one length limit: `max` is accepted, `max + 1` refused. */
function lengthProbes(body: (length: number) => Record<string, unknown>, max: number): [Probe, Probe] {
  return [
    async (api) => (await authorizeStatus(api, body(max))) === 201,
    async (api) => (await authorizeStatus(api, body(max + 1))) === 400,
  ];
}

const [scopeAt, scopePast] = lengthProbes((n) => ({ scopes: [`${sized('test.limits:', n - 5)}:read`] }), 256);
const [principalAt, principalPast] = lengthProbes((n) => ({ principalId: sized('p-', n) }), 256);
const scopeCountPast: Probe = async (api) =>
  (await authorizeStatus(api, { scopes: Array.from({ length: 101 }, (_, i) => `test.limits:s${i}:read`) })) === 400;
const [uriAt, uriPast] = lengthProbes((n) => ({ redirectUri: sized('https://client.example.com/cb?pad=', n) }), 2048);
const [stateAt, statePast] = lengthProbes((n) => ({ state: sized('st-', n) }), 1024);
const [audienceAt, audiencePast] = lengthProbes((n) => ({ audience: sized('urn:aud:', n) }), 1024);

/** The status of POST /v1/agents with `count` distinct scopes. */
async function agentStatus(api: Api, count: number): Promise<number> {
  const { key } = await api.developer();
  const scopes = Array.from({ length: count }, (_, index) => `test.limits:s${index}:read`);
  return (await api.post('/v1/agents', { name: 'limits', scopes }, key, { unchecked: true })).status;
}

/** The lifetime (exp − iat) of a sandbox grant asked for `expiresIn`, or undefined when authorize refused. */
async function lifetime(api: Api, expiresIn: string): Promise<number | undefined> {
  const { key } = await api.developer();
  const agentId = await api.agent(key);
  const authz = await api.post('/v1/authorize', { agentId, principalId: 'p', scopes: ['a:b'], expiresIn }, key, {
    unchecked: true,
  });
  if (authz.status !== 201) return undefined;
  const token = (await api.post('/v1/token', { code: authz.body.code, agentId }, key)).body.grantToken as string;
  const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());
  return claims.exp - claims.iat;
}

export const limitProbes = {
  'scope-length-off-by-one': scopeAt,
  'scope-length-unbounded': scopePast,
  'principal-length-off-by-one': principalAt,
  'principal-length-unbounded': principalPast,
  'scope-count-unbounded': scopeCountPast,
  'expires-in-zero-accepted': async (api) => (await authorizeStatus(api, { expiresIn: '0s' })) === 400,
  'expires-in-minimum-off-by-one': async (api) => (await authorizeStatus(api, { expiresIn: '1s' })) === 201,
  'redirect-uri-length-off-by-one': uriAt,
  'redirect-uri-length-unbounded': uriPast,
  'state-length-off-by-one': stateAt,
  'state-length-unbounded': statePast,
  'audience-length-off-by-one': audienceAt,
  'audience-length-unbounded': audiencePast,
  'agent-scope-limit-off-by-one': async (api) => (await agentStatus(api, 100)) === 201,
  'agent-scopes-unbounded': async (api) => (await agentStatus(api, 101)) === 400,
  'audit-metadata-limit-off-by-one': async (api) => {
    const { key } = await api.developer();
    const agentId = await api.agent(key);
    const grant = await api.grant(key, agentId);
    const logged = await api.post(
      '/v1/audit/log',
      {
        agentId,
        agentDid: `did:grantex:${agentId}`,
        grantId: grant.grantId,
        principalId: 'p',
        action: 'limits.probe',
        metadata: { pad: 'a'.repeat(16_384 - 10) },
      },
      key,
      { unchecked: true },
    );
    return logged.status === 201;
  },
  'lifetime-limit-off-by-one': async (api) => (await lifetime(api, '24h')) === 86_400,
  'lifetime-uncapped': async (api) => ((await lifetime(api, '48h')) ?? 0) <= 86_400,
  'delegation-depth-off-by-one': async (api) => {
    const { key } = await api.developer();
    let token = (await api.grant(key, await api.agent(key), ['calendar:read'])).grantToken as string;
    for (let depth = 1; depth <= 3; depth++) {
      const subAgentId = await api.agent(key);
      const child = await api.post(
        '/v1/grants/delegate',
        { parentGrantToken: token, subAgentId, scopes: ['calendar:read'] },
        key,
        { unchecked: true },
      );
      if (child.status !== 201) return false;
      token = child.body.grantToken;
    }
    return true;
  },
  'deleted-agent-exchanges': async (api) => {
    const { key } = await api.developer();
    const agentId = await api.agent(key);
    const authz = await api.post('/v1/authorize', { agentId, principalId: 'p', scopes: ['a:b'] }, key);
    await api.delete(`/v1/agents/${agentId}`, key);
    return (await api.post('/v1/token', { code: authz.body.code, agentId }, key, { unchecked: true })).status !== 201;
  },
} satisfies Record<string, Probe>;
