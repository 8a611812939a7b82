/**
 * @module routes/audit
 * The append-only audit trail: one hash chain per developer (SPEC §8).
 */
import { createHash } from 'node:crypto';
import type { components } from '../../../generated/schema.js';
import { hashEntry } from '../domain/audit-hash.js';
import type { Handlers } from '../context.js';
import { checkQuota, iso } from '../domain/rules.js';
import { canonicalClone, exactClone } from '../http/exact-json.js';
import { badRequest, HttpError, notFound } from '../http/http-error.js';
import { MAX_AUDIT_TRAIL_BYTES } from '../domain/limits.js';
import { newId } from '../domain/ids.js';
import type { AuditRecord } from '../domain/store.js';

/** The API form of an audit entry. */
export function presentEntry(e: AuditRecord): components['schemas']['AuditEntry'] {
  return {
    entryId: e.entryId,
    agentId: e.agentId,
    agentDid: e.agentDid,
    grantId: e.grantId,
    principalId: e.principalId,
    developerId: e.developerId,
    action: e.action,
    metadata: exactClone(e.metadata) as Record<string, unknown>,
    hash: e.hash,
    prevHash: e.prevHash,
    timestamp: e.timestamp,
    status: e.status,
  };
}

/** Largest `metadata` of an entry, as canonical JSON in UTF-8 bytes (stated in the spec). */
export const MAX_AUDIT_METADATA_BYTES = 16_384;

export const auditHandlers = {
  auditLog: async ({ env, tenant, body }) => {
    checkQuota(tenant, 'auditEntries', tenant.audit.length);
    const metadata = canonicalClone(body.metadata ?? {}) as Record<string, unknown>;
    const metadataBytes = Buffer.byteLength(JSON.stringify(metadata));
    // Broken on purpose under audit-metadata-limit-off-by-one: the limit itself is refused.
    const cap = env.faults.has('audit-metadata-limit-off-by-one')
      ? MAX_AUDIT_METADATA_BYTES - 1
      : MAX_AUDIT_METADATA_BYTES;
    if (metadataBytes > cap)
      throw badRequest(`metadata is larger than ${MAX_AUDIT_METADATA_BYTES} bytes of canonical JSON`);
    // The trail is also what GET /v1/audit/entries answers in one piece (not paginated): bounded in bytes too.
    const { agentId, agentDid, grantId, principalId, action } = body;
    const entryBytes = metadataBytes + Buffer.byteLength(agentId + agentDid + grantId + principalId + action);
    if (tenant.auditBytes + entryBytes > MAX_AUDIT_TRAIL_BYTES)
      throw new HttpError(
        402,
        'PLAN_LIMIT_EXCEEDED',
        `Limit reached: this local reference server keeps at most ${MAX_AUDIT_TRAIL_BYTES} bytes of audit entries per developer, whatever the plan`,
      );
    // Counted before the hash is awaited, so concurrent appends cannot pass the check together.
    tenant.auditBytes += entryBytes;
    const nowMs = env.now();
    const last = tenant.audit.at(-1);
    const content: Omit<AuditRecord, 'hash'> = {
      entryId: newId('alog', nowMs),
      agentId: body.agentId,
      agentDid: body.agentDid,
      grantId: body.grantId,
      principalId: body.principalId,
      developerId: tenant.developer.id,
      action: body.action,
      // Sorted as it hashes, every key kept (`__proto__` too).
      metadata,
      // Broken on purpose under the fault: the link to the predecessor is lost.
      prevHash: env.faults.has('audit-chain-broken') ? null : (last?.hash ?? null),
      timestamp: iso(nowMs),
      status: body.status ?? 'success',
    };
    const hash = env.faults.has('audit-hash-wrong')
      ? createHash('sha256').update(content.entryId).digest('hex')
      : await hashEntry(content);
    const entry: AuditRecord = { ...content, hash };
    tenant.audit.push(entry);
    return { status: 201, body: presentEntry(entry) };
  },

  auditList: ({ tenant, query }) => {
    const entries = tenant.audit
      .filter((e) => query.agentId === undefined || e.agentId === query.agentId)
      .filter((e) => query.grantId === undefined || e.grantId === query.grantId)
      .filter((e) => query.principalId === undefined || e.principalId === query.principalId)
      .filter((e) => query.action === undefined || e.action === query.action)
      .map(presentEntry);
    return { status: 200, body: { entries } };
  },

  auditGet: ({ tenant, params }) => {
    const entry = tenant.audit.find((e) => e.entryId === params.entryId);
    if (entry === undefined) throw notFound('Audit entry not found');
    return { status: 200, body: presentEntry(entry) };
  },
} satisfies Partial<Handlers>;
