/**
 * @module domain
 * Protocol rules shared by several operations: durations, grant status,
 * token issuance, the online token check, cascading revocation, plan quotas.
 */
import type { components } from '../../../generated/schema.js';
import type { ServerEnv } from '../context.js';
import { HttpError } from '../http/http-error.js';
import { newId } from './ids.js';
import type { GrantClaims } from './keys.js';
import { forgetOldest, HISTORY_CAPS, REFERENCE_CAPS } from './limits.js';
import type { AgentRecord, GrantRecord, Tenant } from './store.js';

type Schemas = components['schemas'];

const DAY_MS = 86_400_000;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Seconds in a duration such as `90s`, `2h` or `1d`; undefined when it is not a positive duration. */
export function parseDuration(value: string): number | undefined {
  const match = /^(\d+)([smhd])$/.exec(value);
  if (match === null) return undefined;
  const seconds = Number(match[1]) * (UNIT_SECONDS[match[2] as string] ?? 0);
  return seconds > 0 && Number.isSafeInteger(seconds) ? seconds : undefined;
}

/** RFC 3339 UTC form of a millisecond instant. */
export const iso = (ms: number): string => new Date(ms).toISOString();

/** The DID of an agent. */
export const didOf = (agentId: string): string => `did:grantex:${agentId}`;

/** `active`, `revoked` or (when past its expiry) `expired`. */
export function grantStatus(grant: GrantRecord, nowMs: number): Schemas['GrantStatus'] {
  if (grant.status === 'revoked') return 'revoked';
  return grant.expiresAt <= nowMs ? 'expired' : 'active';
}

/** The API form of an agent. */
export function presentAgent(agent: AgentRecord): Schemas['Agent'] {
  return {
    agentId: agent.id,
    did: didOf(agent.id),
    developerId: agent.developerId,
    name: agent.name,
    description: agent.description,
    scopes: [...agent.scopes],
    status: agent.status,
    createdAt: agent.createdAt,
    updatedAt: agent.updatedAt,
  };
}

/** The API form of a grant. */
export function presentGrant(grant: GrantRecord, nowMs: number): Schemas['Grant'] {
  return {
    grantId: grant.id,
    agentId: grant.agentId,
    principalId: grant.principalId,
    developerId: grant.developerId,
    scopes: [...grant.scopes],
    status: grantStatus(grant, nowMs),
    issuedAt: iso(grant.issuedAt),
    expiresAt: iso(grant.expiresAt),
    ...(grant.revokedAt !== null ? { revokedAt: iso(grant.revokedAt) } : {}),
    ...(grant.parentGrantId !== null ? { parentGrantId: grant.parentGrantId } : {}),
    delegationDepth: grant.delegationDepth,
  };
}

/** Quotas per plan (those of the hosted server). */
export const PLAN_LIMITS = {
  free: { agents: 500, grants: 1_000, auditEntries: 20_000, policies: 50, webhooks: 30 },
  pro: { agents: 5_000, grants: 50_000, auditEntries: 1_000_000, policies: 500, webhooks: 200 },
  enterprise: { agents: Infinity, grants: Infinity, auditEntries: Infinity, policies: Infinity, webhooks: Infinity },
} as const;

type Quota = keyof (typeof PLAN_LIMITS)['free'];

const QUOTA_WORDS: Record<Quota, string> = {
  agents: 'agent(s)',
  grants: 'active grant(s)',
  auditEntries: 'audit entries',
  policies: 'policies',
  webhooks: 'webhook(s)',
};

/**
 * Throws 402 `PLAN_LIMIT_EXCEEDED` when `count` has reached the plan's quota,
 * or the reference server's own cap where that is lower (limits.ts).
 */
export function checkQuota(tenant: Tenant, quota: Quota, count: number): void {
  const plan = tenant.subscription.plan;
  const max = PLAN_LIMITS[plan][quota];
  const cap = REFERENCE_CAPS[quota];
  if (cap < max && count >= cap) {
    throw new HttpError(
      402,
      'PLAN_LIMIT_EXCEEDED',
      `Limit reached: this local reference server keeps at most ${cap} ${QUOTA_WORDS[quota]} per developer, whatever the plan`,
    );
  }
  if (count >= max) {
    throw new HttpError(
      402,
      'PLAN_LIMIT_EXCEEDED',
      `Plan limit reached: ${plan} plan allows ${max} ${QUOTA_WORDS[quota]}. Upgrade at /v1/billing/checkout`,
    );
  }
}

/** Number of active, unexpired grants. */
export function activeGrantCount(tenant: Tenant, nowMs: number): number {
  let n = 0;
  for (const g of tenant.grants.values()) if (grantStatus(g, nowMs) === 'active') n++;
  return n;
}

/** Delegation claims carried by every token of a delegated grant. */
export interface DelegationClaims {
  parentAgt: string;
  parentGrnt: string;
  delegationDepth: number;
}

/** The delegation claims of a grant's tokens, or undefined for a root grant. */
export function delegationClaimsOf(tenant: Tenant, grant: GrantRecord): DelegationClaims | undefined {
  if (grant.parentGrantId === null) return undefined;
  const parent = tenant.grants.get(grant.parentGrantId);
  return {
    parentAgt: didOf(parent?.agentId ?? ''),
    parentGrnt: grant.parentGrantId,
    delegationDepth: grant.delegationDepth,
  };
}

/**
 * Signs a new grant token for `grant` and records its `jti`. `nowMs` is the
 * instant the caller computed the grant's expiry from, so `exp - iat` is
 * exactly the lifetime asked for even when the clock ticks in between.
 */
export async function issueGrantToken(
  env: ServerEnv,
  tenant: Tenant,
  grant: GrantRecord,
  delegation: DelegationClaims | undefined,
  nowMs: number = env.now(),
): Promise<{ token: string; jti: string }> {
  // The jti-reused fault: one jti per grant, so a refreshed token cannot be told from the first.
  const jti = env.faults.has('jti-reused') ? `tok_${grant.id.slice(grant.id.indexOf('_') + 1)}` : newId('tok', nowMs);
  const scp = env.faults.has('scopes-escalated') ? [...grant.scopes, 'admin:all'] : [...grant.scopes];
  const claims: GrantClaims = {
    agt: didOf(grant.agentId),
    dev: tenant.developer.id,
    scp,
    grnt: grant.id,
    ...(delegation ?? {}),
    sub: grant.principalId,
    jti,
    iat: Math.floor(nowMs / 1000),
    exp: Math.floor(grant.expiresAt / 1000),
  };
  if (grant.audience !== null && !env.faults.has('audience-dropped')) claims.aud = grant.audience;
  const token = await env.signer.sign(claims);
  tenant.tokens.set(jti, { jti, grantId: grant.id, expiresAt: grant.expiresAt, revoked: false });
  forgetOldest(tenant.tokens, HISTORY_CAPS.tokens);
  return { token, jti };
}

/** Creates a single-use refresh token for `grant` (it expires with the grant, after 30 days at most). */
export function issueRefreshToken(env: ServerEnv, tenant: Tenant, grant: GrantRecord): string {
  const nowMs = env.now();
  const id = newId('ref', nowMs);
  tenant.refreshTokens.set(id, {
    id,
    grantId: grant.id,
    expiresAt: Math.min(nowMs + 30 * DAY_MS, grant.expiresAt),
    used: false,
  });
  forgetOldest(tenant.refreshTokens, HISTORY_CAPS.refreshTokens);
  return id;
}

/**
 * Keeps a new grant; past {@link HISTORY_CAPS}.grants the oldest revoked or
 * expired grants are forgotten first, then the oldest of all (their tokens
 * then no longer verify).
 */
export function keepGrant(tenant: Tenant, grant: GrantRecord, nowMs: number): void {
  tenant.grants.set(grant.id, grant);
  forgetOldest(tenant.grants, HISTORY_CAPS.grants, (g) => grantStatus(g, nowMs) !== 'active');
  // A parent delegated from again and again names only children still kept.
  const parent = grant.parentGrantId === null ? undefined : tenant.grants.get(grant.parentGrantId);
  if (parent !== undefined && parent.childIds.length >= HISTORY_CAPS.grants)
    parent.childIds = parent.childIds.filter((id) => tenant.grants.has(id));
}

/** Why a token must not be honoured. */
export type TokenRefusal = 'invalid' | 'wrong_developer' | 'not_found' | 'revoked' | 'expired';

/** The outcome of the online check of a grant token. */
export type TokenCheck = { ok: true; claims: GrantClaims } | { ok: false; reason: TokenRefusal };

/**
 * The online check: signature, issuer and expiry, then that the token was
 * issued to this developer, is known, and neither it nor its grant is revoked.
 */
export async function checkToken(
  env: ServerEnv,
  tenant: Tenant,
  token: string,
  options: { ignoreRevocation?: boolean } = {},
): Promise<TokenCheck> {
  const nowMs = env.now();
  const claims = await env.signer.verify(token, nowMs);
  if (claims === undefined) return { ok: false, reason: 'invalid' };
  if (claims.dev !== tenant.developer.id) return { ok: false, reason: 'wrong_developer' };
  const record = tenant.tokens.get(claims.jti);
  if (record === undefined) return { ok: false, reason: 'not_found' };
  const grant = tenant.grants.get(record.grantId);
  if (options.ignoreRevocation !== true && (record.revoked || grant === undefined || grant.status !== 'active')) {
    return { ok: false, reason: 'revoked' };
  }
  if (record.expiresAt <= nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}

/**
 * Revokes an active grant and every grant delegated from it, at any depth,
 * in one synchronous step (so no request can observe a partial revocation).
 * Returns false when the grant is unknown or already revoked.
 */
export function revokeGrant(env: ServerEnv, tenant: Tenant, grantId: string): boolean {
  const grant = tenant.grants.get(grantId);
  if (grant === undefined || grant.status !== 'active') return false;
  if (env.faults.has('grant-revoke-noop')) return true;
  const nowMs = env.now();
  grant.status = 'revoked';
  grant.revokedAt = nowMs;
  let cascaded = 0;
  if (!env.faults.has('revoke-no-cascade')) {
    for (const id of tenant.descendantsOf(grantId)) {
      const child = tenant.grants.get(id);
      if (child !== undefined && child.status === 'active') {
        child.status = 'revoked';
        child.revokedAt = nowMs;
        cascaded++;
      }
    }
  }
  env.webhooks.emit(tenant, 'grant.revoked', { grantId, cascade: cascaded > 0 });
  return true;
}

/** Data of `grant.created` and `token.issued` events. */
export function grantEventData(grant: GrantRecord): Schemas['GrantCreatedEventData'] {
  return {
    grantId: grant.id,
    agentId: grant.agentId,
    principalId: grant.principalId,
    scopes: [...grant.scopes],
    expiresAt: iso(grant.expiresAt),
  };
}
