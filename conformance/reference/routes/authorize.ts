/**
 * @module routes/authorize
 * Authorization requests: creation (sandbox keys and allow policies approve
 * at once), the sandbox approve/deny shortcuts, and the public consent
 * endpoints the consent page calls.
 */
import type { Handlers } from '../context.js';
import { activeGrantCount, checkQuota, didOf, iso, parseDuration } from '../domain/rules.js';
import { badRequest, forbidden, gone, HttpError, notFound } from '../http/http-error.js';
import { newId, ulid } from '../domain/ids.js';
import { decide, utcTimeOfDay } from '../domain/policy.js';
import type { AuthRequestRecord, Tenant } from '../domain/store.js';
import { refuseAtLimit } from './request-limits.js';

/** SPEC §7.4: 24 hours is the longest advisable grant lifetime; longer requests are capped. */
export const MAX_GRANT_SECONDS = 86_400;

const SCOPE_TEXT: Record<string, string> = {
  'calendar:read': 'Read your calendar events',
  'calendar:write': 'Create, change and delete your calendar events',
  'email:read': 'Read your email',
  'email:send': 'Send email on your behalf',
  'email:delete': 'Delete your email',
  'files:read': 'Read your files',
  'files:write': 'Create and change your files',
  'payments:read': 'See your payments and balances',
  'payments:initiate': 'Start payments of any amount',
  'profile:read': 'Read your profile',
  'contacts:read': 'Read your contacts',
  'payments:mpp:inference': 'Pay for AI inference services (MPP)',
  'payments:mpp:compute': 'Pay for compute services (MPP)',
  'payments:mpp:data': 'Pay for data services (MPP)',
  'payments:mpp:storage': 'Pay for storage services (MPP)',
  'payments:mpp:search': 'Pay for search services (MPP)',
  'payments:mpp:media': 'Pay for media services (MPP)',
  'payments:mpp:delivery': 'Pay for delivery services (MPP)',
  'payments:mpp:browser': 'Pay for browser services (MPP)',
  'payments:mpp:general': 'Pay for general services (MPP)',
};

/**
 * SPEC §14: redirect URIs are registered and matched exactly, so only an
 * absolute http(s) URL without user info can be one; anything else
 * (`javascript:`, `data:`) is refused before the consent page could navigate there.
 */
function checkRedirectUri(value: string | undefined, faults: { has(name: 'redirect-uri-any-scheme'): boolean }): void {
  if (value === undefined || faults.has('redirect-uri-any-scheme')) return;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badRequest('Invalid redirectUri: not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw badRequest('Invalid redirectUri: only http and https URLs are allowed');
  if (url.username !== '' || url.password !== '') throw badRequest('Invalid redirectUri: user info is not allowed');
}

/** A readable sentence for a scope (the scope itself when it has none). */
export function describeScope(scope: string): string {
  const capped = /^payments:initiate:max_(\d+)$/.exec(scope);
  if (capped !== null) return `Start payments of up to ${capped[1]} in your account's currency`;
  return SCOPE_TEXT[scope] ?? scope;
}

/** Whether an agent in `status` may act; `suspendedToo` is a fault that forgets suspension. */
export function usable(status: string, suspendedToo: boolean): boolean {
  return status === 'active' || (suspendedToo && status === 'suspended');
}

/** Under the deny-leaves-code fault: an approved, unexchanged request whose deny is answered 200 but changes nothing. */
function denialIgnored(request: AuthRequestRecord, faulty: boolean): boolean {
  return faulty && request.status === 'approved';
}

function isLive(request: AuthRequestRecord, nowMs: number): boolean {
  return request.status === 'pending' && request.expiresAt > nowMs;
}

function publicRequest(env: { store: { tenantOfAuthRequest(id: string): Tenant | undefined } }, id: string) {
  const tenant = env.store.tenantOfAuthRequest(id);
  const request = tenant?.authRequests.get(id);
  return tenant === undefined || request === undefined ? undefined : { tenant, request };
}

export const authorizeHandlers = {
  authorize: ({ env, tenant, body }) => {
    const nowMs = env.now();
    // Broken on purpose: the limit itself is refused, not only what lies past it.
    if (env.faults.has('scope-limit-off-by-one') && body.scopes.length >= 100)
      throw badRequest('Too many scopes (max 100)');
    refuseAtLimit(env.faults, 'authorize', body as Record<string, unknown>);
    checkQuota(tenant, 'grants', activeGrantCount(tenant, nowMs));
    const agent = tenant.agents.get(body.agentId);
    if (agent === undefined || !usable(agent.status, env.faults.has('suspended-agent-authorizes')))
      throw notFound('Agent not found');
    checkRedirectUri(body.redirectUri, env.faults);
    if (env.faults.has('standard-scope-refused') && body.scopes.includes('payments:mpp:browser'))
      throw badRequest('Unknown scope: payments:mpp:browser');
    if (
      env.faults.has('anomaly-blocks-issuance') &&
      [...tenant.anomalies.values()].some((a) => a.agentId === agent.id && a.acknowledgedAt === null)
    )
      throw forbidden('Authorization blocked: the agent has open anomalies', 'ANOMALY_BLOCKED');

    const effect = decide(
      tenant.policies.values(),
      { agentId: body.agentId, principalId: body.principalId, scopes: body.scopes, timeOfDay: utcTimeOfDay(nowMs) },
      env.faults,
    );
    if (effect === 'deny') throw new HttpError(403, 'POLICY_DENIED', 'Authorization denied by policy');

    const asked = body.expiresIn ?? '24h';
    // Broken on purpose under expires-in-zero-accepted: a zero duration is taken as given.
    const zero = env.faults.has('expires-in-zero-accepted') && /^0+[smhd]$/.test(asked);
    const requested = zero ? 0 : parseDuration(asked);
    if (requested === undefined) throw badRequest('Invalid expiresIn format. Use e.g. "1h", "30m", "24h".');
    // Broken on purpose under expires-in-minimum-off-by-one: 1s, the smallest positive duration, is refused.
    if (env.faults.has('expires-in-minimum-off-by-one') && requested === 1)
      throw badRequest('expiresIn must be at least 2s');
    // Broken on purpose: a lifetime of exactly 24 h, the limit itself, is refused when asked for.
    if (env.faults.has('lifetime-limit-off-by-one') && body.expiresIn !== undefined && requested >= MAX_GRANT_SECONDS)
      throw badRequest('expiresIn must be shorter than 24h');
    const cap = env.faults.has('lifetime-uncapped') ? Number.POSITIVE_INFINITY : MAX_GRANT_SECONDS;
    const lifetime = env.faults.has('expires-in-ignored') ? MAX_GRANT_SECONDS : Math.min(requested, cap);

    const sandbox = tenant.developer.mode === 'sandbox' || env.faults.has('live-auto-approve');
    const approved = sandbox || effect === 'allow';
    const request: AuthRequestRecord = {
      id: newId('areq', nowMs),
      developerId: tenant.developer.id,
      agentId: agent.id,
      principalId: body.principalId,
      scopes: [...body.scopes],
      grantLifetimeSeconds: lifetime,
      expiresAt: nowMs + lifetime * 1000,
      redirectUri: body.redirectUri ?? null,
      state: body.state ?? null,
      audience: body.audience ?? null,
      codeChallenge: body.codeChallenge ?? null,
      status: approved ? 'approved' : 'pending',
      code: approved ? ulid(nowMs) : null,
      createdAt: iso(nowMs),
    };
    env.store.addAuthRequest(tenant, request);

    const base = {
      authRequestId: request.id,
      consentUrl: `${env.settings.baseUrl}/consent?req=${request.id}`,
      expiresAt: iso(request.expiresAt),
    };
    if (sandbox) return { status: 201, body: { ...base, sandbox: true, code: request.code as string } };
    if (effect === 'allow')
      return { status: 201, body: { ...base, policyEnforced: true, effect: 'allow', code: request.code as string } };
    return { status: 201, body: base };
  },

  sandboxApprove: ({ env, tenant, params }) => {
    if (tenant.developer.mode !== 'sandbox') {
      throw forbidden('Live authorization requests must be approved through the consent flow', 'CONSENT_REQUIRED');
    }
    const request = tenant.authRequests.get(params.authRequestId);
    if (request === undefined || !isLive(request, env.now()))
      throw notFound('Auth request not found or already processed');
    request.status = 'approved';
    request.code = ulid(env.now());
    return { status: 200, body: { requestId: request.id, status: 'approved', code: request.code } };
  },

  sandboxDeny: ({ env, tenant, params }) => {
    if (tenant.developer.mode !== 'sandbox') {
      throw forbidden('Live authorization requests must be denied through the consent flow', 'CONSENT_REQUIRED');
    }
    const request = tenant.authRequests.get(params.authRequestId);
    if (request !== undefined && denialIgnored(request, env.faults.has('deny-leaves-code')))
      return { status: 200, body: { requestId: request.id, status: 'denied' } };
    if (request === undefined || !isLive(request, env.now()))
      throw notFound('Auth request not found or already processed');
    request.status = 'denied';
    return { status: 200, body: { requestId: request.id, status: 'denied' } };
  },

  consentGet: ({ env, params }) => {
    const found = publicRequest(env, params.authRequestId);
    if (found === undefined) throw notFound('Auth request not found');
    const { tenant, request } = found;
    if (!isLive(request, env.now())) throw gone('Auth request expired or already processed');
    const agent = tenant.agents.get(request.agentId);
    return {
      status: 200,
      body: {
        id: request.id,
        agentName: agent?.name ?? request.agentId,
        developerName: tenant.developer.name,
        agentDid: didOf(request.agentId),
        agentDescription: agent?.description ?? null,
        scopes: [...request.scopes],
        scopeDescriptions: request.scopes.map((scope) =>
          env.faults.has('consent-raw-scopes') ? scope : describeScope(scope),
        ),
        expiresAt: iso(request.expiresAt),
        status: 'pending',
        fidoRequired: false,
      },
    };
  },

  consentApprove: ({ env, params }) => {
    const found = publicRequest(env, params.authRequestId);
    if (found === undefined || !isLive(found.request, env.now()))
      throw gone('Auth request expired or already processed');
    const { request } = found;
    request.status = 'approved';
    request.code = ulid(env.now());
    return {
      status: 200,
      body: {
        code: request.code,
        ...(request.redirectUri !== null ? { redirectUri: request.redirectUri } : {}),
        ...(request.state !== null ? { state: request.state } : {}),
      },
    };
  },

  consentDeny: ({ env, params }) => {
    const found = publicRequest(env, params.authRequestId);
    if (found !== undefined && denialIgnored(found.request, env.faults.has('deny-leaves-code')))
      return { status: 200, body: {} };
    // A pending request can be denied even after it expired.
    if (found === undefined || found.request.status !== 'pending')
      throw notFound('Auth request not found or already processed');
    const { request } = found;
    request.status = 'denied';
    return {
      status: 200,
      body: {
        ...(request.redirectUri !== null ? { redirectUri: request.redirectUri } : {}),
        ...(request.state !== null ? { state: request.state } : {}),
      },
    };
  },
} satisfies Partial<Handlers>;
