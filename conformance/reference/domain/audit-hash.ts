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

/** Re-verifies links and content of a developer's chain, oldest first. */
export async function verifyChain(entries: readonly AuditRecord[]): Promise<components['schemas']['ChainIntegrity']> {
  const verdict = await verifyAuditChain(entries.map((e) => ({ ...e })));
  if (verdict.valid) return { valid: true, checkedEntries: entries.length, firstBrokenAt: null, reason: null };
  return {
    valid: false,
    checkedEntries: verdict.brokenAt,
    firstBrokenAt: entries[verdict.brokenAt]?.entryId ?? null,
    reason: verdict.reason === 'broken_link' ? 'link' : 'content',
  };
}
