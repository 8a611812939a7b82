/**
 * @module resources/webhooks
 * Extension. Signed HTTP callbacks for grant and token events. (Checking a
 * delivery's signature needs no client: see `verifyWebhookSignature`.)
 */
import type { components } from '../../generated/schema.js';
import { maxPagesOf, type ListOptions, type ListPromise } from '../core/pagination.js';
import type { ApiPromise } from '../core/response.js';
import type { QueryParams, RequestBody, RequestOptions, ResponseBody } from '../types.js';
import { Resource } from './resource.js';

type Webhook = components['schemas']['Webhook'];
type WebhookDelivery = components['schemas']['WebhookDelivery'];
type DeliveryPage = ResponseBody<'webhooksListDeliveries'>;

/** `client.webhooks`: webhook endpoints and their deliveries. */
export class Webhooks extends Resource {
  /** Registers an endpoint; the response holds its secret, shown only here. `POST /v1/webhooks` */
  create(body: RequestBody<'webhooksCreate'>, options?: RequestOptions): ApiPromise<ResponseBody<'webhooksCreate'>> {
    return this.send(this.api.POST('/v1/webhooks', { ...this.init(options), body }));
  }

  /**
   * The developer's endpoints; iterate it for them one by one.
   * The API does not page this list: one response holds all of them, so `hasNextPage()` is false.
   * `GET /v1/webhooks`
   */
  list(options?: RequestOptions): ListPromise<ResponseBody<'webhooksList'>, Webhook> {
    return this.sendList(this.api.GET('/v1/webhooks', { ...this.init(options) }), { items: (page) => page.webhooks });
  }

  /** Removes an endpoint. `DELETE /v1/webhooks/{webhookId}` */
  delete(webhookId: string, options?: RequestOptions): ApiPromise<ResponseBody<'webhooksDelete'>> {
    return this.send(
      this.api.DELETE('/v1/webhooks/{webhookId}', { ...this.init(options), params: { path: { webhookId } } }),
    );
  }

  /**
   * One page of an endpoint's deliveries (`page.hasNextPage()`,
   * `page.getNextPage()`); iterating it walks every page from `query.page` on,
   * up to `options.maxPages`. `GET /v1/webhooks/{webhookId}/deliveries`
   */
  listDeliveries(
    webhookId: string,
    query?: QueryParams<'webhooksListDeliveries'>,
    options?: ListOptions,
  ): ListPromise<DeliveryPage, WebhookDelivery> {
    const maxPages = maxPagesOf(options);
    const fetchPage = (pageQuery: QueryParams<'webhooksListDeliveries'>) =>
      this.api.GET('/v1/webhooks/{webhookId}/deliveries', {
        ...this.init(options),
        params: { path: { webhookId }, query: pageQuery },
      });
    return this.sendList(fetchPage(query ?? {}), {
      items: (page) => page.deliveries,
      position: 'page',
      counters: ['pageSize', 'total'],
      maxPages,
      next: (page) =>
        page.page * page.pageSize < page.total
          ? () => this.settle<DeliveryPage>(fetchPage({ ...query, page: page.page + 1, pageSize: page.pageSize }))
          : undefined,
    });
  }
}
