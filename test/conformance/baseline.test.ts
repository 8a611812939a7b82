/**
 * @module test/conformance/baseline
 * Known deviations: --write-baseline records a run's failures, --expect makes
 * them expected (exit 0), anything new fails (exit 1), and an entry for a
 * deviation that is gone makes the baseline stale (exit 2).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseBaseline } from '../../conformance/engine/baseline.js';
import { main } from '../../conformance/cli/cli.js';
import { startReferenceServer, type ReferenceServer } from '../../conformance/reference/server.js';
import type { RunReport } from '../../conformance/runner.js';

describe('--expect and --write-baseline', () => {
  let faulty: ReferenceServer;
  let healthy: ReferenceServer;
  let dir: string;
  const quiet = () => [
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true),
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true),
  ];

  beforeAll(async () => {
    faulty = await startReferenceServer({ faults: ['pkce-ignored'], onError: () => undefined });
    healthy = await startReferenceServer();
    dir = mkdtempSync(join(tmpdir(), 'gxc-baseline-'));
  });
  afterAll(async () => {
    await faulty?.close();
    await healthy?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(url: string, extra: string[]): Promise<{ code: number; report: RunReport }> {
    const out = join(dir, `report-${Math.random().toString(36).slice(2)}.json`);
    const spies = quiet();
    let code: number;
    try {
      code = await main(
        [
          '--base-url',
          url,
          '--only',
          'tokens.pkce,tokens.claims',
          '--seed',
          '4',
          '--runs',
          '2',
          '--report',
          'json',
          '--out',
          out,
          ...extra,
        ],
        {},
      );
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    return { code, report: JSON.parse(readFileSync(out, 'utf8')) as RunReport };
  }

  it('records the failures of a run, then exits 0 on the same deviation and 1 on a new one', async () => {
    const file = join(dir, 'baseline.yaml');
    const first = await run(faulty.url, ['--write-baseline', file]);
    expect(first.code).toBe(1);
    const written = parseBaseline(readFileSync(file, 'utf8'), file);
    expect(written.entries.map((entry) => [entry.check, entry.level])).toEqual([['tokens.pkce', 'MUST']]);
    expect(written.entries[0]!.message).toBeTruthy();
    expect(written.warnings).toEqual([]);
    expect(written.entries[0]!.reason).toMatch(/^recorded \d{4}-\d\d-\d\d/);

    const known = await run(faulty.url, ['--expect', file]);
    expect(known.code).toBe(0);
    expect(known.report.baseline).toMatchObject({
      unexpectedFailures: [],
      unexpectedPasses: [],
      expected: [{ check: 'tokens.pkce', level: 'MUST', status: 'fail' }],
    });
    expect(known.report.results.find((r) => r.id === 'tokens.pkce')?.expectedBecause).toBe(written.entries[0]!.reason);

    // The deviation is gone: the entry is stale, and a stale baseline is an error (exit 2) until it is removed.
    const fixed = await run(healthy.url, ['--expect', file]);
    expect(fixed.code).toBe(2);
    expect(fixed.report.baseline?.unexpectedPasses.map((entry) => entry.check)).toEqual(['tokens.pkce']);
  });

  it('keeps unexpected failures and unexpected passes apart (JSON baseline)', async () => {
    const file = join(dir, 'other.json');
    writeFileSync(file, JSON.stringify({ expected: [{ check: 'tokens.claims', level: 'MUST', reason: 'ticket 7' }] }));
    const result = await run(faulty.url, ['--expect', file]);
    expect(result.code).toBe(2);
    expect(result.report.baseline).toMatchObject({
      unexpectedFailures: [{ check: 'tokens.pkce', level: 'MUST', status: 'fail' }],
      unexpectedPasses: [{ check: 'tokens.claims', reason: 'ticket 7' }],
      expected: [],
    });
  });

  it('a listed check whose level differs does not excuse its failure', async () => {
    const file = join(dir, 'level.json');
    writeFileSync(file, JSON.stringify({ expected: [{ check: 'tokens.pkce', level: 'SHOULD', reason: 'old level' }] }));
    const result = await run(faulty.url, ['--expect', file]);
    expect(result.code).toBe(1);
    expect(result.report.baseline?.notJudged).toEqual([
      { check: 'tokens.pkce', level: 'SHOULD', reason: 'old level', why: 'the check is now MUST' },
    ]);
  });

  it('refuses a malformed baseline with exit 2', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'expected:\n  - check: tokens.pkce\n    level: MAYBE\n    reason: x\n');
    const spies = quiet();
    try {
      expect(await main(['--expect', file], {})).toBe(2);
      expect(await main(['--expect', join(dir, 'missing.json')], {})).toBe(2);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(() => parseBaseline('expected:\n  - check: a\n    level: MAYBE\n    reason: x\n', 'b.yaml')).toThrow(
      /"level" must be MUST or SHOULD/,
    );
    expect(() => parseBaseline('{"expected": [{"check": "a", "level": "MUST"}]}', 'b.json')).toThrow(/"reason"/);
  });
});
