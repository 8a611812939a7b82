/**
 * @module resources/account
 * Extension. The calling developer's account, API key rotation and email verification.
 */
import type { ApiPromise } from '../core/response.js';
import type { RequestBody, RequestOptions, ResponseBody } from '../types.js';
import { Resource } from './resource.js';

/** `client.account`: the developer behind the API key. */
export class Account extends Resource {
  /** The account. `GET /v1/me` */
  get(options?: RequestOptions): ApiPromise<ResponseBody<'accountGet'>> {
    return this.send(this.api.GET('/v1/me', { ...this.init(options) }));
  }

  /** Changes the FIDO settings. `PATCH /v1/me` */
  update(body: RequestBody<'accountUpdate'>, options?: RequestOptions): ApiPromise<ResponseBody<'accountUpdate'>> {
    return this.send(this.api.PATCH('/v1/me', { ...this.init(options), body }));
  }

  /**
   * Replaces the API key; the old one stops working at once, so build a new
   * client with the returned key. Never retried. `POST /v1/keys/rotate`
   */
  rotateKey(options?: RequestOptions): ApiPromise<ResponseBody<'accountRotateKey'>> {
    return this.send(this.api.POST('/v1/keys/rotate', { ...this.init(options) }));
  }

  /** Sends a verification link to an email address. `POST /v1/signup/verify` */
  requestEmailVerification(
    body: RequestBody<'accountRequestEmailVerification'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'accountRequestEmailVerification'>> {
    return this.send(this.api.POST('/v1/signup/verify', { ...this.init(options), body }));
  }

  /** Confirms an address with the token from the email. `GET /v1/signup/verify/{token}` */
  confirmEmail(token: string, options?: RequestOptions): ApiPromise<ResponseBody<'accountConfirmEmail'>> {
    return this.send(this.api.GET('/v1/signup/verify/{token}', { ...this.init(options), params: { path: { token } } }));
  }
}
