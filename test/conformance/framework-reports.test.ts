/**
 * @module test/conformance/framework-reports
 * The conformance framework's reporters: JSON parses back, JUnit is
 * well-formed XML with the right verdicts, text shows each failure in full.
 */
import { describe, expect, it } from 'vitest';
import { renderJson } from '../../conformance/report/json.js';
import { renderJunit } from '../../conformance/report/junit.js';
import { renderText } from '../../conformance/report/text.js';
import type { RunReport } from '../../conformance/runner.js';
import { parseXml } from './xml.js';

function sampleReport(): RunReport {
  const weird = 'expected <a> & "b" \u0001 \'c\' ü';
  return {
    tool: 'grantex-conformance',
    runId: 'gxc-test',
    baseUrl: 'http://127.0.0.1:1',
    reference: false,
    startedAt: '2026-11-28T12:00:00.000Z',
    durationMs: 1234,
    seed: 42,
    runs: 20,
    extensions: { policies: true, sso: false },
    results: [
      {
        id: 'tokens.claims',
        area: 'tokens',
        clause: 'SPEC §6.2',
        level: 'MUST',
        title: 'claims',
        status: 'pass',
        durationMs: 10,
        requests: 3,
        runs: { requested: 20, granted: 5, executed: 5, adaptedBecause: 'rate limit' },
        notes: [],
      },
      {
        id: 'delegation.subset',
        area: 'delegation',
        clause: 'SPEC §9 <subset>',
        level: 'MUST',
        title: 'subset & more',
        status: 'fail',
        durationMs: 20,
        requests: 4,
        message: weird,
        expected: 'status 400',
        observed: 'status 201 {"scp":["x"]}',
        seed: 42,
        path: '3:1',
        counterexample: '[["a"]]',
        replay: '--only delegation.subset --seed 42 --replay 3:1',
        transcript: ['curl -sS -i -X POST --data-binary \'{"a":"<b>"}\' \'http://127.0.0.1:1/v1/x\'\n#  → 201 {}'],
        deterministic: true,
        notes: ['shrunk'],
      },
      {
        id: 'policies.deny-wins-tie',
        area: 'policies',
        clause: 'SPEC §11.4',
        level: 'SHOULD',
        title: 'tie',
        status: 'warn',
        durationMs: 5,
        requests: 2,
        message: 'allow won',
        notes: [],
      },
      {
        id: 'sso.config',
        area: 'sso',
        clause: 'SPEC §12.2',
        level: 'MUST',
        title: 'sso',
        extension: 'sso',
        status: 'not-implemented',
        durationMs: 0,
        requests: 0,
        message: 'not offered',
        notes: [],
      },
      {
        id: 'webhooks.delivery',
        area: 'webhooks',
        clause: 'SPEC §10.2',
        level: 'MUST',
        title: 'hooks',
        status: 'skip',
        durationMs: 0,
        requests: 1,
        message: 'unreachable receiver',
        notes: [],
      },
    ],
    summary: { pass: 1, fail: 1, warn: 1, 'not-implemented': 1, skip: 1 },
    byArea: {
      tokens: { pass: 1, fail: 0, warn: 0, 'not-implemented': 0, skip: 0 },
      delegation: { pass: 0, fail: 1, warn: 0, 'not-implemented': 0, skip: 0 },
      policies: { pass: 0, fail: 0, warn: 1, 'not-implemented': 0, skip: 0 },
      sso: { pass: 0, fail: 0, warn: 0, 'not-implemented': 1, skip: 0 },
      webhooks: { pass: 0, fail: 0, warn: 0, 'not-implemented': 0, skip: 1 },
    },
    requests: 10,
    rateLimitWaitMs: 0,
    learnedLimits: [{ route: 'POST /v1/authorize', limit: 10, longestWaitS: 51 }],
    cleanup: { deleted: 3, failed: [] },
    notes: ['a note'],
    exitCode: 1,
  };
}

describe('reporters', () => {
  it('json is the report, and parses back', () => {
    const report = sampleReport();
    expect(JSON.parse(renderJson(report))).toEqual(report);
  });

  it('junit is well-formed XML with one suite per area and the right verdict elements', () => {
    const report = sampleReport();
    const root = parseXml(renderJunit(report));
    expect(root.name).toBe('testsuites');
    expect(root.attributes).toMatchObject({ tests: '5', failures: '1', skipped: '2' });
    const cases = root.children.flatMap((suite) => suite.children);
    expect(root.children.map((suite) => suite.name)).toEqual(Array(5).fill('testsuite'));
    expect(cases).toHaveLength(5);
    const failed = cases.find((c) => c.attributes['name']!.startsWith('delegation.subset'))!;
    const failure = failed.children.find((child) => child.name === 'failure')!;
    // Escaping round-trips (the control character is dropped: XML 1.0 cannot carry it).
    expect(failure.attributes['message']).toBe(report.results[1]!.message!.replace('\u0001', ''));
    expect(failure.text).toContain('curl -sS -i -X POST --data-binary \'{"a":"<b>"}\'');
    expect(cases.filter((c) => c.children.some((child) => child.name === 'skipped'))).toHaveLength(2);
    const warned = cases.find((c) => c.attributes['name']!.startsWith('policies.deny-wins-tie'))!;
    expect(warned.children.map((child) => child.name)).toEqual(['system-out']);
  });

  it('the XML check itself rejects malformed documents', () => {
    expect(() => parseXml('<a><b></a>')).toThrow(SyntaxError);
    expect(() => parseXml('<a x="1" x="2"/>')).toThrow(SyntaxError);
    expect(() => parseXml('<a>fish & chips</a>')).toThrow(SyntaxError);
    expect(() => parseXml('<a b=c/>')).toThrow(SyntaxError);
    expect(parseXml('<a b="&lt;&#x41;">t&amp;u</a>')).toMatchObject({ attributes: { b: '<A' }, text: 't&u' });
  });

  it('junit reports a run that could not start as an error', () => {
    const report = { ...sampleReport(), results: [], fatal: 'server unreachable <here>', exitCode: 2 as const };
    const root = parseXml(renderJunit(report));
    expect(root.attributes['errors']).toBe('1');
    expect(root.children[0]!.children[0]!.children[0]!.attributes['message']).toBe('server unreachable <here>');
  });

  it('text has the table by area, each failure with clause, expected/observed, replay and transcript', () => {
    const text = renderText(sampleReport());
    expect(text).toMatch(/area\s+pass\s+fail\s+warn\s+n\/i\s+skip/);
    expect(text).toMatch(/delegation\s+0\s+1\s+0\s+0\s+0/);
    expect(text).toContain('✗ delegation.subset [MUST] SPEC §9 <subset>');
    expect(text).toContain('expected: status 400');
    expect(text).toContain('observed: status 201');
    expect(text).toContain(
      'replay: npm run conformance -- --base-url http://127.0.0.1:1 --only delegation.subset --seed 42 --replay 3:1',
    );
    expect(text).toContain('    curl -sS -i -X POST');
    expect(text).toContain('! policies.deny-wins-tie [SHOULD]');
    expect(text).toContain('RESULT: FAIL — 1 MUST check(s) failed');
  });
});
