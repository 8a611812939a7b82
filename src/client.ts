/**
 * @module client
 * The `Grantex` client: its options, its resources, and `client.api`, the
 * typed openapi-fetch client underneath for calls the resources do not cover.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from '../generated/schema.js';
import { DEFAULT_MAX_RESPONSE_BYTES } from './internal/body.js';
import { createCaller } from './core/call.js';
import {
  byteCount,
  checkBaseUrl,
  checkCredential,
  checkHeaders,
  environment,
  nonNegativeMs,
  positiveMs,
  wholeNumber,
} from './core/config.js';
import { GrantexConfigError } from './core/errors.js';
import { AttemptLog, resolveLogger, resolveLogLevel, type Logger, type LogLevel } from './core/log.js';
import { MiddlewareChain, type Middleware } from './core/middleware.js';
import { createPathSerializer } from './internal/path.js';
import { Redactor } from './internal/redact.js';
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
import { Account } from './resources/account.js';
import { Bundles } from './resources/bundles.js';
import { Credentials } from './resources/credentials.js';
import { Did } from './resources/did.js';
import { Domains } from './resources/domains.js';
import { Passports } from './resources/passports.js';
import { Principal } from './resources/principal.js';
import { Registry } from './resources/registry.js';
import { Webauthn } from './resources/webauthn.js';
import { Budgets } from './resources/budgets.js';
import { Usage } from './resources/usage.js';
import { Events } from './resources/events.js';
import { Vault } from './resources/vault.js';
import { Dpdp } from './resources/dpdp.js';
import { Mcp } from './resources/mcp.js';
import type { ApiPromise } from './core/response.js';
import { Transport, type TransportPolicy } from './core/transport.js';
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
  /**
   * Server root: an absolute `http:` or `https:` URL, without user info, query
   * or fragment. Requests go to this origin only. Default: the
   * `GRANTEX_BASE_URL` environment variable where `process.env` exists, else
   * `https://api.grantex.dev`.
   */
  baseUrl?: string | undefined;
  /**
   * Milliseconds each attempt may take, response body included: `5000` is 5 s.
   * Not a positive finite number: `GrantexConfigError`. Default: 30000 (30 s).
   */
  timeout?: number | undefined;
  /** Retries after the first attempt, for requests that are safe to repeat. Default: 2. */
  maxRetries?: number | undefined;
  /** Milliseconds before the first retry; doubled for each further one, with jitter. Default: 500. */
  retryDelay?: number | undefined;
  /** Longest backoff between retries, in milliseconds. Default: 8000. */
  maxRetryDelay?: number | undefined;
  /**
   * Longest `Retry-After` the client waits for, in milliseconds; a longer one
   * ends the retries and the 429/503 is thrown. Default: 60000.
   */
  maxRetryAfter?: number | undefined;
  /**
   * Largest response body accepted, in bytes after content decoding (so a
   * small gzip body that inflates past it is refused too). A larger body is not
   * read further and the call fails with code `RESPONSE_TOO_LARGE`. Default: 10485760 (10 MiB).
   */
  maxResponseBytes?: number | undefined;
  /**
   * How much to log: `'off'`, `'error'`, `'warn'`, `'info'` or `'debug'` (one
   * record per attempt). Default: the `GRANTEX_LOG` environment variable, else `'warn'`.
   */
  logLevel?: LogLevel | undefined;
  /** Where log records go (console-shaped: `error`, `warn`, `info`, `debug`). Default: `console`. */
  logger?: Logger | undefined;
  /**
   * Middleware (openapi-fetch's shape: `onRequest`, `onResponse`, `onError`)
   * run around every call, from the resource methods and from `client.api`
   * alike. More can be added with `client.use()`. Default: none.
   */
  middleware?: Middleware[] | undefined;
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
  readonly account: Account;
  readonly bundles: Bundles;
  readonly credentials: Credentials;
  readonly did: Did;
  readonly domains: Domains;
  readonly passports: Passports;
  readonly principal: Principal;
  readonly registry: Registry;
  readonly webauthn: Webauthn;
  readonly budgets: Budgets;
  readonly usage: Usage;
  readonly events: Events;
  readonly vault: Vault;
  readonly dpdp: Dpdp;
  readonly mcp: Mcp;
  readonly #transport: Transport;
  readonly #middleware: MiddlewareChain;
  readonly #root: Root;
  readonly #options: GrantexOptions;

  constructor(options: GrantexOptions = {}) {
    this.#options = { ...options };
    const apiKey = options.apiKey ?? environment('GRANTEX_API_KEY');
    if (apiKey === undefined || apiKey.trim() === '') {
      throw new GrantexConfigError('No API key: pass new Grantex({ apiKey }) or set GRANTEX_API_KEY');
    }
    checkCredential('apiKey', apiKey);
    if (options.scimToken !== undefined) checkCredential('scimToken', options.scimToken);
    const context = createContext(
      transportPolicy(options, apiKey, options.scimToken),
      options.scimToken,
      options.middleware,
    );
    this.api = context.api;
    this.#transport = context.transport;
    this.#middleware = context.middleware;
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
    this.account = new Account(context);
    this.bundles = new Bundles(context);
    this.credentials = new Credentials(context);
    this.did = new Did(context);
    this.domains = new Domains(context);
    this.passports = new Passports(context);
    this.principal = new Principal(context);
    this.registry = new Registry(context);
    this.webauthn = new Webauthn(context);
    this.budgets = new Budgets(context);
    this.usage = new Usage(context);
    this.events = new Events(context);
    this.vault = new Vault(context);
    this.dpdp = new Dpdp(context);
    this.mcp = new Mcp(context);
  }

  /**
   * Creates a developer account; needs no API key. The response holds the new
   * key, shown only here. `POST /v1/signup`
   */
  static signup(body: RequestBody<'signup'>, options: SignupOptions = {}): ApiPromise<ResponseBody<'signup'>> {
    const { signal, ...clientOptions } = options;
    const root = new Root(
      createContext(transportPolicy(clientOptions, undefined, undefined), undefined, clientOptions.middleware),
    );
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

  /**
   * A new client with the same options as this one except those given, e.g.
   * `client.withOptions({ timeout: 5000 })` for calls that must answer fast.
   * The copy starts with this client's middleware (added later to either, it
   * stays with that one) and has its own connections: closing one leaves the
   * other open.
   *
   * @example
   * ```ts
   * const patient = client.withOptions({ timeout: 120_000, maxRetries: 5 });
   * ```
   */
  withOptions(options: GrantexOptions): Grantex {
    return new Grantex({ ...this.#options, middleware: this.#middleware.list, ...options });
  }

  /**
   * Adds middleware (openapi-fetch's `Middleware` shape) to the client's one
   * chain, which runs around every call: resource methods and `client.api`.
   * `client.api.use()` adds to the same chain.
   */
  use(...middleware: Middleware[]): this {
    this.#middleware.use(...middleware);
    return this;
  }

  /** Removes middleware added with {@link use} or the `middleware` option. */
  eject(...middleware: Middleware[]): this {
    this.#middleware.eject(...middleware);
    return this;
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

function createContext(
  policy: TransportPolicy,
  scimToken: string | undefined,
  middleware: Middleware[] | undefined,
): ClientContext & { api: Client<paths>; middleware: MiddlewareChain } {
  const transport = new Transport(policy);
  const chain = new MiddlewareChain();
  if (middleware !== undefined) {
    if (!Array.isArray(middleware)) throw new GrantexConfigError('middleware must be an array');
    chain.use(...middleware);
  }
  // The same path encoding as the resources: an id of '.', '..' or '' cannot turn a call into another route.
  const api = createClient<paths>({
    baseUrl: policy.baseUrl,
    fetch: transport.fetch,
    pathSerializer: createPathSerializer(),
  });
  // One chain for both paths: openapi-fetch runs it through an adapter, and api.use() adds to it.
  api.use(chain.adapter(transport));
  api.use = (...added) => chain.use(...added);
  api.eject = (...removed) => chain.eject(...removed);
  return { api, calls: createCaller(transport, chain), transport, scimToken, middleware: chain };
}

/** The transport policy for `options`, with defaults filled in and every value checked. */
function transportPolicy(
  options: Omit<GrantexOptions, 'apiKey' | 'scimToken'>,
  apiKey: string | undefined,
  scimToken: string | undefined,
): TransportPolicy {
  const fromEnvironment = environment('GRANTEX_BASE_URL')?.trim();
  const baseUrl = checkBaseUrl(options.baseUrl ?? (fromEnvironment || DEFAULT_BASE_URL));
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') throw new GrantexConfigError('No fetch available: pass the fetch option');
  checkHeaders(options.headers, 'headers option');
  const headers: Record<string, string> = {};
  for (const name in options.headers) headers[name.toLowerCase()] = options.headers[name]!;
  return {
    baseUrl,
    apiKey,
    userAgent: `grantex-ts/${VERSION}`,
    headers,
    timeout: positiveMs('timeout', options.timeout, 30_000),
    maxRetries: wholeNumber('maxRetries', options.maxRetries, 2),
    retryDelay: nonNegativeMs('retryDelay', options.retryDelay, 500),
    maxRetryDelay: nonNegativeMs('maxRetryDelay', options.maxRetryDelay, 8_000),
    maxRetryAfter: nonNegativeMs('maxRetryAfter', options.maxRetryAfter, 60_000),
    maxResponseBytes: byteCount('maxResponseBytes', options.maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES),
    // Called unbound: some runtimes' fetch throws "Illegal invocation" when called as a method.
    fetch: (input, init) => fetchImpl(input, init),
    nodeHttp: options.fetch === undefined,
    log: new AttemptLog(resolveLogLevel(options.logLevel), resolveLogger(options.logger)),
    redactor: new Redactor([apiKey, scimToken]),
  };
}
