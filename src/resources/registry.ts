/**
 * @module resources/registry
 * Extension. The trust registry of organisations (SPEC.md §15.4).
 */
import type { components } from '../../generated/schema.js';
import type { ListPromise } from '../core/pagination.js';
import type { ApiPromise } from '../core/response.js';
import type { RequestBody, RequestOptions, ResponseBody } from '../types.js';
import { Resource } from './resource.js';

type OrgSummary = components['schemas']['OrgSummary'];
type LegacyTrustRecord = components['schemas']['LegacyTrustRecord'];

/** `client.registry`: organisations' public trust records. */
export class Registry extends Resource {
  /** Every registered organisation (not paged). `GET /v1/registry/orgs` */
  listOrgs(options?: RequestOptions): ListPromise<ResponseBody<'registryListOrgs'>, OrgSummary> {
    return this.sendList(this.api.GET('/v1/registry/orgs', { ...this.init(options) }), { items: (page) => page.data });
  }

  /** Registers the developer's organisation by its `did:web`. `POST /v1/registry/orgs` */
  registerOrg(
    body: RequestBody<'registryRegisterOrg'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'registryRegisterOrg'>> {
    return this.send(this.api.POST('/v1/registry/orgs', { ...this.init(options), body }));
  }

  /** An organisation's public record. `GET /v1/registry/orgs/{did}` */
  getOrg(did: string, options?: RequestOptions): ApiPromise<ResponseBody<'registryGetOrg'>> {
    return this.send(this.api.GET('/v1/registry/orgs/{did}', { ...this.init(options), params: { path: { did } } }));
  }

  /** An organisation's key set. `GET /v1/registry/orgs/{did}/jwks` */
  orgJwks(did: string, options?: RequestOptions): ApiPromise<ResponseBody<'registryOrgJwks'>> {
    return this.send(
      this.api.GET('/v1/registry/orgs/{did}/jwks', { ...this.init(options), params: { path: { did } } }),
    );
  }

  /** Checks the organisation's DNS TXT proof. `POST /v1/registry/orgs/{orgId}/verify-dns` */
  verifyOrgDns(orgId: string, options?: RequestOptions): ApiPromise<ResponseBody<'registryVerifyOrgDns'>> {
    return this.send(
      this.api.POST('/v1/registry/orgs/{orgId}/verify-dns', { ...this.init(options), params: { path: { orgId } } }),
    );
  }

  /** Trust records in the older form (not paged). `GET /v1/trust-registry` */
  legacyList(options?: RequestOptions): ListPromise<ResponseBody<'registryLegacyList'>, LegacyTrustRecord> {
    return this.sendList(this.api.GET('/v1/trust-registry', { ...this.init(options) }), {
      items: (page) => page.records,
    });
  }

  /** One trust record in the older form. `GET /v1/trust-registry/{orgDid}` */
  legacyGet(orgDid: string, options?: RequestOptions): ApiPromise<ResponseBody<'registryLegacyGet'>> {
    return this.send(
      this.api.GET('/v1/trust-registry/{orgDid}', { ...this.init(options), params: { path: { orgDid } } }),
    );
  }

  /** Checks a domain's DNS proof, older form. `POST /v1/trust-registry/verify-dns` */
  legacyVerifyDns(
    body: RequestBody<'registryLegacyVerifyDns'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'registryLegacyVerifyDns'>> {
    return this.send(this.api.POST('/v1/trust-registry/verify-dns', { ...this.init(options), body }));
  }
}
