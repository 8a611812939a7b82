/**
 * @module resources/policies
 * Extension. Rules that auto-approve or auto-deny authorization requests.
 */
import type { components } from '../../generated/schema.js';
import type { ListPromise } from '../core/pagination.js';
import type { ApiPromise } from '../core/response.js';
import type { RequestBody, RequestOptions, ResponseBody } from '../types.js';
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
}
