/**
 * @module routes/usage
 * Metered usage: token exchanges, authorizations and online verifications,
 * counted per developer and UTC day (the last 90 days are kept).
 */
import type { Handlers, OpId, ServerEnv } from '../context.js';
import { stateOf, type UsageDay } from '../domain/operations/state.js';
import type { Tenant } from '../domain/store.js';

const KEPT_DAYS = 90;
const COUNTED: Partial<Record<OpId, keyof UsageDay>> = {
  tokensExchange: 'tokenExchanges',
  authorize: 'authorizations',
  tokensVerify: 'verifications',
  grantsVerify: 'verifications',
};

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const empty = (): UsageDay => ({ tokenExchanges: 0, authorizations: 0, verifications: 0 });
const total = (u: UsageDay) => u.tokenExchanges + u.authorizations + u.verifications;

/** Counts a successful call of a metered operation. */
export function countUsage(env: ServerEnv, tenant: Tenant | undefined, operationId: string, status: number): void {
  const counter = COUNTED[operationId as OpId];
  if (counter === undefined || tenant === undefined || status >= 300) return;
  const usage = stateOf(tenant).usage;
  const today = day(env.now());
  const entry = usage.get(today) ?? empty();
  entry[counter]++;
  usage.set(today, entry);
  for (const key of usage.keys()) if (usage.size > KEPT_DAYS) usage.delete(key);
}

export const usageHandlers = {
  usageCurrent: ({ env, tenant }) => {
    const today = day(env.now());
    const u = stateOf(tenant).usage.get(today) ?? empty();
    return { status: 200, body: { developerId: tenant.developer.id, period: today, ...u, totalRequests: total(u) } };
  },

  usageHistory: ({ env, tenant, query }) => {
    const days = query.days ?? 30;
    const since = day(env.now() - days * 86_400_000);
    const entries = [...stateOf(tenant).usage.entries()]
      .filter(([date]) => date >= since)
      .sort(([a], [b]) => b.localeCompare(a))
      .map(([date, u]) => ({ date, ...u, totalRequests: total(u) }));
    return { status: 200, body: { developerId: tenant.developer.id, days, entries } };
  },
} satisfies Partial<Handlers>;
