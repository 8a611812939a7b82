/**
 * @module test/conformance/replay
 * Every property failure's printed replay reproduces the same failure with the
 * same counterexample: with fixed examples, in a check's second property, for
 * model-based (fc.commands) properties, and for a sample of the reference-server
 * faults a property check catches (every fault in replay.deep.test.ts). Shrinking stops within its budget.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CheckFailure, type Check } from '../../conformance/engine/check.js';
import { ContractValidator } from '../../conformance/http/contract.js';
import { defaultOptions, type RunOptions } from '../../conformance/engine/options.js';
import { startReferenceServer, type FaultName } from '../../conformance/reference/server.js';
import { runConformance } from '../../conformance/runner.js';
import { expectFaultReplays, replayOptions } from './sweeps/replay.js';

const contract = ContractValidator.fromFile();

async function failAndReplay(check: Check, options: Partial<RunOptions> = {}) {
  const hooks = { contract, checks: [check], startReference: () => startReferenceServer() };
  const first = await runConformance({ ...defaultOptions(), seed: 9, runs: 40, ...options }, hooks);
  const failed = first.results.find((r) => r.id === check.id)!;
  expect(failed.status).toBe('fail');
  const again = await runConformance(replayOptions(failed, options, [check]), hooks);
  const replayed = again.results.find((r) => r.id === check.id)!;
  return { failed, replayed, again };
}

const probe = (ctx: Parameters<Check['run']>[0], n: unknown) =>
  ctx.http.request({ method: 'GET', path: '/health', query: { n: JSON.stringify(n) } });

describe('replay', () => {
  it('reproduces a random failure of a property that has fixed examples', async () => {
    const check: Check = {
      id: 'contract.synthetic-examples',
      area: 'contract',
      clause: 'test only',
      level: 'MUST',
      title: 'fails at 300 and more',
      property: { requests: 1 },
      async run(ctx) {
        await ctx.property(
          [fc.integer({ min: 0, max: 1000 })],
          async (n) => {
            await probe(ctx, n);
            if (n >= 300) throw new CheckFailure(`n = ${n}`, 'n < 300', String(n));
          },
          { examples: [[1], [2]] },
        );
      },
    };
    const { failed, replayed } = await failAndReplay(check);
    expect(failed.counterexample).toBe('[300]');
    expect(failed.deterministic).toBe(false);
    expect(replayed).toMatchObject({
      status: 'fail',
      counterexample: '[300]',
      expected: 'n < 300',
      message: 'n = 300',
    });
    expect(replayed.requests).toBe(1);
  });

  it('reproduces a failure in the second property of a check', async () => {
    const check: Check = {
      id: 'contract.synthetic-second',
      area: 'contract',
      clause: 'test only',
      level: 'MUST',
      title: 'second property fails',
      property: { requests: 2 },
      async run(ctx) {
        await ctx.property([fc.integer({ min: 0, max: 10 })], async (n) => void (await probe(ctx, n)));
        await ctx.property([fc.string({ minLength: 0, maxLength: 8 })], async (text) => {
          await probe(ctx, text);
          if (text.length >= 3) throw new CheckFailure(`too long: ${JSON.stringify(text)}`, 'shorter than 3', text);
        });
      },
    };
    const { failed, replayed } = await failAndReplay(check);
    expect(failed.replay).toMatch(/--replay 1\.\d/);
    expect(replayed).toMatchObject({ status: 'fail', counterexample: failed.counterexample, message: failed.message });
  });

  it('reproduces a model-based (fc.commands) failure, whose shrink tree depends on what ran', async () => {
    interface Model {
      count: number;
    }
    const step = (size: number): fc.AsyncCommand<Model, Parameters<Check['run']>[0], false> => ({
      check: () => true,
      async run(model, ctx) {
        await probe(ctx, size);
        model.count += size;
        if (model.count >= 5) throw new CheckFailure(`total ${model.count}`, 'a total under 5', String(model.count));
      },
      toString: () => `Step(${size})`,
    });
    const check: Check = {
      id: 'contract.synthetic-model',
      area: 'contract',
      clause: 'test only',
      level: 'MUST',
      title: 'model fails',
      property: { requests: 5 },
      async run(ctx) {
        await ctx.property(
          [ctx.commands([fc.integer({ min: 1, max: 3 }).map(step)], { maxCommands: 8 })],
          async (commands) => {
            await fc.asyncModelRun(() => ({ model: { count: 0 }, real: ctx }), commands);
          },
        );
      },
    };
    const { failed, replayed } = await failAndReplay(check);
    expect(failed.replay).toMatch(/~/);
    expect(replayed).toMatchObject({ status: 'fail', counterexample: failed.counterexample, message: failed.message });
  });

  it('stops shrinking at the request budget and still replays what it reported', async () => {
    const check: Check = {
      id: 'contract.synthetic-budget',
      area: 'contract',
      clause: 'test only',
      level: 'MUST',
      title: 'fails for long arrays',
      property: { requests: 1 },
      async run(ctx) {
        await ctx.property([fc.array(fc.integer(), { minLength: 0, maxLength: 200, size: 'max' })], async (list) => {
          await probe(ctx, list.length);
          if (list.length >= 20)
            throw new CheckFailure(`length ${list.length}`, 'shorter than 20', String(list.length));
        });
      },
    };
    const { failed, replayed } = await failAndReplay(check, { shrinkRequests: 3 });
    expect(failed.notes.join(' ')).toMatch(/shrinking stopped: shrink budget of 3 requests spent/);
    // One failing run, then at most the budget of shrinking requests.
    expect(failed.requests).toBeLessThanOrEqual(failed.runs!.executed + 3);
    expect(replayed).toMatchObject({ status: 'fail', counterexample: failed.counterexample, message: failed.message });
  });

  it('reports a failing fixed example without shrinking it', async () => {
    const check: Check = {
      id: 'contract.synthetic-fixed',
      area: 'contract',
      clause: 'test only',
      level: 'MUST',
      title: 'fixed example fails',
      property: { requests: 1 },
      async run(ctx) {
        await ctx.property(
          [fc.array(fc.integer())],
          async (list) => {
            await probe(ctx, list.length);
            if (list.length >= 3)
              throw new CheckFailure(`length ${list.length}`, 'shorter than 3', String(list.length));
          },
          { examples: [[[5, 6, 7, 8, 9]]] },
        );
      },
    };
    const { failed, replayed } = await failAndReplay(check);
    expect(failed).toMatchObject({ counterexample: '[[5,6,7,8,9]]', deterministic: true, requests: 1 });
    expect(replayed).toMatchObject({ status: 'fail', counterexample: '[[5,6,7,8,9]]' });
  });
});

/**
 * A sample of the faults a property catches (one per area the properties
 * cover); replay.deep.test.ts replays every fault's property failures.
 */
const SAMPLE: FaultName[] = [
  'scopes-escalated',
  'delegation-scope-escalation',
  'policy-priority-first',
  'crash-on-bad-query',
];

describe('replay of a sample of the faults a property catches', () => {
  it('each property failure on a faulty reference server replays to the same failure and counterexample', async () => {
    const covered = await expectFaultReplays(SAMPLE);
    expect(covered.length).toBeGreaterThanOrEqual(SAMPLE.length);
  }, 900_000);
});
