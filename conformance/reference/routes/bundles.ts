/**
 * @module routes/bundles
 * Consent bundles for offline authorization: a grant, its token, a key-set
 * snapshot and a per-bundle Ed25519 audit key; offline audit entries come back
 * hash-chained and signed, and a broken batch is refused whole.
 */
import { createHash } from 'node:crypto';
import { exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import type { components } from '../../../generated/schema.js';
import type { Handlers, ServerEnv } from '../context.js';
import { bundles, type BundleRecord } from '../domain/identity/bundles.js';
import { newId } from '../domain/ids.js';
import { grantStatus, issueGrantToken, iso, keepGrant, parseDuration, revokeGrant } from '../domain/rules.js';
import type { GrantRecord, Tenant } from '../domain/store.js';
import { badRequest, conflict, HttpError, notFound } from '../http/http-error.js';
import { SHARED_CAPS } from '../domain/limits.js';

type Entry = components['schemas']['OfflineAuditEntry'];

const GENESIS = '0000000000000000';
const MAX_ENTRIES = 1000;

function mine(env: ServerEnv, tenant: Tenant, bundleId: string): BundleRecord {
  const b = bundles(env.store).get(bundleId);
  if (b === undefined || b.developerId !== tenant.developer.id) throw notFound('Bundle not found');
  return b;
}

/** Token, key snapshot and a fresh audit key pair for a bundle. */
async function material(env: ServerEnv, tenant: Tenant, bundle: BundleRecord, grant: GrantRecord) {
  const nowMs = env.now();
  const { token } = await issueGrantToken(env, tenant, grant, undefined);
  const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  bundle.auditKey = pair.publicKey;
  bundle.checkpointAt = nowMs;
  const body = {
    bundleId: bundle.id,
    grantToken: token,
    jwksSnapshot: { keys: env.keys.jwks.keys, fetchedAt: iso(nowMs), validUntil: iso(bundle.offlineExpiresAt) },
    offlineAuditKey: {
      publicKey: await exportSPKI(pair.publicKey),
      privateKey: await exportPKCS8(pair.privateKey),
      algorithm: 'Ed25519',
    },
    checkpointAt: nowMs,
    syncEndpoint: `${env.settings.baseUrl}/v1/audit/offline-sync`,
    offlineExpiresAt: iso(bundle.offlineExpiresAt),
  };
  return { ...body, data: body };
}

function presentBundle(b: BundleRecord) {
  return {
    id: b.id,
    agentId: b.agentId,
    grantId: b.grantId,
    userId: b.userId,
    scopes: [...b.scopes],
    status: b.status,
    deviceId: b.deviceId,
    devicePlatform: b.devicePlatform,
    offlineTTL: b.offlineTTL,
    offlineExpiresAt: iso(b.offlineExpiresAt),
    checkpointAt: iso(b.checkpointAt),
    auditEntryCount: b.entries.length,
    lastSyncAt: b.lastSyncAt === null ? null : iso(b.lastSyncAt),
    createdAt: iso(b.createdAt),
    revokedAt: b.revokedAt === null ? null : iso(b.revokedAt),
  };
}

function revocation(b: BundleRecord) {
  return {
    bundleId: b.id,
    status: b.status,
    revokedAt: b.revokedAt === null ? null : iso(b.revokedAt),
    revokedBy: b.revokedBy,
    grantRevoked: b.grantRevoked,
    checkpointAt: b.checkpointAt,
  };
}

/** SHA-256 (hex) of an entry: its fields, each followed by `|`, then `prevHash`. */
export function offlineEntryHash(e: Entry): string {
  const h = createHash('sha256');
  const meta = e.metadata === undefined ? '' : JSON.stringify(e.metadata);
  for (const part of [String(e.seq), e.timestamp, e.action, e.agentDID, e.grantId, e.scopes.join(','), e.result, meta])
    h.update(`${part}|`);
  h.update(e.prevHash);
  return h.digest('hex');
}

async function entryProblem(key: CryptoKey, e: Entry, prevHash: string): Promise<string | undefined> {
  if (e.prevHash !== prevHash) return 'INVALID_CHAIN';
  if (offlineEntryHash(e) !== e.hash) return 'INVALID_HASH';
  const signature = /^[0-9a-f]+$/i.test(e.signature) ? Buffer.from(e.signature, 'hex') : new Uint8Array();
  const ok = await crypto.subtle.verify('Ed25519', key, signature, new TextEncoder().encode(e.hash)).catch(() => false);
  return ok ? undefined : 'INVALID_SIGNATURE';
}

export const bundleHandlers = {
  bundlesCreate: async ({ env, tenant, body }) => {
    const nowMs = env.now();
    const agent = tenant.agents.get(body.agentId);
    if (agent === undefined || agent.status !== 'active') throw notFound('Agent not found');
    if (bundles(env.store).size >= SHARED_CAPS.offlineBundles)
      throw badRequest(`This local reference server keeps at most ${SHARED_CAPS.offlineBundles} offline bundles`);
    const unknown = body.scopes.filter((s) => !agent.scopes.includes(s));
    if (unknown.length > 0)
      throw new HttpError(422, 'INVALID_SCOPES', `Scopes are not registered for this agent: ${unknown.join(', ')}`);
    const ttl = body.offlineTTL ?? '72h';
    const seconds = parseDuration(ttl);
    if (seconds === undefined) throw badRequest('offlineTTL must be like 72h');
    const grant: GrantRecord = {
      id: newId('grnt', nowMs),
      developerId: tenant.developer.id,
      agentId: agent.id,
      principalId: body.userId,
      scopes: [...body.scopes],
      status: 'active',
      issuedAt: nowMs,
      expiresAt: nowMs + seconds * 1000,
      revokedAt: null,
      audience: null,
      parentGrantId: null,
      delegationDepth: 0,
      childIds: [],
    };
    keepGrant(tenant, grant, nowMs);
    const bundle: BundleRecord = {
      id: newId('bundle', nowMs),
      developerId: tenant.developer.id,
      agentId: agent.id,
      grantId: grant.id,
      userId: body.userId,
      scopes: [...body.scopes],
      status: 'active',
      deviceId: body.deviceId ?? null,
      devicePlatform: body.devicePlatform ?? null,
      offlineTTL: ttl,
      offlineExpiresAt: grant.expiresAt,
      checkpointAt: nowMs,
      auditKey: undefined as unknown as CryptoKey,
      entries: [],
      lastSyncAt: null,
      createdAt: nowMs,
      revokedAt: null,
      revokedBy: null,
      grantRevoked: false,
    };
    const body201 = await material(env, tenant, bundle, grant);
    bundles(env.store).set(bundle.id, bundle);
    return { status: 201, body: body201 };
  },

  bundlesList: ({ env, tenant, query }) => {
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 100);
    const cursor = query.cursor === undefined ? undefined : Date.parse(query.cursor);
    if (cursor !== undefined && Number.isNaN(cursor)) throw badRequest('cursor must be a valid date-time');
    const rows = [...bundles(env.store).values()]
      .filter((b) => b.developerId === tenant.developer.id)
      .filter((b) => query.status === undefined || b.status === query.status)
      .filter((b) => query.agentId === undefined || b.agentId === query.agentId)
      .filter((b) => cursor === undefined || b.createdAt < cursor)
      .sort((a, b) => b.createdAt - a.createdAt || b.id.localeCompare(a.id))
      .slice(0, limit);
    const last = rows.at(-1);
    const page = { bundles: rows.map(presentBundle) };
    return { status: 200, body: rows.length === limit && last ? { ...page, nextCursor: iso(last.createdAt) } : page };
  },

  bundlesGet: ({ env, tenant, params }) => ({ status: 200, body: presentBundle(mine(env, tenant, params.bundleId)) }),

  bundlesAudit: ({ env, tenant, params }) => ({
    status: 200,
    body: { entries: mine(env, tenant, params.bundleId).entries.map((e) => ({ ...e })) },
  }),

  bundlesRefresh: async ({ env, tenant, params }) => {
    const bundle = mine(env, tenant, params.bundleId);
    const nowMs = env.now();
    if (bundle.status === 'revoked') throw new HttpError(409, 'BUNDLE_REVOKED', 'Cannot refresh a non-active bundle');
    const grant = tenant.grants.get(bundle.grantId);
    if (grant === undefined || grantStatus(grant, nowMs) !== 'active')
      throw new HttpError(409, 'GRANT_INACTIVE', 'The bundle grant is no longer active');
    return { status: 200, body: await material(env, tenant, bundle, grant) };
  },

  bundlesRevoke: ({ env, tenant, params, body }) => {
    const bundle = mine(env, tenant, params.bundleId);
    if (bundle.status !== 'revoked') {
      bundle.status = 'revoked';
      bundle.revokedAt = env.now();
      bundle.revokedBy = tenant.developer.id;
      if (body?.revokeGrant === true) bundle.grantRevoked = revokeGrant(env, tenant, bundle.grantId);
    }
    const state = revocation(bundle);
    return { status: 200, body: { ...state, data: state } };
  },

  bundlesRevocationStatus: ({ env, tenant, params }) => ({
    status: 200,
    body: { data: revocation(mine(env, tenant, params.bundleId)) },
  }),

  bundlesSyncAudit: async ({ env, tenant, body }) => {
    const bundle = mine(env, tenant, body.bundleId);
    if (body.entries.length > MAX_ENTRIES) throw new HttpError(413, 'PAYLOAD_TOO_LARGE', 'Too many entries');
    const known = new Map(bundle.entries.map((e) => [e.seq, e.hash]));
    const errors: { seq: number; code: string; message: string }[] = [];
    let prev = bundle.entries.at(-1)?.hash ?? GENESIS;
    const fresh: Entry[] = [];
    for (const entry of [...body.entries].sort((a, b) => a.seq - b.seq)) {
      const existing = known.get(entry.seq);
      if (existing !== undefined) {
        if (existing !== entry.hash) throw conflict(`Entry ${entry.seq} already exists with a different hash`);
        continue;
      }
      const problem = await entryProblem(bundle.auditKey, entry, prev);
      if (problem !== undefined)
        errors.push({ seq: entry.seq, code: problem, message: `Entry ${entry.seq}: ${problem}` });
      fresh.push(entry);
      prev = entry.hash;
    }
    if (errors.length > 0) {
      const detail = errors.map((e) => `${e.seq} ${e.code}`).join(', ');
      throw new HttpError(400, 'INVALID_AUDIT_ENTRIES', `Offline audit batch failed integrity validation: ${detail}`);
    }
    if (bundle.entries.length + fresh.length > SHARED_CAPS.bundleEntries)
      throw badRequest(
        `This local reference server keeps at most ${SHARED_CAPS.bundleEntries} audit entries per bundle`,
      );
    const nowMs = env.now();
    for (const e of fresh) bundle.entries.push({ ...e, id: newId('oae', nowMs), syncedAt: iso(nowMs) });
    bundle.lastSyncAt = nowMs;
    const outcome = {
      accepted: body.entries.length,
      rejected: 0,
      revocationStatus: bundle.status === 'revoked' ? 'revoked' : 'valid',
      revokedAt: bundle.revokedAt === null ? null : iso(bundle.revokedAt),
      errors: [],
      newBundle: null,
    };
    return { status: 200, body: { ...outcome, data: outcome } };
  },
} satisfies Partial<Handlers>;
