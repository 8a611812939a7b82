// A JWKS RSA key whose exponent is 1 (or even) makes "verification" forgeable:
// with e = 1 the signature is just the padded digest. Both signature backends
// and the key selection refuse such keys; the forged token is first shown to
// pass a raw RSA verify, so the refusal is what stops it.
import { createHash, createPublicKey, verify } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseToken } from '../../src/integrity/verify/compact.js';
import { GrantexTokenError } from '../../src/integrity/verify/errors.js';
import { verifyGrantToken } from '../../src/integrity/verify/grant-token.js';
import { isUsableRsaExponent } from '../../src/integrity/verify/rsa-exponent.js';
import { joseBackend, signatureBackend } from '../../src/integrity/verify/signature.js';
import { NOW, at, b64, b64json, claims, rsaKey } from './support/tokens.js';

const DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/** A token "signed" for a key with e = 1: the signature is the EMSA-PKCS1-v1_5 encoding itself. */
function forge(modulusBytes: number, kid: string): string {
  const input = `${b64json({ alg: 'RS256', typ: 'JWT', kid })}.${b64json(claims())}`;
  const digest = createHash('sha256').update(input).digest();
  const t = Buffer.concat([DIGEST_INFO, digest]);
  const padding = Buffer.alloc(modulusBytes - t.length - 3, 0xff);
  const encoded = Buffer.concat([Buffer.from([0x00, 0x01]), padding, Buffer.from([0x00]), t]);
  return `${input}.${b64(encoded)}`;
}

const key = rsaKey('weak');
const n = key.jwk.n as string;
const modulusBytes = Buffer.from(n, 'base64url').length;

describe('RSA exponent', () => {
  it('the forgery is real: a raw RSA verify accepts it under e = 1', () => {
    const token = forge(modulusBytes, 'weak');
    const [header, payload, signature] = token.split('.');
    const raw = createPublicKey({ key: { kty: 'RSA', n, e: 'AQ' }, format: 'jwk' });
    expect(verify('sha256', Buffer.from(`${header}.${payload}`), raw, Buffer.from(signature!, 'base64url'))).toBe(true);
  });

  it('both backends refuse a key with e = 1', async () => {
    const token = forge(modulusBytes, 'weak');
    const parsed = parseToken(token, 16_384);
    for (const backend of [signatureBackend(), joseBackend]) {
      const outcome = await Promise.resolve()
        .then(() => backend.verify(token, parsed, { n, e: 'AQ' }))
        .then(
          (verified) => (verified ? 'verified' : 'refused'),
          (error: unknown) => (error instanceof GrantexTokenError ? error.code : String(error)),
        );
      expect(outcome, backend.name).toBe('unknown_key');
    }
    expect(signatureBackend().name).toBe('node');
  });

  it('verifyGrantToken never selects such a key', async () => {
    const token = forge(modulusBytes, 'weak');
    const jwks = { keys: [{ kty: 'RSA', n, e: 'AQ', kid: 'weak', alg: 'RS256', use: 'sig' }] };
    await expect(verifyGrantToken(token, { jwks: jwks as never, currentDate: at(NOW) })).rejects.toMatchObject({
      code: 'unknown_key',
    });
  });

  it('accepts exactly the odd exponents of at least 3', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 72n) - 1n }), fc.nat({ max: 2 }), (e, zeros) => {
        const hex = e.toString(16);
        const bytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
        const encoded = b64(Buffer.concat([Buffer.alloc(zeros), bytes]));
        expect(isUsableRsaExponent(encoded)).toBe(e >= 3n && e % 2n === 1n);
      }),
    );
    expect(isUsableRsaExponent('AQAB')).toBe(true);
    expect(isUsableRsaExponent('')).toBe(false);
  });
});
