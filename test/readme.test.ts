// The README is the front door: its commands exist, its TypeScript examples
// type-check and run as written (against the reference server), and its
// JavaScript quick start is plain JavaScript that Node 20 runs.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** What each "Protect your API" example prints: the served and refused answers of its adapter. */
const ADAPTER_OUTPUT: Record<string, RegExp> = {
  express: /^200 \{"events":\[\],"for":"user_7"\}\n401 Bearer realm="grantex"$/m,
  hono: /^401 Bearer realm="grantex", error="invalid_token", error_description="the token is not a well-formed grant token"$/m,
  fastify: /^400 Bearer realm="grantex", error="invalid_request", /m,
  next: /^401 Bearer realm="grantex"$/m,
  mcp: /^true unauthorized: the request carries no bearer token$/m,
};

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
    beforeAll(async () => {
      server = await startReferenceServer();
      // Inside node_modules/.cache, so the examples resolve the frameworks they import (express, hono, …).
      mkdirSync(join(root, 'node_modules/.cache'), { recursive: true });
      work = mkdtempSync(join(root, 'node_modules/.cache/grantex-readme-'));
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
            paths: {
              grantex: [join(root, 'src/index.ts')],
              'grantex/testing': [join(root, 'conformance/reference/testing.ts')],
              'grantex/*': [join(root, 'src/adapters/*.ts')],
            },
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
        writeFileSync(
          source,
          code
            .replaceAll("from 'grantex'", `from ${JSON.stringify(join(root, 'src/index.ts'))}`)
            .replaceAll(
              "from 'grantex/testing'",
              `from ${JSON.stringify(join(root, 'conformance/reference/testing.ts'))}`,
            )
            .replace(
              /from 'grantex\/(\w+)'/g,
              (_, name: string) => `from ${JSON.stringify(join(root, `src/adapters/${name}.ts`))}`,
            ),
        );
        const { stdout } = await run(process.execPath, ['--import', 'tsx', source], {
          cwd: root,
          // No GRANTEX_API_KEY: the examples after the quick start bring their own server and key.
          env: { ...process.env, GRANTEX_BASE_URL: server.url, GRANTEX_API_KEY: '' },
        });
        expect(stdout.trim()).not.toBe('');
        if (i === 0) expect(stdout).toMatch(/^valid after revoke: false$/m);
        if (code.includes('verifyAuditChain'))
          expect(stdout).toMatch(
            /^grant grnt_1 was revoked\n1 audit entries, chain intact\nagent's entries intact; unlinked at \[\]$/m,
          );
        if (code.includes('verifyPassport('))
          expect(stdout).toMatch(
            /^did:grantex:ag_\w+ may spend up to 20 USDC per inference call\nafter revoke: revoked$/m,
          );
        if (code.includes('grantex.bundles.create'))
          expect(stdout).toMatch(
            /^account dev_\w+: sandbox, plan free\nbundle bundle_\w+: active offline until \S+\nuser_5 gave ag_\w+ calendar:read\n\d+ organisations in the trust registry$/m,
          );
        const adapter = /from 'grantex\/(?!testing')(\w+)'/.exec(code)?.[1];
        if (adapter !== undefined) expect(stdout).toMatch(ADAPTER_OUTPUT[adapter]!);
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
          expect(stdout).toMatch(/^\/v1\/agents\/\{agentId\} answered 404\nno such agent \(NOT_FOUND\)$/m);
        // Examples that need a server start their own with grantex/testing: no GRANTEX_API_KEY to set by hand.
        // (The adapter examples that only show refusals need none: their key set is never fetched.)
        if (i > 0 && /new Grantex\(|GRANTEX_BASE_URL/.test(code))
          expect(code).toMatch(/from 'grantex\/testing'|GRANTEX_API_KEY/);
        if (code.includes('startReferenceServer({ rateLimits'))
          expect(stdout).toMatch(/^agent ag_\w+ on http:\/\/127\.0\.0\.1:\d+$/m);
      },
      60_000,
    );
  });
});
