/**
 * @module resources/passports
 * Extension. MPP Agent Passports (SPEC.md §15): issue, list, read, revoke.
 */
import type { components } from '../../generated/schema.js';
import type { ListPromise } from '../core/pagination.js';
import type { ApiPromise } from '../core/response.js';
import type { QueryParams, RequestBody, RequestOptions, ResponseBody } from '../types.js';
import { Resource } from './resource.js';

type PassportSummary = components['schemas']['PassportSummary'];

/** `client.passports`: agent passports. To check one offline, see `verifyPassport`. */
export class Passports extends Resource {
  /** Issues a passport from an active grant. `POST /v1/passport/issue` */
  issue(body: RequestBody<'passportsIssue'>, options?: RequestOptions): ApiPromise<ResponseBody<'passportsIssue'>> {
    return this.send(this.api.POST('/v1/passport/issue', { ...this.init(options), body }));
  }

  /**
   * The developer's passports; iterate it for them one by one. The API does
   * not page this list, so `hasNextPage()` is false. `GET /v1/passports`
   */
  list(
    query?: QueryParams<'passportsList'>,
    options?: RequestOptions,
  ): ListPromise<ResponseBody<'passportsList'>, PassportSummary> {
    return this.sendList(this.api.GET('/v1/passports', { ...this.init(options), params: { query: query ?? {} } }), {
      items: (page) => page,
    });
  }

  /** One passport with its current status. `GET /v1/passport/{passportId}` */
  get(passportId: string, options?: RequestOptions): ApiPromise<ResponseBody<'passportsGet'>> {
    return this.send(
      this.api.GET('/v1/passport/{passportId}', { ...this.init(options), params: { path: { passportId } } }),
    );
  }

  /** Revokes a passport (its status bit flips). `POST /v1/passport/{passportId}/revoke` */
  revoke(passportId: string, options?: RequestOptions): ApiPromise<ResponseBody<'passportsRevoke'>> {
    return this.send(
      this.api.POST('/v1/passport/{passportId}/revoke', { ...this.init(options), params: { path: { passportId } } }),
    );
  }
}
