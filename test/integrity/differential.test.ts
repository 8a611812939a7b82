/**
 * The Node fast path must accept and refuse exactly what the jose (Web
 * Crypto) path does, with the same result or the same error code; and the
 * verified-token cache must never change an outcome.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GrantexTokenError } from '../../src/integrity/verify/errors.js';
import {
  toSettings,
  verifyWith,
  type VerifierParts,
  type VerifyGrantTokenOptions,
} from '../../src/integrity/verify/grant-token.js';
import { LocalJwks } from '../../src/integrity/verify/jwks.js';
import { loadNodeBackend } from '../../src/integrity/verify/node-rsa.js';
import { joseBackend, type SignatureBackend } from '../../src/integrity/verify/signature.js';
import { TokenCache } from '../../src/integrity/verify/token-cache.js';
import type { Jwks } from '../../src/integrity/verify/jwks.js';
import { buildCorpus, createFixture, type CorpusCase, type Fixture } from './support/corpus.js';
import { NOW, b64, b64json, claims, readVector, signRs256 } from './support/tokens.js';

type Outcome = { ok: unknown } | { code: string };

let fixture: Fixture;
let corpus: CorpusCase[];
let fallbackCalls = 0;
let jose: VerifierParts;
let node: VerifierParts;

beforeAll(() => {
  fixture = createFixture();
  corpus = buildCorpus(fixture);
  const countingFallback: SignatureBackend = {
    name: 'jose',
    verify: (...args) => {
      fallbackCalls++;
      return joseBackend.verify(...args);
    },
  };
  const nodeBackend = loadNodeBackend(countingFallback);
  if (nodeBackend === undefined) throw new Error('node:crypto fast path unavailable');
  const source = new LocalJwks(fixture.jwks);
  jose = { source, cache: undefined, backend: joseBackend };
  node = { source, cache: undefined, backend: nodeBackend };
});

async function outcome(
  parts: VerifierParts,
  token: unknown,
  options: Partial<VerifyGrantTokenOptions> = {},
  now = NOW,
): Promise<Outcome> {
  try {
    return {
      ok: await verifyWith(
        parts,
        token,
        toSettings({ jwks: fixture.jwks, ...options } as VerifyGrantTokenOptions),
        now,
      ),
    };
  } catch (error) {
    if (!(error instanceof GrantexTokenError)) throw error;
    return { code: error.code };
  }
}

async function sameOutcome(token: unknown, options: Partial<VerifyGrantTokenOptions> = {}): Promise<Outcome> {
  const reference = await outcome(jose, token, options);
  expect(await outcome(node, token, options)).toEqual(reference);
  return reference;
}

const mutateChar = (token: string) =>
  fc
    .tuple(fc.nat(token.length - 1), fc.integer({ min: 0, max: 255 }))
    .map(([i, c]) => token.slice(0, i) + String.fromCharCode(c) + token.slice(i + 1));
const deleteChar = (token: string) => fc.nat(token.length - 1).map((i) => token.slice(0, i) + token.slice(i + 1));
const insertChar = (token: string) =>
  fc
    .tuple(fc.nat(token.length), fc.constantFrom(...'Aa0-_.=+/ '))
    .map(([i, c]) => token.slice(0, i) + c + token.slice(i));
const swapParts = (tokens: string[]) =>
  fc.tuple(fc.constantFrom(...tokens), fc.constantFrom(...tokens), fc.nat(2)).map(([a, b, part]) => {
    const pa = a.split('.');
    pa[part] = b.split('.')[part] ?? '';
    return pa.join('.');
  });

describe('Node fast path vs jose path', () => {
  it('is skipped where process.getBuiltinModule is missing (browsers, edge, Node < 20.16)', () => {
    const original = process.getBuiltinModule;
    try {
      Object.defineProperty(process, 'getBuiltinModule', { value: undefined, configurable: true, writable: true });
      expect(loadNodeBackend(joseBackend)).toBeUndefined();
    } finally {
      Object.defineProperty(process, 'getBuiltinModule', { value: original, configurable: true, writable: true });
    }
    expect(loadNodeBackend(joseBackend)?.name).toBe('node');
  });

  it('agree on every case of the attack corpus, without falling back', async () => {
    fallbackCalls = 0;
    for (const c of corpus) {
      const reference = await sameOutcome(c.token, c.options);
      expect({ name: c.name, outcome: 'ok' in reference ? 'ok' : reference.code }).toEqual({
        name: c.name,
        outcome: c.expect,
      });
    }
    expect(fallbackCalls).toBe(0);
  });

  it('agree on the real vectors', async () => {
    const jwks = readVector<Jwks>('jwks.json');
    const source = new LocalJwks(jwks);
    for (const file of ['grant-token.json', 'delegated-token.json']) {
      const token = readVector<{ response: { grantToken: string } }>(file).response.grantToken;
      const now = Date.parse('2026-11-28T13:00:00Z') / 1000;
      const settings = toSettings({ jwks });
      const a = await verifyWith({ ...jose, source }, token, settings, now);
      expect(await verifyWith({ ...node, source }, token, settings, now)).toEqual(a);
    }
  });

  it('agree on random single-character changes, deletions and insertions of valid tokens', async () => {
    fallbackCalls = 0;
    const valid = corpus.filter((c) => c.expect === 'ok' && c.options === undefined).map((c) => c.token as string);
    const arb = fc
      .constantFrom(...valid)
      .chain((token) => fc.oneof(mutateChar(token), deleteChar(token), insertChar(token)));
    await fc.assert(
      fc.asyncProperty(arb, async (token) => {
        await sameOutcome(token);
      }),
      { numRuns: 1500 },
    );
    expect(fallbackCalls).toBe(0);
  });

  it('agree when parts of different corpus tokens are spliced together', async () => {
    const tokens = corpus
      .map((c) => c.token)
      .filter((t): t is string => typeof t === 'string' && t.split('.').length === 3);
    await fc.assert(
      fc.asyncProperty(swapParts(tokens), async (token) => {
        await sameOutcome(token);
      }),
      { numRuns: 500 },
    );
  });

  it('agree on validly signed tokens with arbitrary headers and claims', async () => {
    const header = fc.record(
      {
        alg: fc.oneof(fc.constant('RS256'), fc.string({ maxLength: 6 })),
        kid: fc.oneof(fc.constant(fixture.signer.kid), fc.constant('test-ed'), fc.string({ maxLength: 4 })),
        crit: fc.array(fc.string({ maxLength: 3 }), { maxLength: 1 }),
        typ: fc.string({ maxLength: 3 }),
      },
      { requiredKeys: [] },
    );
    const claimValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined));
    const payload = fc.record({
      scp: fc.oneof(fc.constant(['calendar:read']), claimValue),
      exp: fc.oneof(fc.integer({ min: NOW - 100, max: NOW + 100 }), claimValue),
      iat: fc.oneof(fc.integer({ min: NOW - 100, max: NOW + 100 }), claimValue),
      nbf: fc.oneof(fc.constant(undefined), fc.integer({ min: NOW - 100, max: NOW + 100 })),
      aud: fc.oneof(fc.constant(undefined), fc.constantFrom('a', 'b'), fc.constant(['a', 'c'])),
      sub: fc.oneof(fc.constant('user'), claimValue),
      delegationDepth: fc.oneof(fc.constant(undefined), fc.integer({ min: -1, max: 3 })),
    });
    const options = fc.record(
      {
        audience: fc.constantFrom('a', 'b'),
        requiredScopes: fc.constant(['calendar:read']),
        maxTokenAge: fc.nat(200),
        clockTolerance: fc.nat(20),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(header, payload, options, async (h, p, o) => {
        const token = signRs256(fixture.signer.privateKey, h, claims(p));
        await sameOutcome(token, o);
      }),
      { numRuns: 300 },
    );
  });

  it('agree on arbitrary strings and part shapes', async () => {
    const segment = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.uint8Array({ maxLength: 30 }).map(b64),
      fc.jsonValue().map((v) => b64json(v ?? null)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.tuple(segment, segment, segment).map((parts) => parts.join('.')),
        ),
        async (token) => {
          await sameOutcome(token);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('verified-token cache', () => {
  it('never changes an outcome, whatever the order of calls, times and options', async () => {
    const tokens = [
      ...corpus.map((c) => c.token),
      signRs256(
        fixture.signer.privateKey,
        { alg: 'RS256', kid: fixture.signer.kid },
        claims({ exp: NOW + 20, jti: 'short' }),
      ),
    ];
    const call = fc.record({
      token: fc.constantFrom(...tokens),
      offset: fc.integer({ min: -100, max: 4000 }),
      options: fc.record(
        {
          requiredScopes: fc.constantFrom(['calendar:read'], ['admin']),
          maxTokenAge: fc.constantFrom(10, 1000),
          audience: fc.constant('https://api.example.test'),
          maxTokenLength: fc.constantFrom(100, 2000),
        },
        { requiredKeys: [] },
      ),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(call, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 4 }),
        async (calls, size) => {
          const cached: VerifierParts = { ...node, cache: new TokenCache(size) };
          for (const { token, offset, options } of calls) {
            expect(await outcome(cached, token, options, NOW + offset)).toEqual(
              await outcome(node, token, options, NOW + offset),
            );
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('skips the signature check on a hit, and never serves an entry at or after exp', async () => {
    let checks = 0;
    const counting: SignatureBackend = {
      name: 'node',
      verify: (...args) => {
        checks++;
        return node.backend.verify(...args);
      },
    };
    const cache = new TokenCache(10);
    const parts: VerifierParts = { source: node.source, cache, backend: counting };
    const token = signRs256(
      fixture.signer.privateKey,
      { alg: 'RS256', kid: fixture.signer.kid },
      claims({ exp: NOW + 100 }),
    );
    const settings = toSettings({ jwks: fixture.jwks, clockTolerance: 0 });
    for (let i = 0; i < 5; i++) await verifyWith(parts, token, settings, NOW);
    // Admitted on its second verification, served from the cache afterwards.
    expect(checks).toBe(2);
    expect(cache.size).toBe(1);
    await expect(verifyWith(parts, token, settings, NOW + 100)).rejects.toMatchObject({ code: 'expired' });
    expect(checks).toBe(3);
    expect(cache.size).toBe(0);
  });

  it('admits tokens seen twice, and stays within its bound', async () => {
    const cache = new TokenCache(3);
    const parts: VerifierParts = { ...node, cache };
    const settings = toSettings({ jwks: fixture.jwks });
    for (let i = 0; i < 10; i++) {
      const token = signRs256(
        fixture.signer.privateKey,
        { alg: 'RS256', kid: fixture.signer.kid },
        claims({ jti: `tok_${i}` }),
      );
      await verifyWith(parts, token, settings, NOW);
      expect(cache.size).toBe(Math.min(i, 3));
      await verifyWith(parts, token, settings, NOW);
      expect(cache.size).toBe(Math.min(i + 1, 3));
    }
  });
});
