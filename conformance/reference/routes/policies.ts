/**
 * @module routes/policies
 * Policies that auto-approve or auto-deny authorization requests.
 */
import type { components } from '../../../generated/schema.js';
import type { Handlers } from '../context.js';
import { checkQuota, iso } from '../domain/rules.js';
import { createHash } from 'node:crypto';
import { badRequest, notFound } from '../http/http-error.js';
import { type BundleRecord, stateOf } from '../domain/operations/state.js';
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

// Policy sync: uploaded OPA (Rego) and Cedar bundles, one active per format.

const MAX_BUNDLES = 1_000;

function presentBundle(tenant: Tenant, b: BundleRecord): components['schemas']['PolicyBundle'] {
  return { ...b, developerId: tenant.developer.id };
}

export const policySyncHandlers = {
  policiesSync: ({ env, tenant, body }) => {
    const content = Buffer.from(body.content, 'base64');
    if (content.length === 0) throw badRequest('content must be base64');
    const nowMs = env.now();
    const bundles = stateOf(tenant).bundles;
    const activate = body.activate ?? true;
    if (activate) for (const b of bundles) if (b.format === body.format) b.active = false;
    const bundle: BundleRecord = {
      id: newId('pbnd', nowMs),
      format: body.format,
      version: body.version,
      sha256: createHash('sha256').update(content).digest('hex'),
      fileCount: body.fileCount ?? 1,
      active: activate,
      createdAt: iso(nowMs),
    };
    bundles.push(bundle);
    // The oldest inactive bundle goes first; the active ones stay.
    if (bundles.length > MAX_BUNDLES)
      bundles.splice(
        bundles.findIndex((b) => !b.active),
        1,
      );
    const { id, format, version, sha256, fileCount } = bundle;
    return { status: 201, body: { bundleId: id, format, version, sha256, fileCount, activated: activate } };
  },

  policiesBundles: ({ tenant, query }) => {
    const list = stateOf(tenant)
      .bundles.filter((b) => query.format === undefined || b.format === query.format)
      .reverse()
      .map((b) => presentBundle(tenant, b));
    return { status: 200, body: { bundles: list } };
  },

  policiesActiveBundle: ({ tenant, query }) => {
    const bundle = stateOf(tenant).bundles.find((b) => b.active && b.format === query.format);
    if (bundle === undefined) throw notFound('No active policy bundle found');
    return { status: 200, body: presentBundle(tenant, bundle) };
  },

  policiesSyncWebhook: ({ body }) => ({
    status: 200,
    body: {
      message: 'Webhook received',
      ...(body.ref !== undefined ? { ref: body.ref } : {}),
      ...(body.repository?.full_name !== undefined ? { repository: body.repository.full_name } : {}),
    },
  }),
} satisfies Partial<Handlers>;
