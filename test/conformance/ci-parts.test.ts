/**
 * @module test/conformance/ci-parts
 * The parts of a CI run in isolation: the shell lines reports hand out (a
 * throwaway key a server chose is pasted safely or not at all; replay lines
 * keep the run's flags with secrets as variables), the pairing of report
 * formats and files, the progress log's heartbeat, Markdown escaping, and
 * `--wait-for-server`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commandOf, replayCommand } from '../../conformance/cli/invocation.js';
import { OutputError, planOutputs } from '../../conformance/cli/outputs.js';
import { ProgressLog } from '../../conformance/cli/progress.js';
import { waitForServer } from '../../conformance/cli/wait.js';
import type { RunReport } from '../../conformance/engine/run-report.js';
import type { CheckResult } from '../../conformance/engine/types.js';
import { decodeTokens } from '../../conformance/report/jwt.js';
import { linkClause, operationUrl, specSectionUrl } from '../../conformance/report/links.js';
import { escapeMarkdown } from '../../conformance/report/markdown.js';
import { keyExports } from '../../conformance/report/rerun.js';
import { renderText } from '../../conformance/report/text.js';
import { renderHtml } from '../../conformance/report/html.js';

function reportWithKeys(secrets: string[]): RunReport {
  return {
    tool: 'grantex-conformance',
    runId: 'gxc-test',
    baseUrl: 'http://127.0.0.1:1',
    reference: false,
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1,
    seed: 1,
    runs: 1,
    extensions: {},
    results: [
      {
        id: 'tokens.claims',
        area: 'tokens',
        clause: 'SPEC §6.2',
        level: 'MUST',
        title: 't',
        status: 'fail',
        durationMs: 1,
        requests: 1,
        notes: [],
        message: 'm',
        replay: '--only tokens.claims --seed 1',
      },
    ],
    summary: { pass: 0, fail: 1, warn: 0, 'not-implemented': 0, skip: 0 },
    byArea: { tokens: { pass: 0, fail: 1, warn: 0, 'not-implemented': 0, skip: 0 } },
    requests: 1,
    rateLimitWaitMs: 0,
    learnedLimits: [],
    cleanup: { deleted: 0, failed: [] },
    createdKeys: secrets.map((secret, index) => ({
      label: index === 0 ? 'GRANTEX_RUN_API_KEY' : 'GRANTEX_RUN_API_KEY_2',
      secret,
    })),
    notes: [],
    exitCode: 1,
  };
}

/** The `export` lines of the text and HTML reports' re-run section. */
function exportLines(report: RunReport): string[] {
  const text = renderText(report)
    .split('\n')
    .filter((line) => /^\s*export /.test(line))
    .map((line) => line.trim());
  const html = /<pre>(# keys of developers[^<]*)<\/pre>/
    .exec(renderHtml(report))![1]!
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .split('\n')
    .filter((line) => line.startsWith('export '));
  expect(html).toEqual(text);
  return text;
}

describe('the re-run section never hands a server-chosen value to the shell unchecked (issue 20, item 1)', () => {
  it('quotes a key-shaped key, under its own variable', () => {
    const lines = exportLines(reportWithKeys(['gx_test_0123456789abcdef']));
    expect(lines).toEqual(["export GRANTEX_RUN_API_KEY='gx_test_0123456789abcdef'"]);
  });

  it('withholds a key with shell syntax in it, and says where to find it', () => {
    const report = reportWithKeys(['gx_test_abc$(touch pwned)', "gx_test_a'b;rm -rf ~"]);
    expect(exportLines(report)).toEqual([]);
    expect(renderText(report)).toMatch(/# GRANTEX_RUN_API_KEY: not printed, the server's key is not key-shaped/);
    expect(renderText(report)).not.toContain('touch pwned');
  });

  it('whatever the key, pasting the section runs nothing and sets the variable to the key or not at all', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gxc-paste-'));
    try {
      const marker = join(dir, 'pwned');
      const hostile = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.constantFrom(`$(touch ${marker})`, `\`touch ${marker}\``, `'; touch ${marker}; '`, `a\ntouch ${marker}`),
        fc.stringMatching(/^[A-Za-z0-9._~+/=-]{8,40}$/),
      );
      const keys = fc.sample(fc.tuple(hostile, hostile), { numRuns: 60, seed: 11 });
      const script: string[] = [];
      for (const [a, b] of keys) {
        // What a reader pastes: every line of the section, comments included.
        const section = keyExports(reportWithKeys([`gx_test_${a}`, `gx_test_${b}`]));
        script.push(
          'unset GRANTEX_RUN_API_KEY GRANTEX_RUN_API_KEY_2',
          ...section,
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, not a template
          'printf "%s\\0%s\\0" "${GRANTEX_RUN_API_KEY-<unset>}" "${GRANTEX_RUN_API_KEY_2-<unset>}"',
        );
      }
      const result = spawnSync('bash', ['-c', script.join('\n')], { encoding: 'utf8' });
      expect(result.status, result.stderr).toBe(0);
      const values = result.stdout.split('\0');
      keys.forEach(([a, b], index) => {
        for (const [offset, secret] of [`gx_test_${a}`, `gx_test_${b}`].entries()) {
          const value = values[index * 2 + offset];
          expect([secret, '<unset>']).toContain(value);
        }
      });
      expect(existsSync(marker)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('replay lines', () => {
  it('keep the flags that shape the run, in order, with each secret as a variable', () => {
    expect(
      replayCommand(
        [
          '--base-url',
          'http://127.0.0.1:4100',
          '--api-key',
          'gx_live_real',
          '--api-key=gx_test_second',
          '--only',
          'tokens',
          '--seed',
          '5',
          '--issuer',
          "https://issuer.test/a b'c",
          '--report',
          'json',
          '--out',
          'r.json',
          '--scim-token',
          'scim_secret',
          '--no-signup',
          '--timeout',
          '3',
          '--verbose',
        ],
        'npx grantex-conformance',
      ),
    ).toBe(
      `npx grantex-conformance --base-url http://127.0.0.1:4100 --api-key "$GRANTEX_API_KEY" --api-key "$GRANTEX_API_KEY_2" --issuer 'https://issuer.test/a b'\\''c' --scim-token "$GRANTEX_SCIM_TOKEN" --no-signup --timeout 3`,
    );
  });

  it('name the command the user ran', () => {
    expect(commandOf({ npm_lifecycle_event: 'conformance' }, '/x/conformance/cli/main.ts', '/x')).toBe(
      'npm run conformance --',
    );
    expect(commandOf({}, '/usr/lib/node_modules/grantex/dist/grantex-conformance.js', '/w')).toBe(
      'npx grantex-conformance',
    );
    expect(commandOf({}, '/x/conformance/cli/main.ts', '/x')).toBe('npx tsx conformance/cli/main.ts');
  });
});

describe('report outputs', () => {
  it('pair formats and files', () => {
    expect(planOutputs([], [])).toEqual([{ format: 'text' }]);
    expect(planOutputs(['json'], [])).toEqual([{ format: 'json' }]);
    expect(planOutputs(['junit'], ['results.out'])).toEqual([{ format: 'junit', file: 'results.out' }]);
    expect(planOutputs(['text', 'html'], ['r.html'])).toEqual([{ format: 'html', file: 'r.html' }, { format: 'text' }]);
    expect(planOutputs([], ['a.json', 'b.xml', 'c.md', 'd.har'])).toEqual([
      { format: 'json', file: 'a.json' },
      { format: 'junit', file: 'b.xml' },
      { format: 'markdown', file: 'c.md' },
      { format: 'har', file: 'd.har' },
    ]);
    expect(planOutputs(['json', 'html'], [], 'out').map((output) => output.file)).toEqual([
      join('out', 'grantex-conformance.json'),
      join('out', 'grantex-conformance.html'),
    ]);
    expect(planOutputs([], [], 'out')).toHaveLength(6);
    expect(() => planOutputs(['json', 'html'], [])).toThrow(OutputError);
    expect(() => planOutputs(['har'], [])).toThrow(OutputError);
    expect(() => planOutputs([], ['a.pdf', 'b.json'])).toThrow(OutputError);
  });
});

describe('progress without a terminal', () => {
  it('prints a line per finished area, per long wait, and at least every 30 s', () => {
    let now = 0;
    const lines: string[] = [];
    const log = new ProgressLog(
      (line) => void lines.push(line),
      () => now,
    );
    const result = (id: string, status: 'pass' | 'fail') => ({ id, area: id.split('.')[0], status }) as CheckResult;
    log.onProgress({ index: 0, total: 3, id: 'tokens.a' });
    now = 1_000;
    log.onProgress({ index: 0, total: 3, id: 'tokens.a', result: result('tokens.a', 'pass') });
    log.onProgress({ index: 1, total: 3, id: 'webhooks.b' });
    expect(lines.at(-1)).toBe(
      'grantex-conformance [1 s] tokens done · 1/3 results · 1 pass, 0 fail, 0 warn, 0 skip, 0 n/i\n',
    );
    // A long check: the heartbeat speaks once 30 s pass without a line (ticks every 5 s).
    for (now = 5_000; now <= 61_000; now += 5_000) log.tick();
    const beats = lines.filter((line) => line.includes('still running: webhooks.b'));
    expect(beats.length).toBe(2);
    log.onWait({ route: 'POST /v1/token', seconds: 3, reason: 'short' });
    log.onWait({ route: 'POST /v1/token', seconds: 42, reason: '429 on POST /v1/token, Retry-After 42 s' });
    expect(lines.at(-1)).toMatch(/waiting 42 s: 429 on POST \/v1\/token, Retry-After 42 s/);
    expect(lines.some((line) => line.includes('short'))).toBe(false);
    log.onProgress({ index: 1, total: 3, id: 'webhooks.b', result: result('webhooks.b', 'fail') });
    log.onProgress({ index: 2, total: 3, id: 'contract.op.x', result: result('contract.op.x', 'pass') });
    expect(lines.slice(-2).map((line) => line.replace(/\[\d+ s\] /, ''))).toEqual([
      'grantex-conformance webhooks done · 2/3 results · 1 pass, 1 fail, 0 warn, 0 skip, 0 n/i\n',
      'grantex-conformance contract verdicts per operation done · 3/3 results · 2 pass, 1 fail, 0 warn, 0 skip, 0 n/i\n',
    ]);
    log.stop();
  });
});

describe('markdown', () => {
  it('escapes what a server wrote: no link, image, HTML or line break gets through', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => {
        const out = escapeMarkdown(text);
        expect(out).not.toMatch(/[<>\n\r]/);
        expect(out).not.toMatch(/(^|[^\\])[[\]()!`*_|]/);
      }),
      { seed: 3, numRuns: 300 },
    );
    expect(escapeMarkdown('![x](https://evil.test/p.png) <img src=x>')).toBe(
      '\\!\\[x\\]\\(https://evil\\.test/p\\.png\\) &lt;img src=x&gt;',
    );
  });
});

describe('--wait-for-server', () => {
  it('waits until GET /health answers 2xx, and gives up with the last answer after the timeout', async () => {
    let ready = false;
    const server = createServer((request, response) => {
      response.statusCode = request.url === '/health' && ready ? 200 : 503;
      response.end();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as { port: number };
    try {
      setTimeout(() => (ready = true), 1_500);
      const said: string[] = [];
      expect(await waitForServer(`http://127.0.0.1:${port}`, 20_000, (line) => void said.push(line))).toEqual({
        ok: true,
      });
      ready = false;
      const failed = await waitForServer(`http://127.0.0.1:${port}`, 2_500, () => undefined);
      expect(failed).toEqual({
        ok: false,
        message: expect.stringMatching(/did not get ready within 3 s .*GET \/health answered 503/),
      });
    } finally {
      server.close();
    }
  });
});

describe('HTML report helpers', () => {
  it('decodes the header and claims of each token, never its signature', () => {
    const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const token = `${segment({ alg: 'RS256', kid: 'k1' })}.${segment({ scp: ['admin:all'], exp: 1_800_000_000 })}`;
    const decoded = decodeTokens(`# → 201 {"grantToken":"${token}.<signature redacted>"} and again ${token}.sig`);
    expect(decoded).toEqual([
      {
        header: { alg: 'RS256', kid: 'k1' },
        claims: { scp: ['admin:all'], exp: 1_800_000_000 },
        times: { exp: '2027-01-15T08:00:00.000Z' },
      },
    ]);
    expect(decodeTokens('eyJub3Q.eyJqc29u.x')).toEqual([]);
  });

  it('links SPEC and RFC clauses to their sections, and operations to the API reference', () => {
    const html = linkClause('SPEC §6.4 exp, §99 none; RFC 7636 §4.6 the verifier', (text) => text);
    expect(html).toContain(
      '<a href="https://github.com/mishrasanjeev/grantex/blob/main/SPEC.md#64-validation-rules">§6.4</a>',
    );
    expect(html).toContain('<a href="https://www.rfc-editor.org/rfc/rfc7636#section-4.6">§4.6</a>');
    expect(html).toContain('§99 none');
    expect(specSectionUrl('12')).toBe(
      'https://github.com/mishrasanjeev/grantex/blob/main/SPEC.md#12-enterprise-identity--scim--sso',
    );
    expect(operationUrl('agentsCreate', 'Agents')).toBe('build/docs/index.html#/agents/agentscreate');
  });
});
