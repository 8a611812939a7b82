import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGrantVerifier, verifyGrantToken } from '../../src/verify/grant-token.js';
import { buildCorpus, createFixture, type Fixture } from './support/corpus.js';
import { startJwksServer, type JwksServer } from './support/jwks-server.js';
import { codeOf } from './support/outcome.js';
import { NOW, at, claims, rsaKey, signRs256 } from './support/tokens.js';

let fixture: Fixture;
const servers: JwksServer[] = [];
beforeAll(() => {
  fixture = createFixture();
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(keys: unknown, extra: { status?: number; delay?: number } = {}): Promise<JwksServer> {
  const server = await startJwksServer({ body: JSON.stringify(keys), ...extra });
  servers.push(server);
  return server;
}


const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('remote JWKS', () => {
  it('verifyGrantToken shares one cached resolver per URL', async () => {
    const server = await serve(fixture.jwks);
    for (let i = 0; i < 5; i++) {
      expect(await codeOf(verifyGrantToken(fixture.valid, { jwksUri: server.url, currentDate: at(NOW) }))).toBe('ok');
    }
    const other = signRs256(fixture.signer.privateKey, { alg: 'RS256', kid: fixture.signer.kid }, claims({ jti: 'tok_2' }));
    expect(await codeOf(verifyGrantToken(other, { jwksUri: new URL(server.url), currentDate: at(NOW) }))).toBe('ok');
    expect(server.requests).toEqual(['/.well-known/jwks.json']);
  });

  it('concurrent first calls share one request', async () => {
    const server = await serve(fixture.jwks, { delay: 50 });
    const verifier = createGrantVerifier({ jwksUri: server.url });
    const codes = await Promise.all(Array.from({ length: 10 }, () => codeOf(verifier.verify(fixture.valid, { currentDate: at(NOW) }))));
    expect(codes).toEqual(Array(10).fill('ok'));
    expect(server.requests).toHaveLength(1);
  });

  it('refetches on an unknown kid, at most once per cooldown, and picks up a rotated key', async () => {
    const server = await serve(fixture.jwks);
    const rotated = rsaKey('rotated-key');
    const token = signRs256(rotated.privateKey, { alg: 'RS256', kid: rotated.kid }, claims());
    const verifier = createGrantVerifier({ jwksUri: server.url, cooldownDuration: 1_000 });
    expect(await codeOf(verifier.verify(fixture.valid, { currentDate: at(NOW) }))).toBe('ok');
    // Just fetched: an unknown kid is refused without refetching during the cooldown.
    expect(await codeOf(verifier.verify(token, { currentDate: at(NOW) }))).toBe('unknown_key');
    expect(await codeOf(verifier.verify(token, { currentDate: at(NOW) }))).toBe('unknown_key');
    expect(server.requests).toHaveLength(1);

    server.reply = { body: JSON.stringify({ keys: [...fixture.jwks.keys, rotated.jwk] }) };
    await sleep(1_100);
    expect(await codeOf(verifier.verify(token, { currentDate: at(NOW) }))).toBe('ok');
    expect(server.requests).toHaveLength(2);
    expect(await codeOf(verifier.verify(fixture.valid, { currentDate: at(NOW) }))).toBe('ok');
    expect(server.requests).toHaveLength(2);
  });

  it('an attacker cycling unknown kids causes at most one fetch per cooldown', async () => {
    const server = await serve(fixture.jwks);
    const verifier = createGrantVerifier({ jwksUri: server.url, cooldownDuration: 60_000 });
    expect(await codeOf(verifier.verify(fixture.valid, { currentDate: at(NOW) }))).toBe('ok');
    for (let i = 0; i < 20; i++) {
      const token = signRs256(fixture.attacker.privateKey, { alg: 'RS256', kid: `random-${i}` }, claims());
      expect(await codeOf(verifier.verify(token, { currentDate: at(NOW) }))).toBe('unknown_key');
    }
    expect(server.requests).toHaveLength(1);
  });

  it('refetches a key set older than cacheMaxAge', async () => {
    const server = await serve(fixture.jwks);
    const verifier = createGrantVerifier({ jwksUri: server.url, cacheMaxAge: 500, cacheSize: 0 });
    expect(await codeOf(verifier.verify(fixture.valid, { currentDate: at(NOW) }))).toBe('ok');
    expect(await codeOf(verifier.verify(fixture.valid, { currentDate: at(NOW) }))).toBe('ok');
    expect(server.requests).toHaveLength(1);
    await sleep(600);
    expect(await codeOf(verifier.verify(fixture.valid, { currentDate: at(NOW) }))).toBe('ok');
    expect(server.requests).toHaveLength(2);
  });

  it('drops cached tokens whose key left the JWKS', async () => {
    const server = await serve(fixture.jwks);
    const verifier = createGrantVerifier({ jwksUri: server.url, cacheMaxAge: 500 });
    expect(await codeOf(verifier.verify(fixture.valid, { currentDate: at(NOW) }))).toBe('ok');
    expect(await codeOf(verifier.verify(fixture.valid, { currentDate: at(NOW) }))).toBe('ok');
    // Same kid, different key material: the cached verdict must not survive.
    server.reply = { body: JSON.stringify({ keys: [{ ...fixture.attacker.jwk, kid: fixture.signer.kid }] }) };
    await sleep(600);
    expect(await codeOf(verifier.verify(fixture.valid, { currentDate: at(NOW) }))).toBe('bad_signature');
    server.reply = { body: JSON.stringify({ keys: [fixture.ed.jwk] }) };
    await sleep(600);
    expect(await codeOf(verifier.verify(fixture.valid, { currentDate: at(NOW) }))).toBe('unknown_key');
  });

  it.each([
    ['an HTTP error', { status: 500, body: '{}' }],
    ['a redirect', { status: 302, body: '' }],
    ['a body that is not JSON', { body: '<html>' }],
    ['JSON that is not a JWKS', { body: '{"keys":"none"}' }],
    ['a JSON array', { body: '[]' }],
    ['no answer within the timeout', { body: '{}', delay: 2_000 }],
  ])('fails closed with jwks_unavailable on %s', async (_name, reply) => {
    const server = await startJwksServer(reply);
    servers.push(server);
    const verifier = createGrantVerifier({ jwksUri: server.url, timeoutDuration: 200 });
    expect(await codeOf(verifier.verify(fixture.valid, { currentDate: at(NOW) }))).toBe('jwks_unavailable');
  });

  it('fails closed with jwks_unavailable when nothing listens', async () => {
    const server = await serve(fixture.jwks);
    await server.close();
    servers.length = 0;
    const verifier = createGrantVerifier({ jwksUri: server.url });
    expect(await codeOf(verifier.verify(fixture.valid, { currentDate: at(NOW) }))).toBe('jwks_unavailable');
  });

  it('uses a custom fetch and headers', async () => {
    const seen: { url: string; accept: string | null; auth: string | null }[] = [];
    const verifier = createGrantVerifier({
      jwksUri: 'https://auth.example.test/.well-known/jwks.json',
      headers: { authorization: 'Bearer x' },
      fetch: async (input, init) => {
        const headers = new Headers(init?.headers);
        seen.push({ url: String(input), accept: headers.get('accept'), auth: headers.get('authorization') });
        return new Response(JSON.stringify(fixture.jwks), { status: 200 });
      },
    });
    expect(await codeOf(verifier.verify(fixture.valid, { currentDate: at(NOW) }))).toBe('ok');
    expect(seen).toEqual([{ url: 'https://auth.example.test/.well-known/jwks.json', accept: 'application/json', auth: 'Bearer x' }]);
  });

  it('never fetches jku or x5u, over the whole attack corpus', async () => {
    const server = await serve(fixture.jwks);
    const bait = `${server.origin}/attacker`;
    const verifier = createGrantVerifier({ jwksUri: server.url });
    const injected = [
      signRs256(fixture.attacker.privateKey, { alg: 'RS256', kid: fixture.attacker.kid, jku: `${bait}/jku.json` }, claims()),
      signRs256(fixture.attacker.privateKey, { alg: 'RS256', kid: fixture.signer.kid, x5u: `${bait}/x5u.pem`, jwk: fixture.attacker.jwk }, claims()),
      signRs256(fixture.signer.privateKey, { alg: 'RS256', kid: fixture.signer.kid, jku: `${bait}/ok.json` }, claims()),
    ];
    expect(await codeOf(verifier.verify(injected[0]!, { currentDate: at(NOW) }))).toBe('unknown_key');
    expect(await codeOf(verifier.verify(injected[1]!, { currentDate: at(NOW) }))).toBe('bad_signature');
    expect(await codeOf(verifier.verify(injected[2]!, { currentDate: at(NOW) }))).toBe('ok');
    for (const c of buildCorpus(fixture)) await codeOf(verifier.verify(c.token as string, { currentDate: at(NOW) }));
    expect(server.requests.every((path) => path === '/.well-known/jwks.json')).toBe(true);
  });
});
