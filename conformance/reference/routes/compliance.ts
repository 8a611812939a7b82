/**
 * @module routes/compliance
 * Compliance summary, exports and evidence pack, computed from the
 * developer's state; the pack re-verifies the audit hash chain.
 */
import type { components } from '../../../generated/schema.js';
import { verifyChain } from '../domain/audit-hash.js';
import type { Handlers } from '../context.js';
import { grantStatus, iso } from '../domain/rules.js';
import type { AuditRecord, GrantRecord, Tenant } from '../domain/store.js';
import { RawJson } from '../http/raw-json.js';
import { presentEntry } from './audit.js';
import { presentPolicy } from './policies.js';
import { listingOrder } from '../domain/policy.js';

type Schemas = components['schemas'];

interface Window {
  since?: string | undefined;
  until?: string | undefined;
}

function within(ms: number, w: Window): boolean {
  return (w.since === undefined || ms >= Date.parse(w.since)) && (w.until === undefined || ms <= Date.parse(w.until));
}

function grantsIn(tenant: Tenant, w: Window): GrantRecord[] {
  return [...tenant.grants.values()].filter((g) => within(g.issuedAt, w));
}

function entriesIn(tenant: Tenant, w: Window): AuditRecord[] {
  return tenant.audit.filter((e) => within(Date.parse(e.timestamp), w));
}

function summary(tenant: Tenant, w: Window, nowMs: number): Schemas['EvidencePackSummary'] {
  const agents = [...tenant.agents.values()];
  const grants = grantsIn(tenant, w).map((g) => grantStatus(g, nowMs));
  const entries = entriesIn(tenant, w);
  const count = <T>(list: readonly T[], value: T) => list.filter((x) => x === value).length;
  return {
    agents: {
      total: agents.length,
      active: count(
        agents.map((a) => a.status),
        'active',
      ),
      suspended: count(
        agents.map((a) => a.status),
        'suspended',
      ),
      revoked: 0,
    },
    grants: {
      total: grants.length,
      active: count(grants, 'active'),
      revoked: count(grants, 'revoked'),
      expired: count(grants, 'expired'),
    },
    auditEntries: {
      total: entries.length,
      success: count(
        entries.map((e) => e.status),
        'success',
      ),
      failure: count(
        entries.map((e) => e.status),
        'failure',
      ),
      blocked: count(
        entries.map((e) => e.status),
        'blocked',
      ),
    },
    policies: { total: tenant.policies.size },
    plan: tenant.subscription.plan,
  };
}

function exportGrant(g: GrantRecord, nowMs: number): Schemas['ComplianceGrant'] {
  return {
    grantId: g.id,
    agentId: g.agentId,
    principalId: g.principalId,
    developerId: g.developerId,
    scopes: [...g.scopes],
    status: grantStatus(g, nowMs),
    issuedAt: iso(g.issuedAt),
    expiresAt: iso(g.expiresAt),
    revokedAt: g.revokedAt === null ? null : iso(g.revokedAt),
    delegationDepth: g.delegationDepth,
  };
}

const bounds = (w: Window) => ({
  ...(w.since !== undefined ? { since: w.since } : {}),
  ...(w.until !== undefined ? { until: w.until } : {}),
});

/**
 * Entries as JSON text, a slice at a time, letting other requests in
 * between: a long trail never holds the event loop for its whole length.
 */
async function serializeInSlices(entries: readonly AuditRecord[]): Promise<string> {
  const out: string[] = [];
  for (let at = 0; at < entries.length; at += PRESENT_SLICE) {
    if (at > 0) await new Promise((resolve) => setImmediate(resolve));
    for (const entry of entries.slice(at, at + PRESENT_SLICE)) out.push(JSON.stringify(presentEntry(entry)));
  }
  return `[${out.join(',')}]`;
}

const PRESENT_SLICE = 25;

export const complianceHandlers = {
  complianceSummary: ({ env, tenant, query }) => {
    const nowMs = env.now();
    return { status: 200, body: { generatedAt: iso(nowMs), ...bounds(query), ...summary(tenant, query, nowMs) } };
  },

  complianceExportGrants: ({ env, tenant, query }) => {
    const nowMs = env.now();
    const grants = grantsIn(tenant, query)
      .reverse()
      .filter((g) => query.status === undefined || grantStatus(g, nowMs) === query.status)
      .map((g) => exportGrant(g, nowMs));
    return { status: 200, body: { generatedAt: iso(nowMs), total: grants.length, grants } };
  },

  complianceExportAudit: ({ env, tenant, query }) => {
    const entries = entriesIn(tenant, query)
      .filter((e) => query.agentId === undefined || e.agentId === query.agentId)
      .filter((e) => query.status === undefined || e.status === query.status)
      .map(presentEntry);
    return { status: 200, body: { generatedAt: iso(env.now()), total: entries.length, entries } };
  },

  complianceEvidencePack: async ({ env, tenant, query }) => {
    const nowMs = env.now();
    // Checks the whole chain, since a window may start mid-chain (only new entries are hashed again).
    const chainIntegrity = await verifyChain(tenant.audit);
    const auditEntries = await serializeInSlices(entriesIn(tenant, query));
    const rest = (value: unknown) => JSON.stringify(value);
    const meta = {
      schemaVersion: '1.0',
      generatedAt: iso(nowMs),
      ...bounds(query),
      framework: query.framework ?? 'all',
    };
    const grants = grantsIn(tenant, query)
      .reverse()
      .map((g) => exportGrant(g, nowMs));
    const policies = listingOrder(tenant.policies.values()).map(presentPolicy);
    // The same members in the same order as an object would give; the entries were serialized in slices.
    const text =
      `{"meta":${rest(meta)},"summary":${rest(summary(tenant, query, nowMs))},"grants":${rest(grants)},` +
      `"auditEntries":${auditEntries},"policies":${rest(policies)},"chainIntegrity":${rest(chainIntegrity)}}`;
    return { status: 200, body: new RawJson(text) as never };
  },
} satisfies Partial<Handlers>;
