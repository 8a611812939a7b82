/**
 * @module audit-hash
 * The audit entry hash, computed with the package's own helper
 * (src/audit-chain.ts), and the chain check of the evidence pack.
 */
import type { components } from '../../generated/schema.js';
import type { AuditRecord } from './store.js';

/** The entry's hash: SHA-256 over its canonical content and `prevHash`. */
export async function hashEntry(_entry: Omit<AuditRecord, 'hash'>): Promise<string> {
  throw new Error('PENDING: src/audit-chain.ts has not landed yet');
}

/** Re-verifies links and content of a chain, oldest first. */
export async function verifyChain(entries: readonly AuditRecord[]): Promise<components['schemas']['ChainIntegrity']> {
  let prev: string | null = null;
  for (const [i, entry] of entries.entries()) {
    if (i > 0 && entry.prevHash !== prev) return { valid: false, checkedEntries: i, firstBrokenAt: entry.entryId, reason: 'link' };
    const { hash, ...content } = entry;
    if ((await hashEntry(content)) !== hash) return { valid: false, checkedEntries: i, firstBrokenAt: entry.entryId, reason: 'content' };
    prev = hash;
  }
  return { valid: true, checkedEntries: entries.length, firstBrokenAt: null, reason: null };
}
