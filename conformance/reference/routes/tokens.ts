/**
 * @module routes/tokens
 * Code exchange (PKCE S256, single-use codes bound to their agent), refresh
 * with single-use rotation, and the online verify and revoke of tokens.
 */
import { computeCodeChallenge, isValidCodeVerifier } from '../../../src/integrity/pkce.js';
import type { Handlers } from '../context.js';
import {
  activeGrantCount,
  checkQuota,
  checkToken,
  delegationClaimsOf,
  grantEventData,
  iso,
  issueGrantToken,
  issueRefreshToken,
  keepGrant,
} from '../domain/rules.js';
import { badRequest, notFound } from '../http/http-error.js';
import { newId } from '../domain/ids.js';
import type { AuthRequestRecord, GrantRecord, Tenant } from '../domain/store.js';
import { usable } from './authorize.js';
import { deletedAgent } from './agents.js';

/** The request this code belongs to, for this agent (any agent with the code-not-bound fault). */
function requestForCode(
  tenant: Tenant,
  code: string,
  agentId: string,
  unbound: boolean,
): AuthRequestRecord | undefined {
  for (const request of tenant.authRequests.values()) {
    if (request.code !== code) continue;
    if (request.agentId === agentId || unbound) return request;
  }
  return undefined;
}

async function checkPkce(request: AuthRequestRecord, verifier: string | undefined): Promise<void> {
  if (request.codeChallenge === null) return;
  if (verifier === undefined) throw badRequest('codeVerifier is required for PKCE');
  if (!isValidCodeVerifier(verifier)) throw badRequest('Invalid codeVerifier');
  if ((await computeCodeChallenge(verifier)) !== request.codeChallenge) throw badRequest('Invalid codeVerifier');
}

/** Why a code cannot be exchanged, by its request's state: the cause, so the developer knows what to fix. */
const UNUSABLE_CODE: Record<Exclude<AuthRequestRecord['status'], 'approved'>, string> = {
  consumed: 'This code was already exchanged: codes are single-use, so start a new authorization request',
  denied: 'The principal denied this authorization request, so its code cannot be exchanged',
  pending: 'This authorization request is not approved yet: exchange its code after the principal approves',
};

export const tokenHandlers = {
  tokensExchange: async ({ env, tenant, body }) => {
    const nowMs = env.now();
    const agent =
      tenant.agents.get(body.agentId) ??
      (env.faults.has('deleted-agent-exchanges') ? deletedAgent(tenant, body.agentId) : undefined);
    const request = requestForCode(tenant, body.code, body.agentId, env.faults.has('code-not-bound-to-agent'));
    if (
      request === undefined ||
      agent === undefined ||
      !usable(agent.status, env.faults.has('suspended-agent-exchanges'))
    )
      throw badRequest('Invalid code');
    if (request.status !== 'approved') throw badRequest(UNUSABLE_CODE[request.status]);
    if (request.expiresAt < nowMs && !env.faults.has('code-expiry-ignored')) throw badRequest('Auth request expired');
    // A failed PKCE check leaves the code usable.
    if (!env.faults.has('pkce-ignored')) await checkPkce(request, body.codeVerifier);
    checkQuota(tenant, 'grants', activeGrantCount(tenant, nowMs));

    const grant: GrantRecord = {
      id: newId('grnt', nowMs),
      developerId: tenant.developer.id,
      agentId: agent.id,
      principalId: request.principalId,
      scopes: [...request.scopes],
      status: 'active',
      issuedAt: nowMs,
      expiresAt: nowMs + request.grantLifetimeSeconds * 1000,
      revokedAt: null,
      audience: request.audience,
      parentGrantId: null,
      delegationDepth: 0,
      childIds: [],
    };
    // Everything up to here can fail; from here on the exchange completes.
    if (!env.faults.has('code-reusable')) request.status = 'consumed';
    keepGrant(tenant, grant, nowMs);
    const { token, jti } = await issueGrantToken(env, tenant, grant, undefined, nowMs);
    const refreshToken = issueRefreshToken(env, tenant, grant);
    env.webhooks.emit(tenant, 'grant.created', grantEventData(grant));
    env.webhooks.emit(tenant, 'token.issued', { tokenId: jti, ...grantEventData(grant) });
    return {
      status: 201,
      body: {
        grantToken: token,
        expiresAt: iso(grant.expiresAt),
        scopes: [...grant.scopes],
        refreshToken,
        grantId: grant.id,
      },
    };
  },

  tokensRefresh: async ({ env, tenant, body }) => {
    const nowMs = env.now();
    const record = tenant.refreshTokens.get(body.refreshToken);
    const grant = record === undefined ? undefined : tenant.grants.get(record.grantId);
    const agent = grant === undefined ? undefined : tenant.agents.get(grant.agentId);
    if (
      record === undefined ||
      grant === undefined ||
      agent === undefined ||
      !usable(agent.status, env.faults.has('suspended-agent-refreshes'))
    ) {
      throw badRequest('Invalid refresh token');
    }
    if (grant.agentId !== body.agentId) throw badRequest('Agent mismatch');
    if (record.used && !env.faults.has('refresh-token-reusable')) throw badRequest('Refresh token already used');
    if (record.expiresAt < nowMs && !env.faults.has('refresh-after-expiry')) throw badRequest('Refresh token expired');
    if (grant.status === 'revoked') throw badRequest('Grant has been revoked');
    if (grant.expiresAt <= nowMs) {
      if (!env.faults.has('refresh-after-expiry')) throw badRequest('Grant has expired');
      // Broken on purpose: refreshing an expired grant renews it for another hour.
      grant.expiresAt = nowMs + 3_600_000;
    }

    record.used = true;
    const { token, jti } = await issueGrantToken(env, tenant, grant, delegationClaimsOf(tenant, grant));
    const refreshToken = issueRefreshToken(env, tenant, grant);
    env.webhooks.emit(tenant, 'token.issued', { tokenId: jti, ...grantEventData(grant) });
    return {
      status: 201,
      body: {
        grantToken: token,
        expiresAt: iso(grant.expiresAt),
        scopes: [...grant.scopes],
        refreshToken,
        grantId: grant.id,
      },
    };
  },

  tokensVerify: async ({ env, tenant, body }) => {
    const result = await checkToken(env, tenant, body.token, {
      ignoreRevocation: env.faults.has('verify-ignores-revocation'),
    });
    if (!result.ok) return { status: 200, body: { valid: false } };
    const { claims } = result;
    return {
      status: 200,
      body: {
        valid: true,
        grantId: claims.grnt,
        scopes: [...claims.scp],
        principal: claims.sub,
        agent: claims.agt,
        expiresAt: iso(claims.exp * 1000),
      },
    };
  },

  tokensRevoke: ({ env, tenant, body }) => {
    const record = tenant.tokens.get(body.jti);
    if (record === undefined || record.revoked) throw notFound('Token not found or already revoked');
    if (!env.faults.has('token-revoke-noop')) record.revoked = true;
    return { status: 204 };
  },
} satisfies Partial<Handlers>;
