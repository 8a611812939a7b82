import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  GrantexPkceError,
  computeCodeChallenge,
  generatePkce,
  isValidCodeVerifier,
  verifyCodeChallenge,
} from '../../src/integrity/pkce.js';
import { GrantexError } from '../../src/core/errors.js';

const vectors = new URL('../vectors/', import.meta.url);
const grantVector = JSON.parse(readFileSync(new URL('grant-token.json', vectors), 'utf8')) as {
  codeVerifier: string;
  request: { codeChallenge: string; codeChallengeMethod: string };
};

const UNRESERVED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~';
const verifierArb = fc
  .array(fc.constantFrom(...UNRESERVED), { minLength: 43, maxLength: 128 })
  .map((chars) => chars.join(''));

describe('PKCE (RFC 7636)', () => {
  it('reproduces the RFC 7636 Appendix B vector', async () => {
    expect(await computeCodeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('matches the challenge the reference server accepted', async () => {
    expect(await computeCodeChallenge(grantVector.codeVerifier)).toBe(grantVector.request.codeChallenge);
    expect(grantVector.request.codeChallengeMethod).toBe('S256');
  });

  it('generates a 43-character unreserved verifier and its S256 challenge', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const pair = await generatePkce();
      expect(pair.codeVerifier).toMatch(/^[A-Za-z0-9._~-]{43}$/);
      expect(pair.codeChallengeMethod).toBe('S256');
      expect(pair.codeChallenge).toBe(createHash('sha256').update(pair.codeVerifier).digest('base64url'));
      seen.add(pair.codeVerifier);
    }
    expect(seen.size).toBe(50);
  });

  it('agrees with node:crypto on any valid verifier', async () => {
    await fc.assert(
      fc.asyncProperty(verifierArb, async (verifier) => {
        expect(isValidCodeVerifier(verifier)).toBe(true);
        const challenge = await computeCodeChallenge(verifier);
        expect(challenge).toBe(createHash('sha256').update(verifier).digest('base64url'));
        expect(await verifyCodeChallenge(verifier, challenge)).toBe(true);
      }),
    );
  });

  it.each([
    ['42 characters', 'a'.repeat(42)],
    ['129 characters', 'a'.repeat(129)],
    ['a space', `${'a'.repeat(42)} `],
    ['a plus sign', `${'a'.repeat(42)}+`],
    ['a slash', `${'a'.repeat(42)}/`],
    ['padding', `${'a'.repeat(42)}=`],
    ['non-ASCII', `${'a'.repeat(42)}é`],
    ['the empty string', ''],
  ])('refuses a verifier with %s', async (_label, verifier) => {
    expect(isValidCodeVerifier(verifier)).toBe(false);
    const error = await computeCodeChallenge(verifier).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrantexPkceError);
    expect(error).toBeInstanceOf(GrantexError);
    expect((error as GrantexPkceError).code).toBe('invalid_verifier');
  });

  it('refuses non-string verifiers without crashing', async () => {
    for (const value of [undefined, null, 42, {}, ['a'.repeat(43)]]) {
      expect(isValidCodeVerifier(value)).toBe(false);
      await expect(computeCodeChallenge(value as string)).rejects.toMatchObject({ code: 'invalid_verifier' });
    }
  });

  it('verifyCodeChallenge rejects any other verifier and the plain method', async () => {
    const { codeVerifier, codeChallenge } = await generatePkce();
    await fc.assert(
      fc.asyncProperty(verifierArb, async (other) => {
        fc.pre(other !== codeVerifier);
        expect(await verifyCodeChallenge(other, codeChallenge)).toBe(false);
      }),
      { numRuns: 50 },
    );
    expect(await verifyCodeChallenge('short', codeChallenge)).toBe(false);
    expect(await verifyCodeChallenge(codeVerifier, `${codeChallenge}x`)).toBe(false);
    await expect(verifyCodeChallenge(codeVerifier, codeVerifier, 'plain')).rejects.toMatchObject({
      code: 'unsupported_method',
    });
  });
});
