/**
 * Revocation-aware verification with a fixed clock: a webhook-fed revocation
 * holds from the next verification on, revocation state is never trusted
 * past maxRevocationAge (high-stakes scopes then go online), cascades are
 * followed through delegation links, and every failure is typed.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createGrantVerifier,
  createRevocationFeed,
  GrantexTokenError,
  MemoryRevocationStore,
  onlineCheck,
  signWebhookPayload,
  type RevocationStore,
} from '../../src/index.js';
import { at, claims, NOW, rsaKey, signRs256 } from './support/tokens.js';

const key = rsaKey('k1');
const jwks = { keys: [key.jwk] };
const SECRET = 'whsec_test_revocation';
const T = NOW * 1000;
const token = (overrides: Record<string, unknown> = {}) =>
  signRs256(key.privateKey, { alg: 'RS256', kid: 'k1' }, claims(overrides));
const code = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: unknown) => (error instanceof GrantexTokenError ? error.code : `untyped: ${String(error)}`),
  );

/** A delivery as the server sends it, signed at `when` (ms). */
async function delivery(type: string, data: Record<string, unknown>, when: number) {
  const payload = JSON.stringify({ id: `evt_${when}`, type, createdAt: new Date(when).toISOString(), data });
  return { payload, headers: await signWebhookPayload(payload, SECRET, { timestamp: new Date(when) }) };
}

function setup(options: { online?: (token: string) => Promise<boolean>; onStale?: 'offline' | 'refuse' } = {}) {
  let now = T;
  const store = new MemoryRevocationStore();
  const feed = createRevocationFeed({ store, secret: SECRET, clock: () => now });
  const onlineCalls: string[] = [];
  const verifier = createGrantVerifier({
    jwks,
    revocation: {
      store,
      clock: () => now,
      ...(options.onStale ? { onStale: options.onStale } : {}),
      ...(options.online
        ? {
            online: (t: string) => {
              onlineCalls.push(t);
              return options.online!(t);
            },
          }
        : {}),
    },
  });
  return {
    store,
    feed,
    onlineCalls,
    verify: (t: string) => code(verifier.verify(t, { currentDate: new Date(now) })),
    setNow: (ms: number) => {
      now = ms;
    },
  };
}

describe('webhook-fed revocation', () => {
  it('refuses a token from the first verification after the grant.revoked delivery', async () => {
    const { feed, verify } = setup();
    const t = token({ scp: ['calendar:read'] });
    const created = await delivery(
      'grant.created',
      { grantId: 'grnt_other', agentId: 'ag_1', principalId: 'u', scopes: [], expiresAt: '2027-01-01T00:00:00Z' },
      T,
    );
    await feed.deliver(created.payload, created.headers);
    expect(await verify(t)).toBe('ok');
    const revoked = await delivery('grant.revoked', { grantId: 'grnt_01TEST', cascade: false }, T);
    await feed.deliver(revoked.payload, revoked.headers);
    expect(await verify(t)).toBe('revoked');
  });

  it('records nothing from a delivery that does not verify', async () => {
    const { feed, verify, store } = setup();
    const revoked = await delivery('grant.revoked', { grantId: 'grnt_01TEST', cascade: false }, T);
    const forged = { ...revoked.headers, 'X-Grantex-Signature-V2': `sha256=${'0'.repeat(64)}` };
    await expect(feed.deliver(revoked.payload, forged)).rejects.toMatchObject({ code: 'bad_signature' });
    expect(store.lookup({ tokenId: 'tok_01TEST', grantId: 'grnt_01TEST' })).toEqual({
      revoked: false,
      syncedAt: undefined,
    });
    expect(await verify(token({ scp: ['calendar:read'] }))).toBe('ok');
  });

  it('follows a cascade down delegation links it saw in grant.created', async () => {
    const { feed, verify } = setup();
    for (const [grantId, parentGrantId] of [
      ['grnt_child1', 'grnt_root'],
      ['grnt_child2', 'grnt_child1'],
    ]) {
      const d = await delivery(
        'grant.created',
        {
          grantId,
          parentGrantId,
          agentId: 'ag',
          principalId: 'u',
          scopes: [],
          expiresAt: '2027-01-01T00:00:00Z',
          delegationDepth: 1,
        },
        T,
      );
      await feed.deliver(d.payload, d.headers);
    }
    const deep = token({
      grnt: 'grnt_child2',
      parentGrnt: 'grnt_child1',
      parentAgt: 'did:grantex:ag_p',
      delegationDepth: 2,
      scp: ['calendar:read'],
    });
    expect(await verify(deep)).toBe('ok');
    const revoked = await delivery('grant.revoked', { grantId: 'grnt_root', cascade: true }, T);
    await feed.deliver(revoked.payload, revoked.headers);
    expect(await verify(deep)).toBe('revoked');
  });
});

describe('maxRevocationAge', () => {
  const highStakes = () => token({ scp: ['payments:initiate:max_500'] });

  it('trusts state exactly up to 5 minutes after the last sync, then goes online for high-stakes scopes', async () => {
    const { store, verify, setNow, onlineCalls } = setup({ online: async () => true });
    store.markSynced(T);
    setNow(T + 300_000);
    expect(await verify(highStakes())).toBe('ok');
    expect(onlineCalls).toHaveLength(0);
    setNow(T + 300_001);
    expect(await verify(highStakes())).toBe('ok');
    expect(onlineCalls).toHaveLength(1);
  });

  it('refuses a high-stakes token the online check calls invalid, and remembers it', async () => {
    const { verify, onlineCalls } = setup({ online: async () => false });
    expect(await verify(highStakes())).toBe('revoked');
    expect(await verify(highStakes())).toBe('revoked');
    expect(onlineCalls).toHaveLength(1);
  });

  it('fails closed when stale state meets a high-stakes scope and no online answer', async () => {
    expect(await setup().verify(highStakes())).toBe('revocation_unavailable');
    const failing = setup({ online: () => Promise.reject(new GrantexTokenError('revocation_unavailable', 'down')) });
    expect(await failing.verify(highStakes())).toBe('revocation_unavailable');
  });

  it('reuses an online answer for at most maxRevocationAge', async () => {
    const { verify, setNow, onlineCalls } = setup({ online: async () => true });
    const t = highStakes();
    await verify(t);
    setNow(T + 300_000);
    await verify(t);
    expect(onlineCalls).toHaveLength(1);
    setNow(T + 300_001);
    await verify(t);
    expect(onlineCalls).toHaveLength(2);
  });

  it('accepts other scopes on stale state with onStale "offline", refuses them with "refuse"', async () => {
    const plain = token({ scp: ['calendar:read'] });
    expect(await setup().verify(plain)).toBe('ok');
    expect(await setup({ onStale: 'refuse' }).verify(plain)).toBe('revocation_unavailable');
  });

  it('does not trust a sync time in the future', async () => {
    const { store, verify } = setup({ onStale: 'refuse' });
    store.markSynced(T + 60_000);
    expect(await verify(token({ scp: ['calendar:read'] }))).toBe('revocation_unavailable');
  });

  it('refuses a maxRevocationAge over 5 minutes (SPEC §7.4)', () => {
    expect(() => createGrantVerifier({ jwks, revocation: { maxRevocationAge: 300_001 } })).toThrow(
      expect.objectContaining({ code: 'invalid_options' }),
    );
  });

  it('works with a store that answers with promises (serverless)', async () => {
    const memory = new MemoryRevocationStore();
    const remote: RevocationStore = {
      revokeGrant: async (id, when) => memory.revokeGrant(id, when),
      revokeToken: async (id, when) => memory.revokeToken(id, when),
      linkGrant: async (id, parent, when) => memory.linkGrant(id, parent, when),
      markSynced: async (when) => memory.markSynced(when),
      lookup: async (query) => memory.lookup(query),
    };
    const verifier = createGrantVerifier({ jwks, revocation: { store: remote, clock: () => T } });
    const t = token({ scp: ['calendar:read'] });
    await remote.markSynced(T);
    expect(await code(verifier.verify(t, { currentDate: at(NOW) }))).toBe('ok');
    await remote.revokeToken('tok_01TEST', T);
    expect(await code(verifier.verify(t, { currentDate: at(NOW) }))).toBe('revoked');
  });
});

describe('onlineCheck (POST /v1/tokens/verify)', () => {
  let reply: { status: number; body: string; delay?: number } = { status: 200, body: '{"valid":true}' };
  const seen: Array<{ auth: string | undefined; body: string }> = [];
  let base: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        seen.push({ auth: request.headers.authorization, body });
        setTimeout(() => {
          response.writeHead(reply.status, { 'content-type': 'application/json' });
          response.end(reply.body);
        }, reply.delay ?? 0);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    };
  });
  afterAll(() => close());

  it('sends the token with the API key and reads valid', async () => {
    const check = onlineCheck({ baseUrl: base, apiKey: 'gx_key', timeout: 500 });
    reply = { status: 200, body: '{"valid":true,"grantId":"grnt_1"}' };
    expect(await check('t.o.k')).toBe(true);
    expect(seen.at(-1)).toEqual({ auth: 'Bearer gx_key', body: '{"token":"t.o.k"}' });
    reply = { status: 200, body: '{"valid":false}' };
    expect(await check('t.o.k')).toBe(false);
  });

  it.each([
    ['a 500', { status: 500, body: '{}' }],
    ['a body without valid', { status: 200, body: '{"ok":true}' }],
    ['a body that is not JSON', { status: 200, body: '<html>' }],
    ['a body over 64 KiB', { status: 200, body: `{"valid":true,"pad":"${'x'.repeat(70_000)}"}` }],
    ['no answer within the timeout', { status: 200, body: '{"valid":true}', delay: 1_000 }],
  ])('rejects with revocation_unavailable on %s, never naming the token', async (_name, answer) => {
    reply = answer;
    const check = onlineCheck({ baseUrl: base, apiKey: 'gx_key', timeout: 300 });
    const error = await check('secret.token.value').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrantexTokenError);
    expect((error as GrantexTokenError).code).toBe('revocation_unavailable');
    expect(String((error as Error).message)).not.toContain('secret.token.value');
  });
});

describe('claims and keys', () => {
  it('refuses a delegation deeper than maxDelegationDepth (default 10, SPEC §9)', async () => {
    const delegated = (depth: number) =>
      token({ parentAgt: 'did:grantex:ag_p', parentGrnt: 'grnt_p', delegationDepth: depth, scp: ['calendar:read'] });
    const verifier = createGrantVerifier({ jwks });
    expect(await code(verifier.verify(delegated(10), { currentDate: at(NOW) }))).toBe('ok');
    expect(await code(verifier.verify(delegated(11), { currentDate: at(NOW) }))).toBe('delegation_too_deep');
    const strict = createGrantVerifier({ jwks, maxDelegationDepth: 3 });
    expect(await code(strict.verify(delegated(4), { currentDate: at(NOW) }))).toBe('delegation_too_deep');
    expect(() => createGrantVerifier({ jwks, maxDelegationDepth: 11 })).toThrow(GrantexTokenError);
  });
});
