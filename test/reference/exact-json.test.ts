// Exact JSON: every JSON value the server stores and echoes comes back with
// every key (`__proto__`, `constructor` and the like included), and the audit
// hash covers exactly the stored value, as the package's verifyAuditChain sees it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeAuditHash, verifyAuditChain, type AuditEntry } from '../../src/integrity/audit-chain.js';
import { canonicalClone, exactClone, parseExactJson } from '../../conformance/reference/http/exact-json.js';
import { start, type Api } from './helpers.js';

// Keys that assignment onto `{}` mishandles, mixed with any string.
const trickyKey = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    'toJSON',
    'valueOf',
    '__defineGetter__',
  ),
  fc.string({ unit: 'binary', maxLength: 8 }),
);
const { tricky } = fc.letrec((tie) => ({
  tricky: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue({ maxDepth: 2 }),
    fc.array(tie('tricky'), { maxLength: 4 }),
    fc.dictionary(trickyKey, tie('tricky'), { maxKeys: 5 }),
  ),
}));
const trickyObject = fc.dictionary(trickyKey, tricky, { maxKeys: 6 });
const anyObject = fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue(), { maxKeys: 6 });

/** JSON text with object keys sorted at every depth: equal texts, equal JSON values. */
function sortedText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedText).join(',')}]`;
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${sortedText(Object.getOwnPropertyDescriptor(record, k)?.value)}`).join(',')}}`;
}

async function context(api: Api) {
  const { key } = await api.developer();
  const agent = await api.post('/v1/agents', { name: 'a' }, key);
  return { key, agentId: agent.body.agentId as string, agentDid: agent.body.did as string };
}

describe('exact JSON: helpers', () => {
  it('parseExactJson keeps every key as an own member of a null-prototype object', () => {
    fc.assert(
      fc.property(trickyObject, (value) => {
        const text = JSON.stringify(value);
        const parsed = parseExactJson(text) as Record<string, unknown>;
        expect(Object.getPrototypeOf(parsed)).toBe(null);
        expect(sortedText(parsed)).toBe(sortedText(JSON.parse(text)));
        expect(JSON.stringify(exactClone(parsed))).toBe(JSON.stringify(parsed));
        expect(sortedText(canonicalClone(parsed))).toBe(sortedText(parsed));
      }),
    );
  });

  it('a __proto__ key is data, not a prototype', () => {
    const parsed = parseExactJson('{"__proto__":{"polluted":true},"keep":"me"}') as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['__proto__', 'keep']);
    expect(JSON.stringify(canonicalClone(parsed))).toBe('{"__proto__":{"polluted":true},"keep":"me"}');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('exact JSON: round trips through the reference server', () => {
  it('audit metadata: every key comes back, and the hash covers what is stored', async () => {
    const api = await start();
    const { key, agentId, agentDid } = await context(api);
    const entries: AuditEntry[] = [];
    await fc.assert(
      fc.asyncProperty(fc.oneof(trickyObject, anyObject), async (metadata) => {
        const sentText = JSON.stringify({
          agentId,
          agentDid,
          grantId: 'grnt_1',
          principalId: 'p',
          action: 'a.b',
          metadata,
        });
        const logged = await api.post('/v1/audit/log', sentText, key);
        expect(logged.status).toBe(201);
        const expected = sortedText((JSON.parse(sentText) as { metadata: unknown }).metadata);
        expect(sortedText(logged.body.metadata)).toBe(expected);
        const fetched = await api.get(`/v1/audit/${logged.body.entryId}`, key);
        expect(sortedText(fetched.body.metadata)).toBe(expected);
        expect(await computeAuditHash(fetched.body)).toBe(fetched.body.hash);
        entries.push(fetched.body);
      }),
      { numRuns: 60 },
    );
    const listed = await api.get('/v1/audit/entries', key);
    expect(listed.body.entries.map((e: AuditEntry) => sortedText(e))).toEqual(entries.map((e) => sortedText(e)));
    expect(await verifyAuditChain(listed.body.entries)).toEqual({ valid: true });
  });

  it('the issue 15 reproduction: {"__proto__":{"x":1},"keep":"me"} is stored as sent', async () => {
    const api = await start();
    const { key, agentId, agentDid } = await context(api);
    const sent = `{"agentId":"${agentId}","agentDid":"${agentDid}","grantId":"g","principalId":"p","action":"a","metadata":{"__proto__":{"x":1},"keep":"me"}}`;
    const logged = await api.post('/v1/audit/log', sent, key);
    expect(logged.text).toContain('"metadata":{"__proto__":{"x":1},"keep":"me"}');
    const listed = await api.get('/v1/audit/entries', key);
    expect(listed.text).toContain('"metadata":{"__proto__":{"x":1},"keep":"me"}');
    expect(await verifyAuditChain(listed.body.entries)).toEqual({ valid: true });
  });

  it('agents, policies and webhooks: string fields come back exactly, whatever they hold', async () => {
    const api = await start();
    const { key } = await context(api);
    const text = fc.oneof(
      fc.constantFrom('__proto__', 'constructor', 'toString'),
      fc.string({ unit: 'binary', maxLength: 20 }),
    );
    const nonBlank = text.filter((s) => /\S/u.test(s));
    await fc.assert(
      fc.asyncProperty(nonBlank, text, nonBlank, text, async (name, description, policyName, principalId) => {
        const agent = await api.post('/v1/agents', { name, description }, key);
        expect(agent.status).toBe(201);
        const got = await api.get(`/v1/agents/${agent.body.agentId}`, key);
        expect([got.body.name, got.body.description]).toEqual([name, description]);
        const policy = await api.post(
          '/v1/policies',
          { name: policyName, effect: 'deny', principalId: principalId || 'p' },
          key,
        );
        expect(policy.status).toBe(201);
        const gotPolicy = await api.get(`/v1/policies/${policy.body.id}`, key);
        expect([gotPolicy.body.name, gotPolicy.body.principalId]).toEqual([policyName, principalId || 'p']);
        await api.delete(`/v1/agents/${agent.body.agentId}`, key);
        await api.delete(`/v1/policies/${policy.body.id}`, key);
      }),
      { numRuns: 40 },
    );
    await fc.assert(
      fc.asyncProperty(fc.webPath(), fc.webQueryParameters(), async (path, query) => {
        const url = `http://127.0.0.1:9${path.startsWith('/') ? path : `/${path}`}?${query}`;
        const made = await api.post('/v1/webhooks', { url, events: ['grant.created'] }, key);
        expect(made.status).toBe(201);
        const listed = await api.get('/v1/webhooks', key);
        expect(listed.body.webhooks.find((w: { id: string }) => w.id === made.body.id)?.url).toBe(made.body.url);
        await api.delete(`/v1/webhooks/${made.body.id}`, key);
      }),
      { numRuns: 20 },
    );
  });

  it('unknown members of a request body, __proto__ and constructor included, are ignored: stored nowhere, no prototype touched', async () => {
    // The spec lets a request body carry members it does not list (the public server ignores them).
    const api = await start();
    const { key } = await context(api);
    for (const extra of ['__proto__', 'constructor', 'isAdmin']) {
      const res = await api.post('/v1/agents', `{"name":"a","${extra}":{"x":1}}`, key);
      expect(res.status).toBe(201);
      expect(Object.keys(res.body as object)).not.toContain(extra);
      expect(Object.getPrototypeOf(res.body)).toBe(Object.prototype);
      const read = await api.get(`/v1/agents/${(res.body as { agentId: string }).agentId}`, key);
      expect(read.status).toBe(200);
      expect(Object.hasOwn(read.body as object, extra)).toBe(false);
      expect((read.body as { x?: unknown }).x).toBeUndefined();
    }
    expect(({} as { x?: unknown }).x).toBeUndefined();
  });
});
