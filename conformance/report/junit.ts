/**
 * @module report/junit
 * JUnit XML for CI dashboards: one test suite per area, one test case per
 * check; MUST failures are <failure>, skips and missing extensions are
 * <skipped>, SHOULD warnings pass with the warning in <system-out>.
 */
import { AREAS } from '../engine/options.js';
import type { RunReport } from '../engine/run-report.js';
import type { CheckResult } from '../engine/types.js';
import { replayLine } from './rerun.js';

function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function details(result: CheckResult, report: RunReport): string {
  return [
    `${result.clause}`,
    result.message && `what: ${result.message}`,
    result.expected !== undefined && `expected: ${result.expected}`,
    result.observed !== undefined && `observed: ${result.observed}`,
    result.counterexample && `counterexample: ${result.counterexample}`,
    result.replay && `replay: ${replayLine(report, result.replay)}`,
    ...result.notes.map((note) => `note: ${note}`),
    ...(result.findings?.length ? [] : (result.transcript ?? [])),
    ...(result.findings ?? []).flatMap((finding, index, all) => [
      `finding ${index + 1}/${all.length}: ${finding.operationId} → ${finding.status}: ${finding.message}`,
      `  expected: ${finding.expected}`,
      `  observed: ${finding.observed}`,
      `  request: ${finding.counterexample}`,
      `  replay: ${replayLine(report, finding.replay)}`,
      ...finding.transcript,
    ]),
  ]
    .filter(Boolean)
    .join('\n');
}

function testcase(result: CheckResult, report: RunReport): string {
  const open = `    <testcase classname="grantex.${escapeXml(result.area)}" name="${escapeXml(`${result.id} [${result.level}] ${result.title}`)}" time="${(result.durationMs / 1000).toFixed(3)}"`;
  switch (result.status) {
    case 'pass':
      return `${open}/>`;
    case 'fail':
      if (result.expectedBecause !== undefined)
        return `${open}>\n      <skipped message="${escapeXml(`expected failure (baseline): ${result.expectedBecause}`)}"/>\n    </testcase>`;
      return `${open}>\n      <failure type="MUST" message="${escapeXml(result.message ?? 'failed')}">${escapeXml(details(result, report))}</failure>\n    </testcase>`;
    case 'warn':
      return `${open}>\n      <system-out>${escapeXml(`WARNING (SHOULD): ${details(result, report)}`)}</system-out>\n    </testcase>`;
    case 'not-implemented':
      return `${open}>\n      <skipped message="${escapeXml(`not implemented: ${result.message ?? ''}`)}"/>\n    </testcase>`;
    case 'skip':
      return `${open}>\n      <skipped message="${escapeXml(result.message ?? 'skipped')}"/>\n    </testcase>`;
  }
}

export function renderJunit(report: RunReport): string {
  const suites: string[] = [];
  if (report.fatal) {
    suites.push(
      `  <testsuite name="grantex-conformance" tests="1" failures="0" errors="1" skipped="0" time="${(report.durationMs / 1000).toFixed(3)}">\n    <testcase classname="grantex.run" name="run">\n      <error message="${escapeXml(report.fatal)}"/>\n    </testcase>\n  </testsuite>`,
    );
  }
  for (const area of AREAS) {
    const results = report.results.filter((result) => result.area === area);
    if (results.length === 0) continue;
    const failures = results.filter((r) => r.status === 'fail' && r.expectedBecause === undefined).length;
    const skipped = results.filter(
      (r) =>
        r.status === 'skip' ||
        r.status === 'not-implemented' ||
        (r.status === 'fail' && r.expectedBecause !== undefined),
    ).length;
    const time = results.reduce((sum, r) => sum + r.durationMs, 0) / 1000;
    suites.push(
      `  <testsuite name="${escapeXml(area)}" tests="${results.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time.toFixed(3)}">\n${results.map((result) => testcase(result, report)).join('\n')}\n  </testsuite>`,
    );
  }
  if (report.coverage) {
    // Coverage as properties of its own suite: CI dashboards show them without counting tests.
    const properties = report.coverage.operations
      .map(
        (op) =>
          `      <property name="${escapeXml(`coverage.${op.operationId}`)}" value="${escapeXml(`${op.requests} requests; seen ${op.statusesSeen.join(',') || '-'}; documented ${op.statusesDocumented.join(',')}`)}"/>`,
      )
      .join('\n');
    suites.push(
      `  <testsuite name="coverage" tests="0" failures="0" errors="0" skipped="0" time="0.000">\n    <properties>\n      <property name="coverage.exercised" value="${report.coverage.exercised}/${report.coverage.total}"/>\n${properties}\n    </properties>\n  </testsuite>`,
    );
  }
  const total = report.results.length + (report.fatal ? 1 : 0);
  const expected = report.results.filter((r) => r.status === 'fail' && r.expectedBecause !== undefined).length;
  const failures = report.summary.fail - expected;
  const skipped = report.summary.skip + report.summary['not-implemented'] + expected;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="grantex-conformance" tests="${total}" failures="${failures}" errors="${report.fatal ? 1 : 0}" skipped="${skipped}" time="${(report.durationMs / 1000).toFixed(3)}">\n${suites.join('\n')}\n</testsuites>\n`;
}
