/**
 * @module routes/dpdp
 * DPDP Act 2023 consent records tied to grants, consent notices, grievances,
 * exports and erasure. Withdrawal with `revokeGrant` and erasure revoke the
 * grants (with their cascade and webhooks), like any revocation.
 */
import { createHash } from 'node:crypto';
import type { components } from '../../../generated/schema.js';
import type { Handlers } from '../context.js';
import { eventsOf } from '../domain/operations/event-stream.js';
import { newId, ulid } from '../domain/ids.js';
import { type DpdpRecord, roomFor, stateOf } from '../domain/operations/state.js';
import { iso, revokeGrant } from '../domain/rules.js';
import type { Tenant } from '../domain/store.js';
import { badRequest, HttpError, notFound } from '../http/http-error.js';

type Schemas = components['schemas'];
const DAY_MS = 86_400_000;
const RETENTION_MS = 30 * DAY_MS;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function present(tenant: Tenant, r: DpdpRecord): Schemas['DpdpConsentRecord'] {
  return {
    recordId: r.recordId,
    grantId: r.grantId,
    dataPrincipalId: r.dataPrincipalId,
    dataFiduciaryName: tenant.developer.name,
    purposes: structuredClone(r.purposes),
    scopes: [...r.scopes],
    consentNoticeId: r.consentNoticeId,
    status: r.status,
    consentGivenAt: r.consentGivenAt,
    processingExpiresAt: r.processingExpiresAt,
    retentionUntil: iso(Date.parse(r.processingExpiresAt) + RETENTION_MS),
    accessCount: r.accessCount,
    withdrawnAt: r.withdrawnAt,
    withdrawnReason: r.withdrawnReason,
  };
}

function full(size: number): void {
  if (!roomFor(size)) throw new HttpError(409, 'LIMIT_REACHED', 'Too many records');
}

export const dpdpHandlers = {
  dpdpCreateNotice: ({ env, tenant, body }) => {
    const notices = stateOf(tenant).dpdp.notices;
    const key = `${body.noticeId}@${body.version}`;
    if (notices.has(key)) throw new HttpError(409, 'CONFLICT', 'Notice version already exists');
    full(notices.size);
    const nowMs = env.now();
    const notice = {
      id: newId('notice', nowMs),
      noticeId: body.noticeId,
      version: body.version,
      language: body.language ?? 'en',
      contentHash: sha256(body.content),
      createdAt: iso(nowMs),
    };
    notices.set(key, notice);
    return { status: 201, body: { ...notice } };
  },

  dpdpCreateRecord: ({ env, tenant, body }) => {
    const nowMs = env.now();
    const grant = tenant.grants.get(body.grantId);
    if (grant === undefined) throw new HttpError(400, 'INVALID_GRANT', 'Grant not found or not owned by developer');
    const notice = [...stateOf(tenant).dpdp.notices.values()]
      .reverse()
      .find((n) => n.noticeId === body.consentNoticeId);
    if (notice === undefined) throw new HttpError(400, 'INVALID_NOTICE', 'Consent notice not found');
    const records = stateOf(tenant).dpdp.records;
    full(records.size);
    const record: DpdpRecord = {
      recordId: newId('crec', nowMs),
      grantId: grant.id,
      dataPrincipalId: body.dataPrincipalId,
      purposes: structuredClone(body.purposes),
      scopes: [...grant.scopes],
      consentNoticeId: notice.noticeId,
      consentNoticeHash: notice.contentHash,
      status: 'active',
      consentGivenAt: iso(nowMs),
      processingExpiresAt: body.processingExpiresAt,
      accessCount: 0,
      withdrawnAt: null,
      withdrawnReason: null,
    };
    records.set(record.recordId, record);
    const { recordId, grantId, dataPrincipalId, consentNoticeHash, status, consentGivenAt, processingExpiresAt } =
      record;
    return {
      status: 201,
      body: {
        recordId,
        grantId,
        dataPrincipalId,
        consentNoticeHash,
        status,
        consentGivenAt,
        processingExpiresAt,
        createdAt: consentGivenAt,
      },
    };
  },

  dpdpListRecords: ({ tenant, query }) => {
    const records = [...stateOf(tenant).dpdp.records.values()]
      .filter((r) => query.dataPrincipalId === undefined || r.dataPrincipalId === query.dataPrincipalId)
      .reverse()
      .map((r) => present(tenant, r));
    return { status: 200, body: { records, totalRecords: records.length } };
  },

  dpdpGetRecord: ({ tenant, params }) => {
    const record = stateOf(tenant).dpdp.records.get(params.recordId);
    if (record === undefined) throw notFound('Consent record not found');
    record.accessCount++;
    return { status: 200, body: present(tenant, record) };
  },

  dpdpPrincipalRecords: ({ tenant, params }) => {
    const records = [...stateOf(tenant).dpdp.records.values()]
      .filter((r) => r.dataPrincipalId === params.principalId)
      .reverse()
      .map((r) => present(tenant, r));
    return { status: 200, body: { dataPrincipalId: params.principalId, records, totalRecords: records.length } };
  },

  dpdpWithdraw: ({ env, tenant, params, body }) => {
    const record = stateOf(tenant).dpdp.records.get(params.recordId);
    if (record === undefined) throw notFound('Consent record not found');
    if (record.status !== 'active') throw new HttpError(409, 'ALREADY_WITHDRAWN', 'Consent already withdrawn');
    const nowMs = env.now();
    record.status = 'withdrawn';
    record.withdrawnAt = iso(nowMs);
    record.withdrawnReason = body.reason;
    const grantRevoked = body.revokeGrant === true && revokeGrant(env, tenant, record.grantId);
    eventsOf(tenant).publish('dpdp.consent.withdrawn', { recordId: record.recordId, grantRevoked }, nowMs);
    return {
      status: 200,
      body: {
        recordId: record.recordId,
        status: 'withdrawn',
        withdrawnAt: record.withdrawnAt,
        grantRevoked,
        dataDeleted: body.deleteProcessedData === true,
      },
    };
  },

  dpdpFileGrievance: ({ env, tenant, body }) => {
    const grievances = stateOf(tenant).dpdp.grievances;
    full(grievances.size);
    const nowMs = env.now();
    const grievance = {
      grievanceId: newId('grv', nowMs),
      dataPrincipalId: body.dataPrincipalId,
      recordId: body.recordId ?? null,
      type: body.type,
      description: body.description,
      evidence: structuredClone(body.evidence ?? {}),
      referenceNumber: `GRV-${new Date(nowMs).getUTCFullYear()}-${ulid(nowMs)}`,
      expectedResolutionBy: iso(nowMs + 7 * DAY_MS),
      createdAt: iso(nowMs),
    };
    grievances.set(grievance.grievanceId, grievance);
    const { grievanceId, referenceNumber, type, expectedResolutionBy, createdAt } = grievance;
    return {
      status: 202,
      body: { grievanceId, referenceNumber, type, status: 'submitted', expectedResolutionBy, createdAt },
    };
  },

  dpdpGetGrievance: ({ tenant, params }) => {
    const g = stateOf(tenant).dpdp.grievances.get(params.grievanceId);
    if (g === undefined) throw notFound('Grievance not found');
    return {
      status: 200,
      body: { ...g, evidence: structuredClone(g.evidence), status: 'submitted', resolvedAt: null, resolution: null },
    };
  },

  dpdpCreateExport: ({ env, tenant, body }) => {
    if (Date.parse(body.dateFrom) > Date.parse(body.dateTo)) throw badRequest('dateFrom must not be after dateTo');
    const state = stateOf(tenant).dpdp;
    full(state.exports.size);
    const nowMs = env.now();
    const records = [...state.records.values()].filter(
      (r) => body.dataPrincipalId === undefined || r.dataPrincipalId === body.dataPrincipalId,
    );
    const data = {
      exportType: body.type,
      dateRange: { from: body.dateFrom, to: body.dateTo },
      generatedAt: iso(nowMs),
      consentRecords: body.includeConsentRecords === false ? [] : records.map((r) => present(tenant, r)),
      grievances: [...state.grievances.values()].map((g) => ({ grievanceId: g.grievanceId, type: g.type })),
    };
    const exported = {
      exportId: newId('exp', nowMs),
      type: body.type,
      dateFrom: body.dateFrom,
      dateTo: body.dateTo,
      recordCount: data.consentRecords.length + data.grievances.length,
      data,
      createdAt: iso(nowMs),
    };
    state.exports.set(exported.exportId, exported);
    const { exportId, type, recordCount, createdAt } = exported;
    return {
      status: 201,
      body: { exportId, type, format: 'json', recordCount, data: structuredClone(data), createdAt },
    };
  },

  dpdpGetExport: ({ tenant, params }) => {
    const e = stateOf(tenant).dpdp.exports.get(params.exportId);
    if (e === undefined) throw notFound('Export not found');
    return { status: 200, body: { ...e, data: structuredClone(e.data), format: 'json', status: 'complete' } };
  },

  dpdpErase: ({ env, tenant, params }) => {
    const records = [...stateOf(tenant).dpdp.records.values()].filter((r) => r.dataPrincipalId === params.principalId);
    if (records.length === 0) throw notFound('No consent records found for this data principal');
    const nowMs = env.now();
    let grantsRevoked = 0;
    for (const r of records) {
      r.status = 'erased';
      r.withdrawnAt = iso(nowMs);
      r.withdrawnReason = 'Data erasure request';
      if (revokeGrant(env, tenant, r.grantId)) grantsRevoked++;
    }
    const requestId = `ER-${new Date(nowMs).getUTCFullYear()}-${ulid(nowMs)}`;
    eventsOf(tenant).publish(
      'dpdp.erasure.completed',
      { requestId, recordsErased: records.length, grantsRevoked },
      nowMs,
    );
    return {
      status: 201,
      body: {
        requestId,
        dataPrincipalId: params.principalId,
        status: 'completed',
        recordsErased: records.length,
        grantsRevoked,
        submittedAt: iso(nowMs),
        expectedCompletionBy: iso(nowMs + 7 * DAY_MS),
      },
    };
  },
} satisfies Partial<Handlers>;
