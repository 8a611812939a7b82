// The bundled spec covers the whole protocol, with the security each route needs,
// and the generated types keep required fields required.
import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { paths } from '../../generated/schema.js';

interface Operation {
  operationId?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
}
type Spec = { paths: Record<string, Record<string, Operation>>; webhooks: Record<string, unknown>; security: unknown };
const spec = JSON.parse(readFileSync(new URL('../../generated/openapi.json', import.meta.url), 'utf8')) as Spec;

// Every operation listed in the protocol's wire facts (core, consent, signup, extensions).
const PROTOCOL_OPERATIONS = `
GET /health
GET /.well-known/jwks.json
POST /v1/signup
POST /v1/agents
GET /v1/agents
GET /v1/agents/{agentId}
PATCH /v1/agents/{agentId}
DELETE /v1/agents/{agentId}
POST /v1/authorize
POST /v1/token
POST /v1/token/refresh
POST /v1/tokens/verify
POST /v1/tokens/revoke
GET /v1/grants
GET /v1/grants/{grantId}
DELETE /v1/grants/{grantId}
POST /v1/grants/verify
POST /v1/grants/delegate
POST /v1/audit/log
GET /v1/audit/entries
GET /v1/audit/{entryId}
GET /v1/consent/{authRequestId}
POST /v1/consent/{authRequestId}/approve
POST /v1/consent/{authRequestId}/deny
POST /v1/authorize/{authRequestId}/approve
POST /v1/authorize/{authRequestId}/deny
POST /v1/policies
GET /v1/policies
GET /v1/policies/{policyId}
PATCH /v1/policies/{policyId}
DELETE /v1/policies/{policyId}
POST /v1/webhooks
GET /v1/webhooks
DELETE /v1/webhooks/{webhookId}
GET /v1/webhooks/{webhookId}/deliveries
POST /v1/anomalies/detect
GET /v1/anomalies
PATCH /v1/anomalies/{anomalyId}/acknowledge
GET /v1/compliance/summary
GET /v1/compliance/export/grants
GET /v1/compliance/export/audit
GET /v1/compliance/evidence-pack
GET /v1/billing/subscription
POST /v1/billing/checkout
POST /v1/billing/portal
POST /v1/scim/tokens
GET /v1/scim/tokens
DELETE /v1/scim/tokens/{tokenId}
GET /scim/v2/ServiceProviderConfig
GET /scim/v2/Users
POST /scim/v2/Users
GET /scim/v2/Users/{userId}
PUT /scim/v2/Users/{userId}
PATCH /scim/v2/Users/{userId}
DELETE /scim/v2/Users/{userId}
POST /v1/sso/config
GET /v1/sso/config
DELETE /v1/sso/config
GET /sso/login
GET /sso/callback
GET /v1/budget/allocations
POST /v1/budget/allocate
POST /v1/budget/debit
GET /v1/budget/balance/{grantId}
GET /v1/budget/transactions/{grantId}
GET /v1/usage
GET /v1/usage/history
GET /v1/events/stream
GET /v1/events/ws
GET /v1/vault/credentials
POST /v1/vault/credentials
GET /v1/vault/credentials/{credentialId}
DELETE /v1/vault/credentials/{credentialId}
POST /v1/vault/credentials/exchange
GET /v1/anomaly/alerts
POST /v1/anomaly/alerts/{alertId}/acknowledge
POST /v1/anomaly/alerts/{alertId}/resolve
GET /v1/anomaly/metrics
GET /v1/anomaly/rules
POST /v1/anomaly/rules
DELETE /v1/anomaly/rules/{ruleId}
GET /v1/anomaly/channels
POST /v1/anomaly/channels
DELETE /v1/anomaly/channels/{channelId}
POST /v1/policies/sync
GET /v1/policies/bundles
GET /v1/policies/bundles/active
POST /v1/policies/sync/webhook
POST /v1/sso/connections
GET /v1/sso/connections
PATCH /v1/sso/connections/{connectionId}
DELETE /v1/sso/connections/{connectionId}
POST /v1/sso/connections/{connectionId}/test
POST /v1/sso/enforce
GET /v1/sso/sessions
DELETE /v1/sso/sessions/{sessionId}
POST /sso/callback/oidc
POST /sso/callback/saml
POST /sso/callback/ldap
GET /v1/dpdp/consent-records
POST /v1/dpdp/consent-records
GET /v1/dpdp/consent-records/{recordId}
POST /v1/dpdp/consent-records/{recordId}/withdraw
GET /v1/dpdp/data-principals/{principalId}/records
POST /v1/dpdp/consent-notices
POST /v1/dpdp/grievances
GET /v1/dpdp/grievances/{grievanceId}
POST /v1/dpdp/exports
GET /v1/dpdp/exports/{exportId}
POST /v1/dpdp/data-principals/{principalId}/erasure
GET /v1/mcp/servers
POST /v1/mcp/servers
GET /v1/mcp/servers/{serverId}
POST /v1/mcp/certification/apply
GET /v1/mcp/certification/{certificationId}
POST /v1/billing/webhook
`
  .trim()
  .split('\n')
  .map((line) => line.split(' ') as [string, string]);

const PUBLIC = new Set([
  'GET /health',
  'GET /.well-known/jwks.json',
  'POST /v1/signup',
  'GET /v1/consent/{authRequestId}',
  'POST /v1/consent/{authRequestId}/approve',
  'POST /v1/consent/{authRequestId}/deny',
  'GET /sso/login',
  'GET /scim/v2/ServiceProviderConfig',
  'GET /sso/callback',
  'POST /sso/callback/oidc',
  'POST /sso/callback/saml',
  'POST /sso/callback/ldap',
  'GET /v1/mcp/servers',
  'GET /v1/mcp/servers/{serverId}',
  'POST /v1/billing/webhook',
]);
// Called by an agent with its grant token instead of an API key.
const GRANT_TOKEN = new Set(['POST /v1/vault/credentials/exchange']);

function operation(method: string, path: string): Operation | undefined {
  return spec.paths[path]?.[method.toLowerCase()];
}

describe('bundled spec', () => {
  it.each(PROTOCOL_OPERATIONS)('documents %s %s', (method, path) => {
    const op = operation(method, path);
    expect(op, `${method} ${path}`).toBeDefined();
    expect(op?.operationId).toMatch(/^[a-z][A-Za-z0-9]*$/);
    expect(op?.tags).toHaveLength(1);
  });

  it.each(PROTOCOL_OPERATIONS)('secures %s %s as the protocol says', (method, path) => {
    const security = operation(method, path)?.security ?? spec.security;
    const key = `${method} ${path}`;
    if (PUBLIC.has(key)) expect(security).toEqual([]);
    else if (GRANT_TOKEN.has(key)) expect(security).toEqual([{ grantToken: [] }]);
    else if (path.startsWith('/scim/v2/')) expect(security).toEqual([{ scimToken: [] }]);
    else expect(security).toEqual([{ apiKey: [] }]);
  });

  it('has unique operationIds', () => {
    const ids = Object.values(spec.paths).flatMap((item) =>
      Object.values(item).flatMap((op) =>
        typeof op === 'object' && op && 'operationId' in op ? [op.operationId] : [],
      ),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('describes the three webhook events', () => {
    expect(Object.keys(spec.webhooks).sort()).toEqual(['grant.created', 'grant.revoked', 'token.issued']);
  });
});

describe('generated types', () => {
  it('make required response fields non-optional', () => {
    type TokenResponse = paths['/v1/token']['post']['responses'][201]['content']['application/json'];
    expectTypeOf<TokenResponse['grantToken']>().toEqualTypeOf<string>();
    expectTypeOf<TokenResponse['refreshToken']>().toEqualTypeOf<string>();
    type Agent = paths['/v1/agents/{agentId}']['get']['responses'][200]['content']['application/json'];
    expectTypeOf<Agent['agentId']>().toEqualTypeOf<string>();
  });
});
