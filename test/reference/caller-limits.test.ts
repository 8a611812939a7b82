// What callers can make the reference server keep is capped (limits.ts):
// developers (the one idle longest is forgotten, keys the host handed out
// never), per-developer records past the plan (402, the documented shape),
// the audit trail in bytes, SCIM records (400), history forgotten oldest
// first, budget transactions in entries and bytes, and rate-limit windows.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  forgetOldest,
  HISTORY_CAPS,
  MAX_AUDIT_TRAIL_BYTES,
  MAX_DEVELOPERS,
  REFERENCE_CAPS,
  SCIM_CAPS,
} from '../../conformance/reference/domain/limits.js';
import {
  budgetsOf,
  keepTransaction,
  type TransactionRecord,
} from '../../conformance/reference/domain/operations/budgets.js';
import { checkQuota, issueGrantToken, keepGrant } from '../../conformance/reference/domain/rules.js';
import { type DeveloperRecord, type GrantRecord, Store } from '../../conformance/reference/domain/store.js';
import type { ServerEnv } from '../../conformance/reference/context.js';
import { HttpError } from '../../conformance/reference/http/http-error.js';
import { auditHandlers } from '../../conformance/reference/routes/audit.js';
import { MAX_WINDOWS, RateLimiter } from '../../conformance/reference/http/rate-limit.js';
import { MAX_PENDING_DELIVERIES, WebhookDispatcher } from '../../conformance/reference/domain/webhook-dispatch.js';
import { Faults } from '../../conformance/reference/faults.js';
import { start } from './helpers.js';

const developer = (i: number): DeveloperRecord => ({
  id: `dev_${i}`,
  apiKey: `key_${i}`,
  name: 'n',
  email: `d${i}@example.test`,
  mode: 'sandbox',
  createdAt: '',
});

function grant(id: string, status: 'active' | 'revoked', parentGrantId: string | null = null): GrantRecord {
  return {
    id,
    developerId: 'dev_0',
    agentId: 'ag_1',
    principalId: 'p',
    scopes: ['a'],
    status,
    issuedAt: 0,
    expiresAt: 10_000_000,
    revokedAt: status === 'revoked' ? 1 : null,
    audience: null,
    parentGrantId,
    delegationDepth: parentGrantId === null ? 0 : 1,
    childIds: [],
  };
}

describe('reference server: the number of developers is capped', () => {
  it('forgets the developer idle longest, never a pinned one, and frees its key, email and SCIM token', () => {
    const store = new Store(() => 0);
    store.addDeveloper(developer(0));
    store.pin('dev_0');
    const idle = store.addDeveloper(developer(1));
    store.indexScimToken('scim_1', 'dev_1');
    idle.scimTokens.set('t1', { id: 't1', label: 'l', token: 'scim_1', createdAt: '', lastUsedAt: null });
    store.addDeveloper(developer(2));
    for (let i = 3; i < MAX_DEVELOPERS; i++) store.addDeveloper(developer(i));
    // dev_2 calls with its key: it is no longer the idle one after dev_1.
    expect(store.tenantByApiKey('key_2')?.developer.id).toBe('dev_2');
    store.addDeveloper(developer(MAX_DEVELOPERS));
    expect(store.tenant('dev_1')).toBeUndefined();
    expect(store.tenantByApiKey('key_1')).toBeUndefined();
    expect(store.tenantByScimToken('scim_1')).toBeUndefined();
    expect(store.emailTaken('d1@example.test')).toBe(false);
    expect(store.tenant('dev_0')).toBeDefined();
    expect(store.tenant('dev_2')).toBeDefined();
    // dev_3 acts with a grant token (app.ts marks it active): the next idle one is dev_4.
    store.touch('dev_3');
    store.addDeveloper(developer(MAX_DEVELOPERS + 1));
    expect(store.tenant('dev_3')).toBeDefined();
    expect(store.tenant('dev_4')).toBeUndefined();
    expect(store.tenant('dev_0')).toBeDefined();
    expect([...store.allTenants()].length).toBe(MAX_DEVELOPERS);
  });

  it('keeps the keys the host handed out through startReferenceServer().addDeveloper', async () => {
    const api = await start();
    const key = await api.server.addDeveloper('host', 'sandbox');
    expect((await api.get('/v1/agents', key)).status).toBe(200);
  });
});

describe('reference server: per-developer caps past the plan quota', () => {
  it('refuses with 402 PLAN_LIMIT_EXCEEDED at the reference cap when the plan has none', () => {
    const store = new Store(() => 0);
    const tenant = store.addDeveloper(developer(0));
    tenant.subscription.plan = 'enterprise';
    for (const quota of Object.keys(REFERENCE_CAPS) as (keyof typeof REFERENCE_CAPS)[]) {
      const cap = REFERENCE_CAPS[quota];
      expect(() => checkQuota(tenant, quota, cap - 1)).not.toThrow();
      let refused: unknown;
      try {
        checkQuota(tenant, quota, cap);
      } catch (error) {
        refused = error;
      }
      expect(refused).toBeInstanceOf(HttpError);
      expect((refused as HttpError).status).toBe(402);
      expect((refused as HttpError).code).toBe('PLAN_LIMIT_EXCEEDED');
      expect((refused as HttpError).message).toContain(`at most ${cap}`);
    }
    // The free plan's own quota still answers with the plan's words.
    tenant.subscription.plan = 'free';
    expect(() => checkQuota(tenant, 'webhooks', 30)).toThrow(/free plan allows 30/);
  });

  it('refuses an audit entry past the trail metadata cap with 402 PLAN_LIMIT_EXCEEDED', async () => {
    const store = new Store(() => 0);
    const tenant = store.addDeveloper(developer(0));
    const env = { store, now: () => 0, faults: { has: () => false } } as unknown as ServerEnv;
    const body = { agentId: 'ag_1', agentDid: 'did:grantex:ag_1', grantId: 'g', principalId: 'p', action: 'a' };
    const log = (metadata: Record<string, unknown>) =>
      auditHandlers.auditLog({ env, tenant, body: { ...body, metadata } } as never);
    expect((await log({ n: 1 })).status).toBe(201);
    // Canonical metadata plus the caller's strings (ag_1, did:grantex:ag_1, g, p, a: 23 bytes).
    const strings = 23;
    expect(tenant.auditBytes).toBe(Buffer.byteLength('{"n":1}') + strings);
    // As if 2,000 entries of 16 KB had been logged: one with {} still fits, one with {"pad":"x"} does not.
    tenant.auditBytes = MAX_AUDIT_TRAIL_BYTES - 2 - strings;
    expect((await log({})).status).toBe(201);
    await expect(log({ pad: 'x' })).rejects.toMatchObject({
      status: 402,
      code: 'PLAN_LIMIT_EXCEEDED',
      message: expect.stringContaining(`${MAX_AUDIT_TRAIL_BYTES} bytes of audit entries`),
    });
    expect(tenant.audit).toHaveLength(2);
  });

  it('refuses SCIM tokens past the cap with the documented 400, and takes one again after a revocation', async () => {
    const api = await start();
    const { key } = await api.developer();
    let last = '';
    for (let i = 0; i < SCIM_CAPS.tokens; i++) {
      const created = await api.post('/v1/scim/tokens', { label: `t${i}` }, key);
      expect(created.status).toBe(201);
      last = created.body.id;
    }
    const refused = await api.post('/v1/scim/tokens', { label: 'one more' }, key);
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain(`at most ${SCIM_CAPS.tokens} SCIM tokens`);
    expect((await api.call('DELETE', `/v1/scim/tokens/${last}`, { key })).status).toBe(204);
    expect((await api.post('/v1/scim/tokens', { label: 'again' }, key)).status).toBe(201);
  });
});

describe('reference server: history is forgotten oldest first', () => {
  it('forgetOldest keeps at most max, drops the preferred ones first, oldest first', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 60 }), fc.integer({ min: 0, max: 40 }), (flags, max) => {
        const map = new Map(flags.map((preferred, i) => [i, { i, preferred }] as const));
        const gone = forgetOldest(map, max, (record) => record.preferred);
        expect(map.size).toBe(Math.min(flags.length, max));
        expect(gone.length + map.size).toBe(flags.length);
        const preferred = flags.flatMap((p, i) => (p ? [i] : []));
        const others = flags.flatMap((p, i) => (p ? [] : [i]));
        const gonePreferred = gone.filter((r) => r.preferred).map((r) => r.i);
        const goneOthers = gone.filter((r) => !r.preferred).map((r) => r.i);
        // Preferred records go first, oldest first; others only once no preferred one is left.
        expect(gonePreferred).toEqual(preferred.slice(0, gonePreferred.length));
        expect(goneOthers).toEqual(others.slice(0, goneOthers.length));
        if (goneOthers.length > 0) expect(gonePreferred).toEqual(preferred);
      }),
    );
  });

  it('forgets revoked grants before active ones, and tokens past their cap (a forgotten token is unknown)', async () => {
    const store = new Store(() => 0);
    const tenant = store.addDeveloper(developer(0));
    for (let i = 0; i < HISTORY_CAPS.grants; i++)
      keepGrant(tenant, grant(`g${i}`, i % 2 === 0 ? 'revoked' : 'active'), 0);
    keepGrant(tenant, grant('newest', 'active'), 0);
    expect(tenant.grants.size).toBe(HISTORY_CAPS.grants);
    expect(tenant.grants.has('g0')).toBe(false);
    expect(tenant.grants.has('g1')).toBe(true);
    for (let i = 0; i <= HISTORY_CAPS.tokens; i++)
      tenant.tokens.set(`jti${i}`, { jti: `jti${i}`, grantId: 'g1', expiresAt: 1, revoked: false });
    // issueGrantToken applies the cap on the next issuance.
    const env = {
      now: () => 0,
      faults: { has: () => false },
      signer: { sign: async () => 'token' },
    } as unknown as Parameters<typeof issueGrantToken>[0];
    await issueGrantToken(env, tenant, tenant.grants.get('g1')!, undefined);
    expect(tenant.tokens.size).toBe(HISTORY_CAPS.tokens);
    expect(tenant.tokens.has('jti0')).toBe(false);
  });

  it('keeps budget transactions within the caps per grant and per developer, in entries and bytes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.string({ maxLength: 40 })), { maxLength: 120 }),
        fc.record({
          perGrant: fc.integer({ min: 1, max: 20 }),
          entries: fc.integer({ min: 1, max: 40 }),
          metadataBytes: fc.integer({ min: 10, max: 600 }),
        }),
        (steps, caps) => {
          const tenant = new Store(() => 0).addDeveloper(developer(0));
          const state = budgetsOf(tenant);
          steps.forEach(([g, note], i) => {
            const tx: TransactionRecord = {
              id: `tx${i}`,
              grantId: `g${g}`,
              allocationId: 'a',
              amount: 1,
              description: null,
              metadata: { note },
              createdAt: '',
            };
            keepTransaction(state, tx, caps);
            const lists = [...state.transactions.values()];
            const total = lists.reduce((n, list) => n + list.length, 0);
            expect(total).toBe(state.kept.size);
            expect(total).toBeLessThanOrEqual(caps.entries);
            expect(state.keptBytes).toBeLessThanOrEqual(caps.metadataBytes);
            for (const list of lists) expect(list.length).toBeLessThanOrEqual(caps.perGrant);
            // The newest stays unless it alone is over the byte cap.
            const fits = Buffer.byteLength(JSON.stringify(tx.metadata)) <= caps.metadataBytes;
            expect(state.transactions.get(tx.grantId)?.at(-1)?.id === tx.id).toBe(fits);
          });
        },
      ),
    );
  });

  it('keeps rate-limit windows bounded under a flood of client addresses', () => {
    const limiter = new RateLimiter({ signup: 5 }, () => 0);
    for (let i = 0; i <= MAX_WINDOWS; i++) limiter.hit('signup', `ip:127.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
    expect(limiter.size).toBeLessThanOrEqual(MAX_WINDOWS);
    // The newest address still counts: its window is live.
    const last = `ip:127.${MAX_WINDOWS >> 16}.${(MAX_WINDOWS >> 8) & 255}.${MAX_WINDOWS & 255}`;
    for (let i = 0; i < 4; i++) expect(limiter.hit('signup', last).allowed).toBe(true);
    expect(limiter.hit('signup', last).allowed).toBe(false);
  });
});

describe('reference server: webhook deliveries stay bounded', () => {
  it('fails new deliveries at once past the pending cap, and keeps pending ones listed so deleting the endpoint cancels them', async () => {
    const dispatcher = new WebhookDispatcher({ retryDelaysMs: [60_000] }, Date.now, new Faults());
    const tenant = new Store().addDeveloper(developer(0));
    // Nothing listens on port 9; every attempt is aborted when the dispatcher closes.
    tenant.webhooks.set('wh_1', {
      id: 'wh_1',
      url: 'http://127.0.0.1:9/hook',
      events: ['grant.created'],
      secret: 's',
      createdAt: '',
    });
    try {
      for (let i = 0; i <= MAX_PENDING_DELIVERIES; i++) dispatcher.emit(tenant, 'grant.created', {} as never);
      const last = tenant.deliveries.at(-1)!;
      expect(last.status).toBe('failed');
      expect(last.lastError).toContain(`${MAX_PENDING_DELIVERIES} deliveries are already pending`);
      expect(tenant.deliveries.filter((d) => d.status === 'pending')).toHaveLength(MAX_PENDING_DELIVERIES);
      // The next event makes room by forgetting the settled (failed) record, never a pending one.
      dispatcher.emit(tenant, 'grant.created', {} as never);
      expect(tenant.deliveries.length).toBe(HISTORY_CAPS.deliveries + 1);
      expect(tenant.deliveries.filter((d) => d.status === 'pending')).toHaveLength(MAX_PENDING_DELIVERIES);
    } finally {
      await dispatcher.close();
    }
  });
});
