/**
 * @module test/conformance/ci-run
 * The suite as a CI job runs it: the CLI in its own process, stderr not a
 * terminal, against a reference server with faults on. One run writes every
 * report; progress reaches stderr; the JSON report follows its schema and
 * renders again to the same HTML; `diff` against a healthy run finds the
 * regressions; and every replay line of the text report, pasted into a shell,
 * gives the same verdict.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../conformance/engine/run-report.js';
import { startReferenceServer, type ReferenceServer } from '../../conformance/reference/server.js';
import { reportProblems } from '../../conformance/report/schema.js';
import { parseXml } from './xml.js';

const root = resolve(import.meta.dirname, '../..');

/** Runs `command` in a shell from the repository root, stdout and stderr piped (not a terminal). */
function shell(command: string, timeoutMs = 240_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const env = { ...process.env };
    for (const name of Object.keys(env)) if (name.startsWith('GRANTEX_')) delete env[name];
    const child = spawn('bash', ['-c', command], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** The selection: two areas where the faults below make plain and property checks fail. */
const SELECTION = '--only tokens,policies --runs 3 --seed 7';
const FAULTS = ['scopes-escalated', 'policy-priority-first', 'token-revoke-noop'] as const;

let faulty: ReferenceServer;
let healthy: ReferenceServer;
let dir: string;
let run: { code: number; stdout: string; stderr: string };
let report: RunReport;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gxc-ci-'));
  faulty = await startReferenceServer({ faults: [...FAULTS], onError: () => undefined });
  healthy = await startReferenceServer({ onError: () => undefined });
  run = await shell(
    `npm run conformance --silent -- --base-url ${faulty.url} ${SELECTION} --report text,json,junit,html,har,markdown --out-dir ${dir}`,
  );
  report = JSON.parse(readFileSync(join(dir, 'grantex-conformance.json'), 'utf8')) as RunReport;
}, 300_000);

afterAll(async () => {
  await faulty?.close();
  await healthy?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('one CI run', () => {
  it('writes text, JSON, JUnit, HTML, HAR and Markdown, and the text also goes to stdout', () => {
    expect(run.code, run.stderr).toBe(1);
    const file = (name: string) => readFileSync(join(dir, name), 'utf8');
    expect(file('grantex-conformance.txt')).toBe(run.stdout);
    expect(run.stdout).toMatch(/RESULT: FAIL/);
    expect(report.summary.fail).toBeGreaterThanOrEqual(3);
    const junit = parseXml(file('grantex-conformance.junit.xml'));
    expect(Number(junit.attributes['failures'])).toBe(report.summary.fail);
    expect(file('grantex-conformance.html')).toMatch(/^<!doctype html>/);
    const markdown = file('grantex-conformance.md');
    expect(markdown).toMatch(/\*\*FAIL\*\*: \d+ MUST check\(s\) failed/);
    expect(markdown).toMatch(/replay: ` npm run conformance -- --base-url http/);
    // Every request of the run is in the HAR, and no secret is.
    const har = JSON.parse(file('grantex-conformance.har')) as {
      log: { version: string; entries: Array<{ request: { url: string } }> };
    };
    expect(har.log.version).toBe('1.2');
    expect(har.log.entries.length).toBe(report.requests);
    const text = file('grantex-conformance.har');
    for (const key of report.createdKeys ?? []) expect(text).not.toContain(key.secret);
    expect(text).toContain('Bearer $GRANTEX_RUN_API_KEY');
    expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]{16,}/);
  });

  it('prints progress on stderr without a terminal: a line per finished area', () => {
    const lines = run.stderr.split('\n').filter((line) => line.startsWith('grantex-conformance ['));
    expect(lines[0]).toMatch(/checking http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines.some((line) => /\] tokens done · \d+\/\d+ results · \d+ pass, [1-9]\d* fail/.test(line))).toBe(true);
    expect(lines.some((line) => /\] policies done · \d+\/\d+ results/.test(line))).toBe(true);
    expect(run.stdout).not.toContain('grantex-conformance [');
  });

  it('writes a JSON report that follows the published schema, version 1', () => {
    expect(reportProblems(report)).toEqual([]);
    expect((report as unknown as { schemaVersion: number }).schemaVersion).toBe(1);
    const published = JSON.parse(readFileSync(join(root, 'conformance/report/report.schema.json'), 'utf8'));
    expect(published.properties.schemaVersion.const).toBe(1);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.exports['./report.schema.json']).toBe('./conformance/report/report.schema.json');
    expect(pkg.files).toContain('conformance/report/report.schema.json');
    // Something that is not a report does not pass.
    expect(reportProblems({ ...report, results: [{ id: 'x' }] })).not.toEqual([]);
    expect(reportProblems({ ...report, exitCode: 3 })).not.toEqual([]);
  });

  it('renders the saved JSON report again: the HTML is identical to the one the run wrote', async () => {
    const again = await shell(
      `npm run conformance --silent -- report ${dir}/grantex-conformance.json --format html --out ${dir}/again.html`,
    );
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(join(dir, 'again.html'), 'utf8')).toBe(
      readFileSync(join(dir, 'grantex-conformance.html'), 'utf8'),
    );
    const text = await shell(`npm run conformance --silent -- report ${dir}/grantex-conformance.json`);
    expect(text.stdout).toBe(run.stdout);
    const bad = await shell(`npm run conformance --silent -- report ${dir}/grantex-conformance.md`);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not JSON/);
  }, 240_000);

  it('diff against a healthy run lists the regressions (exit 1), and the other way the fixes (exit 0)', async () => {
    const clean = await shell(
      `npm run conformance --silent -- --base-url ${healthy.url} ${SELECTION} --quiet --report json --out ${dir}/healthy.json`,
    );
    expect(clean.code, clean.stdout).toBe(0);
    expect(clean.stderr).not.toContain('done ·');
    const failed = report.results.filter((result) => result.status === 'fail').map((result) => result.id);
    const regressed = await shell(
      `npm run conformance --silent -- diff ${dir}/healthy.json ${dir}/grantex-conformance.json`,
    );
    expect(regressed.code).toBe(1);
    for (const id of failed)
      expect(regressed.stdout).toMatch(new RegExp(`✗ ${id.replace('.', '\\.')} \\[MUST\\] pass → fail`));
    expect(regressed.stdout).toContain('RESULT: REGRESSED (exit 1)');
    const fixed = await shell(
      `npm run conformance --silent -- diff ${dir}/grantex-conformance.json ${dir}/healthy.json --format json`,
    );
    expect(fixed.code).toBe(0);
    const diff = JSON.parse(fixed.stdout) as { regressions: unknown[]; fixes: Array<{ id: string }> };
    expect(diff.regressions).toEqual([]);
    expect(diff.fixes.map((change) => change.id).sort()).toEqual([...failed].sort());
  }, 240_000);

  it('every replay line, pasted into a shell, fails the same check again', async () => {
    const lines = [...run.stdout.matchAll(/replay: (.+)$/gm)].map((match) => match[1]!);
    const failing = report.results.filter((result) => result.status === 'fail');
    // One line per failing check (a check with several findings has one per finding).
    expect(lines.length).toBeGreaterThanOrEqual(failing.length);
    // Plain checks get one too.
    expect(failing.filter((result) => result.path === undefined && result.replay).length).toBeGreaterThan(0);
    expect(run.stdout).not.toMatch(/^\s*$\n^\s*$/m);
    for (const line of lines) {
      expect(line.startsWith(`npm run conformance -- --base-url ${faulty.url} --only `), line).toBe(true);
      const id = /--only (\S+)/.exec(line)![1]!;
      const again = await shell(line);
      expect(again.code, `${line}\n${again.stdout}${again.stderr}`).toBe(1);
      expect(again.stdout).toContain(`✗ ${id} [MUST]`);
      const original = report.results.find((result) => result.id === id)!;
      // A plain result prints `counterexample:`, a check's findings print each one's `request:`.
      if (original.counterexample)
        expect([`counterexample: ${original.counterexample}`, `request: ${original.counterexample}`]).toContainEqual(
          expect.toSatisfy((line: string) => again.stdout.includes(line)),
        );
      // No empty reasons, e.g. "ADAPTED: 1 property check(s) ran fewer runs:" with nothing after it.
      expect(again.stdout).not.toMatch(/(ran fewer runs|replay|counterexample|what|observed):\s*$/m);
    }
  }, 600_000);
});
