/**
 * @module resources/resource
 * What every resource class shares: the caller typed by the spec's `paths`
 * and the translation of {@link RequestOptions} into its options.
 */
import type { Client } from 'openapi-fetch';
import type { paths } from '../../generated/schema.js';
import type { LeanInit } from '../core/call.js';
import { positiveMs, wholeNumber } from '../core/config.js';
import { GrantexConfigError } from '../core/errors.js';
import { ListPromise, type Pager } from '../core/pagination.js';
import { ApiPromise, settle, type ApiResult, type RawResult } from '../core/response.js';
import type { Transport } from '../core/transport.js';
import type { RequestOptions } from '../types.js';

/** The parts of a client that resources call through. */
export interface ClientContext {
  /** The caller that resource methods go through (see `call.ts`): openapi-fetch's signatures, a leaner body. */
  readonly calls: Client<paths>;
  readonly transport: Transport;
  /** The SCIM bearer token for `/scim/v2` calls, if configured. */
  readonly scimToken: string | undefined;
}

/** The call options a resource passes besides params and body. */
export type CallInit = Omit<LeanInit, 'params' | 'body'>;

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
    const init: CallInit = {};
    if (options === undefined) {
      if (headers !== undefined) init.headers = headers;
      return init;
    }
    if (options.signal !== undefined) init.signal = options.signal;
    const merged = { ...headers, ...options.headers };
    if ((options as { idempotencyKey?: unknown }).idempotencyKey !== undefined) {
      // Removed in 0.2: the spec documents no Idempotency-Key and no server honours one.
      throw new GrantexConfigError(
        'idempotencyKey is not supported: no Grantex operation documents an Idempotency-Key, so a retried POST could create a duplicate; POSTs are never retried',
      );
    }
    if (Object.keys(merged).length > 0) init.headers = merged;
    if (options.timeout !== undefined || options.maxRetries !== undefined) {
      // Checked here, so that a bad value throws at the call site.
      const { policy } = this.context.transport;
      init.policy = {
        timeout: positiveMs('timeout', options.timeout, policy.timeout),
        maxRetries: wholeNumber('maxRetries', options.maxRetries, policy.maxRetries),
      };
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
