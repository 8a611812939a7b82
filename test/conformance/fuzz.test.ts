/**
 * @module test/conformance/fuzz
 * The fuzz area: its generator makes values its schemas admit and shrinks
 * them; each negative mutation breaks its request; it reports nothing on the
 * healthy reference server over 3 seeds (20 in fuzz.deep.test.ts); it catches each of its faults on a
 * fixed example, and the printed replay reproduces the finding; it never sends
 * a valid billing or SSO-configuration request; the reports show its findings
 * and coverage.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoFindings } from './sweeps/fuzz.js';
import { ContractValidator } from '../../conformance/http/contract.js';
import { mutationsOf, type RequestInput } from '../../conformance/fuzz/mutations.js';
import { fuzzOperations } from '../../conformance/fuzz/operations.js';
import { flatten, SchemaArbitraries } from '../../conformance/fuzz/schema.js';
import { defaultOptions, type RunOptions } from '../../conformance/engine/options.js';
import { Contract } from '../../conformance/reference/http/validate.js';
import { startReferenceServer, type FaultName, type ReferenceServer } from '../../conformance/reference/server.js';
import { renderJunit } from '../../conformance/report/junit.js';
import { renderText } from '../../conformance/report/text.js';
import { runConformance, type RunReport } from '../../conformance/runner.js';
import type { Exchange } from '../../conformance/http/http.js';
import { parseXml } from './xml.js';

const validator = ContractValidator.fromFile();
const spec = validator.spec;
const contract = new Contract(spec);
const operations = fuzzOperations(spec);

function options(extra: Partial<RunOptions>): RunOptions {
  return { ...defaultOptions(), only: ['fuzz'], runs: 10, seed: 1, webhookWaitMs: 1_000, ...extra };
}

function findingsOf(report: RunReport) {
  return report.results.flatMap((result) =>
    (result.findings ?? []).map((finding) => ({ check: result.id, ...finding })),
  );
}

describe('fuzz generator', () => {
  it('covers every operation of the spec', () => {
    expect(operations.map((op) => op.operationId).sort()).toEqual(
      validator.operations.map((op) => op.operationId).sort(),
    );
    expect(operations.map((op) => op.index)).toEqual(operations.map((_, i) => i));
  });

  it.each(operations.filter((op) => op.body).map((op) => [op.operationId, op] as const))(
    '%s: generated bodies are valid against the request schema',
    (operationId, op) => {
      const bodies = new SchemaArbitraries(spec).of(op.body!.schema);
      fc.assert(
        fc.property(bodies, (body) => {
          expect(contract.validateBody(operationId, body), JSON.stringify(body)).toBeUndefined();
        }),
        { numRuns: 60, seed: 7 },
      );
    },
  );

  it('shrinks: a failing property over a request body comes back minimal', () => {
    const bodies = new SchemaArbitraries(spec).of(flatten(spec, { $ref: '#/components/schemas/CreateAgentRequest' }));
    const details = fc.check(
      fc.property(bodies, (body) => !('description' in (body as object))),
      { seed: 3, numRuns: 200 },
    );
    expect(details.failed).toBe(true);
    // Minimal: the required name at its shortest and the description that makes it fail, at its shortest.
    const shrunk = details.counterexample![0] as Record<string, unknown>;
    expect(Object.keys(shrunk).sort()).toEqual(['description', 'name']);
    expect(shrunk['description']).toBe('');
    expect(String(shrunk['name']).length).toBeLessThanOrEqual(1);
    expect(details.numShrinks).toBeGreaterThan(0);
  });
});

describe('fuzz mutations', () => {
  // A valid base for each operation with a JSON object body, drawn once.
  const cases = operations.flatMap((op) => {
    if (!op.body) return [];
    const base = fc
      .sample(new SchemaArbitraries(spec).of(op.body.schema), { seed: 5, numRuns: 30 })
      .find((body) => contract.validateBody(op.operationId, body) === undefined);
    return base === undefined ? [] : [[op.operationId, op, base] as const];
  });

  it('has a valid base for most operations with a body', () => {
    expect(cases.length).toBeGreaterThanOrEqual(operations.filter((op) => op.body).length - 1);
  });

  it.each(cases)(
    '%s: every schema mutation makes the body invalid; raw ones are not JSON or not JSON-typed',
    (operationId, op, base) => {
      const input: RequestInput = { path: {}, query: {}, body: base };
      const mutations = mutationsOf({ root: spec, body: op.body!.schema, query: [] });
      expect(mutations.map((m) => m.kind)).toEqual(
        expect.arrayContaining(['malformed-json', 'wrong-content-type', 'wrong-type']),
      );
      for (const mutation of mutations) {
        const mutated = mutation.apply(input);
        if (mutation.kind === 'malformed-json') expect(() => JSON.parse(mutated.raw!.body), mutation.label).toThrow();
        else if (mutation.kind === 'wrong-content-type') expect(mutated.raw!.contentType).not.toMatch(/json/);
        else if (mutation.kind !== 'hostile-string')
          expect(contract.validateBody(operationId, mutated.input.body), mutation.label).toBeDefined();
      }
    },
  );

  it('has a bad value for every constrained query parameter', () => {
    // grantsList's status compares as given (any other value matches nothing), so it has no bad value; deliveries' has.
    const grants = operations.find((op) => op.operationId === 'grantsList')!;
    expect(mutationsOf({ root: spec, query: grants.query }).filter((m) => m.kind !== 'hostile-string')).toEqual([]);
    const list = operations.find((op) => op.operationId === 'webhooksListDeliveries')!;
    expect(
      mutationsOf({ root: spec, query: list.query })
        .map((m) => m.label)
        .join('\n'),
    ).toMatch(/gxc-not-in-enum/);
    const deliveries = operations.find((op) => op.operationId === 'webhooksListDeliveries')!;
    for (const mutation of mutationsOf({ root: spec, query: deliveries.query })) {
      const query = new URLSearchParams(
        Object.entries(mutation.apply({ path: {}, query: {} }).input.query).map(([k, v]) => [k, String(v)]),
      );
      expect(
        contract.validateParameters('webhooksListDeliveries', { webhookId: 'wh_1' }, query).message,
        mutation.label,
      ).toBeDefined();
    }
  });
});

describe('fuzz against the reference server', () => {
  let server: ReferenceServer;

  beforeAll(async () => {
    server = await startReferenceServer({ webhookRetryDelaysMs: [], validateResponses: true });
  });

  afterAll(async () => {
    await server?.close();
  });

  // The healthy server over a few seeds; fuzz.deep.test.ts runs 20. The variants get the fuzz area in
  // test/conformance/variants.test.ts (where a variant can change a fuzz verdict).
  it('reports nothing on the healthy server over 3 seeds', async () => {
    await expectNoFindings(server, [1, 2, 3]);
  }, 600_000);

  it('never sends a valid billing request, never deletes the SSO configuration, and names only the run’s resources', async () => {
    const sent: Exchange[] = [];
    const report = await runConformance(options({ baseUrl: server.url, seed: 4 }), {
      contract: validator,
      onExchange: (exchange) => void sent.push(exchange),
    });
    expect(report.exitCode).toBe(0);
    const billing = sent.filter(
      (exchange) => exchange.method === 'POST' && /^\/v1\/billing\/(checkout|portal)/.test(exchange.target),
    );
    expect(billing.length).toBeGreaterThan(0);
    for (const exchange of billing) {
      const readable =
        exchange.requestHeaders['content-type'] === 'application/json' &&
        (() => {
          try {
            JSON.parse(exchange.requestBody ?? '');
            return true;
          } catch {
            return false;
          }
        })();
      expect(readable, exchange.requestBody).toBe(false);
    }
    expect(
      sent.filter((exchange) => exchange.method === 'DELETE' && exchange.target.startsWith('/v1/sso/config')),
    ).toEqual([]);
    expect(
      sent.filter(
        (exchange) => exchange.method === 'POST' && exchange.target === '/v1/sso/config' && exchange.status < 300,
      ),
    ).toEqual([]);
    // Every webhook the run registered points at the loopback discard port.
    for (const exchange of sent.filter((e) => e.method === 'POST' && e.target === '/v1/webhooks' && e.status === 201)) {
      expect(String((exchange.body as { url: string }).url)).toMatch(/^https:\/\/127\.0\.0\.1:9\//);
    }
    expect(report.cleanup.failed).toEqual([]);
    // Per-operation coverage of a fuzz-only run: every operation is exercised but the SSO deletion, the API key
    // rotation (any call rotates), the two bodiless DNS verifications (any call may make the server query DNS),
    // the WebSocket upgrade and the vault exchange (its credential is a grant token, read by the vault checks).
    expect(report.coverage?.total).toBe(operations.length);
    const unexercised = report.coverage!.operations.filter((op) => op.requests === 0).map((op) => op.operationId);
    expect(unexercised.sort()).toEqual([
      'accountRotateKey',
      'domainsVerify',
      'eventsWebSocket',
      'registryVerifyOrgDns',
      'ssoDeleteConfig',
      'vaultExchange',
    ]);
    expect(report.results[0]!.notes.join(' ')).toMatch(
      /not fuzzed or cut short: .*ssoDeleteConfig \(would delete the SSO configuration\)/,
    );
  }, 120_000);
});

describe('fuzz catches its faults', () => {
  const expected: Array<[FaultName, string, string]> = [
    ['crash-on-bad-query', 'fuzz.no-server-error', 'grantsList'],
    ['undocumented-status', 'fuzz.status-documented', 'policiesCreate'],
    ['schema-drift-rare', 'fuzz.response-valid', 'agentsCreate'],
  ];

  it.each(expected)(
    '%s → %s on %s, on a fixed example, and the replay reproduces it',
    async (fault, check, operationId) => {
      const start = () => startReferenceServer({ faults: [fault], webhookRetryDelaysMs: [], onError: () => undefined });
      const report = await runConformance(options({ runs: 1, seed: 9 }), {
        contract: validator,
        startReference: start,
      });
      expect(report.exitCode).toBe(1);
      const failed = report.results.filter((result) => result.status === 'fail').map((result) => result.id);
      expect(failed).toEqual([check]);
      const finding = findingsOf(report).find((f) => f.check === check && f.operationId === operationId);
      expect(finding?.deterministic).toBe(true);
      expect(finding?.transcript.join('\n')).toMatch(/^curl /);
      expect(finding?.replay).toBe(`--only ${check} --seed 9 --replay ${finding?.path}`);

      // The printed replay: the same check fails on the same operation, status and request.
      const replay = await runConformance(options({ runs: 1, seed: 9, only: [check], replay: finding!.path }), {
        contract: validator,
        startReference: start,
      });
      const again = findingsOf(replay).find((f) => f.operationId === operationId);
      expect(again?.status).toBe(finding?.status);
      expect(again?.counterexample.replace(/gxc-[0-9a-z]+-fuzz/g, 'RUN')).toBe(
        finding?.counterexample.replace(/gxc-[0-9a-z]+-fuzz/g, 'RUN'),
      );
      expect(replay.requests).toBeLessThan(report.requests / 2);

      // Reports: the text lists the finding with its replay, JUnit carries the coverage.
      const text = renderText(report);
      expect(text).toContain(`replay: npm run conformance -- ${finding!.replay}`);
      expect(text).toContain(`[1/`);
      const junit = parseXml(renderJunit(report));
      const suite = junit.children.find((element) => element.attributes['name'] === 'fuzz')!;
      const failure = suite.children.find((element) => element.attributes['name']?.startsWith(check))!.children[0]!;
      expect(failure.name).toBe('failure');
      expect(failure.text).toContain(`replay: npm run conformance -- ${finding!.replay}`);
      const coverage = junit.children.find((element) => element.attributes['name'] === 'coverage')!.children[0]!;
      expect(coverage.children.map((p) => p.attributes['name'])).toContain(`coverage.${operationId}`);
    },
    120_000,
  );
});

describe('fuzz levels follow SPEC.md', () => {
  it('a request is invalid at MUST only where a clause makes it so', async () => {
    const { clauseMakingInvalid } = await import('../../conformance/fuzz/clauses.js');
    const mutation = (kind: string, label: string) => ({ kind, label, apply: () => ({ input: {} }) }) as never;
    expect(
      clauseMakingInvalid('grantsDelegate', mutation('missing-required', 'body.parentGrantToken left out (required)')),
    ).toMatch(/§9\.1/);
    expect(clauseMakingInvalid('tokensExchange', mutation('wrong-type', 'body.code: 12345 (type string)'))).toMatch(
      /§5\.3/,
    );
    expect(clauseMakingInvalid('tokensExchange', mutation('malformed-json', 'body: truncated JSON'))).toMatch(/§5\.3/);
    expect(clauseMakingInvalid('authorize', mutation('out-of-range', 'body.expiresIn: "" (pattern)'))).toBeUndefined();
    expect(
      clauseMakingInvalid('agentsCreate', mutation('missing-required', 'body.name left out (required)')),
    ).toBeUndefined();
  });
});
