/**
 * @module faults
 * Named protocol violations that the reference server can switch on, one MUST
 * each, so the conformance suite can prove that it notices when a server breaks
 * the protocol. Never enable a fault outside of tests.
 */

/** Every fault, with a one-line description of the MUST it breaks. */
export const FAULTS = {
  'pkce-ignored':
    'POST /v1/token accepts a missing or wrong codeVerifier for a code whose request carried a codeChallenge (RFC 7636).',
  'code-reusable':
    'Authorization codes are not consumed: the same code can be exchanged for grant tokens more than once.',
  'code-not-bound-to-agent':
    'POST /v1/token exchanges a code for any agent of the developer, not only the agent the request was made for.',
  'refresh-token-reusable':
    'POST /v1/token/refresh does not rotate single-use: an already used refresh token still yields new tokens.',
  'live-auto-approve':
    "Live (non-sandbox) authorization requests are approved at once and return a code without the principal's consent.",
  'scopes-escalated': 'Issued grant tokens carry a scope (`admin:all`) in `scp` that the principal never approved.',
  'expires-in-ignored': 'The requested expiresIn is ignored: every grant lives 24 h, whatever was asked for.',
  'audience-dropped':
    'The `aud` claim is left out of grant tokens even when the authorization request named an audience.',
  'token-unpublished-key': 'Grant tokens are signed with an RSA key that the JWKS does not publish (same kid).',
  'token-alg-hs256': 'Grant tokens are signed with HS256 instead of RS256.',
  'issuer-elsewhere':
    'Grant tokens name an issuer whose key set (iss + /.well-known/jwks.json) does not hold the signing key (SPEC §6.4 rule 1).',
  'issuer-varies':
    'The `iss` of grant tokens alternates between two names of the server, so tokens do not carry one issuer (SPEC §6.2).',
  'verify-ignores-revocation':
    'POST /v1/tokens/verify answers valid: true for tokens that were revoked, directly or through their grant.',
  'token-revoke-noop': 'POST /v1/tokens/revoke answers 204 but leaves the token valid.',
  'grant-revoke-noop': 'DELETE /v1/grants/{id} answers 204 but leaves the grant and its tokens active.',
  'revoke-no-cascade': 'Revoking a grant does not revoke the grants delegated from it (SPEC §9.2).',
  'delegation-scope-escalation': 'POST /v1/grants/delegate issues scopes that the parent grant does not hold.',
  'delegation-depth-unlimited': 'POST /v1/grants/delegate enforces no delegation depth limit.',
  'delegation-depth-off-by-one':
    'POST /v1/grants/delegate refuses a delegation at exactly the configured depth limit (3 by default), not only past it (SPEC §9 RECOMMENDED default 3).',
  'delegation-exp-not-capped': 'Delegated grants expire at now + expiresIn even when the parent expires earlier.',
  'delegation-revoked-parent': 'POST /v1/grants/delegate accepts a parent grant token whose grant was revoked.',
  'delegation-foreign-subagent': 'POST /v1/grants/delegate accepts a sub-agent that belongs to another developer.',
  'scope-limit-off-by-one':
    'POST /v1/authorize refuses exactly 100 scopes, the documented limit, instead of only what lies past it.',
  'scope-length-off-by-one':
    'POST /v1/authorize and POST /v1/agents refuse a scope of exactly 256 characters, the documented limit, instead of only longer ones.',
  'scope-length-unbounded':
    'POST /v1/authorize and POST /v1/agents accept a scope longer than the documented 256 characters.',
  'scope-count-unbounded': 'POST /v1/authorize accepts more than the documented 100 scopes.',
  'principal-length-off-by-one':
    'POST /v1/authorize refuses a principalId of exactly 256 characters, the documented limit, instead of only longer ones.',
  'principal-length-unbounded': 'POST /v1/authorize accepts a principalId longer than the documented 256 characters.',
  'expires-in-zero-accepted':
    'POST /v1/authorize accepts an expiresIn of 0s, though the documented duration is positive.',
  'expires-in-minimum-off-by-one':
    'POST /v1/authorize refuses an expiresIn of 1s, the smallest positive duration, instead of only 0s.',
  'agent-scope-limit-off-by-one':
    'POST /v1/agents refuses exactly 100 scopes, the documented limit, instead of only what lies past it.',
  'agent-scopes-unbounded': 'POST /v1/agents accepts more than the documented 100 scopes.',
  'audit-metadata-limit-off-by-one':
    'POST /v1/audit/log refuses metadata of exactly 16384 bytes of canonical JSON, the documented limit, instead of only larger.',
  'redirect-uri-length-off-by-one':
    'POST /v1/authorize refuses a redirectUri of exactly 2048 characters, the documented limit, instead of only longer ones.',
  'redirect-uri-length-unbounded':
    'POST /v1/authorize accepts a redirectUri longer than the documented 2048 characters.',
  'state-length-off-by-one':
    'POST /v1/authorize refuses a state of exactly 1024 characters, the documented limit, instead of only longer ones.',
  'state-length-unbounded': 'POST /v1/authorize accepts a state longer than the documented 1024 characters.',
  'audience-length-off-by-one':
    'POST /v1/authorize refuses an audience of exactly 1024 characters, the documented limit, instead of only longer ones.',
  'audience-length-unbounded': 'POST /v1/authorize accepts an audience longer than the documented 1024 characters.',
  'lifetime-limit-off-by-one':
    'POST /v1/authorize refuses an expiresIn of exactly 24 h, the longest lifetime SPEC §7.4 recommends, instead of only longer ones.',
  'lifetime-uncapped': 'Grants live as long as expiresIn asks, past the 24 hours SPEC §7.4 gives as the maximum.',
  'passport-refuses-720h':
    'POST /v1/passport/issue refuses an expiresIn of exactly 720 hours, the maximum of SPEC §15.1, instead of only longer ones.',
  'deleted-agent-exchanges': "POST /v1/token exchanges a code for an agent deleted after the code's approval.",
  'tenant-leak-filter':
    "GET /v1/grants?agentId=… also lists other developers' grants for that agent id (another developer's resource reached through a list filter).",
  'deny-leaves-code':
    'Denying an approved, not yet exchanged request answers 200 but leaves its code exchangeable (RFC 6749 §4.1.3).',
  'code-expiry-ignored':
    'POST /v1/token exchanges a code after its authorization request expired (RFC 6749 §4.1.2: codes expire).',
  'refresh-after-expiry':
    'POST /v1/token/refresh of an expired grant renews it for an hour and issues a token that verifies (SPEC §5.3: the grant’s expiresAt).',
  'delegation-expired-parent':
    'POST /v1/grants/delegate accepts an expired parent token and gives the child now + expiresIn (SPEC §9.1 step 5).',
  'delegation-revoked-token':
    'POST /v1/grants/delegate accepts a parent token whose jti was revoked while its grant is active (SPEC §9.1 step 1, §7.2).',
  'delegation-refusal-creates-grant':
    'A delegation refused for its depth still stores an active grant for the sub-agent (SPEC §9 depth limit).',
  'suspended-agent-authorizes': 'POST /v1/authorize accepts requests for a suspended agent.',
  'suspended-agent-exchanges': "POST /v1/token exchanges a code for an agent suspended after the code's approval.",
  'suspended-agent-refreshes': 'POST /v1/token/refresh issues tokens to a suspended agent.',
  'deleted-agent-tokens-valid': "DELETE /v1/agents/{id} leaves the agent's grants active and its tokens verifying.",
  'tenant-leak':
    'Agents and grants of one developer can be read by another developer with GET /v1/agents/{id} and GET /v1/grants/{id}.',
  'audit-chain-broken': "Audit entries do not link to their predecessor: prevHash is not the previous entry's hash.",
  'audit-hash-wrong': "Audit entry hashes are not the SHA-256 of the entry's canonical content.",
  'policy-allow-before-deny':
    'Allow policies are evaluated before deny policies, so a matching deny can be overridden.',
  'policy-priority-first':
    'Priority decides between matching policies (as on the public server), so a higher-priority allow beats a matching deny (SPEC.md §11.4, §14).',
  'policy-deny-ignored':
    'Deny policies never match, so a request that a deny policy covers is not refused (SPEC §11.2 auto_deny, §11.4).',
  'policy-ignores-agent':
    'The agentId condition of a policy is ignored: the policy acts on requests for every agent (SPEC §11.3).',
  'policy-ignores-scopes':
    'The scopes condition of a policy is ignored: the policy acts on requests for any scopes (SPEC §11.3).',
  'policy-ignores-time-window':
    'The time-window condition of a policy is ignored: the policy acts at any time of day (SPEC §11.3 timeWindow).',
  'webhook-signature-wrong': 'Webhook deliveries carry signatures computed with the wrong secret.',
  'scim-accepts-api-key': 'The SCIM 2.0 endpoints accept a developer API key instead of requiring a SCIM token.',
  'sso-state-unchecked': 'GET /sso/callback accepts a forged or replayed state parameter.',
  'crash-on-bad-query':
    'GET /v1/grants answers 500 instead of an empty list when the `status` filter holds a control character (NUL).',
  'undocumented-status':
    'POST /v1/policies answers 422, which the spec does not document, to a body that breaks its schema.',
  'sse-malformed-event':
    'GET /v1/events/stream sends an event whose `data:` is cut short, so it is not the documented StreamEvent JSON.',
  'budget-balance-number':
    'GET /v1/budget/balance/{grantId} answers amounts as JSON numbers instead of the documented decimal strings.',
  'schema-drift-rare':
    'An agent whose name contains a control character is answered with `scopes: null`, which breaks the Agent schema.',
  'did-jwks-mismatch':
    'The DID document publishes an RSA key that /.well-known/jwks.json does not hold (SPEC.md §3: the DID document and the JWKS must agree).',
  'passport-revoke-noop':
    "POST /v1/passport/{id}/revoke answers 200 but leaves the passport's status-list bit clear, so verifiers still accept it (SPEC.md §15.3).",
  'passport-outlives-720h':
    'POST /v1/passport/issue accepts an expiresIn longer than the 720 hours SPEC.md §15 allows.',
  'passport-depth-zero':
    "Passports issued from a delegated grant carry delegationDepth 0 instead of the grant's depth (SPEC.md §15.1).",
  'registry-requires-auth':
    'Trust registry records answer 401 without an API key, though SPEC.md §15.4 makes them public.',
  'redirect-uri-any-scheme':
    'POST /v1/authorize accepts any redirectUri (javascript:, data:), which the consent page then navigates to (SPEC §14).',
  'jwks-private-key': 'The JWKS publishes a private-key member (`d`) with the signing key (SPEC §3.3).',
  'jti-reused': 'Every grant token of a grant, refreshed ones included, carries the same jti (SPEC §14).',
  'anomaly-blocks-issuance':
    'POST /v1/authorize refuses (403) an agent that has unacknowledged anomalies (SPEC §13.2, §14).',
  'standard-scope-refused': 'POST /v1/authorize refuses the standard scope payments:mpp:browser (SPEC §4.4).',
  'consent-raw-scopes':
    'The consent page (and GET /v1/consent/{id}) shows raw scope strings instead of their descriptions (SPEC §4.5).',
  'policy-condition-ignored':
    'The principalId condition of a policy is ignored, so the policy applies to every principal (SPEC §11.3).',
} as const satisfies Record<string, string>;

/** The name of one fault. */
export type FaultName = keyof typeof FAULTS;

/**
 * Faults that break behaviour SPEC.md does not state as a MUST (the checks
 * that judge it are SHOULD, with their reason): the self-test counts a
 * deterministic warning of a check as catching them.
 */
export const SHOULD_FAULTS: ReadonlySet<FaultName> = new Set<FaultName>([
  'suspended-agent-authorizes',
  'suspended-agent-exchanges',
  'suspended-agent-refreshes',
  'deleted-agent-tokens-valid',
  'code-expiry-ignored',
  'refresh-after-expiry',
  'scope-limit-off-by-one',
  'scope-length-off-by-one',
  'scope-length-unbounded',
  'redirect-uri-length-off-by-one',
  'redirect-uri-length-unbounded',
  'state-length-off-by-one',
  'state-length-unbounded',
  'audience-length-off-by-one',
  'audience-length-unbounded',
  'lifetime-limit-off-by-one',
  'lifetime-uncapped',
  'passport-refuses-720h',
  'deleted-agent-exchanges',
  'delegation-depth-off-by-one',
  'agent-scope-limit-off-by-one',
  'agent-scopes-unbounded',
  'scope-count-unbounded',
  'principal-length-off-by-one',
  'principal-length-unbounded',
  'expires-in-zero-accepted',
  'expires-in-minimum-off-by-one',
  'audit-metadata-limit-off-by-one',
  'tenant-leak-filter',
  'sse-malformed-event',
  'budget-balance-number',
]);

/** All fault names, in a stable order. */
export const FAULT_NAMES = Object.keys(FAULTS) as FaultName[];

/** Whether `name` is a known fault. */
export function isFaultName(name: string): name is FaultName {
  return Object.hasOwn(FAULTS, name);
}

/** The set of active faults; empty for a correct server. */
export class Faults {
  readonly #active: ReadonlySet<FaultName>;

  constructor(active: readonly FaultName[] = []) {
    for (const name of active) {
      if (!isFaultName(name)) throw new TypeError(`Unknown fault: ${String(name)}`);
    }
    this.#active = new Set(active);
  }

  /** Whether the fault `name` is switched on. */
  has(name: FaultName): boolean {
    return this.#active.has(name);
  }

  /** The active faults. */
  list(): FaultName[] {
    return [...this.#active];
  }
}
