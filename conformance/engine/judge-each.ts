/**
 * @module judge-each
 * Runs every part of a check made of several properties and reports each
 * failing part as its own finding, so a deviation a check already reports
 * (say, a server that orders policies by priority) hides no other one (the
 * same server ignoring deny policies altogether).
 */
import { PropertyFailure, type CheckContext } from './context.js';
import { CannotRun, CheckFailure, CheckSkipped, NotImplemented, unexpectedResponse } from './failures.js';
import type { Finding } from './findings.js';
import { transcript } from '../http/http.js';

/** One property of a check: a name that says what it judges, and its run (which may call `ctx.property`). */
export interface Part {
  name: string;
  run: () => Promise<void>;
}

/**
 * Runs all `parts` in order, whatever fails. Each failing part becomes a
 * finding (operation and status of its last request, its own transcript and
 * replay); the check then fails with the first failing plain part (no replay
 * needed: it fails on every run), else with the first failing property, whose
 * replay reruns it alone. A part that skips is noted; the check skips only
 * when every part did.
 */
export async function judgeEach(ctx: CheckContext, parts: readonly Part[]): Promise<void> {
  const findings: Finding[] = [];
  const skipped: string[] = [];
  const { seed } = ctx.session.options;
  const redact = ctx.session.http.redact;
  for (const part of parts) {
    const capture = ctx.http.capture();
    try {
      await part.run();
    } catch (error) {
      if (error instanceof NotImplemented || error instanceof CannotRun) throw error;
      if (error instanceof CheckSkipped) {
        skipped.push(`${part.name}: ${error.message}`);
        continue;
      }
      const exchanges = [...capture.exchanges];
      const last = exchanges.at(-1);
      const failure = error instanceof CheckFailure ? error : unexpectedResponse(error, last);
      const property = failure instanceof PropertyFailure ? failure : undefined;
      const shown = property && property.exchanges.length > 0 ? property.exchanges : exchanges;
      const answered = shown.at(-1);
      findings.push({
        operationId: answered?.operationId ?? part.name,
        status: answered?.status ?? 0,
        message: redact(`${part.name}: ${failure.message}`),
        expected: failure.expected,
        observed: redact(failure.observed),
        counterexample: property ? redact(property.counterexample) : '',
        seed,
        path: property?.replay ?? '',
        replay: `--only ${ctx.check.id} --seed ${seed}${property ? ` --replay ${property.replay}` : ''}`,
        transcript: property?.transcript ?? transcript(shown, redact),
        deterministic: property ? property.viaExample : true,
        shrinks: property?.shrinks ?? 0,
      });
    } finally {
      capture.stop();
    }
  }
  for (const line of skipped) ctx.note(`skipped ${line}`);
  if (findings.length === 0) {
    if (skipped.length === parts.length && parts.length > 0) throw new CheckSkipped(skipped.join('; '));
    return;
  }
  ctx.findings.push(...findings);
  if (findings.length > 1) ctx.note(`${findings.length} findings: every failing part is listed`);
  // A failing plain part fails on every run and has no replay path: the check fails as a plain check.
  const plain = findings.find((finding) => finding.path === '');
  if (plain) throw new CheckFailure(plain.message, plain.expected, plain.observed);
  // Otherwise the first property's failure, whose replay runs that property alone (the message
  // carries no count, so the replay reproduces it exactly).
  throw findingFailure(findings[0]!);
}

/** The failure a check throws for its first finding: its replay path re-runs that finding's property alone. */
export function findingFailure(finding: Finding, message = finding.message): PropertyFailure {
  return new PropertyFailure(new CheckFailure(message, finding.expected, finding.observed), {
    seed: finding.seed,
    path: finding.path,
    counterexample: finding.counterexample,
    shrinks: finding.shrinks,
    exchanges: [],
    replay: finding.path,
    transcript: finding.transcript,
    viaExample: finding.deterministic,
  });
}
