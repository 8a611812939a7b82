/**
 * @module checks/did
 * SPEC §3.3 key management: the server's DID document and its JWKS publish the
 * same keys, so a verifier that resolves the issuer DID finds exactly the keys
 * the server signs with.
 */
import { expectThat, show, type Check } from '../engine/check.js';
import { assertionKeys, type DidDocument } from '../engine/integrity.js';
import { expectStatus } from '../engine/session/expect.js';

type Jwk = Record<string, unknown>;

const sameKey = (a: Jwk, b: Jwk) =>
  a['kty'] === b['kty'] && a['n'] === b['n'] && a['e'] === b['e'] && a['x'] === b['x'] && a['crv'] === b['crv'];

export const didChecks: Check[] = [
  {
    id: 'did.jwks-agree',
    area: 'did',
    clause: 'SPEC §3.3 "Public keys MUST be published at /.well-known/jwks.json"',
    level: 'MUST',
    title: 'every key of the DID document is the JWKS key of the same kid, and every RS256 JWKS key is in the document',
    extension: 'did',
    async run(ctx) {
      const did = await ctx.session.http.request({ method: 'GET', path: '/.well-known/did.json', auth: null });
      expectStatus(did, 200, 'GET /.well-known/did.json');
      const jwks = await ctx.session.http.request({ method: 'GET', path: '/.well-known/jwks.json', auth: null });
      expectStatus(jwks, 200, 'GET /.well-known/jwks.json');
      const published = ((jwks.body as { keys?: Jwk[] }).keys ?? []) as Jwk[];
      const documented = assertionKeys(did.body as DidDocument).keys as Jwk[];
      for (const key of documented) {
        const match = published.find((k) => k['kid'] === key['kid']);
        expectThat(
          match !== undefined && sameKey(match, key),
          `the DID document's key ${show(key['kid'])} is not the JWKS key of that kid`,
          'the same key material under the same kid in /.well-known/jwks.json',
          show(match ?? 'no such kid'),
        );
      }
      for (const key of published.filter((k) => k['kty'] === 'RSA')) {
        expectThat(
          documented.some((k) => k['kid'] === key['kid'] && sameKey(k, key)),
          `the JWKS signing key ${show(key['kid'])} is not an assertion key of the DID document`,
          'every RS256 key of the JWKS in the DID document',
          show(documented.map((k) => k['kid'])),
        );
      }
    },
  },
];
