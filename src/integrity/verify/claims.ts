/**
 * @module verify/claims
 * Validates the claims of a grant token whose signature already verified and
 * maps them to the SDK's camelCased {@link VerifiedGrant}.
 */
import type { components } from '../../../generated/schema.js';
import { GrantexTokenError } from './errors.js';

/** The claim names the spec defines for the token payload (its open index signature left out). */
type GrantTokenClaim = keyof {
  [K in keyof components['schemas']['GrantTokenClaims'] as string extends K ? never : K]: unknown;
};

/**
 * What a verified grant token says: who (principal) let which agent do what
 * (scopes), until when. Times are seconds since the Unix epoch, as in the token.
 */
export interface VerifiedGrant {
  /** `jti`: the token id (`tok_…`), the handle for `POST /v1/tokens/revoke`. */
  tokenId: string;
  /** `grnt`: the grant this token carries. */
  grantId: string;
  /** `sub`: the principal who approved the grant. */
  principalId: string;
  /** `agt`: the agent's DID (`did:grantex:<agentId>`). */
  agentDid: string;
  /** `dev`: the developer that owns the agent. */
  developerId: string;
  /** `scp`: the granted scopes. */
  scopes: string[];
  /** `iat`, in seconds. */
  issuedAt: number;
  /** `exp`, in seconds. */
  expiresAt: number;
  /** `iss`: the authorization server's base URL. */
  issuer: string;
  /** `aud`, present only when the grant was requested for an audience. */
  audience?: string | string[];
  /** `parentAgt`: the delegating agent's DID, on delegated tokens only. */
  parentAgentDid?: string;
  /** `parentGrnt`: the parent grant, on delegated tokens only. */
  parentGrantId?: string;
  /** `delegationDepth`: 1 for a grant delegated once, parent + 1 below that. */
  delegationDepth?: number;
}

/** Claim expectations, already validated and normalized. */
export interface ClaimPolicy {
  readonly issuer: readonly string[] | undefined;
  readonly audience: readonly string[] | undefined;
  readonly requiredScopes: readonly string[];
  /** Seconds. */
  readonly clockTolerance: number;
  /** Seconds, or undefined for no limit. */
  readonly maxTokenAge: number | undefined;
  /** Largest accepted `delegationDepth` (SPEC §9: at most 10). */
  readonly maxDelegationDepth: number;
}

const REQUIRED_STRINGS = ['jti', 'grnt', 'sub', 'agt', 'dev', 'iss'] as const satisfies readonly GrantTokenClaim[];

/**
 * Checks types first, then issuer, audience, time and scopes, and returns the grant.
 * `now` is in whole seconds.
 *
 * @throws {GrantexTokenError} `invalid_claims`, `wrong_issuer`, `wrong_audience`, `expired`, `not_yet_valid`,
 *   `delegation_too_deep` or `insufficient_scope`.
 */
export function checkClaims(claims: Record<string, unknown>, policy: ClaimPolicy, now: number): VerifiedGrant {
  const grant = toVerifiedGrant(claims);
  if (policy.issuer !== undefined && !policy.issuer.includes(grant.issuer)) {
    throw new GrantexTokenError('wrong_issuer', `unexpected "iss" ${JSON.stringify(grant.issuer)}`);
  }
  if (policy.audience !== undefined && !matchesAudience(grant.audience, policy.audience)) {
    throw new GrantexTokenError('wrong_audience', 'token "aud" does not name this audience');
  }
  checkTime(grant, claims.nbf as number | undefined, policy, now);
  if (grant.delegationDepth !== undefined && grant.delegationDepth > policy.maxDelegationDepth) {
    throw new GrantexTokenError(
      'delegation_too_deep',
      `token "delegationDepth" exceeds the limit of ${policy.maxDelegationDepth}`,
    );
  }
  const missing = policy.requiredScopes.filter((scope) => !grant.scopes.includes(scope));
  if (missing.length > 0) {
    throw new GrantexTokenError(
      'insufficient_scope',
      `token lacks scope ${missing.map((s) => JSON.stringify(s)).join(', ')}`,
    );
  }
  return grant;
}

function toVerifiedGrant(claims: Record<string, unknown>): VerifiedGrant {
  for (const name of REQUIRED_STRINGS) {
    if (!isNonEmptyString(claims[name])) throw invalid(`"${name}" must be a non-empty string`);
  }
  const { scp, iat, exp, nbf, aud, parentAgt, parentGrnt, delegationDepth } = claims as Partial<
    Record<GrantTokenClaim | 'nbf', unknown>
  >;
  if (!Array.isArray(scp) || !scp.every((scope) => typeof scope === 'string'))
    throw invalid('"scp" must be an array of strings');
  if (!isSeconds(exp)) throw invalid('"exp" must be a finite number');
  if (!isSeconds(iat)) throw invalid('"iat" must be a finite number');
  if (nbf !== undefined && !isSeconds(nbf)) throw invalid('"nbf" must be a finite number');
  if (aud !== undefined && !isNonEmptyString(aud) && !(Array.isArray(aud) && aud.every(isNonEmptyString))) {
    throw invalid('"aud" must be a string or an array of strings');
  }
  const grant: VerifiedGrant = {
    tokenId: claims.jti as string,
    grantId: claims.grnt as string,
    principalId: claims.sub as string,
    agentDid: claims.agt as string,
    developerId: claims.dev as string,
    scopes: [...(scp as string[])],
    issuedAt: iat,
    expiresAt: exp,
    issuer: claims.iss as string,
  };
  if (aud !== undefined) grant.audience = Array.isArray(aud) ? [...(aud as string[])] : (aud as string);
  addDelegation(grant, parentAgt, parentGrnt, delegationDepth);
  return grant;
}

function addDelegation(grant: VerifiedGrant, parentAgt: unknown, parentGrnt: unknown, depth: unknown): void {
  if ((parentAgt === undefined) !== (parentGrnt === undefined))
    throw invalid('"parentAgt" and "parentGrnt" come together');
  if (depth !== undefined && !(Number.isSafeInteger(depth) && (depth as number) >= 0)) {
    throw invalid('"delegationDepth" must be a non-negative integer');
  }
  if (parentAgt === undefined) {
    if (depth !== undefined) grant.delegationDepth = depth as number;
    return;
  }
  if (!isNonEmptyString(parentAgt) || !isNonEmptyString(parentGrnt))
    throw invalid('"parentAgt" and "parentGrnt" must be non-empty strings');
  if (depth === undefined || (depth as number) < 1)
    throw invalid('a delegated token needs "delegationDepth" of at least 1');
  grant.parentAgentDid = parentAgt;
  grant.parentGrantId = parentGrnt;
  grant.delegationDepth = depth as number;
}

function checkTime(grant: VerifiedGrant, nbf: number | undefined, policy: ClaimPolicy, now: number): void {
  const tolerance = policy.clockTolerance;
  if (grant.expiresAt <= now - tolerance) throw new GrantexTokenError('expired', 'token has expired ("exp")');
  if (nbf !== undefined && nbf > now + tolerance)
    throw new GrantexTokenError('not_yet_valid', 'token is not valid yet ("nbf")');
  if (grant.issuedAt > now + tolerance)
    throw new GrantexTokenError('not_yet_valid', 'token was issued in the future ("iat")');
  if (policy.maxTokenAge !== undefined && now - grant.issuedAt - tolerance > policy.maxTokenAge) {
    throw new GrantexTokenError('expired', 'token is older than maxTokenAge ("iat")');
  }
}

function matchesAudience(actual: string | string[] | undefined, expected: readonly string[]): boolean {
  if (actual === undefined) return false;
  return typeof actual === 'string' ? expected.includes(actual) : actual.some((value) => expected.includes(value));
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function isSeconds(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function invalid(message: string): GrantexTokenError {
  return new GrantexTokenError('invalid_claims', `token claim ${message}`);
}
