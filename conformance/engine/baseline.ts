/**
 * @module baseline
 * Known deviations: a file of expected failures and warnings (check id, level,
 * reason), after the OpenID Foundation runner's expected-results files. A run
 * with a baseline exits 0 when every failure is expected, and reports apart
 * the unexpected failures (new) and the unexpected passes (a listed failure
 * that now passes: the entry can go). `--write-baseline` writes one from a run.
 */
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { CheckResult, Level } from './types.js';

/** One expected failure (MUST) or warning (SHOULD). */
export interface BaselineEntry {
  /** Check id, e.g. `policies.deny-wins-tie` or `contract.op.authorize`. */
  check: string;
  /** The level the check has; a check whose level changed no longer matches. */
  level: Level;
  /** Why it is accepted, e.g. a ticket. */
  reason: string;
}

export interface Baseline {
  /** Where it was read from, for the report. */
  source: string;
  entries: BaselineEntry[];
}

/** The baseline's verdict on a run. */
export interface BaselineOutcome {
  source: string;
  /** Failures and warnings the baseline lists. */
  expected: Array<BaselineEntry & { status: 'fail' | 'warn' }>;
  /** Failures and warnings it does not list: what is new. */
  unexpectedFailures: Array<{ check: string; level: Level; status: 'fail' | 'warn' }>;
  /** Listed checks that passed: the deviation is gone and the entry can go. */
  unexpectedPasses: BaselineEntry[];
  /** Listed checks that did not run (not selected, skipped, not implemented) or whose level differs. */
  notJudged: Array<BaselineEntry & { why: string }>;
}

/** The file is not a valid baseline (exit 2). */
export class BaselineError extends Error {
  override name = 'BaselineError';
}

/** Parses a baseline from JSON or YAML text. @throws {BaselineError} */
export function parseBaseline(text: string, source: string): Baseline {
  let data: unknown;
  try {
    data = /\.ya?ml$/i.test(source) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new BaselineError(
      `${source}: not valid ${/\.ya?ml$/i.test(source) ? 'YAML' : 'JSON'} (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const list = (data as { expected?: unknown } | null)?.expected;
  if (!Array.isArray(list)) throw new BaselineError(`${source}: expected an object with an "expected" list`);
  const entries = list.map((item: unknown, index): BaselineEntry => {
    const entry = item as Partial<BaselineEntry> | null;
    const where = `${source}: expected[${index}]`;
    if (typeof entry?.check !== 'string' || entry.check.length === 0)
      throw new BaselineError(`${where}: "check" must be a check id`);
    if (entry.level !== 'MUST' && entry.level !== 'SHOULD')
      throw new BaselineError(`${where} (${entry.check}): "level" must be MUST or SHOULD`);
    if (typeof entry.reason !== 'string' || entry.reason.trim().length === 0)
      throw new BaselineError(`${where} (${entry.check}): "reason" must say why the deviation is accepted`);
    return { check: entry.check, level: entry.level, reason: entry.reason };
  });
  const seen = new Set<string>();
  for (const entry of entries) {
    if (seen.has(entry.check)) throw new BaselineError(`${source}: ${entry.check} is listed twice`);
    seen.add(entry.check);
  }
  return { source, entries };
}

/** Judges the results against the baseline; marks expected results with their reason. */
export function applyBaseline(results: CheckResult[], baseline: Baseline): BaselineOutcome {
  const byId = new Map(results.map((result) => [result.id, result]));
  const listed = new Map(baseline.entries.map((entry) => [entry.check, entry]));
  const outcome: BaselineOutcome = {
    source: baseline.source,
    expected: [],
    unexpectedFailures: [],
    unexpectedPasses: [],
    notJudged: [],
  };
  for (const result of results) {
    if (result.status !== 'fail' && result.status !== 'warn') continue;
    const entry = listed.get(result.id);
    if (entry && entry.level === result.level) {
      outcome.expected.push({ ...entry, status: result.status });
      result.expectedBecause = entry.reason;
    } else {
      outcome.unexpectedFailures.push({ check: result.id, level: result.level, status: result.status });
    }
  }
  for (const entry of baseline.entries) {
    const result = byId.get(entry.check);
    if (!result) outcome.notJudged.push({ ...entry, why: 'not run' });
    else if (result.level !== entry.level)
      outcome.notJudged.push({ ...entry, why: `the check is now ${result.level}` });
    else if (result.status === 'pass') outcome.unexpectedPasses.push(entry);
    else if (result.status === 'skip' || result.status === 'not-implemented')
      outcome.notJudged.push({ ...entry, why: result.status });
  }
  return outcome;
}

/** A baseline listing every failure and warning of `results`, as YAML (`.yaml`/`.yml`) or JSON. */
export function writeBaseline(results: readonly CheckResult[], target: string, note: string): string {
  const expected = results
    .filter((result) => result.status === 'fail' || result.status === 'warn')
    .map(
      (result): BaselineEntry => ({
        check: result.id,
        level: result.level,
        reason: `${note}: ${result.message ?? result.title}`,
      }),
    );
  const document = { expected };
  return /\.ya?ml$/i.test(target)
    ? `# grantex-conformance baseline: expected failures (MUST) and warnings (SHOULD); see conformance/README.md\n${stringifyYaml(document)}`
    : `${JSON.stringify(document, null, 2)}\n`;
}
