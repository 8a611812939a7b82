// Fault probes for the faults that only show in what a refusal, a state or a condition leads to:
// each is true on a correct server and false with its fault on.
import type { Api } from './helpers.js';

type Probe = (api: Api) => Promise<boolean>;

/** UTC `HH:MM`, `hours` from now. */
function hhmm(hours: number): string {
  return new Date(Date.now() + hours * 3_600_000).toISOString().slice(11, 16);
}

/** A sandbox developer with one agent. */
async function setup(api: Api): Promise<{ key: string; agentId: string }> {
  const { key } = await api.developer();
  return { key, agentId: await api.agent(key) };
}

/** Status of authorize for `agentId` and principal `p` after creating a deny policy with `conditions`. */
async function authorizeUnderDeny(
  api: Api,
  conditions: Record<string, unknown>,
  request: { agentId?: string; scopes?: string[] } = {},
): Promise<number> {
  const { key, agentId } = await setup(api);
  await api.post('/v1/policies', { name: 'deny', effect: 'deny', principalId: 'p', ...conditions }, key);
  const asked = await api.post(
    '/v1/authorize',
    { agentId: request.agentId ?? agentId, principalId: 'p', scopes: request.scopes ?? ['payments:initiate'] },
    key,
  );
  return asked.status;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A sandbox developer's grant that lives one second, after it expired. */
async function expiredGrant(api: Api) {
  const { key, agentId } = await setup(api);
  const grant = await api.grant(key, agentId, ['calendar:read'], { expiresIn: '1s' });
  await sleep(1_200);
  return { key, agentId, grant };
}

/** A sandbox developer's agent, suspended after `before` ran. */
async function suspended<T>(api: Api, before: (key: string, agentId: string) => Promise<T>) {
  const { key, agentId } = await setup(api);
  const held = await before(key, agentId);
  await api.patch(`/v1/agents/${agentId}`, { status: 'suspended' }, key);
  return { key, agentId, held };
}

export const consequenceProbes = {
  'scope-limit-off-by-one': async (api) => {
    const { key, agentId } = await setup(api);
    const scopes = Array.from({ length: 100 }, (_, index) => `test.limits:s${index}:read`);
    return (await api.post('/v1/authorize', { agentId, principalId: 'p', scopes }, key)).status === 201;
  },
  'tenant-leak-filter': async (api) => {
    const { key, agentId } = await setup(api);
    await api.grant(key, agentId);
    const { key: other } = await api.developer('sandbox', 'other');
    return (await api.get(`/v1/grants?agentId=${agentId}`, other)).body.grants.length === 0;
  },
  'deny-leaves-code': async (api) => {
    const { key, agentId } = await setup(api);
    const authz = await api.post('/v1/authorize', { agentId, principalId: 'p', scopes: ['a:b'] }, key);
    const deny = await api.post(`/v1/authorize/${authz.body.authRequestId}/deny`, {}, key, { unchecked: true });
    const exchange = await api.post('/v1/token', { code: authz.body.code, agentId }, key);
    return deny.status !== 200 || exchange.status === 400;
  },
  'code-expiry-ignored': async (api) => {
    const { key, agentId } = await setup(api);
    const authz = await api.post('/v1/authorize', { agentId, principalId: 'p', scopes: ['a:b'], expiresIn: '1s' }, key);
    await sleep(1_200);
    return (await api.post('/v1/token', { code: authz.body.code, agentId }, key)).status === 400;
  },
  'refresh-after-expiry': async (api) => {
    const { key, agentId, grant } = await expiredGrant(api);
    const refreshed = await api.post('/v1/token/refresh', { refreshToken: grant.refreshToken, agentId }, key);
    return refreshed.status === 400;
  },
  'delegation-expired-parent': async (api) => {
    const { key, grant } = await expiredGrant(api);
    const subAgentId = await api.agent(key);
    const child = await api.post(
      '/v1/grants/delegate',
      { parentGrantToken: grant.grantToken, subAgentId, scopes: ['calendar:read'] },
      key,
    );
    return child.status !== 201 || !(await api.verify(key, child.body.grantToken));
  },
  'delegation-revoked-token': async (api) => {
    const { key, agentId } = await setup(api);
    const grant = await api.grant(key, agentId, ['calendar:read']);
    const jti = JSON.parse(Buffer.from(grant.grantToken.split('.')[1] ?? '', 'base64url').toString()).jti;
    await api.post('/v1/tokens/revoke', { jti }, key);
    const subAgentId = await api.agent(key);
    const child = await api.post(
      '/v1/grants/delegate',
      { parentGrantToken: grant.grantToken, subAgentId, scopes: ['calendar:read'] },
      key,
    );
    return child.status === 400;
  },
  'delegation-refusal-creates-grant': async (api) => {
    const { key, agentId } = await setup(api);
    let token = (await api.grant(key, agentId, ['calendar:read'])).grantToken;
    for (let depth = 1; depth <= 11; depth++) {
      const subAgentId = await api.agent(key);
      const child = await api.post(
        '/v1/grants/delegate',
        { parentGrantToken: token, subAgentId, scopes: ['calendar:read'] },
        key,
      );
      if (child.status === 201) {
        token = child.body.grantToken;
        continue;
      }
      return (await api.get(`/v1/grants?agentId=${subAgentId}`, key)).body.grants.length === 0;
    }
    return false;
  },
  'suspended-agent-authorizes': async (api) => {
    const { key, agentId } = await suspended(api, async () => undefined);
    return (await api.post('/v1/authorize', { agentId, principalId: 'p', scopes: ['a:b'] }, key)).status === 404;
  },
  'suspended-agent-exchanges': async (api) => {
    const { key, agentId, held } = await suspended(
      api,
      async (k, id) => (await api.post('/v1/authorize', { agentId: id, principalId: 'p', scopes: ['a:b'] }, k)).body,
    );
    return (await api.post('/v1/token', { code: held.code, agentId }, key)).status === 400;
  },
  'suspended-agent-refreshes': async (api) => {
    const { key, agentId, held } = await suspended(api, (k, id) => api.grant(k, id));
    return (await api.post('/v1/token/refresh', { refreshToken: held.refreshToken, agentId }, key)).status === 400;
  },
  'deleted-agent-tokens-valid': async (api) => {
    const { key, agentId } = await setup(api);
    const grant = await api.grant(key, agentId);
    await api.delete(`/v1/agents/${agentId}`, key);
    return !(await api.verify(key, grant.grantToken));
  },
  'policy-deny-ignored': async (api) => (await authorizeUnderDeny(api, {})) === 403,
  'policy-ignores-agent': async (api) => {
    const { key, agentId } = await setup(api);
    const other = await api.agent(key);
    await api.post('/v1/policies', { name: 'deny', effect: 'deny', principalId: 'p', agentId: other }, key);
    return (await api.post('/v1/authorize', { agentId, principalId: 'p', scopes: ['a:b'] }, key)).status === 201;
  },
  'policy-ignores-scopes': async (api) =>
    (await authorizeUnderDeny(api, { scopes: ['payments:initiate'] }, { scopes: ['calendar:read'] })) === 201,
  'policy-ignores-time-window': async (api) =>
    (await authorizeUnderDeny(api, { timeOfDayStart: hhmm(3), timeOfDayEnd: hhmm(6) })) === 201,
} satisfies Record<string, Probe>;
