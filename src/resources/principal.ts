/**
 * @module resources/principal
 * Extension. Principal sessions: a principal sees and revokes their own grants.
 */
import type { components } from '../../generated/schema.js';
import { GrantexInvalidArgumentError } from '../core/argument-error.js';
import type { ListPromise } from '../core/pagination.js';
import type { ApiPromise } from '../core/response.js';
import type { RequestBody, RequestOptions, ResponseBody } from '../types.js';
import { Resource } from './resource.js';

type PrincipalGrant = components['schemas']['PrincipalGrant'];
type PrincipalAuditEntry = components['schemas']['PrincipalAuditEntry'];

/**
 * `client.principal`: `createSession` takes the API key; the other calls take
 * the principal's session token instead, as their first argument.
 */
export class Principal extends Resource {
  /** A session for a principal holding an active grant. `POST /v1/principal-sessions` */
  createSession(
    body: RequestBody<'principalCreateSession'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'principalCreateSession'>> {
    return this.send(this.api.POST('/v1/principal-sessions', { ...this.init(options), body }));
  }

  /** The principal's active grants (not paged). `GET /v1/principal/grants` */
  grants(sessionToken: string, options?: RequestOptions): ListPromise<ResponseBody<'principalGrants'>, PrincipalGrant> {
    return this.sendList(this.api.GET('/v1/principal/grants', { ...this.#session(sessionToken, options) }), {
      items: (page) => page.grants,
    });
  }

  /** The principal's latest audit entries (not paged). `GET /v1/principal/audit` */
  audit(
    sessionToken: string,
    options?: RequestOptions,
  ): ListPromise<ResponseBody<'principalAudit'>, PrincipalAuditEntry> {
    return this.sendList(this.api.GET('/v1/principal/audit', { ...this.#session(sessionToken, options) }), {
      items: (page) => page.entries,
    });
  }

  /** The principal revokes one of their grants. `DELETE /v1/principal/grants/{grantId}` */
  revokeGrant(
    sessionToken: string,
    grantId: string,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'principalRevokeGrant'>> {
    return this.send(
      this.api.DELETE('/v1/principal/grants/{grantId}', {
        ...this.#session(sessionToken, options),
        params: { path: { grantId } },
      }),
    );
  }

  /** Call options carrying the session token in place of the API key (it is redacted like one). */
  #session(sessionToken: string, options: RequestOptions | undefined) {
    if (typeof sessionToken !== 'string' || sessionToken === '' || /[\s\u0000-\u001f\u007f]/.test(sessionToken)) {
      throw new GrantexInvalidArgumentError(
        'sessionToken must be a non-empty token without whitespace or control characters',
      );
    }
    return this.init(options, { authorization: `Bearer ${sessionToken}` });
  }
}
