/**
 * @module resources/passports
 * Extension. MPP Agent Passports (SPEC.md §15): issue, list, read, revoke.
 */
import type { ApiPromise } from '../core/response.js';
import type { QueryParams, RequestBody, RequestOptions, ResponseBody } from '../types.js';
import { Resource } from './resource.js';

/** `client.passports`: agent passports. To check one offline, see `verifyPassport`. */
export class Passports extends Resource {
  /** Issues a passport from an active grant. `POST /v1/passport/issue` */
  issue(body: RequestBody<'passportsIssue'>, options?: RequestOptions): ApiPromise<ResponseBody<'passportsIssue'>> {
    return this.send(this.api.POST('/v1/passport/issue', { ...this.init(options), body }));
  }

  /**
   * The developer's passports, as one array (the API answers a bare array and
   * does not page it). `GET /v1/passports`
   */
  list(query?: QueryParams<'passportsList'>, options?: RequestOptions): ApiPromise<ResponseBody<'passportsList'>> {
    return this.send(this.api.GET('/v1/passports', { ...this.init(options), params: { query: query ?? {} } }));
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
