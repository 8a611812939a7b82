/**
 * @module audit-chain
 * Recomputes and checks the hash chain of a developer's audit trail: each
 * entry's `hash` is SHA-256 over its fields (with canonical `metadata`), and
 * its `prevHash` is the previous entry's `hash`, so no entry can be changed,
 * reordered or removed from inside the chain without it showing.
 */
import { GrantexError } from '../core/errors.js';
import { toHex, utf8 } from '../internal/bytes.js';

/** One audit entry, as `GET /v1/audit/entries` returns it. */
import type { AuditEntry } from '../../generated/models.js';
export type { AuditEntry };

/** Thrown by {@link computeAuditHash} for an entry that lacks a hashed field or holds a value JSON cannot encode. */
export class GrantexAuditError extends GrantexError {
  override name = 'GrantexAuditError';
  /** Always `'malformed_entry'`; branch on this, not on the message. */
  readonly code = 'malformed_entry' as const;
}

/**
 * Where a chain broke. Stable: callers branch on these values.
 *
 * - `malformed_entry`: not an entry (a hashed field is missing or has the wrong type).
 * - `developer_mismatch`: an entry of another developer (each developer has one chain).
 * - `broken_link`: `prevHash` is not the previous entry's `hash` (or, for the
 *   first entry, not `previousHash`): an entry was removed, inserted or moved.
 * - `hash_mismatch`: `hash` does not recompute: the entry was changed.
 * - `unexpected_end`: the last hash is not `lastHash`: entries were cut from the end.
 */
export type AuditChainBreak =
  | 'malformed_entry'
  | 'developer_mismatch'
  | 'broken_link'
  | 'hash_mismatch'
  | 'unexpected_end';

/**
 * The verdict of {@link verifyAuditChain}. With `filtered: true`, a valid
 * result also lists in `unlinked` the indices whose link to the entry before
 * them could not be checked, because the list leaves out the entries between
 * (index 0: the first entry's link to what came before the list). Each such
 * index starts a run of entries that are linked among themselves.
 */
export type AuditChainResult =
  | { valid: true; unlinked?: number[] }
  | { valid: false; brokenAt: number; reason: AuditChainBreak };

/** Options of {@link verifyAuditChain}. */
export interface VerifyAuditChainOptions {
  /**
   * The `prevHash` the first entry must carry. Default `null`: the entries
   * start at the developer's first entry. For a later segment, give the hash
   * of the entry just before it.
   */
  previousHash?: string | null;
  /**
   * The `hash` the last entry must carry, e.g. one saved earlier. Removing
   * entries from the end of a chain leaves a valid shorter chain; only a
   * known last hash reveals it. Default: not checked.
   */
  lastHash?: string;
  /**
   * `true` when the entries are a filtered list (`audit.list({ agentId })`…):
   * the developer's chain with entries left out. Every entry's own hash is
   * still recomputed and entries must still be in chain order (a `prevHash`
   * naming another listed entry, or a timestamp going back, is a
   * `broken_link`), but an entry
   * whose `prevHash` is not the hash of the one listed before it is reported
   * in `unlinked` instead of as a `broken_link`, since what lies between was
   * filtered out. Removals can then only be seen through a full list.
   * Default `false`: the entries are the whole chain (or a segment of it), and
   * every link is checked.
   */
  filtered?: boolean;
}

const STRING_FIELDS = [
  'entryId',
  'agentId',
  'agentDid',
  'grantId',
  'principalId',
  'developerId',
  'action',
  'timestamp',
  'status',
] as const;

/**
 * The hash an audit entry must carry (PROTOCOL "Audit trail"): lowercase hex
 * SHA-256 of the UTF-8 text
 * `{"id":…,"agentId":…,"agentDid":…,"grantId":…,"principalId":…,"developerId":…,"action":…,"metadata":…,"timestamp":…,"prevHash":…,"status":…}`,
 * every value JSON-encoded, no spaces, and `metadata` canonical (object keys
 * sorted by UTF-16 code unit at every depth, `undefined` members dropped;
 * absent or `null` metadata counts as `{}`, as the server hashes it).
 *
 * @throws {GrantexAuditError} when a hashed field is missing or has the wrong type.
 * @example
 * ```ts
 * const ok = (await computeAuditHash(entry)) === entry.hash;
 * ```
 */
export async function computeAuditHash(entry: AuditEntry): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', utf8(hashInput(entry)));
  return toHex(new Uint8Array(digest));
}

/**
 * Verifies a developer's audit chain given oldest first (the order
 * `GET /v1/audit/entries` lists it in): every entry of the same developer,
 * linked to the one before, with a hash that recomputes. Stops at the first
 * break. An empty list is a valid chain. For a filtered list, pass
 * `{ filtered: true }` (see {@link VerifyAuditChainOptions.filtered}).
 *
 * @example
 * ```ts
 * const verdict = await verifyAuditChain(entries);
 * if (!verdict.valid) console.error(`chain broken at ${verdict.brokenAt}: ${verdict.reason}`);
 * const { entries: mine } = await client.audit.list({ agentId });
 * const ofOneAgent = await verifyAuditChain(mine, { filtered: true }); // ofOneAgent.unlinked: where entries were left out
 * ```
 */
export async function verifyAuditChain(
  entries: readonly AuditEntry[],
  options: VerifyAuditChainOptions = {},
): Promise<AuditChainResult> {
  if (!Array.isArray(entries)) return broken(0, 'malformed_entry');
  const filtered = options.filtered === true;
  // In a filtered list, the position of each listed hash: a prevHash naming a listed entry other than
  // the one just before is a reordering, whatever the filter left out.
  const listedAt = filtered ? new Map<unknown, number>(entries.map((entry, index) => [entry?.hash, index])) : undefined;
  const unlinked: number[] = [];
  let expectedPrev = options.previousHash ?? null;
  for (const [index, entry] of entries.entries()) {
    let input: string;
    try {
      input = hashInput(entry);
    } catch {
      return broken(index, 'malformed_entry');
    }
    if (typeof entry.hash !== 'string') return broken(index, 'malformed_entry');
    if (index > 0 && entry.developerId !== entries[0]!.developerId) return broken(index, 'developer_mismatch');
    if (entry.prevHash !== expectedPrev) {
      const strictHere = !filtered || (index === 0 && options.previousHash !== undefined);
      const pointsElsewhere = entry.prevHash !== null && listedAt?.get(entry.prevHash) !== undefined;
      // Across a gap only the order can be checked: a chain's timestamps never go back.
      const backwards = index > 0 && Date.parse(entry.timestamp) < Date.parse(entries[index - 1]!.timestamp);
      if (strictHere || pointsElsewhere || backwards || (entry.prevHash === null && index > 0))
        return broken(index, 'broken_link');
      unlinked.push(index);
    }
    const digest = toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(input))));
    if (digest !== entry.hash) return broken(index, 'hash_mismatch');
    expectedPrev = entry.hash;
  }
  if (options.lastHash !== undefined && expectedPrev !== options.lastHash)
    return broken(entries.length, 'unexpected_end');
  return filtered ? { valid: true, unlinked } : { valid: true };
}

function hashInput(entry: AuditEntry): string {
  if (typeof entry !== 'object' || entry === null) throw new GrantexAuditError('an audit entry must be an object');
  for (const field of STRING_FIELDS) {
    if (typeof entry[field] !== 'string') throw new GrantexAuditError(`audit entry "${field}" must be a string`);
  }
  if (entry.prevHash !== null && typeof entry.prevHash !== 'string')
    throw new GrantexAuditError('audit entry "prevHash" must be a string or null');
  const json = JSON.stringify;
  return (
    `{"id":${json(entry.entryId)},"agentId":${json(entry.agentId)},"agentDid":${json(entry.agentDid)},` +
    `"grantId":${json(entry.grantId)},"principalId":${json(entry.principalId)},"developerId":${json(entry.developerId)},` +
    `"action":${json(entry.action)},"metadata":${canonicalJson(entry.metadata ?? {}, new Set())},"timestamp":${json(entry.timestamp)},` +
    `"prevHash":${json(entry.prevHash)},"status":${json(entry.status)}}`
  );
}

/** JSON with object keys sorted by UTF-16 code unit at every depth; otherwise what `JSON.stringify` writes. */
function canonicalJson(value: unknown, ancestors: Set<object>): string {
  if (typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON(): unknown }).toJSON();
  }
  if (typeof value === 'bigint') throw new GrantexAuditError('audit metadata cannot hold a BigInt');
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  if (ancestors.has(value)) throw new GrantexAuditError('audit metadata is circular');
  ancestors.add(value);
  let text: string;
  if (Array.isArray(value)) {
    text = `[${value.map((item) => (item === undefined || typeof item === 'function' || typeof item === 'symbol' ? 'null' : canonicalJson(item, ancestors))).join(',')}]`;
  } else {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .sort()
      .filter(
        (key) => record[key] !== undefined && typeof record[key] !== 'function' && typeof record[key] !== 'symbol',
      )
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key], ancestors)}`);
    text = `{${members.join(',')}}`;
  }
  ancestors.delete(value);
  return text;
}

function broken(brokenAt: number, reason: AuditChainBreak): AuditChainResult {
  return { valid: false, brokenAt, reason };
}
