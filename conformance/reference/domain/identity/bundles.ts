/**
 * @module bundles
 * The reference server's consent bundles and their synced offline audit entries.
 */
import type { components } from '../../../../generated/schema.js';
import type { Store } from '../store.js';

type OfflineAuditEntry = components['schemas']['OfflineAuditEntry'];

export interface BundleRecord {
  id: string;
  developerId: string;
  agentId: string;
  grantId: string;
  userId: string;
  scopes: string[];
  status: 'active' | 'revoked';
  deviceId: string | null;
  devicePlatform: string | null;
  offlineTTL: string;
  offlineExpiresAt: number;
  checkpointAt: number;
  /** The audit public key (SPKI), checking the device's signatures. */
  auditKey: CryptoKey;
  entries: OfflineAuditEntry[];
  lastSyncAt: number | null;
  createdAt: number;
  revokedAt: number | null;
  revokedBy: string | null;
  grantRevoked: boolean;
}

const states = new WeakMap<Store, Map<string, BundleRecord>>();

/** Every bundle by id. */
export function bundles(store: Store): Map<string, BundleRecord> {
  let s = states.get(store);
  if (s === undefined) {
    s = new Map();
    states.set(store, s);
  }
  return s;
}
