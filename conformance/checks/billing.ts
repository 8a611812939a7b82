/**
 * @module checks/billing
 * Billing extension (SPEC §10.2): the subscription reads as a known plan, and
 * checkout and portal requests with invalid input are refused. The suite never
 * opens a real checkout session.
 */
import { expectThat, show, type Check } from '../engine/check.js';
import { expectStatus } from '../engine/session/expect.js';

export const billingChecks: Check[] = [
  {
    id: 'billing.subscription',
    area: 'billing',
    clause: 'SPEC §10.2 billing: the developer’s subscription',
    level: 'MUST',
    title: 'GET /v1/billing/subscription names a plan and a status',
    extension: 'billing',
    async run(ctx) {
      const exchange = await ctx.session.request(ctx.session.devA, { method: 'GET', path: '/v1/billing/subscription' });
      expectStatus(exchange, 200, 'GET /v1/billing/subscription');
      const body = exchange.body as { plan?: string; status?: string };
      expectThat(
        ['free', 'pro', 'enterprise'].includes(body.plan ?? '') && typeof body.status === 'string',
        'the subscription has no known plan',
        'plan free|pro|enterprise and a status',
        show(body),
      );
    },
  },
  {
    id: 'billing.validation',
    area: 'billing',
    // No sentence of SPEC.md makes these requests invalid, so a server that accepts them only warns.
    clause: 'SPEC §10.2 billing extension; OpenAPI billingCheckout / billingPortal: invalid input is 400',
    level: 'SHOULD',
    title: 'checkout for an unknown plan and a portal with an invalid return URL answer 400',
    extension: 'billing',
    async run(ctx) {
      const dev = ctx.session.devA;
      const checkout = await ctx.session.request(dev, {
        method: 'POST',
        path: '/v1/billing/checkout',
        json: {
          plan: 'platinum',
          successUrl: 'https://app.example.com/ok',
          cancelUrl: 'https://app.example.com/cancel',
        },
      });
      expectStatus(checkout, 400, 'checkout for the unknown plan "platinum"');
      const portal = await ctx.session.request(dev, {
        method: 'POST',
        path: '/v1/billing/portal',
        json: { returnUrl: 'not a url' },
      });
      expectStatus(portal, 400, 'portal with an invalid returnUrl');
    },
  },
];
