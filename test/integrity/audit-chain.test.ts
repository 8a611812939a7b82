import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GrantexError } from '../../src/core/errors.js';
import {
  GrantexAuditError,
  computeAuditHash,
  verifyAuditChain,
  type AuditEntry,
} from '../../src/integrity/audit-chain.js';
import { readVector } from './support/tokens.js';

const vector = readVector<{ entries: AuditEntry[] }>('audit-chain.json').entries;
const clone = <T>(value: T): T => structuredClone(value);

/**
 * An independent oracle, written from PROTOCOL.md: canonical JSON by string
 * building (object rebuilding would put integer-like keys first), hashed by node:crypto.
 */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonical(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(record[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function oracleHash(entry: AuditEntry): string {
  const fields = [
    ['id', entry.entryId],
    ['agentId', entry.agentId],
    ['agentDid', entry.agentDid],
    ['grantId', entry.grantId],
    ['principalId', entry.principalId],
    ['developerId', entry.developerId],
    ['action', entry.action],
  ].map(([k, v]) => `"${k}":${JSON.stringify(v)}`);
  const text = `{${fields.join(',')},"metadata":${canonical(entry.metadata ?? {})},"timestamp":${JSON.stringify(entry.timestamp)},"prevHash":${JSON.stringify(entry.prevHash)},"status":${JSON.stringify(entry.status)}}`;
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

const text = fc.string({ maxLength: 12, unit: 'grapheme' });
const metadataArb = fc.dictionary(fc.string({ maxLength: 6, unit: 'binary' }), fc.jsonValue({ maxDepth: 3 }), {
  maxKeys: 5,
});

/** A valid chain of synthetic entries, built with the oracle. */
const chainArb = fc
  .array(
    fc.record({
      action: text,
      metadata: metadataArb,
      status: fc.constantFrom('success', 'failure', 'blocked') as fc.Arbitrary<AuditEntry['status']>,
      principalId: text,
    }),
    { minLength: 1, maxLength: 6 },
  )
  .map((specs) => {
    const chain: AuditEntry[] = [];
    let prevHash: string | null = null;
    for (const [i, spec] of specs.entries()) {
      const entry = {
        entryId: `alog_${i}`,
        agentId: 'ag_1',
        agentDid: 'did:grantex:ag_1',
        grantId: 'grnt_1',
        developerId: 'dev_1',
        timestamp: new Date(1_800_000_000_000 + i * 1000).toISOString(),
        prevHash,
        hash: '',
        ...spec,
      } as AuditEntry;
      entry.hash = oracleHash(entry);
      chain.push(entry);
      prevHash = entry.hash;
    }
    return chain;
  });

const chains = fc.oneof(fc.constant(vector), chainArb);
const HASHED_FIELDS = [
  'entryId',
  'agentId',
  'agentDid',
  'grantId',
  'principalId',
  'developerId',
  'action',
  'metadata',
  'timestamp',
  'status',
  'prevHash',
  'hash',
] as const;

describe('audit chain: the real chain', () => {
  it('recomputes every hash and verifies', async () => {
    for (const entry of vector) expect(await computeAuditHash(entry)).toBe(entry.hash);
    expect(await verifyAuditChain(vector)).toEqual({ valid: true });
    expect(await verifyAuditChain(vector, { lastHash: vector.at(-1)!.hash })).toEqual({ valid: true });
  });

  it('verifies a segment given the hash before it', async () => {
    expect(await verifyAuditChain(vector.slice(1), { previousHash: vector[0]!.hash })).toEqual({ valid: true });
    expect(await verifyAuditChain(vector.slice(1))).toEqual({ valid: false, brokenAt: 0, reason: 'broken_link' });
  });

  it('ignores metadata key order and undefined members, and hashes non-ASCII as UTF-8', async () => {
    const entry = clone(vector[0]!);
    entry.metadata = { z: 1, m: 'ü', a: { y: [1, 'x'], b: null, gone: undefined } };
    expect(await computeAuditHash(entry)).toBe(vector[0]!.hash);
    entry.metadata = { ...entry.metadata, m: 'u' };
    expect(await computeAuditHash(entry)).not.toBe(vector[0]!.hash);
  });

  it('sorts integer-like keys by code unit, not numerically, and hashes null metadata as {}', async () => {
    const entry = clone(vector[0]!);
    entry.metadata = { a: 3, '9': 2, '10': 1, '': 0, '0': { b: 1, B: 2 } };
    const expected = createHash('sha256')
      .update(
        `{"id":${JSON.stringify(entry.entryId)},"agentId":"${entry.agentId}","agentDid":"${entry.agentDid}","grantId":"${entry.grantId}","principalId":"${entry.principalId}","developerId":"${entry.developerId}","action":"${entry.action}",` +
          `"metadata":{"":0,"0":{"B":2,"b":1},"10":1,"9":2,"a":3},"timestamp":"${entry.timestamp}","prevHash":null,"status":"${entry.status}"}`,
      )
      .digest('hex');
    expect(await computeAuditHash(entry)).toBe(expected);
    entry.metadata = null as never;
    const empty = clone(entry);
    empty.metadata = {};
    expect(await computeAuditHash(entry)).toBe(await computeAuditHash(empty));
  });

  it('is an empty chain when given no entries, unless a last hash was expected', async () => {
    expect(await verifyAuditChain([])).toEqual({ valid: true });
    expect(await verifyAuditChain([], { lastHash: vector[0]!.hash })).toEqual({
      valid: false,
      brokenAt: 0,
      reason: 'unexpected_end',
    });
  });
});

describe('audit chain: tampering (fast-check)', () => {
  it('computeAuditHash agrees with an independent implementation', async () => {
    await fc.assert(
      fc.asyncProperty(chainArb, async (chain) => {
        for (const entry of chain) expect(await computeAuditHash(entry)).toBe(oracleHash(entry));
        expect(await verifyAuditChain(chain)).toEqual({ valid: true });
      }),
      { numRuns: 100 },
    );
  });

  it('detects a change to any field of any entry, at that entry', async () => {
    await fc.assert(
      fc.asyncProperty(
        chains,
        fc.nat(),
        fc.constantFrom(...HASHED_FIELDS),
        fc.oneof(text, metadataArb),
        async (chain, i, field, value) => {
          const index = i % chain.length;
          const tampered = clone(chain);
          const entry = tampered[index]! as Record<string, unknown>;
          const next =
            field === 'metadata'
              ? typeof value === 'string'
                ? { note: value }
                : value
              : typeof value === 'string'
                ? value
                : JSON.stringify(value);
          fc.pre(
            oracleHash({ ...entry, [field]: next } as AuditEntry) !== oracleHash(entry as AuditEntry) ||
              field === 'hash',
          );
          fc.pre(JSON.stringify(entry[field]) !== JSON.stringify(next));
          entry[field] = next;
          const verdict = await verifyAuditChain(tampered);
          expect(verdict.valid).toBe(false);
          expect(verdict).toMatchObject({ brokenAt: index });
          expect(['hash_mismatch', 'broken_link', 'developer_mismatch']).toContain(
            (verdict as { reason: string }).reason,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('detects a deep change inside metadata', async () => {
    const tampered = clone(vector);
    (tampered[1]!.metadata as { a: { y: unknown[] } }).a.y[1] = 'y';
    expect(await verifyAuditChain(tampered)).toEqual({ valid: false, brokenAt: 1, reason: 'hash_mismatch' });
  });

  it('detects any reordering', async () => {
    await fc.assert(
      fc.asyncProperty(
        chains.filter((c) => c.length >= 2),
        fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
        async (chain, keys) => {
          const order = chain.map((_, i) => i).sort((a, b) => keys[a]! - keys[b]! || a - b);
          fc.pre(order.some((value, i) => value !== i));
          expect((await verifyAuditChain(order.map((i) => chain[i]!))).valid).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('detects dropping any entry; dropping the newest needs the last hash', async () => {
    await fc.assert(
      fc.asyncProperty(
        chains.filter((c) => c.length >= 2),
        fc.nat(),
        async (chain, i) => {
          const index = i % chain.length;
          const dropped = chain.filter((_, j) => j !== index);
          const lastHash = chain.at(-1)!.hash;
          expect(await verifyAuditChain(dropped, { lastHash })).toMatchObject({ valid: false });
          if (index < chain.length - 1)
            expect(await verifyAuditChain(dropped)).toEqual({ valid: false, brokenAt: index, reason: 'broken_link' });
          else expect(await verifyAuditChain(dropped)).toEqual({ valid: true });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('detects a duplicated or inserted entry', async () => {
    expect(await verifyAuditChain([vector[0]!, vector[0]!, ...vector.slice(1)])).toEqual({
      valid: false,
      brokenAt: 1,
      reason: 'broken_link',
    });
    const foreign = { ...clone(vector[1]!), developerId: 'dev_other' };
    foreign.hash = oracleHash(foreign);
    expect(await verifyAuditChain([vector[0]!, foreign])).toEqual({
      valid: false,
      brokenAt: 1,
      reason: 'developer_mismatch',
    });
  });
});

describe('audit chain: malformed input', () => {
  it.each([
    ['a missing field', (e: Record<string, unknown>) => delete e.action],
    ['a numeric id', (e: Record<string, unknown>) => (e.entryId = 7)],
    ['a numeric prevHash', (e: Record<string, unknown>) => (e.prevHash = 0)],
    ['no hash', (e: Record<string, unknown>) => delete e.hash],
    ['BigInt metadata', (e: Record<string, unknown>) => (e.metadata = { n: 1n })],
    [
      'circular metadata',
      (e: Record<string, unknown>) => {
        const m: Record<string, unknown> = {};
        m.self = m;
        e.metadata = m;
      },
    ],
  ])('reports an entry with %s as malformed, and computeAuditHash throws a typed error', async (name, mutate) => {
    const chain = clone(vector).map((entry) => entry as unknown as Record<string, unknown>);
    mutate(chain[1]!);
    expect(await verifyAuditChain(chain as unknown as AuditEntry[])).toEqual({
      valid: false,
      brokenAt: 1,
      reason: 'malformed_entry',
    });
    if (name !== 'no hash') {
      const error = await computeAuditHash(chain[1] as unknown as AuditEntry).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GrantexAuditError);
      expect(error).toBeInstanceOf(GrantexError);
      expect((error as GrantexAuditError).code).toBe('malformed_entry');
    }
  });

  it('treats non-arrays and non-objects as malformed, never crashing', async () => {
    expect(await verifyAuditChain('nope' as never)).toEqual({ valid: false, brokenAt: 0, reason: 'malformed_entry' });
    expect(await verifyAuditChain([null, 1] as never)).toEqual({
      valid: false,
      brokenAt: 0,
      reason: 'malformed_entry',
    });
  });
});

describe('audit chain: filtered lists (audit.list({ agentId }))', () => {
  /** The chain with the entries whose bit in `mask` is 0 left out, and the indices of the kept list that follow a gap. */
  const keep = (chain: AuditEntry[], mask: number) => {
    const kept = chain.filter((_, i) => ((mask >> i) & 1) === 1);
    const positions = chain.map((_, i) => i).filter((i) => ((mask >> i) & 1) === 1);
    const gaps = positions.flatMap((position, k) => (position !== (k === 0 ? 0 : positions[k - 1]! + 1) ? [k] : []));
    return { kept, gaps };
  };

  it('verifies every subset of an untampered chain, naming where entries were left out', async () => {
    await fc.assert(
      fc.asyncProperty(chains, fc.nat(), async (chain, mask) => {
        const { kept, gaps } = keep(chain, mask);
        expect(await verifyAuditChain(kept, { filtered: true })).toEqual({ valid: true, unlinked: gaps });
        // Without the option the same list is judged as a whole chain: any gap is a broken link.
        if (gaps.length > 0) expect((await verifyAuditChain(kept)).valid).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('still recomputes each listed entry: a changed field is a hash mismatch', async () => {
    await fc.assert(
      fc.asyncProperty(chains, fc.nat(), fc.nat(), async (chain, mask, pick) => {
        const { kept } = keep(chain, mask | 1);
        const tampered = clone(kept);
        const index = pick % tampered.length;
        tampered[index]!.action = `${tampered[index]!.action}!`;
        expect(await verifyAuditChain(tampered, { filtered: true })).toEqual({
          valid: false,
          brokenAt: index,
          reason: 'hash_mismatch',
        });
      }),
      { numRuns: 200 },
    );
  });

  it('still detects reordering, across gaps too', async () => {
    await fc.assert(
      fc.asyncProperty(
        chainArb.filter((c) => c.length >= 2),
        fc.nat(),
        async (chain, mask) => {
          const { kept } = keep(chain, mask);
          fc.pre(kept.length >= 2);
          expect(await verifyAuditChain([...kept].reverse(), { filtered: true })).toMatchObject({
            valid: false,
            reason: 'broken_link',
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('checks previousHash, lastHash and the developer as for a whole chain', async () => {
    const { kept } = keep(vector, 0b101);
    expect(await verifyAuditChain(kept, { filtered: true, previousHash: 'f'.repeat(64) })).toEqual({
      valid: false,
      brokenAt: 0,
      reason: 'broken_link',
    });
    expect(await verifyAuditChain(kept, { filtered: true, lastHash: 'f'.repeat(64) })).toMatchObject({
      valid: false,
      reason: 'unexpected_end',
    });
    const foreign = { ...clone(vector[2]!), developerId: 'dev_other' };
    foreign.hash = oracleHash(foreign);
    expect(await verifyAuditChain([vector[0]!, foreign], { filtered: true })).toMatchObject({
      reason: 'developer_mismatch',
    });
  });
});
