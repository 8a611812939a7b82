/**
 * @module idp
 * A minimal OpenID Connect provider the suite hosts on 127.0.0.1 (port 0) for
 * the SSO checks: discovery, a JWKS, and a token endpoint that answers a code
 * the suite registered beforehand with an RS256 ID token carrying the nonce
 * the suite chose, so the server's state and nonce handling can be observed.
 * The server under test posts to it, so it is bounded: a body over
 * {@link MAX_IDP_BODY_BYTES} gets 413, and it keeps the last
 * {@link MAX_TOKEN_REQUESTS} token requests and {@link MAX_CODES} codes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { readBoundedBody } from './bounded-body.js';

/** Largest request body accepted (a token request is a short form). */
export const MAX_IDP_BODY_BYTES = 64 * 1024;
/** Token requests kept for the checks to read, newest last. */
export const MAX_TOKEN_REQUESTS = 1_000;
/** Codes registered and not yet redeemed. */
export const MAX_CODES = 1_000;

interface PendingCode {
  nonce: string;
  email: string;
}

export class TestIdp {
  /** Token requests received (form fields), newest last. */
  readonly tokenRequests: Array<Record<string, string>> = [];
  #server: Server;
  #codes = new Map<string, PendingCode>();
  #clientId = '';
  #key!: CryptoKey;
  #jwk!: Record<string, unknown>;
  #port = 0;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<TestIdp> {
    const server = createServer();
    const idp = new TestIdp(server);
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    idp.#key = privateKey;
    idp.#jwk = { ...(await exportJWK(publicKey)), kid: 'gxc-idp', alg: 'RS256', use: 'sig' };
    server.on('request', (request, response) => {
      void readBoundedBody(request, response, MAX_IDP_BODY_BYTES).then(async (body) => {
        if (body === undefined) return;
        const [status, answer] = await idp.#answer(request.method ?? 'GET', request.url ?? '/', body.toString());
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    idp.#port = (server.address() as AddressInfo).port;
    return idp;
  }

  /** The issuer URL to configure on the server. */
  issuer(host = '127.0.0.1'): string {
    return `http://${host}:${this.#port}`;
  }

  /** The client id ID tokens are issued to (the `aud`). */
  set clientId(value: string) {
    this.#clientId = value;
  }

  /** Makes `code` redeemable once, for an ID token carrying `nonce`. */
  registerCode(code: string, nonce: string, email: string): void {
    this.#codes.set(code, { nonce, email });
    for (const oldest of this.#codes.keys()) {
      if (this.#codes.size <= MAX_CODES) break;
      this.#codes.delete(oldest);
    }
  }

  async #answer(method: string, url: string, body: string): Promise<[number, unknown]> {
    const path = url.split('?')[0];
    const issuer = this.issuer();
    if (method === 'GET' && path === '/.well-known/openid-configuration') {
      return [
        200,
        {
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
          code_challenge_methods_supported: ['S256'],
        },
      ];
    }
    if (method === 'GET' && path === '/jwks') return [200, { keys: [this.#jwk] }];
    if (method === 'POST' && path === '/token') {
      const form = Object.fromEntries(new URLSearchParams(body));
      this.tokenRequests.push(form);
      if (this.tokenRequests.length > MAX_TOKEN_REQUESTS) this.tokenRequests.shift();
      const pending = this.#codes.get(form['code'] ?? '');
      if (!pending) return [400, { error: 'invalid_grant' }];
      this.#codes.delete(form['code'] ?? '');
      const idToken = await new SignJWT({ nonce: pending.nonce, email: pending.email, name: 'Conformance User' })
        .setProtectedHeader({ alg: 'RS256', kid: 'gxc-idp' })
        .setIssuer(issuer)
        .setAudience(this.#clientId)
        .setSubject(`sub-${pending.email}`)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(this.#key);
      return [200, { access_token: 'unused', token_type: 'Bearer', id_token: idToken, expires_in: 300 }];
    }
    return [404, { error: 'not_found' }];
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
