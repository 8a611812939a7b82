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
  /** Route with ids collapsed to `{}` (see `routeOf`); `*` stands for any one segment (a principal id, say). */
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
  // Operations groups: live events to the developer's stream listeners, or changes to the developer's setup.
  { method: 'POST', route: '/v1/budget/debit', effect: 'a spend on a grant’s budget (budget events)' },
  { method: 'POST', route: '/v1/vault/credentials', effect: 'a stored credential (vault.credential.stored events)' },
  {
    method: 'DELETE',
    route: '/v1/vault/credentials/{}',
    effect: 'a deleted credential (vault.credential.deleted events)',
  },
  {
    method: 'POST',
    route: '/v1/anomaly/alerts/{}/acknowledge',
    effect: 'a change of the developer’s alert triage',
  },
  { method: 'POST', route: '/v1/anomaly/alerts/{}/resolve', effect: 'a change of the developer’s alert triage' },
  { method: 'POST', route: '/v1/anomaly/rules', effect: 'a change of the developer’s anomaly detection' },
  { method: 'POST', route: '/v1/anomaly/channels', effect: 'alerts sent to a new destination' },
  { method: 'POST', route: '/v1/policies/sync', effect: 'a new active policy bundle for the developer' },
  {
    method: 'POST',
    route: '/v1/sso/connections',
    effect: 'a change of the developer’s SSO login (sso.connection events)',
  },
  {
    method: 'PATCH',
    route: '/v1/sso/connections/{}',
    effect: 'a change of the developer’s SSO login (sso.connection events)',
  },
  {
    method: 'DELETE',
    route: '/v1/sso/connections/{}',
    effect: 'a change of the developer’s SSO login (sso.connection events)',
  },
  { method: 'POST', route: '/v1/sso/connections/{}/test', effect: 'a call to the connection’s identity provider' },
  { method: 'POST', route: '/v1/sso/enforce', effect: 'SSO required for the developer’s whole organisation' },
  { method: 'DELETE', route: '/v1/sso/sessions/{}', effect: 'a signed-in user’s session ended' },
  { method: 'POST', route: '/v1/dpdp/consent-records', effect: 'a permanent consent record (personal data)' },
  {
    method: 'POST',
    route: '/v1/dpdp/consent-records/{}/withdraw',
    effect: 'an irreversible consent withdrawal, which may revoke the grant (grant.revoked)',
  },
  {
    method: 'POST',
    route: '/v1/dpdp/data-principals/*/erasure',
    effect: 'an irreversible erasure that revokes the principal’s grants (grant.revoked, dpdp events)',
  },
  { method: 'POST', route: '/v1/dpdp/consent-notices', effect: 'a permanent consent notice version' },
  { method: 'POST', route: '/v1/dpdp/grievances', effect: 'a grievance the developer must answer within 7 days' },
  { method: 'POST', route: '/v1/dpdp/exports', effect: 'an export of personal data' },
  { method: 'POST', route: '/v1/mcp/servers', effect: 'a public registry listing that the API cannot delete' },
  { method: 'POST', route: '/v1/mcp/certification/apply', effect: 'a certification application to review' },
];

/** The side effect of sending `method target`, if it has one. */
export function sideEffectOf(method: string, target: string): SideEffect | undefined {
  const route = routeOf(target);
  const verb = method.toUpperCase();
  return SIDE_EFFECTS.find((effect) => effect.method === verb && matches(effect.route, route));
}

function matches(pattern: string, route: string): boolean {
  if (!pattern.includes('*')) return pattern === route;
  const want = pattern.split('/');
  const have = route.split('/');
  return want.length === have.length && want.every((segment, i) => segment === '*' || segment === have[i]);
}
