/**
 * @module test/conformance/baseline-findings
 * Baselines per finding: an entry names the check and, for checks that report
 * findings, the operation, status and a part of the message; `until` makes it
 * lapse; a new finding of a listed check is unexpected; an entry that matches
 * nothing is stale (exit 2); an unknown id is a usage error naming the nearest
 * id; an entry naming only the check still loads, with a deprecation warning.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError, parseCommandLine } from '../../conformance/cli/cli.js';
import { applyBaseline, baselineIsStale, parseBaseline, writeBaseline } from '../../conformance/engine/baseline.js';
import type { Finding } from '../../conformance/engine/findings.js';
import type { CheckResult } from '../../conformance/engine/types.js';

function finding(operationId: string, status: number, message: string): Finding {
  return {
    operationId,
    status,
    message,
    expected: 'x',
    observed: 'y',
    counterexample: '',
    seed: 1,
    path: '0.0',
    replay: '',
    transcript: [],
    deterministic: true,
    shrinks: 0,
  };
}

function fuzzResult(findings: Finding[]): CheckResult {
  return {
    id: 'fuzz.response-valid',
    area: 'fuzz',
    clause: 'c',
    level: 'MUST',
    title: 't',
    status: findings.length ? 'fail' : 'pass',
    durationMs: 1,
    requests: 1,
    notes: [],
    ...(findings.length ? { message: findings[0]!.message, findings } : {}),
  };
}

const yaml = (entries: string) => parseBaseline(`expected:\n${entries}`, 'b.yaml');

describe('baselines per finding', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gxc-bf-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const listed = yaml(
    '  - {check: fuzz.response-valid, level: MUST, operation: agentsCreate, status: 201, message: breaks the spec, reason: ticket 1}\n',
  );

  it('excuses exactly the finding it names', () => {
    const result = fuzzResult([finding('agentsCreate', 201, 'agentsCreate: the 201 answer breaks the spec')]);
    const outcome = applyBaseline([result], listed, '2026-01-01');
    expect(outcome.unexpectedFailures).toEqual([]);
    expect(outcome.expected).toMatchObject([
      { check: 'fuzz.response-valid', operation: 'agentsCreate', findingStatus: 201, status: 'fail' },
    ]);
    expect(result.expectedBecause).toBe('ticket 1');
    expect(baselineIsStale(outcome)).toBe(false);
  });

  it('a new finding of a listed check is unexpected', () => {
    const result = fuzzResult([
      finding('agentsCreate', 201, 'agentsCreate: the 201 answer breaks the spec'),
      finding('grantsList', 200, 'grantsList: the 200 answer breaks the spec'),
    ]);
    const outcome = applyBaseline([result], listed, '2026-01-01');
    expect(outcome.unexpectedFailures).toEqual([
      {
        check: 'fuzz.response-valid',
        level: 'MUST',
        status: 'fail',
        operation: 'grantsList',
        findingStatus: 200,
        message: 'grantsList: the 200 answer breaks the spec',
      },
    ]);
    expect(result.expectedBecause).toBeUndefined();
  });

  it('another status or message of the same operation is unexpected, and the entry is stale', () => {
    const result = fuzzResult([finding('agentsCreate', 400, 'agentsCreate: the 400 answer lacks a field')]);
    const outcome = applyBaseline([result], listed, '2026-01-01');
    expect(outcome.unexpectedFailures).toHaveLength(1);
    expect(outcome.stale).toHaveLength(1);
    expect(outcome.stale[0]!.why).toMatch(/nearest: agentsCreate 400/);
    expect(baselineIsStale(outcome)).toBe(true);
  });

  it('an entry past its until date excuses nothing', () => {
    const dated = yaml(
      '  - {check: fuzz.response-valid, level: MUST, operation: agentsCreate, message: breaks, until: 2026-03-01, reason: r}\n',
    );
    const failing = () => fuzzResult([finding('agentsCreate', 201, 'agentsCreate: the 201 answer breaks the spec')]);
    expect(applyBaseline([failing()], dated, '2026-03-01').unexpectedFailures).toEqual([]);
    const late = applyBaseline([failing()], dated, '2026-03-02');
    expect(late.unexpectedFailures).toHaveLength(1);
    expect(late.expired.map((entry) => entry.until)).toEqual(['2026-03-01']);
    expect(() => yaml('  - {check: a, level: MUST, until: soon, reason: r}\n')).toThrow(/"until" must be a date/);
  });

  it('an entry naming only the check covers the whole check, with a deprecation warning', () => {
    const old = yaml('  - {check: fuzz.response-valid, level: MUST, reason: old file}\n');
    expect(old.warnings).toEqual([expect.stringMatching(/covers every finding .*deprecated/)]);
    const result = fuzzResult([finding('a', 1, 'm1'), finding('b', 2, 'm2')]);
    expect(applyBaseline([result], old, '2026-01-01').unexpectedFailures).toEqual([]);
  });

  it('a passing check makes its entry stale', () => {
    const outcome = applyBaseline([fuzzResult([])], listed, '2026-01-01');
    expect(outcome.unexpectedPasses).toHaveLength(1);
    expect(baselineIsStale(outcome)).toBe(true);
  });

  it('--write-baseline writes one entry per finding, which excuses the same run', () => {
    const result = fuzzResult([finding('agentsCreate', 201, 'm one'), finding('grantsList', 200, 'm two')]);
    const written = parseBaseline(writeBaseline([result], 'w.yaml', 'recorded'), 'w.yaml');
    expect(written.entries.map((entry) => [entry.operation, entry.status, entry.message])).toEqual([
      ['agentsCreate', 201, 'm one'],
      ['grantsList', 200, 'm two'],
    ]);
    expect(written.warnings).toEqual([]);
    expect(applyBaseline([fuzzResult(result.findings!)], written, '2026-01-01').unexpectedFailures).toEqual([]);
  });

  it('an unknown check id is a usage error naming the nearest id', () => {
    const file = join(dir, 'typo.yaml');
    writeFileSync(file, 'expected:\n  - {check: fuzz.respons-valid, level: MUST, reason: r}\n');
    expect(() => parseCommandLine(['--expect', file])).toThrow(UsageError);
    expect(() => parseCommandLine(['--expect', file])).toThrow(
      /unknown check "fuzz.respons-valid"; did you mean "fuzz.response-valid"/,
    );
  });
});

describe('bad options', () => {
  it.each([
    [['--only', 'tokns'], /--only: unknown area or check "tokns"; did you mean "tokens"/],
    [['--skip', 'tokens.pkcee'], /did you mean "tokens.pkce"/],
    [['--onlyy', 'x'], /unknown option --onlyy; did you mean "--only"/],
  ])('%j is a usage error with the nearest name', (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(message);
  });
});
