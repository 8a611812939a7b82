// The conformance framework itself: command line, recorder (429, budget, pacing,
// transcripts), spec validation, reporters, seeds and replay, exit codes.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckFailure, type Check } from '../../conformance/engine/check.js';
import { main, parseCommandLine, UsageError } from '../../conformance/cli/cli.js';
import { ContractValidator } from '../../conformance/http/contract.js';
import {
  BudgetExhausted,
  Http,
  retryAfterSeconds,
  routeOf,
  toCurl,
  type Exchange,
} from '../../conformance/http/http.js';
import { defaultOptions } from '../../conformance/engine/options.js';
import { renderJson } from '../../conformance/report/json.js';
import { renderJunit } from '../../conformance/report/junit.js';
import { renderText } from '../../conformance/report/text.js';
import { deriveSeed, runConformance, selectChecks, type RunReport } from '../../conformance/runner.js';
import { ALL_CHECKS } from '../../conformance/checks/index.js';
import {
  customScope,
  durationSeconds,
  expiresInOverDay,
  expiresInWithinDay,
  metadata,
  scope,
  scopes,
  scopeOutside,
  scopeSubset,
} from '../../conformance/model/arbitraries.js';
import { startReferenceServer } from '../../conformance/reference/server.js';
import { parseXml } from './xml.js';

const contract = ContractValidator.fromFile();

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

describe('recorder', () => {
  let server: Server;
  let base: string;
  let hits = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      hits++;
      if (request.url === '/limited' && hits % 2 === 1) {
        response
          .writeHead(429, { 'retry-after': '1', 'x-ratelimit-limit': '4', 'content-type': 'application/json' })
          .end('{"message":"slow down","code":"RATE_LIMITED","requestId":"r"}');
        return;
      }
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ url: request.url, auth: request.headers.authorization ?? null }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const make = (overrides: Partial<ConstructorParameters<typeof Http>[0]> = {}) =>
    new Http({ baseUrl: base, timeoutMs: 2000, maxRps: 0, budget: 100, maxRetryAfterS: 5, ...overrides });

  it('waits out a 429 Retry-After, retries, records both answers and learns the limit', async () => {
    hits = 0;
    const http = make();
    const capture = http.capture();
    const started = Date.now();
    const exchange = await http.request({ method: 'GET', path: '/limited' });
    expect(exchange.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(capture.stop().map((e) => e.status)).toEqual([429, 200]);
    expect(http.requestCount).toBe(2);
    expect(http.learnedLimits).toEqual([{ route: 'GET /limited', limit: 4, longestWaitS: 1 }]);
  });

  it('skips instead of waiting longer than --max-retry-after', async () => {
    hits = 0;
    const http = make({ maxRetryAfterS: 0 });
    await expect(http.request({ method: 'GET', path: '/limited' })).rejects.toThrow(/exceeds the 0s limit/);
  });

  it('stops at the request budget', async () => {
    const http = make({ budget: 2 });
    await http.request({ method: 'GET', path: '/a' });
    await http.request({ method: 'GET', path: '/b' });
    await expect(http.request({ method: 'GET', path: '/c' })).rejects.toBeInstanceOf(BudgetExhausted);
    expect(http.requestCount).toBe(2);
  });

  it('paces requests to --max-rps', async () => {
    const http = make({ maxRps: 20 });
    const started = Date.now();
    for (let i = 0; i < 5; i++) await http.request({ method: 'GET', path: '/p' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('prints curl transcripts without the secret', async () => {
    const http = make();
    const exchange = await http.request({
      method: 'POST',
      path: '/v1/x',
      auth: { label: 'GRANTEX_API_KEY', secret: 'gx_live_supersecret' },
      json: { a: "it's" },
    });
    expect((exchange.body as { auth: string }).auth).toBe('Bearer gx_live_supersecret');
    const curl = toCurl(exchange, http.redact);
    expect(curl).not.toContain('supersecret');
    expect(curl).toContain('"auth":"Bearer $GRANTEX_API_KEY"');
    expect(curl).toContain('"authorization: Bearer $GRANTEX_API_KEY"');
    expect(curl).toContain(`--data-binary '{"a":"it'\\''s"}'`);
    expect(curl).toMatch(/# {2}→ 200 /);
  });

  it('collapses ids into routes and reads Retry-After forms', () => {
    expect(routeOf('/v1/agents/ag_01M8H3D6A60QZ1Z8Z6GZBQ32QD?x=1')).toBe('/v1/agents/{}');
    expect(retryAfterSeconds('12')).toBe(12);
    expect(retryAfterSeconds(undefined)).toBe(5);
    expect(retryAfterSeconds(new Date(Date.now() + 3000).toUTCString())).toBeLessThanOrEqual(3);
  });
});

describe('spec validation', () => {
  const exchange = (overrides: Partial<Exchange>): Exchange => ({
    seq: 1,
    method: 'GET',
    url: 'http://x/health',
    target: '/health',
    requestHeaders: {},
    status: 200,
    responseHeaders: { 'content-type': 'application/json' },
    responseText: '{"status":"healthy"}',
    body: { status: 'healthy' },
    durationMs: 1,
    violations: [],
    ...overrides,
  });

  it('accepts a documented answer and names its operation', () => {
    const ok = exchange({});
    expect(contract.validate(ok)).toEqual([]);
    expect(ok.operationId).toBe('health');
  });

  it('flags an undocumented status, a bad body, a bad header and a non-error error body', () => {
    expect(contract.validate(exchange({ status: 418 }))[0]).toMatch(/status 418 is not documented for health/);
    const agent = exchange({
      method: 'GET',
      target: '/v1/agents/ag_1',
      responseText: '{"agentId":"ag_1"}',
      body: { agentId: 'ag_1' },
    });
    expect(contract.validate(agent).join()).toMatch(/must have required property 'did'/);
    const header = exchange({ responseHeaders: { 'content-type': 'application/json', 'x-ratelimit-limit': 'lots' } });
    expect(contract.validate(header)).toEqual(['header x-ratelimit-limit: "lots" must be integer']);
    const error = exchange({
      method: 'GET',
      target: '/v1/agents/ag_1',
      status: 404,
      responseText: '{"error":"nope"}',
      body: { error: 'nope' },
    });
    expect(contract.validate(error).join()).toMatch(/required property 'message'/);
  });

  it('prefers literal path segments over parameters', () => {
    expect(contract.match('GET', '/v1/audit/entries')?.operationId).toBe('auditList');
    expect(contract.match('GET', '/v1/audit/alog_1')?.operationId).toBe('auditGet');
  });
});

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

describe('arbitraries', () => {
  it('scopes follow the SPEC §4 grammar; custom scopes use reverse-domain notation', () => {
    fc.assert(
      fc.property(scope, (value) => /^([a-z0-9]+\.)*[a-z][a-z0-9_]*:[a-z][a-z0-9_]*(:[a-z0-9_]+)?$/.test(value)),
    );
    fc.assert(
      fc.property(customScope, (value) =>
        /^(com|io|org|dev|net)\.([a-z0-9]+\.)+[a-z][a-z0-9_]*:[a-z][a-z0-9_]*(:max_\d+)?$/.test(value),
      ),
    );
    fc.assert(
      fc.property(scopes(5), (list) => list.length >= 1 && list.length <= 5 && new Set(list).size === list.length),
    );
  });

  it('subsets stay inside their parent and outside scopes stay outside', () => {
    const parentAndSubset = scopes(6).chain((parent) =>
      fc.tuple(fc.constant(parent), scopeSubset(parent), scopeOutside(parent)),
    );
    fc.assert(
      fc.property(
        parentAndSubset,
        ([parent, subset, outside]) =>
          subset.length > 0 && subset.every((s) => parent.includes(s)) && !parent.includes(outside),
      ),
    );
  });

  it('metadata survives a JSON round trip and avoids keys that JSON parsers refuse', () => {
    fc.assert(
      fc.property(metadata, (value) => {
        const text = JSON.stringify(value);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(JSON.parse(text))));
        expect(text).not.toMatch(/"(__proto__|constructor|prototype)":/);
        expect(text).not.toContain('\\u0000');
      }),
    );
  });

  it('expiresIn values say what they last', () => {
    fc.assert(
      fc.property(
        expiresInWithinDay,
        (d) => durationSeconds(d.text) === d.seconds && d.seconds >= 120 && d.seconds <= 86_400,
      ),
    );
    fc.assert(fc.property(expiresInOverDay, (d) => durationSeconds(d.text) === d.seconds && d.seconds > 86_400));
  });
});
