/**
 * @module routes/grants
 * Grants: list, get, revoke (cascading to every delegated grant), verify with
 * claims, and delegation to a sub-agent (SPEC §9).
 */
import type { Handlers, ServerEnv } from '../context.js';
import type { GrantClaims } from '../domain/keys.js';
import {
  checkToken,
  grantEventData,
  grantStatus,
  iso,
  issueGrantToken,
  issueRefreshToken,
  keepGrant,
  parseDuration,
  presentGrant,
  revokeGrant,
} from '../domain/rules.js';
import { badRequest, forbidden, notFound } from '../http/http-error.js';
import { newId } from '../domain/ids.js';
import type { AgentRecord, GrantRecord, Tenant } from '../domain/store.js';
import { MAX_GRANT_SECONDS } from './authorize.js';

/** SPEC §9: no delegation chain may be longer than this, whatever the configuration. */
export const DELEGATION_HARD_CAP = 10;

function subAgent(
  tenants: () => Iterable<Tenant>,
  tenant: Tenant,
  id: string,
  foreign: boolean,
): AgentRecord | undefined {
  const own = tenant.agents.get(id);
  if (own !== undefined || !foreign) return own?.status === 'active' ? own : undefined;
  for (const other of tenants()) {
    const found = other.agents.get(id);
    if (found?.status === 'active') return found;
  }
  return undefined;
}

/** Whether the token verifies and only its own jti is revoked, its grant still active (for the delegation-revoked-token fault). */
async function onlyTokenRevoked(env: ServerEnv, tenant: Tenant, token: string): Promise<boolean> {
  const claims = await env.signer.verify(token, env.now());
  const record = claims === undefined ? undefined : tenant.tokens.get(claims.jti);
  return record?.revoked === true && tenant.grants.get(record.grantId)?.status === 'active';
}

/** The grant a refused delegation leaves behind under the delegation-refusal-creates-grant fault. */
function leftoverGrant(tenant: Tenant, claims: GrantClaims, subAgentId: string, depth: number, nowMs: number): void {
  const agent = tenant.agents.get(subAgentId);
  if (agent === undefined) return;
  const grant: GrantRecord = {
    id: newId('grnt', nowMs),
    developerId: tenant.developer.id,
    agentId: agent.id,
    principalId: claims.sub,
    scopes: [...claims.scp],
    status: 'active',
    issuedAt: nowMs,
    expiresAt: claims.exp * 1000,
    revokedAt: null,
    audience: null,
    parentGrantId: claims.grnt,
    delegationDepth: depth,
    childIds: [],
  };
  keepGrant(tenant, grant, nowMs);
}

export const grantHandlers = {
  grantsList: ({ env, tenant, query }) => {
    const nowMs = env.now();
    if (env.faults.has('crash-on-bad-query') && /[\u0000-\u001f]/.test(query.status ?? ''))
      throw new TypeError('crash-on-bad-query: unhandled status value');
    // Broken on purpose: a filter on agentId also reaches other developers' grants.
    const leaked =
      env.faults.has('tenant-leak-filter') && query.agentId !== undefined
        ? [...env.store.allTenants()].filter((other) => other !== tenant).flatMap((other) => [...other.grants.values()])
        : [];
    const grants = [...tenant.grants.values(), ...leaked]
      .reverse()
      .filter((g) => query.agentId === undefined || g.agentId === query.agentId)
      .filter((g) => query.principalId === undefined || g.principalId === query.principalId)
      .filter((g) => query.status === undefined || grantStatus(g, nowMs) === query.status)
      .map((g) => presentGrant(g, nowMs));
    return { status: 200, body: { grants: env.variants.order(grants) } };
  },

  grantsGet: ({ env, tenant, params }) => {
    let grant = tenant.grants.get(params.grantId);
    if (grant === undefined && env.faults.has('tenant-leak')) {
      for (const other of env.store.allTenants()) grant ??= other.grants.get(params.grantId);
    }
    if (grant === undefined) throw notFound('Grant not found');
    return { status: 200, body: presentGrant(grant, env.now()) };
  },

  grantsRevoke: ({ env, tenant, params }) => {
    if (!revokeGrant(env, tenant, params.grantId)) throw notFound('Grant not found or already revoked');
    return { status: 204 };
  },

  grantsVerify: async ({ env, tenant, body }) => {
    const result = await checkToken(env, tenant, body.token, {
      ignoreRevocation: env.faults.has('verify-ignores-revocation'),
    });
    if (result.ok)
      return {
        status: 200,
        body: { active: true, claims: { ...result.claims, iss: result.claims.iss ?? env.signer.issuer } },
      };
    if (result.reason === 'invalid') throw badRequest('Invalid token');
    return { status: 200, body: { active: false, reason: result.reason } };
  },

  grantsDelegate: async ({ env, tenant, body }) => {
    const nowMs = env.now();
    const parent = await checkToken(env, tenant, body.parentGrantToken);
    // Broken on purpose: an expired parent token is read as if it were live (its expiry is not capped either).
    const stale =
      !parent.ok && parent.reason === 'invalid' && env.faults.has('delegation-expired-parent')
        ? await env.signer.verify(body.parentGrantToken, 0)
        : undefined;
    const revokedAllowed =
      env.faults.has('delegation-revoked-parent') ||
      (env.faults.has('delegation-revoked-token') && (await onlyTokenRevoked(env, tenant, body.parentGrantToken)));
    if (!parent.ok && stale === undefined && !(parent.reason === 'revoked' && revokedAllowed)) {
      switch (parent.reason) {
        case 'invalid':
          throw badRequest('Invalid parentGrantToken');
        case 'wrong_developer':
          throw forbidden('Parent grant belongs to a different developer');
        case 'not_found':
          throw badRequest('Invalid parentGrantToken claims');
        case 'revoked':
          throw badRequest('Parent grant has been revoked');
        default:
          throw badRequest('Parent grant has expired');
      }
    }
    const claims = stale ?? (parent.ok ? parent.claims : await env.signer.verify(body.parentGrantToken, nowMs));
    if (claims === undefined) throw badRequest('Invalid parentGrantToken');

    const depth = (claims.delegationDepth ?? 0) + 1;
    const limit = Math.min(env.settings.maxDelegationDepth, DELEGATION_HARD_CAP);
    // Broken on purpose under delegation-depth-off-by-one: the limit itself is refused, not only what lies past it.
    const past = env.faults.has('delegation-depth-off-by-one') ? depth >= limit : depth > limit;
    if (past && !env.faults.has('delegation-depth-unlimited')) {
      // Broken on purpose: the refused delegation still leaves an active grant behind.
      if (env.faults.has('delegation-refusal-creates-grant'))
        leftoverGrant(tenant, claims, body.subAgentId, depth, nowMs);
      throw forbidden(
        `Delegation depth limit reached: chains may not exceed ${limit} hop(s)`,
        'DELEGATION_DEPTH_EXCEEDED',
      );
    }
    if (!env.faults.has('delegation-scope-escalation')) {
      const extra = body.scopes.filter((s) => !claims.scp.includes(s));
      if (extra.length > 0) throw badRequest(`Requested scopes exceed parent grant scopes: ${extra.join(', ')}`);
    }
    const agent = subAgent(
      () => env.store.allTenants(),
      tenant,
      body.subAgentId,
      env.faults.has('delegation-foreign-subagent'),
    );
    if (agent === undefined) throw notFound('Sub-agent not found');
    const seconds = parseDuration(body.expiresIn ?? '1h');
    if (seconds === undefined) throw badRequest('Invalid expiresIn format. Use e.g. "1h", "30m", or "1d".');

    const requested = nowMs + Math.min(seconds, MAX_GRANT_SECONDS) * 1000;
    const expiresAt =
      env.faults.has('delegation-exp-not-capped') || stale !== undefined
        ? requested
        : Math.min(requested, claims.exp * 1000);
    const parentGrant = tenant.grants.get(claims.grnt);
    const grant: GrantRecord = {
      id: newId('grnt', nowMs),
      developerId: tenant.developer.id,
      agentId: agent.id,
      principalId: claims.sub,
      scopes: [...new Set(body.scopes)],
      status: 'active',
      issuedAt: nowMs,
      expiresAt,
      revokedAt: null,
      audience: null,
      parentGrantId: claims.grnt,
      delegationDepth: depth,
      childIds: [],
    };
    keepGrant(tenant, grant, nowMs);
    parentGrant?.childIds.push(grant.id);
    const delegation = { parentAgt: claims.agt, parentGrnt: claims.grnt, delegationDepth: depth };
    const { token, jti } = await issueGrantToken(env, tenant, grant, delegation, nowMs);
    const refreshToken = issueRefreshToken(env, tenant, grant);
    env.webhooks.emit(tenant, 'grant.created', {
      ...grantEventData(grant),
      delegationDepth: depth,
      parentGrantId: claims.grnt,
    });
    env.webhooks.emit(tenant, 'token.issued', { tokenId: jti, ...grantEventData(grant) });
    return {
      status: 201,
      body: {
        grantToken: token,
        expiresAt: iso(grant.expiresAt),
        scopes: [...grant.scopes],
        grantId: grant.id,
        refreshToken,
      },
    };
  },
} satisfies Partial<Handlers>;
