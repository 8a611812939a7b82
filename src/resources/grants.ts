/**
 * @module resources/grants
 * Grants issued to agents: listing, revocation (cascading to delegated
 * grants), online verification and delegation to sub-agents.
 */
import type { components } from '../../generated/schema.js';
import type { ListPromise } from '../core/pagination.js';
import type { ApiPromise } from '../core/response.js';
import type { QueryParams, RequestBody, RequestOptions, ResponseBody } from '../types.js';
import { Resource } from './resource.js';

type Grant = components['schemas']['Grant'];

/** `client.grants`: the developer's grants. */
export class Grants extends Resource {
  /**
   * Grants, optionally filtered; iterate it for the grants one by one.
   * The API does not page this list: one response holds all of them, so `hasNextPage()` is false.
   * `GET /v1/grants`
   */
  list(query?: QueryParams<'grantsList'>, options?: RequestOptions): ListPromise<ResponseBody<'grantsList'>, Grant> {
    return this.sendList(this.api.GET('/v1/grants', { ...this.init(options), params: { query: query ?? {} } }), {
      items: (page) => page.grants,
    });
  }

  /** One grant. `GET /v1/grants/{grantId}` */
  get(grantId: string, options?: RequestOptions): ApiPromise<ResponseBody<'grantsGet'>> {
    return this.send(this.api.GET('/v1/grants/{grantId}', { ...this.init(options), params: { path: { grantId } } }));
  }

  /** Revokes the grant and every grant delegated from it. `DELETE /v1/grants/{grantId}` */
  revoke(grantId: string, options?: RequestOptions): ApiPromise<ResponseBody<'grantsRevoke'>> {
    return this.send(this.api.DELETE('/v1/grants/{grantId}', { ...this.init(options), params: { path: { grantId } } }));
  }

  /** Checks a grant token and reports its grant's state. `POST /v1/grants/verify` */
  verify(token: string, options?: RequestOptions): ApiPromise<ResponseBody<'grantsVerify'>> {
    return this.send(this.api.POST('/v1/grants/verify', { ...this.init(options), body: { token } }));
  }

  /** Delegates a subset of a grant's scopes to a sub-agent. `POST /v1/grants/delegate` */
  delegate(body: RequestBody<'grantsDelegate'>, options?: RequestOptions): ApiPromise<ResponseBody<'grantsDelegate'>> {
    return this.send(this.api.POST('/v1/grants/delegate', { ...this.init(options), body }));
  }
}
