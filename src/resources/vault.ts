/**
 * @module resources/vault
 * Extension. Upstream credentials stored for principals, and their release to
 * an agent that presents a grant token covering the service.
 */
import { GrantexInvalidArgumentError } from '../core/argument-error.js';
import type { ApiPromise } from '../core/response.js';
import type { QueryParams, RequestBody, RequestOptions, ResponseBody } from '../types.js';
import { Resource } from './resource.js';

/** `client.vault`: the credential vault. */
export class Vault extends Resource {
  /** Stores (or replaces) a principal's credential for a service. `POST /v1/vault/credentials` */
  store(body: RequestBody<'vaultStore'>, options?: RequestOptions): ApiPromise<ResponseBody<'vaultStore'>> {
    return this.send(this.api.POST('/v1/vault/credentials', { ...this.init(options), body }));
  }

  /** Stored credentials, without their secrets (not paged). `GET /v1/vault/credentials` */
  list(query?: QueryParams<'vaultList'>, options?: RequestOptions): ApiPromise<ResponseBody<'vaultList'>> {
    return this.send(this.api.GET('/v1/vault/credentials', { ...this.init(options), params: { query: query ?? {} } }));
  }

  /** One credential, without its secrets. `GET /v1/vault/credentials/{credentialId}` */
  get(credentialId: string, options?: RequestOptions): ApiPromise<ResponseBody<'vaultGet'>> {
    return this.send(
      this.api.GET('/v1/vault/credentials/{credentialId}', {
        ...this.init(options),
        params: { path: { credentialId } },
      }),
    );
  }

  /** Deletes a credential. `DELETE /v1/vault/credentials/{credentialId}` */
  delete(credentialId: string, options?: RequestOptions): ApiPromise<ResponseBody<'vaultDelete'>> {
    return this.send(
      this.api.DELETE('/v1/vault/credentials/{credentialId}', {
        ...this.init(options),
        params: { path: { credentialId } },
      }),
    );
  }

  /**
   * Called as the agent: trades its grant token (sent instead of the API key,
   * and masked in errors and logs like it) for the credential the grant's
   * principal stored for `service`. The answer holds a secret.
   * `POST /v1/vault/credentials/exchange`
   */
  exchange(
    grantToken: string,
    body: RequestBody<'vaultExchange'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'vaultExchange'>> {
    if (typeof grantToken !== 'string' || !/^[\x21-\x7e]+$/.test(grantToken))
      throw new GrantexInvalidArgumentError('grantToken must be a non-empty token without spaces');
    return this.send(
      this.api.POST('/v1/vault/credentials/exchange', {
        ...this.init(options, { authorization: `Bearer ${grantToken}` }),
        body,
      }),
    );
  }
}
