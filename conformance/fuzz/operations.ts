/**
 * @module fuzz/operations
 * The operations of the bundled spec as the fuzzer sees them (path and query
 * parameters, JSON body schema, documented statuses), and the safety policy
 * of each: which ones may get valid requests, which only requests no server
 * can act on, which need a developer the suite created, and the few requests
 * allotted to rate-limited routes.
 */
import { flatten, type Json } from './schema.js';

export type Security = 'none' | 'apiKey' | 'scimToken';

export interface Parameter {
  name: string;
  schema: unknown;
  required: boolean;
}

/** What the fuzzer may send to one operation. */
export interface Policy {
  /** Valid requests may be sent. */
  positive: boolean;
  /** Which negative requests: every mutation, only bodies no server can parse as a request, or none. */
  negatives: 'all' | 'syntax' | 'none';
  /** The operation emits events (webhook deliveries), writes a permanent record or changes configuration: only under a developer the suite created. */
  ownDeveloper?: boolean;
  /** At most this many requests (rate-limited routes). */
  cap?: number;
  /** Why the policy is narrower than the default. */
  why?: string;
}

export interface FuzzOperation {
  /** Position in the spec (stable across runs; part of the replay path). */
  index: number;
  operationId: string;
  method: string;
  template: string;
  tags: string[];
  statuses: string[];
  security: Security;
  path: Parameter[];
  query: Parameter[];
  /** Flattened JSON body schema and its media type. */
  body?: { schema: Json; mediaType: string; required: boolean };
  policy: Policy;
}

const DEFAULT_POLICY: Policy = { positive: true, negatives: 'all' };

/** Every narrower policy, with its reason. Rate-limited routes get 3 requests each. */
const POLICIES: Record<string, Partial<Policy>> = {
  signup: {
    positive: false,
    cap: 3,
    why: 'every accepted signup creates a developer that the API cannot delete; rate-limited',
  },
  authorize: { cap: 3, why: 'rate-limited (authorize)' },
  tokensExchange: { cap: 3, ownDeveloper: true, why: 'rate-limited (token); issues grants (events)' },
  tokensRefresh: { cap: 3, ownDeveloper: true, why: 'rate-limited (token); issues tokens (events)' },
  tokensRevoke: { ownDeveloper: true, why: 'revokes (events)' },
  grantsRevoke: { ownDeveloper: true, why: 'revokes (events)' },
  grantsDelegate: { ownDeveloper: true, why: 'issues grants (events)' },
  agentsDelete: { ownDeveloper: true, why: "revokes the agent's grants (events)" },
  anomaliesDetect: { ownDeveloper: true, why: 'may revoke grants' },
  anomaliesAcknowledge: { ownDeveloper: true, why: 'changes anomalies' },
  auditLog: { ownDeveloper: true, why: 'audit entries are permanent' },
  policiesCreate: { ownDeveloper: true, why: "a policy changes the developer's authorization decisions" },
  policiesUpdate: { ownDeveloper: true, why: 'changes policies' },
  webhooksCreate: { ownDeveloper: true, why: "a webhook receives the developer's events" },
  sandboxApprove: { ownDeveloper: true, why: 'approves authorization requests' },
  consentApprove: { ownDeveloper: true, why: 'approves authorization requests' },
  consentDeny: { ownDeveloper: true, why: 'denies authorization requests' },
  sandboxDeny: { ownDeveloper: true, why: 'denies authorization requests' },
  scimCreateUser: { ownDeveloper: true, why: 'provisions users' },
  scimUpdateUser: { ownDeveloper: true, why: 'changes users' },
  scimPatchUser: { ownDeveloper: true, why: 'changes users' },
  scimDeleteUser: { ownDeveloper: true, why: 'deletes users' },
  billingCheckout: {
    positive: false,
    negatives: 'syntax',
    why: 'never opens a real checkout: only bodies no server can read as a request',
  },
  billingPortal: {
    positive: false,
    negatives: 'syntax',
    why: 'never opens a real billing portal: only bodies no server can read as a request',
  },
  ssoCreateConfig: {
    positive: false,
    ownDeveloper: true,
    why: 'would replace the SSO configuration: invalid requests only',
  },
  ssoDeleteConfig: { positive: false, negatives: 'none', why: 'would delete the SSO configuration' },
  ssoCallback: { cap: 4, why: 'a callback may call the identity provider' },
  // Identity groups.
  accountRotateKey: { positive: false, negatives: 'none', why: "any call replaces the developer's API key" },
  accountUpdate: { positive: false, ownDeveloper: true, why: 'would change whether consents need FIDO' },
  accountRequestEmailVerification: { positive: false, negatives: 'syntax', why: 'would send an email' },
  registryRegisterOrg: { positive: false, why: 'a trust record is public and cannot be deleted through the API' },
  registryVerifyOrgDns: { positive: false, negatives: 'syntax', why: 'makes the server query public DNS' },
  registryLegacyVerifyDns: { positive: false, negatives: 'syntax', why: 'makes the server query public DNS' },
  domainsVerify: { positive: false, negatives: 'syntax', why: 'makes the server query public DNS' },
  domainsAdd: { ownDeveloper: true, why: 'claims a domain' },
  domainsDelete: { ownDeveloper: true, why: 'deletes domains' },
  passportsIssue: { ownDeveloper: true, why: 'issues credentials (events)' },
  passportsRevoke: { ownDeveloper: true, why: 'revokes passports (events)' },
  bundlesCreate: { ownDeveloper: true, why: 'issues grants (events)' },
  bundlesRefresh: { ownDeveloper: true, why: 'issues grant tokens' },
  bundlesRevoke: { ownDeveloper: true, why: 'revokes bundles and grants' },
  bundlesSyncAudit: { ownDeveloper: true, why: 'offline audit entries are permanent' },
  webauthnDeleteCredential: { ownDeveloper: true, why: 'deletes authenticators' },
  // Operations groups (see the side-effect table for what each one sets off).
  budgetsAllocate: { ownDeveloper: true, why: 'attaches a budget to the pool grant' },
  budgetsDebit: { ownDeveloper: true, why: 'spends a budget (single use, never repeated by clients)' },
  eventsStream: { positive: false, negatives: 'none', why: 'a stream that does not end; read by the events checks' },
  eventsWebSocket: { positive: false, negatives: 'none', why: 'a WebSocket upgrade' },
  vaultStore: { ownDeveloper: true, why: 'stores credentials (events)' },
  vaultDelete: { ownDeveloper: true, why: 'deletes credentials (events)' },
  vaultExchange: {
    positive: false,
    negatives: 'none',
    why: 'its credential is a grant token; read by the vault checks',
  },
  anomaliesAcknowledgeAlert: { ownDeveloper: true, why: 'changes alert triage' },
  anomaliesResolveAlert: { ownDeveloper: true, why: 'changes alert triage' },
  anomaliesCreateRule: { ownDeveloper: true, why: 'changes anomaly detection' },
  anomaliesCreateChannel: {
    positive: false,
    ownDeveloper: true,
    why: 'a channel would send alerts to the URL or address it names: invalid requests only',
  },
  policiesSync: { ownDeveloper: true, why: 'activates a policy bundle' },
  policiesSyncWebhook: { ownDeveloper: true, why: 'a push event for the developer’s policies' },
  ssoCreateConnection: {
    positive: false,
    ownDeveloper: true,
    why: 'a connection names an identity provider the server would call: invalid requests only',
  },
  ssoUpdateConnection: { positive: false, ownDeveloper: true, why: 'changes SSO login: invalid requests only' },
  ssoDeleteConnection: { ownDeveloper: true, why: 'changes SSO login' },
  ssoTestConnection: { cap: 3, ownDeveloper: true, why: 'calls the identity provider' },
  ssoEnforce: { positive: false, negatives: 'syntax', ownDeveloper: true, why: 'would require SSO organisation-wide' },
  ssoRevokeSession: { ownDeveloper: true, why: 'ends sessions' },
  ssoCallbackOidc: { cap: 4, why: 'a callback may call the identity provider' },
  ssoCallbackSaml: { cap: 4, why: 'single use' },
  ssoCallbackLdap: { cap: 4, why: 'a callback may call the directory' },
  dpdpCreateRecord: { ownDeveloper: true, why: 'permanent consent records' },
  dpdpWithdraw: { ownDeveloper: true, why: 'irreversible; may revoke grants' },
  dpdpErase: { ownDeveloper: true, why: 'irreversible; revokes grants' },
  dpdpCreateNotice: { ownDeveloper: true, why: 'permanent notice versions' },
  dpdpFileGrievance: { ownDeveloper: true, why: 'grievances must be answered' },
  dpdpCreateExport: { ownDeveloper: true, why: 'exports personal data' },
  mcpRegister: {
    positive: false,
    ownDeveloper: true,
    why: 'a listing in a public registry that the API cannot delete: invalid requests only',
  },
  mcpApplyCertification: {
    positive: false,
    ownDeveloper: true,
    why: 'starts a certification review: invalid requests only',
  },
  billingWebhook: {
    positive: false,
    negatives: 'syntax',
    why: 'called by the payment provider: only bodies no server can read as an event',
  },
};

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The fuzzer's view of every operation of `spec`, in spec order. */
export function fuzzOperations(spec: Json): FuzzOperation[] {
  const out: FuzzOperation[] = [];
  const globalSecurity = (spec['security'] ?? []) as Json[];
  for (const [template, rawItem] of Object.entries((spec['paths'] ?? {}) as Json)) {
    const item = flatten(spec, rawItem);
    for (const method of ['get', 'put', 'post', 'patch', 'delete']) {
      const op = item[method];
      if (!isObject(op) || typeof op['operationId'] !== 'string') continue;
      const parameters = [...((item['parameters'] ?? []) as unknown[]), ...((op['parameters'] ?? []) as unknown[])].map(
        (p) => flatten(spec, p),
      );
      const params = (where: string): Parameter[] =>
        parameters
          .filter((p) => p['in'] === where)
          .map((p) => ({ name: String(p['name']), schema: p['schema'] ?? {}, required: p['required'] === true }));
      const requirement = ((op['security'] ?? globalSecurity) as Json[]).flatMap((entry) => Object.keys(entry));
      // Principal-session routes are fuzzed without a credential (the fuzzer holds no session); a grant-token
      // operation (the vault exchange) is never sent by the fuzzer (its policy): treat it as keyed.
      const security: Security =
        requirement.includes('apiKey') || requirement.includes('grantToken')
          ? 'apiKey'
          : requirement.includes('scimToken')
            ? 'scimToken'
            : 'none';
      const requestBody = op['requestBody'] ? flatten(spec, op['requestBody']) : undefined;
      const content = (requestBody?.['content'] ?? {}) as Json;
      const mediaType = Object.keys(content).find((type) => /json/.test(type));
      const operationId = op['operationId'];
      out.push({
        index: out.length,
        operationId,
        method,
        template,
        tags: (op['tags'] as string[] | undefined) ?? [],
        statuses: Object.keys((op['responses'] ?? {}) as Json),
        security,
        path: params('path'),
        query: params('query'),
        ...(mediaType
          ? {
              body: {
                schema: flatten(spec, (content[mediaType] as Json)['schema']),
                mediaType,
                required: requestBody?.['required'] === true,
              },
            }
          : {}),
        policy: { ...DEFAULT_POLICY, ...POLICIES[operationId] },
      });
    }
  }
  return out;
}

/** Operations that end a pool resource, sent after the others (later rank, later sent). */
const LATE: Record<string, number> = { tokensRevoke: 1, anomaliesDetect: 1, agentsDelete: 3, scimRevokeToken: 4 };

/**
 * The order requests go out: reads and writes first, then what revokes the
 * pool's token, then deletions, the pool's agent (whose deletion revokes its
 * grants) and the SCIM token last, so the suite's resources live as long as
 * the requests that name them.
 */
export function sendingOrder(operations: readonly FuzzOperation[]): FuzzOperation[] {
  const rank = (op: FuzzOperation) => LATE[op.operationId] ?? (op.method === 'delete' ? 2 : 0);
  return [...operations].sort((a, b) => rank(a) - rank(b) || a.index - b.index);
}
