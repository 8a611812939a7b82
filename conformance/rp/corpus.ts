/**
 * @module rp/corpus
 * The bad-token corpus of the relying-party kit: each case builds one token a
 * protected API must refuse, and names the clause that makes it refuse.
 */
import type { Level } from '../engine/types.js';
import { freshId, type TestIssuer } from './issuer.js';

/** What the kit knows about the API under test. */
export interface RpProfile {
  /** The scopes the endpoint needs (`--scope`); the valid token carries them. */
  scopes: readonly string[];
  /** The API's identifier (`--audience`): the valid token's `aud`. */
  audience: string | undefined;
  /** The API's delegation depth limit (`--max-delegation-depth`, default 10, SPEC §9's hard cap). */
  maxDelegationDepth: number;
  /** Whether the API checks revocation online (`--online`) against the kit's issuer. */
  online: boolean;
  /** Seconds since the epoch, fixed for the run. */
  now: number;
}

/** One bad token. */
export interface RpCase {
  /** Stable id, `rp.<name>`. */
  id: string;
  title: string;
  clause: string;
  level: Level;
  /** The RFC 6750 error a conforming answer names. */
  error: 'invalid_token' | 'insufficient_scope';
  /** Why the case cannot run against this profile, if it cannot. */
  unusable?(profile: RpProfile): string | undefined;
  /** Builds the token (and prepares the issuer, e.g. revokes its grant). */
  token(issuer: TestIssuer, profile: RpProfile): string;
}

/** SPEC §6.1's header with the kit's good key. */
export function goodHeader(issuer: TestIssuer): Record<string, unknown> {
  return { alg: 'RS256', typ: 'JWT', kid: issuer.kid };
}

/** A payload the API must accept (SPEC §6.2), with `overrides` applied (`undefined` deletes). */
export function goodPayload(
  issuer: TestIssuer,
  profile: RpProfile,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const payload: Record<string, unknown> = {
    iss: issuer.issuer,
    sub: 'user_rpkit',
    agt: 'did:grantex:ag_rpkit',
    dev: 'dev_rpkit',
    grnt: freshId('grnt'),
    scp: [...profile.scopes],
    iat: profile.now - 30,
    exp: profile.now + 600,
    jti: freshId('tok'),
    ...(profile.audience !== undefined ? { aud: profile.audience } : {}),
  };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete payload[name];
    else payload[name] = value;
  }
  return payload;
}

const valid = (issuer: TestIssuer, profile: RpProfile, overrides: Record<string, unknown> = {}) =>
  issuer.signGood(goodHeader(issuer), goodPayload(issuer, profile, overrides));

const SIGNATURE = 'SPEC §6.4 rule 1: services MUST verify the signature using the JWKS at iss/.well-known/jwks.json';

/** The corpus, in the order the issue lists it. */
export const RP_CASES: readonly RpCase[] = [
  {
    id: 'rp.alg-none',
    title: 'a token with alg "none" and no signature is refused',
    clause: 'SPEC §14: implementations MUST explicitly reject JWTs with alg: none',
    level: 'MUST',
    error: 'invalid_token',
    token: (issuer, profile) => {
      const good = valid(issuer, profile).split('.');
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      return `${header}.${good[1]}.`;
    },
  },
  {
    id: 'rp.hs256-public-key',
    title: 'an HS256 token keyed with the issuer public key is refused',
    clause: 'SPEC §14: tokens MUST be signed with RS256; HS256 MUST be rejected by all verifiers',
    level: 'MUST',
    error: 'invalid_token',
    token: (issuer, profile) =>
      issuer.signHs256WithPublicKey({ alg: 'HS256', typ: 'JWT', kid: issuer.kid }, goodPayload(issuer, profile)),
  },
  {
    id: 'rp.unknown-kid',
    title: 'a token whose kid is not in the JWKS is refused',
    clause: SIGNATURE,
    level: 'MUST',
    error: 'invalid_token',
    token: (issuer, profile) =>
      issuer.signForeign({ alg: 'RS256', typ: 'JWT', kid: 'rp-kit-unknown' }, goodPayload(issuer, profile)),
  },
  {
    id: 'rp.foreign-key',
    title: "a token signed by another issuer's key under this issuer's kid is refused",
    clause: SIGNATURE,
    level: 'MUST',
    error: 'invalid_token',
    token: (issuer, profile) => issuer.signForeign(goodHeader(issuer), goodPayload(issuer, profile)),
  },
  {
    id: 'rp.expired',
    title: 'a token whose exp has passed is refused',
    clause: 'SPEC §6.4 rule 2: services MUST verify that exp has not passed',
    level: 'MUST',
    error: 'invalid_token',
    token: (issuer, profile) => valid(issuer, profile, { iat: profile.now - 7200, exp: profile.now - 3600 }),
  },
  {
    id: 'rp.nbf-future',
    title: 'a token whose nbf lies an hour ahead is refused',
    clause: 'RFC 7519 §4.1.5: the JWT MUST NOT be accepted for processing before nbf',
    level: 'MUST',
    error: 'invalid_token',
    token: (issuer, profile) => valid(issuer, profile, { nbf: profile.now + 3600 }),
  },
  {
    id: 'rp.iat-future',
    title: 'a token issued an hour in the future is refused',
    clause:
      'RFC 7519 §4.1.6: iat is when the JWT was issued; one issued in the future SHOULD be refused as not yet valid',
    level: 'SHOULD',
    error: 'invalid_token',
    token: (issuer, profile) => valid(issuer, profile, { iat: profile.now + 3600, exp: profile.now + 7200 }),
  },
  {
    id: 'rp.wrong-aud',
    title: 'a token for another audience is refused',
    clause: "SPEC §6.4 rule 3: services MUST verify that aud matches the service's identifier",
    level: 'MUST',
    error: 'invalid_token',
    unusable: (profile) => (profile.audience === undefined ? 'needs --audience (the API identifier)' : undefined),
    token: (issuer, profile) => valid(issuer, profile, { aud: 'https://another-service.rp-kit.invalid' }),
  },
  {
    id: 'rp.wrong-iss',
    title: 'a token naming another issuer is refused',
    clause: `${SIGNATURE} (a token naming another iss cannot verify against this issuer's keys)`,
    level: 'MUST',
    error: 'invalid_token',
    token: (issuer, profile) => valid(issuer, profile, { iss: 'https://another-issuer.rp-kit.invalid' }),
  },
  {
    id: 'rp.missing-scope',
    title: 'a token without a scope the endpoint needs is refused with 403 insufficient_scope',
    clause: 'SPEC §6.4 rule 4: services MUST verify that scp contains the required scopes',
    level: 'MUST',
    error: 'insufficient_scope',
    unusable: (profile) => (profile.scopes.length === 0 ? 'needs --scope (a scope the endpoint requires)' : undefined),
    token: (issuer, profile) => valid(issuer, profile, { scp: profile.scopes.slice(1) }),
  },
  {
    id: 'rp.tampered-payload',
    title: 'a token whose payload was changed after signing is refused',
    clause: SIGNATURE,
    level: 'MUST',
    error: 'invalid_token',
    token: (issuer, profile) => {
      const [header, , signature] = valid(issuer, profile).split('.');
      const payload = Buffer.from(
        JSON.stringify(goodPayload(issuer, profile, { sub: 'user_rpkit_admin', scp: [...profile.scopes, 'admin'] })),
      ).toString('base64url');
      return `${header}.${payload}.${signature}`;
    },
  },
  {
    id: 'rp.tampered-signature',
    title: 'a token with one signature byte flipped is refused',
    clause: SIGNATURE,
    level: 'MUST',
    error: 'invalid_token',
    token: (issuer, profile) => {
      const [header, payload, signature] = valid(issuer, profile).split('.');
      const bytes = Buffer.from(signature!, 'base64url');
      bytes[bytes.length >> 1]! ^= 0x01;
      return `${header}.${payload}.${bytes.toString('base64url')}`;
    },
  },
  {
    id: 'rp.truncated',
    title: 'a token cut short inside its signature is refused',
    clause: `${SIGNATURE}; RFC 7515 §5.2: a JWS that cannot be parsed and validated MUST be rejected`,
    level: 'MUST',
    error: 'invalid_token',
    token: (issuer, profile) => {
      const token = valid(issuer, profile);
      return token.slice(0, token.length - 40);
    },
  },
  {
    id: 'rp.weak-exponent',
    title: 'a token "signed" under a published RSA key with e = 1 is refused',
    clause: 'RFC 8017 §3.1: the RSA public exponent e is an integer between 3 and n - 1',
    level: 'MUST',
    error: 'invalid_token',
    token: (issuer, profile) =>
      issuer.signExponentOne({ alg: 'RS256', typ: 'JWT', kid: 'rp-kit-e1' }, goodPayload(issuer, profile)),
  },
  {
    id: 'rp.weak-modulus',
    title: 'a token signed with a published 1024-bit RSA key is refused',
    clause: 'RFC 7518 §3.3: a key of size 2048 bits or larger MUST be used with RS256',
    level: 'MUST',
    error: 'invalid_token',
    token: (issuer, profile) =>
      issuer.signWeakModulus({ alg: 'RS256', typ: 'JWT', kid: 'rp-kit-rsa1024' }, goodPayload(issuer, profile)),
  },
  {
    id: 'rp.delegation-depth',
    title: 'a delegated token past the delegation depth limit is refused',
    clause: 'SPEC §9: implementations MUST enforce a delegation depth limit, with a hard cap of 10',
    level: 'MUST',
    error: 'invalid_token',
    token: (issuer, profile) =>
      valid(issuer, profile, {
        agt: 'did:grantex:ag_rpkit_sub',
        parentAgt: 'did:grantex:ag_rpkit',
        parentGrnt: freshId('grnt'),
        delegationDepth: profile.maxDelegationDepth + 1,
      }),
  },
  {
    id: 'rp.revoked',
    title: 'a token whose grant was revoked is refused by an API that checks online',
    clause: 'SPEC §6.4 rule 5: with online verification, services MUST verify the token has not been revoked',
    level: 'MUST',
    error: 'invalid_token',
    unusable: (profile) =>
      profile.online ? undefined : 'needs --online (the API checks revocation at the kit issuer)',
    token: (issuer, profile) => {
      const grantId = freshId('grnt');
      issuer.revokeGrant(grantId);
      // A high-stakes scope (SPEC §7.4) so an API that goes online only for those does so.
      return valid(issuer, profile, { grnt: grantId, scp: [...profile.scopes, 'payments:initiate'] });
    },
  },
];
