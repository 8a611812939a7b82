/**
 * @module resources/root
 * The operations called directly on the client: `health`, `jwks`, `authorize`
 * and the static `Grantex.signup`.
 */
import { GrantexInvalidArgumentError } from '../core/argument-error.js';
import type { ApiPromise } from '../core/response.js';
import type { RequestBody, RequestOptions, ResponseBody } from '../types.js';
import { Resource } from './resource.js';

type AuthorizeBody = RequestBody<'authorize'>;

/**
 * What `client.authorize()` takes: the spec's `AuthorizeRequest`, where the
 * principal may also be given as `userId`, an alias of `principalId` kept for
 * code written against the first SDK (it is sent as `principalId`; give one of
 * the two). As in the spec, `codeChallenge` and `codeChallengeMethod` go
 * together: both or neither.
 */
export type AuthorizeParams = Omit<AuthorizeBody, 'principalId' | 'codeChallenge' | 'codeChallengeMethod'> &
  (
    | { principalId: AuthorizeBody['principalId']; userId?: never }
    | { userId: AuthorizeBody['principalId']; principalId?: never }
  ) &
  (
    | { codeChallenge?: never; codeChallengeMethod?: never }
    | {
        codeChallenge: NonNullable<AuthorizeBody['codeChallenge']>;
        codeChallengeMethod: NonNullable<AuthorizeBody['codeChallengeMethod']>;
      }
  );

export class Root extends Resource {
  /** Whether the server and its dependencies are up. `GET /health` */
  health(options?: RequestOptions): ApiPromise<ResponseBody<'health'>> {
    return this.send(this.api.GET('/health', { ...this.init(options) }));
  }

  /** The key set that grant tokens are signed with. `GET /.well-known/jwks.json` */
  jwks(options?: RequestOptions): ApiPromise<ResponseBody<'jwks'>> {
    return this.send(this.api.GET('/.well-known/jwks.json', { ...this.init(options) }));
  }

  /** Creates a developer account and its API key. `POST /v1/signup` */
  signup(body: RequestBody<'signup'>, options?: RequestOptions): ApiPromise<ResponseBody<'signup'>> {
    return this.send(this.api.POST('/v1/signup', { ...this.init(options), body }));
  }

  /** Starts an authorization request for an agent. `POST /v1/authorize` */
  authorize(params: AuthorizeParams, options?: RequestOptions): ApiPromise<ResponseBody<'authorize'>> {
    const { userId, principalId, ...rest } = params;
    if ((rest.codeChallenge === undefined) !== (rest.codeChallengeMethod === undefined)) {
      throw new GrantexInvalidArgumentError(
        'authorize(): pass codeChallenge and codeChallengeMethod together (both or neither); nothing was sent',
      );
    }
    const principal = principalId ?? userId;
    // Left out rather than invented when missing, so the server names the missing field.
    const body = (principal === undefined ? rest : { ...rest, principalId: principal }) as AuthorizeBody;
    return this.send(this.api.POST('/v1/authorize', { ...this.init(options), body }));
  }
}
