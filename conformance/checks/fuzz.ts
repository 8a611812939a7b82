/**
 * @module checks/fuzz
 * The fuzz checks: requests generated from the spec for every operation,
 * valid and invalid (see fuzz/campaign.ts), judged on every answer. The phase
 * runs once, with the first fuzz check; each check reports its own findings,
 * one per (operation, status), each with its shrunk request, seed and replay.
 */
import type { Check, Level } from '../engine/check.js';
import type { CheckContext } from '../engine/context.js';
import { findingFailure } from '../engine/judge-each.js';
import { campaign, type CampaignResult } from '../fuzz/campaign.js';
import { FUZZ_CHECKS, type FuzzCheckId } from '../fuzz/judge.js';

const DESCRIPTIONS: Record<FuzzCheckId, { level: Level; clause: string; title: string }> = {
  'fuzz.no-server-error': {
    level: 'MUST',
    clause:
      'SPEC §10.1 core endpoints / §10.2 offered extensions, as specified (no operation documents a 500): a valid request never gets a server error',
    title:
      'no valid generated request (hostile strings included), nor one a clause makes invalid, gets a 500 or an undocumented 5xx',
  },
  'fuzz.status-documented': {
    level: 'MUST',
    clause: 'SPEC §10.1 / §10.2 endpoints as specified; OpenAPI responses: every status answered is documented',
    title: 'every answer to a generated request has a status the operation documents',
  },
  'fuzz.response-valid': {
    level: 'MUST',
    clause: 'SPEC §10.1 / §10.2 endpoints as specified; OpenAPI responses: headers and body match the schema',
    title: 'every answer to a generated request has valid headers and a valid body',
  },
  'fuzz.invalid-refused': {
    level: 'MUST',
    clause:
      'SPEC §5.2, §5.3, §7.2, §7.3, §9.1: a request lacking (or mistyping) what these sections require is refused with a 4xx',
    title:
      'a request that a SPEC.md clause makes invalid (a required member left out or of the wrong type, no readable body) is refused',
  },
  'fuzz.invalid-handled': {
    // Our schemas are stricter than the protocol here: no sentence of SPEC.md or of an RFC makes these requests invalid.
    level: 'SHOULD',
    clause:
      'SPEC §10.1 / §10.2 endpoints; OpenAPI request schemas: any other invalid request is refused with a 4xx and the error shape, never a 5xx',
    title:
      'a request with one violation of its schema is refused with a 4xx carrying the error shape, not a server error',
  },
  'fuzz.valid-accepted': {
    level: 'SHOULD',
    clause:
      'SPEC §10.1 / §10.2 endpoints; OpenAPI request schemas: a request valid by its schema is not refused with a 4xx the operation does not document',
    title:
      'valid generated requests are not refused with an undocumented 4xx (a business rule the spec does not state)',
  },
};

/** Requests one run of the phase costs: about one per operation, a few on the rate-limited routes. */
const RUN_COST = { requests: 60, authorize: 1, token: 1 };

function settingsFor(ctx: CheckContext) {
  const runs = ctx.runs;
  return {
    seed: ctx.session.options.seed ^ 0x66757a7a,
    runSeed: ctx.session.options.seed,
    positiveRuns: Math.max(1, Math.floor(runs / 4)),
    negativeRuns: Math.floor(runs / 10),
    ...(ctx.replay !== undefined ? { replay: ctx.replay } : {}),
    replayCheck: (check: FuzzCheckId) => (ctx.replay !== undefined ? ctx.check.id : check),
  };
}

function reportOn(ctx: CheckContext, result: CampaignResult, id: FuzzCheckId): void {
  const findings = result.findings[id];
  if (findings.length === 0) return;
  ctx.findings.push(...findings);
  const first = findings[0]!;
  const others = findings.length > 1 ? ` (and ${findings.length - 1} more finding(s))` : '';
  throw findingFailure(first, `${first.message}${others}`);
}

export const fuzzChecks: Check[] = FUZZ_CHECKS.map((id) => ({
  id,
  area: 'fuzz',
  ...DESCRIPTIONS[id],
  property: RUN_COST,
  async run(ctx: CheckContext) {
    const { result: running, started } = campaign(ctx.session, settingsFor(ctx));
    const result = await running;
    // The check that ran the phase carries its cost, its runs and its notes.
    if (started) {
      ctx.executedRuns = result.executedRuns;
      for (const note of result.notes) ctx.note(note);
      if (result.limited.length > 0)
        ctx.note(
          `not fuzzed or cut short: ${result.limited.map(({ operationId, why }) => `${operationId} (${why})`).join('; ')}`,
        );
    }
    reportOn(ctx, result, id);
  },
}));
