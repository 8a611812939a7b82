/**
 * @module test/conformance/cli-help
 * Every command line program of the project answers --help and --version
 * with exit 0, and its help documents its exit codes: the conformance CLI and
 * its report and diff subcommands, the self-test, and the dev-server.
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const tsx = join(root, 'node_modules/.bin/tsx');

const PROGRAMS: Array<{ name: string; script: string; before?: string[] }> = [
  { name: 'grantex-conformance', script: 'conformance/cli/main.ts' },
  { name: 'grantex-conformance report', script: 'conformance/cli/main.ts', before: ['report'] },
  { name: 'grantex-conformance diff', script: 'conformance/cli/main.ts', before: ['diff'] },
  { name: 'conformance:selftest', script: 'conformance/cli/selftest.ts' },
  { name: 'dev-server', script: 'conformance/reference/cli/main.ts' },
];

async function exec(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(tsx, args, { cwd: root, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('--help, --version and exit codes of every CLI', () => {
  it.each(PROGRAMS)(
    '$name',
    async ({ script, before = [] }) => {
      const help = await exec([script, ...before, '--help']);
      expect(help.code, help.stderr).toBe(0);
      expect(help.stdout).toMatch(/Usage: /);
      expect(help.stdout).toMatch(/Exit codes: 0 .* 2 /s);
      expect(help.stderr).toBe('');
      const version = await exec([script, ...before, '--version']);
      expect(version.code, version.stderr).toBe(0);
      expect(version.stdout.trim()).toMatch(new RegExp(` ${pkg.version.replace(/\./g, '\\.')}$`));
      // A bad flag: a usage error, exit 2, no stack trace.
      const bad = await exec([script, ...before, '--no-such-flag']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).not.toMatch(/\n\s+at /);
    },
    120_000,
  );

  it('the main help names every flag the parser takes', async () => {
    const help = (await exec(['conformance/cli/main.ts', '--help'])).stdout;
    for (const flag of ['--report LIST', '--out FILE', '--out-dir DIR', '--quiet', '--wait-for-server', '--version'])
      expect(help).toContain(flag);
  }, 60_000);
});
