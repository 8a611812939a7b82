/**
 * @module routes/agents
 * Agent registration and management. Deleting an agent removes its grants
 * (revoking what was delegated from them), tokens and pending requests.
 */
import type { Handlers, ServerEnv } from '../context.js';
import { checkQuota, iso, presentAgent, revokeGrant } from '../domain/rules.js';
import { notFound } from '../http/http-error.js';
import { newId } from '../domain/ids.js';
import { refuseAtLimit } from './request-limits.js';
import type { AgentRecord, Tenant } from '../domain/store.js';

/** The caller's agent, or 404 (another developer's agent is 404 too, unless the tenant-leak fault is on). */
function agentOf(tenant: Tenant, agentId: string, leak: boolean, all: () => Iterable<Tenant>): AgentRecord {
  const own = tenant.agents.get(agentId);
  if (own !== undefined) return own;
  if (leak) {
    for (const other of all()) {
      const found = other.agents.get(agentId);
      if (found !== undefined) return found;
    }
  }
  throw notFound('Agent not found');
}

/** The agent as answered; the schema-drift-rare fault breaks the schema for names with a control character. */
function presented(env: ServerEnv, agent: AgentRecord): ReturnType<typeof presentAgent> {
  const body = presentAgent(agent);
  if (env.faults.has('schema-drift-rare') && /[\u0000-\u001f]/.test(agent.name))
    return { ...body, scopes: null as unknown as string[] };
  return body;
}

/** Agents deleted under the deleted-agent-exchanges fault, by tenant: their approved codes still exchange. */
const deletedUnderFault = new WeakMap<Tenant, Map<string, AgentRecord>>();

/** An agent deleted while the deleted-agent-exchanges fault was on (never set on a correct server). */
export function deletedAgent(tenant: Tenant, agentId: string): AgentRecord | undefined {
  return deletedUnderFault.get(tenant)?.get(agentId);
}

function removeAgent(
  tenant: Tenant,
  agent: AgentRecord,
  revoke: (grantId: string) => void,
  keepRequests = false,
): void {
  for (const grant of [...tenant.grants.values()]) {
    if (grant.agentId !== agent.id) continue;
    revoke(grant.id);
    tenant.grants.delete(grant.id);
    for (const [jti, t] of tenant.tokens) if (t.grantId === grant.id) tenant.tokens.delete(jti);
    for (const [id, r] of tenant.refreshTokens) if (r.grantId === grant.id) tenant.refreshTokens.delete(id);
  }
  for (const [id, request] of keepRequests ? [] : tenant.authRequests) {
    if (request.agentId === agent.id && request.status !== 'consumed') tenant.authRequests.delete(id);
  }
  tenant.agents.delete(agent.id);
}

export const agentHandlers = {
  agentsCreate: ({ env, tenant, body }) => {
    refuseAtLimit(env.faults, 'agentsCreate', body as Record<string, unknown>);
    checkQuota(tenant, 'agents', tenant.agents.size);
    const now = iso(env.now());
    const agent: AgentRecord = {
      id: newId('ag', env.now()),
      developerId: tenant.developer.id,
      name: env.variants.name(body.name),
      description: body.description ?? '',
      scopes: [...(body.scopes ?? [])],
      status: 'active',
      createdAt: now,
      updatedAt: now,
    };
    tenant.agents.set(agent.id, agent);
    return { status: 201, body: presented(env, agent) };
  },

  agentsList: ({ env, tenant }) => ({
    status: 200,
    body: { agents: env.variants.order([...tenant.agents.values()].reverse()).map(presentAgent) },
  }),

  agentsGet: ({ env, tenant, params }) => ({
    status: 200,
    body: presentAgent(agentOf(tenant, params.agentId, env.faults.has('tenant-leak'), () => env.store.allTenants())),
  }),

  agentsUpdate: ({ env, tenant, params, body }) => {
    const agent = agentOf(tenant, params.agentId, false, () => []);
    if (body.name !== undefined) agent.name = env.variants.name(body.name);
    if (body.description !== undefined) agent.description = body.description;
    if (body.scopes !== undefined) agent.scopes = [...body.scopes];
    if (body.status !== undefined) agent.status = body.status;
    agent.updatedAt = iso(env.now());
    return { status: 200, body: presented(env, agent) };
  },

  agentsDelete: ({ env, tenant, params }) => {
    const agent = agentOf(tenant, params.agentId, false, () => []);
    // Broken on purpose (deleted-agent-tokens-valid): the agent goes, its grants and tokens stay active.
    if (env.faults.has('deleted-agent-tokens-valid')) tenant.agents.delete(agent.id);
    else {
      // Broken on purpose (deleted-agent-exchanges): codes approved before the deletion stay exchangeable.
      const keep = env.faults.has('deleted-agent-exchanges');
      removeAgent(tenant, agent, (grantId) => revokeGrant(env, tenant, grantId), keep);
      if (keep) deletedUnderFault.set(tenant, (deletedUnderFault.get(tenant) ?? new Map()).set(agent.id, agent));
    }
    return { status: 204 };
  },
} satisfies Partial<Handlers>;
