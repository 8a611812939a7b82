// The client against misbehaving servers on 127.0.0.1: redirects (never
// followed, nothing reaches the other origin), bodies too large or inflating
// past the cap, success bodies that are not what the spec promises, and
// configuration that would leak a credential.
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Grantex,
  GrantexApiError,
  GrantexConfigError,
  GrantexRedirectError,
  type GrantexOptions,
} from '../../src/index.js';
import { parseRetryAfter } from '../../src/core/transport.js';
import { agent, signupResponse, startFakeServer, type FakeServer, type Reply } from './fake-server.js';

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(reply: (index: number) => Reply): Promise<FakeServer> {
  const server = await startFakeServer((_request, index) => reply(index));
  servers.push(server);
  return server;
}

const KEY = 'gx_test_hostile_secret_key_0123';
const client = (server: FakeServer, options: GrantexOptions = {}) =>
  new Grantex({ apiKey: KEY, baseUrl: server.url, retryDelay: 1, logLevel: 'off', ...options });
const exchange = (c: Grantex) =>
  c.tokens.exchange({ code: 'auth_code_secret', agentId: agent.agentId, codeVerifier: 'pkce_verifier_secret' });
const tokenResponse = {
  grantToken: 'a.b.c',
  refreshToken: 'ref_1',
  grantId: 'grnt_1',
  scopes: ['calendar:read'],
  expiresAt: '2026-11-28T12:52:10.000Z',
};

async function rejection(pending: Promise<unknown>): Promise<Error> {
  const error = await pending.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('redirects are never followed', () => {
  it.each([307, 308])(
    'a %i to another origin with a POST body: typed error, nothing reaches the other origin',
    async (status) => {
      const other = await serve(() => ({ status: 201, body: { ...tokenResponse, grantToken: 'chosen.by.other' } }));
      const server = await serve(() => ({ status, headers: { location: `${other.url}/v1/token?x=1` } }));
      const error = await rejection(exchange(client(server, { headers: { 'x-tenant': 'acme' } })));
      expect(error).toBeInstanceOf(GrantexRedirectError);
      expect(error).toBeInstanceOf(GrantexApiError);
      expect(error).toMatchObject({ statusCode: status, code: 'REDIRECT', location: `${other.url}/v1/token` });
      expect(error.message).toContain(String(status));
      expect(error.message).toContain(`${other.url}/v1/token`);
      expect(error.message).not.toContain('x=1');
      expect(server.requests).toHaveLength(1);
      expect(other.requests).toHaveLength(0);
    },
  );

  it.each([301, 302, 303])('a %i is an error too, not a GET to the Location', async (status) => {
    const other = await serve(() => ({ status: 200, body: tokenResponse }));
    const server = await serve(() => ({ status, headers: { location: `${other.url}/elsewhere` } }));
    await expect(exchange(client(server))).rejects.toMatchObject({ name: 'GrantexRedirectError', statusCode: status });
    await expect(client(server).tokens.verify('a.b.c')).rejects.toBeInstanceOf(GrantexRedirectError);
    expect(other.requests).toHaveLength(0);
  });

  it('a 302 loop on a retryable GET is one request, not retried', async () => {
    const server = await serve(() => ({ status: 302, headers: { location: '/v1/agents' } }));
    await expect(client(server, { maxRetries: 5 }).agents.list()).rejects.toBeInstanceOf(GrantexRedirectError);
    expect(server.requests).toHaveLength(1);
  });

  it('a Location with user info or a query never shows them', async () => {
    const server = await serve(() => ({
      status: 307,
      headers: { location: 'https://user:hunter2@evil.example/p?token=abc#f' },
    }));
    const error = (await rejection(client(server).agents.list())) as GrantexRedirectError;
    expect(error.location).toBe('https://evil.example/p');
    expect(error.message).not.toMatch(/hunter2|token=abc|user/);
  });

  it('a fetch that follows redirects anyway is refused', async () => {
    const server = await serve(() => ({ status: 200, body: { agents: [] } }));
    const following: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      Object.defineProperty(response, 'redirected', { value: true });
      return response;
    };
    await expect(client(server, { fetch: following }).agents.list()).rejects.toBeInstanceOf(GrantexRedirectError);
  });

  it('client.api refuses a per-call baseUrl on another origin, before sending', async () => {
    const other = await serve(() => ({ status: 200, body: { agents: [] } }));
    const server = await serve(() => ({ status: 200, body: { agents: [] } }));
    await expect(client(server).api.GET('/v1/agents', { baseUrl: other.url })).rejects.toBeInstanceOf(
      GrantexConfigError,
    );
    expect(other.requests).toHaveLength(0);
  });

  it('client.api gets a redirect as a typed error too', async () => {
    const server = await serve(() => ({ status: 308, headers: { location: 'http://127.0.0.1:1/x' } }));
    await expect(client(server).api.GET('/v1/agents')).rejects.toBeInstanceOf(GrantexRedirectError);
  });
});

describe('response size is bounded', () => {
  const LIMIT = 64 * 1024;
  const chunk = Buffer.alloc(16 * 1024, 'a');

  /** Streams `total` bytes of JSON-ish filler without a length, in chunks. */
  const streaming = (total: number): Reply => ({
    custom: (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      let sent = 0;
      const more = () => {
        while (sent < total) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end();
      };
      res.on('close', () => (sent = total));
      more();
    },
  });

  it('a chunked body past maxResponseBytes is cut off with RESPONSE_TOO_LARGE', async () => {
    const server = await serve(() => streaming(50 * 1024 * 1024));
    const error = await rejection(client(server, { maxResponseBytes: LIMIT }).agents.list());
    expect(error).toBeInstanceOf(GrantexApiError);
    expect(error).toMatchObject({ code: 'RESPONSE_TOO_LARGE', statusCode: 200 });
    expect(server.requests).toHaveLength(1);
  });

  it('a Content-Length past the cap is refused without reading the body', async () => {
    const body = JSON.stringify({ agents: [], pad: 'x'.repeat(LIMIT) });
    const server = await serve(() => ({ status: 200, headers: { 'content-type': 'application/json' }, body }));
    await expect(client(server, { maxResponseBytes: LIMIT }).agents.list()).rejects.toMatchObject({
      code: 'RESPONSE_TOO_LARGE',
    });
  });

  it('a gzip bomb counts what it inflates to, even with a small Content-Length', async () => {
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024, ' '));
    expect(bomb.length).toBeLessThan(LIMIT);
    const server = await serve(() => ({
      custom: (res) => {
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-encoding': 'gzip',
          'content-length': String(bomb.length),
        });
        res.end(bomb);
      },
    }));
    await expect(client(server, { maxResponseBytes: LIMIT }).agents.list()).rejects.toMatchObject({
      code: 'RESPONSE_TOO_LARGE',
    });
  });

  it('error bodies are bounded too', async () => {
    const server = await serve(() => ({
      status: 500,
      headers: { 'content-type': 'text/plain' },
      body: 'e'.repeat(LIMIT + 1),
    }));
    await expect(client(server, { maxResponseBytes: LIMIT, maxRetries: 0 }).agents.list()).rejects.toMatchObject({
      code: 'RESPONSE_TOO_LARGE',
      statusCode: 500,
    });
  });

  it('a body of n bytes is accepted exactly when n <= maxResponseBytes, framed by length or chunked', async () => {
    let next: { size: number; chunked: boolean } = { size: 0, chunked: false };
    const server = await serve(() => {
      const { size, chunked } = next;
      const base = '{"agents":[],"pad":""}';
      const body = `{"agents":[],"pad":"${'p'.repeat(Math.max(0, size - base.length))}"}`;
      return {
        custom: (res) => {
          res.writeHead(
            200,
            chunked
              ? { 'content-type': 'application/json' }
              : { 'content-type': 'application/json', 'content-length': String(body.length) },
          );
          if (chunked) {
            res.write(body.slice(0, body.length >> 1));
            res.end(body.slice(body.length >> 1));
          } else res.end(body);
        },
      };
    });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 22, max: 4096 }),
        fc.integer({ min: 22, max: 4096 }),
        fc.boolean(),
        async (size, limit, chunked) => {
          next = { size, chunked };
          const result = await client(server, { maxResponseBytes: limit })
            .agents.list()
            .then(
              () => 'ok',
              (e: unknown) => (e as { code?: string }).code,
            );
          expect(result).toBe(size <= limit ? 'ok' : 'RESPONSE_TOO_LARGE');
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('success bodies are checked against the spec', () => {
  const cases: Array<[string, Reply]> = [
    [
      'an HTML page',
      { status: 200, headers: { 'content-type': 'text/html' }, body: '<html><body>Welcome</body></html>' },
    ],
    ['{}', { status: 201, body: {} }],
    ['""', { status: 201, headers: { 'content-type': 'application/json' }, body: '""' }],
    ['null', { status: 201, headers: { 'content-type': 'application/json' }, body: 'null' }],
    ['an empty body', { status: 201 }],
    ['a number where grantToken must be a string', { status: 201, body: { ...tokenResponse, grantToken: 5 } }],
    ['scopes that are not an array of strings', { status: 201, body: { ...tokenResponse, scopes: [1] } }],
  ];

  it.each(cases)('POST /v1/token answered with %s is INVALID_RESPONSE', async (_name, reply) => {
    const server = await serve(() => reply);
    const error = await rejection(exchange(client(server)));
    expect(error).toBeInstanceOf(GrantexApiError);
    expect(error).toMatchObject({ code: 'INVALID_RESPONSE' });
  });

  it.each(cases)('Grantex.signup answered with %s is INVALID_RESPONSE', async (_name, reply) => {
    const server = await serve(() => reply);
    const error = await rejection(
      Grantex.signup({ name: 'Acme', mode: 'sandbox' }, { baseUrl: server.url, logLevel: 'off' }),
    );
    expect(error).toMatchObject({ name: 'GrantexApiError', code: 'INVALID_RESPONSE' });
  });

  it('names the first field that is wrong, never its value', async () => {
    const server = await serve(() => ({
      status: 201,
      body: { ...tokenResponse, grantToken: undefined, refreshToken: 7 },
    }));
    const error = await rejection(exchange(client(server)));
    expect(error.message).toContain('$.grantToken: missing');
  });

  it('a complete body passes, and extra fields are fine', async () => {
    const server = await serve(() => ({ status: 201, body: { ...tokenResponse, extra: { nested: true } } }));
    await expect(exchange(client(server))).resolves.toMatchObject({ grantToken: 'a.b.c' });
    const signup = await serve(() => ({ status: 201, body: signupResponse }));
    await expect(Grantex.signup({ name: 'Acme', mode: 'sandbox' }, { baseUrl: signup.url })).resolves.toMatchObject({
      apiKey: 'gx_test_new',
    });
  });

  it('a list item missing a required field is INVALID_RESPONSE', async () => {
    const { description: _description, ...incomplete } = agent;
    const server = await serve(() => ({ status: 200, body: { agents: [agent, incomplete] } }));
    await expect(client(server).agents.list()).rejects.toMatchObject({
      code: 'INVALID_RESPONSE',
      message: expect.stringContaining('$.agents[1].description'),
    });
  });

  it('a 204 body is ignored', async () => {
    const server = await serve(() => ({ status: 204 }));
    await expect(client(server).agents.delete(agent.agentId)).resolves.toBeUndefined();
  });
});

describe('configuration that would leak a credential is refused', () => {
  it.each(['gx_test_key\r\nX-Injected: 1', 'gx_test_key\n', 'gx test key', 'gx_\u0000key', 'gx_ключ'])(
    'an apiKey with control characters, spaces or non-ASCII (%j) is a config error that does not repeat it',
    (apiKey) => {
      let error: unknown;
      try {
        new Grantex({ apiKey, baseUrl: 'http://127.0.0.1:9' });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(GrantexConfigError);
      expect((error as Error).message).toContain('apiKey');
      expect((error as Error).message).not.toContain(apiKey.trim());
    },
  );

  it('a scimToken with CR/LF is refused the same way', () => {
    expect(() => new Grantex({ apiKey: 'k', scimToken: 'scim_a\r\nb' })).toThrow(GrantexConfigError);
  });

  it.each([
    'http://user:hunter2@127.0.0.1:9',
    'https://hunter2@api.example',
    'http://@127.0.0.1:9',
    'https://api.example/?key=hunter2',
    'https://api.example/#hunter2',
    'ftp://api.example',
    'javascript:hunter2',
    'not a url hunter2',
  ])('baseUrl %s is a config error that does not repeat it', (baseUrl) => {
    let error: unknown;
    try {
      new Grantex({ apiKey: 'k', baseUrl });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GrantexConfigError);
    expect((error as Error).message).toContain('baseUrl');
    expect((error as Error).message).not.toContain('hunter2');
  });

  it('any string with a control character is refused as apiKey; any printable token is accepted', () => {
    const control = fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c));
    fc.assert(
      fc.property(fc.string(), control, fc.string(), (before, bad, after) => {
        const apiKey = `gx${before}${bad}${after}`;
        expect(() => new Grantex({ apiKey })).toThrow(GrantexConfigError);
      }),
    );
    const printable = fc.stringMatching(/^[\x21-\x7e]{1,64}$/);
    fc.assert(
      fc.property(printable, (apiKey) => {
        expect(() => new Grantex({ apiKey })).not.toThrow();
      }),
    );
  });

  it('a header option with CR/LF is a config error naming the header, not the value', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom('\r', '\n', '\u0000', '\r\n'), (text, bad) => {
        let error: unknown;
        try {
          new Grantex({ apiKey: 'k', headers: { 'x-team': `${text}${bad}secret` } });
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(GrantexConfigError);
        expect((error as Error).message).toContain('x-team');
        expect((error as Error).message).not.toContain('secret');
      }),
    );
  });
});

describe('Retry-After parsing never throws and never goes negative', () => {
  it('holds for any header value', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
          fc.nat().map(String),
        ),
        (value) => {
          const seconds = parseRetryAfter(value);
          expect(seconds === undefined || (Number.isFinite(seconds) && seconds >= 0)).toBe(true);
        },
      ),
    );
  });
});
