/**
 * @module keys
 * The server's token signing key, its JSON Web Key Set, and grant-token
 * signing and checking with jose (RS256, `kid` header).
 */
import { exportJWK, generateKeyPair, importPKCS8, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose';
import type { components } from '../../../generated/schema.js';
import type { Faults } from '../faults.js';

type Jwks = components['schemas']['Jwks'];

/** A signing key given to the server instead of a generated one. */
export interface KeyOptions {
  /** RSA private key: a PKCS#8 PEM string or an extractable Web Crypto key. */
  privateKey: string | CryptoKey;
  /** Key id put in the JWKS and in every token header. Default: `grantex-YYYY-MM` of the start time. */
  kid?: string;
}

/** The key material of one running server. */
export interface SigningKeys {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  jwks: Jwks;
}

interface KeyPair {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

// RSA generation takes 0.1–0.7 s; one pair per process keeps test servers fast.
let sharedPair: Promise<KeyPair> | undefined;
let sharedEd: Promise<JWK> | undefined;

function rsaPair(): Promise<KeyPair> {
  sharedPair ??= generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  return sharedPair;
}

function edPublicJwk(): Promise<JWK> {
  sharedEd ??= generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true }).then((pair) =>
    exportJWK(pair.publicKey),
  );
  return sharedEd;
}

async function importGiven(key: string | CryptoKey): Promise<KeyPair> {
  const privateKey = typeof key === 'string' ? await importPKCS8(key, 'RS256', { extractable: true }) : key;
  const jwk = await exportJWK(privateKey);
  if (jwk.kty !== 'RSA' || jwk.n === undefined || jwk.e === undefined) {
    throw new TypeError('keys.privateKey must be an extractable RSA private key');
  }
  const publicKey = await crypto.subtle.importKey(
    'jwk',
    { kty: 'RSA', n: jwk.n, e: jwk.e },
    { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    true,
    ['verify'],
  );
  return { privateKey, publicKey };
}

/** `grantex-YYYY-MM`, the kid format of the hosted server. */
export function monthlyKid(nowMs: number): string {
  const d = new Date(nowMs);
  return `grantex-${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** Loads the given key, or the process-wide generated one, and builds the JWKS. */
export async function loadSigningKeys(options: KeyOptions | undefined, nowMs: number): Promise<SigningKeys> {
  const pair = options === undefined ? await rsaPair() : await importGiven(options.privateKey);
  const kid = options?.kid ?? monthlyKid(nowMs);
  const rsa = await exportJWK(pair.publicKey);
  const ed = await edPublicJwk();
  if (rsa.n === undefined || rsa.e === undefined || ed.crv === undefined || ed.x === undefined) {
    throw new TypeError('could not export the public keys');
  }
  const jwks: Jwks = {
    keys: [
      { kty: 'RSA', kid, alg: 'RS256', use: 'sig', n: rsa.n, e: rsa.e },
      // Published like the hosted server's Ed25519 key: verifiers must pick by kid and accept RS256 only.
      { kty: 'OKP', kid: kid.replace('grantex-', 'grantex-ed25519-'), alg: 'EdDSA', use: 'sig', crv: ed.crv, x: ed.x },
    ],
  };
  return { kid, privateKey: pair.privateKey, publicKey: pair.publicKey, jwks };
}

/** Claims of a grant token, as the server issues them. */
export interface GrantClaims {
  sub: string;
  agt: string;
  dev: string;
  grnt: string;
  scp: string[];
  jti: string;
  iat: number;
  exp: number;
  aud?: string;
  /** Set on claims read back from a token; `sign` puts the server's issuer here. */
  iss?: string;
  parentAgt?: string;
  parentGrnt?: string;
  delegationDepth?: number;
}

/** Signs and checks grant tokens, honouring the signing faults. */
export class TokenSigner {
  readonly #keys: SigningKeys;
  readonly #issuers: readonly string[];
  readonly #faults: Faults;
  #rogue: Promise<KeyPair> | undefined;
  #signed = 0;
  /** Claims beyond the protocol's (the `extra-fields` variant; the claims schema allows them). */
  readonly #extraClaims: Readonly<Record<string, unknown>>;
  readonly #hmacSecret = crypto.getRandomValues(new Uint8Array(32));

  /** `issuers`: the `iss` of every token, or (the `issuer-varies` fault) several taken in turn. */
  constructor(
    keys: SigningKeys,
    issuers: string | readonly string[],
    faults: Faults,
    extraClaims: Readonly<Record<string, unknown>> = {},
  ) {
    this.#keys = keys;
    this.#extraClaims = extraClaims;
    this.#issuers = typeof issuers === 'string' ? [issuers] : [...issuers];
    if (this.#issuers.length === 0) throw new TypeError('a token signer needs an issuer');
    this.#faults = faults;
  }

  /** The `iss` of the server's tokens (the first one when the issuer-varies fault rotates them). */
  get issuer(): string {
    return this.#issuers[0]!;
  }

  #rogueKey(): Promise<KeyPair> {
    this.#rogue ??= generateKeyPair('RS256', { extractable: false });
    return this.#rogue;
  }

  /** A compact JWS over `claims`, with `iss` set to the server's issuer. */
  async sign(claims: GrantClaims): Promise<string> {
    const { iat, exp, aud, iss: _given, ...rest } = claims;
    // Claim order follows the hosted server: custom claims, then iss, sub, jti, iat, exp, aud.
    const { sub, jti, ...custom } = rest;
    const iss = this.#issuers[this.#signed++ % this.#issuers.length]!;
    const payload: JWTPayload = { ...custom, ...this.#extraClaims, iss, sub, jti, iat, exp };
    if (aud !== undefined) payload.aud = aud;
    if (this.#faults.has('token-alg-hs256')) {
      return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', kid: this.#keys.kid }).sign(this.#hmacSecret);
    }
    const key = this.#faults.has('token-unpublished-key') ? (await this.#rogueKey()).privateKey : this.#keys.privateKey;
    return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: this.#keys.kid }).sign(key);
  }

  /**
   * The claims of a token this server signed and that has not expired at
   * `nowMs`, or undefined for anything else (bad signature, alg, format, expiry).
   */
  async verify(token: string, nowMs: number): Promise<GrantClaims | undefined> {
    try {
      const hs = this.#faults.has('token-alg-hs256');
      const key = hs
        ? this.#hmacSecret
        : this.#faults.has('token-unpublished-key')
          ? (await this.#rogueKey()).publicKey
          : this.#keys.publicKey;
      const { payload } = await jwtVerify(token, key, {
        algorithms: [hs ? 'HS256' : 'RS256'],
        issuer: [...this.#issuers],
        currentDate: new Date(nowMs),
        clockTolerance: 0,
      });
      return isGrantClaims(payload) ? payload : undefined;
    } catch {
      return undefined;
    }
  }
}

function isGrantClaims(p: JWTPayload): p is JWTPayload & GrantClaims {
  return (
    typeof p.sub === 'string' &&
    typeof p['agt'] === 'string' &&
    typeof p['dev'] === 'string' &&
    typeof p['grnt'] === 'string' &&
    typeof p.jti === 'string' &&
    Array.isArray(p['scp']) &&
    (p['scp'] as unknown[]).every((s) => typeof s === 'string') &&
    typeof p.exp === 'number' &&
    typeof p.iat === 'number'
  );
}
