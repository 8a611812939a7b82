/**
 * @module resources/scim
 * Extension. SCIM provisioning tokens (managed with the API key) and the SCIM
 * 2.0 Users endpoints, which take a SCIM token instead: give it as
 * `new Grantex({ scimToken })` or bind one with `client.scim.withToken(token)`.
 */
import type { components } from '../../generated/schema.js';
import { GrantexConfigError } from '../core/errors.js';
import { maxPagesOf, type ListOptions, type ListPromise } from '../core/pagination.js';
import type { ApiPromise, RawResult } from '../core/response.js';
import type { QueryParams, RequestBody, RequestOptions, ResponseBody } from '../types.js';
import { Resource, type CallInit } from './resource.js';

type ScimTokenSummary = components['schemas']['ScimTokenSummary'];
type ScimUser = components['schemas']['ScimUser'];
type UserPage = ResponseBody<'scimListUsers'>;

/** `client.scim`: SCIM tokens and SCIM 2.0 user provisioning. */
export class Scim extends Resource {
  /** This resource with `token` as the SCIM token for the `/scim/v2/Users` calls. */
  withToken(token: string): Scim {
    if (typeof token !== 'string' || token.trim() === '')
      throw new GrantexConfigError('withToken needs a non-empty SCIM token');
    return new Scim({ ...this.context, scimToken: token });
  }

  /** Creates a SCIM token; the response holds it, shown only here. `POST /v1/scim/tokens` */
  createToken(
    body: RequestBody<'scimCreateToken'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'scimCreateToken'>> {
    return this.send(this.api.POST('/v1/scim/tokens', { ...this.init(options), body }));
  }

  /**
   * The developer's SCIM tokens (without their secrets).
   * The API does not page this list: one response holds all of them, so `hasNextPage()` is false.
   * `GET /v1/scim/tokens`
   */
  listTokens(options?: RequestOptions): ListPromise<ResponseBody<'scimListTokens'>, ScimTokenSummary> {
    return this.sendList(this.api.GET('/v1/scim/tokens', { ...this.init(options) }), { items: (page) => page.tokens });
  }

  /** Revokes a SCIM token. `DELETE /v1/scim/tokens/{tokenId}` */
  revokeToken(tokenId: string, options?: RequestOptions): ApiPromise<ResponseBody<'scimRevokeToken'>> {
    return this.send(
      this.api.DELETE('/v1/scim/tokens/{tokenId}', { ...this.init(options), params: { path: { tokenId } } }),
    );
  }

  /** What the SCIM service supports. Public. `GET /scim/v2/ServiceProviderConfig` */
  serviceProviderConfig(options?: RequestOptions): ApiPromise<ResponseBody<'scimServiceProviderConfig'>> {
    return this.send(this.api.GET('/scim/v2/ServiceProviderConfig', { ...this.init(options) }));
  }

  /**
   * One page of users (`page.hasNextPage()`, `page.getNextPage()`); iterating
   * it walks every page from `query.startIndex` on, up to `options.maxPages`.
   * `GET /scim/v2/Users`
   */
  listUsers(query?: QueryParams<'scimListUsers'>, options?: ListOptions): ListPromise<UserPage, ScimUser> {
    const maxPages = maxPagesOf(options);
    const fetchPage = (pageQuery: QueryParams<'scimListUsers'>) =>
      this.#withScimToken(options, (init) => this.api.GET('/scim/v2/Users', { ...init, params: { query: pageQuery } }));
    return this.sendList(fetchPage(query ?? {}), {
      items: (page) => page.Resources,
      position: 'startIndex',
      counters: ['totalResults'],
      maxPages,
      next: (page) => {
        const nextIndex = page.startIndex + page.Resources.length;
        if (nextIndex > page.totalResults) return undefined;
        return () => this.settle<UserPage>(fetchPage({ ...query, startIndex: nextIndex }));
      },
    });
  }

  /** Provisions a user. `POST /scim/v2/Users` */
  createUser(
    body: RequestBody<'scimCreateUser'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'scimCreateUser'>> {
    return this.send(this.#withScimToken(options, (init) => this.api.POST('/scim/v2/Users', { ...init, body })));
  }

  /** One user. `GET /scim/v2/Users/{userId}` */
  getUser(userId: string, options?: RequestOptions): ApiPromise<ResponseBody<'scimGetUser'>> {
    return this.send(
      this.#withScimToken(options, (init) =>
        this.api.GET('/scim/v2/Users/{userId}', { ...init, params: { path: { userId } } }),
      ),
    );
  }

  /** Replaces a user's attributes. `PUT /scim/v2/Users/{userId}` */
  updateUser(
    userId: string,
    body: RequestBody<'scimUpdateUser'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'scimUpdateUser'>> {
    return this.send(
      this.#withScimToken(options, (init) =>
        this.api.PUT('/scim/v2/Users/{userId}', { ...init, params: { path: { userId } }, body }),
      ),
    );
  }

  /** Applies SCIM PatchOp operations to a user. `PATCH /scim/v2/Users/{userId}` */
  patchUser(
    userId: string,
    body: RequestBody<'scimPatchUser'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'scimPatchUser'>> {
    return this.send(
      this.#withScimToken(options, (init) =>
        this.api.PATCH('/scim/v2/Users/{userId}', { ...init, params: { path: { userId } }, body }),
      ),
    );
  }

  /** Deprovisions a user. `DELETE /scim/v2/Users/{userId}` */
  deleteUser(userId: string, options?: RequestOptions): ApiPromise<ResponseBody<'scimDeleteUser'>> {
    return this.send(
      this.#withScimToken(options, (init) =>
        this.api.DELETE('/scim/v2/Users/{userId}', { ...init, params: { path: { userId } } }),
      ),
    );
  }

  /** Makes a SCIM 2.0 call with the SCIM token, or fails with a config error when there is none. */
  #withScimToken(
    options: RequestOptions | undefined,
    call: (init: CallInit) => Promise<RawResult>,
  ): Promise<RawResult> {
    const token = this.context.scimToken;
    if (token === undefined) {
      return Promise.reject(
        new GrantexConfigError(
          'SCIM 2.0 calls need a SCIM token: new Grantex({ scimToken }) or client.scim.withToken(token)',
        ),
      );
    }
    return call(this.init(options, { authorization: `Bearer ${token}` }));
  }
}
