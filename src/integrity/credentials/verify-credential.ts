/**
 * @module credentials/verify-credential
 * Offline verification of Grantex verifiable credentials: a VC-JWT (what
 * `POST /v1/token` issues with `credentialFormat: "vc-jwt"`, and a passport's
 * proof) or an SD-JWT presentation (`sd-jwt`), against the issuer's DID
 * document, with optional StatusList2021 revocation.
 */
import { base64url, base64urlToText, utf8 } from '../../internal/bytes.js';
import { createDidResolver, type DidDocument, type DidResolver } from '../did/resolve.js';
import { GrantexTokenError } from '../verify/errors.js';
import { issuerDocument, splitJws, verifySplitJws } from './jws.js';
import { createStatusListReader, type StatusListReader, type StatusListReaderOptions } from './status-list.js';

/** A verified credential's claims. */
export interface VerifiedCredential {
  /** `jti`: the credential id. */
  id: string;
  issuer: string;
  /** `sub`: the agent DID. */
  subject: string;
  type: string[];
  /** The credential subject; for an SD-JWT, with the disclosed claims in place of their digests. */
  credentialSubject: Record<string, unknown>;
  issuedAt: Date;
  expiresAt: Date;
  revocationChecked: boolean;
  /** Every claim of the JWT. */
  payload: Record<string, unknown>;
}

/** Options of {@link verifyCredential} and {@link verifyPresentation}. */
export interface VerifyCredentialOptions {
  /** Issuer DIDs accepted. Required. */
  trustedIssuers: readonly string[];
  resolver?: DidResolver;
  didDocuments?: Record<string, DidDocument>;
  /** Revocation: a reader, reader options, or `false` (the default) to skip. */
  statusList?: StatusListReader | StatusListReaderOptions | false;
  currentDate?: Date;
  /** Seconds of clock skew tolerated. Default `0`. */
  clockTolerance?: number;
  /** Longest input accepted, in characters. Default `65_536`. */
  maxLength?: number;
}

/** Options of {@link verifyPresentation}: a key-binding JWT is required when `nonce` is given. */
export interface VerifyPresentationOptions extends VerifyCredentialOptions {
  nonce?: string;
  audience?: string;
}

const MAX_DISCLOSURES = 64;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function verifyJwt(
  jws: string,
  options: VerifyCredentialOptions,
  typ: string | undefined,
): Promise<{
  payload: Record<string, unknown>;
  result: Omit<VerifiedCredential, 'credentialSubject'> & { subjectClaims: Record<string, unknown> };
}> {
  const trusted = options.trustedIssuers;
  if (!Array.isArray(trusted) || trusted.length === 0)
    throw new GrantexTokenError('invalid_options', '"trustedIssuers" must list at least one issuer DID');
  const maxLength = options.maxLength ?? 65_536;
  const split = splitJws(jws, maxLength);
  if (typ !== undefined && split.header['typ'] !== typ)
    throw new GrantexTokenError('malformed', `the JWS type must be ${typ}`);
  const p = split.payload;
  if (typeof p['iss'] !== 'string' || !trusted.includes(p['iss']))
    throw new GrantexTokenError('untrusted_issuer', 'the credential issuer is not trusted');
  const resolver = options.resolver ?? createDidResolver({ documents: options.didDocuments ?? {} });
  await verifySplitJws(jws, split, await issuerDocument(resolver, p['iss']));
  const { iat, exp, nbf, sub, jti } = p;
  if (typeof iat !== 'number' || typeof exp !== 'number' || typeof sub !== 'string' || typeof jti !== 'string')
    throw new GrantexTokenError('invalid_claims', 'a credential needs iat, exp, sub and jti');
  const now = (options.currentDate ?? new Date()).getTime() / 1000;
  const skew = options.clockTolerance ?? 0;
  if (!(now < exp + skew)) throw new GrantexTokenError('expired', 'the credential has expired');
  if ((typeof nbf === 'number' ? nbf : iat) - skew > now)
    throw new GrantexTokenError('not_yet_valid', 'the credential is not valid yet');
  const vc = p['vc'];
  if (!isObject(vc) || !Array.isArray(vc['type']) || !vc['type'].includes('VerifiableCredential'))
    throw new GrantexTokenError('invalid_claims', 'vc.type must include VerifiableCredential');
  const subject = vc['credentialSubject'];
  if (!isObject(subject) || (subject['id'] !== undefined && subject['id'] !== sub))
    throw new GrantexTokenError('invalid_claims', 'vc.credentialSubject.id must be the subject');
  const reader =
    options.statusList === undefined || options.statusList === false
      ? undefined
      : 'isRevoked' in options.statusList
        ? options.statusList
        : createStatusListReader(options.statusList);
  if (reader !== undefined && vc['credentialStatus'] !== undefined && (await reader.isRevoked(vc['credentialStatus'])))
    throw new GrantexTokenError('revoked', 'the credential has been revoked');
  return {
    payload: p,
    result: {
      id: jti,
      issuer: p['iss'],
      subject: sub,
      type: (vc['type'] as unknown[]).filter((t): t is string => typeof t === 'string'),
      subjectClaims: subject,
      issuedAt: new Date(iat * 1000),
      expiresAt: new Date(exp * 1000),
      revocationChecked: reader !== undefined && vc['credentialStatus'] !== undefined,
      payload: p,
    },
  };
}

/**
 * Verifies a VC-JWT offline: trusted issuer, the signature by a key of the
 * issuer's DID document, `exp`/`iat`, the VC structure, and revocation when asked.
 *
 * @throws {GrantexTokenError} with a stable `code`.
 */
export async function verifyCredential(jwt: unknown, options: VerifyCredentialOptions): Promise<VerifiedCredential> {
  const { result } = await verifyJwt(jwt as string, options, undefined);
  const { subjectClaims, ...rest } = result;
  return { ...rest, credentialSubject: { ...subjectClaims } };
}

/**
 * Verifies an SD-JWT presentation (`<issuer jws>~<disclosure>~…~[<kb-jwt>]`):
 * the issuer's JWS as {@link verifyCredential} does, then each disclosure's
 * SHA-256 digest against the `_sd` lists, and returns the subject with the
 * disclosed claims. With `nonce`, a key-binding JWT signed by the holder key
 * in `cnf.jwk` must carry that nonce (and `audience`) and the presentation's
 * `sd_hash`.
 *
 * @throws {GrantexTokenError} with a stable `code`.
 */
export async function verifyPresentation(
  sdJwt: unknown,
  options: VerifyPresentationOptions,
): Promise<VerifiedCredential> {
  if (typeof sdJwt !== 'string' || sdJwt.length > (options.maxLength ?? 65_536))
    throw new GrantexTokenError('malformed', 'an SD-JWT presentation must be a string within maxLength');
  const parts = sdJwt.split('~');
  if (parts.length < 2 || parts.length > MAX_DISCLOSURES + 2)
    throw new GrantexTokenError('malformed', 'an SD-JWT presentation is <jws>~<disclosures>~[<kb-jwt>]');
  const jws = parts[0]!;
  const keyBinding = parts.at(-1)!;
  const disclosures = parts.slice(1, -1);
  const { payload, result } = await verifyJwt(jws, options, 'vc+sd-jwt');
  if (payload['_sd_alg'] !== undefined && payload['_sd_alg'] !== 'sha-256')
    throw new GrantexTokenError('unsupported_alg', 'only sha-256 disclosure digests are supported');
  const digests = new Map<string, [string, unknown]>();
  for (const disclosure of disclosures) {
    if (disclosure === '') throw new GrantexTokenError('malformed', 'an empty disclosure');
    let decoded: unknown;
    try {
      decoded = JSON.parse(base64urlToText(disclosure));
    } catch (cause) {
      throw new GrantexTokenError('malformed', 'a disclosure is not base64url JSON', { cause });
    }
    if (
      !Array.isArray(decoded) ||
      decoded.length !== 3 ||
      typeof decoded[1] !== 'string' ||
      ['_sd', '...'].includes(decoded[1])
    )
      throw new GrantexTokenError('malformed', 'a disclosure must be [salt, name, value]');
    const digest = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(disclosure))));
    if (digests.has(digest)) throw new GrantexTokenError('malformed', 'a disclosure is repeated');
    digests.set(digest, [decoded[1], decoded[2]]);
  }
  const subject: Record<string, unknown> = {};
  const listed = Array.isArray(result.subjectClaims['_sd']) ? (result.subjectClaims['_sd'] as unknown[]) : [];
  for (const [name, value] of Object.entries(result.subjectClaims)) if (name !== '_sd') subject[name] = value;
  for (const [digest, [name, value]] of digests) {
    if (!listed.includes(digest))
      throw new GrantexTokenError('invalid_claims', 'a disclosure is not listed in the credential');
    if (Object.hasOwn(subject, name))
      throw new GrantexTokenError('invalid_claims', `the disclosed claim ${name} is already present`);
    subject[name] = value;
  }
  if (options.nonce !== undefined)
    await checkKeyBinding(keyBinding, sdJwt.slice(0, sdJwt.length - keyBinding.length), payload, options);
  else if (keyBinding !== '')
    throw new GrantexTokenError('malformed', 'a key-binding JWT was sent but no nonce is expected');
  const { subjectClaims: _, ...rest } = result;
  return { ...rest, credentialSubject: subject };
}

async function checkKeyBinding(
  kb: string,
  presented: string,
  payload: Record<string, unknown>,
  options: VerifyPresentationOptions,
): Promise<void> {
  if (kb === '') throw new GrantexTokenError('invalid_claims', 'a key-binding JWT is required');
  const cnf = payload['cnf'];
  const jwk = isObject(cnf) ? cnf['jwk'] : undefined;
  if (!isObject(jwk)) throw new GrantexTokenError('unknown_key', 'the credential names no holder key (cnf.jwk)');
  const { compactVerify, importJWK } = await import('jose');
  let claims: Record<string, unknown>;
  try {
    const alg = jwk['kty'] === 'OKP' ? 'EdDSA' : jwk['kty'] === 'EC' ? 'ES256' : 'RS256';
    const key = await importJWK(jwk, alg);
    const { payload: bytes, protectedHeader } = await compactVerify(kb, key, { algorithms: [alg] });
    if (protectedHeader.typ !== 'kb+jwt') throw new Error('typ is not kb+jwt');
    claims = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch (cause) {
    throw new GrantexTokenError('bad_signature', 'the key-binding JWT does not verify', { cause });
  }
  const sdHash = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(presented))));
  if (claims['nonce'] !== options.nonce) throw new GrantexTokenError('invalid_claims', 'the key-binding nonce differs');
  if (options.audience !== undefined && claims['aud'] !== options.audience)
    throw new GrantexTokenError('wrong_audience', 'the key-binding audience differs');
  if (claims['sd_hash'] !== sdHash) throw new GrantexTokenError('invalid_claims', 'the key-binding sd_hash differs');
}
