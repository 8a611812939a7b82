// The README is the front door: its commands exist, its TypeScript examples
// type-check and run as written (against the reference server), and its
// JavaScript quick start is plain JavaScript that Node 20 runs.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer, type ReferenceServer } from '../conformance/reference/server.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map(([, lang, code]) => ({ lang: lang!, code: code! }));
const examples = blocks.filter((b) => b.lang === 'ts').map((b) => b.code);
const jsQuickStart = blocks.find((b) => b.lang === 'js')?.code;
const scripts = Object.keys(
  (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts,
);

describe('README', () => {
  it('names only npm scripts that exist', () => {
    const named = [...readme.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(5);
    for (const name of named) expect(scripts, `npm run ${name}`).toContain(name);
  });

  it('gives the two commands that CI runs', () => {
    const ci = readFileSync(join(root, '.ci/run'), 'utf8');
    expect(blocks.find((b) => b.lang === 'sh')?.code).toMatch(/^npm ci && npm run conformance .*\nnpm test /);
    expect(ci).toMatch(/^npm ci$/m);
    expect(ci).toMatch(/^npm test$/m);
  });

  it('shows the quick start that the pack test runs from the tarball, verbatim', () => {
    const quickstart = readFileSync(join(root, 'test/client/pack/quickstart.ts.txt'), 'utf8');
    expect(examples[0]).toBe(quickstart);
  });

  it('shows the JavaScript quick start that the pack test and the runtime matrix run, verbatim', () => {
    expect(jsQuickStart).toBe(readFileSync(join(root, 'test/client/pack/quickstart.js.txt'), 'utf8'));
  });

  describe('examples', () => {
    let server: ReferenceServer;
    let work: string;
    let apiKey: string;
    beforeAll(async () => {
      server = await startReferenceServer();
      work = mkdtempSync(join(tmpdir(), 'grantex-readme-'));
      const response = await fetch(`${server.url}/v1/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'README', mode: 'sandbox' }),
      });
      apiKey = ((await response.json()) as { apiKey: string }).apiKey;
      // The examples import the package by name; here it is the source.
      for (const [i, code] of examples.entries()) writeFileSync(join(work, `example-${i}.ts`), code);
      writeFileSync(
        join(work, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022',
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            strict: true,
            noEmit: true,
            skipLibCheck: true,
            lib: ['ES2023', 'DOM', 'ESNext.Disposable'],
            types: ['node'],
            typeRoots: [join(root, 'node_modules/@types')],
            paths: { grantex: [join(root, 'src/index.ts')] },
            allowImportingTsExtensions: true,
          },
          include: ['*.ts'],
        }),
      );
      writeFileSync(join(work, 'package.json'), JSON.stringify({ type: 'module' }));
    }, 60_000);
    afterAll(async () => {
      await server?.close();
      if (work !== undefined) rmSync(work, { recursive: true, force: true });
    });

    it('type-check', async () => {
      const tsc = join(root, 'node_modules/typescript/bin/tsc');
      const result = await run(process.execPath, [tsc, '-p', work], { cwd: work }).catch((e: { stdout?: string }) => ({
        stdout: e.stdout ?? String(e),
      }));
      expect(result.stdout).toBe('');
    }, 120_000);

    it('the JavaScript quick start is syntax this Node accepts without a loader', async () => {
      const source = join(work, 'quickstart.mjs');
      writeFileSync(source, jsQuickStart!);
      await expect(run(process.execPath, ['--check', source])).resolves.toMatchObject({ stderr: '' });
    });

    it('the JavaScript quick start runs against the reference server', async () => {
      const source = join(work, 'run-js.mjs');
      writeFileSync(
        source,
        jsQuickStart!.replaceAll("from 'grantex'", `from ${JSON.stringify(join(root, 'src/index.ts'))}`),
      );
      const { stdout } = await run(process.execPath, ['--import', 'tsx', source], {
        cwd: root,
        env: { ...process.env, GRANTEX_BASE_URL: server.url },
      });
      expect(stdout).toMatch(/^did:grantex:ag_\w+ may use calendar:read for user_42\nvalid after revoke: false$/m);
    }, 60_000);

    it.each(examples.map((code, i) => [i, code] as const))(
      'example %i runs against the reference server',
      async (i, code) => {
        const source = join(work, `run-${i}.mts`);
        writeFileSync(source, code.replaceAll("from 'grantex'", `from ${JSON.stringify(join(root, 'src/index.ts'))}`));
        const { stdout } = await run(process.execPath, ['--import', 'tsx', source], {
          cwd: root,
          env: { ...process.env, GRANTEX_BASE_URL: server.url, GRANTEX_API_KEY: apiKey },
        });
        expect(stdout.trim()).not.toBe('');
        if (i === 0) expect(stdout).toMatch(/^valid after revoke: false$/m);
        if (code.includes('verifyAuditChain'))
          expect(stdout).toMatch(/^grant grnt_1 was revoked\n1 audit entries, chain intact$/m);
        if (code.includes('budgets.debit')) {
          expect(stdout).toMatch(/^remaining 12\.5000$/m);
          expect(stdout).toMatch(/^released a oauth2 credential$/m);
          expect(stdout).toMatch(/^event vault\.credential\.stored$/m);
        }
        if (code.includes('dpdp.createRecord'))
          expect(stdout).toMatch(
            /^consent withdrawn, grant revoked: true\nbundle 1 active: true\nldap connection active\nlisted Calendar tools$/m,
          );
        if (code.includes('GrantexNotFoundError'))
          expect(stdout).toMatch(/^\/v1\/agents\/\{agentId\} answered 404\nno such agent \(\w+\)$/m);
      },
      60_000,
    );
  });
});
