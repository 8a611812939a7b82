/**
 * @module test/conformance/sweeps/variants
 * No flakiness: the suite passes the healthy reference server and each of its
 * allowed variants (behaviours the spec permits) over many seeds with 0 MUST
 * failures. Seeds only change the random inputs of property checks, so each
 * server gets the property checks plus the checks that read what its variant
 * changes; plain checks are seed-independent and run in full in the self-test
 * (test/conformance/selftest.test.ts). Selecting a `contract.*` check also
 * judges every recorded response against the spec.
 *
 * `npm test` runs a few seeds (variants.test.ts); `npm run test:deep` runs 20
 * (variants.deep.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../../conformance/checks/index.js';
import { ContractValidator } from '../../../conformance/http/contract.js';
import { defaultOptions } from '../../../conformance/engine/options.js';
import {
  startReferenceServer,
  VARIANT_NAMES,
  type ReferenceServer,
  type VariantName,
} from '../../../conformance/reference/server.js';
import { runConformance } from '../../../conformance/runner.js';

/** 20 seeds, spread out (any distinct seeds would do; fixed ones make a failure reproducible). */
export const VARIANT_SEEDS = Array.from({ length: 20 }, (_, i) => 10_007 + i * 7_919);

/**
 * Property runs per check: its fixed examples run first and count towards
 * this, so 3 leaves at least 2 random inputs per seed for a check with one
 * example.
 */
const RUNS = 3;

const PROPERTY_CHECKS = ALL_CHECKS.filter((check) => check.property).map((check) => check.id);

/** Suite runs at a time against one server (each run has its own developers, so they do not meet). */
const CONCURRENCY = 2;

/** What each server runs, and why. */
export const PLAN: Array<{ server: 'reference' | VariantName; only: string[] }> = [
  // Every property check, and the issuer, on the reference behaviour.
  { server: 'reference', only: [...PROPERTY_CHECKS, 'tokens.issuer'] },
  // Names given by the suite are compared by contract.agents (random names, and a fixed one with surrounding spaces).
  { server: 'trim-names', only: ['contract.agents'] },
  // Checks that read lists: agents, policies, webhooks, SCIM tokens, audit entries.
  {
    server: 'reverse-lists',
    only: ['contract.agents', 'policies.crud', 'webhooks.crud', 'scim.tokens', 'audit.chain'],
  },
  // Checks that verify tokens offline or against their issuer.
  {
    server: 'issuer-alias',
    only: ['contract.agents', 'tokens.claims', 'tokens.issuer', 'delegation.subset', 'delegation.expiry'],
  },
  // Checks that compare whole objects or token claims, and the contract verdicts on every response;
  // the fuzz area judges every answer's body against its schema, where extra members are allowed.
  { server: 'extra-fields', only: ['contract.agents', 'tokens.claims', 'audit.chain', 'scim.users', 'fuzz'] },
  // Checks that handle ids of agents, grants, tokens, refresh tokens, delegated grants and audit entries.
  // The fuzz area names the server's ids in paths and draws unknown ones from the documented patterns.
  {
    server: 'other-id-format',
    only: ['contract.agents', 'tokens.claims', 'tokens.refresh-rotation', 'delegation.subset', 'audit.chain', 'fuzz'],
  },
  // Detection revokes the grants of every agent that acted: the checks that read shared grants or run detection.
  {
    server: 'eager-anomalies',
    only: ['audit', 'compliance', 'anomalies', 'delegation.depth', 'tokens.grants-verify'],
  },
];

/** Registers the sweep over `seeds`: one test per server of the plan, servers shared by the file's tests. */
export function variantSweep(seeds: readonly number[]): void {
  describe(`no flakiness: the reference server and every variant over ${seeds.length} seeds`, () => {
    const contract = ContractValidator.fromFile();
    const servers = new Map<string, ReferenceServer>();

    beforeAll(async () => {
      for (const { server } of PLAN) {
        servers.set(
          server,
          await startReferenceServer({
            variants: server === 'reference' ? [] : [server],
            webhookRetryDelaysMs: [],
            onError: () => undefined,
          }),
        );
      }
    });
    afterAll(async () => {
      for (const server of servers.values()) await server.close();
    });

    it('covers every variant', () => {
      expect(
        PLAN.map((entry) => entry.server)
          .filter((name) => name !== 'reference')
          .sort(),
      ).toEqual([...VARIANT_NAMES].sort());
    });

    it.each(PLAN)(
      `$server: 0 MUST failures over ${seeds.length} seeds`,
      async ({ server: name, only }) => {
        const server = servers.get(name)!;
        const failures: string[] = [];
        let passed = 0;
        const queue = [...seeds];
        const worker = async () => {
          for (let seed = queue.shift(); seed !== undefined; seed = queue.shift()) {
            const report = await runConformance(
              { ...defaultOptions(), only, runs: RUNS, seed, webhookWaitMs: 5_000 },
              { contract, startReference: async () => ({ url: server.url, close: async () => undefined }) },
            );
            if (report.fatal) failures.push(`seed ${seed}: ${report.fatal}`);
            for (const result of report.results) {
              if (result.status === 'fail')
                failures.push(
                  `seed ${seed}: ${result.id}: ${result.message} (${result.observed ?? ''}) ${result.counterexample ?? ''}`,
                );
              if (result.status === 'pass') passed++;
            }
          }
        };
        await Promise.all(Array.from({ length: CONCURRENCY }, worker));
        expect(failures).toEqual([]);
        // The selected checks ran and passed (not skipped away): at least one pass per selected check and seed.
        expect(passed).toBeGreaterThanOrEqual(only.length * seeds.length);
      },
      // A minute per seed: the deep sweep runs on loaded machines too.
      Math.max(300_000, seeds.length * 60_000),
    );
  });
}
