/**
 * @module resources/sandbox
 * Approve or deny an authorization request directly (sandbox API keys only).
 */
import type { ApiPromise } from '../core/response.js';
import type { RequestOptions, ResponseBody } from '../types.js';
import { Resource } from './resource.js';

/** `client.sandbox`: act as the principal without a consent page. */
export class Sandbox extends Resource {
  /** Approves a pending request and returns its code. `POST /v1/authorize/{authRequestId}/approve` */
  approve(authRequestId: string, options?: RequestOptions): ApiPromise<ResponseBody<'sandboxApprove'>> {
    return this.send(
      this.api.POST('/v1/authorize/{authRequestId}/approve', {
        ...this.init(options),
        params: { path: { authRequestId } },
      }),
    );
  }

  /** Denies a pending request. `POST /v1/authorize/{authRequestId}/deny` */
  deny(authRequestId: string, options?: RequestOptions): ApiPromise<ResponseBody<'sandboxDeny'>> {
    return this.send(
      this.api.POST('/v1/authorize/{authRequestId}/deny', {
        ...this.init(options),
        params: { path: { authRequestId } },
      }),
    );
  }
}
