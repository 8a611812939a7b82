/**
 * @module checks/tokens/assertions
 * What every freshly issued grant token must satisfy, shared by the token
 * checks and the model-based commands: it verifies offline against the
 * server's JWKS, and its claims are exactly what was asked for and approved.
 */
import { CheckFailure, expectThat, show } from '../../engine/check.js';
import { GrantexTokenError, verifyGrantToken } from '../../engine/integrity.js';
import { decodeToken } from '../../engine/session/expect.js';
import type { Issued } from '../../engine/session/types.js';
import type { Session } from '../../engine/session/session.js';

export const DAY = 86_400;
/**
 * Seconds of slack on `exp - iat` against the asked lifetime. SPEC.md states
 * the rule exactly (§5.2 expiresIn, §6.2 iat/exp) and gives no tolerance;
 * iat and exp are whole seconds (§6.2 shows integers), and a server may read
 * its clock once for the grant's expiry and once for iat within the same
 * exchange, so 5 s covers rounding and a slow request, nothing more.
 */
export const SLACK = 5;
/** `expiresAt` may carry milliseconds while `exp` is whole seconds (SPEC §5.3 and §6.2 examples): up to 1 s apart, and rounding either way. */
export const EXPIRES_AT_SLACK = 1.5;

/**
 * Verifies offline with the package's verifier against the base URL's key set;
 * a refusal fails the check with its code. Whether the issuer named in `iss`
 * publishes that key set is `tokens.issuer`'s concern alone.
 */
export async function verifyOffline(
  session: Session,
  token: string,
  options: { audience?: string; currentDate?: Date; clockTolerance?: number } = {},
): Promise<void> {
  const jwks = (await session.jwks()) as Parameters<typeof verifyGrantToken>[1]['jwks'] & object;
  try {
    await verifyGrantToken(token, { jwks, ...options });
  } catch (error) {
    const code = error instanceof GrantexTokenError ? error.code : 'error';
    throw new CheckFailure(
      'the grant token does not verify against the server’s JWKS (SPEC §6.4)',
      'an RS256 signature by a key the JWKS publishes, unexpired',
      `${code}: ${error instanceof Error ? error.message : String(error)} (header ${show(decodeToken(token).header)})`,
    );
  }
}

/** Checks every claim of a freshly issued token against what was asked for. */
export function checkClaims(issued: Issued, asked: { scopes: string[]; lifetime: number; audience?: string }): void {
  const { claims, header } = issued;
  expectThat(header['alg'] === 'RS256', 'the token is not signed with RS256', 'header alg RS256', show(header));
  expectThat(
    typeof header['kid'] === 'string' && header['kid'] !== '',
    'the token header names no key',
    'a kid',
    show(header),
  );
  const scp = claims['scp'];
  expectThat(
    Array.isArray(scp) && sameSet(scp, asked.scopes),
    '`scp` is not exactly the approved scopes',
    show(asked.scopes),
    show(scp),
  );
  expectThat(
    sameSet(issued.scopes, asked.scopes),
    'the response `scopes` are not the approved scopes',
    show(asked.scopes),
    show(issued.scopes),
  );
  expectThat(
    claims['sub'] === issued.principalId,
    '`sub` is not the principal',
    show(issued.principalId),
    show(claims['sub']),
  );
  expectThat(
    claims['agt'] === issued.agent.did,
    '`agt` is not the agent DID',
    show(issued.agent.did),
    show(claims['agt']),
  );
  expectThat(
    claims['dev'] === issued.agent.developerId,
    '`dev` is not the developer',
    show(issued.agent.developerId),
    show(claims['dev']),
  );
  expectThat(
    claims['grnt'] === issued.grantId,
    '`grnt` is not the grant id of the response',
    show(issued.grantId),
    show(claims['grnt']),
  );
  expectThat(
    typeof claims['iss'] === 'string' && claims['iss'] !== '',
    '`iss` is missing',
    'a non-empty issuer',
    show(claims['iss']),
  );
  expectThat(
    typeof claims['jti'] === 'string' && /^tok_/.test(claims['jti']),
    '`jti` is not a token id',
    'tok_…',
    show(claims['jti']),
  );
  if (asked.audience !== undefined) {
    const aud = claims['aud'];
    const named = aud === asked.audience || (Array.isArray(aud) && aud.includes(asked.audience));
    expectThat(named, '`aud` is not the requested audience (SPEC §5.2)', show(asked.audience), show(aud));
  } else {
    expectThat(
      claims['aud'] === undefined,
      '`aud` is set although no audience was requested',
      'no aud',
      show(claims['aud']),
    );
  }
  const iat = claims['iat'];
  const exp = claims['exp'];
  expectThat(
    typeof iat === 'number' && typeof exp === 'number',
    '`iat`/`exp` are not numbers',
    'numeric iat and exp',
    `${show(iat)} / ${show(exp)}`,
  );
  const lifetime = exp - iat;
  expectThat(
    Math.abs(lifetime - asked.lifetime) <= SLACK,
    '`exp` does not honour expiresIn',
    `exp - iat = ${asked.lifetime}s (±${SLACK})`,
    `${lifetime}s`,
  );
  const expiresAt = Date.parse(issued.expiresAt) / 1000;
  expectThat(
    Math.abs(expiresAt - exp) <= EXPIRES_AT_SLACK,
    'the response `expiresAt` is not the token `exp`',
    new Date(exp * 1000).toISOString(),
    issued.expiresAt,
  );
}

export function sameSet(a: readonly unknown[], b: readonly unknown[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((item) => right.has(item));
}
