/**
 * @module test/conformance/deployment
 * The suite on a deployment with data that existed before the run: no event
 * reaches what the run did not create, and the report shows how to re-run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractValidator } from '../../conformance/http/contract.js';
import { defaultOptions, type RunOptions } from '../../conformance/engine/options.js';
import { WebhookReceiver } from '../../conformance/doubles/receiver.js';
import { startReferenceServer, type ReferenceServer } from '../../conformance/reference/server.js';
import { runConformance } from '../../conformance/runner.js';

const contract = ContractValidator.fromFile();

async function post(
  url: string,
  body: unknown,
  key?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('a run with the key of a developer that already has a webhook', () => {
  let server: ReferenceServer;
  let receiver: WebhookReceiver;
  let userKey: string;

  beforeAll(async () => {
    server = await startReferenceServer({ webhookRetryDelaysMs: [] });
    receiver = await WebhookReceiver.start();
    const signup = await post(`${server.url}/v1/signup`, { name: 'pre-existing developer', mode: 'live' });
    expect(signup.status).toBe(201);
    userKey = String(signup.body['apiKey']);
    const hook = await post(
      `${server.url}/v1/webhooks`,
      { url: `http://127.0.0.1:${receiver.port}/existing`, events: ['grant.created', 'grant.revoked', 'token.issued'] },
      userKey,
    );
    expect(hook.status).toBe(201);
  });

  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  const options = (extra: Partial<RunOptions>): RunOptions => ({
    ...defaultOptions(),
    baseUrl: server.url,
    apiKeys: [userKey],
    seed: 11,
    runs: 5,
    webhookWaitMs: 5_000,
    ...extra,
  });

  it('a default run sends it 0 deliveries: events happen under a developer the run created', async () => {
    const report = await runConformance(options({}), { contract });
    await server.webhooksSettled();
    expect(report.fatal).toBeUndefined();
    expect(report.exitCode).toBe(0);
    // The run did set off events (the webhook check saw its own deliveries) …
    expect(report.results.find((r) => r.id === 'webhooks.delivery')?.status).toBe('pass');
    expect(report.results.find((r) => r.id === 'tokens.revoke-grant')?.status).toBe('pass');
    // … and none reached the given developer's endpoint.
    expect(receiver.to('/existing')).toHaveLength(0);
    // The throwaway's key is given for re-running transcripts; the user's key never appears.
    expect(report.createdKeys?.map((key) => key.label)).toContain('GRANTEX_RUN_API_KEY');
    expect(JSON.stringify(report)).not.toContain(userKey);
  }, 180_000); // a default run, the fuzz area included

  it('without signup, the event-emitting checks skip with the reason, and still 0 deliveries', async () => {
    const report = await runConformance(options({ signup: false }), { contract });
    await server.webhooksSettled();
    expect(report.fatal).toBeUndefined();
    const skipped = report.results.filter((r) => r.status === 'skip' && /did not create/.test(r.message ?? ''));
    expect(skipped.map((r) => r.id)).toEqual(
      expect.arrayContaining(['webhooks.delivery', 'anomalies.detect', 'events.stream']),
    );
    expect(skipped[0]!.message).toMatch(/--event-api-key|--allow-side-effects/);
    expect(report.results.filter((r) => r.status === 'fail').map((r) => r.id)).toEqual([]);
    expect(receiver.to('/existing')).toHaveLength(0);
    expect(report.createdKeys).toEqual([]);
    expect(JSON.stringify(report)).not.toContain(userKey);
  }, 180_000); // a default run, the fuzz area included

  it('--allow-side-effects runs them as the given developer, whose webhook then receives deliveries (the receiver works)', async () => {
    const report = await runConformance(options({ allowSideEffects: true, only: ['tokens.revoke-grant'] }), {
      contract,
    });
    await server.webhooksSettled();
    expect(report.exitCode).toBe(0);
    expect(receiver.to('/existing').length).toBeGreaterThan(0);
  }, 180_000); // a default run, the fuzz area included
});

/** A server giving the same answer to every request. */
async function answering(
  status: number,
  contentType: string,
  body: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const { createServer } = await import('node:http');
  const server = createServer((_request, response) =>
    response.writeHead(status, { 'content-type': contentType }).end(body),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('preflight: not a Grantex server', () => {
  for (const [what, status, type, body] of [
    ['HTML to everything', 200, 'text/html', '<!doctype html><html><body>Welcome</body></html>'],
    ['200 {} to everything', 200, 'application/json', '{}'],
  ] as const) {
    it(`exits 2 with what was wrong on a server answering ${what}`, async () => {
      const server = await answering(status, type, body);
      try {
        const report = await runConformance(
          { ...defaultOptions(), baseUrl: server.url, apiKeys: ['gx_live_whatever_000000'] },
          { contract },
        );
        expect(report.exitCode).toBe(2);
        expect(report.fatal).toMatch(/^not a Grantex server: GET \/health answered 200/);
        expect(report.fatal).toMatch(/jwks\.json answered 200 .*not 200 with a key set holding an RSA key/);
        expect(report.fatal).toMatch(/unknown route .* not 404/);
        expect(report.results).toEqual([]);
        expect(report.requests).toBe(3);
      } finally {
        await server.close();
      }
    });
  }

  it('a check that cannot read an answer fails with expected and observed, not a stack', async () => {
    const server = await startReferenceServer();
    try {
      const reading = {
        id: 'contract.synthetic-read',
        area: 'contract',
        clause: 'test only',
        level: 'MUST',
        title: 'reads a field that is not there',
        async run(ctx: import('../../conformance/engine/context.js').CheckContext) {
          const health = await ctx.http.request({ method: 'GET', path: '/health' });
          (health.body as { nested: { field: string } }).nested.field.toUpperCase();
        },
      } satisfies import('../../conformance/engine/check.js').Check;
      const report = await runConformance(
        { ...defaultOptions(), baseUrl: server.url },
        { contract, checks: [reading] },
      );
      const result = report.results.find((r) => r.id === 'contract.synthetic-read')!;
      expect(result).toMatchObject({
        status: 'fail',
        message: 'unexpected response',
        expected: 'an answer to GET /health that the check can read',
      });
      expect(result.observed).toMatch(/^200 \{"status":"healthy".*\(Cannot read properties of undefined/);
      expect(JSON.stringify(result)).not.toMatch(/at .*\.ts:\d+/);
    } finally {
      await server.close();
    }
  });
});

describe('clean output', () => {
  it('progress counts what the summary counts', async () => {
    const events: Array<{ index: number; total: number; done: boolean }> = [];
    const report = await runConformance(
      { ...defaultOptions(), seed: 3, runs: 2, only: ['contract', 'tokens.claims'] },
      {
        contract,
        startReference: () => startReferenceServer(),
        onProgress: ({ index, total, result }) => void events.push({ index, total, done: result !== undefined }),
      },
    );
    const finished = events.filter((event) => event.done);
    const counted = Object.values(report.summary).reduce((sum, n) => sum + n, 0);
    expect(counted).toBe(report.results.length);
    expect(finished).toHaveLength(counted);
    expect(new Set(events.map((event) => event.total))).toEqual(new Set([counted]));
    expect(finished.at(-1)!.index + 1).toBe(counted);
  });

  it('a JSON report on stdout is only the report; the rest goes to stderr', async () => {
    const { main } = await import('../../conformance/cli/cli.js');
    const { vi } = await import('vitest');
    const out: string[] = [];
    const err: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => err.push(String(chunk)) > 0);
    let code: number;
    try {
      code = await main(['--only', 'contract.public', '--seed', '2', '--report', 'json', '--verbose'], {});
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
    expect(code).toBe(0);
    const parsed = JSON.parse(out.join('')) as { tool: string };
    expect(parsed.tool).toBe('grantex-conformance');
    expect(err.join('')).toMatch(/→ GET \/health 200/);
  });
});

describe('--keep-on-failure', () => {
  it('keeps what the failing check created, so its transcript can be re-run with the throwaway key', async () => {
    const server = await startReferenceServer({ faults: ['pkce-ignored'], onError: () => undefined });
    try {
      const options = {
        ...defaultOptions(),
        baseUrl: server.url,
        seed: 6,
        runs: 1,
        only: ['tokens.pkce', 'tokens.claims'],
      };
      const kept = await runConformance({ ...options, keepOnFailure: true }, { contract });
      expect(kept.results.find((r) => r.id === 'tokens.pkce')?.status).toBe('fail');
      expect(kept.cleanup.kept?.length).toBeGreaterThan(0);
      expect(kept.cleanup.kept!.every((what) => /\(.*tokens\.pkce.*\)$/.test(what))).toBe(true);
      const agentId = /agent (ag_\w+)/.exec(kept.cleanup.kept!.join(' '))![1]!;
      const key = kept.createdKeys!.find((k) => k.label === 'GRANTEX_RUN_API_KEY')!.secret;
      const read = await fetch(`${server.url}/v1/agents/${agentId}`, { headers: { authorization: `Bearer ${key}` } });
      expect(read.status).toBe(200);
      // Without the flag the same run leaves nothing behind.
      const cleaned = await runConformance(options, { contract });
      expect(cleaned.cleanup.kept).toBeUndefined();
      const again = await fetch(`${server.url}/v1/agents`, {
        headers: {
          authorization: `Bearer ${cleaned.createdKeys!.find((k) => k.label === 'GRANTEX_RUN_API_KEY')!.secret}`,
        },
      });
      expect(((await again.json()) as { agents: unknown[] }).agents).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
