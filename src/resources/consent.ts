/**
 * @module resources/consent
 * The public endpoints a consent page calls for the principal; the
 * authorization request id is the capability.
 */
import type { ApiPromise } from '../core/response.js';
import type { RequestOptions, ResponseBody } from '../types.js';
import { Resource } from './resource.js';

/** `client.consent`: what the consent page shows and sends. */
export class Consent extends Resource {
  /** The request as the consent page shows it. `GET /v1/consent/{authRequestId}` */
  get(authRequestId: string, options?: RequestOptions): ApiPromise<ResponseBody<'consentGet'>> {
    return this.send(
      this.api.GET('/v1/consent/{authRequestId}', { ...this.init(options), params: { path: { authRequestId } } }),
    );
  }

  /** Approves the request; single-use, so never retried. `POST /v1/consent/{authRequestId}/approve` */
  approve(authRequestId: string, options?: RequestOptions): ApiPromise<ResponseBody<'consentApprove'>> {
    return this.send(
      this.api.POST('/v1/consent/{authRequestId}/approve', {
        ...this.init(options),
        params: { path: { authRequestId } },
      }),
    );
  }

  /** Denies the request. `POST /v1/consent/{authRequestId}/deny` */
  deny(authRequestId: string, options?: RequestOptions): ApiPromise<ResponseBody<'consentDeny'>> {
    return this.send(
      this.api.POST('/v1/consent/{authRequestId}/deny', { ...this.init(options), params: { path: { authRequestId } } }),
    );
  }
}
