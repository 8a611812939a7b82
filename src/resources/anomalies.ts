/**
 * @module resources/anomalies
 * Extension. Detection and acknowledgement of unusual agent behaviour.
 */
import type { components } from '../../generated/schema.js';
import type { ListPromise } from '../core/pagination.js';
import type { ApiPromise } from '../core/response.js';
import type { QueryParams, RequestOptions, ResponseBody } from '../types.js';
import { Resource } from './resource.js';

type Anomaly = components['schemas']['Anomaly'];

/** `client.anomalies`: detected anomalies. */
export class Anomalies extends Resource {
  /** Runs detection now and returns what it found. `POST /v1/anomalies/detect` */
  detect(options?: RequestOptions): ApiPromise<ResponseBody<'anomaliesDetect'>> {
    return this.send(this.api.POST('/v1/anomalies/detect', { ...this.init(options) }));
  }

  /**
   * Anomalies found so far; iterate it for them one by one.
   * The API does not page this list: one response holds all of them, so `hasNextPage()` is false.
   * `GET /v1/anomalies`
   */
  list(
    query?: QueryParams<'anomaliesList'>,
    options?: RequestOptions,
  ): ListPromise<ResponseBody<'anomaliesList'>, Anomaly> {
    return this.sendList(this.api.GET('/v1/anomalies', { ...this.init(options), params: { query: query ?? {} } }), {
      items: (page) => page.anomalies,
    });
  }

  /** Marks an anomaly as seen. `PATCH /v1/anomalies/{anomalyId}/acknowledge` */
  acknowledge(anomalyId: string, options?: RequestOptions): ApiPromise<ResponseBody<'anomaliesAcknowledge'>> {
    return this.send(
      this.api.PATCH('/v1/anomalies/{anomalyId}/acknowledge', {
        ...this.init(options),
        params: { path: { anomalyId } },
      }),
    );
  }
}
