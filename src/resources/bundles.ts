/**
 * @module resources/bundles
 * Extension. Consent bundles for offline authorization and the sync of their offline audit trail.
 */
import type { components } from '../../generated/schema.js';
import { maxPagesOf, type ListOptions, type ListPromise } from '../core/pagination.js';
import type { ApiPromise } from '../core/response.js';
import type { QueryParams, RequestBody, RequestOptions, ResponseBody } from '../types.js';
import { Resource } from './resource.js';

type Bundle = components['schemas']['Bundle'];
type BundlePage = ResponseBody<'bundlesList'>;

/** `client.bundles`: consent bundles. The create and refresh answers hold a private key: store it like a secret. */
export class Bundles extends Resource {
  /** Creates a bundle for a device. `POST /v1/consent-bundles` */
  create(body: RequestBody<'bundlesCreate'>, options?: RequestOptions): ApiPromise<ResponseBody<'bundlesCreate'>> {
    return this.send(this.api.POST('/v1/consent-bundles', { ...this.init(options), body }));
  }

  /**
   * One page of bundles, newest first; iterating walks every page from
   * `query.cursor` on, up to `options.maxPages`. `GET /v1/consent-bundles`
   */
  list(query?: QueryParams<'bundlesList'>, options?: ListOptions): ListPromise<BundlePage, Bundle> {
    const maxPages = maxPagesOf(options);
    const fetchPage = (pageQuery: QueryParams<'bundlesList'>) =>
      this.api.GET('/v1/consent-bundles', { ...this.init(options), params: { query: pageQuery } });
    return this.sendList(fetchPage(query ?? {}), {
      items: (page) => page.bundles,
      maxPages,
      next: (page) => {
        const cursor = page.nextCursor;
        if (cursor === undefined || page.bundles.length === 0) return undefined;
        return () => this.settle<BundlePage>(fetchPage({ ...query, cursor }));
      },
    });
  }

  /** One bundle. `GET /v1/consent-bundles/{bundleId}` */
  get(bundleId: string, options?: RequestOptions): ApiPromise<ResponseBody<'bundlesGet'>> {
    return this.send(
      this.api.GET('/v1/consent-bundles/{bundleId}', { ...this.init(options), params: { path: { bundleId } } }),
    );
  }

  /** The offline audit entries synced for a bundle. `GET /v1/consent-bundles/{bundleId}/audit` */
  audit(bundleId: string, options?: RequestOptions): ApiPromise<ResponseBody<'bundlesAudit'>> {
    return this.send(
      this.api.GET('/v1/consent-bundles/{bundleId}/audit', { ...this.init(options), params: { path: { bundleId } } }),
    );
  }

  /** New token, key snapshot and audit key for an active bundle. `POST /v1/consent-bundles/{bundleId}/refresh` */
  refresh(bundleId: string, options?: RequestOptions): ApiPromise<ResponseBody<'bundlesRefresh'>> {
    return this.send(
      this.api.POST('/v1/consent-bundles/{bundleId}/refresh', {
        ...this.init(options),
        params: { path: { bundleId } },
      }),
    );
  }

  /** Revokes a bundle (and its grant with `revokeGrant`). `POST /v1/consent-bundles/{bundleId}/revoke` */
  revoke(
    bundleId: string,
    body?: RequestBody<'bundlesRevoke'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'bundlesRevoke'>> {
    return this.send(
      this.api.POST('/v1/consent-bundles/{bundleId}/revoke', {
        ...this.init(options),
        params: { path: { bundleId } },
        body: body ?? {},
      }),
    );
  }

  /** Whether a bundle is revoked. `GET /v1/consent-bundles/{bundleId}/revocation-status` */
  revocationStatus(bundleId: string, options?: RequestOptions): ApiPromise<ResponseBody<'bundlesRevocationStatus'>> {
    return this.send(
      this.api.GET('/v1/consent-bundles/{bundleId}/revocation-status', {
        ...this.init(options),
        params: { path: { bundleId } },
      }),
    );
  }

  /** Uploads audit entries recorded offline. `POST /v1/audit/offline-sync` */
  syncAudit(
    body: RequestBody<'bundlesSyncAudit'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'bundlesSyncAudit'>> {
    return this.send(this.api.POST('/v1/audit/offline-sync', { ...this.init(options), body }));
  }
}
