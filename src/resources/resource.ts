/**
 * @module resources/resource
 * What every resource class shares: the openapi-fetch client and the
 * translation of {@link RequestOptions} into an openapi-fetch call.
 */
import type { Client } from 'openapi-fetch';
import type { paths } from '../../generated/schema.js';
import { ListPromise, type Pager } from '../pagination.js';
import { ApiPromise, settle, type ApiResult, type RawResult } from '../response.js';
import type { OutgoingRequest, Transport } from '../transport.js';
import type { RequestOptions } from '../types.js';

/** The parts of a client that resources call through. */
export interface ClientContext {
  /** The openapi-fetch client that resource methods call through (built on `PlainRequest`). */
  readonly calls: Client<paths>;
  readonly transport: Transport;
  /** The SCIM bearer token for `/scim/v2` calls, if configured. */
  readonly scimToken: string | undefined;
}

/** The openapi-fetch options of one call. */
export interface CallInit {
  /** The body is parsed by `settle`, so that a malformed one becomes a typed error. */
  parseAs: 'text';
  /** Always the transport's `textFetch`, which suits `parseAs: 'text'`. */
  signal?: AbortSignal;
  headers?: Record<string, string>;
  fetch: (request: OutgoingRequest) => Promise<Response>;
}

/** Base of the resource classes: one method per operation, each a single call. */
export abstract class Resource {
  protected readonly context: ClientContext;

  constructor(context: ClientContext) {
    this.context = context;
  }

  protected get api(): Client<paths> {
    return this.context.calls;
  }

  /** openapi-fetch options for a call made with `options`, plus `headers` the resource adds. */
  protected init(options: RequestOptions | undefined, headers?: Record<string, string>): CallInit {
    const init: CallInit = { parseAs: 'text', fetch: this.context.transport.textFetch };
    if (options === undefined) {
      if (headers !== undefined) init.headers = headers;
      return init;
    }
    if (options.signal !== undefined) init.signal = options.signal;
    const merged = { ...headers, ...options.headers };
    if (options.idempotencyKey !== undefined) merged['idempotency-key'] = options.idempotencyKey;
    if (Object.keys(merged).length > 0) init.headers = merged;
    if (options.timeout !== undefined || options.maxRetries !== undefined) {
      init.fetch = this.context.transport.textFetchWith({ timeout: options.timeout, maxRetries: options.maxRetries });
    }
    return init;
  }

  /** Wraps a pending call in the promise every method returns. */
  protected send<T>(pending: Promise<RawResult>): ApiPromise<T> {
    return new ApiPromise(settle<T>(pending));
  }

  /** Like {@link send}, for calls that return a list. */
  protected sendList<Page, Item>(pending: Promise<RawResult>, pager: Pager<Page, Item>): ListPromise<Page, Item> {
    return new ListPromise(settle<Page>(pending), pager);
  }

  /** Settles a follow-up page request (used by pagers). */
  protected settle<T>(pending: Promise<RawResult>): Promise<ApiResult<T>> {
    return settle<T>(pending);
  }
}
