/**
 * @module testing
 * `grantex/testing`: a local Grantex for your tests, in your own process. It
 * is the reference server the conformance suite runs against: every operation
 * of the spec, in memory, with real RS256 grant tokens, signed webhooks, and
 * optional faults, variants and rate limits. Node only; `import 'grantex'`
 * never loads it.
 *
 * @example
 * ```ts
 * import { Grantex } from 'grantex';
 * import { startReferenceServer } from 'grantex/testing';
 *
 * const server = await startReferenceServer();
 * const client = new Grantex({ baseUrl: server.url, apiKey: await server.addDeveloper('Tests', 'sandbox') });
 * // … your tests …
 * await server.close();
 * ```
 */
import type { RateLimitOptions } from './http/rate-limit.js';
import { startReferenceServer as startServer, type FaultName, type VariantName } from './server.js';

export { FAULTS, FAULT_NAMES, VARIANTS, VARIANT_NAMES, type FaultName, type VariantName } from './server.js';
export type { RateLimitOptions } from './http/rate-limit.js';

/** Options of {@link startReferenceServer}; every one is optional. */
export interface TestServerOptions {
  /**
   * Protocol violations to switch on (see `FAULTS`): for testing that your
   * code notices a server that breaks the protocol. Default none.
   */
  faults?: readonly FaultName[];
  /** Permitted behaviours to switch on (see `VARIANTS`), e.g. `extra-fields`. Default none. */
  variants?: readonly VariantName[];
  /**
   * Requests allowed per window and bucket, e.g. `{ authorize: 2 }` to see
   * your code handle a 429. Default: 10000 a minute per bucket.
   */
  rateLimits?: RateLimitOptions;
  /** Port on 127.0.0.1. Default 0: a free port. */
  port?: number;
  /** The clock, in milliseconds since the epoch, e.g. for tests of expiry. Default `Date.now`. */
  now?: () => number;
  /** Pauses before webhook retries, in milliseconds. Default [30000, 60000, 120000, 240000]. */
  webhookRetryDelaysMs?: readonly number[];
}

/** A running test server. */
export interface TestServer {
  /** Base URL, e.g. `http://127.0.0.1:40123`: pass it as `baseUrl`. */
  readonly url: string;
  /** The `iss` of the server's grant tokens. */
  readonly issuer: string;
  /** The faults that are on. */
  readonly faults: readonly FaultName[];
  /** The variants that are on. */
  readonly variants: readonly VariantName[];
  /** Signs a developer up (as `POST /v1/signup`, without spending a rate-limit bucket); resolves to its API key. */
  addDeveloper(name: string, mode: 'sandbox' | 'live'): Promise<string>;
  /** Resolves once no webhook delivery is under way. */
  webhooksSettled(): Promise<void>;
  /** Stops the server (it binds 127.0.0.1 only); call it in `afterAll`. */
  close(): Promise<void>;
}

/**
 * Starts a Grantex on 127.0.0.1 in this process; resolves once it accepts
 * requests. State lives in memory and goes with {@link TestServer.close}.
 *
 * @throws for a fault or variant name that does not exist, or an option out of range.
 */
export async function startReferenceServer(options: TestServerOptions = {}): Promise<TestServer> {
  const server = await startServer({
    host: '127.0.0.1',
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.faults === undefined ? {} : { faults: options.faults }),
    ...(options.variants === undefined ? {} : { variants: options.variants }),
    ...(options.rateLimits === undefined ? {} : { rateLimits: options.rateLimits }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.webhookRetryDelaysMs === undefined ? {} : { webhookRetryDelaysMs: options.webhookRetryDelaysMs }),
  });
  return {
    url: server.url,
    issuer: server.issuer,
    faults: server.faults,
    variants: server.variants,
    addDeveloper: (name, mode) => server.addDeveloper(name, mode),
    webhooksSettled: () => server.webhooksSettled(),
    close: () => server.close(),
  };
}
