/**
 * @module client
 * The `Grantex` client: its options, its resources, and `client.api`, the
 * typed openapi-fetch client underneath for calls the resources do not cover.
 */
import createClient, { createQuerySerializer, type Client } from 'openapi-fetch';
import type { paths } from '../generated/schema.js';
import { GrantexConfigError } from './errors.js';
import { createPathSerializer } from './path.js';
import { Agents } from './resources/agents.js';
import { Anomalies } from './resources/anomalies.js';
import { Audit } from './resources/audit.js';
import { Billing } from './resources/billing.js';
import { Compliance } from './resources/compliance.js';
import { Consent } from './resources/consent.js';
import { Grants } from './resources/grants.js';
import { Policies } from './resources/policies.js';
import type { ClientContext } from './resources/resource.js';
import { Root, type AuthorizeParams } from './resources/root.js';
import { Sandbox } from './resources/sandbox.js';
import { Scim } from './resources/scim.js';
import { Sso } from './resources/sso.js';
import { Tokens } from './resources/tokens.js';
import { Webhooks } from './resources/webhooks.js';
import type { ApiPromise } from './response.js';
import {
  nonNegativeSeconds,
  PlainRequest,
  positiveSeconds,
  Transport,
  wholeNumber,
  type TransportPolicy,
} from './transport.js';
import type { RequestBody, RequestOptions, ResponseBody } from './types.js';
import { VERSION } from './version.js';

/** Options of `new Grantex()`. Every one is optional; defaults are given with each. */
export interface GrantexOptions {
  /**
   * Developer API key (`gx_live_…`, or `gx_test_…` for sandbox). Default: the
   * `GRANTEX_API_KEY` environment variable where `process.env` exists. Without
   * either, the constructor throws `GrantexConfigError`.
   */
  apiKey?: string | undefined;
  /** SCIM token (`scim_…`) for the SCIM 2.0 Users calls, which refuse API keys. Default: none. */
  scimToken?: string | undefined;
  /** Server root. Default: `https://api.grantex.dev`. */
  baseUrl?: string | undefined;
  /** Seconds each attempt may take, response body included. Default: 30. */
  timeout?: number | undefined;
  /** Retries after the first attempt, for requests that are safe to repeat. Default: 2. */
  maxRetries?: number | undefined;
  /** Seconds before the first retry; doubled for each further one, with jitter. Default: 0.5. */
  retryDelay?: number | undefined;
  /** Longest backoff between retries, in seconds. Default: 8. */
  maxRetryDelay?: number | undefined;
  /** Longest `Retry-After` (seconds) the client waits for; a longer one fails the call at once. Default: 60. */
  maxRetryAfter?: number | undefined;
  /** The `fetch` to send requests with, for tests and special runtimes. Default: `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch | undefined;
  /** Headers added to every request. Default: none. */
  headers?: Record<string, string> | undefined;
}

/** Options of the static {@link Grantex.signup}, which needs no API key. */
export type SignupOptions = Omit<GrantexOptions, 'apiKey' | 'scimToken'> & Pick<RequestOptions, 'signal'>;

const DEFAULT_BASE_URL = 'https://api.grantex.dev';

/**
 * The Grantex API client. Methods return an {@link ApiPromise}: await it for
 * the data, or call `.withResponse()` for the raw response and rate limits.
 * Failures are `GrantexError`s (`GrantexApiError` and its subclasses for
 * non-2xx answers, `GrantexNetworkError`/`GrantexTimeoutError` otherwise).
 *
 * @example
 * ```ts
 * await using client = new Grantex({ apiKey: 'gx_test_…' });
 * const agent = await client.agents.create({ name: 'Travel assistant', scopes: ['calendar:read'] });
 * const request = await client.authorize({ agentId: agent.agentId, userId: 'user_42', scopes: ['calendar:read'] });
 * ```
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the merged interface adds only the lib's disposal method, which the static block defines.
export class Grantex {
  /** The typed openapi-fetch client underneath, with the same auth, timeout and retry policy. */
  readonly api: Client<paths>;
  readonly agents: Agents;
  readonly sandbox: Sandbox;
  readonly consent: Consent;
  readonly tokens: Tokens;
  readonly grants: Grants;
  readonly audit: Audit;
  readonly policies: Policies;
  readonly webhooks: Webhooks;
  readonly anomalies: Anomalies;
  readonly compliance: Compliance;
  readonly billing: Billing;
  readonly scim: Scim;
  readonly sso: Sso;
  readonly #transport: Transport;
  readonly #root: Root;

  constructor(options: GrantexOptions = {}) {
    const apiKey = options.apiKey ?? environmentApiKey();
    if (apiKey === undefined || apiKey.trim() === '') {
      throw new GrantexConfigError('No API key: pass new Grantex({ apiKey }) or set GRANTEX_API_KEY');
    }
    if (options.scimToken !== undefined && options.scimToken.trim() === '') {
      throw new GrantexConfigError('scimToken must not be empty');
    }
    const context = createContext(transportPolicy(options, apiKey), options.scimToken);
    this.api = context.api;
    this.#transport = context.transport;
    this.#root = new Root(context);
    this.agents = new Agents(context);
    this.sandbox = new Sandbox(context);
    this.consent = new Consent(context);
    this.tokens = new Tokens(context);
    this.grants = new Grants(context);
    this.audit = new Audit(context);
    this.policies = new Policies(context);
    this.webhooks = new Webhooks(context);
    this.anomalies = new Anomalies(context);
    this.compliance = new Compliance(context);
    this.billing = new Billing(context);
    this.scim = new Scim(context);
    this.sso = new Sso(context);
  }

  /**
   * Creates a developer account; needs no API key. The response holds the new
   * key, shown only here. `POST /v1/signup`
   */
  static signup(body: RequestBody<'signup'>, options: SignupOptions = {}): ApiPromise<ResponseBody<'signup'>> {
    const { signal, ...clientOptions } = options;
    const root = new Root(createContext(transportPolicy(clientOptions, undefined), undefined));
    return root.signup(body, { signal });
  }

  /** Whether the server is up. `GET /health` */
  health(options?: RequestOptions): ApiPromise<ResponseBody<'health'>> {
    return this.#root.health(options);
  }

  /** The server's token signing keys. `GET /.well-known/jwks.json` */
  jwks(options?: RequestOptions): ApiPromise<ResponseBody<'jwks'>> {
    return this.#root.jwks(options);
  }

  /**
   * Starts an authorization request. With a sandbox key it is approved at once
   * and the result carries the `code` to exchange. `POST /v1/authorize`
   */
  authorize(params: AuthorizeParams, options?: RequestOptions): ApiPromise<ResponseBody<'authorize'>> {
    return this.#root.authorize(params, options);
  }

  /** Aborts requests in flight (they reject with `GrantexAbortError`) and refuses new ones. */
  close(): Promise<void> {
    this.#transport.close();
    return Promise.resolve();
  }

  // `await using client = new Grantex()` closes the client at the end of the scope.
  // The method is added only where the runtime has Symbol.asyncDispose, and its
  // type comes from the lib's AsyncDisposable (below), so that consumers whose
  // lib lacks it still compile.
  static {
    if (typeof Symbol.asyncDispose === 'symbol') {
      Object.defineProperty(Grantex.prototype, Symbol.asyncDispose, {
        value(this: Grantex) {
          return this.close();
        },
        writable: true,
        configurable: true,
      });
    }
  }
}

/** Where the lib has `AsyncDisposable` (esnext.disposable, or Node's types), the client is one. */
export interface Grantex extends AsyncDisposable {}

declare global {
  /** Empty unless the lib declares it: lets the declarations compile without esnext.disposable. */
  interface AsyncDisposable {}
}

function createContext(policy: TransportPolicy, scimToken: string | undefined): ClientContext & { api: Client<paths> } {
  const transport = new Transport(policy);
  const api = createClient<paths>({ baseUrl: policy.baseUrl, fetch: transport.fetch });
  // The resources' own client skips building a real Request per call (see PlainRequest).
  const calls = createClient<paths>({
    baseUrl: policy.baseUrl,
    fetch: transport.textFetch,
    querySerializer: createQuerySerializer(),
    pathSerializer: createPathSerializer(),
    Request: PlainRequest as unknown as typeof Request,
  });
  return { api, calls, transport, scimToken };
}

/** The transport policy for `options`, with defaults filled in and every value checked. */
function transportPolicy(options: Omit<GrantexOptions, 'apiKey' | 'scimToken'>, apiKey: string | undefined): TransportPolicy {
  const baseUrl = options.baseUrl ?? DEFAULT_BASE_URL;
  if (!isHttpUrl(baseUrl)) throw new GrantexConfigError(`baseUrl must be an absolute http(s) URL, got ${JSON.stringify(baseUrl)}`);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') throw new GrantexConfigError('No fetch available: pass the fetch option');
  return {
    baseUrl: baseUrl.replace(/\/+$/, ''),
    apiKey,
    userAgent: `grantex-ts/${VERSION}`,
    headers: { ...options.headers },
    timeout: positiveSeconds('timeout', options.timeout, 30),
    maxRetries: wholeNumber('maxRetries', options.maxRetries, 2),
    retryDelay: nonNegativeSeconds('retryDelay', options.retryDelay, 0.5),
    maxRetryDelay: nonNegativeSeconds('maxRetryDelay', options.maxRetryDelay, 8),
    maxRetryAfter: nonNegativeSeconds('maxRetryAfter', options.maxRetryAfter, 60),
    // Called unbound: some runtimes' fetch throws "Illegal invocation" when called as a method.
    fetch: (input, init) => fetchImpl(input, init),
  };
}

function environmentApiKey(): string | undefined {
  // No `node:process` import, so the module loads in browsers and edge runtimes.
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.['GRANTEX_API_KEY'];
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
