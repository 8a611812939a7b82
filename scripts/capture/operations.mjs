// @module scripts/capture/operations
// Captures real exchanges of the operations groups (budgets, usage, events, vault,
// anomaly operations, policy sync, enterprise SSO, DPDP, MCP registry, billing webhook)
// from a Grantex server at --base-url (loopback only) into test/fixtures/operations/.
// Secrets (API keys, grant tokens, vault tokens, SSO secrets) are replaced by placeholders.
import { mkdirSync, writeFileSync } from 'node:fs';

const arg = process.argv.indexOf('--base-url');
const BASE = arg > 0 ? process.argv[arg + 1] : 'http://127.0.0.1:4300';
if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(BASE)) throw new Error('loopback base URL only');
const OUT = new URL('../../test/fixtures/operations/', import.meta.url);
mkdirSync(OUT, { recursive: true });

import { KEPT, redact, secret } from './redact.mjs';

const groups = {};
let key;
async function call(group, name, method, path, { body, token, headers = {}, raw } = {}) {
  const h = { ...headers };
  const auth = token === undefined ? key : token;
  if (auth) h.authorization = `Bearer ${auth}`;
  if (body !== undefined && raw === undefined) h['content-type'] = 'application/json';
  const res = await fetch(BASE + path, {
    method,
    headers: h,
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await res.text();
  let json;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  const kept = {};
  for (const n of KEPT) if (res.headers.has(n)) kept[n] = res.headers.get(n);
  (groups[group] ??= []).push({
    name,
    request: {
      method,
      path,
      headers: Object.keys(h).filter((n) => n !== 'authorization'),
      auth: token === null ? 'none' : token === undefined ? 'apiKey' : 'other',
      body,
    },
    response: { status: res.status, headers: kept, body: json, ...(json === undefined && text !== '' ? { text } : {}) },
  });
  return { status: res.status, body: json };
}

const signup = await call('setup', 'signup', 'POST', '/v1/signup', {
  token: null,
  body: { name: 'Operations capture', mode: 'sandbox' },
});
key = secret(signup.body.apiKey, 'api key');
let agent = await call('setup', 'agent', 'POST', '/v1/agents', {
  body: { name: 'ops-agent', scopes: ['calendar:read', 'github:read'] },
});
async function grant(principalId) {
  const a = await call('setup', 'authorize', 'POST', '/v1/authorize', {
    body: { agentId: agent.body.agentId, principalId, scopes: ['calendar:read', 'github:read'] },
  });
  const t = await call('setup', 'token', 'POST', '/v1/token', {
    body: { code: a.body.code, agentId: agent.body.agentId },
  });
  secret(t.body.grantToken, 'grant token');
  secret(t.body.refreshToken, 'refresh token');
  return t.body;
}

// Events: one SSE reader for the whole run.
const abort = new AbortController();
const sseRes = await fetch(`${BASE}/v1/events/stream`, {
  headers: { authorization: `Bearer ${key}` },
  signal: abort.signal,
});
const sseHeaders = Object.fromEntries(
  [...sseRes.headers].filter(([n]) => ['content-type', 'cache-control'].includes(n)),
);
let sseText = '';
const sseDone = (async () => {
  const dec = new TextDecoder();
  try {
    for await (const chunk of sseRes.body) sseText += dec.decode(chunk, { stream: true });
  } catch {}
})();

const g1 = await grant('user_ops_1');
// Budgets
await call('budgets', 'allocations-empty', 'GET', '/v1/budget/allocations');
await call('budgets', 'allocate', 'POST', '/v1/budget/allocate', {
  body: { grantId: g1.grantId, initialBudget: 100, currency: 'USD' },
});
await call('budgets', 'allocate-duplicate', 'POST', '/v1/budget/allocate', {
  body: { grantId: g1.grantId, initialBudget: 5 },
});
await call('budgets', 'allocate-bad', 'POST', '/v1/budget/allocate', {
  body: { grantId: g1.grantId, initialBudget: 0 },
});
await call('budgets', 'allocate-unknown-grant', 'POST', '/v1/budget/allocate', {
  body: { grantId: 'grnt_NOPE', initialBudget: 5 },
});
const idem = { 'idempotency-key': 'capture-debit-1' };
await call('budgets', 'debit', 'POST', '/v1/budget/debit', {
  body: { grantId: g1.grantId, amount: 12.5, description: 'first', metadata: { run: 'capture' } },
  headers: idem,
});
await call('budgets', 'debit-same-idempotency-key', 'POST', '/v1/budget/debit', {
  body: { grantId: g1.grantId, amount: 12.5, description: 'first', metadata: { run: 'capture' } },
  headers: idem,
});
await call('budgets', 'debit-over-budget', 'POST', '/v1/budget/debit', { body: { grantId: g1.grantId, amount: 1000 } });
await call('budgets', 'debit-bad', 'POST', '/v1/budget/debit', { body: { grantId: g1.grantId, amount: -1 } });
await call('budgets', 'debit-unknown-grant', 'POST', '/v1/budget/debit', { body: { grantId: 'grnt_NOPE', amount: 1 } });
await call('budgets', 'balance', 'GET', `/v1/budget/balance/${g1.grantId}`);
await call('budgets', 'balance-unknown', 'GET', '/v1/budget/balance/grnt_NOPE');
await call('budgets', 'transactions', 'GET', `/v1/budget/transactions/${g1.grantId}?page=1&pageSize=1`);
await call('budgets', 'transactions-bad-page', 'GET', `/v1/budget/transactions/${g1.grantId}?page=0`);
await call('budgets', 'allocations', 'GET', '/v1/budget/allocations');

// Usage
await call('usage', 'current', 'GET', '/v1/usage');
await call('usage', 'history', 'GET', '/v1/usage/history?days=7');

// Vault
const stored = await call('vault', 'store', 'POST', '/v1/vault/credentials', {
  body: {
    principalId: 'user_ops_1',
    service: 'github',
    accessToken: secret('gho_capture_access_token_0001', 'vault access token'),
    refreshToken: secret('ghr_capture_refresh_0001', 'vault refresh token'),
    tokenExpiresAt: '2030-01-01T00:00:00.000Z',
    metadata: { login: 'octo' },
  },
});
await call('vault', 'store-bad-service', 'POST', '/v1/vault/credentials', {
  body: { principalId: 'user_ops_1', service: 'bad service!', accessToken: 'x' },
});
await call('vault', 'store-missing', 'POST', '/v1/vault/credentials', { body: { principalId: 'user_ops_1' } });
await call('vault', 'list', 'GET', '/v1/vault/credentials');
await call('vault', 'list-filtered', 'GET', '/v1/vault/credentials?principalId=user_ops_1&service=github');
await call('vault', 'get', 'GET', `/v1/vault/credentials/${stored.body.id}`);
await call('vault', 'get-unknown', 'GET', '/v1/vault/credentials/vc_NOPE');
await call('vault', 'exchange', 'POST', '/v1/vault/credentials/exchange', {
  token: g1.grantToken,
  body: { service: 'github' },
});
await call('vault', 'exchange-wrong-service', 'POST', '/v1/vault/credentials/exchange', {
  token: g1.grantToken,
  body: { service: 'slack' },
});
await call('vault', 'exchange-no-token', 'POST', '/v1/vault/credentials/exchange', {
  token: null,
  body: { service: 'github' },
});
await call('vault', 'exchange-api-key', 'POST', '/v1/vault/credentials/exchange', { body: { service: 'github' } });
await call('vault', 'delete', 'DELETE', `/v1/vault/credentials/${stored.body.id}`);
await call('vault', 'delete-again', 'DELETE', `/v1/vault/credentials/${stored.body.id}`);
await call('vault', 'exchange-nothing-stored', 'POST', '/v1/vault/credentials/exchange', {
  token: g1.grantToken,
  body: { service: 'github' },
});

// Anomaly operations
await call('anomaly-ops', 'detect', 'POST', '/v1/anomalies/detect');
const alerts = await call('anomaly-ops', 'alerts', 'GET', '/v1/anomaly/alerts');
await call('anomaly-ops', 'alerts-bad-status', 'GET', '/v1/anomaly/alerts?status=nope');
await call('anomaly-ops', 'alerts-filtered', 'GET', '/v1/anomaly/alerts?status=open&severity=low&limit=5');
const alertId = alerts.body?.data?.[0]?.alertId;
if (alertId) {
  await call('anomaly-ops', 'alert-acknowledge', 'POST', `/v1/anomaly/alerts/${alertId}/acknowledge`, {
    body: { note: 'seen' },
  });
  await call('anomaly-ops', 'alert-resolve', 'POST', `/v1/anomaly/alerts/${alertId}/resolve`, {
    body: { note: 'fine' },
  });
}
await call('anomaly-ops', 'alert-acknowledge-unknown', 'POST', '/v1/anomaly/alerts/anm_NOPE/acknowledge', { body: {} });
await call('anomaly-ops', 'alert-resolve-unknown', 'POST', '/v1/anomaly/alerts/anm_NOPE/resolve', { body: {} });
await call('anomaly-ops', 'metrics', 'GET', '/v1/anomaly/metrics?window=6h');
await call('anomaly-ops', 'metrics-bad', 'GET', '/v1/anomaly/metrics?window=2d');
const rule = await call('anomaly-ops', 'rule-create', 'POST', '/v1/anomaly/rules', {
  body: {
    ruleId: 'many_tokens',
    name: 'Many tokens',
    description: 'More than 100 tokens an hour',
    condition: { metric: 'token_issuance', threshold: 100, window: '1h' },
    severity: 'high',
    alertChannels: [],
  },
});
await call('anomaly-ops', 'rule-create-bad', 'POST', '/v1/anomaly/rules', { body: { ruleId: 'x', name: 'x' } });
await call('anomaly-ops', 'rules', 'GET', '/v1/anomaly/rules');
await call('anomaly-ops', 'rule-delete', 'DELETE', `/v1/anomaly/rules/${rule.body.id}`);
await call('anomaly-ops', 'rule-delete-unknown', 'DELETE', `/v1/anomaly/rules/${rule.body.id}`);
const channel = await call('anomaly-ops', 'channel-create', 'POST', '/v1/anomaly/channels', {
  body: {
    type: 'webhook',
    name: 'On call',
    config: { url: 'https://hooks.example.com/anomalies' },
    severities: ['critical'],
  },
});
await call('anomaly-ops', 'channel-create-bad', 'POST', '/v1/anomaly/channels', {
  body: { type: 'pager', name: 'x', config: {} },
});
await call('anomaly-ops', 'channels', 'GET', '/v1/anomaly/channels');
await call('anomaly-ops', 'channel-delete', 'DELETE', `/v1/anomaly/channels/${channel.body.id}`);
await call('anomaly-ops', 'channel-delete-unknown', 'DELETE', `/v1/anomaly/channels/${channel.body.id}`);

// Policy sync
const rego = Buffer.from('package grantex\ndefault allow = false\n').toString('base64');
await call('policy-sync', 'sync', 'POST', '/v1/policies/sync', {
  body: { format: 'rego', version: '1.0.0', content: rego, fileCount: 1, activate: true },
});
await call('policy-sync', 'sync-inactive', 'POST', '/v1/policies/sync', {
  body: { format: 'rego', version: '1.0.1', content: rego, activate: false },
});
await call('policy-sync', 'sync-bad-format', 'POST', '/v1/policies/sync', {
  body: { format: 'yaml', version: '1', content: rego },
});
await call('policy-sync', 'bundles', 'GET', '/v1/policies/bundles');
await call('policy-sync', 'bundles-cedar', 'GET', '/v1/policies/bundles?format=cedar');
await call('policy-sync', 'active', 'GET', '/v1/policies/bundles/active?format=rego');
await call('policy-sync', 'active-none', 'GET', '/v1/policies/bundles/active?format=cedar');
await call('policy-sync', 'active-no-format', 'GET', '/v1/policies/bundles/active');
await call('policy-sync', 'webhook', 'POST', '/v1/policies/sync/webhook', {
  body: { ref: 'refs/heads/main', repository: { full_name: 'acme/policies' } },
});

// Enterprise SSO
const oidc = await call('sso-enterprise', 'connection-create-oidc', 'POST', '/v1/sso/connections', {
  body: {
    name: 'Okta',
    protocol: 'oidc',
    issuerUrl: 'http://127.0.0.1:9/oidc',
    clientId: 'grantex',
    clientSecret: secret('oidc-client-secret-capture', 'sso client secret'),
    domains: ['acme.example'],
    jitProvisioning: true,
    groupAttribute: 'groups',
    groupMappings: { admins: ['admin:*'] },
    defaultScopes: ['read'],
  },
});
const saml = await call('sso-enterprise', 'connection-create-saml', 'POST', '/v1/sso/connections', {
  body: {
    name: 'ADFS',
    protocol: 'saml',
    idpEntityId: 'https://idp.example/entity',
    idpSsoUrl: 'https://idp.example/sso',
    idpCertificate: 'not-a-certificate',
    spEntityId: 'https://app.example/sp',
    spAcsUrl: 'https://app.example/sso/callback/saml',
  },
});
const ldap = await call('sso-enterprise', 'connection-create-ldap', 'POST', '/v1/sso/connections', {
  body: {
    name: 'Directory',
    protocol: 'ldap',
    ldapUrl: 'ldap://127.0.0.1:9',
    ldapBindDn: 'cn=admin,dc=acme,dc=example',
    ldapBindPassword: secret('ldap-bind-password-capture', 'ldap bind password'),
    ldapSearchBase: 'ou=people,dc=acme,dc=example',
  },
});
await call('sso-enterprise', 'connection-create-bad', 'POST', '/v1/sso/connections', {
  body: { name: 'x', protocol: 'kerberos' },
});
await call('sso-enterprise', 'connections', 'GET', '/v1/sso/connections');
await call('sso-enterprise', 'connection-update', 'PATCH', `/v1/sso/connections/${oidc.body.id}`, {
  body: { name: 'Okta (prod)', status: 'testing' },
});
await call('sso-enterprise', 'connection-update-bad', 'PATCH', `/v1/sso/connections/${oidc.body.id}`, { body: {} });
await call('sso-enterprise', 'connection-update-unknown', 'PATCH', '/v1/sso/connections/sso_NOPE', {
  body: { name: 'x' },
});
await call('sso-enterprise', 'connection-test-oidc', 'POST', `/v1/sso/connections/${oidc.body.id}/test`);
await call('sso-enterprise', 'connection-test-saml', 'POST', `/v1/sso/connections/${saml.body.id}/test`);
await call('sso-enterprise', 'connection-test-ldap', 'POST', `/v1/sso/connections/${ldap.body.id}/test`);
await call('sso-enterprise', 'connection-test-unknown', 'POST', '/v1/sso/connections/sso_NOPE/test');
await call('sso-enterprise', 'enforce', 'POST', '/v1/sso/enforce', { body: { enforce: false } });
await call('sso-enterprise', 'enforce-bad', 'POST', '/v1/sso/enforce', { body: { enforce: 'yes' } });
await call('sso-enterprise', 'sessions', 'GET', '/v1/sso/sessions');
await call('sso-enterprise', 'session-revoke-unknown', 'DELETE', '/v1/sso/sessions/ssosess_NOPE');
await call('sso-enterprise', 'callback-oidc-missing', 'POST', '/sso/callback/oidc', { token: null, body: {} });
await call('sso-enterprise', 'callback-oidc-bad-state', 'POST', '/sso/callback/oidc', {
  token: null,
  body: { code: 'c', state: 'forged' },
});
await call('sso-enterprise', 'callback-saml-missing', 'POST', '/sso/callback/saml', { token: null, body: {} });
await call('sso-enterprise', 'callback-saml-bad-state', 'POST', '/sso/callback/saml', {
  token: null,
  body: { SAMLResponse: 'PHNhbWw+', RelayState: 'forged' },
});
await call('sso-enterprise', 'callback-ldap-missing', 'POST', '/sso/callback/ldap', { token: null, body: {} });
await call('sso-enterprise', 'callback-ldap-unreachable', 'POST', '/sso/callback/ldap', {
  token: null,
  body: {
    username: 'alice',
    password: secret('ldap-user-password-capture', 'ldap user password'),
    connectionId: ldap.body.id,
    org: signup.body.developerId,
  },
});
await call('sso-enterprise', 'callback-ldap-unknown', 'POST', '/sso/callback/ldap', {
  token: null,
  body: { username: 'alice', password: 'x', connectionId: 'sso_NOPE', org: signup.body.developerId },
});
await call('sso-enterprise', 'connection-delete', 'DELETE', `/v1/sso/connections/${saml.body.id}`);
await call('sso-enterprise', 'connection-delete-unknown', 'DELETE', `/v1/sso/connections/${saml.body.id}`);

// DPDP (a fresh developer, for the per-developer rate limit)
const signupDpdp = await call('setup', 'signup-dpdp', 'POST', '/v1/signup', {
  token: null,
  body: { name: 'Operations capture DPDP', mode: 'sandbox' },
});
key = secret(signupDpdp.body.apiKey, 'api key');
agent = await call('setup', 'agent-dpdp', 'POST', '/v1/agents', {
  body: { name: 'ops-agent', scopes: ['calendar:read', 'github:read'] },
});
const g2 = await grant('user_ops_2');
await call('dpdp', 'notice-create', 'POST', '/v1/dpdp/consent-notices', {
  body: {
    noticeId: 'notice-ops',
    version: '1.0',
    title: 'How we use your data',
    content: 'We process your calendar to plan trips.',
    purposes: [{ code: 'trip-planning', description: 'Plan trips' }],
    dataFiduciaryContact: 'privacy@acme.example',
    grievanceOfficer: { name: 'G. Officer', email: 'grievance@acme.example' },
  },
});
await call('dpdp', 'notice-create-duplicate', 'POST', '/v1/dpdp/consent-notices', {
  body: { noticeId: 'notice-ops', version: '1.0', title: 't', content: 'c', purposes: [] },
});
await call('dpdp', 'notice-create-bad', 'POST', '/v1/dpdp/consent-notices', { body: { noticeId: 'n' } });
const rec = await call('dpdp', 'record-create', 'POST', '/v1/dpdp/consent-records', {
  body: {
    grantId: g2.grantId,
    dataPrincipalId: 'user_ops_2',
    purposes: [{ code: 'trip-planning', description: 'Plan trips' }],
    consentNoticeId: 'notice-ops',
    processingExpiresAt: '2030-01-01T00:00:00.000Z',
  },
});
await call('dpdp', 'record-create-bad', 'POST', '/v1/dpdp/consent-records', { body: { grantId: g2.grantId } });
await call('dpdp', 'record-create-unknown-grant', 'POST', '/v1/dpdp/consent-records', {
  body: {
    grantId: 'grnt_NOPE',
    dataPrincipalId: 'user_ops_2',
    purposes: [{ code: 'a', description: 'b' }],
    consentNoticeId: 'notice-ops',
    processingExpiresAt: '2030-01-01T00:00:00.000Z',
  },
});
await call('dpdp', 'record-create-unknown-notice', 'POST', '/v1/dpdp/consent-records', {
  body: {
    grantId: g2.grantId,
    dataPrincipalId: 'user_ops_2',
    purposes: [{ code: 'a', description: 'b' }],
    consentNoticeId: 'nope',
    processingExpiresAt: '2030-01-01T00:00:00.000Z',
  },
});
await call('dpdp', 'records', 'GET', '/v1/dpdp/consent-records');
await call('dpdp', 'records-filtered', 'GET', '/v1/dpdp/consent-records?dataPrincipalId=user_ops_2');
await call('dpdp', 'record-get', 'GET', `/v1/dpdp/consent-records/${rec.body.recordId ?? rec.body.id}`);
await call('dpdp', 'record-get-unknown', 'GET', '/v1/dpdp/consent-records/crec_NOPE');
await call('dpdp', 'principal-records', 'GET', '/v1/dpdp/data-principals/user_ops_2/records');
const griev = await call('dpdp', 'grievance-file', 'POST', '/v1/dpdp/grievances', {
  body: {
    dataPrincipalId: 'user_ops_2',
    recordId: rec.body.recordId ?? rec.body.id,
    type: 'access-request',
    description: 'Please show me my data',
    evidence: { channel: 'email' },
  },
});
await call('dpdp', 'grievance-file-bad', 'POST', '/v1/dpdp/grievances', { body: { dataPrincipalId: 'user_ops_2' } });
await call('dpdp', 'grievance-get', 'GET', `/v1/dpdp/grievances/${griev.body.grievanceId ?? griev.body.id}`);
await call('dpdp', 'grievance-get-unknown', 'GET', '/v1/dpdp/grievances/grv_NOPE');
const exp = await call('dpdp', 'export-create', 'POST', '/v1/dpdp/exports', {
  body: {
    type: 'dpdp-audit',
    dateFrom: '2026-01-01T00:00:00.000Z',
    dateTo: '2030-01-01T00:00:00.000Z',
    includeActionLog: true,
    includeConsentRecords: true,
  },
});
await call('dpdp', 'export-create-bad', 'POST', '/v1/dpdp/exports', {
  body: { type: 'nope', dateFrom: '2026-01-01', dateTo: '2026-02-01' },
});
await call('dpdp', 'export-get', 'GET', `/v1/dpdp/exports/${exp.body.exportId ?? exp.body.id}`);
await call('dpdp', 'export-get-unknown', 'GET', '/v1/dpdp/exports/dexp_NOPE');
await call('dpdp', 'record-withdraw', 'POST', `/v1/dpdp/consent-records/${rec.body.recordId ?? rec.body.id}/withdraw`, {
  body: { reason: 'No longer needed', revokeGrant: true, deleteProcessedData: true },
});
await call(
  'dpdp',
  'record-withdraw-again',
  'POST',
  `/v1/dpdp/consent-records/${rec.body.recordId ?? rec.body.id}/withdraw`,
  { body: { reason: 'again' } },
);
await call(
  'dpdp',
  'record-withdraw-bad',
  'POST',
  `/v1/dpdp/consent-records/${rec.body.recordId ?? rec.body.id}/withdraw`,
  { body: {} },
);
await call('dpdp', 'erasure', 'POST', '/v1/dpdp/data-principals/user_ops_2/erasure');
await call('dpdp', 'erasure-unknown', 'POST', '/v1/dpdp/data-principals/user_nobody/erasure');

// MCP registry (a second developer: the first one is near its 100 calls a minute)
const signup2 = await call('setup', 'signup-2', 'POST', '/v1/signup', {
  token: null,
  body: { name: 'Operations capture 2', mode: 'sandbox' },
});
key = secret(signup2.body.apiKey, 'api key');
const srv = await call('mcp', 'server-register', 'POST', '/v1/mcp/servers', {
  body: {
    name: 'Ops calendar MCP',
    description: 'Calendar tools',
    serverUrl: 'https://mcp.acme.example',
    npmPackage: '@acme/calendar-mcp',
    category: 'productivity',
    scopes: ['calendar:read'],
  },
});
await call('mcp', 'server-register-bad', 'POST', '/v1/mcp/servers', { body: { name: 'x', category: 'nope' } });
await call('mcp', 'servers', 'GET', '/v1/mcp/servers?limit=1', { token: null });
await call('mcp', 'servers-search', 'GET', '/v1/mcp/servers?q=calendar&certified=false&sort=stars', { token: null });
await call('mcp', 'server-get', 'GET', `/v1/mcp/servers/${srv.body.serverId}`, { token: null });
await call('mcp', 'server-get-unknown', 'GET', '/v1/mcp/servers/mcp_NOPE', { token: null });
const cert = await call('mcp', 'certification-apply', 'POST', '/v1/mcp/certification/apply', {
  body: { serverId: srv.body.serverId, requestedLevel: 'bronze' },
});
await call('mcp', 'certification-apply-pending', 'POST', '/v1/mcp/certification/apply', {
  body: { serverId: srv.body.serverId, requestedLevel: 'silver' },
});
await call('mcp', 'certification-apply-bad', 'POST', '/v1/mcp/certification/apply', {
  body: { serverId: srv.body.serverId, requestedLevel: 'platinum' },
});
await call('mcp', 'certification-get', 'GET', `/v1/mcp/certification/${cert.body.certificationId}`);
await call('mcp', 'certification-get-unknown', 'GET', '/v1/mcp/certification/cert_NOPE');

// Billing webhook
await call('billing-webhook', 'unsigned', 'POST', '/v1/billing/webhook', {
  token: null,
  body: { type: 'customer.subscription.updated' },
});
await call('billing-webhook', 'bad-signature', 'POST', '/v1/billing/webhook', {
  token: null,
  body: { type: 'x' },
  headers: { 'stripe-signature': 't=1,v1=00' },
});

// Events: a little time for the last ones, then close.
await new Promise((r) => setTimeout(r, 1500));
await call('events', 'stream-unauthenticated', 'GET', '/v1/events/stream', { token: null });
abort.abort();
await sseDone;
groups.events.push({
  name: 'stream',
  request: { method: 'GET', path: '/v1/events/stream', auth: 'apiKey' },
  response: { status: sseRes.status, headers: sseHeaders, text: redact(sseText) },
});

for (const [group, exchanges] of Object.entries(groups)) {
  writeFileSync(
    new URL(`${group}.json`, OUT),
    `${JSON.stringify({ capturedAt: new Date().toISOString(), exchanges: redact(exchanges) }, null, 2)}\n`,
  );
}
console.log(
  Object.fromEntries(
    Object.entries(groups).map(([g, e]) => [g, e.map((x) => `${x.name}:${x.response.status}`).join(' ')]),
  ),
);
