/**
 * @module resources/policies
 * Extension. Rules that auto-approve or auto-deny authorization requests.
 */
import type { components } from '../../generated/schema.js';
import type { ListPromise } from '../core/pagination.js';
import type { ApiPromise } from '../core/response.js';
import type { QueryParams, RequestBody, RequestOptions, ResponseBody } from '../types.js';
import { Resource } from './resource.js';

type Policy = components['schemas']['Policy'];

/** `client.policies`: authorization policies. */
export class Policies extends Resource {
  /** Creates a policy. `POST /v1/policies` */
  create(body: RequestBody<'policiesCreate'>, options?: RequestOptions): ApiPromise<ResponseBody<'policiesCreate'>> {
    return this.send(this.api.POST('/v1/policies', { ...this.init(options), body }));
  }

  /**
   * The developer's policies; iterate it for the policies one by one.
   * The API does not page this list: one response holds all of them, so `hasNextPage()` is false.
   * `GET /v1/policies`
   */
  list(options?: RequestOptions): ListPromise<ResponseBody<'policiesList'>, Policy> {
    return this.sendList(this.api.GET('/v1/policies', { ...this.init(options) }), { items: (page) => page.policies });
  }

  /** One policy. `GET /v1/policies/{policyId}` */
  get(policyId: string, options?: RequestOptions): ApiPromise<ResponseBody<'policiesGet'>> {
    return this.send(
      this.api.GET('/v1/policies/{policyId}', { ...this.init(options), params: { path: { policyId } } }),
    );
  }

  /** Changes the given fields. `PATCH /v1/policies/{policyId}` */
  update(
    policyId: string,
    body: RequestBody<'policiesUpdate'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'policiesUpdate'>> {
    return this.send(
      this.api.PATCH('/v1/policies/{policyId}', { ...this.init(options), params: { path: { policyId } }, body }),
    );
  }

  /** Deletes a policy. `DELETE /v1/policies/{policyId}` */
  delete(policyId: string, options?: RequestOptions): ApiPromise<ResponseBody<'policiesDelete'>> {
    return this.send(
      this.api.DELETE('/v1/policies/{policyId}', { ...this.init(options), params: { path: { policyId } } }),
    );
  }

  /** Uploads an OPA (Rego) or Cedar bundle, base64 in `content`. `POST /v1/policies/sync` */
  sync(body: RequestBody<'policiesSync'>, options?: RequestOptions): ApiPromise<ResponseBody<'policiesSync'>> {
    return this.send(this.api.POST('/v1/policies/sync', { ...this.init(options), body }));
  }

  /** Uploaded bundles (not paged). `GET /v1/policies/bundles` */
  bundles(
    query?: QueryParams<'policiesBundles'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'policiesBundles'>> {
    return this.send(this.api.GET('/v1/policies/bundles', { ...this.init(options), params: { query: query ?? {} } }));
  }

  /** The active bundle of a format. `GET /v1/policies/bundles/active` */
  activeBundle(
    query: QueryParams<'policiesActiveBundle'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'policiesActiveBundle'>> {
    return this.send(this.api.GET('/v1/policies/bundles/active', { ...this.init(options), params: { query } }));
  }

  /** Forwards a policy repository push event. `POST /v1/policies/sync/webhook` */
  syncWebhook(
    body: RequestBody<'policiesSyncWebhook'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'policiesSyncWebhook'>> {
    return this.send(this.api.POST('/v1/policies/sync/webhook', { ...this.init(options), body }));
  }
}
