/**
 * @module resources/billing
 * Extension. The developer's subscription, checkout and billing portal.
 */
import type { ApiPromise } from '../core/response.js';
import type { RequestBody, RequestOptions, ResponseBody } from '../types.js';
import { Resource } from './resource.js';

/** `client.billing`: the developer's plan. */
export class Billing extends Resource {
  /** The current subscription. `GET /v1/billing/subscription` */
  status(options?: RequestOptions): ApiPromise<ResponseBody<'billingStatus'>> {
    return this.send(this.api.GET('/v1/billing/subscription', { ...this.init(options) }));
  }

  /** A checkout session for a plan change. `POST /v1/billing/checkout` */
  checkout(
    body: RequestBody<'billingCheckout'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'billingCheckout'>> {
    return this.send(this.api.POST('/v1/billing/checkout', { ...this.init(options), body }));
  }

  /** A billing-portal session. `POST /v1/billing/portal` */
  portal(body: RequestBody<'billingPortal'>, options?: RequestOptions): ApiPromise<ResponseBody<'billingPortal'>> {
    return this.send(this.api.POST('/v1/billing/portal', { ...this.init(options), body }));
  }
}
