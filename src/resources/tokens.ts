/**
 * @module resources/tokens
 * Exchange authorization codes for grant tokens, refresh them, and check or
 * revoke them online. (Offline verification needs no client: see `verifyGrantToken`.)
 */
import type { ApiPromise } from '../core/response.js';
import type { RequestBody, RequestOptions, ResponseBody } from '../types.js';
import { Resource } from './resource.js';

/** `client.tokens`: grant tokens. */
export class Tokens extends Resource {
  /** Exchanges a single-use code for a grant token; never retried. `POST /v1/token` */
  exchange(body: RequestBody<'tokensExchange'>, options?: RequestOptions): ApiPromise<ResponseBody<'tokensExchange'>> {
    return this.send(this.api.POST('/v1/token', { ...this.init(options), body }));
  }

  /** Rotates a refresh token into a new grant token and refresh token; never retried. `POST /v1/token/refresh` */
  refresh(body: RequestBody<'tokensRefresh'>, options?: RequestOptions): ApiPromise<ResponseBody<'tokensRefresh'>> {
    return this.send(this.api.POST('/v1/token/refresh', { ...this.init(options), body }));
  }

  /** Checks a token online, including revocation. `POST /v1/tokens/verify` */
  verify(token: string, options?: RequestOptions): ApiPromise<ResponseBody<'tokensVerify'>> {
    return this.send(this.api.POST('/v1/tokens/verify', { ...this.init(options), body: { token } }));
  }

  /** Revokes the token with this `jti`. `POST /v1/tokens/revoke` */
  revoke(jti: string, options?: RequestOptions): ApiPromise<ResponseBody<'tokensRevoke'>> {
    return this.send(this.api.POST('/v1/tokens/revoke', { ...this.init(options), body: { jti } }));
  }
}
