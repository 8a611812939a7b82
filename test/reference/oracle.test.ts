// The test oracles reproduce the real captured vectors.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { oracleAuditHash, oracleWebhookSignatures } from './oracle.js';

const vectors = new URL('../vectors/', import.meta.url);

describe('test oracles', () => {
  it('recompute every hash of the real audit chain', () => {
    const { entries } = JSON.parse(readFileSync(new URL('audit-chain.json', vectors), 'utf8')) as {
      entries: Record<string, any>[];
    };
    expect(entries.length).toBeGreaterThan(1);
    for (const e of entries) expect(oracleAuditHash(e)).toBe(e.hash);
  });

  it('recompute both signatures of the real webhook deliveries', () => {
    const dir = new URL('webhooks/', vectors);
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const d = JSON.parse(readFileSync(new URL(f, dir), 'utf8'));
      const sig = oracleWebhookSignatures(d.secret, d.headers['x-grantex-timestamp'], d.body);
      expect(sig).toEqual({ legacy: d.headers['x-grantex-signature'], v2: d.headers['x-grantex-signature-v2'] });
    }
  });
});
