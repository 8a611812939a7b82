/**
 * @module audit-hash
 * Audit entry hashes and the evidence pack's chain check, computed with the
 * package's own helpers (src/integrity/audit-chain.ts).
 */
import type { components } from '../../../generated/schema.js';
import { computeAuditHash, verifyAuditChain } from '../../../src/integrity/audit-chain.js';
import type { AuditRecord } from './store.js';

/** The entry's hash: SHA-256 over its canonical content and `prevHash`. */
export function hashEntry(entry: Omit<AuditRecord, 'hash'>): Promise<string> {
  return computeAuditHash({ ...entry, hash: '' });
}

/** How far a chain has been verified: entries are append-only and never change once stored. */
interface Verified {
  count: number;
  lastHash: string | null;
}
const verifiedPrefix = new WeakMap<readonly AuditRecord[], Verified>();

/**
 * Verifies links and content of a developer's chain, oldest first. Only the
 * entries appended since the last call are hashed (the trail is append-only
 * and its records immutable), so a pack costs the new entries, never the
 * whole trail again; each hash awaits Web Crypto, so other requests are
 * served in between.
 */
export async function verifyChain(entries: readonly AuditRecord[]): Promise<components['schemas']['ChainIntegrity']> {
  const known = verifiedPrefix.get(entries) ?? { count: 0, lastHash: null };
  const start = Math.min(known.count, entries.length);
  const fresh = entries.slice(start).map((e) => ({ ...e }));
  const verdict = await verifyAuditChain(fresh, { previousHash: start === 0 ? null : known.lastHash });
  if (verdict.valid) {
    verifiedPrefix.set(entries, { count: entries.length, lastHash: entries.at(-1)?.hash ?? null });
    return { valid: true, checkedEntries: entries.length, firstBrokenAt: null, reason: null };
  }
  const brokenAt = start + verdict.brokenAt;
  return {
    valid: false,
    checkedEntries: brokenAt,
    firstBrokenAt: entries[brokenAt]?.entryId ?? null,
    reason: verdict.reason === 'broken_link' ? 'link' : 'content',
  };
}
