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

  /** Adds an OIDC, SAML or LDAP connection; its secrets are never returned. `POST /v1/sso/connections` */
  createConnection(
    body: RequestBody<'ssoCreateConnection'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'ssoCreateConnection'>> {
    return this.send(this.api.POST('/v1/sso/connections', { ...this.init(options), body }));
  }

  /** The organisation's connections (not paged). `GET /v1/sso/connections` */
  listConnections(options?: RequestOptions): ApiPromise<ResponseBody<'ssoListConnections'>> {
    return this.send(this.api.GET('/v1/sso/connections', { ...this.init(options) }));
  }

  /** Changes a connection. `PATCH /v1/sso/connections/{connectionId}` */
  updateConnection(
    connectionId: string,
    body: RequestBody<'ssoUpdateConnection'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'ssoUpdateConnection'>> {
    return this.send(
      this.api.PATCH('/v1/sso/connections/{connectionId}', {
        ...this.init(options),
        params: { path: { connectionId } },
        body,
      }),
    );
  }

  /** Deletes a connection. `DELETE /v1/sso/connections/{connectionId}` */
  deleteConnection(connectionId: string, options?: RequestOptions): ApiPromise<ResponseBody<'ssoDeleteConnection'>> {
    return this.send(
      this.api.DELETE('/v1/sso/connections/{connectionId}', {
        ...this.init(options),
        params: { path: { connectionId } },
      }),
    );
  }

  /**
   * Tests a connection against its identity provider; a failed test rejects
   * with a 422 `GrantexApiError` whose `body.error` says why.
   * `POST /v1/sso/connections/{connectionId}/test`
   */
  testConnection(connectionId: string, options?: RequestOptions): ApiPromise<ResponseBody<'ssoTestConnection'>> {
    return this.send(
      this.api.POST('/v1/sso/connections/{connectionId}/test', {
        ...this.init(options),
        params: { path: { connectionId } },
      }),
    );
  }

  /** Requires (or stops requiring) SSO on every active connection. `POST /v1/sso/enforce` */
  enforce(body: RequestBody<'ssoEnforce'>, options?: RequestOptions): ApiPromise<ResponseBody<'ssoEnforce'>> {
    return this.send(this.api.POST('/v1/sso/enforce', { ...this.init(options), body }));
  }

  /** Unexpired SSO sessions. `GET /v1/sso/sessions` */
  listSessions(options?: RequestOptions): ApiPromise<ResponseBody<'ssoListSessions'>> {
    return this.send(this.api.GET('/v1/sso/sessions', { ...this.init(options) }));
  }

  /** Ends a session. `DELETE /v1/sso/sessions/{sessionId}` */
  revokeSession(sessionId: string, options?: RequestOptions): ApiPromise<ResponseBody<'ssoRevokeSession'>> {
    return this.send(
      this.api.DELETE('/v1/sso/sessions/{sessionId}', { ...this.init(options), params: { path: { sessionId } } }),
    );
  }

  /** Completes an OIDC login (single use: never retried). `POST /sso/callback/oidc` */
  callbackOidc(
    body: RequestBody<'ssoCallbackOidc'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'ssoCallbackOidc'>> {
    return this.send(this.api.POST('/sso/callback/oidc', { ...this.init(options), body }));
  }

  /** Completes a SAML login (single use: never retried). `POST /sso/callback/saml` */
  callbackSaml(
    body: RequestBody<'ssoCallbackSaml'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'ssoCallbackSaml'>> {
    return this.send(this.api.POST('/sso/callback/saml', { ...this.init(options), body }));
  }

  /** Signs a user in with LDAP credentials (never retried; the password is a secret). `POST /sso/callback/ldap` */
  callbackLdap(
    body: RequestBody<'ssoCallbackLdap'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'ssoCallbackLdap'>> {
    return this.send(this.api.POST('/sso/callback/ldap', { ...this.init(options), body }));
  }
}
