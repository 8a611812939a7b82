// The published package as a user gets it: build into a staging copy, `npm pack`,
// install the tarball into a scratch project, type-check consumer code with the
// emitted declarations (strict, Node and browser settings), and run the quick
// start against the reference server.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer, type ReferenceServer } from '../../conformance/reference/server.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const fixtures = join(import.meta.dirname, 'pack');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  files: string[];
  devDependencies: Record<string, string>;
};

let work: string;
let project: string;
let tarball: string;

async function sh(command: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  return run(command, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'grantex-pack-'));
  // Stage the files `npm pack` would take, building into the stage so the repository's dist/ is left alone.
  const stage = join(work, 'stage');
  mkdirSync(join(stage, 'generated'), { recursive: true });
  await sh(join(root, 'node_modules/.bin/tsup'), ['--out-dir', join(stage, 'dist')], root);
  copyFileSync(join(root, 'package.json'), join(stage, 'package.json'));
  for (const file of pkg.files.filter((f) => f.startsWith('generated/'))) copyFileSync(join(root, file), join(stage, file));
  for (const file of ['README.md', 'LICENSE']) if (existsSync(join(root, file))) copyFileSync(join(root, file), join(stage, file));
  const { stdout } = await sh('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', work], stage);
  tarball = join(work, stdout.trim().split('\n').pop()!);

  project = join(work, 'consumer');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  for (const file of readdirSync(fixtures)) {
    if (file.endsWith('.json') || file.endsWith('.ts.txt')) copyFileSync(join(fixtures, file), join(project, file.replace(/\.txt$/, '')));
  }
  const tools = ['typescript', '@types/node'].map((name) => `${name}@${pkg.devDependencies[name]}`);
  await sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball, ...tools], project);
}, 240_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('holds the ESM build, its declarations and the bundled spec, and nothing else', async () => {
    const { stdout } = await sh('tar', ['-tzf', tarball], work);
    const files = stdout.trim().split('\n').sort();
    expect(files).toEqual(
      expect.arrayContaining([
        'package/package.json',
        'package/dist/index.js',
        'package/dist/index.d.ts',
        'package/dist/grantex-conformance.js',
        'package/generated/openapi.json',
        'package/generated/openapi.yaml',
      ]),
    );
    expect(files.filter((f) => /\/(src|test|conformance|scripts|spec)\//.test(f))).toEqual([]);
  });

  it('keeps Node built-ins out of the entry, so browsers and edge runtimes can load it', () => {
    const entry = readFileSync(join(project, 'node_modules/grantex/dist/index.js'), 'utf8');
    expect(entry).not.toMatch(/from\s*["']node:|import\(\s*["']node:|require\(/);
    expect(entry).not.toMatch(/from\s*["'](fs|path|http|https|crypto|buffer|os|child_process|stream|util)["']/);
  });

  it('bundles the spec types into the declarations', () => {
    const types = readFileSync(join(project, 'node_modules/grantex/dist/index.d.ts'), 'utf8');
    expect(types).toMatch(/interface paths \{/);
    expect(types).toMatch(/interface operations \{/);
    expect(types).not.toMatch(/from ['"]\.\.?\//);
  });

  it.each(['tsconfig.node.json', 'tsconfig.browser.json'])('type-checks consumer code with %s', async (config) => {
    const tsc = join(project, 'node_modules/typescript/bin/tsc');
    const result = await sh(process.execPath, [tsc, '-p', config], project).catch((error: { stdout?: string }) => ({
      stdout: error.stdout ?? String(error),
    }));
    expect(result.stdout).toBe('');
  }, 120_000);

  describe('quick start against the reference server', () => {
    let server: ReferenceServer;
    beforeAll(async () => {
      server = await startReferenceServer();
    });
    afterAll(async () => {
      await server?.close();
    });

    it('installs the grantex-conformance command, which passes the reference server', async () => {
      const bin = join(project, 'node_modules/.bin/grantex-conformance');
      const { stdout } = await sh(bin, ['--base-url', server.url, '--only', 'tokens', '--runs', '3', '--report', 'json', '--out', 'report.json'], project);
      expect(stdout).toMatch(/RESULT: PASS/);
      const report = JSON.parse(readFileSync(join(project, 'report.json'), 'utf8')) as { exitCode: number };
      expect(report.exitCode).toBe(0);
    }, 120_000);

    it('authorize → exchange → verify offline → revoke runs as written', async () => {
      const { stdout } = await sh(process.execPath, ['out/quickstart.js'], project, { GRANTEX_BASE_URL: server.url });
      expect(stdout).toMatch(/^did:grantex:ag_\w+ may use calendar:read for user_42$/m);
      expect(stdout).toMatch(/^valid after revoke: false$/m);
    }, 60_000);
  });
});
