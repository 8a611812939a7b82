/**
 * @module routes/sso
 * OpenID Connect single sign-on: the organisation's provider configuration,
 * the login URL (with state, nonce and PKCE), and the callback that checks
 * the state, exchanges the code and verifies the ID token and its nonce.
 * `redirect_uri` must be the configured one (the provider's code goes
 * nowhere else); the provider's documents are read bounded (no redirects,
 * {@link MAX_DISCOVERY_BYTES}, a timeout); pending logins live in a bounded
 * store (see store.ts).
 */
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
import { createHash } from 'node:crypto';
import type { Handlers } from '../context.js';
import { iso } from '../domain/rules.js';
import { badRequest, HttpError, notFound } from '../http/http-error.js';
import { newId, randomToken } from '../domain/ids.js';
import type { SsoConfigRecord, SsoLoginRecord, Store } from '../domain/store.js';

const LOGIN_TTL_MS = 10 * 60_000;
const FETCH_TIMEOUT_MS = 5_000;
/** Largest discovery document or token answer read from a provider (real ones are a few KB). */
export const MAX_DISCOVERY_BYTES = 64 * 1024;

interface Discovery {
  authorization_endpoint?: unknown;
  token_endpoint?: unknown;
  jwks_uri?: unknown;
}

/**
 * The provider's discovery document, from the store's bounded cache or read
 * once. An unreadable one (refused, too large, not JSON) is remembered as
 * such for a short while, so a hostile provider is not read again on every
 * login; the login then uses the issuer's `/authorize`, as the public server does.
 */
async function discover(store: Store, issuerUrl: string): Promise<Discovery> {
  const cached = store.discoveries.get(issuerUrl);
  if (cached !== undefined) return cached as Discovery;
  if (store.discoveryFailures.get(issuerUrl) !== undefined) return {};
  const read = await readDiscovery(issuerUrl);
  if (read !== undefined) store.discoveries.set(issuerUrl, read as Record<string, unknown>);
  else store.discoveryFailures.set(issuerUrl, 'unreadable');
  return read ?? {};
}

async function readDiscovery(issuerUrl: string): Promise<Discovery | undefined> {
  try {
    const res = await fetch(`${issuerUrl.replace(/\/$/, '')}/.well-known/openid-configuration`, {
      redirect: 'manual',
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    if (res.status !== 200) {
      await res.body?.cancel().catch(() => undefined);
      return undefined;
    }
    const parsed = JSON.parse(await readLimited(res, MAX_DISCOVERY_BYTES)) as unknown;
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Discovery) : undefined;
  } catch {
    return undefined;
  }
}

/** The provider's key set, read bounded like discovery. @throws when it cannot be had */
async function readJwks(url: string): Promise<JSONWebKeySet> {
  const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (res.status !== 200) {
    await res.body?.cancel().catch(() => undefined);
    throw new Error(`key set answered ${res.status}`);
  }
  return JSON.parse(await readLimited(res, MAX_DISCOVERY_BYTES)) as JSONWebKeySet;
}

/** The body as text, or a thrown error past `limit` bytes (the rest is not read). */
async function readLimited(res: Response, limit: number): Promise<string> {
  const reader = res.body?.getReader();
  if (reader === undefined) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new Error(`answer over ${limit} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const endpoint = (value: unknown, fallback: string): string =>
  typeof value === 'string' && /^https?:\/\//i.test(value) ? value : fallback;

const ssoError = (status: number, message: string): HttpError => new HttpError(status, 'SSO_ERROR', message);

/** The login this state belongs to, or (with the sso-state-unchecked fault) a stand-in for a forged or replayed one. */
function loginFor(logins: Store['ssoLogins'], state: string, nowMs: number, unchecked: boolean): SsoLoginRecord {
  const login = logins.get(state, nowMs);
  if (unchecked) {
    const developerId = state.split('.')[0] ?? '';
    return (
      login ?? { state, nonce: '', developerId, codeVerifier: '', redirectUri: '', expiresAt: nowMs + 1, used: false }
    );
  }
  if (login === undefined) throw badRequest('Invalid state parameter');
  if (login.used || login.expiresAt <= nowMs) {
    throw badRequest('SSO login request has expired or already been used; start the login again');
  }
  return login;
}

async function exchangeCode(
  discovery: Discovery,
  config: SsoConfigRecord,
  login: SsoLoginRecord,
  code: string,
): Promise<string> {
  const tokenUrl = endpoint(discovery.token_endpoint, `${config.issuerUrl.replace(/\/$/, '')}/token`);
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: config.redirectUri,
    client_id: config.clientId,
    client_secret: config.clientSecret,
  });
  if (login.codeVerifier !== '') form.set('code_verifier', login.codeVerifier);
  let res: Response;
  let body: { id_token?: unknown } | null;
  try {
    res = await fetch(tokenUrl, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    body = JSON.parse(await readLimited(res, MAX_DISCOVERY_BYTES)) as { id_token?: unknown } | null;
  } catch {
    throw ssoError(502, 'Token exchange failed');
  }
  if (!res.ok || typeof body?.id_token !== 'string') throw ssoError(502, 'Token exchange failed');
  return body.id_token;
}

export const ssoHandlers = {
  ssoCreateConfig: ({ env, tenant, body }) => {
    const now = iso(env.now());
    const previous = tenant.ssoConfig;
    tenant.ssoConfig = {
      connectionId: previous?.connectionId ?? newId('sso', env.now()),
      issuerUrl: body.issuerUrl,
      clientId: body.clientId,
      clientSecret: body.clientSecret,
      redirectUri: body.redirectUri,
      createdAt: previous?.createdAt ?? now,
      updatedAt: now,
    };
    const { issuerUrl, clientId, redirectUri, createdAt, updatedAt } = tenant.ssoConfig;
    return { status: 201, body: { issuerUrl, clientId, redirectUri, createdAt, updatedAt } };
  },

  ssoGetConfig: ({ tenant }) => {
    if (tenant.ssoConfig === null) throw notFound('SSO config not found');
    const { issuerUrl, clientId, redirectUri, createdAt, updatedAt } = tenant.ssoConfig;
    return { status: 200, body: { issuerUrl, clientId, redirectUri, createdAt, updatedAt } };
  },

  ssoDeleteConfig: ({ tenant }) => {
    if (tenant.ssoConfig === null) throw notFound('SSO config not found');
    tenant.ssoConfig = null;
    return { status: 204 };
  },

  ssoLogin: async ({ env, query }) => {
    if (query.org === undefined) throw badRequest('org query parameter is required');
    const config = env.store.tenant(query.org)?.ssoConfig ?? null;
    if (config === null) throw notFound('SSO not configured for this org');
    // The provider sends the user's code to redirect_uri: only the configured one may receive it.
    if (query.redirect_uri !== undefined && query.redirect_uri !== config.redirectUri)
      throw badRequest('redirect_uri must equal the redirect URI configured for this organisation');
    const discovery = await discover(env.store, config.issuerUrl);
    const authorizeUrl = new URL(
      endpoint(discovery.authorization_endpoint, `${config.issuerUrl.replace(/\/$/, '')}/authorize`),
    );
    const login: SsoLoginRecord = {
      state: `${query.org}.${randomToken(24)}`,
      nonce: randomToken(24),
      developerId: query.org,
      codeVerifier: randomToken(32),
      redirectUri: config.redirectUri,
      expiresAt: env.now() + LOGIN_TTL_MS,
      used: false,
    };
    env.store.ssoLogins.set(login.state, login, env.now());
    authorizeUrl.searchParams.set('client_id', config.clientId);
    authorizeUrl.searchParams.set('redirect_uri', login.redirectUri);
    authorizeUrl.searchParams.set('response_type', 'code');
    authorizeUrl.searchParams.set('scope', 'openid email profile');
    authorizeUrl.searchParams.set('state', login.state);
    authorizeUrl.searchParams.set('nonce', login.nonce);
    // S256 (RFC 7636 §4.2), hashed synchronously: a login allocates little.
    authorizeUrl.searchParams.set(
      'code_challenge',
      createHash('sha256').update(login.codeVerifier).digest('base64url'),
    );
    authorizeUrl.searchParams.set('code_challenge_method', 'S256');
    return {
      status: 200,
      body: { authorizeUrl: authorizeUrl.toString(), protocol: 'oidc', connectionId: config.connectionId },
    };
  },

  ssoCallback: async ({ env, query }) => {
    if (query.code === undefined || query.state === undefined) throw badRequest('code and state are required');
    const unchecked = env.faults.has('sso-state-unchecked');
    const login = loginFor(env.store.ssoLogins, query.state, env.now(), unchecked);
    login.used = true;
    const config = env.store.tenant(login.developerId)?.ssoConfig ?? null;
    if (config === null) throw notFound('SSO not configured for this org');

    const discovery = await discover(env.store, config.issuerUrl);
    const idToken = await exchangeCode(discovery, config, login, query.code);
    const jwksUrl = endpoint(discovery.jwks_uri, `${config.issuerUrl.replace(/\/$/, '')}/jwks`);
    let claims: Record<string, unknown>;
    try {
      const jwks = createLocalJWKSet(await readJwks(jwksUrl));
      ({ payload: claims } = await jwtVerify(idToken, jwks, {
        issuer: config.issuerUrl,
        audience: config.clientId,
        algorithms: ['RS256', 'ES256', 'EdDSA'],
        currentDate: new Date(env.now()),
      }));
    } catch {
      throw ssoError(502, 'ID token verification failed');
    }
    if (!unchecked && claims['nonce'] !== login.nonce) throw ssoError(502, 'ID token nonce mismatch');
    const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
    return {
      status: 200,
      body: {
        email: text(claims['email']),
        name: text(claims['name']),
        sub: text(claims['sub']),
        developerId: login.developerId,
      },
    };
  },
} satisfies Partial<Handlers>;
