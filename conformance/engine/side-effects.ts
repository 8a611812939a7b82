/**
 * @module side-effects
 * Requests whose effects reach beyond what the run creates: they make the
 * server emit events (webhook deliveries, notifications) to every endpoint the
 * developer has, or change the developer's own configuration. The suite sends
 * them only as a developer it created (or the `--event-api-key` developer),
 * unless `--allow-side-effects` is given. The README's safety section lists
 * the same table.
 */
import { routeOf } from '../http/routes.js';

/** One request kind with an effect outside the run's own resources. */
export interface SideEffect {
  method: string;
  /** Route with ids collapsed to `{}` (see `routeOf`). */
  route: string;
  /** What it sets off, for the skip reason and the README. */
  effect: string;
  /**
   * It can revoke or change what existed before the run, whatever the request
   * names: never sent under a key the run did not create, even with `--allow-side-effects`.
   */
  destructive?: true;
}

export const SIDE_EFFECTS: readonly SideEffect[] = [
  { method: 'POST', route: '/v1/token', effect: 'grant.created and token.issued webhooks' },
  { method: 'POST', route: '/v1/token/refresh', effect: 'token.issued webhooks' },
  { method: 'POST', route: '/v1/grants/delegate', effect: 'grant.created and token.issued webhooks' },
  { method: 'DELETE', route: '/v1/grants/{}', effect: 'grant.revoked webhooks' },
  { method: 'POST', route: '/v1/tokens/revoke', effect: 'token revocation events' },
  {
    method: 'POST',
    route: '/v1/anomalies/detect',
    effect: 'automatic revocation of the developer’s grants (grant.revoked, anomaly webhooks)',
    destructive: true,
  },
  { method: 'POST', route: '/v1/webhooks', effect: 'a subscription to the developer’s real events' },
  { method: 'POST', route: '/v1/sso/config', effect: 'a change of the developer’s SSO login (sso.connection events)' },
  {
    method: 'DELETE',
    route: '/v1/sso/config',
    effect: 'a change of the developer’s SSO login (sso.connection events)',
  },
  { method: 'POST', route: '/v1/billing/checkout', effect: 'a payment-provider checkout session' },
  { method: 'POST', route: '/v1/billing/portal', effect: 'a payment-provider portal session' },
];

/** The side effect of sending `method target`, if it has one. */
export function sideEffectOf(method: string, target: string): SideEffect | undefined {
  const route = routeOf(target);
  const verb = method.toUpperCase();
  return SIDE_EFFECTS.find((effect) => effect.method === verb && effect.route === route);
}
