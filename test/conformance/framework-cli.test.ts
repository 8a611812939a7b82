/**
 * @module test/conformance/framework-cli
 * The conformance command line: defaults, every option, check selection,
 * exit codes, and a run end to end that writes JSON and JUnit reports.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, parseCommandLine, UsageError } from '../../conformance/cli/cli.js';
import { selectChecks, type RunReport } from '../../conformance/runner.js';
import { ALL_CHECKS } from '../../conformance/checks/index.js';
import { parseXml } from './xml.js';

describe('command line', () => {
  it('has documented defaults', () => {
    const { options } = parseCommandLine([]);
    expect(options).toMatchObject({
      apiKeys: [],
      runs: 20,
      timeoutMs: 10_000,
      maxRps: 0,
      report: 'text',
      approval: 'auto',
      signup: true,
    });
    expect(options.baseUrl).toBeUndefined();
  });

  it('reads every option', () => {
    const { options } = parseCommandLine([
      '--base-url',
      'http://127.0.0.1:3001/',
      '--api-key',
      'gx_live_a',
      '--api-key',
      'gx_test_b',
      '--scim-token',
      's',
      '--only',
      'tokens,delegation',
      '--only',
      'audit',
      '--skip',
      'tokens.pkce',
      '--runs',
      '7',
      '--seed',
      '99',
      '--replay',
      '2:0:1',
      '--timeout',
      '3',
      '--max-rps',
      '5',
      '--budget',
      '500',
      '--report',
      'junit',
      '--out',
      '/tmp/x.xml',
      '--approval',
      'consent',
      '--no-signup',
      '--receiver-host',
      '10.0.0.2',
      '--webhook-wait',
      '2',
      '--verbose',
    ]);
    expect(options).toMatchObject({
      baseUrl: 'http://127.0.0.1:3001',
      apiKeys: ['gx_live_a', 'gx_test_b'],
      scimToken: 's',
      only: ['tokens', 'delegation', 'audit'],
      skip: ['tokens.pkce'],
      runs: 7,
      seed: 99,
      replay: '2:0:1',
      timeoutMs: 3000,
      maxRps: 5,
      budget: 500,
      report: 'junit',
      out: '/tmp/x.xml',
      approval: 'consent',
      signup: false,
      receiverHost: '10.0.0.2',
      webhookWaitMs: 2000,
      verbose: true,
    });
  });

  it('takes the key from GRANTEX_API_KEY', () => {
    expect(parseCommandLine([], { GRANTEX_API_KEY: 'gx_test_env' }).options.apiKeys).toEqual(['gx_test_env']);
  });

  it.each([
    [['--runs', '0']],
    [['--runs', 'many']],
    [['--report', 'pdf']],
    [['--replay', '1:2']],
    [['--seed', '1', '--replay', 'abc']],
    [['--base-url', 'ftp://x']],
    [['--approval', 'maybe']],
    [['--bogus']],
    [['--api-key', 'a', '--api-key', 'b', '--api-key', 'c']],
  ])('refuses %j', (argv) => {
    expect(() => parseCommandLine(argv)).toThrow(UsageError);
  });

  it('selects checks by area and id, and refuses unknown names', () => {
    const tokens = selectChecks(ALL_CHECKS, { only: ['tokens'], skip: ['tokens.pkce'] });
    expect(tokens.length).toBeGreaterThan(3);
    expect(tokens.every((check) => check.area === 'tokens' && check.id !== 'tokens.pkce')).toBe(true);
    expect(selectChecks(ALL_CHECKS, { only: ['audit.chain'], skip: [] }).map((c) => c.id)).toEqual(['audit.chain']);
    expect(() => selectChecks(ALL_CHECKS, { only: ['nope'], skip: [] })).toThrow(/unknown area or check/);
  });

  it('every check names a clause, a level and a unique id in its area', () => {
    const ids = new Set<string>();
    for (const check of ALL_CHECKS) {
      expect(check.id.startsWith(`${check.area}.`)).toBe(true);
      expect(check.clause.length).toBeGreaterThan(5);
      expect(['MUST', 'SHOULD']).toContain(check.level);
      expect(ids.has(check.id)).toBe(false);
      ids.add(check.id);
    }
  });
});

describe('the CLI end to end', () => {
  it('runs against the in-process reference server and writes JSON and JUnit reports that parse', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gxc-'));
    try {
      const only = ['--only', 'contract.public,tokens.code-single-use,audit.read', '--seed', '5'];
      expect(await main([...only, '--report', 'json', '--out', join(dir, 'report.json')], {})).toBe(0);
      const json = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as RunReport;
      expect(json.exitCode).toBe(0);
      expect(json.results.filter((r) => !r.id.startsWith('contract.op.')).map((r) => [r.id, r.status])).toEqual([
        ['contract.public', 'pass'],
        ['tokens.code-single-use', 'pass'],
        ['audit.read', 'pass'],
      ]);
      expect(json.requests).toBeGreaterThan(10);

      expect(await main([...only, '--report', 'junit', '--out', join(dir, 'report.xml')], {})).toBe(0);
      const xml = parseXml(readFileSync(join(dir, 'report.xml'), 'utf8'));
      expect(xml.attributes['failures']).toBe('0');
      expect(xml.children.map((suite) => suite.attributes['name'])).toEqual([
        'contract',
        'tokens',
        'audit',
        'coverage',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 on a bad command line', async () => {
    expect(await main(['--runs', 'lots'], {})).toBe(2);
  });
});
