// The published package as a user gets it: build into a staging copy, `npm pack`
// (scripts/pack.ts), install the tarball into a scratch project, type-check
// consumer code with the emitted declarations (Node ESM, Node CommonJS, DOM
// without Node types), run the CommonJS consumer, and run both quick starts
// against the reference server.
import { execFile, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer, type ReferenceServer } from '../../conformance/reference/server.js';
import { packTarball } from '../../scripts/pack.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const fixtures = join(import.meta.dirname, 'pack');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };

let work: string;
let project: string;
let tarball: string;

async function sh(command: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  return run(command, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'grantex-pack-'));
  ({ tarball } = await packTarball(work));

  project = join(work, 'consumer');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  for (const file of readdirSync(fixtures)) {
    if (file.endsWith('.json') || file.endsWith('.txt'))
      copyFileSync(join(fixtures, file), join(project, file.replace(/\.txt$/, '')));
  }
  const tools = ['typescript', '@types/node'].map((name) => `${name}@${pkg.devDependencies[name]}`);
  await sh(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball, ...tools],
    project,
  );
}, 240_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('a local Grantex after npm install (grantex-dev-server, grantex/testing)', () => {
  it('npx grantex-dev-server starts the reference server, which answers, and stops on SIGTERM', async () => {
    const help = await sh('npx', ['--no-install', 'grantex-dev-server', '--help'], project);
    expect(help.stdout).toMatch(/^Usage: npx grantex-dev-server \[options\]/m);
    const child = spawn('npx', ['--no-install', 'grantex-dev-server', '--port', '0'], {
      cwd: project,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    try {
      let output = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL within 60 s: ${output}`)), 60_000);
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const found = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
          if (found) {
            clearTimeout(timer);
            resolve(found[1]!);
          }
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
      });
      expect(output).toMatch(/sandbox API key: gx_test_[\w-]+/);
      const key = /sandbox API key: (\S+)/.exec(output)![1]!;
      const agents = await fetch(`${url}/v1/agents`, { headers: { authorization: `Bearer ${key}` } });
      expect(agents.status).toBe(200);
      expect(await agents.json()).toEqual({ agents: [] });
    } finally {
      // The whole process group: npx and the node process it started.
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    }
  }, 120_000);

  it("a user's test that imports grantex/testing passes under node --test", async () => {
    const { stdout } = await sh(process.execPath, ['--test', 'testing.test.mjs'], project);
    expect(stdout).toMatch(/^# pass 2$/m);
    expect(stdout).toMatch(/^# fail 0$/m);
  }, 120_000);
});

describe('the npm package', () => {
  it('holds the ESM build, the CommonJS entry, their declarations, the bundled spec and the docs, and nothing else', async () => {
    const { stdout } = await sh('tar', ['-tzf', tarball], work);
    const files = stdout.trim().split('\n').sort();
    expect(files).toEqual(
      expect.arrayContaining([
        'package/package.json',
        'package/dist/index.js',
        'package/dist/index.d.ts',
        'package/dist/index.cjs',
        'package/dist/index.d.cts',
        'package/dist/grantex-conformance.js',
        'package/dist/grantex-dev-server.js',
        'package/dist/testing.js',
        'package/dist/testing.d.ts',
        'package/openapi.json',
        'package/LICENSE',
        'package/README.md',
        'package/CHANGELOG.md',
        'package/generated/openapi.yaml',
      ]),
    );
    // The bundled spec is shipped once (issue 24): the bins read the root openapi.json too.
    expect(files.filter((f) => f.endsWith('openapi.json'))).toEqual(['package/openapi.json']);
    expect(files.filter((f) => /\/(src|test|conformance|scripts|spec)\//.test(f))).toEqual([
      'package/conformance/README.md',
      'package/conformance/report/report.schema.json',
    ]);
    expect(readFileSync(join(project, 'node_modules/grantex/LICENSE'), 'utf8')).toMatch(
      /Apache License\s+Version 2\.0/,
    );
  });

  it('ships a file for every relative link of its README', () => {
    const readme = readFileSync(join(project, 'node_modules/grantex/README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)]
      .map((m) => m[1]!)
      .filter((href) => !/^[a-z]+:|^#/.test(href));
    expect(links).toContain('conformance/README.md');
    for (const href of links)
      expect(existsSync(join(project, 'node_modules/grantex', href.split('#')[0]!)), href).toBe(true);
  });

  it('exports the bundled spec as grantex/openapi.json, the same as generated/openapi.json', async () => {
    const script =
      "import spec from 'grantex/openapi.json' with { type: 'json' }; console.log(spec.openapi, Object.keys(spec.paths).length)";
    const { stdout } = await sh(process.execPath, ['--input-type=module', '-e', script], project);
    const source = JSON.parse(readFileSync(join(root, 'generated/openapi.json'), 'utf8')) as {
      openapi: string;
      paths: object;
    };
    expect(stdout.trim()).toBe(`${source.openapi} ${Object.keys(source.paths).length}`);
  });

  it('serves the adapters as subpaths sharing the main entry (ESM and CommonJS)', async () => {
    const script = `
      import { withGrant } from 'grantex/next';
      import { requireGrant } from 'grantex/express';
      import { GrantexTokenError } from 'grantex';
      import { createRequire } from 'node:module';
      const GET = withGrant({ jwks: { keys: [] }, scopes: ['calendar:read'] }, () => new Response('served'));
      const refused = await GET(new Request('http://localhost/'), {});
      let shared = false;
      try { requireGrant({ jwks: { keys: [] }, scopes: ['not a scope'] }); } catch (error) { shared = error instanceof GrantexTokenError; }
      const cjs = createRequire(import.meta.url)('grantex/fastify');
      console.log(refused.status, refused.headers.get('www-authenticate'), shared, typeof cjs.requireGrant);`;
    const { stdout } = await sh(process.execPath, ['--input-type=module', '-e', script], project);
    expect(stdout.trim()).toBe('401 Bearer realm="grantex" true function');
  });

  it('keeps Node built-ins out of the entry, so browsers and edge runtimes can load it', () => {
    const entry = readFileSync(join(project, 'node_modules/grantex/dist/index.js'), 'utf8');
    expect(entry).not.toMatch(/from\s*["']node:|import\(\s*["']node:|require\(/);
    expect(entry).not.toMatch(/from\s*["'](fs|path|http|https|crypto|buffer|os|child_process|stream|util)["']/);
  });

  it('keeps grantex/testing out of the main entry: index.js imports no file of the package', () => {
    const entry = readFileSync(join(project, 'node_modules/grantex/dist/index.js'), 'utf8');
    expect(entry).not.toMatch(/from\s*["']\.\.?\//);
    expect(entry).not.toMatch(/import\(\s*["']\.\.?\//);
    expect(entry).not.toMatch(/hono|startReferenceServer/);
  });

  it('declares the Node versions whose require() loads the ESM entry', () => {
    const installed = JSON.parse(readFileSync(join(project, 'node_modules/grantex/package.json'), 'utf8')) as {
      engines: { node: string };
    };
    expect(installed.engines.node).toBe('>=20.19.0');
  });

  it('bundles the spec types into the declarations', () => {
    const types = readFileSync(join(project, 'node_modules/grantex/dist/index.d.ts'), 'utf8');
    expect(types).toMatch(/interface paths \{/);
    expect(types).toMatch(/interface operations \{/);
    expect(types).not.toMatch(/from ['"]\.\.?\//);
  });

  it.each(['tsconfig.node.json', 'tsconfig.commonjs.json', 'tsconfig.browser.json', 'tsconfig.disposable.json'])(
    'type-checks consumer code with %s',
    async (config) => {
      const tsc = join(project, 'node_modules/typescript/bin/tsc');
      const result = await sh(process.execPath, [tsc, '-p', config], project).catch((error: { stdout?: string }) => ({
        stdout: error.stdout ?? String(error),
      }));
      expect(result.stdout).toBe('');
    },
    120_000,
  );

  // Runs what tsc emitted for tsconfig.commonjs.json above.
  it('runs for a CommonJS consumer: require() loads the same classes as import', async () => {
    const { stdout } = await sh(process.execPath, ['out/commonjs.cjs'], project);
    expect(stdout).toMatch(/^require: function, challenge of 43 chars$/m);
    expect(stdout).toMatch(/^same classes: true$/m);
    expect(stdout).toMatch(/^spec: OpenAPI 3\.1\.\d+, \d+ paths$/m);
  });

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
      const { stdout } = await sh(
        bin,
        ['--base-url', server.url, '--only', 'tokens', '--runs', '3', '--report', 'json', '--out', 'report.json'],
        project,
      );
      expect(stdout).toMatch(/RESULT: PASS/);
      const report = JSON.parse(readFileSync(join(project, 'report.json'), 'utf8')) as { exitCode: number };
      expect(report.exitCode).toBe(0);
    }, 120_000);

    it('grantex-conformance --help shows the installed command, not the repository script', async () => {
      const { stdout } = await sh('npx', ['--no-install', 'grantex-conformance', '--help'], project);
      expect(stdout).toMatch(/^Usage: npx grantex-conformance \[options\]$/m);
      expect(stdout).not.toContain('npm run conformance');
    }, 60_000);

    it('the JavaScript quick start runs as written on plain Node', async () => {
      const { stdout } = await sh(process.execPath, ['quickstart.js'], project, { GRANTEX_BASE_URL: server.url });
      expect(stdout).toMatch(/^did:grantex:ag_\w+ may use calendar:read for user_42$/m);
      expect(stdout).toMatch(/^valid after revoke: false$/m);
    }, 60_000);

    it('authorize → exchange → verify offline → revoke runs as written', async () => {
      const { stdout } = await sh(process.execPath, ['out/quickstart.js'], project, { GRANTEX_BASE_URL: server.url });
      expect(stdout).toMatch(/^did:grantex:ag_\w+ may use calendar:read for user_42$/m);
      expect(stdout).toMatch(/^valid after revoke: false$/m);
    }, 60_000);
  });
});
