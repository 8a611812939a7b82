/**
 * @module routes/principal
 * Principal sessions: a bearer session token for one principal of one
 * developer, with which the principal lists and revokes their own grants.
 */
import type { Ctx, Handlers, OpId } from '../context.js';
import { randomToken } from '../domain/ids.js';
import { tables, type SessionRecord } from '../domain/identity/principal.js';
import { didOf, grantStatus, iso, parseDuration, revokeGrant } from '../domain/rules.js';
import type { Tenant } from '../domain/store.js';
import { badRequest, notFound, unauthorized } from '../http/http-error.js';
import { forgetOldest, SHARED_CAPS } from '../domain/limits.js';

const MAX_SESSION_S = 86_400;

/** The session and tenant of the request's bearer token, or 401. */
function session(ctx: Ctx<OpId>): { session: SessionRecord; tenant: Tenant } {
  if (ctx.bearer === undefined) throw unauthorized('Missing session token');
  const found = tables(ctx.env.store).sessions.get(ctx.bearer);
  const tenant = found && ctx.env.store.tenant(found.developerId);
  if (found === undefined || tenant === undefined || found.expiresAt <= ctx.env.now())
    throw unauthorized('Invalid or expired session token');
  return { session: found, tenant };
}

export const principalHandlers = {
  principalCreateSession: ({ env, tenant, body }) => {
    const nowMs = env.now();
    const seconds = body.expiresIn === undefined ? 3600 : parseDuration(body.expiresIn);
    if (seconds === undefined) throw badRequest('Invalid expiresIn format. Use e.g. "1h", "30m", "24h".');
    const holds = [...tenant.grants.values()].some(
      (g) => g.principalId === body.principalId && grantStatus(g, nowMs) === 'active',
    );
    if (!holds) throw notFound('No active grants found for this principal');
    const token = `ps_${randomToken(32)}`;
    const expiresAt = nowMs + Math.min(seconds, MAX_SESSION_S) * 1000;
    tables(env.store).sessions.set(token, {
      developerId: tenant.developer.id,
      principalId: body.principalId,
      expiresAt,
    });
    forgetOldest(tables(env.store).sessions, SHARED_CAPS.shortLived);
    return {
      status: 201,
      body: {
        sessionToken: token,
        dashboardUrl: `${env.settings.baseUrl}/permissions#session=${encodeURIComponent(token)}`,
        expiresAt: iso(expiresAt),
      },
    };
  },

  principalGrants: (ctx) => {
    const { session: s, tenant } = session(ctx as Ctx<OpId>);
    const nowMs = ctx.env.now();
    const grants = [...tenant.grants.values()]
      .filter((g) => g.principalId === s.principalId && grantStatus(g, nowMs) === 'active')
      .sort((a, b) => b.issuedAt - a.issuedAt)
      .map((g) => {
        const agent = tenant.agents.get(g.agentId);
        return {
          grantId: g.id,
          agentId: g.agentId,
          agentName: agent?.name ?? null,
          agentDescription: agent?.description ?? null,
          agentDid: didOf(g.agentId),
          scopes: [...g.scopes],
          status: 'active',
          issuedAt: iso(g.issuedAt),
          expiresAt: iso(g.expiresAt),
          delegationDepth: g.delegationDepth,
        };
      });
    return { status: 200, body: { grants, principalId: s.principalId } };
  },

  principalAudit: (ctx) => {
    const { session: s, tenant } = session(ctx as Ctx<OpId>);
    const entries = tenant.audit
      .filter((e) => e.principalId === s.principalId)
      .slice(-100)
      .reverse()
      .map((e) => ({
        entryId: e.entryId,
        agentId: e.agentId,
        agentDid: e.agentDid,
        grantId: e.grantId,
        principalId: e.principalId,
        action: e.action,
        metadata: e.metadata,
        status: e.status,
        timestamp: e.timestamp,
      }));
    return { status: 200, body: { entries } };
  },

  principalRevokeGrant: (ctx) => {
    const { session: s, tenant } = session(ctx as Ctx<OpId>);
    const grant = tenant.grants.get(ctx.params.grantId);
    if (grant === undefined || grant.principalId !== s.principalId || grantStatus(grant, ctx.env.now()) !== 'active')
      throw notFound('Grant not found');
    revokeGrant(ctx.env, tenant, grant.id);
    return { status: 204 };
  },
} satisfies Partial<Handlers>;
