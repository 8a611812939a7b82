/**
 * @module policy
 * Policy evaluation for `POST /v1/authorize`: the highest-priority policy
 * whose conditions all hold decides; at equal priority a deny wins, then the
 * older policy.
 */
import type { Faults } from './faults.js';
import type { PolicyRecord } from './store.js';

/** What an authorization request is matched against. */
export interface PolicyInput {
  agentId: string;
  principalId: string;
  scopes: readonly string[];
  /** Current UTC time as `HH:MM`. */
  timeOfDay: string;
}

/** The policies in evaluation order. */
export function evaluationOrder(policies: Iterable<PolicyRecord>, faults?: Faults): PolicyRecord[] {
  const list = [...policies];
  const effectRank = (p: PolicyRecord): number => (p.effect === 'deny' ? 0 : 1);
  if (faults?.has('policy-allow-before-deny') === true) {
    // Broken on purpose: every allow policy is tried before any deny policy.
    return list.sort((a, b) => effectRank(b) - effectRank(a) || b.priority - a.priority);
  }
  return list.sort((a, b) => b.priority - a.priority || effectRank(a) - effectRank(b) || a.createdAt.localeCompare(b.createdAt));
}

function inWindow(now: string, start: string, end: string): boolean {
  return start <= end ? now >= start && now < end : now >= start || now < end;
}

/** Whether every condition of `policy` holds for `input`. */
export function matches(policy: PolicyRecord, input: PolicyInput): boolean {
  if (policy.agentId !== null && policy.agentId !== input.agentId) return false;
  if (policy.principalId !== null && policy.principalId !== input.principalId) return false;
  if (policy.scopes !== null) {
    const covered = new Set(policy.scopes);
    // An allow must cover every requested scope; a deny needs to share only one.
    const ok = policy.effect === 'deny' ? input.scopes.some((s) => covered.has(s)) : input.scopes.every((s) => covered.has(s));
    if (!ok) return false;
  }
  if (policy.timeOfDayStart !== null && policy.timeOfDayEnd !== null) {
    if (!inWindow(input.timeOfDay, policy.timeOfDayStart, policy.timeOfDayEnd)) return false;
  }
  return true;
}

/** The deciding effect, or undefined when no policy matches (consent as usual). */
export function decide(policies: Iterable<PolicyRecord>, input: PolicyInput, faults?: Faults): 'allow' | 'deny' | undefined {
  return evaluationOrder(policies, faults).find((p) => matches(p, input))?.effect;
}

/** `HH:MM` in UTC. */
export function utcTimeOfDay(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(11, 16);
}
