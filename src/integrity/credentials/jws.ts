/**
 * @module credentials/jws
 * Verifies the compact JWS of a credential against its issuer's DID document:
 * RS256 (through the grant-token signature backend) or EdDSA (Ed25519, jose),
 * with the key named by the header's `kid` among the document's assertion keys.
 */
import { isCanonicalBase64url } from '../../internal/bytes.js';
import { assertionKeys, type DidDocument, type DidResolver } from '../did/resolve.js';
import type { ParsedToken } from '../verify/compact.js';
import { decodeJsonObject } from '../verify/compact.js';
import { GrantexTokenError } from '../verify/errors.js';
import { selectRsaKey, type Jwks } from '../verify/jwks.js';
import { signatureBackend } from '../verify/signature.js';

/** The algorithms Grantex credentials are signed with (SPEC.md §15.3 step 4). */
export type CredentialAlg = 'RS256' | 'EdDSA';

/** A compact JWS split and its header checked; nothing verified yet. */
export interface SplitJws {
  alg: CredentialAlg;
  kid: string;
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  parsed: ParsedToken;
}

const keySets = new WeakMap<DidDocument, Jwks>();
/** Credentials of one issuer share a header: the checked header of a few recent ones is kept. */
type CheckedHeader = Pick<SplitJws, 'alg' | 'kid' | 'header'>;
const headers = new Map<string, CheckedHeader>();
const HEADERS_LIMIT = 16;
const edKeys = new Map<string, Promise<CryptoKey>>();
const ED_KEYS_LIMIT = 64;

/**
 * Splits a compact JWS and reads its header and payload. `jku`, `x5u`, `jwk`
 * and `x5c` are never read: the key comes from the issuer's DID document only.
 *
 * @throws {GrantexTokenError} `malformed`, `unsupported_alg`, or `unknown_key` (no `kid`).
 */
export function splitJws(jws: unknown, maxLength: number): SplitJws {
  if (typeof jws !== 'string') throw malformed('the credential JWS must be a string');
  if (jws.length > maxLength) throw malformed(`the credential JWS is longer than ${maxLength} characters`);
  const parts = jws.split('.');
  if (parts.length !== 3) throw malformed('the credential JWS must have exactly three parts');
  const [h = '', p = '', s = ''] = parts;
  // The header and payload are checked canonical as they are decoded; the signature here.
  if (h === '' || p === '' || s === '' || !isCanonicalBase64url(s))
    throw malformed('the credential JWS parts must be non-empty canonical base64url');
  const { alg, kid, header } = headers.get(h) ?? checkedHeader(h);
  const payload = decodeJsonObject(p, 'payload');
  return {
    alg,
    kid,
    header,
    payload,
    parsed: { kid, signingInput: `${h}.${p}`, payloadSegment: p, signatureSegment: s },
  };
}

/** Reads and checks a JWS header segment, and keeps it among the recent ones. */
function checkedHeader(segment: string): CheckedHeader {
  const header = decodeJsonObject(segment, 'header');
  const { alg, kid } = header;
  if (alg !== 'RS256' && alg !== 'EdDSA')
    throw new GrantexTokenError('unsupported_alg', `algorithm ${JSON.stringify(alg)} is not accepted for credentials`);
  if (header['crit'] !== undefined) throw malformed('the JWS header lists critical extensions');
  if (kid === undefined) throw new GrantexTokenError('unknown_key', 'the JWS header has no "kid"');
  if (typeof kid !== 'string' || kid.length === 0) throw malformed('the JWS "kid" must be a non-empty string');
  const checked: CheckedHeader = { alg, kid, header };
  if (headers.size >= HEADERS_LIMIT) headers.delete(headers.keys().next().value!);
  headers.set(segment, checked);
  return checked;
}

/** The assertion keys of a document, computed once per document object. */
export function keysOf(doc: DidDocument): Jwks {
  let keys = keySets.get(doc);
  if (keys === undefined) {
    keys = assertionKeys(doc);
    keySets.set(doc, keys);
  }
  return keys;
}

/** The issuer's document: from the resolver's cache when warm (no await), else resolved. */
export function issuerDocument(resolver: DidResolver, did: string): DidDocument | Promise<DidDocument> {
  return resolver.peek(did) ?? resolver.resolve(did);
}

/**
 * Checks the signature of `jws` with the key `kid` of `doc`. Synchronous when
 * the signature backend is (RS256 on Node), so a warm verification awaits nothing.
 *
 * @throws {GrantexTokenError} `unknown_key` or `bad_signature`.
 */
export function verifySplitJws(jws: string, split: SplitJws, doc: DidDocument): void | Promise<void> {
  const keys = keysOf(doc);
  if (split.alg === 'EdDSA') return verifyEd25519(jws, keys, split.kid).then(refuseIfFalse);
  const ok = signatureBackend().verify(jws, split.parsed, selectRsaKey(keys, split.kid));
  if (typeof ok === 'boolean') return refuseIfFalse(ok);
  return ok.then(refuseIfFalse);
}

function refuseIfFalse(ok: boolean): void {
  if (!ok) throw new GrantexTokenError('bad_signature', 'the credential signature does not verify');
}

async function verifyEd25519(jws: string, keys: Jwks, kid: string): Promise<boolean> {
  const candidates = keys.keys.filter(
    (k) =>
      k.kid === kid &&
      k.kty === 'OKP' &&
      k['crv'] === 'Ed25519' &&
      typeof k['x'] === 'string' &&
      (k.alg === undefined || k.alg === 'EdDSA'),
  );
  if (candidates.length !== 1)
    throw new GrantexTokenError('unknown_key', `no single Ed25519 key "${kid}" in the issuer's DID document`);
  const x = String(candidates[0]!['x']);
  const { compactVerify, importJWK, errors } = await import('jose');
  let key = edKeys.get(x);
  if (key === undefined) {
    if (edKeys.size >= ED_KEYS_LIMIT) edKeys.delete(edKeys.keys().next().value!);
    key = importJWK({ kty: 'OKP', crv: 'Ed25519', x }, 'EdDSA') as Promise<CryptoKey>;
    edKeys.set(x, key);
  }
  try {
    await compactVerify(jws, await key, { algorithms: ['EdDSA'] });
    return true;
  } catch (error) {
    if (error instanceof errors.JWSSignatureVerificationFailed) return false;
    throw new GrantexTokenError('unknown_key', 'the Ed25519 key could not be used', { cause: error });
  }
}

function malformed(message: string): GrantexTokenError {
  return new GrantexTokenError('malformed', message);
}
