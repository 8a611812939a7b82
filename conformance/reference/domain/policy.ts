/**
 * @module policy
 * Policy evaluation for `POST /v1/authorize` as SPEC.md §11.4 orders it:
 * every matching deny policy is considered before any allow policy, so a
 * matching deny always wins; within one effect the highest priority, then the
 * oldest, comes first. Listings keep the priority order.
 */
import type { Faults } from '../faults.js';
import type { PolicyRecord } from './store.js';

/** What an authorization request is matched against. */
export interface PolicyInput {
  agentId: string;
  principalId: string;
  scopes: readonly string[];
  /** Current UTC time as `HH:MM`. */
  timeOfDay: string;
}

const effectRank = (p: PolicyRecord): number => (p.effect === 'deny' ? 0 : 1);
const byPriority = (a: PolicyRecord, b: PolicyRecord): number =>
  b.priority - a.priority || effectRank(a) - effectRank(b) || a.createdAt.localeCompare(b.createdAt);

/** The policies as listed: highest priority first, a deny before an allow of equal priority, then oldest first. */
export function listingOrder(policies: Iterable<PolicyRecord>): PolicyRecord[] {
  return [...policies].sort(byPriority);
}

/** The policies in the order `decide` tries them (SPEC.md §11.4: deny rules first). */
export function evaluationOrder(policies: Iterable<PolicyRecord>, faults?: Faults): PolicyRecord[] {
  const list = [...policies];
  if (faults?.has('policy-allow-before-deny') === true) {
    // Broken on purpose: every allow policy is tried before any deny policy.
    return list.sort((a, b) => effectRank(b) - effectRank(a) || b.priority - a.priority);
  }
  // Broken on purpose, as on the public server: priority decides, so a higher-priority allow beats a deny.
  if (faults?.has('policy-priority-first') === true) return list.sort(byPriority);
  return list.sort((a, b) => effectRank(a) - effectRank(b) || byPriority(a, b));
}

function inWindow(now: string, start: string, end: string): boolean {
  return start <= end ? now >= start && now < end : now >= start || now < end;
}

/** Whether every condition of `policy` holds for `input` (a condition-ignoring fault drops that condition). */
export function matches(policy: PolicyRecord, input: PolicyInput, faults?: Faults): boolean {
  if (faults?.has('policy-deny-ignored') === true && policy.effect === 'deny') return false;
  if (policy.agentId !== null && policy.agentId !== input.agentId && faults?.has('policy-ignores-agent') !== true)
    return false;
  // Broken on purpose: the principalId condition matches every principal.
  const principalIgnored = faults?.has('policy-condition-ignored') === true;
  if (policy.principalId !== null && policy.principalId !== input.principalId && !principalIgnored) return false;
  if (policy.scopes !== null && faults?.has('policy-ignores-scopes') !== true) {
    const covered = new Set(policy.scopes);
    // An allow must cover every requested scope; a deny needs to share only one.
    const ok =
      policy.effect === 'deny' ? input.scopes.some((s) => covered.has(s)) : input.scopes.every((s) => covered.has(s));
    if (!ok) return false;
  }
  if (
    policy.timeOfDayStart !== null &&
    policy.timeOfDayEnd !== null &&
    faults?.has('policy-ignores-time-window') !== true
  ) {
    if (!inWindow(input.timeOfDay, policy.timeOfDayStart, policy.timeOfDayEnd)) return false;
  }
  return true;
}

/** The deciding effect, or undefined when no policy matches (consent as usual). */
export function decide(
  policies: Iterable<PolicyRecord>,
  input: PolicyInput,
  faults?: Faults,
): 'allow' | 'deny' | undefined {
  return evaluationOrder(policies, faults).find((p) => matches(p, input, faults))?.effect;
}

/** `HH:MM` in UTC. */
export function utcTimeOfDay(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(11, 16);
}
