import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GrantexTokenError } from '../../src/integrity/verify/errors.js';
import {
  createGrantVerifier,
  verifyGrantToken,
  type VerifyGrantTokenOptions,
} from '../../src/integrity/verify/grant-token.js';
import { signatureBackend } from '../../src/integrity/verify/signature.js';
import type { Jwks } from '../../src/integrity/verify/jwks.js';
import { buildCorpus, createFixture, type CorpusCase, type Fixture } from './support/corpus.js';
import { codeOf } from './support/outcome.js';
import { NOW, at, claims, readVector, signRs256 } from './support/tokens.js';

interface TokenVector {
  response: { grantToken: string; grantId: string; scopes: string[]; expiresAt: string };
  request: { scopes: string[]; audience?: string };
}
const jwks = readVector<Jwks>('jwks.json');
const grant = readVector<TokenVector>('grant-token.json');
const delegated = readVector<TokenVector>('delegated-token.json');
const CAPTURE = new Date('2026-11-28T13:00:00Z');

describe('verifyGrantToken: real tokens from the reference server', () => {
  it('runs on the Node fast path here', () => {
    expect(signatureBackend().name).toBe('node');
  });

  it('verifies a grant token with audience', async () => {
    const verified = await verifyGrantToken(grant.response.grantToken, {
      jwks,
      currentDate: CAPTURE,
      audience: grant.request.audience!,
      issuer: 'http://127.0.0.1:3001',
      requiredScopes: grant.request.scopes,
    });
    expect(verified).toEqual({
      tokenId: 'tok_01M8H3DM8C2B82HM5N3G1C3BF1',
      grantId: grant.response.grantId,
      principalId: 'user_vec',
      agentDid: 'did:grantex:ag_01M8H3D6A60QZ1Z8Z6GZBQ32QD',
      developerId: 'dev_01M8H3D69ED20CXX9BVR3Z61AR',
      scopes: grant.response.scopes,
      issuedAt: 1795870347,
      expiresAt: (Date.parse(grant.response.expiresAt) / 1000) | 0,
      issuer: 'http://127.0.0.1:3001',
      audience: 'https://api.example.test',
    });
  });

  it('verifies a delegated token with its delegation claims', async () => {
    const verified = await verifyGrantToken(delegated.response.grantToken, { jwks, currentDate: CAPTURE });
    expect(verified).toMatchObject({
      grantId: delegated.response.grantId,
      scopes: ['calendar:read'],
      parentAgentDid: 'did:grantex:ag_01M8H3D6A60QZ1Z8Z6GZBQ32QD',
      parentGrantId: grant.response.grantId,
      delegationDepth: 1,
    });
    expect(verified.audience).toBeUndefined();
  });

  it('refuses the real tokens once expired, before issue, or for another audience, issuer or scope', async () => {
    const token = grant.response.grantToken;
    expect(await codeOf(verifyGrantToken(token, { jwks, currentDate: new Date('2026-11-29T00:00:00Z') }))).toBe(
      'expired',
    );
    expect(await codeOf(verifyGrantToken(token, { jwks, currentDate: new Date('2026-11-28T12:00:00Z') }))).toBe(
      'not_yet_valid',
    );
    expect(await codeOf(verifyGrantToken(token, { jwks, currentDate: CAPTURE, audience: 'https://other.test' }))).toBe(
      'wrong_audience',
    );
    expect(
      await codeOf(verifyGrantToken(token, { jwks, currentDate: CAPTURE, issuer: 'https://api.grantex.dev' })),
    ).toBe('wrong_issuer');
    expect(
      await codeOf(
        verifyGrantToken(delegated.response.grantToken, { jwks, currentDate: CAPTURE, requiredScopes: ['email:send'] }),
      ),
    ).toBe('insufficient_scope');
  });

  it('refuses the real token against a JWKS holding only the EdDSA key', async () => {
    const edOnly = {
      keys: jwks.keys.filter((key) => key.kty === 'OKP').map((key) => ({ ...key, kid: 'grantex-2026-11' })),
    };
    expect(await codeOf(verifyGrantToken(grant.response.grantToken, { jwks: edOnly, currentDate: CAPTURE }))).toBe(
      'unknown_key',
    );
  });

  it('refuses every single-character change to the real token (fast-check)', async () => {
    const token = grant.response.grantToken;
    await fc.assert(
      fc.asyncProperty(fc.nat(token.length - 1), fc.integer({ min: 0, max: 255 }), async (index, code) => {
        fc.pre(token.charCodeAt(index) !== code);
        const mutated = token.slice(0, index) + String.fromCharCode(code) + token.slice(index + 1);
        expect(await codeOf(verifyGrantToken(mutated, { jwks, currentDate: CAPTURE }))).not.toBe('ok');
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses every replacement of the last character of each part (the malleable bits)', async () => {
    const token = grant.response.grantToken;
    const ends = [token.indexOf('.') - 1, token.lastIndexOf('.') - 1, token.length - 1];
    for (const index of ends) {
      for (let code = 0; code < 256; code++) {
        if (code === token.charCodeAt(index)) continue;
        const mutated = token.slice(0, index) + String.fromCharCode(code) + token.slice(index + 1);
        expect(await codeOf(verifyGrantToken(mutated, { jwks, currentDate: CAPTURE }))).not.toBe('ok');
      }
    }
  });
});

describe('verifyGrantToken: attack corpus', () => {
  let fixture: Fixture;
  let corpus: CorpusCase[];
  beforeAll(() => {
    fixture = createFixture();
    corpus = buildCorpus(fixture);
  });

  const run = (c: CorpusCase) =>
    verifyGrantToken(
      c.token as string,
      { jwks: fixture.jwks, currentDate: at(NOW), ...c.options } as VerifyGrantTokenOptions,
    );

  it('has a broad corpus', () => {
    expect(corpus.length).toBeGreaterThan(80);
    expect(new Set(corpus.map((c) => c.expect))).toEqual(
      new Set([
        'ok',
        'unsupported_alg',
        'unknown_key',
        'bad_signature',
        'malformed',
        'expired',
        'not_yet_valid',
        'wrong_issuer',
        'wrong_audience',
        'insufficient_scope',
        'invalid_claims',
      ]),
    );
  });

  it('fails every case closed with the expected code', async () => {
    const outcomes = [];
    for (const c of corpus) outcomes.push({ name: c.name, code: await codeOf(run(c)) });
    expect(outcomes).toEqual(corpus.map((c) => ({ name: c.name, code: c.expect })));
  });

  it('gives the same outcomes through a caching verifier, twice over', async () => {
    for (const c of corpus) {
      const verifier = createGrantVerifier({ jwks: fixture.jwks, ...c.options } as Parameters<
        typeof createGrantVerifier
      >[0]);
      for (let round = 0; round < 2; round++) {
        expect({
          name: c.name,
          code: await codeOf(verifier.verify(c.token as string, { currentDate: at(NOW) })),
        }).toEqual({ name: c.name, code: c.expect });
      }
    }
  });

  it('refuses every single-character change to a valid token (fast-check)', async () => {
    const token = fixture.valid;
    await fc.assert(
      fc.asyncProperty(fc.nat(token.length - 1), fc.integer({ min: 0, max: 255 }), async (index, code) => {
        fc.pre(token.charCodeAt(index) !== code);
        const mutated = token.slice(0, index) + String.fromCharCode(code) + token.slice(index + 1);
        expect(await codeOf(verifyGrantToken(mutated, { jwks: fixture.jwks, currentDate: at(NOW) }))).not.toBe('ok');
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses scp of any shape but an array of strings (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (scp) => {
        fc.pre(!(Array.isArray(scp) && scp.every((s) => typeof s === 'string')));
        const token = signRs256(
          fixture.signer.privateKey,
          { alg: 'RS256', kid: fixture.signer.kid },
          claims({ scp: scp ?? null }),
        );
        expect(await codeOf(verifyGrantToken(token, { jwks: fixture.jwks, currentDate: at(NOW) }))).toBe(
          'invalid_claims',
        );
      }),
      { numRuns: 100 },
    );
  });

  it('checks time claims against the clock tolerance', async () => {
    const token = signRs256(
      fixture.signer.privateKey,
      { alg: 'RS256', kid: fixture.signer.kid },
      claims({ exp: NOW + 30, nbf: NOW + 20 }),
    );
    const verify = (seconds: number, clockTolerance?: number) =>
      codeOf(
        verifyGrantToken(token, {
          jwks: fixture.jwks,
          currentDate: at(seconds),
          ...(clockTolerance === undefined ? {} : { clockTolerance }),
        }),
      );
    expect(await verify(NOW)).toBe('not_yet_valid');
    expect(await verify(NOW + 15)).toBe('ok');
    expect(await verify(NOW + 14, 0)).toBe('not_yet_valid');
    expect(await verify(NOW + 35, 0)).toBe('expired');
    expect(await verify(NOW + 35, 20)).toBe('ok');
  });
});

describe('verifyGrantToken: options', () => {
  let fixture: Fixture;
  beforeAll(() => {
    fixture = createFixture();
  });

  it.each([
    ['no key source', {}],
    ['both key sources', { jwks, jwksUri: 'https://example.test/jwks.json' }],
    ['a JWKS that is not one', { jwks: { keys: 'nope' } }],
    ['a relative jwksUri', { jwksUri: '/jwks.json' }],
    ['a non-http jwksUri', { jwksUri: 'file:///etc/passwd' }],
    ['a negative clockTolerance', { jwks, clockTolerance: -1 }],
    ['a NaN maxTokenAge', { jwks, maxTokenAge: Number.NaN }],
    ['an empty issuer', { jwks, issuer: '' }],
    ['an empty audience list', { jwks, audience: [] }],
    ['non-string scopes', { jwks, requiredScopes: [1] }],
    ['an invalid date', { jwks, currentDate: new Date('nope') }],
    ['a zero maxTokenLength', { jwks, maxTokenLength: 0 }],
  ])('refuses %s with invalid_options', async (_name, options) => {
    expect(await codeOf(verifyGrantToken(grant.response.grantToken, options as VerifyGrantTokenOptions))).toBe(
      'invalid_options',
    );
  });

  it('refuses bad verifier options at creation', () => {
    expect(() => createGrantVerifier({ jwks, cacheSize: -1 })).toThrow(GrantexTokenError);
    expect(() => createGrantVerifier({ jwksUri: 'https://example.test/jwks', cooldownDuration: -5 })).toThrow(
      expect.objectContaining({ code: 'invalid_options' }),
    );
    expect(() => createGrantVerifier({} as never)).toThrow(expect.objectContaining({ code: 'invalid_options' }));
  });

  it('accepts any of several issuers or audiences', async () => {
    const token = signRs256(fixture.signer.privateKey, { alg: 'RS256', kid: fixture.signer.kid }, claims({ aud: 'b' }));
    const base = { jwks: fixture.jwks, currentDate: at(NOW) };
    expect(
      await codeOf(
        verifyGrantToken(token, { ...base, issuer: ['x', 'https://auth.example.test'], audience: ['a', 'b'] }),
      ),
    ).toBe('ok');
    expect(await codeOf(verifyGrantToken(token, { ...base, audience: ['a', 'c'] }))).toBe('wrong_audience');
  });

  it('does not see later changes to a verifier JWKS', async () => {
    const keys = { keys: [...fixture.jwks.keys] };
    const verifier = createGrantVerifier({ jwks: keys, cacheSize: 0 });
    keys.keys.length = 0;
    expect(await codeOf(verifier.verify(fixture.valid, { currentDate: at(NOW) }))).toBe('ok');
  });

  it('adds per-call required scopes to the verifier ones', async () => {
    const verifier = createGrantVerifier({ jwks: fixture.jwks, requiredScopes: ['calendar:read'] });
    expect(await codeOf(verifier.verify(fixture.valid, { currentDate: at(NOW), requiredScopes: ['email:send'] }))).toBe(
      'ok',
    );
    expect(await codeOf(verifier.verify(fixture.valid, { currentDate: at(NOW), requiredScopes: ['admin'] }))).toBe(
      'insufficient_scope',
    );
  });
});
