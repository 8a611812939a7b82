/**
 * @module rp/issuer
 * The relying-party kit's test issuer: its own RSA keys (a good one, a
 * foreign one, a 1024-bit one and an e = 1 one), a JWKS served on 127.0.0.1,
 * an online check (`POST /v1/tokens/verify`) that knows which grants the kit
 * revoked, and a signer for any header and payload.
 */
import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomUUID,
  sign,
} from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One JWKS entry as the kit publishes it. */
export interface PublishedKey {
  kty: 'RSA';
  kid: string;
  alg: 'RS256';
  use: 'sig';
  n: string;
  e: string;
}

/** A running test issuer. */
export interface TestIssuer {
  /** The issuer URL (`iss`): `http://127.0.0.1:<port>`. */
  issuer: string;
  /** `issuer + /.well-known/jwks.json`. */
  jwksUri: string;
  /** The published key set (good key, 1024-bit key, e = 1 key). */
  jwks: { keys: PublishedKey[] };
  /** The kid of the good key. */
  kid: string;
  /** Signs `header.payload` with the good key. */
  signGood(header: object, payload: object): string;
  /** Signs with a key that is not in the JWKS (another issuer's). */
  signForeign(header: object, payload: object): string;
  /** Signs with the published 1024-bit key. */
  signWeakModulus(header: object, payload: object): string;
  /** A "signature" that verifies under the published e = 1 key: the PKCS #1 v1.5 encoded hash itself. */
  signExponentOne(header: object, payload: object): string;
  /** HS256 keyed with the good key's public PEM (the algorithm-confusion attack). */
  signHs256WithPublicKey(header: object, payload: object): string;
  /** Marks a grant revoked for the online check. */
  revokeGrant(grantId: string): void;
  /** Online checks answered so far. */
  readonly onlineChecks: number;
  close(): Promise<void>;
}

export const WEAK_MODULUS_KID = 'rp-kit-rsa1024';
export const EXPONENT_ONE_KID = 'rp-kit-e1';

const b64 = (value: string | Uint8Array): string => Buffer.from(value).toString('base64url');
const segment = (value: object): string => b64(JSON.stringify(value));
/** DigestInfo prefix of SHA-256 (RFC 8017 §9.2 note 1). */
const SHA256_PREFIX = Buffer.from('3031300d060960864801650304020105000420', 'hex');
const MAX_BODY = 64 * 1024;

function publish(publicKey: KeyObject, kid: string): PublishedKey {
  const jwk = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
  return { kty: 'RSA', kid, alg: 'RS256', use: 'sig', n: jwk.n, e: jwk.e };
}

interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** The kit's four keys: generated, or read from (and first written to) `file`, so an API can keep trusting them. */
function loadKeys(file: string | undefined): Record<'good' | 'foreign' | 'weak' | 'eOne', KeyPair> {
  const names = ['good', 'foreign', 'weak', 'eOne'] as const;
  if (file !== undefined) {
    let saved: Record<string, string> | undefined;
    try {
      saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read the kit keys in ${file}`);
    }
    if (saved !== undefined) {
      const pair = (name: string): KeyPair => {
        const privateKey = createPrivateKey(String(saved[name]));
        return { privateKey, publicKey: createPublicKey(privateKey) };
      };
      return { good: pair('good'), foreign: pair('foreign'), weak: pair('weak'), eOne: pair('eOne') };
    }
  }
  const keys = {
    good: generateKeyPairSync('rsa', { modulusLength: 2048 }),
    foreign: generateKeyPairSync('rsa', { modulusLength: 2048 }),
    weak: generateKeyPairSync('rsa', { modulusLength: 1024 }),
    eOne: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  };
  if (file !== undefined) {
    const pem = Object.fromEntries(
      names.map((name) => [name, keys[name].privateKey.export({ format: 'pem', type: 'pkcs8' }) as string]),
    );
    writeFileSync(file, `${JSON.stringify(pem, null, 2)}\n`, { mode: 0o600 });
  }
  return keys;
}

/** Options of {@link startTestIssuer}. */
export interface TestIssuerOptions {
  /** Port on 127.0.0.1. Default: a free one. */
  port?: number;
  /** A file holding the kit's private keys (written on first use), so the same JWKS serves every run. */
  keysFile?: string;
}

/** Starts a test issuer on 127.0.0.1 (a free port unless `port` is given). */
export async function startTestIssuer(options: TestIssuerOptions = {}): Promise<TestIssuer> {
  const { good, foreign, weak, eOne: eOnePair } = loadKeys(options.keysFile);
  const eOneModulus = eOnePair.publicKey;
  const eOne: PublishedKey = { ...publish(eOneModulus, EXPONENT_ONE_KID), e: 'AQ' };
  // The kid names the key material, so an API that cached another run's keys refetches instead of mismatching.
  const goodKid = `rp-kit-${createHash('sha256')
    .update(good.publicKey.export({ format: 'der', type: 'spki' }))
    .digest('hex')
    .slice(0, 12)}`;
  const jwks = {
    keys: [publish(good.publicKey, goodKid), publish(weak.publicKey, WEAK_MODULUS_KID), eOne],
  };
  const publicPem = good.publicKey.export({ format: 'pem', type: 'spki' }) as string;
  const revoked = new Set<string>();
  let onlineChecks = 0;

  const rsa = (key: KeyObject) => (header: object, payload: object) => {
    const input = `${segment(header)}.${segment(payload)}`;
    return `${input}.${b64(sign('sha256', Buffer.from(input), key))}`;
  };

  const server: Server = createServer((request, response) => {
    const answer = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify(body));
    };
    if (request.method === 'GET' && request.url === '/.well-known/jwks.json') return answer(200, jwks);
    if (request.method === 'POST' && request.url === '/v1/tokens/verify') {
      const chunks: Buffer[] = [];
      let size = 0;
      request.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY) request.destroy();
        else chunks.push(chunk);
      });
      request.on('end', () => {
        onlineChecks++;
        try {
          const { token } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { token?: unknown };
          const payload = JSON.parse(Buffer.from(String(token).split('.')[1] ?? '', 'base64url').toString('utf8'));
          answer(200, revoked.has(payload.grnt) ? { valid: false } : { valid: true });
        } catch {
          answer(200, { valid: false });
        }
      });
      return undefined;
    }
    return answer(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  return {
    issuer,
    jwksUri: `${issuer}/.well-known/jwks.json`,
    jwks,
    kid: goodKid,
    signGood: rsa(good.privateKey),
    signForeign: rsa(foreign.privateKey),
    signWeakModulus: rsa(weak.privateKey),
    signExponentOne(header, payload) {
      const input = `${segment(header)}.${segment(payload)}`;
      const digest = Buffer.concat([SHA256_PREFIX, createHash('sha256').update(input).digest()]);
      const size = Buffer.from(eOne.n, 'base64url').length;
      const encoded = Buffer.concat([
        Buffer.from([0, 1]),
        Buffer.alloc(size - digest.length - 3, 0xff),
        Buffer.from([0]),
        digest,
      ]);
      return `${input}.${b64(encoded)}`;
    },
    signHs256WithPublicKey(header, payload) {
      const input = `${segment(header)}.${segment(payload)}`;
      return `${input}.${createHmac('sha256', publicPem).update(input).digest('base64url')}`;
    },
    revokeGrant: (grantId) => revoked.add(grantId),
    get onlineChecks() {
      return onlineChecks;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A fresh id with a prefix, for `jti` and `grnt`. */
export function freshId(prefix: string): string {
  return `${prefix}_rp${randomUUID().replace(/-/g, '').slice(0, 20)}`;
}
