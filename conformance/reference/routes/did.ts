/**
 * @module routes/did
 * The server's DID document: its signing keys, as the JWKS publishes them (SPEC.md §3).
 */
import type { Handlers } from '../context.js';
import { issuerDid } from '../domain/identity/credentials.js';

export const didHandlers = {
  didGet: ({ env }) => {
    const did = issuerDid(env);
    let keys = env.keys.jwks.keys;
    // The fault: the document names an RSA key that the JWKS does not hold.
    if (env.faults.has('did-jwks-mismatch'))
      keys = keys.map((k) => (k.kty === 'RSA' && typeof k.n === 'string' ? { ...k, n: `${k.n.slice(0, -4)}AAAA` } : k));
    const methods = keys.map((jwk) => ({
      id: `${did}#${jwk.kid}`,
      type: 'JsonWebKey2020',
      controller: did,
      publicKeyJwk: jwk,
    }));
    return {
      status: 200,
      body: {
        '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/suites/jws-2020/v1'],
        id: did,
        verificationMethod: methods,
        authentication: methods.map((m) => m.id),
        assertionMethod: methods.map((m) => m.id),
        service: [
          {
            id: `${did}#jwks`,
            type: 'JsonWebKeySet',
            serviceEndpoint: `${env.settings.baseUrl}/.well-known/jwks.json`,
          },
        ],
      },
    };
  },
} satisfies Partial<Handlers>;
