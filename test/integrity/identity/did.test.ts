// The DID resolver: did:web URLs, bounded fetches, document checks, and did:grantex through the service's JWKS.
import { describe, expect, it } from 'vitest';
import { assertionKeys, createDidResolver, didWebUrl } from '../../../src/integrity/did/resolve.js';
import { GrantexTokenError } from '../../../src/integrity/verify/errors.js';
import { issuerDocument, passportVectors, tokenErrorCode as code } from './vectors.js';

describe('didWebUrl', () => {
  it.each([
    ['did:web:grantex.dev', 'https://grantex.dev/.well-known/did.json'],
    ['did:web:example.com:user:alice', 'https://example.com/user/alice/did.json'],
    ['did:web:example.com%3A8443', 'https://example.com:8443/.well-known/did.json'],
    ['did:web:127.0.0.1%3A4321', 'http://127.0.0.1:4321/.well-known/did.json'],
    ['did:web:localhost%3A3001', 'http://localhost:3001/.well-known/did.json'],
  ])('%s → %s', (did, url) => {
    expect(didWebUrl(did).href).toBe(url);
  });

  it.each([
    'did:key:z6Mk',
    'did:web:',
    'did:web:exa mple.com',
    'did:web:example.com:..',
    'did:web:example.com%2Fevil',
    'did:web:user%40example.com',
    'did:web:example.com::x',
  ])('refuses %s', (did) => {
    expect(() => didWebUrl(did)).toThrow(GrantexTokenError);
  });
});

describe('createDidResolver', () => {
  const did = 'did:web:grantex.dev';
  const okFetch = (body: unknown, log: string[] = []): typeof globalThis.fetch =>
    (async (url: string) => {
      log.push(String(url));
      return Response.json(body);
    }) as typeof globalThis.fetch;

  it('fetches the document once and caches it', async () => {
    const log: string[] = [];
    const resolver = createDidResolver({ fetch: okFetch(issuerDocument, log) });
    expect((await resolver.resolve(did)).id).toBe(did);
    await resolver.resolve(did);
    expect(log).toEqual(['https://grantex.dev/.well-known/did.json']);
  });

  it('refuses a document that names another DID, a redirect, and an oversized body', async () => {
    expect(
      await code(() =>
        createDidResolver({ fetch: okFetch({ ...issuerDocument, id: 'did:web:evil.example' }) }).resolve(did),
      ),
    ).toBe('jwks_unavailable');
    const redirect = (async () =>
      new Response(null, { status: 301, headers: { location: 'https://evil' } })) as typeof fetch;
    expect(await code(() => createDidResolver({ fetch: redirect }).resolve(did))).toBe('jwks_unavailable');
    const huge = (async () => new Response('x'.repeat(2000))) as typeof fetch;
    expect(await code(() => createDidResolver({ fetch: huge, maxBytes: 1000 }).resolve(did))).toBe('jwks_unavailable');
  });

  it('resolves did:grantex through the configured service key set, and not without one', async () => {
    const jwks = passportVectors.verificationKeys.jwks.response.body;
    const log: string[] = [];
    const resolver = createDidResolver({ grantexBaseUrl: 'https://api.grantex.dev', fetch: okFetch(jwks, log) });
    const doc = await resolver.resolve('did:grantex:ag_01M92VTQBAZEHB2SK0C7T17HSX');
    expect(log).toEqual(['https://api.grantex.dev/.well-known/jwks.json']);
    expect(assertionKeys(doc).keys.map((k) => k.kid)).toEqual(jwks.keys.map((k: { kid: string }) => k.kid));
    expect(await code(() => createDidResolver({ fetch: okFetch(jwks) }).resolve('did:grantex:ag_1'))).toBe(
      'jwks_unavailable',
    );
  });

  it('keeps only assertion keys whose id fragment is their kid', () => {
    const keys = assertionKeys({
      ...issuerDocument,
      verificationMethod: [
        ...issuerDocument.verificationMethod,
        {
          id: 'did:web:evil.example#k',
          type: 'JsonWebKey2020',
          controller: 'did:web:evil.example',
          publicKeyJwk: { kty: 'RSA', kid: 'k' },
        },
      ],
      assertionMethod: [...(issuerDocument.assertionMethod ?? []), 'did:web:evil.example#k'],
    });
    expect(keys.keys.map((k) => k.kid)).toEqual(['grantex-2026-12', 'grantex-ed25519-2026-12']);
  });
});
