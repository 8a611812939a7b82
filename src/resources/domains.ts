/**
 * @module resources/domains
 * Extension. A developer's custom domains, proven by DNS.
 */
import type { components } from '../../generated/schema.js';
import type { ListPromise } from '../core/pagination.js';
import type { ApiPromise } from '../core/response.js';
import type { RequestBody, RequestOptions, ResponseBody } from '../types.js';
import { Resource } from './resource.js';

type Domain = components['schemas']['Domain'];

/** `client.domains`: custom domains. */
export class Domains extends Resource {
  /** The developer's domains (not paged). `GET /v1/domains` */
  list(options?: RequestOptions): ListPromise<ResponseBody<'domainsList'>, Domain> {
    return this.sendList(this.api.GET('/v1/domains', { ...this.init(options) }), { items: (page) => page.domains });
  }

  /** Adds a domain and returns its DNS proof. `POST /v1/domains` */
  add(body: RequestBody<'domainsAdd'>, options?: RequestOptions): ApiPromise<ResponseBody<'domainsAdd'>> {
    return this.send(this.api.POST('/v1/domains', { ...this.init(options), body }));
  }

  /** Checks the domain's DNS proof. `POST /v1/domains/{domainId}/verify` */
  verify(domainId: string, options?: RequestOptions): ApiPromise<ResponseBody<'domainsVerify'>> {
    return this.send(
      this.api.POST('/v1/domains/{domainId}/verify', { ...this.init(options), params: { path: { domainId } } }),
    );
  }

  /** Removes a domain. `DELETE /v1/domains/{domainId}` */
  delete(domainId: string, options?: RequestOptions): ApiPromise<ResponseBody<'domainsDelete'>> {
    return this.send(
      this.api.DELETE('/v1/domains/{domainId}', { ...this.init(options), params: { path: { domainId } } }),
    );
  }
}
