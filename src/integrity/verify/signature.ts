/**
 * @module verify/signature
 * RS256 signature checks. The default backend is jose on Web Crypto and runs
 * anywhere; {@link signatureBackend} swaps in the Node fast path when the
 * runtime offers `node:crypto`. jose is imported on first use only, so
 * loading the package (and verifying on Node) never loads it.
 */
import type { SignatureBackend } from './backend.js';
import { GrantexTokenError } from './errors.js';
import type { RsaVerificationKey } from './jwks.js';
import { loadNodeBackend } from './node-rsa.js';
import { isUsableRsaExponent } from './rsa-exponent.js';

export type { SignatureBackend } from './backend.js';

type Jose = typeof import('jose');

let jose: Promise<Jose> | undefined;
const cryptoKeys = new WeakMap<RsaVerificationKey, Promise<CryptoKey>>();

/** jose, loaded on first use. A failed load is not remembered, so a later call can try again. */
function loadJose(): Promise<Jose> {
  jose ??= import('jose').catch((error: unknown) => {
    jose = undefined;
    throw error;
  });
  return jose;
}

function cryptoKeyFor({ importJWK }: Jose, key: RsaVerificationKey): Promise<CryptoKey> {
  let imported = cryptoKeys.get(key);
  if (imported === undefined) {
    imported = importJWK({ kty: 'RSA', n: key.n, e: key.e }, 'RS256') as Promise<CryptoKey>;
    cryptoKeys.set(key, imported);
  }
  return imported;
}

/** jose's compact JWS verification on Web Crypto, restricted to RS256. The reference path. */
export const joseBackend: SignatureBackend = {
  name: 'jose',
  async verify(token, _parsed, key) {
    if (!isUsableRsaExponent(key.e))
      throw new GrantexTokenError('unknown_key', 'the JWKS key has an RSA exponent that is even or under 3');
    let library: Jose;
    try {
      library = await loadJose();
    } catch (error) {
      throw new GrantexTokenError('malformed', 'the jose library needed to verify here could not be loaded', {
        cause: error,
      });
    }
    const { compactVerify, errors } = library;
    let cryptoKey: CryptoKey;
    try {
      cryptoKey = await cryptoKeyFor(library, key);
    } catch (error) {
      throw new GrantexTokenError('unknown_key', 'the JWKS key could not be imported', { cause: error });
    }
    try {
      await compactVerify(token, cryptoKey, { algorithms: ['RS256'] });
      return true;
    } catch (error) {
      if (error instanceof errors.JWSSignatureVerificationFailed) return false;
      if (error instanceof errors.JOSEAlgNotAllowed)
        throw new GrantexTokenError('unsupported_alg', 'algorithm not accepted', { cause: error });
      throw new GrantexTokenError('malformed', 'token is not a valid RS256 JWS', { cause: error });
    }
  },
};

let selected: SignatureBackend | undefined;

/** The backend verification uses: Node's `crypto.verify` where available, else {@link joseBackend}. */
export function signatureBackend(): SignatureBackend {
  selected ??= loadNodeBackend(joseBackend) ?? joseBackend;
  return selected;
}
