/**
 * @module resources/usage
 * Extension. The developer's metered request counts.
 */
import type { ApiPromise } from '../core/response.js';
import type { QueryParams, RequestOptions, ResponseBody } from '../types.js';
import { Resource } from './resource.js';

/** `client.usage`: metered usage. */
export class Usage extends Resource {
  /** Today's counts (UTC). `GET /v1/usage` */
  current(options?: RequestOptions): ApiPromise<ResponseBody<'usageCurrent'>> {
    return this.send(this.api.GET('/v1/usage', { ...this.init(options) }));
  }

  /** Daily counts for the last `days` days (1 to 90). `GET /v1/usage/history` */
  history(query?: QueryParams<'usageHistory'>, options?: RequestOptions): ApiPromise<ResponseBody<'usageHistory'>> {
    return this.send(this.api.GET('/v1/usage/history', { ...this.init(options), params: { query: query ?? {} } }));
  }
}
