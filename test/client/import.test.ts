// Importing the package on Node loads no jose: it is imported only where the
// non-Node verification path needs it. Checked in a fresh Node process whose
// module-resolution hook reports every package it resolves.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'grantex-import-'));
  writeFileSync(
    join(work, 'hooks.mjs'),
    `export async function resolve(specifier, context, next) {
      if (!/^(\\.|\\/|file:|node:|data:)/.test(specifier)) console.error('RESOLVED ' + specifier);
      return next(specifier, context);
    }\n`,
  );
  writeFileSync(
    join(work, 'register.mjs'),
    `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`,
  );
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The packages a fresh `node` resolves while running `script` (an ES module body) in the repository. */
async function packagesResolvedBy(script: string): Promise<string[]> {
  const { stdout, stderr } = await run(
    process.execPath,
    [
      '--import',
      'tsx',
      '--import',
      pathToFileURL(join(work, 'register.mjs')).href,
      '--input-type=module',
      '-e',
      script,
    ],
    { cwd: root },
  );
  expect(stdout).toMatch(/^done( true)?$/m);
  return [...stderr.matchAll(/^RESOLVED (\S+)$/gm)].map((m) => m[1]!);
}

const index = pathToFileURL(join(root, 'src/index.ts')).href;
const testing = pathToFileURL(join(root, 'conformance/reference/testing.ts')).href;
/** Packages only the reference server (grantex/testing) uses. */
const SERVER_PACKAGES = /^(hono|@hono\/node-server|ajv|ajv-formats)(\/|$)/;
const signature = pathToFileURL(join(root, 'src/integrity/verify/signature.ts')).href;
const vectors = join(root, 'test/vectors');

describe('importing grantex on Node', () => {
  it('does not load jose, not even when a grant token is verified', async () => {
    const resolved = await packagesResolvedBy(`
      const { readFileSync } = await import('node:fs');
      const { Grantex, verifyGrantToken } = await import(${JSON.stringify(index)});
      new Grantex({ apiKey: 'gx_test_key' });
      const read = (name) => JSON.parse(readFileSync(${JSON.stringify(vectors)} + '/' + name, 'utf8'));
      const { response } = read('grant-token.json');
      const currentDate = new Date(Date.parse(response.expiresAt) - 60_000);
      const grant = await verifyGrantToken(response.grantToken, { jwks: read('jwks.json'), currentDate });
      console.log('done', grant.grantId === response.grantId);
    `);
    expect(resolved).toContain('openapi-fetch');
    expect(resolved.filter((name) => name.startsWith('jose'))).toEqual([]);
  }, 60_000);

  it('does not load grantex/testing: no reference server package is resolved', async () => {
    const resolved = await packagesResolvedBy(`
      const grantex = await import(${JSON.stringify(index)});
      new grantex.Grantex({ apiKey: 'gx_test_key' });
      console.log('done', !('startReferenceServer' in grantex));
    `);
    expect(resolved.filter((name) => SERVER_PACKAGES.test(name))).toEqual([]);
  }, 60_000);

  it('grantex/testing does load them (so the check above can fail), and starts a server', async () => {
    const resolved = await packagesResolvedBy(`
      const { startReferenceServer } = await import(${JSON.stringify(testing)});
      const server = await startReferenceServer({ variants: ['extra-fields'] });
      const ok = (await fetch(server.url + '/health')).ok;
      await server.close();
      console.log('done', ok);
    `);
    expect(resolved.filter((name) => SERVER_PACKAGES.test(name))).not.toEqual([]);
  }, 60_000);

  it('loads jose when the non-Node backend runs (so the check above can fail)', async () => {
    const resolved = await packagesResolvedBy(`
      const { joseBackend } = await import(${JSON.stringify(signature)});
      await joseBackend.verify('a.b.c', {}, { n: 'AQAB', e: 'AQAB' }).catch(() => {});
      console.log('done');
    `);
    expect(resolved).toContain('jose');
  }, 60_000);
});
