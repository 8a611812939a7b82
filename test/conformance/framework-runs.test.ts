/**
 * @module test/conformance/framework-runs
 * Runs of the conformance framework: stable per-check seeds, exit 2 when
 * the server is unreachable or the key refused, and --replay reproducing a
 * property failure.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CheckFailure, type Check } from '../../conformance/engine/check.js';
import { ContractValidator } from '../../conformance/http/contract.js';
import { defaultOptions } from '../../conformance/engine/options.js';
import { deriveSeed, runConformance } from '../../conformance/runner.js';
import { startReferenceServer } from '../../conformance/reference/server.js';

const contract = ContractValidator.fromFile();

describe('runs', () => {
  it('derives stable per-check seeds', () => {
    expect(deriveSeed(1, 'tokens.claims')).toBe(deriveSeed(1, 'tokens.claims'));
    expect(deriveSeed(1, 'tokens.claims')).not.toBe(deriveSeed(2, 'tokens.claims'));
    expect(deriveSeed(1, 'tokens.claims')).not.toBe(deriveSeed(1, 'tokens.pkce'));
  });

  it('exits 2 when the server is unreachable', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const report = await runConformance(
      { ...defaultOptions(), baseUrl: `http://127.0.0.1:${port}`, apiKeys: ['gx_test_x'] },
      { contract },
    );
    expect(report.exitCode).toBe(2);
    expect(report.fatal).toMatch(/unreachable/);
  });

  it('exits 2 when the API key is refused', async () => {
    const server = await startReferenceServer();
    try {
      const report = await runConformance(
        { ...defaultOptions(), baseUrl: server.url, apiKeys: ['gx_live_not_a_real_key_000000'] },
        { contract },
      );
      expect(report.exitCode).toBe(2);
      expect(report.fatal).toMatch(/the API key from --api-key was refused \(401/);
    } finally {
      await server.close();
    }
  });

  it('reports a property failure with seed and path, and --replay reproduces the same counterexample', async () => {
    const failing: Check = {
      id: 'contract.synthetic',
      area: 'contract',
      clause: 'test only',
      level: 'MUST',
      title: 'fails for large numbers',
      property: { requests: 1 },
      async run(ctx) {
        await ctx.property([fc.integer({ min: 0, max: 1000 })], async (n) => {
          await ctx.http.request({ method: 'GET', path: '/health', query: { n } });
          if (n >= 500) throw new CheckFailure(`n = ${n} is too large`, 'n < 500', String(n));
        });
      },
    };
    const hooks = { contract, checks: [failing], startReference: () => startReferenceServer() };
    const first = await runConformance({ ...defaultOptions(), seed: 7, runs: 50 }, hooks);
    const result = first.results.find((r) => r.id === 'contract.synthetic')!;
    expect(first.exitCode).toBe(1);
    expect(result).toMatchObject({ status: 'fail', seed: 7, counterexample: '[500]', observed: '500' });
    expect(result.transcript!.join('\n')).toMatch(/curl -sS -i -X GET 'http:\/\/127\.0\.0\.1:\d+\/health\?n=500'/);
    expect(result.transcript).toHaveLength(1);

    const replay = await runConformance(
      { ...defaultOptions(), seed: 7, runs: 50, replay: result.path!, only: ['contract.synthetic'] },
      hooks,
    );
    const again = replay.results.find((r) => r.id === 'contract.synthetic')!;
    expect(again).toMatchObject({ status: 'fail', counterexample: '[500]' });
    expect(again.requests).toBe(1);
  });
});
