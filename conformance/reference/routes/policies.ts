/**
 * @module routes/policies
 * Policies that auto-approve or auto-deny authorization requests.
 */
import type { components } from '../../../generated/schema.js';
import type { Handlers } from '../context.js';
import { checkQuota, iso } from '../domain/rules.js';
import { notFound } from '../http/http-error.js';
import { newId } from '../domain/ids.js';
import { listingOrder } from '../domain/policy.js';
import type { PolicyRecord, Tenant } from '../domain/store.js';

/** The API form of a policy. */
export function presentPolicy(p: PolicyRecord): components['schemas']['Policy'] {
  return {
    id: p.id,
    name: p.name,
    effect: p.effect,
    priority: p.priority,
    agentId: p.agentId,
    principalId: p.principalId,
    scopes: p.scopes === null ? null : [...p.scopes],
    timeOfDayStart: p.timeOfDayStart,
    timeOfDayEnd: p.timeOfDayEnd,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

function policyOf(tenant: Tenant, id: string): PolicyRecord {
  const policy = tenant.policies.get(id);
  if (policy === undefined) throw notFound('Policy not found');
  return policy;
}

export const policyHandlers = {
  policiesCreate: ({ env, tenant, body }) => {
    checkQuota(tenant, 'policies', tenant.policies.size);
    const now = iso(env.now());
    const policy: PolicyRecord = {
      id: newId('pol', env.now()),
      name: body.name,
      effect: body.effect,
      priority: body.priority ?? 0,
      agentId: body.agentId ?? null,
      principalId: body.principalId ?? null,
      scopes: body.scopes === undefined ? null : [...body.scopes],
      timeOfDayStart: body.timeOfDayStart ?? null,
      timeOfDayEnd: body.timeOfDayEnd ?? null,
      createdAt: now,
      updatedAt: now,
    };
    tenant.policies.set(policy.id, policy);
    return { status: 201, body: presentPolicy(policy) };
  },

  policiesList: ({ env, tenant }) => {
    const policies = env.variants.order(listingOrder(tenant.policies.values())).map(presentPolicy);
    return { status: 200, body: { policies, total: policies.length } };
  },

  policiesGet: ({ tenant, params }) => ({ status: 200, body: presentPolicy(policyOf(tenant, params.policyId)) }),

  policiesUpdate: ({ env, tenant, params, body }) => {
    const policy = policyOf(tenant, params.policyId);
    if (body.name !== undefined) policy.name = body.name;
    if (body.effect !== undefined) policy.effect = body.effect;
    if (body.priority !== undefined) policy.priority = body.priority;
    if (body.agentId !== undefined) policy.agentId = body.agentId;
    if (body.principalId !== undefined) policy.principalId = body.principalId;
    if (body.scopes !== undefined) policy.scopes = body.scopes === null ? null : [...body.scopes];
    if (body.timeOfDayStart !== undefined) policy.timeOfDayStart = body.timeOfDayStart;
    if (body.timeOfDayEnd !== undefined) policy.timeOfDayEnd = body.timeOfDayEnd;
    policy.updatedAt = iso(env.now());
    return { status: 200, body: presentPolicy(policy) };
  },

  policiesDelete: ({ tenant, params }) => {
    policyOf(tenant, params.policyId);
    tenant.policies.delete(params.policyId);
    return { status: 204 };
  },
} satisfies Partial<Handlers>;
