/**
 * The relying-party kit catches each deliberately broken verifier with the
 * case meant for it, passes the same verifier without its flaw, and its
 * command exits as the main suite does (0 / 1 / 2) with every report format.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RP_CASES } from '../../conformance/rp/corpus.js';
import { startTestIssuer, type TestIssuer } from '../../conformance/rp/issuer.js';
import { runRp } from '../../conformance/rp/runner.js';
import { renderHtml } from '../../conformance/report/html.js';
import { renderJson } from '../../conformance/report/json.js';
import { renderJunit } from '../../conformance/report/junit.js';
import { renderText } from '../../conformance/report/text.js';
import { type Flaw, startBrokenVerifier } from './broken-verifiers.js';
import { startApp } from '../adapters/servers.js';

const AUDIENCE = 'https://files.api.test';
const SCOPES = ['files:read'];
let issuer: TestIssuer;

beforeAll(async () => {
  issuer = await startTestIssuer();
});
afterAll(() => issuer.close());

async function kitAgainst(flaw: Flaw | undefined) {
  const verifier = await startBrokenVerifier({ issuer, audience: AUDIENCE, scopes: SCOPES, ...(flaw ? { flaw } : {}) });
  try {
    return await runRp({ target: verifier.url, scopes: SCOPES, audience: AUDIENCE, online: true, issuer });
  } finally {
    await verifier.close();
  }
}

/** Each flaw and the case(s) that must catch it. */
const MEANT: Record<Flaw, string[]> = {
  'accepts-alg-none': ['rp.alg-none'],
  'accepts-hs256': ['rp.hs256-public-key'],
  'unknown-kid-fails-open': ['rp.unknown-kid'],
  'skips-signature': ['rp.foreign-key', 'rp.tampered-payload', 'rp.tampered-signature'],
  'short-signature-skips-check': ['rp.truncated'],
  'ignores-exp': ['rp.expired'],
  'ignores-nbf': ['rp.nbf-future'],
  'ignores-iat': ['rp.iat-future'],
  'ignores-aud': ['rp.wrong-aud'],
  'ignores-iss': ['rp.wrong-iss'],
  'ignores-scope': ['rp.missing-scope'],
  'accepts-any-exponent': ['rp.weak-exponent'],
  'accepts-short-modulus': ['rp.weak-modulus'],
  'ignores-delegation-depth': ['rp.delegation-depth'],
  'skips-revocation': ['rp.revoked'],
  'serves-without-token': ['rp.no-token'],
};

describe('the relying-party kit', () => {
  it('passes the hand-rolled verifier without a flaw (so each failure below is its flaw)', async () => {
    const report = await kitAgainst(undefined);
    expect(report.results.filter((r) => r.status !== 'pass').map((r) => r.id)).toEqual([]);
    expect(report.exitCode).toBe(0);
  });

  it('covers every case of the corpus with a broken verifier', () => {
    const caught = new Set(Object.values(MEANT).flat());
    expect(RP_CASES.map((c) => c.id).filter((id) => !caught.has(id))).toEqual([]);
  });

  it.each(Object.entries(MEANT) as [Flaw, string[]][])('catches a verifier that %s', async (flaw, cases) => {
    const report = await kitAgainst(flaw);
    const failed = report.results.filter((r) => r.status === 'fail' || r.status === 'warn').map((r) => r.id);
    expect(failed).toEqual(expect.arrayContaining(cases));
    const must =
      cases.some((id) => RP_CASES.find((c) => c.id === id)?.level !== 'SHOULD') || flaw === 'serves-without-token';
    expect(report.exitCode).toBe(must ? 1 : 0);
    const result = report.results.find((r) => r.id === cases[0])!;
    expect(result.message).toBe(
      flaw === 'serves-without-token'
        ? 'the endpoint served a request that carried no token'
        : 'the endpoint served the bad token',
    );
    expect(result.clause).toMatch(/SPEC §|RFC /);
  });

  it('renders a caught flaw with its clause in every report format', async () => {
    const report = await kitAgainst('accepts-alg-none');
    const clause = RP_CASES.find((c) => c.id === 'rp.alg-none')!.clause;
    for (const [format, text] of [
      ['text', renderText(report)],
      ['json', renderJson(report)],
      ['junit', renderJunit(report)],
      ['html', renderHtml(report)],
    ] as const) {
      expect(text, format).toContain('rp.alg-none');
      // HTML links each clause to its section: compare its text without the tags.
      const shown = format === 'html' ? text.replace(/<[^>]+>/g, '') : text;
      expect(shown, format).toContain(format === 'json' ? JSON.stringify(clause).slice(1, -1) : clause.split(':')[0]);
    }
    expect(renderText(report)).toContain('RESULT: FAIL — 1 MUST check(s) failed');
  });

  it('stops with exit 2 when the target refuses the valid token', async () => {
    const other = await startTestIssuer();
    const verifier = await startBrokenVerifier({ issuer: other, audience: AUDIENCE, scopes: SCOPES });
    try {
      const report = await runRp({ target: verifier.url, scopes: SCOPES, audience: AUDIENCE, issuer });
      expect(report.exitCode).toBe(2);
      expect(report.fatal).toMatch(/refused the valid token/);
    } finally {
      await verifier.close();
      await other.close();
    }
  });
});

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

describe('grantex-conformance rp', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'grantex-rp-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const cli = (args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'conformance/cli/main.ts', 'rp', ...args], { cwd: root }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );

  it('exits 0 against the Express adapter, with a JUnit report naming each clause', async () => {
    const port = await freePort();
    const kit = `http://127.0.0.1:${port}`;
    const app = await startApp('express', {
      jwksUri: `${kit}/.well-known/jwks.json`,
      issuer: kit,
      audience: AUDIENCE,
      scopes: SCOPES,
    });
    try {
      const out = join(work, 'rp.xml');
      const args = ['--target', app.url, '--scope', SCOPES[0]!, '--audience', AUDIENCE, '--issuer-port', String(port)];
      const { code, stdout } = await cli([...args, '--report', 'junit', '--out', out]);
      expect(stdout).toContain('RESULT: PASS');
      expect(code).toBe(0);
      const xml = readFileSync(out, 'utf8');
      expect(xml).toContain('name="rp.alg-none [MUST]');
      expect(xml).toMatch(/<testsuite name="rp" tests="19" failures="0"/);
      expect(stdout).toMatch(/rp\s+18\s+0\s+0\s+0\s+1/);
    } finally {
      await app.close();
    }
  }, 60_000);

  it('exits 2 when the target does not answer, and on bad options', async () => {
    const port = await freePort();
    const down = await cli(['--target', `http://127.0.0.1:${port}/x`]);
    expect(down.code).toBe(2);
    expect(down.stdout).toContain('COULD NOT RUN');
    expect((await cli(['--target', 'ftp://x'])).code).toBe(2);
    expect((await cli(['--target', 'http://127.0.0.1:1/', '--only', 'rp.nope'])).code).toBe(2);
  }, 60_000);
});
