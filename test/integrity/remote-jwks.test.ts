import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GrantexTokenError } from '../../src/integrity/verify/errors.js';
import { MAX_JWKS_BYTES } from '../../src/integrity/verify/jwks.js';
import { createGrantVerifier, verifyGrantToken } from '../../src/integrity/verify/grant-token.js';
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
    const other = signRs256(
      fixture.signer.privateKey,
      { alg: 'RS256', kid: fixture.signer.kid },
      claims({ jti: 'tok_2' }),
    );
    expect(await codeOf(verifyGrantToken(other, { jwksUri: new URL(server.url), currentDate: at(NOW) }))).toBe('ok');
    expect(server.requests).toEqual(['/.well-known/jwks.json']);
  });

  it('concurrent first calls share one request', async () => {
    const server = await serve(fixture.jwks, { delay: 50 });
    const verifier = createGrantVerifier({ jwksUri: server.url });
    const codes = await Promise.all(
      Array.from({ length: 10 }, () => codeOf(verifier.verify(fixture.valid, { currentDate: at(NOW) }))),
    );
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
    expect(seen).toEqual([
      { url: 'https://auth.example.test/.well-known/jwks.json', accept: 'application/json', auth: 'Bearer x' },
    ]);
  });

  it('never fetches jku or x5u, over the whole attack corpus', async () => {
    const server = await serve(fixture.jwks);
    const bait = `${server.origin}/attacker`;
    const verifier = createGrantVerifier({ jwksUri: server.url });
    const injected = [
      signRs256(
        fixture.attacker.privateKey,
        { alg: 'RS256', kid: fixture.attacker.kid, jku: `${bait}/jku.json` },
        claims(),
      ),
      signRs256(
        fixture.attacker.privateKey,
        { alg: 'RS256', kid: fixture.signer.kid, x5u: `${bait}/x5u.pem`, jwk: fixture.attacker.jwk },
        claims(),
      ),
      signRs256(fixture.signer.privateKey, { alg: 'RS256', kid: fixture.signer.kid, jku: `${bait}/ok.json` }, claims()),
    ];
    expect(await codeOf(verifier.verify(injected[0]!, { currentDate: at(NOW) }))).toBe('unknown_key');
    expect(await codeOf(verifier.verify(injected[1]!, { currentDate: at(NOW) }))).toBe('bad_signature');
    expect(await codeOf(verifier.verify(injected[2]!, { currentDate: at(NOW) }))).toBe('ok');
    for (const c of buildCorpus(fixture)) await codeOf(verifier.verify(c.token as string, { currentDate: at(NOW) }));
    expect(server.requests.every((path) => path === '/.well-known/jwks.json')).toBe(true);
  });
});

/** A 127.0.0.1 server with a hand-written handler, for bodies the JWKS server cannot script. */
async function rawServer(handler: (request: IncomingMessage, response: ServerResponse) => void) {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(request.url ?? '');
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const handle: JwksServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`,
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    reply: {},
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(handle);
  return handle;
}

/** The GrantexTokenError a verification failed with, and the message of its cause. */
async function failureOf(promise: Promise<unknown>): Promise<{ code: string; cause: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GrantexTokenError);
  const { code, cause } = error as GrantexTokenError;
  return { code, cause: cause instanceof Error ? cause.message : String(cause) };
}

/** The fixture's key set, padded with trailing spaces to exactly `size` bytes (when it fits). */
function paddedJwks(size: number): string {
  const json = JSON.stringify(fixture.jwks);
  return json + ' '.repeat(Math.max(0, size - json.length));
}

describe('remote JWKS: size cap while streaming', () => {
  it('cancels an endless chunked body at 1 MiB instead of reading it to the timeout', async () => {
    let closedEarly = false;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const server = await rawServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      const pump = () => {
        while (!response.destroyed && response.write(chunk));
        if (!response.destroyed) response.once('drain', pump);
      };
      response.on('close', () => {
        closedEarly = true;
      });
      pump();
    });
    const verifier = createGrantVerifier({ jwksUri: server.url, timeoutDuration: 20_000 });
    const { code, cause } = await failureOf(verifier.verify(fixture.valid, { currentDate: at(NOW) }));
    expect(code).toBe('jwks_unavailable');
    expect(cause).toMatch(/larger than 1048576 bytes/);
    await sleep(50);
    expect(closedEarly).toBe(true);
  });

  it('refuses a declared content-length over the cap without reading the body', async () => {
    const server = await rawServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(MAX_JWKS_BYTES + 1) });
      response.write('{"keys":');
    });
    const { cause } = await failureOf(
      createGrantVerifier({ jwksUri: server.url }).verify(fixture.valid, { currentDate: at(NOW) }),
    );
    expect(cause).toMatch(/larger than/);
  });

  it('counts decoded bytes: a small gzip body that inflates past 1 MiB is refused', async () => {
    const bomb = gzipSync(paddedJwks(8 * MAX_JWKS_BYTES));
    expect(bomb.length).toBeLessThan(MAX_JWKS_BYTES / 4);
    const server = await rawServer((_request, response) => {
      response.writeHead(200, {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'content-length': String(bomb.length),
      });
      response.end(bomb);
    });
    const { cause } = await failureOf(
      createGrantVerifier({ jwksUri: server.url }).verify(fixture.valid, { currentDate: at(NOW) }),
    );
    expect(cause).toMatch(/larger than/);
  });

  it('accepts a body of at most 1 MiB and refuses a larger one, whatever the chunking', async () => {
    let body = '';
    let chunkSize = 1;
    const server = await rawServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < body.length; i += chunkSize) response.write(body.slice(i, i + chunkSize));
      response.end();
    });
    const sizes = fc.oneof(
      fc.integer({ min: MAX_JWKS_BYTES - 2, max: MAX_JWKS_BYTES + 2 }),
      fc.integer({ min: 0, max: 2 * MAX_JWKS_BYTES }),
    );
    await fc.assert(
      fc.asyncProperty(sizes, fc.integer({ min: 16 * 1024, max: 512 * 1024 }), async (size, chunk) => {
        body = paddedJwks(size);
        chunkSize = chunk;
        const verifier = createGrantVerifier({ jwksUri: server.url });
        const outcome = await codeOf(verifier.verify(fixture.valid, { currentDate: at(NOW) }));
        expect(outcome).toBe(body.length <= MAX_JWKS_BYTES ? 'ok' : 'jwks_unavailable');
      }),
      { numRuns: 20 },
    );
  });
});

describe('remote JWKS: outages', () => {
  /** A verifier whose set goes stale after 200 ms, and a server that fails once it has served the set. */
  async function outage(options: { staleIfError?: number; cooldownDuration?: number } = {}) {
    const server = await serve(fixture.jwks);
    const verifier = createGrantVerifier({ jwksUri: server.url, cacheMaxAge: 200, cacheSize: 0, ...options });
    expect(await codeOf(verifier.verify(fixture.valid, { currentDate: at(NOW) }))).toBe('ok');
    server.reply = { status: 503, body: '{}' };
    await sleep(250);
    return { server, verifier };
  }

  it('200 sequential verifications during an outage make at most 3 requests, and keep verifying from the last good set', async () => {
    const { server, verifier } = await outage();
    const codes: string[] = [];
    for (let i = 0; i < 200; i++) codes.push(await codeOf(verifier.verify(fixture.valid, { currentDate: at(NOW) })));
    expect(new Set(codes)).toEqual(new Set(['ok']));
    expect(server.requests.length).toBeLessThanOrEqual(3);
    expect(server.requests).toHaveLength(2); // the good fetch and one failed refresh
  });

  it('concurrent verifications during an outage share one request', async () => {
    const { server, verifier } = await outage();
    server.reply = { status: 503, body: '{}', delay: 50 };
    const codes = await Promise.all(
      Array.from({ length: 50 }, () => codeOf(verifier.verify(fixture.valid, { currentDate: at(NOW) }))),
    );
    expect(new Set(codes)).toEqual(new Set(['ok']));
    expect(server.requests).toHaveLength(2);
  });

  it('with staleIfError: 0 the stale set is never used: every verification fails closed, still with one request', async () => {
    const { server, verifier } = await outage({ staleIfError: 0 });
    for (let i = 0; i < 200; i++)
      expect(await codeOf(verifier.verify(fixture.valid, { currentDate: at(NOW) }))).toBe('jwks_unavailable');
    expect(server.requests).toHaveLength(2);
  });

  it('the stale set serves only for staleIfError past cacheMaxAge', async () => {
    const { verifier } = await outage({ staleIfError: 300 });
    expect(await codeOf(verifier.verify(fixture.valid, { currentDate: at(NOW) }))).toBe('ok');
    await sleep(350);
    expect(await codeOf(verifier.verify(fixture.valid, { currentDate: at(NOW) }))).toBe('jwks_unavailable');
  });

  it('without a good set, a failed fetch is not retried until the cooldown has passed, then recovers', async () => {
    const server = await serve(fixture.jwks, { status: 500 });
    const verifier = createGrantVerifier({ jwksUri: server.url, cooldownDuration: 300 });
    for (let i = 0; i < 20; i++)
      expect(await codeOf(verifier.verify(fixture.valid, { currentDate: at(NOW) }))).toBe('jwks_unavailable');
    expect(server.requests).toHaveLength(1);
    server.reply = { body: JSON.stringify(fixture.jwks) };
    await sleep(350);
    expect(await codeOf(verifier.verify(fixture.valid, { currentDate: at(NOW) }))).toBe('ok');
    expect(server.requests).toHaveLength(2);
  });

  it('after the cooldown a stale set is refreshed again, and a recovered server ends the outage', async () => {
    const { server, verifier } = await outage({ cooldownDuration: 200 });
    expect(await codeOf(verifier.verify(fixture.valid, { currentDate: at(NOW) }))).toBe('ok');
    expect(server.requests).toHaveLength(2);
    const rotated = rsaKey('rotated-after-outage');
    server.reply = { body: JSON.stringify({ keys: [rotated.jwk] }) };
    await sleep(250);
    // The refreshed set no longer holds the old key: the stale set stops serving at once.
    expect(await codeOf(verifier.verify(fixture.valid, { currentDate: at(NOW) }))).toBe('unknown_key');
    const token = signRs256(rotated.privateKey, { alg: 'RS256', kid: rotated.kid }, claims());
    expect(await codeOf(verifier.verify(token, { currentDate: at(NOW) }))).toBe('ok');
    expect(server.requests).toHaveLength(3);
  });

  it('staleIfError must be a non-negative number of milliseconds', () => {
    for (const staleIfError of [-1, Number.NaN, Number.POSITIVE_INFINITY, '5' as unknown as number]) {
      expect(() => createGrantVerifier({ jwksUri: 'https://auth.example.test/jwks', staleIfError })).toThrow(
        GrantexTokenError,
      );
    }
  });
});
