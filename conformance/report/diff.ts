/**
 * @module report/diff
 * Two runs compared (`grantex-conformance diff a.json b.json`): staging against
 * production, last release against this one. A regression is a MUST failure
 * or SHOULD warning in the second run that the first did not have; a fix is
 * the reverse, ending in a pass. Checks that stopped being judged (skipped,
 * not selected) are listed apart, never counted as fixes.
 */
import type { RunReport } from '../engine/run-report.js';
import type { Level, Status } from '../engine/types.js';

/** A check's verdict in one run; `absent` when the run has no result for it. */
export type Verdict = Status | 'absent';

export interface Change {
  id: string;
  level: Level;
  before: Verdict;
  after: Verdict;
  /** What failed, in the run where it failed. */
  message?: string;
}

export interface ReportDiff {
  before: { runId: string; baseUrl: string; fatal?: string };
  after: { runId: string; baseUrl: string; fatal?: string };
  regressions: Change[];
  fixes: Change[];
  /** Failing in both runs. */
  stillFailing: Change[];
  /** Failing before, not judged now (skipped, not implemented, or not run). */
  noLongerJudged: Change[];
}

const bad = (verdict: Verdict) => verdict === 'fail' || verdict === 'warn';

export function diffReports(before: RunReport, after: RunReport): ReportDiff {
  const a = new Map(before.results.map((result) => [result.id, result]));
  const b = new Map(after.results.map((result) => [result.id, result]));
  const diff: ReportDiff = {
    before: summaryOf(before),
    after: summaryOf(after),
    regressions: [],
    fixes: [],
    stillFailing: [],
    noLongerJudged: [],
  };
  for (const id of new Set([...a.keys(), ...b.keys()])) {
    const was = a.get(id);
    const now = b.get(id);
    const change: Change = {
      id,
      level: (now ?? was)!.level,
      before: was?.status ?? 'absent',
      after: now?.status ?? 'absent',
    };
    const message = (bad(change.after) ? now : was)?.message;
    if (message !== undefined) change.message = message;
    if (bad(change.after) && !bad(change.before)) diff.regressions.push(change);
    else if (bad(change.after)) diff.stillFailing.push(change);
    else if (bad(change.before) && change.after === 'pass') diff.fixes.push(change);
    else if (bad(change.before)) diff.noLongerJudged.push(change);
  }
  const order = (x: Change, y: Change) =>
    x.level === y.level ? x.id.localeCompare(y.id) : x.level === 'MUST' ? -1 : 1;
  for (const list of [diff.regressions, diff.fixes, diff.stillFailing, diff.noLongerJudged]) list.sort(order);
  return diff;
}

function summaryOf(report: RunReport): ReportDiff['before'] {
  return { runId: report.runId, baseUrl: report.baseUrl, ...(report.fatal ? { fatal: report.fatal } : {}) };
}

/** Exit code of `diff`: 1 on a regression, 2 when either run could not be made, else 0. */
export function diffExitCode(diff: ReportDiff): 0 | 1 | 2 {
  if (diff.before.fatal !== undefined || diff.after.fatal !== undefined) return 2;
  return diff.regressions.length > 0 ? 1 : 0;
}

/** The diff for people. `clean` makes server text safe for a terminal. */
export function renderDiff(diff: ReportDiff, clean: (text: string) => string = visible): string {
  const lines = [
    `before: run ${clean(diff.before.runId)} · ${clean(diff.before.baseUrl || '(no server)')}`,
    `after:  run ${clean(diff.after.runId)} · ${clean(diff.after.baseUrl || '(no server)')}`,
  ];
  for (const [side, run] of [
    ['before', diff.before],
    ['after', diff.after],
  ] as const)
    if (run.fatal !== undefined) lines.push(`the ${side} run could not be made: ${clean(run.fatal)}`);
  const section = (title: string, changes: Change[], mark: string) => {
    if (changes.length === 0) return;
    lines.push('', `${title} (${changes.length})`);
    for (const change of changes)
      lines.push(
        `${mark} ${change.id} [${change.level}] ${change.before} → ${change.after}${change.message ? `: ${clean(change.message)}` : ''}`,
      );
  };
  section('REGRESSIONS', diff.regressions, '✗');
  section('FIXES', diff.fixes, '✓');
  section('STILL FAILING', diff.stillFailing, '·');
  section('NO LONGER JUDGED (failing before; skipped, not implemented or not run now)', diff.noLongerJudged, '~');
  const must = (changes: Change[]) => changes.filter((change) => change.level === 'MUST').length;
  lines.push(
    '',
    `${diff.regressions.length} regression(s) (${must(diff.regressions)} MUST, ${diff.regressions.length - must(diff.regressions)} SHOULD) · ${diff.fixes.length} fix(es) · ${diff.stillFailing.length} still failing`,
    diffExitCode(diff) === 1
      ? 'RESULT: REGRESSED (exit 1)'
      : diffExitCode(diff) === 2
        ? 'RESULT: cannot compare (exit 2)'
        : 'RESULT: no regression (exit 0)',
  );
  return `${lines.join('\n')}\n`;
}

/** Control characters shown as `\u001b`, never sent to the terminal. */
export function visible(text: string): string {
  return text.replace(
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
