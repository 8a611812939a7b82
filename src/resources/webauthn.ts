/**
 * @module resources/webauthn
 * Extension. FIDO2 authenticators of principals: registration, assertion and management.
 */
import type { components } from '../../generated/schema.js';
import type { ListPromise } from '../core/pagination.js';
import type { ApiPromise } from '../core/response.js';
import type { QueryParams, RequestBody, RequestOptions, ResponseBody } from '../types.js';
import { Resource } from './resource.js';

type WebauthnCredential = components['schemas']['WebauthnCredential'];

/** `client.webauthn`: principals' authenticators. */
export class Webauthn extends Resource {
  /** A registration challenge and its browser options. `POST /v1/webauthn/register/options` */
  registerOptions(
    body: RequestBody<'webauthnRegisterOptions'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'webauthnRegisterOptions'>> {
    return this.send(this.api.POST('/v1/webauthn/register/options', { ...this.init(options), body }));
  }

  /** Verifies an attestation and stores the credential. `POST /v1/webauthn/register/verify` */
  registerVerify(
    body: RequestBody<'webauthnRegisterVerify'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'webauthnRegisterVerify'>> {
    return this.send(this.api.POST('/v1/webauthn/register/verify', { ...this.init(options), body }));
  }

  /** A principal's credentials (not paged). `GET /v1/webauthn/credentials` */
  listCredentials(
    query: QueryParams<'webauthnListCredentials'>,
    options?: RequestOptions,
  ): ListPromise<ResponseBody<'webauthnListCredentials'>, WebauthnCredential> {
    return this.sendList(this.api.GET('/v1/webauthn/credentials', { ...this.init(options), params: { query } }), {
      items: (page) => page.credentials,
    });
  }

  /** Deletes a credential. `DELETE /v1/webauthn/credentials/{credentialId}` */
  deleteCredential(
    credentialId: string,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'webauthnDeleteCredential'>> {
    return this.send(
      this.api.DELETE('/v1/webauthn/credentials/{credentialId}', {
        ...this.init(options),
        params: { path: { credentialId } },
      }),
    );
  }

  /** An assertion challenge for a pending consent. `POST /v1/webauthn/assert/options` */
  assertOptions(
    body: RequestBody<'webauthnAssertOptions'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'webauthnAssertOptions'>> {
    return this.send(this.api.POST('/v1/webauthn/assert/options', { ...this.init(options), body }));
  }

  /** Verifies an assertion. `POST /v1/webauthn/assert/verify` */
  assertVerify(
    body: RequestBody<'webauthnAssertVerify'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'webauthnAssertVerify'>> {
    return this.send(this.api.POST('/v1/webauthn/assert/verify', { ...this.init(options), body }));
  }
}
