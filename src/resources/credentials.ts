/**
 * @module resources/credentials
 * Extension. Verifiable credentials: read, verify online, status lists, SD-JWT presentations.
 */
import type { components } from '../../generated/schema.js';
import type { ListPromise } from '../core/pagination.js';
import type { ApiPromise } from '../core/response.js';
import type { QueryParams, RequestBody, RequestOptions, ResponseBody } from '../types.js';
import { Resource } from './resource.js';

type CredentialRecord = components['schemas']['CredentialRecord'];

/** `client.credentials`: verifiable credentials. To check one offline, see `verifyCredential`. */
export class Credentials extends Resource {
  /**
   * The developer's credentials (at most 100, newest first); the API does not
   * page this list. `GET /v1/credentials`
   */
  list(
    query?: QueryParams<'credentialsList'>,
    options?: RequestOptions,
  ): ListPromise<ResponseBody<'credentialsList'>, CredentialRecord> {
    return this.sendList(this.api.GET('/v1/credentials', { ...this.init(options), params: { query: query ?? {} } }), {
      items: (page) => page.credentials,
    });
  }

  /** One credential. `GET /v1/credentials/{credentialId}` */
  get(credentialId: string, options?: RequestOptions): ApiPromise<ResponseBody<'credentialsGet'>> {
    return this.send(
      this.api.GET('/v1/credentials/{credentialId}', { ...this.init(options), params: { path: { credentialId } } }),
    );
  }

  /** Asks the server to verify a VC-JWT; a bad credential is `valid: false`, not an error. `POST /v1/credentials/verify` */
  verify(
    body: RequestBody<'credentialsVerify'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'credentialsVerify'>> {
    return this.send(this.api.POST('/v1/credentials/verify', { ...this.init(options), body }));
  }

  /** A StatusList2021 credential. `GET /v1/credentials/status/{listId}` */
  status(listId: string, options?: RequestOptions): ApiPromise<ResponseBody<'credentialsStatus'>> {
    return this.send(
      this.api.GET('/v1/credentials/status/{listId}', { ...this.init(options), params: { path: { listId } } }),
    );
  }

  /** Asks the server to verify an SD-JWT presentation. `POST /v1/credentials/present` */
  present(
    body: RequestBody<'credentialsPresent'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'credentialsPresent'>> {
    return this.send(this.api.POST('/v1/credentials/present', { ...this.init(options), body }));
  }
}
