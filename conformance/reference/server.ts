/**
 * @module server
 * Starts the in-memory reference Grantex server: every operation of the
 * bundled spec, with real state, RS256 grant tokens, signed webhooks,
 * optional named faults for testing a conformance suite, and optional
 * variants (permitted behaviours a conformance suite must accept).
 *
 * @example
 * ```ts
 * const server = await startReferenceServer();
 * const res = await fetch(`${server.url}/v1/signup`, {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/json' },
 *   body: JSON.stringify({ name: 'Acme', mode: 'sandbox' }),
 * });
 * await server.close();
 * ```
 */
import { serve } from '@hono/node-server';
import { exportJWK, generateKeyPair } from 'jose';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { DEFAULT_MAX_BODY_BYTES } from './http/body.js';
import { ANY_ORIGIN, corsMiddleware } from './http/cors.js';
import type { Ctx, ServerEnv } from './context.js';
import { Faults, type FaultName } from './faults.js';
import { loadSigningKeys, TokenSigner, type KeyOptions } from './domain/keys.js';
import { RateLimiter, type RateLimitOptions } from './http/rate-limit.js';
import { handlers } from './routes/index.js';
import { addPages } from './routes/pages.js';
import { addTestIdp } from './routes/test-idp.js';
import { Store } from './domain/store.js';
import { loadContract } from './http/validate.js';
import { withExtraFields } from './extra-fields.js';
import { EXTRA_FIELD, Variants, withIdFormat, type VariantName } from './variants.js';
import { WebhookDispatcher } from './domain/webhook-dispatch.js';

export { FAULTS, FAULT_NAMES, SHOULD_FAULTS, type FaultName } from './faults.js';
export { VARIANTS, VARIANT_NAMES, type VariantName } from './variants.js';

/** Where the `issuer-elsewhere` fault's tokens say they come from: a key set that is not the server's. */
export const ELSEWHERE_PATH = '/_elsewhere';
/** Violations kept in `violations` (with `validateResponses` and no `onViolation`). */
const MAX_VIOLATIONS = 1_000;

const REQUEST_TIMEOUT_MS = 60_000;

/** Options of {@link startReferenceServer}; every one is optional. */
export interface ReferenceServerOptions {
  /** Port to listen on. Default 0 (a free port). */
  port?: number;
  /** Address to bind. Default `127.0.0.1`. */
  host?: string;
  /** Protocol violations to switch on (see `FAULTS`). Default none. Tests of the conformance suite only. */
  faults?: readonly FaultName[];
  /** Permitted behaviours to switch on (see `VARIANTS`). Default none. */
  variants?: readonly VariantName[];
  /** The `iss` of grant tokens and the base of `consentUrl` and other links. Default the server's own URL. */
  issuer?: string;
  /** RSA signing key to use. Default: a 2048-bit key generated once per process. */
  keys?: KeyOptions;
  /** The clock, in milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
  /** Pauses before webhook retries, in milliseconds (attempts = length + 1). Default [30000, 60000, 120000, 240000]. */
  webhookRetryDelaysMs?: readonly number[];
  /** How long a webhook receiver may take to answer, in milliseconds. Default 10000. */
  webhookTimeoutMs?: number;
  /** Request limits. Default: generous (10000 a minute per bucket). */
  rateLimits?: RateLimitOptions;
  /** Longest request body, in bytes: longer ones get 413 without being read further. Default 1048576 (1 MiB). */
  maxBodyBytes?: number;
  /** Origins browsers may call from (`Access-Control-Allow-Origin`), or `['*']`. Default `['*']` (local development). */
  corsOrigins?: readonly string[];
  /** Longest delegation chain (SPEC §9): default 3, at most 10. */
  maxDelegationDepth?: number;
  /** Check every response against the spec and report violations. Default false. */
  validateResponses?: boolean;
  /** Called with each response that breaks the spec (when `validateResponses`). Default: collected in `violations`. */
  onViolation?: (violation: string) => void;
  /** Called with unexpected errors (answered with 500). Default: printed to stderr. */
  onError?: (error: unknown) => void;
}

/** A running reference server. */
export interface ReferenceServer {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** Contract violations seen so far (with `validateResponses` and no `onViolation`). */
  violations: string[];
  /** The faults that are on. */
  faults: FaultName[];
  /** The variants that are on. */
  variants: VariantName[];
  /** The `iss` of the server's grant tokens (the first one when the issuer-varies fault rotates them). */
  issuer: string;
  /** Resolves once no webhook delivery attempt is running. */
  webhooksSettled(): Promise<void>;
  /** Signs a developer up as `POST /v1/signup` does, without a request (so no rate-limit bucket is spent); returns its API key. */
  addDeveloper(name: string, mode: 'sandbox' | 'live'): Promise<string>;
  /** Stops listening, cancels webhook retries, and resolves when done. */
  close(): Promise<void>;
}

/** Starts a reference server; resolves once it accepts requests. */
export async function startReferenceServer(options: ReferenceServerOptions = {}): Promise<ReferenceServer> {
  const now = options.now ?? Date.now;
  const host = options.host ?? '127.0.0.1';
  const depth = options.maxDelegationDepth ?? 3;
  if (!Number.isInteger(depth) || depth < 1 || depth > 10)
    throw new RangeError('maxDelegationDepth must be an integer from 1 to 10');
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1)
    throw new RangeError('maxBodyBytes must be a positive integer');
  const cors = corsMiddleware(options.corsOrigins ?? [ANY_ORIGIN]);
  const faults = new Faults(options.faults ?? []);
  const variants = new Variants(options.variants ?? []);
  // Key generation runs on the thread pool while the spec compiles here.
  const keys = loadSigningKeys(options.keys, now());
  keys.catch(() => {}); // awaited below; avoids an unhandled rejection if listening fails first
  const contract = loadContract();

  let app: { fetch: (request: Request, bindings: unknown) => Response | Promise<Response> } | undefined;
  const format = variants.has('other-id-format') ? 'hex' : 'ulid';
  // The Node request goes along in `bindings`, so bodies can be read from it with a limit (body.ts).
  const answer = async (request: Request, bindings: unknown): Promise<Response> => {
    if (app === undefined) return new Response('starting', { status: 503 });
    const response = await app.fetch(request, bindings);
    return variants.has('extra-fields') ? withExtraFields(request, response) : response;
  };
  const server = serve({
    fetch: (request, bindings) => withIdFormat(format, () => answer(request, bindings)),
    port: options.port ?? 0,
    hostname: host,
  });
  // Bodies are bounded in time too: a request must arrive whole within a minute (Node's default is 5).
  if ('requestTimeout' in server) server.requestTimeout = REQUEST_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    if (server.listening) resolve();
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const baseUrl = (options.issuer ?? url).replace(/\/$/, '');

  // issuer-alias: another name of this very server (same key set); the faults point elsewhere or rotate.
  const alias = `http://localhost:${port}`;
  const own = variants.has('issuer-alias') ? alias : baseUrl;
  const issuers = faults.has('issuer-elsewhere')
    ? [`${url}${ELSEWHERE_PATH}`]
    : faults.has('issuer-varies')
      ? [own, own === alias ? baseUrl : alias]
      : [own];
  const elsewhere = faults.has('issuer-elsewhere') ? await foreignKeySet() : undefined;

  const violations: string[] = [];
  const signing = await keys.catch(async (error: unknown) => {
    await new Promise((resolve) => server.close(resolve));
    throw error;
  });
  const webhooks = new WebhookDispatcher(
    {
      ...(options.webhookRetryDelaysMs !== undefined ? { retryDelaysMs: options.webhookRetryDelaysMs } : {}),
      ...(options.webhookTimeoutMs !== undefined ? { timeoutMs: options.webhookTimeoutMs } : {}),
    },
    now,
    faults,
  );
  const env: ServerEnv = {
    store: new Store(now),
    faults,
    variants,
    signer: new TokenSigner(
      signing,
      issuers,
      faults,
      variants.has('extra-fields') ? { [EXTRA_FIELD]: 'extra-fields' } : {},
    ),
    keys: signing,
    webhooks,
    settings: { baseUrl, maxDelegationDepth: depth, maxBodyBytes },
    now,
  };
  app = createApp(
    env,
    contract,
    handlers,
    new RateLimiter(options.rateLimits, now),
    {
      validateResponses: options.validateResponses ?? false,
      // Kept for the host to read; the first 1,000 are plenty to fix a server.
      onViolation: options.onViolation ?? ((v) => void (violations.length < MAX_VIOLATIONS && violations.push(v))),
      onError: options.onError ?? ((error) => console.error('reference server error:', error)),
    },
    (hono) => {
      hono.use('*', cors);
      addPages(hono, env);
      addTestIdp(hono, env);
      if (elsewhere)
        hono.get(`${ELSEWHERE_PATH}/.well-known/jwks.json`, (c) =>
          c.json({ keys: [{ ...elsewhere, kid: signing.kid }] }),
        );
    },
  );

  return {
    url,
    violations,
    faults: faults.list(),
    variants: variants.list(),
    issuer: issuers[0]!,
    webhooksSettled: () => webhooks.settled(),
    addDeveloper: async (name, mode) => {
      const ctx = {
        env,
        get tenant(): never {
          throw new Error('signup has no tenant');
        },
        params: {},
        query: {},
        body: { name, mode },
        requestId: crypto.randomUUID(),
      } satisfies Ctx<'signup'>;
      // Ids in the variant's format, as for a request.
      const reply = await withIdFormat(format, () => handlers.signup(ctx));
      // Keys handed out by the host (the dev server prints them) are never forgotten.
      env.store.pin(reply.body.developerId);
      return reply.body.apiKey;
    },
    close: async () => {
      await webhooks.close();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Idle keep-alive sockets would hold close() open.
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
    },
  };
}

/** A public RSA key that signs nothing of this server's (the `issuer-elsewhere` fault's key set). */
async function foreignKeySet(): Promise<Record<string, unknown>> {
  const pair = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  const { kty, n, e } = await exportJWK(pair.publicKey);
  return { kty, n, e, alg: 'RS256', use: 'sig' };
}
