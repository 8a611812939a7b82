/**
 * @module resources/anomalies
 * Extension. Detection and acknowledgement of unusual agent behaviour.
 */
import type { components } from '../../generated/schema.js';
import type { ListPromise } from '../core/pagination.js';
import type { ApiPromise } from '../core/response.js';
import type { QueryParams, RequestBody, RequestOptions, ResponseBody } from '../types.js';
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

  /** Anomalies as alerts with a triage status (not paged; at most `limit`). `GET /v1/anomaly/alerts` */
  alerts(
    query?: QueryParams<'anomaliesAlerts'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'anomaliesAlerts'>> {
    return this.send(this.api.GET('/v1/anomaly/alerts', { ...this.init(options), params: { query: query ?? {} } }));
  }

  /** Marks an alert acknowledged. `POST /v1/anomaly/alerts/{alertId}/acknowledge` */
  acknowledgeAlert(
    alertId: string,
    body?: RequestBody<'anomaliesAcknowledgeAlert'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'anomaliesAcknowledgeAlert'>> {
    return this.send(
      this.api.POST('/v1/anomaly/alerts/{alertId}/acknowledge', {
        ...this.init(options),
        params: { path: { alertId } },
        body: body ?? {},
      }),
    );
  }

  /** Marks an alert resolved. `POST /v1/anomaly/alerts/{alertId}/resolve` */
  resolveAlert(
    alertId: string,
    body?: RequestBody<'anomaliesResolveAlert'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'anomaliesResolveAlert'>> {
    return this.send(
      this.api.POST('/v1/anomaly/alerts/{alertId}/resolve', {
        ...this.init(options),
        params: { path: { alertId } },
        body: body ?? {},
      }),
    );
  }

  /** Alert counts over a window. `GET /v1/anomaly/metrics` */
  metrics(
    query?: QueryParams<'anomaliesMetrics'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'anomaliesMetrics'>> {
    return this.send(this.api.GET('/v1/anomaly/metrics', { ...this.init(options), params: { query: query ?? {} } }));
  }

  /** Built-in and custom detection rules. `GET /v1/anomaly/rules` */
  rules(options?: RequestOptions): ApiPromise<ResponseBody<'anomaliesRules'>> {
    return this.send(this.api.GET('/v1/anomaly/rules', { ...this.init(options) }));
  }

  /** Adds a custom rule. `POST /v1/anomaly/rules` */
  createRule(
    body: RequestBody<'anomaliesCreateRule'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'anomaliesCreateRule'>> {
    return this.send(this.api.POST('/v1/anomaly/rules', { ...this.init(options), body }));
  }

  /** Deletes a custom rule. `DELETE /v1/anomaly/rules/{ruleId}` */
  deleteRule(ruleId: string, options?: RequestOptions): ApiPromise<ResponseBody<'anomaliesDeleteRule'>> {
    return this.send(
      this.api.DELETE('/v1/anomaly/rules/{ruleId}', { ...this.init(options), params: { path: { ruleId } } }),
    );
  }

  /** Where alerts go. `GET /v1/anomaly/channels` */
  channels(options?: RequestOptions): ApiPromise<ResponseBody<'anomaliesChannels'>> {
    return this.send(this.api.GET('/v1/anomaly/channels', { ...this.init(options) }));
  }

  /** Adds an alert channel. `POST /v1/anomaly/channels` */
  createChannel(
    body: RequestBody<'anomaliesCreateChannel'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'anomaliesCreateChannel'>> {
    return this.send(this.api.POST('/v1/anomaly/channels', { ...this.init(options), body }));
  }

  /** Deletes an alert channel. `DELETE /v1/anomaly/channels/{channelId}` */
  deleteChannel(channelId: string, options?: RequestOptions): ApiPromise<ResponseBody<'anomaliesDeleteChannel'>> {
    return this.send(
      this.api.DELETE('/v1/anomaly/channels/{channelId}', { ...this.init(options), params: { path: { channelId } } }),
    );
  }
}
