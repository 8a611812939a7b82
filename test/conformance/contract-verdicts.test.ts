// The per-operation contract verdicts (contract.op.*): a violating answer fails
// its operation at MUST, except an answer to a request of the fuzz area, which
// the fuzz checks judge at the level the request's kind and clause give.
import { describe, expect, it } from 'vitest';
import { startReferenceServer } from '../../conformance/reference/server.js';
import { runConformance } from '../../conformance/runner.js';
import { contractResults } from '../../conformance/checks/contract.js';
import { defaultOptions } from '../../conformance/engine/options.js';
import type { Session } from '../../conformance/engine/session/session.js';
import type { Exchange } from '../../conformance/engine/types.js';
import { ContractValidator } from '../../conformance/http/contract.js';

const contract = ContractValidator.fromFile();
const session = { http: { redact: (text: string) => text }, offers: () => true } as unknown as Session;

function crash(extra: Partial<Exchange> = {}): Exchange {
  return {
    seq: 1,
    method: 'GET',
    url: 'http://127.0.0.1:1/v1/grants?status=x',
    target: '/v1/grants?status=x',
    requestHeaders: {},
    status: 500,
    responseHeaders: {},
    responseText: '{}',
    body: {},
    durationMs: 1,
    violations: ['status 500 is not documented for grantsList'],
    operationId: 'grantsList',
    ...extra,
  };
}

function verdict(exchanges: Exchange[]) {
  return contractResults(contract, exchanges, session, defaultOptions()).find(
    (r) => r.id === 'contract.op.grantsList',
  )!;
}

describe('contract.op.* verdicts', () => {
  it('fail an operation on an undocumented answer to a request sent as valid', () => {
    const result = verdict([crash()]);
    expect([result.status, result.level, result.observed]).toEqual([
      'fail',
      'MUST',
      '500: status 500 is not documented for grantsList',
    ]);
  });

  it('leave answers to the fuzz area’s requests to the fuzz checks, and say so', () => {
    const result = verdict([crash({ fromFuzz: true }), { ...crash(), status: 200, violations: [] }]);
    expect(result.status).toBe('pass');
    expect(result.notes).toContain("1 answer(s) to the fuzz area's requests are judged by the fuzz checks");
  });
});

describe('a run with the fuzz area and the contract verdicts', () => {
  it('judges a fuzz request’s undocumented answer once, in the fuzz check, not again in contract.op.*', async () => {
    // The fault answers 422 (undocumented) to a policy body that breaks its schema: a fuzz negative request.
    const report = await runConformance(
      { ...defaultOptions(), seed: 3, runs: 1, only: ['fuzz', 'contract.public'] },
      { contract, startReference: () => startReferenceServer({ faults: ['undocumented-status'] }) },
    );
    const byId = new Map(report.results.map((result) => [result.id, result]));
    expect(byId.get('fuzz.status-documented')?.status).toBe('fail');
    const policiesCreate = byId.get('contract.op.policiesCreate');
    expect(policiesCreate?.status).toBe('pass');
    expect(policiesCreate?.notes.some((note) => /answer\(s\) to the fuzz area's requests/.test(note))).toBe(true);
  }, 120_000);
});
