/**
 * @module test/conformance/action
 * The GitHub Action: action.yml runs scripts/action/run.sh, which this test
 * runs as the Action would (GITHUB_STEP_SUMMARY, GITHUB_OUTPUT set), with the
 * local CLI instead of npx, against a reference server that starts only after
 * the script began waiting for it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startReferenceServer, type ReferenceServer } from '../../conformance/reference/server.js';

const root = resolve(import.meta.dirname, '../..');

function freePort(): Promise<number> {
  return new Promise((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
}

let server: ReferenceServer | undefined;
const dir = mkdtempSync(join(tmpdir(), 'gxc-action-'));
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the GitHub Action', () => {
  it('action.yml is a composite action whose run step is the script, fed by every input', () => {
    const action = parse(readFileSync(join(root, 'action.yml'), 'utf8')) as {
      inputs: Record<string, unknown>;
      runs: { using: string; steps: Array<{ run?: string; env?: Record<string, string>; uses?: string }> };
    };
    expect(action.runs.using).toBe('composite');
    const run = action.runs.steps.find((step) => step.run?.includes('scripts/action/run.sh'))!;
    expect(existsSync(join(root, 'scripts/action/run.sh'))).toBe(true);
    // Every input reaches the script, and the script reads every variable it is given.
    const script = readFileSync(join(root, 'scripts/action/run.sh'), 'utf8');
    const used = Object.values(run.env!).join(' ');
    for (const input of Object.keys(action.inputs).filter((name) => name !== 'artifact-name'))
      expect(used, input).toContain(`inputs.${input} `.trim());
    for (const variable of Object.keys(run.env!))
      if (variable !== 'GRANTEX_API_KEY') expect(script, variable).toContain(variable);
    expect(action.runs.steps.some((step) => step.uses?.startsWith('actions/upload-artifact@'))).toBe(true);
  });

  it('its script waits for the server, runs the suite, writes every report, the job summary and the exit code', async () => {
    const port = await freePort();
    const summary = join(dir, 'summary.md');
    const output = join(dir, 'output.txt');
    writeFileSync(summary, '');
    const out = join(dir, 'reports');
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of Object.keys(env)) if (name.startsWith('GRANTEX_') || name.startsWith('npm_')) delete env[name];
    Object.assign(env, {
      GRANTEX_BASE_URL: `http://127.0.0.1:${port}`,
      GRANTEX_SEED: '3',
      GRANTEX_OUT_DIR: out,
      GRANTEX_WAIT_FOR_SERVER: '60',
      GRANTEX_ARGS: '--only tokens.claims,policies.crud --runs 2',
      // The local checkout, run by its own tsx (npx would fetch from the registry outside the repository).
      GRANTEX_CONFORMANCE_CLI: `${join(root, 'node_modules/.bin/tsx')} ${join(root, 'conformance/cli/main.ts')}`,
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_OUTPUT: output,
    });
    const child = spawn('bash', [join(root, 'scripts/action/run.sh')], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number>((done) => child.on('close', (code) => done(code ?? -1)));
    // The server comes up a few seconds after the job started.
    await new Promise((wait) => setTimeout(wait, 3_000));
    server = await startReferenceServer({ port, onError: () => undefined });
    const code = await exited;
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    expect(stdout).toMatch(/RESULT: PASS/);
    expect(readdirSync(out).sort()).toEqual([
      'grantex-conformance.har',
      'grantex-conformance.html',
      'grantex-conformance.json',
      'grantex-conformance.junit.xml',
      'grantex-conformance.md',
      'grantex-conformance.txt',
    ]);
    expect(readFileSync(summary, 'utf8')).toMatch(/^## Grantex conformance[\s\S]*\*\*PASS\*\*/);
    expect(readFileSync(output, 'utf8')).toBe(`exit-code=0\nreport-dir=${out}\n`);
    const report = JSON.parse(readFileSync(join(out, 'grantex-conformance.json'), 'utf8'));
    expect(report.seed).toBe(3);
    expect(
      report.results.filter((r: { id: string }) => !r.id.startsWith('contract.op.')).map((r: { id: string }) => r.id),
    ).toEqual(['tokens.claims', 'policies.crud']);
  }, 240_000);
});
