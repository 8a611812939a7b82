/**
 * @module resources/sso
 * Extension. OpenID Connect single sign-on for a developer organisation.
 */
import type { ApiPromise } from '../core/response.js';
import type { QueryParams, RequestBody, RequestOptions, ResponseBody } from '../types.js';
import { Resource } from './resource.js';

/** `client.sso`: the organisation's SSO configuration and login flow. */
export class Sso extends Resource {
  /** Sets the OIDC provider. `POST /v1/sso/config` */
  createConfig(
    body: RequestBody<'ssoCreateConfig'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'ssoCreateConfig'>> {
    return this.send(this.api.POST('/v1/sso/config', { ...this.init(options), body }));
  }

  /** The current configuration (without the client secret). `GET /v1/sso/config` */
  getConfig(options?: RequestOptions): ApiPromise<ResponseBody<'ssoGetConfig'>> {
    return this.send(this.api.GET('/v1/sso/config', { ...this.init(options) }));
  }

  /** Removes the configuration. `DELETE /v1/sso/config` */
  deleteConfig(options?: RequestOptions): ApiPromise<ResponseBody<'ssoDeleteConfig'>> {
    return this.send(this.api.DELETE('/v1/sso/config', { ...this.init(options) }));
  }

  /** Where to send a user to sign in. `GET /sso/login` */
  login(query: QueryParams<'ssoLogin'>, options?: RequestOptions): ApiPromise<ResponseBody<'ssoLogin'>> {
    return this.send(this.api.GET('/sso/login', { ...this.init(options), params: { query } }));
  }

  /** Completes sign-in with the provider's `code` and `state`. `GET /sso/callback` */
  callback(query: QueryParams<'ssoCallback'>, options?: RequestOptions): ApiPromise<ResponseBody<'ssoCallback'>> {
    return this.send(this.api.GET('/sso/callback', { ...this.init(options), params: { query } }));
  }
}
