// No error message and no log line ever holds the API key or the SCIM token,
// whatever the server echoes back: checked with fast-check over every error
// path (config errors, connection errors, timeouts, API errors whose body,
// status text or headers repeat the credential, redirects, bodies that are too
// large or not what the spec promises).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Grantex, type GrantexOptions } from '../../src/index.js';
import { closedPort, startFakeServer, type FakeServer, type Reply } from './fake-server.js';

type Scenario = (secret: string) => Reply;

const scenarios: Record<string, Scenario> = {
  'API error whose JSON echoes the key': (secret) => ({
    status: 401,
    headers: { 'x-request-id': `req-${secret}` },
    body: { message: `Invalid API key ${secret}`, code: secret, requestId: secret, echo: { nested: [secret] } },
  }),
  'SCIM error whose detail echoes the key': (secret) => ({
    status: 400,
    body: {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      detail: `bad token ${secret}`,
      scimType: secret,
      status: '400',
    },
  }),
  'text error body echoing the key': (secret) => ({
    status: 503,
    headers: { 'content-type': 'text/plain' },
    body: `upstream said Bearer ${secret}`,
  }),
  'status text echoing the key': (secret) => ({
    custom: (res) => {
      res.writeHead(500, `Denied ${secret}`, { 'content-length': '0' });
      res.end();
    },
  }),
  'redirect whose Location holds the key': (secret) => ({
    status: 307,
    headers: { location: `/steal/${encodeURIComponent(secret)}/${secret}` },
  }),
  '2xx HTML page echoing the key': (secret) => ({
    status: 200,
    headers: { 'content-type': 'text/html' },
    body: `<p>${secret}</p>`,
  }),
  '2xx JSON missing fields, echoing the key': (secret) => ({ status: 200, body: { token: secret } }),
  'body too large': () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: 'x'.repeat(2048) }),
  'no answer (timeout)': () => ({ hang: true }),
  'dropped connection': () => ({ destroy: true }),
};

let server: FakeServer;
let current: Reply = { status: 204 };
beforeAll(async () => {
  server = await startFakeServer(() => current);
});
afterAll(async () => {
  await server.close();
});

/** Everything a user might print about an error, its causes included. */
function printed(error: unknown): string {
  const parts: string[] = [];
  let at: unknown = error;
  for (let depth = 0; at instanceof Error && depth < 5; depth++) {
    const fields = at as unknown as Record<string, unknown>;
    parts.push(
      String(at),
      at.message,
      String(fields.code),
      String(fields.requestId),
      String(fields.location),
      JSON.stringify(fields.body ?? null),
    );
    at = at.cause;
  }
  return parts.join('\n');
}

function recordingLogger() {
  const lines: string[] = [];
  const write = (message: string, ...rest: unknown[]) => void lines.push(`${message} ${JSON.stringify(rest)}`);
  return { lines, logger: { error: write, warn: write, info: write, debug: write } };
}

const secretArb = fc.stringMatching(/^[\x21-\x7e]{12,40}$/).filter((s) => !/^[a-z ]*$/i.test(s) || s.length > 16);

describe('no secret in any error or log line', () => {
  it('holds over server-side error paths, for the API key and the SCIM token', async () => {
    await fc.assert(
      fc.asyncProperty(
        secretArb,
        fc.constantFrom(...Object.keys(scenarios)),
        fc.boolean(),
        async (secret, name, viaScim) => {
          current = scenarios[name]!(secret);
          const { lines, logger } = recordingLogger();
          const options: GrantexOptions = {
            baseUrl: server.url,
            timeout: 100,
            maxRetries: 1,
            retryDelay: 1,
            maxResponseBytes: 1024,
            logLevel: 'debug',
            logger,
          };
          const client = viaScim
            ? new Grantex({ ...options, apiKey: 'gx_other_key', scimToken: secret })
            : new Grantex({ ...options, apiKey: secret });
          const error = await (viaScim ? client.scim.getUser('scimuser_1') : client.agents.get('ag_1')).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error, name).toBeInstanceOf(Error);
          expect(printed(error)).not.toContain(secret);
          expect(lines.length, name).toBeGreaterThan(0);
          for (const line of lines) expect(line).not.toContain(secret);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('holds for connection errors', async () => {
    const port = await closedPort();
    await fc.assert(
      fc.asyncProperty(secretArb, async (secret) => {
        const { lines, logger } = recordingLogger();
        const client = new Grantex({
          apiKey: secret,
          baseUrl: `http://127.0.0.1:${port}`,
          maxRetries: 0,
          logLevel: 'debug',
          logger,
        });
        const error = await client.health().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(Error);
        expect(printed(error)).not.toContain(secret);
        for (const line of lines) expect(line).not.toContain(secret);
      }),
      { numRuns: 10 },
    );
  });

  it('holds for config errors: a key with control characters, a password or query in baseUrl, a bad header', () => {
    fc.assert(
      fc.property(secretArb, fc.constantFrom('\r\n', '\n', '\u0000', '\u007f'), (secret, bad) => {
        const attempts: Array<() => unknown> = [
          () => new Grantex({ apiKey: `${secret}${bad}` }),
          () => new Grantex({ apiKey: 'k', scimToken: `${bad}${secret}` }),
          () => new Grantex({ apiKey: 'k', baseUrl: `https://user:${encodeURIComponent(secret)}@api.example` }),
          () => new Grantex({ apiKey: 'k', baseUrl: `https://api.example/?key=${encodeURIComponent(secret)}` }),
          () => new Grantex({ apiKey: 'k', headers: { 'x-secret': `${secret}${bad}` } }),
        ];
        for (const attempt of attempts) {
          let error: unknown;
          try {
            attempt();
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(Error);
          expect(printed(error)).not.toContain(secret);
        }
      }),
    );
  });

  it('holds for a per-call header that cannot be sent', async () => {
    await fc.assert(
      fc.asyncProperty(secretArb, fc.constantFrom('\r\n', '\n', '\u0000'), async (secret, bad) => {
        const client = new Grantex({ apiKey: 'k', baseUrl: server.url, logLevel: 'off' });
        const error = await client.agents.get('ag_1', { headers: { 'x-secret': `${bad}${secret}` } }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toMatchObject({ name: 'GrantexConfigError' });
        expect(printed(error)).not.toContain(secret);
      }),
      { numRuns: 20 },
    );
  });
});
