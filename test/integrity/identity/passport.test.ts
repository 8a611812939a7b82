// verifyPassport (SPEC.md §15.3) accepts the real passport vectors and refuses the attack corpus.
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPassportVerifier, verifyPassport } from '../../../src/integrity/passport/verify-passport.js';
import { sameJson } from '../../../src/integrity/passport/structure.js';
import { corpusDefaults, passportCorpus } from './passport-corpus.js';
import {
  CLOCK,
  didDocuments,
  first,
  ISSUER,
  second,
  STATUS_URL,
  statusAfter,
  statusBefore,
  tokenErrorCode as outcome,
} from './vectors.js';

describe('verifyPassport on the real vectors', () => {
  it('returns the passport identity fields', async () => {
    const verified = await verifyPassport(first.encodedCredential, {
      ...corpusDefaults,
      category: 'inference',
      amount: 12.5,
    });
    expect(verified).toMatchObject({
      passportId: first.credential['id'],
      issuer: ISSUER,
      agentDid: 'did:grantex:ag_01M92VTQBAZEHB2SK0C7T17HSX',
      humanPrincipal: 'did:grantex:user_passport_1',
      grantId: 'grnt_01M92VTQM79EPDCGN7Q4BG2V8E',
      allowedMPPCategories: ['inference', 'compute'],
      maxTransactionAmount: { amount: 50, currency: 'USDC' },
      delegationDepth: 0,
      revocationChecked: false,
    });
    expect(verified.validUntil.toISOString()).toBe('2026-12-06T10:26:08.403Z');
  });

  it('reads the revocation bit of the status list: the second passport flips, the first stays clear', async () => {
    const before = { statusList: { documents: { [STATUS_URL]: statusBefore } } };
    const after = { statusList: { documents: { [STATUS_URL]: statusAfter } } };
    expect(await outcome(() => verifyPassport(second.encodedCredential, { ...corpusDefaults, ...before }))).toBe('ok');
    expect(await outcome(() => verifyPassport(second.encodedCredential, { ...corpusDefaults, ...after }))).toBe(
      'revoked',
    );
    const first_ = await verifyPassport(first.encodedCredential, { ...corpusDefaults, ...after });
    expect(first_.revocationChecked).toBe(true);
  });

  it('never fetches a status list from an origin the caller did not allow', async () => {
    let fetched = 0;
    const fetch: typeof globalThis.fetch = async () => {
      fetched++;
      return new Response('{}');
    };
    const options = { ...corpusDefaults, statusList: { allowedOrigins: ['https://api.grantex.dev'], fetch } };
    expect(await outcome(() => verifyPassport(first.encodedCredential, options))).toBe('status_unavailable');
    expect(fetched).toBe(0);
  });

  it('a verifier reuses its resolver: the issuer document is read once', async () => {
    let resolved = 0;
    const cached = new Map<string, (typeof didDocuments)[typeof ISSUER]>();
    const verifier = createPassportVerifier({
      trustedIssuers: [ISSUER],
      resolver: {
        peek: (did) => cached.get(did),
        resolve: async (did) => {
          resolved++;
          const doc = didDocuments[did as typeof ISSUER];
          cached.set(did, doc);
          return doc;
        },
      },
    });
    await verifier.verify(first.encodedCredential, { currentDate: CLOCK });
    await verifier.verify(second.encodedCredential, { currentDate: CLOCK });
    expect(resolved).toBe(1);
  });

  it('refuses a configuration that trusts nobody', async () => {
    expect(
      await outcome(() => verifyPassport(first.encodedCredential, { ...corpusDefaults, trustedIssuers: [] })),
    ).toBe('invalid_options');
  });
});

describe('the passport attack corpus', () => {
  it('has at least 40 cases', () => {
    expect(passportCorpus.length).toBeGreaterThanOrEqual(40);
  });

  it.each(passportCorpus.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    expect(await outcome(() => verifyPassport(c.passport, { ...corpusDefaults, ...c.options }))).toBe(c.expect);
  });
});

describe('the binding comparison of signed and unsigned members', () => {
  it('is deep equality of JSON values, member order ignored', () => {
    const shuffled = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(shuffled)
        : typeof value === 'object' && value !== null
          ? Object.fromEntries(
              Object.entries(value)
                .reverse()
                .map(([k, v]) => [k, shuffled(v)]),
            )
          : value;
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        const [x, y] = [JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b))];
        expect(sameJson(x, shuffled(x))).toBe(true);
        expect(sameJson(x, y)).toBe(isDeepStrictEqual(x, y) || isDeepStrictEqual(shuffled(x), y));
      }),
      { numRuns: 500 },
    );
    expect(sameJson({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] })).toBe(false);
    expect(sameJson([1, 2], { 0: 1, 1: 2 })).toBe(false);
  });
});
