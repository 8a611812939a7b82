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

export const consequenceProbes = {
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
