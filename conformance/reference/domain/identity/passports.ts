/**
 * @module passports
 * The reference server's MPP Agent Passports (SPEC.md §15), per developer.
 */
import type { components } from '../../../../generated/schema.js';
import type { Store } from '../store.js';

type Credential = components['schemas']['AgentPassportCredential'];

export interface PassportRecord {
  id: string;
  developerId: string;
  agentId: string;
  grantId: string;
  credential: Credential;
  statusListIdx: number;
  status: 'active' | 'revoked';
  expiresAt: number;
  createdAt: number;
  revokedAt: number | null;
}

/** The longest passport lifetime, SPEC.md §15 (720 hours). */
export const MAX_PASSPORT_HOURS = 720;

/** MPP categories and the grant scope each needs. */
export const MPP_SCOPE_PREFIX = 'payments:mpp:';

const states = new WeakMap<Store, Map<string, PassportRecord>>();

/** Every passport of the server by id. */
export function passports(store: Store): Map<string, PassportRecord> {
  let s = states.get(store);
  if (s === undefined) {
    s = new Map();
    states.set(store, s);
  }
  return s;
}
