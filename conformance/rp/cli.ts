/**
 * @module rp/cli
 * `grantex-conformance rp`: checks that a protected API refuses bad grant
 * tokens. Exit codes as in the main suite: 0 every MUST passed, 1 a MUST
 * failed, 2 the run could not be made.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ReportFormat } from '../engine/options.js';
import { renderHtml } from '../report/html.js';
import { renderJson } from '../report/json.js';
import { renderJunit } from '../report/junit.js';
import { renderText } from '../report/text.js';
import { RP_CASES } from './corpus.js';
import { runRp, type RpOptions } from './runner.js';

const HELP = `grantex-conformance rp: checks that a protected API refuses bad grant tokens

Usage: grantex-conformance rp --target URL [options]

  --target URL               the protected endpoint (required)
  --method METHOD            request method (default GET)
  --scope SCOPE              a scope the endpoint needs (repeatable); enables the missing-scope case
  --audience AUD             the API's identifier (its expected aud); enables the wrong-aud case
  --max-delegation-depth N   the API's delegation depth limit (default 10, SPEC §9's hard cap)
  --online                   the API checks revocation online at the kit issuer; enables the revoked case
  --issuer-port PORT         port of the kit's test issuer on 127.0.0.1 (default: a free port)
  --keys FILE                keep the kit's keys in FILE (written on first use) so the JWKS stays the same
  --jwks-out FILE            write the kit's JWKS to FILE (for APIs that read keys from a file)
  --timeout SECONDS          per-request timeout (default 10)
  --only LIST                case ids to run (comma-separated)
  --report FORMAT            text | json | junit | html (default text)
  --out FILE                 write the report to FILE (a text summary still goes to stdout)
  --list                     list the cases with their clauses
  --help                     this text

Configure the API to trust the kit's issuer: JWKS http://127.0.0.1:PORT/.well-known/jwks.json,
issuer http://127.0.0.1:PORT, and, for --online, POST http://127.0.0.1:PORT/v1/tokens/verify.
Exit codes: 0 every MUST passed · 1 a MUST failed · 2 could not run
`;

function usage(message: string): number {
  process.stderr.write(`grantex-conformance rp: ${message}\n(see --help)\n`);
  return 2;
}

/** Runs `grantex-conformance rp …`; resolves to the exit code. */
export async function rpMain(argv: readonly string[]): Promise<number> {
  // biome-ignore lint/suspicious/noImplicitAnyLet: parseArgs' own inferred type
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        target: { type: 'string' },
        method: { type: 'string' },
        scope: { type: 'string', multiple: true },
        audience: { type: 'string' },
        'max-delegation-depth': { type: 'string' },
        online: { type: 'boolean' },
        'issuer-port': { type: 'string' },
        keys: { type: 'string' },
        'jwks-out': { type: 'string' },
        timeout: { type: 'string' },
        only: { type: 'string', multiple: true },
        report: { type: 'string' },
        out: { type: 'string' },
        list: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return usage(error instanceof Error ? error.message : String(error));
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (v.list) {
    process.stdout.write(`${RP_CASES.map((c) => `${c.id.padEnd(24)} ${c.level.padEnd(6)} ${c.clause}`).join('\n')}\n`);
    return 0;
  }
  if (v.target === undefined || !/^https?:\/\/[^/\s]/.test(v.target)) return usage('--target must be an http(s) URL');
  const method = (v.method ?? 'GET').toUpperCase();
  if (!/^[A-Z]+$/.test(method)) return usage('--method must be an HTTP method');
  const integer = (value: string | undefined, name: string, min: number, max: number): number | undefined | null => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (Number.isInteger(n) && n >= min && n <= max) return n;
    usage(`--${name} must be an integer from ${min} to ${max}`);
    return null;
  };
  const depth = integer(v['max-delegation-depth'], 'max-delegation-depth', 0, 10);
  const port = integer(v['issuer-port'], 'issuer-port', 1, 65535);
  const timeout = integer(v.timeout, 'timeout', 1, 600);
  if (depth === null || port === null || timeout === null) return 2;
  const format = (v.report ?? 'text') as ReportFormat;
  if (!['text', 'json', 'junit', 'html'].includes(format)) return usage('--report must be text, json, junit or html');
  const only = (v.only ?? [])
    .flatMap((item) => item.split(','))
    .map((item) => item.trim())
    .filter(Boolean);
  const unknown = only.filter((id) => !RP_CASES.some((c) => c.id === id));
  if (unknown.length > 0) return usage(`unknown case ${JSON.stringify(unknown[0])} (see --list)`);
  const options: RpOptions = {
    target: v.target,
    method,
    scopes: v.scope ?? [],
    ...(v.audience !== undefined ? { audience: v.audience } : {}),
    ...(depth !== undefined ? { maxDelegationDepth: depth } : {}),
    online: v.online === true,
    ...(port !== undefined ? { issuerPort: port } : {}),
    ...(timeout !== undefined ? { timeoutMs: timeout * 1000 } : {}),
    only,
  };
  let issuer: RpOptions['issuer'];
  try {
    const { startTestIssuer } = await import('./issuer.js');
    issuer = await startTestIssuer({
      ...(port !== undefined ? { port } : {}),
      ...(v.keys !== undefined ? { keysFile: v.keys } : {}),
    });
  } catch (error) {
    return usage(`could not start the test issuer: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    if (v['jwks-out'] !== undefined) writeFileSync(v['jwks-out'], `${JSON.stringify(issuer.jwks, null, 2)}\n`);
    const report = await runRp({ ...options, issuer });
    const render = { json: renderJson, junit: renderJunit, html: (r: typeof report) => renderHtml(r) }[
      format as 'json' | 'junit' | 'html'
    ];
    const text = renderText(report, { command: 'grantex-conformance rp' });
    if (v.out !== undefined) {
      writeFileSync(v.out, render ? render(report) : text);
      process.stdout.write(text);
      process.stderr.write(`report written to ${v.out}\n`);
    } else process.stdout.write(render ? render(report) : text);
    return report.exitCode;
  } finally {
    await issuer.close();
  }
}
