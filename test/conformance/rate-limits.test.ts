/**
 * @module test/conformance/rate-limits
 * A rate-limited server: limits are attributed to the route they belong to
 * (a developer-wide budget is not the route's), property checks keep their
 * random runs to what a window has to spare, and the verdicts are the ones an
 * unlimited server gets. (Durations are measured by the benchmark note, never
 * asserted here.)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ContractValidator } from '../../conformance/http/contract.js';
import { Http, SHARED_BUDGET } from '../../conformance/http/http.js';
import { defaultOptions } from '../../conformance/engine/options.js';
import { startReferenceServer } from '../../conformance/reference/server.js';
import { runConformance } from '../../conformance/runner.js';

const contract = ContractValidator.fromFile();

/** A server whose routes answer with scripted rate-limit headers. */
async function scripted(handler: (path: string, hit: number) => { status: number; headers: Record<string, string> }) {
  const hits = new Map<string, number>();
  const server = createServer((request, response) => {
    const path = request.url ?? '/';
    const hit = (hits.get(path) ?? 0) + 1;
    hits.set(path, hit);
    const { status, headers } = handler(path, hit);
    response
      .writeHead(status, { 'content-type': 'application/json', ...headers })
      .end(status === 429 ? '{"message":"slow down","code":"RATE_LIMITED","requestId":"r"}' : '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const limits = (limit: number, remaining: number) => ({
  'x-ratelimit-limit': String(limit),
  'x-ratelimit-remaining': String(remaining),
  'x-ratelimit-reset': '1',
});

describe('learned limits', () => {
  it('a 429 carrying the limit other routes showed is a developer-wide budget, not the route’s', async () => {
    const server = await scripted((path, hit) => {
      if (path === '/v1/agents') return { status: 200, headers: limits(100, 90) };
      // authorize shows its own limit of 10, then meets the developer-wide 100.
      if (hit === 1) return { status: 200, headers: limits(10, 9) };
      if (hit === 2) return { status: 429, headers: { ...limits(100, 0), 'retry-after': '0' } };
      return { status: 200, headers: limits(10, 8) };
    });
    try {
      const http = new Http({ baseUrl: server.url, timeoutMs: 2000, maxRps: 0, budget: 100, maxRetryAfterS: 5 });
      await http.request({ method: 'GET', path: '/v1/agents' });
      await http.request({ method: 'POST', path: '/v1/authorize', json: {} });
      await http.request({ method: 'POST', path: '/v1/authorize', json: {} });
      expect(http.learnedLimits).toEqual([{ route: SHARED_BUDGET, limit: 100, longestWaitS: 0 }]);
      expect(http.rateState('POST /v1/authorize')).toMatchObject({ limit: 10, remaining: 8 });
    } finally {
      await server.close();
    }
  });

  it('a 429 carrying the route’s own limit is the route’s', async () => {
    const server = await scripted((_path, hit) =>
      hit === 2
        ? { status: 429, headers: { ...limits(10, 0), 'retry-after': '0' } }
        : { status: 200, headers: limits(10, 10 - hit) },
    );
    try {
      const http = new Http({ baseUrl: server.url, timeoutMs: 2000, maxRps: 0, budget: 100, maxRetryAfterS: 5 });
      await http.request({ method: 'POST', path: '/v1/authorize', json: {} });
      await http.request({ method: 'POST', path: '/v1/authorize', json: {} });
      expect(http.learnedLimits).toEqual([{ route: 'POST /v1/authorize', limit: 10, longestWaitS: 0 }]);
    } finally {
      await server.close();
    }
  });
});

describe('a run against a server limiting authorize to 10 and token to 20 per window', () => {
  it('gives the verdicts of an unlimited server, keeping random runs to what each window spares', async () => {
    // A 4 s window instead of a minute: the same shape of limits, waits a test can afford.
    const options = { ...defaultOptions(), seed: 21, webhookWaitMs: 5_000 };
    const unlimited = await runConformance(options, { contract, startReference: () => startReferenceServer() });
    const limited = await runConformance(options, {
      contract,
      startReference: () => startReferenceServer({ rateLimits: { authorize: 10, token: 20, windowMs: 4_000 } }),
    });
    expect(unlimited.exitCode).toBe(0);
    const verdicts = (report: typeof limited) => Object.fromEntries(report.results.map((r) => [r.id, r.status]));
    expect(verdicts(limited)).toEqual(verdicts(unlimited));
    expect(limited.exitCode).toBe(0);
    // The limits were seen and planned for: fewer rate-limited calls than the unlimited run.
    const adapted = limited.results.filter((r) => r.runs && r.runs.granted < r.runs.requested);
    expect(adapted.length).toBeGreaterThan(3);
    expect(adapted.some((r) => /rate limit of POST \/v1\/(authorize|token)/.test(r.runs?.adaptedBecause ?? ''))).toBe(
      true,
    );
    expect(limited.requests).toBeLessThan(unlimited.requests);
  }, 600_000);
});

describe('checks that wait for an expiry, behind a rate-limit wait longer than the lifetime', () => {
  it('wait on the server’s clock from the issuance, so the wait before it does not make them judge too early', async () => {
    // One authorization per 6 s: the grant's authorize waits out the window after the held request's.
    const report = await runConformance(
      { ...defaultOptions(), seed: 5, only: ['tokens.after-expiry', 'tokens.after-expiry-code-refresh'] },
      {
        contract,
        startReference: () => startReferenceServer({ rateLimits: { authorize: 1, token: 100, windowMs: 6_000 } }),
      },
    );
    expect(report.results.map((r) => [r.id, r.status, r.message ?? ''])).toEqual([
      ['tokens.after-expiry', 'pass', ''],
      ['tokens.after-expiry-code-refresh', 'pass', ''],
    ]);
  }, 120_000);
});
