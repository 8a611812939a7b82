// The reference server against hostile callers (issue 20): SSO sends codes only
// to the configured redirect URI, reads providers bounded, keeps pending logins
// in a bounded map; audit metadata has a size limit; the evidence pack verifies
// only what is new; a deleted webhook gets nothing more; bodies are read as
// sent (invalid UTF-8: 400, Content-Encoding: 415).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { BoundedMap, estimateBytes } from '../../conformance/reference/domain/bounded-map.js';
import { SSO_LOGIN_BOUNDS, Store } from '../../conformance/reference/domain/store.js';
import { MAX_AUDIT_METADATA_BYTES } from '../../conformance/reference/routes/audit.js';
import { MAX_DISCOVERY_BYTES } from '../../conformance/reference/routes/sso.js';
import { start, type Api } from './helpers.js';

const servers = new Set<Server>();
afterEach(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  servers.clear();
});

/** A plain HTTP server on 127.0.0.1 for the test; closed after it. */
async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.add(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function ssoOrg(api: Api, issuerUrl = `${api.url}/_test-idp`) {
  const { key, id } = await api.developer();
  const redirectUri = 'http://127.0.0.1:9/app/callback';
  const config = await api.post(
    '/v1/sso/config',
    { issuerUrl, clientId: 'grantex-app', clientSecret: 's3cret', redirectUri },
    key,
  );
  expect(config.status).toBe(201);
  return { key, id, redirectUri };
}

describe('reference server: SSO against hostile callers and providers', () => {
  it('refuses a redirect_uri other than the configured one, so no code goes elsewhere', async () => {
    const api = await start();
    const { id, redirectUri } = await ssoOrg(api);
    const elsewhere = await api.get(
      `/sso/login?org=${id}&redirect_uri=${encodeURIComponent('https://elsewhere.test/cb')}`,
    );
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.message).toMatch(/redirect_uri must equal/);
    const same = await api.get(`/sso/login?org=${id}&redirect_uri=${encodeURIComponent(redirectUri)}`);
    expect(same.status).toBe(200);
    expect(new URL(same.body.authorizeUrl).searchParams.get('redirect_uri')).toBe(redirectUri);
    const omitted = await api.get(`/sso/login?org=${id}`);
    expect(new URL(omitted.body.authorizeUrl).searchParams.get('redirect_uri')).toBe(redirectUri);
  });

  it('reads discovery without following redirects and stops at the size limit', async () => {
    let redirectedTo = 0;
    const target = await serve((_req, res) => {
      redirectedTo++;
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end('{"authorization_endpoint":"https://evil.test/a"}');
    });
    let sent = 0;
    let hugeReads = 0;
    const provider = await serve((req, res) => {
      if (req.url?.startsWith('/redirect/')) {
        res.writeHead(302, { location: `${target}/.well-known/openid-configuration` }).end();
        return;
      }
      // A discovery document far over the limit, streamed until the reader hangs up.
      hugeReads++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"authorization_endpoint":"https://idp.test/authorize","pad":"');
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const more = (): void => {
        while (sent < 64 * 1024 * 1024 && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end('"}');
      };
      more();
    });
    const api = await start();
    const redirected = await ssoOrg(api, `${provider}/redirect`);
    const login = await api.get(`/sso/login?org=${redirected.id}`);
    expect(login.status).toBe(200);
    expect(redirectedTo).toBe(0);
    expect(new URL(login.body.authorizeUrl).origin).toBe(provider);
    const huge = await ssoOrg(api, `${provider}/huge`);
    const hugeLogin = await api.get(`/sso/login?org=${huge.id}`);
    expect(hugeLogin.status).toBe(200);
    // The oversized document was dropped: the fallback endpoint is used, not the one it named.
    expect(new URL(hugeLogin.body.authorizeUrl).pathname).toBe('/huge/authorize');
    expect(sent).toBeLessThan(MAX_DISCOVERY_BYTES + 16 * 1024 * 1024);
    // Remembered as unreadable: the next logins use the fallback without reading the provider again.
    for (let i = 0; i < 3; i++) expect((await api.get(`/sso/login?org=${huge.id}`)).status).toBe(200);
    expect(hugeReads).toBe(1);
  });

  it('keeps pending logins in a map bounded by age, entries and bytes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 200, max: 5_000 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 1_000 }), fc.string({ maxLength: 200 })), { maxLength: 200 }),
        (maxEntries, maxBytes, steps) => {
          let now = 0;
          const map = new BoundedMap<number, string>({ ttlMs: 500, maxEntries, maxBytes }, () => now);
          steps.forEach(([advance, value], key) => {
            now += advance;
            map.set(key, value);
            expect(map.size).toBeLessThanOrEqual(maxEntries);
            expect(map.bytes).toBeLessThanOrEqual(maxBytes);
            // The newest record stays unless it alone is over the byte cap.
            expect(map.get(key)).toBe(estimateBytes(value) <= maxBytes ? value : undefined);
          });
          now += 501;
          for (let key = 0; key < steps.length; key++) expect(map.get(key)).toBeUndefined();
        },
      ),
    );
    const store = new Store(() => 0);
    for (let i = 0; i <= SSO_LOGIN_BOUNDS.maxEntries; i++) {
      store.ssoLogins.set(`s${i}`, {
        state: `s${i}`,
        nonce: 'n',
        developerId: 'd',
        codeVerifier: 'v',
        redirectUri: 'r',
        expiresAt: 1,
        used: false,
      });
    }
    expect(store.ssoLogins.size).toBe(SSO_LOGIN_BOUNDS.maxEntries);
    expect(store.ssoLogins.get('s0')).toBeUndefined();
  });
});

describe('reference server: audit metadata limit and the evidence pack', () => {
  it('accepts metadata up to the limit and refuses one byte more with 400', async () => {
    const api = await start();
    const { key } = await api.developer();
    const entry = (pad: string) => ({
      agentId: 'ag_1',
      agentDid: 'did:grantex:ag_1',
      grantId: 'grnt_1',
      principalId: 'p',
      action: 'probe',
      metadata: { pad },
    });
    // {"pad":"…"} is 10 bytes of JSON around the padding.
    const fits = await api.post('/v1/audit/log', entry('x'.repeat(MAX_AUDIT_METADATA_BYTES - 10)), key);
    expect(fits.status).toBe(201);
    const over = await api.post('/v1/audit/log', entry('x'.repeat(MAX_AUDIT_METADATA_BYTES - 9)), key);
    expect(over.status).toBe(400);
    expect(over.body.message).toMatch(/metadata is larger than 16384 bytes/);
    // Multi-byte characters count as their UTF-8 bytes.
    const wide = await api.post('/v1/audit/log', entry('é'.repeat((MAX_AUDIT_METADATA_BYTES - 10) / 2 + 1)), key);
    expect(wide.status).toBe(400);
  });

  it('verifies the chain incrementally: each pack covers every entry, old and new', async () => {
    const api = await start();
    const { key } = await api.developer();
    const log = (i: number) =>
      api.post(
        '/v1/audit/log',
        { agentId: 'ag_1', agentDid: 'did:grantex:ag_1', grantId: 'g', principalId: 'p', action: `a${i}` },
        key,
      );
    for (const round of [3, 2, 4]) {
      for (let i = 0; i < round; i++) expect((await log(i)).status).toBe(201);
      const pack = await api.get('/v1/compliance/evidence-pack', key);
      expect(pack.status).toBe(200);
      expect(pack.body.chainIntegrity).toMatchObject({ valid: true, checkedEntries: pack.body.auditEntries.length });
    }
    expect((await api.get('/v1/compliance/evidence-pack', key)).body.chainIntegrity.checkedEntries).toBe(9);
    const broken = await start({ faults: ['audit-chain-broken'] });
    const dev = await broken.developer();
    for (let i = 0; i < 3; i++)
      await broken.post(
        '/v1/audit/log',
        { agentId: 'a', agentDid: 'did:grantex:a', grantId: 'g', principalId: 'p', action: 'x' },
        dev.key,
      );
    for (let twice = 0; twice < 2; twice++) {
      const pack = await broken.get('/v1/compliance/evidence-pack', dev.key);
      expect(pack.body.chainIntegrity).toMatchObject({ valid: false, checkedEntries: 1, reason: 'link' });
    }
  });
});

describe('reference server: deleting a webhook cancels its pending deliveries', () => {
  it('sends nothing more once the endpoint is deleted, not even the attempt in flight', async () => {
    const arrived: number[] = [];
    const receiver = await serve((_req, res) => {
      arrived.push(Date.now());
      // Slow and failing: the first attempt is in flight when the endpoint is deleted.
      setTimeout(() => res.writeHead(500).end(), 300);
    });
    const api = await start({ webhookRetryDelaysMs: [50, 50, 50] });
    const { key } = await api.developer();
    const hook = await api.post('/v1/webhooks', { url: `${receiver}/hook`, events: ['grant.created'] }, key);
    expect(hook.status).toBe(201);
    await api.grant(key, await api.agent(key));
    while (arrived.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await api.delete(`/v1/webhooks/${hook.body.id}`, key)).status).toBe(204);
    await api.server.webhooksSettled();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(arrived).toHaveLength(1);
  });
});

describe('reference server: bodies are read as sent', () => {
  it('answers 400 to invalid UTF-8 instead of storing U+FFFD', async () => {
    const api = await start();
    const { key } = await api.developer();
    for (const bad of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80]]) {
      const body = Buffer.concat([Buffer.from('{"name":"a'), Buffer.from(bad), Buffer.from('","scopes":["x:y"]}')]);
      const res = await fetch(`${api.url}/v1/agents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body,
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(/not valid UTF-8/);
    }
    expect((await api.get('/v1/agents', key)).body.agents).toEqual([]);
  });

  it('answers 415 to an encoded body instead of parsing it as JSON', async () => {
    const api = await start();
    const { key } = await api.developer();
    for (const encoding of ['gzip', 'deflate', 'br', 'x-custom']) {
      const plain = JSON.stringify({ name: 'a', scopes: ['x:y'] });
      const res = await fetch(`${api.url}/v1/agents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-encoding': encoding },
        body: encoding === 'gzip' ? gzipSync(plain) : plain,
      });
      expect(res.status).toBe(415);
    }
    const identity = await api.post('/v1/agents', { name: 'a', scopes: ['x:y'] }, key, {
      headers: { 'content-encoding': 'identity' },
    });
    expect(identity.status).toBe(201);
  });
});
