/**
 * @module registry
 * The reference server's trust registry: organisations by DID, public to read.
 */
import type { Store } from '../store.js';

export interface OrgRecord {
  id: string;
  developerId: string;
  did: string;
  name: string;
  description: string | null;
  website: string | null;
  contact: { security: string | null; dpo: string | null };
  domain: string;
  verificationToken: string;
  trustLevel: 'basic' | 'verified';
  verifiedAt: number | null;
  badges: string[];
}

const states = new WeakMap<Store, Map<string, OrgRecord>>();

/** Every organisation by DID. */
export function orgs(store: Store): Map<string, OrgRecord> {
  let s = states.get(store);
  if (s === undefined) {
    s = new Map();
    states.set(store, s);
  }
  return s;
}
