// One valid call per operationId, with the spec's example values. Shared by the
// routing test (right method and path) and the Prism test (valid requests).
import { Grantex, type ApiPromise } from '../../src/index.js';

const agentId = 'ag_01M8H3D6A60QZ1Z8Z6GZBQ32QD';
const authRequestId = 'areq_01M8H3DM6ZD5V9TQ2K8N4R7B1C';
const grantId = 'grnt_01M8H3DM8B16HXRHCCGA1R4TZ8';
const userId = 'scimuser_01M8H3H9R2U5X8A1D4G7K0M3P6';
const since = '2026-11-01T00:00:00Z';
const until = '2026-12-01T00:00:00Z';
const passportId = 'urn:grantex:passport:01M92Z5E2CS5ZT5ZDKZ83XY07T';
const orgDid = 'did:web:acme.example.com';
const bundleId = 'bundle_01M92Z5F8QDTT2ABZFFAMAVJWR';
/** A principal session token: the principal routes send it instead of the API key. */
export const sessionToken = 'ps_session_token';
// The spec's example grant token (expired; only its shape matters here).
export const exampleToken =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6ImdyYW50ZXgtMjAyNi0xMSJ9.eyJhZ3QiOiJkaWQ6Z3JhbnRleDphZ18wMU04SDNENkE2MFFaMVo4WjZHWkJRMzJRRCIsImRldiI6ImRldl8wMU04SDNENjlFRDIwQ1hYOUJWUjNaNjFBUiIsInNjcCI6WyJjYWxlbmRhcjpyZWFkIiwiZW1haWw6c2VuZCJdLCJncm50IjoiZ3JudF8wMU04SDNETThCMTZIWFJIQ0NHQTFSNFRaOCIsImlzcyI6Imh0dHA6Ly8xMjcuMC4wLjE6MzAwMSIsInN1YiI6InVzZXJfdmVjIiwianRpIjoidG9rXzAxTThIM0RNOEMyQjgySE01TjNHMUMzQkYxIiwiaWF0IjoxNzk1ODcwMzQ3LCJleHAiOjE3OTU4Nzc1NDcsImF1ZCI6Imh0dHBzOi8vYXBpLmV4YW1wbGUudGVzdCJ9.oAVzO5ulNrsiNVKLFqZRk9JNfD49aSyjZktkDzl5RJcm2TFNhJbd7V0gwg03axAOKSd9Vzb5XYc0oWFTxpfoBHYk9YKNhbXlpzbdGoK6GOcVVxZdBbsvfc-tIWbOhiNvh0dpZDrAkzxmI0F381u_HyE_MfwS915uwIuEAkRzAAcE1EIy3qd2W_T87w1wuUJ7wDDTqEHLSBlZ7U5nsMmLPfiEMWnRDmaNy7t--7js877mA_DSS2S6YH_PhCLXvXXI8crHelqjZ1Wqpe153BeIPYW76AhxaHn09Y5gbZC-6eN8ry04zWnX1BonJMsM2bykcxqA8_fgg3EQXMBOzo3ilA';

type Call = (client: Grantex, base: { baseUrl: string; fetch?: typeof fetch }) => ApiPromise<unknown>;

export const calls: Record<string, Call> = {
  health: (c) => c.health(),
  jwks: (c) => c.jwks(),
  signup: (_c, base) => Grantex.signup({ name: 'Acme Agents', mode: 'sandbox', email: 'dev@acme.example' }, base),
  agentsCreate: (c) =>
    c.agents.create({ name: 'Travel assistant', description: 'Books trips', scopes: ['calendar:read', 'email:send'] }),
  agentsList: (c) => c.agents.list(),
  agentsGet: (c) => c.agents.get(agentId),
  agentsUpdate: (c) => c.agents.update(agentId, { name: 'Travel assistant v2', status: 'suspended' }),
  agentsDelete: (c) => c.agents.delete(agentId),
  authorize: (c) =>
    c.authorize({
      agentId,
      userId: 'user_vec',
      scopes: ['calendar:read', 'email:send'],
      expiresIn: '2h',
      audience: 'https://api.example.test',
      codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      codeChallengeMethod: 'S256',
    }),
  sandboxApprove: (c) => c.sandbox.approve(authRequestId),
  sandboxDeny: (c) => c.sandbox.deny(authRequestId),
  consentGet: (c) => c.consent.get(authRequestId),
  consentApprove: (c) => c.consent.approve(authRequestId),
  consentDeny: (c) => c.consent.deny(authRequestId),
  tokensExchange: (c) =>
    c.tokens.exchange({
      code: '01M8H3DM6ZQ4R3T9V2W8X5Y7Z0',
      agentId,
      codeVerifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
    }),
  tokensRefresh: (c) => c.tokens.refresh({ refreshToken: 'ref_01M8H8MPS1DC2SA45T7VF4F6P7', agentId }),
  tokensVerify: (c) => c.tokens.verify(exampleToken),
  tokensRevoke: (c) => c.tokens.revoke('tok_01M8H3DM8C2B82HM5N3G1C3BF1'),
  grantsList: (c) => c.grants.list({ agentId, principalId: 'user_vec', status: 'active' }),
  grantsGet: (c) => c.grants.get(grantId),
  grantsRevoke: (c) => c.grants.revoke(grantId),
  grantsVerify: (c) => c.grants.verify(exampleToken),
  grantsDelegate: (c) =>
    c.grants.delegate({
      parentGrantToken: exampleToken,
      subAgentId: 'ag_01M8H3DM69NWFSMGE5PF3985XB',
      scopes: ['calendar:read'],
      expiresIn: '1h',
    }),
  auditLog: (c) =>
    c.audit.log({
      agentId,
      agentDid: `did:grantex:${agentId}`,
      grantId,
      principalId: 'user_vec',
      action: 'email.sent',
      metadata: { recipient: 'alice@example.com' },
      status: 'success',
    }),
  auditList: (c) => c.audit.list({ agentId, action: 'email.sent' }),
  auditGet: (c) => c.audit.get('alog_01M8H3DBXF6CVR85FPYDJ0J8BR'),
  policiesCreate: (c) =>
    c.policies.create({ name: 'block payments', effect: 'deny', priority: 10, scopes: ['payments:transfer'] }),
  policiesList: (c) => c.policies.list(),
  policiesGet: (c) => c.policies.get('pol_01M8H3E2Q4W8X1Y5Z7A9B3C6D0'),
  policiesUpdate: (c) => c.policies.update('pol_01M8H3E2Q4W8X1Y5Z7A9B3C6D0', { name: 'renamed', priority: 6 }),
  policiesDelete: (c) => c.policies.delete('pol_01M8H3E2Q4W8X1Y5Z7A9B3C6D0'),
  webhooksCreate: (c) => c.webhooks.create({ url: 'https://hooks.example.com/grantex', events: ['grant.created'] }),
  webhooksList: (c) => c.webhooks.list(),
  webhooksDelete: (c) => c.webhooks.delete('wh_01M8H364X1V8K2N5P7R9T3W6Y0'),
  webhooksListDeliveries: (c) =>
    c.webhooks.listDeliveries('wh_01M8H364X1V8K2N5P7R9T3W6Y0', { status: 'failed', page: 1, pageSize: 20 }),
  anomaliesDetect: (c) => c.anomalies.detect(),
  anomaliesList: (c) => c.anomalies.list({ unacknowledged: true }),
  anomaliesAcknowledge: (c) => c.anomalies.acknowledge('anm_01M8H3F5K8M1P4S7V0Y3B6E9H2'),
  complianceSummary: (c) => c.compliance.summary({ since, until }),
  complianceExportGrants: (c) => c.compliance.exportGrants({ since, until, status: 'revoked' }),
  complianceExportAudit: (c) => c.compliance.exportAudit({ since, until, agentId, status: 'failure' }),
  complianceEvidencePack: (c) => c.compliance.evidencePack({ since, until, framework: 'soc2' }),
  billingStatus: (c) => c.billing.status(),
  billingCheckout: (c) =>
    c.billing.checkout({
      plan: 'pro',
      successUrl: 'https://app.example.com/billing/success',
      cancelUrl: 'https://app.example.com/billing/cancel',
    }),
  billingPortal: (c) => c.billing.portal({ returnUrl: 'https://app.example.com/billing' }),
  scimCreateToken: (c) => c.scim.createToken({ label: 'Okta provisioning' }),
  scimListTokens: (c) => c.scim.listTokens(),
  scimRevokeToken: (c) => c.scim.revokeToken('scimtok_01M8H3G7N0Q3T6W9Z2C5F8J1L4'),
  scimServiceProviderConfig: (c) => c.scim.serviceProviderConfig(),
  scimListUsers: (c) => c.scim.listUsers({ startIndex: 1, count: 10 }),
  scimCreateUser: (c) =>
    c.scim.createUser({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'alice@example.com',
      displayName: 'Alice Example',
      emails: [{ value: 'alice@example.com', primary: true }],
    }),
  scimGetUser: (c) => c.scim.getUser(userId),
  scimUpdateUser: (c) => c.scim.updateUser(userId, { userName: 'alice@example.com', displayName: 'Alice Replaced' }),
  scimPatchUser: (c) =>
    c.scim.patchUser(userId, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    }),
  scimDeleteUser: (c) => c.scim.deleteUser(userId),
  ssoCreateConfig: (c) =>
    c.sso.createConfig({
      issuerUrl: 'https://idp.example.com/oauth2/default',
      clientId: 'grantex-client',
      clientSecret: 's3cret-from-the-idp',
      redirectUri: 'https://app.example.com/sso/callback',
    }),
  ssoGetConfig: (c) => c.sso.getConfig(),
  ssoDeleteConfig: (c) => c.sso.deleteConfig(),
  ssoLogin: (c) => c.sso.login({ org: 'dev_01M8H8NGNFBV7WNPMYT74H7B6C', domain: 'example.com' }),
  ssoCallback: (c) => c.sso.callback({ code: 'SplxlOBeZQQYbYS6WxSbIA', state: 'eyJvcmciOiJkZXYifQ.sig' }),
  // Identity groups (issue 21).
  didGet: (c) => c.did.get(),
  passportsIssue: (c) =>
    c.passports.issue({
      agentId,
      grantId,
      allowedMPPCategories: ['inference'],
      maxTransactionAmount: { amount: 50, currency: 'USDC' },
      expiresIn: '2h',
    }),
  passportsList: (c) => c.passports.list({ agentId, status: 'active' }),
  passportsGet: (c) => c.passports.get(passportId),
  passportsRevoke: (c) => c.passports.revoke(passportId),
  credentialsList: (c) => c.credentials.list({ grantId }),
  credentialsGet: (c) => c.credentials.get('vc_01M92VTRWD9SEGQQCF7S4KDJNQ'),
  credentialsVerify: (c) => c.credentials.verify({ credential: exampleToken }),
  credentialsStatus: (c) => c.credentials.status('vcsl_01M92VTQZ4G5VS0XVC8K24AHXJ'),
  credentialsPresent: (c) => c.credentials.present({ sdJwt: `${exampleToken}~` }),
  registryListOrgs: (c) => c.registry.listOrgs(),
  registryRegisterOrg: (c) => c.registry.registerOrg({ did: orgDid, name: 'Acme' }),
  registryGetOrg: (c) => c.registry.getOrg(orgDid),
  registryOrgJwks: (c) => c.registry.orgJwks(orgDid),
  registryVerifyOrgDns: (c) => c.registry.verifyOrgDns('treg_01M92Z5EZ9W8VA65MBY1GFFAMY'),
  registryLegacyList: (c) => c.registry.legacyList(),
  registryLegacyGet: (c) => c.registry.legacyGet(orgDid),
  registryLegacyVerifyDns: (c) => c.registry.legacyVerifyDns({ domain: 'acme.example.com' }),
  bundlesCreate: (c) =>
    c.bundles.create({ agentId, userId: 'user_offline', scopes: ['calendar:read'], offlineTTL: '24h' }),
  bundlesList: (c) => c.bundles.list({ limit: 10 }),
  bundlesGet: (c) => c.bundles.get(bundleId),
  bundlesAudit: (c) => c.bundles.audit(bundleId),
  bundlesRefresh: (c) => c.bundles.refresh(bundleId),
  bundlesRevoke: (c) => c.bundles.revoke(bundleId, { revokeGrant: false }),
  bundlesRevocationStatus: (c) => c.bundles.revocationStatus(bundleId),
  bundlesSyncAudit: (c) =>
    c.bundles.syncAudit({
      bundleId,
      entries: [
        {
          seq: 1,
          timestamp: '2026-12-01T09:00:00.000Z',
          action: 'calendar.read',
          agentDID: 'did:grantex:ag_01M92Z5F8QDTT2ABZFFAMAVJWS',
          grantId,
          scopes: ['calendar:read'],
          result: 'success',
          prevHash: '0000000000000000',
          hash: 'a'.repeat(64),
          signature: 'b'.repeat(128),
        },
      ],
    }),
  principalCreateSession: (c) => c.principal.createSession({ principalId: 'user_vec', expiresIn: '30m' }),
  principalGrants: (c) => c.principal.grants(sessionToken),
  principalAudit: (c) => c.principal.audit(sessionToken),
  principalRevokeGrant: (c) => c.principal.revokeGrant(sessionToken, grantId),
  webauthnRegisterOptions: (c) => c.webauthn.registerOptions({ principalId: 'user_vec' }),
  webauthnRegisterVerify: (c) =>
    c.webauthn.registerVerify({
      challengeId: 'wac_01M92Z5GERPKX0XF96JC5QS0WY',
      response: { id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: {} },
    }),
  webauthnListCredentials: (c) => c.webauthn.listCredentials({ principalId: 'user_vec' }),
  webauthnDeleteCredential: (c) => c.webauthn.deleteCredential('AAAA'),
  webauthnAssertOptions: (c) => c.webauthn.assertOptions({ authRequestId }),
  webauthnAssertVerify: (c) =>
    c.webauthn.assertVerify({
      challengeId: 'wac_01M92Z5GERPKX0XF96JC5QS0WZ',
      response: { id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: {} },
    }),
  domainsList: (c) => c.domains.list(),
  domainsAdd: (c) => c.domains.add({ domain: 'auth.acme.example.com' }),
  domainsVerify: (c) => c.domains.verify('dom_01M92Z5EZ9W8VA65MBY1GFFAMY'),
  domainsDelete: (c) => c.domains.delete('dom_01M92Z5EZ9W8VA65MBY1GFFAMY'),
  accountGet: (c) => c.account.get(),
  accountUpdate: (c) => c.account.update({ fidoRpName: 'Acme' }),
  accountRotateKey: (c) => c.account.rotateKey(),
  accountRequestEmailVerification: (c) => c.account.requestEmailVerification({ email: 'dev@acme.example' }),
  accountConfirmEmail: (c) => c.account.confirmEmail('ed6fd2c5-f8a4-4676-a924-f7233542d4d2'),
  budgetsAllocations: (c) => c.budgets.allocations(),
  budgetsAllocate: (c) => c.budgets.allocate({ grantId, initialBudget: 100, currency: 'USD' }),
  budgetsDebit: (c) => c.budgets.debit({ grantId, amount: 12.5, description: 'inference' }),
  budgetsBalance: (c) => c.budgets.balance(grantId),
  budgetsTransactions: (c) => c.budgets.transactions(grantId, { page: 1, pageSize: 50 }),
  usageCurrent: (c) => c.usage.current(),
  usageHistory: (c) => c.usage.history({ days: 7 }),
  vaultStore: (c) =>
    c.vault.store({ principalId: 'user_alice', service: 'github', accessToken: 'gho_example_access_token' }),
  vaultList: (c) => c.vault.list({ principalId: 'user_alice' }),
  vaultGet: (c) => c.vault.get('vault_01M92Z894P9XA7JCHFPNYHKQ03'),
  vaultDelete: (c) => c.vault.delete('vault_01M92Z894P9XA7JCHFPNYHKQ03'),
  vaultExchange: (c) => c.vault.exchange(exampleToken, { service: 'github' }),
  anomaliesAlerts: (c) => c.anomalies.alerts({ status: 'open', limit: 50 }),
  anomaliesAcknowledgeAlert: (c) => c.anomalies.acknowledgeAlert('anm_01M92Z9KPJ3TTPVKQXHJWMJ3ND', { note: 'seen' }),
  anomaliesResolveAlert: (c) => c.anomalies.resolveAlert('anm_01M92Z9KPJ3TTPVKQXHJWMJ3ND'),
  anomaliesMetrics: (c) => c.anomalies.metrics({ window: '6h' }),
  anomaliesRules: (c) => c.anomalies.rules(),
  anomaliesCreateRule: (c) =>
    c.anomalies.createRule({ ruleId: 'many_tokens', name: 'Many tokens', condition: { threshold: 100 } }),
  anomaliesDeleteRule: (c) => c.anomalies.deleteRule('arule_01M92Z89CDPCRDZV03Y9VZG4Q7'),
  anomaliesChannels: (c) => c.anomalies.channels(),
  anomaliesCreateChannel: (c) =>
    c.anomalies.createChannel({ type: 'webhook', name: 'On call', config: { url: 'https://hooks.example.com/a' } }),
  anomaliesDeleteChannel: (c) => c.anomalies.deleteChannel('achan_01M92Z89E3WVG0VJ2MQ55ZM8KE'),
  policiesSync: (c) => c.policies.sync({ format: 'rego', version: '1.0.0', content: 'cGFja2FnZSBncmFudGV4Cg==' }),
  policiesBundles: (c) => c.policies.bundles({ format: 'rego' }),
  policiesActiveBundle: (c) => c.policies.activeBundle({ format: 'rego' }),
  policiesSyncWebhook: (c) => c.policies.syncWebhook({ ref: 'refs/heads/main', repository: { full_name: 'acme/p' } }),
  ssoCreateConnection: (c) =>
    c.sso.createConnection({
      name: 'Okta',
      protocol: 'oidc',
      issuerUrl: 'https://idp.example.com',
      clientId: 'grantex',
      clientSecret: 's3cret-from-the-idp',
    }),
  ssoListConnections: (c) => c.sso.listConnections(),
  ssoUpdateConnection: (c) => c.sso.updateConnection('sso_01M92Z9MEYD9NR6ZZG7FA48HF4', { name: 'Okta (prod)' }),
  ssoDeleteConnection: (c) => c.sso.deleteConnection('sso_01M92Z9MEYD9NR6ZZG7FA48HF4'),
  ssoTestConnection: (c) => c.sso.testConnection('sso_01M92Z9MEYD9NR6ZZG7FA48HF4'),
  ssoEnforce: (c) => c.sso.enforce({ enforce: false }),
  ssoListSessions: (c) => c.sso.listSessions(),
  ssoRevokeSession: (c) => c.sso.revokeSession('ssosess_01M92ZB9K3Q7R2T8V4W6X0Y1Z2'),
  ssoCallbackOidc: (c) => c.sso.callbackOidc({ code: 'SplxlOBeZQQYbYS6WxSbIA', state: 'eyJvcmciOiJkZXYifQ.sig' }),
  ssoCallbackSaml: (c) => c.sso.callbackSaml({ SAMLResponse: 'PHNhbWxwOlJlc3BvbnNlLz4=', RelayState: 'eyJ9.sig' }),
  ssoCallbackLdap: (c) =>
    c.sso.callbackLdap({ username: 'alice', password: 'correct horse', connectionId: 'sso_01M92', org: 'dev_01M92' }),
  dpdpCreateRecord: (c) =>
    c.dpdp.createRecord({
      grantId,
      dataPrincipalId: 'user_alice',
      purposes: [{ code: 'trip-planning', description: 'Plan trips' }],
      consentNoticeId: 'notice-ops',
      processingExpiresAt: '2030-01-01T00:00:00.000Z',
    }),
  dpdpListRecords: (c) => c.dpdp.listRecords({ dataPrincipalId: 'user_alice' }),
  dpdpGetRecord: (c) => c.dpdp.getRecord('crec_01M92Z9N6CJHGK3Q656XAHH3BC'),
  dpdpWithdraw: (c) => c.dpdp.withdraw('crec_01M92Z9N6CJHGK3Q656XAHH3BC', { reason: 'No longer needed' }),
  dpdpPrincipalRecords: (c) => c.dpdp.principalRecords('user_alice'),
  dpdpCreateNotice: (c) =>
    c.dpdp.createNotice({
      noticeId: 'notice-ops',
      version: '1.0',
      title: 'How we use your data',
      content: 'We plan trips.',
      purposes: [{ code: 'trip-planning', description: 'Plan trips' }],
    }),
  dpdpFileGrievance: (c) =>
    c.dpdp.fileGrievance({ dataPrincipalId: 'user_alice', type: 'access-request', description: 'Show my data' }),
  dpdpGetGrievance: (c) => c.dpdp.getGrievance('grv_01M92Z9NEAS3QTZB8VPCHDRKR8'),
  dpdpCreateExport: (c) => c.dpdp.createExport({ type: 'dpdp-audit', dateFrom: since, dateTo: until }),
  dpdpGetExport: (c) => c.dpdp.getExport('exp_01M92Z9NGYED0FVXPNVK8TZBGW'),
  dpdpErase: (c) => c.dpdp.erase('user_alice'),
  mcpList: (c) => c.mcp.list({ limit: 20 }),
  mcpRegister: (c) => c.mcp.register({ name: 'Calendar MCP', category: 'productivity', scopes: ['calendar:read'] }),
  mcpGet: (c) => c.mcp.get('mcp_srv_01M92Z9NNWWF9EB3HHK0G52TT5'),
  mcpApplyCertification: (c) =>
    c.mcp.applyCertification({ serverId: 'mcp_srv_01M92Z9NNWWF9EB3HHK0G52TT5', requestedLevel: 'bronze' }),
  mcpCertification: (c) => c.mcp.certification('cert_01M92Z9NRA6K1BN9K4NRXKJSC8'),
};

/**
 * Operations the client reaches otherwise: the event stream is an async
 * iterator (test/client/events.test.ts); the WebSocket upgrade and the payment
 * provider's webhook are in the spec only, for servers and the suite.
 */
export const NOT_PROMISE_CALLS: Record<string, string> = {
  eventsStream: 'client.events.stream() (async iterator)',
  eventsWebSocket: 'spec only: the SDK reads events over SSE',
  billingWebhook: 'spec only: called by the payment provider, not by clients',
};
