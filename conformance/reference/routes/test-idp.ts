/**
 * @module routes/test-idp
 * A small OpenID Connect provider for local SSO tests, served under
 * `/_test-idp`: its authorize endpoint signs the user in at once and
 * redirects back with a code; its token endpoint checks the code (single
 * use, same client and redirect URI, PKCE) and returns an ID token carrying
 * the login's nonce. Configure SSO with `issuerUrl: <server>/_test-idp`.
 * `login_hint=<email>` picks the user (default `alice@example.com`).
 */
import type { Hono } from 'hono';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { computeCodeChallenge } from '../../../src/integrity/pkce.js';
import { readBodyText } from '../http/body.js';
import type { ServerEnv } from '../context.js';
import { BoundedMap, type Bounds } from '../domain/bounded-map.js';
import { randomToken } from '../domain/ids.js';

/** Where the test IdP lives on the server. */
export const TEST_IDP_PATH = '/_test-idp';

/** Codes of the built-in test IdP (`GET /_test-idp/authorize` needs no credential). */
export const TEST_IDP_CODE_BOUNDS: Bounds = { ttlMs: 60_000, maxEntries: 10_000, maxBytes: 8 * 1024 * 1024 };

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  nonce: string | null;
  codeChallenge: string | null;
  email: string;
  expiresAt: number;
}

const KID = 'test-idp-ed25519';

function displayName(email: string): string {
  const local = email.split('@')[0] ?? email;
  return local.replace(/[._-]+/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase());
}

/** Adds the test IdP's routes to `app`. */
export function addTestIdp(app: Hono, env: ServerEnv): void {
  const keys = generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  // Anyone can ask for codes: kept a minute (their lifetime), at most 10,000 and 8 MiB.
  const codes = new BoundedMap<string, IssuedCode>(TEST_IDP_CODE_BOUNDS, () => env.now());
  const issuer = () => `${env.settings.baseUrl}${TEST_IDP_PATH}`;
  const oauthError = (error: string, description: string) => ({ error, error_description: description });

  app.get(`${TEST_IDP_PATH}/.well-known/openid-configuration`, (c) =>
    c.json({
      issuer: issuer(),
      authorization_endpoint: `${issuer()}/authorize`,
      token_endpoint: `${issuer()}/token`,
      jwks_uri: `${issuer()}/jwks`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['EdDSA'],
      code_challenge_methods_supported: ['S256'],
    }),
  );

  app.get(`${TEST_IDP_PATH}/jwks`, async (c) => {
    const jwk = await exportJWK((await keys).publicKey);
    return c.json({ keys: [{ ...jwk, kid: KID, alg: 'EdDSA', use: 'sig' }] });
  });

  app.get(`${TEST_IDP_PATH}/authorize`, (c) => {
    const q = new URL(c.req.url).searchParams;
    const clientId = q.get('client_id');
    const redirectUri = q.get('redirect_uri');
    if (clientId === null || clientId === '' || redirectUri === null || !/^https?:\/\//i.test(redirectUri)) {
      return c.json(oauthError('invalid_request', 'client_id and an absolute redirect_uri are required'), 400);
    }
    const method = q.get('code_challenge_method');
    if (q.get('code_challenge') !== null && method !== 'S256') {
      return c.json(oauthError('invalid_request', 'code_challenge_method must be S256'), 400);
    }
    const code = randomToken(24);
    codes.set(code, {
      clientId,
      redirectUri,
      nonce: q.get('nonce'),
      codeChallenge: q.get('code_challenge'),
      email: q.get('login_hint') ?? 'alice@example.com',
      expiresAt: env.now() + 60_000,
    });
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    const state = q.get('state');
    if (state !== null) back.searchParams.set('state', state);
    return c.redirect(back.toString(), 302);
  });

  app.post(`${TEST_IDP_PATH}/token`, async (c) => {
    const form = new URLSearchParams(await readBodyText(c, env.settings.maxBodyBytes));
    const code = form.get('code') ?? '';
    const issued = codes.get(code);
    codes.delete(code); // single use, even when the exchange fails
    if (form.get('grant_type') !== 'authorization_code' || issued === undefined || issued.expiresAt <= env.now()) {
      return c.json(oauthError('invalid_grant', 'unknown, used or expired code'), 400);
    }
    if (form.get('client_id') !== issued.clientId || form.get('redirect_uri') !== issued.redirectUri) {
      return c.json(
        oauthError('invalid_grant', 'client_id or redirect_uri does not match the authorization request'),
        400,
      );
    }
    if (issued.codeChallenge !== null) {
      const verifier = form.get('code_verifier') ?? '';
      const ok = await computeCodeChallenge(verifier).then(
        (ch) => ch === issued.codeChallenge,
        () => false,
      );
      if (!ok) return c.json(oauthError('invalid_grant', 'PKCE verification failed'), 400);
    }
    const nowSec = Math.floor(env.now() / 1000);
    const idToken = await new SignJWT({
      email: issued.email,
      email_verified: true,
      name: displayName(issued.email),
      ...(issued.nonce !== null ? { nonce: issued.nonce } : {}),
    })
      .setProtectedHeader({ alg: 'EdDSA', kid: KID })
      .setIssuer(issuer())
      .setSubject(`idp-user-${issued.email}`)
      .setAudience(issued.clientId)
      .setIssuedAt(nowSec)
      .setExpirationTime(nowSec + 600)
      .sign((await keys).privateKey);
    return c.json({
      access_token: randomToken(24),
      token_type: 'Bearer',
      expires_in: 600,
      id_token: idToken,
      scope: 'openid email profile',
    });
  });
}
