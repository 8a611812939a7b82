/**
 * @module verdicts/properties
 * Checks made of several properties judge every one of them: each failing
 * property becomes its own finding (with its own transcript), so a deviation
 * that is already known (and baselined) hides nothing else. The check fails
 * when any property fails; its message names the first and counts the rest.
 */
import { transcript } from '../http/http.js';
import type { CheckContext } from '../engine/context.js';
import { CheckFailure, CheckSkipped } from '../engine/failures.js';

/** One property of a check: a name (shown as the finding's operation) and how to judge it. */
export interface NamedProperty {
  /** Short and stable, e.g. `consent.agent-name`; baselines match on it. */
  name: string;
  run(): Promise<void>;
}

/**
 * Runs every property, in order, whatever the others did. A property that
 * skips is noted; one that fails becomes a finding. @throws {CheckFailure}
 * when at least one failed.
 */
export async function judgeEach(ctx: CheckContext, properties: readonly NamedProperty[]): Promise<void> {
  const failed: CheckFailure[] = [];
  for (const property of properties) {
    const capture = ctx.session.http.capture();
    try {
      await property.run();
    } catch (error) {
      if (error instanceof CheckSkipped) {
        ctx.note(`${property.name} not judged: ${error.message}`);
        continue;
      }
      if (!(error instanceof CheckFailure)) throw error;
      failed.push(error);
      ctx.findings.push({
        operationId: property.name,
        status: capture.exchanges.at(-1)?.status ?? 0,
        message: `${property.name}: ${error.message}`,
        expected: error.expected,
        observed: error.observed,
        counterexample: '',
        seed: ctx.session.options.seed,
        path: '',
        replay: `--only ${ctx.check.id} --seed ${ctx.session.options.seed}`,
        transcript: transcript(capture.exchanges, ctx.session.http.redact),
        deterministic: true,
        shrinks: 0,
      });
    } finally {
      capture.stop();
    }
  }
  const first = failed[0];
  if (first === undefined) return;
  const others =
    failed.length > 1 ? ` (and ${failed.length - 1} more failing propert${failed.length > 2 ? 'ies' : 'y'})` : '';
  throw new CheckFailure(`${ctx.findings[0]!.message}${others}`, first.expected, first.observed);
}
