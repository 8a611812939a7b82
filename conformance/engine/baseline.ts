/**
 * @module baseline
 * Known deviations: a file of expected findings (check id, level, reason and,
 * where the check reports findings, the operation, status and a match on the
 * message), after the OpenID Foundation runner's expected-results files. A run
 * with a baseline exits 0 when every failure is expected, 1 on a new finding
 * (of any check, listed or not), and 2 when an entry is stale (it matches
 * nothing any more: remove it). An entry past its `until` date no longer
 * excuses anything. An entry naming only the check covers every finding of
 * it, with a deprecation warning. `--write-baseline` writes one from a run.
 */
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { CheckResult, Level } from './types.js';

/** One expected failure (MUST) or warning (SHOULD), or one finding of it. */
export interface BaselineEntry {
  /** Check id, e.g. `policies.deny-wins-tie` or `contract.op.authorize`. */
  check: string;
  /** The level the check has; a check whose level changed no longer matches. */
  level: Level;
  /** Why it is accepted, e.g. a ticket. */
  reason: string;
  /** The finding's operation (`agentsCreate`), for checks that report findings. */
  operation?: string;
  /** The finding's status (0: no answer). */
  status?: number;
  /** A part of the finding's message (a plain substring). */
  message?: string;
  /** Last day (YYYY-MM-DD, UTC) the entry excuses anything; after it the finding is unexpected again. */
  until?: string;
}

export interface Baseline {
  /** Where it was read from, for the report. */
  source: string;
  entries: BaselineEntry[];
  /** Deprecations found while reading (entries that cover a whole check). */
  warnings?: string[];
}

/** A baseline entry that excused something: `status` is the verdict, `findingStatus` the entry's HTTP status. */
export type ExpectedEntry = Omit<BaselineEntry, 'status'> & { status: 'fail' | 'warn'; findingStatus?: number };

/** One failing finding the baseline does not excuse. */
export interface UnexpectedFailure {
  check: string;
  level: Level;
  status: 'fail' | 'warn';
  /** Set when the check reports findings: which one. */
  operation?: string;
  findingStatus?: number;
  message?: string;
}

/** The baseline's verdict on a run. */
export interface BaselineOutcome {
  source: string;
  /** Failures and warnings the baseline lists. */
  expected: Array<ExpectedEntry>;
  /** Findings it does not list: what is new (a new finding of a listed check included). */
  unexpectedFailures: UnexpectedFailure[];
  /** Listed checks that passed: the deviation is gone and the entry must go (stale, exit 2). */
  unexpectedPasses: BaselineEntry[];
  /** Entries of a failing check that match none of its findings (stale, exit 2), with the nearest finding. */
  stale: Array<BaselineEntry & { why: string }>;
  /** Entries past their `until` date: they excuse nothing. */
  expired: BaselineEntry[];
  /** Listed checks that did not run (not selected, skipped, not implemented) or whose level differs. */
  notJudged: Array<BaselineEntry & { why: string }>;
  /** Deprecation warnings of the file. */
  warnings: string[];
}

/** The file is not a valid baseline (exit 2). */
export class BaselineError extends Error {
  override name = 'BaselineError';
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function entryOf(item: unknown, where: string): BaselineEntry {
  const entry = item as Partial<Record<keyof BaselineEntry, unknown>> | null;
  if (typeof entry?.check !== 'string' || entry.check.length === 0)
    throw new BaselineError(`${where}: "check" must be a check id`);
  const at = `${where} (${entry.check})`;
  if (entry.level !== 'MUST' && entry.level !== 'SHOULD')
    throw new BaselineError(`${at}: "level" must be MUST or SHOULD`);
  if (typeof entry.reason !== 'string' || entry.reason.trim().length === 0)
    throw new BaselineError(`${at}: "reason" must say why the deviation is accepted`);
  const out: BaselineEntry = { check: entry.check, level: entry.level, reason: entry.reason };
  if (entry.operation !== undefined) {
    if (typeof entry.operation !== 'string' || entry.operation.length === 0)
      throw new BaselineError(`${at}: "operation" must be an operationId`);
    out.operation = entry.operation;
  }
  if (entry.status !== undefined) {
    if (typeof entry.status !== 'number' || !Number.isInteger(entry.status) || entry.status < 0 || entry.status > 599)
      throw new BaselineError(`${at}: "status" must be an HTTP status (0: no answer)`);
    out.status = entry.status;
  }
  if (entry.message !== undefined) {
    if (typeof entry.message !== 'string' || entry.message.length === 0)
      throw new BaselineError(`${at}: "message" must be a non-empty part of the finding's message`);
    out.message = entry.message;
  }
  if (entry.until !== undefined) {
    const until = entry.until instanceof Date ? entry.until.toISOString().slice(0, 10) : entry.until;
    if (typeof until !== 'string' || !DAY.test(until) || Number.isNaN(Date.parse(`${until}T00:00:00Z`)))
      throw new BaselineError(`${at}: "until" must be a date YYYY-MM-DD`);
    out.until = until;
  }
  return out;
}

/** Whether the entry names a finding (operation, status or message), not the whole check. */
export function isPerFinding(entry: BaselineEntry): boolean {
  return entry.operation !== undefined || entry.status !== undefined || entry.message !== undefined;
}

function keyOf(entry: BaselineEntry): string {
  return JSON.stringify([entry.check, entry.operation ?? null, entry.status ?? null, entry.message ?? null]);
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
  const entries = list.map((item: unknown, index) => entryOf(item, `${source}: expected[${index}]`));
  const seen = new Set<string>();
  const warnings: string[] = [];
  for (const entry of entries) {
    if (seen.has(keyOf(entry)))
      throw new BaselineError(
        `${source}: ${entry.check} is listed twice${isPerFinding(entry) ? ' for the same finding' : ''}`,
      );
    seen.add(keyOf(entry));
    if (!isPerFinding(entry))
      warnings.push(
        `${source}: the entry for ${entry.check} names only the check, so it covers every finding of it, present and future (deprecated: add operation, status and message; --write-baseline writes them)`,
      );
  }
  return { source, entries, warnings };
}

/** What a baseline entry can match in a result: its findings, or the failure itself. */
interface Observed {
  operation?: string;
  status?: number;
  message: string;
}

function observedOf(result: CheckResult): Observed[] {
  if (result.findings && result.findings.length > 0)
    return result.findings.map((finding) => ({
      operation: finding.operationId,
      status: finding.status,
      message: finding.message,
    }));
  return [{ message: result.message ?? result.title }];
}

function matches(entry: BaselineEntry, observed: Observed): boolean {
  return (
    (entry.operation === undefined || entry.operation === observed.operation) &&
    (entry.status === undefined || entry.status === observed.status) &&
    (entry.message === undefined || observed.message.includes(entry.message))
  );
}

function describe(observed: Observed): string {
  return [observed.operation, observed.status, JSON.stringify(observed.message)]
    .filter((part) => part !== undefined)
    .join(' ');
}

/** Judges the results against the baseline on day `today` (YYYY-MM-DD); marks expected results with their reason. */
export function applyBaseline(
  results: CheckResult[],
  baseline: Baseline,
  today: string = new Date().toISOString().slice(0, 10),
): BaselineOutcome {
  const byId = new Map(results.map((result) => [result.id, result]));
  const outcome: BaselineOutcome = {
    source: baseline.source,
    expected: [],
    unexpectedFailures: [],
    unexpectedPasses: [],
    stale: [],
    expired: baseline.entries.filter((entry) => entry.until !== undefined && entry.until < today),
    notJudged: [],
    warnings: [...(baseline.warnings ?? [])],
  };
  const live = baseline.entries.filter((entry) => !outcome.expired.includes(entry));
  const used = new Set<BaselineEntry>();
  const listed = new Set<BaselineEntry>();
  for (const result of results) {
    if (result.status !== 'fail' && result.status !== 'warn') continue;
    const status = result.status;
    const entries = live.filter((entry) => entry.check === result.id && entry.level === result.level);
    const reasons = new Set<string>();
    let allExpected = true;
    for (const observed of observedOf(result)) {
      const entry = entries.find((candidate) => matches(candidate, observed));
      if (entry) {
        used.add(entry);
        reasons.add(entry.reason);
        continue;
      }
      allExpected = false;
      outcome.unexpectedFailures.push({
        check: result.id,
        level: result.level,
        status,
        ...(observed.operation !== undefined ? { operation: observed.operation } : {}),
        ...(observed.status !== undefined ? { findingStatus: observed.status } : {}),
        message: observed.message,
      });
    }
    for (const entry of entries.filter((candidate) => used.has(candidate))) {
      if (listed.has(entry)) continue;
      listed.add(entry);
      const { status: findingStatus, ...rest } = entry;
      outcome.expected.push({ ...rest, status, ...(findingStatus !== undefined ? { findingStatus } : {}) });
    }
    if (allExpected) result.expectedBecause = [...reasons].join('; ');
  }
  for (const entry of live) {
    const result = byId.get(entry.check);
    if (!result) outcome.notJudged.push({ ...entry, why: 'not run' });
    else if (result.level !== entry.level)
      outcome.notJudged.push({ ...entry, why: `the check is now ${result.level}` });
    else if (result.status === 'pass') outcome.unexpectedPasses.push(entry);
    else if (result.status === 'skip' || result.status === 'not-implemented')
      outcome.notJudged.push({ ...entry, why: result.status });
    else if (!used.has(entry)) {
      const seen = observedOf(result);
      outcome.stale.push({
        ...entry,
        why: `matches none of the ${seen.length} finding(s) of ${entry.check}; nearest: ${describe(seen[0]!)}`,
      });
    }
  }
  return outcome;
}

/** Whether the baseline itself is out of date (stale entries, fixed deviations): exit 2. */
export function baselineIsStale(outcome: BaselineOutcome): boolean {
  return outcome.stale.length > 0 || outcome.unexpectedPasses.length > 0;
}

/** A baseline listing every finding of every failure and warning of `results`, as YAML (`.yaml`/`.yml`) or JSON. */
export function writeBaseline(results: readonly CheckResult[], target: string, note: string): string {
  const expected = results
    .filter((result) => result.status === 'fail' || result.status === 'warn')
    .flatMap((result) =>
      observedOf(result).map(
        (observed): BaselineEntry => ({
          check: result.id,
          level: result.level,
          ...(observed.operation !== undefined ? { operation: observed.operation } : {}),
          ...(observed.status !== undefined ? { status: observed.status } : {}),
          message: observed.message,
          reason: `${note}: ${observed.message}`,
        }),
      ),
    );
  const unique = new Map(expected.map((entry) => [keyOf(entry), entry]));
  const document = { expected: [...unique.values()] };
  return /\.ya?ml$/i.test(target)
    ? `# grantex-conformance baseline: expected findings (MUST) and warnings (SHOULD); see conformance/README.md\n${stringifyYaml(document)}`
    : `${JSON.stringify(document, null, 2)}\n`;
}
