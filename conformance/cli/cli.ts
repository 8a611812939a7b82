/**
 * @module cli
 * `grantex-conformance` / `npm run conformance`: parses the command line into
 * {@link RunOptions}, runs the suite (against the in-process reference server
 * when no --base-url is given), prints progress on a TTY, writes the report,
 * and exits 0 (every MUST passed), 1 (a MUST failed) or 2 (could not run).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseBaseline, writeBaseline } from '../engine/baseline.js';
import { ALL_CHECKS } from '../checks/index.js';
import type { Check } from '../engine/check.js';
import { parseReplay } from '../engine/context.js';
import { ContractValidator } from '../http/contract.js';
import { didYouMean } from '../verdicts/nearest.js';
import { renderCoverageTable } from '../verdicts/coverage-table.js';
import { AREAS, defaultOptions, type ApprovalMode, type ReportFormat, type RunOptions } from '../engine/options.js';
import { visible } from '../engine/safety/terminal.js';
import { runConformance, type RunReport } from '../runner.js';
import type { TimedExchange } from '../report/har.js';
import { replayCommand } from './invocation.js';
import { parseFormats, planOutputs, renderOutput, writeOutputs, type Output } from './outputs.js';
import { ProgressLog } from './progress.js';
import { diffCommand, reportCommand } from './subcommands.js';
import { VERSION } from './version.js';
import { waitForServer } from './wait.js';

/**
 * How the user ran the suite, for the usage line and replay hints: the
 * installed command (the bundle in dist/, through node_modules/.bin), or
 * `npm run conformance --` in a clone of the repository.
 */
const COMMAND = /grantex-conformance(\.js)?$/.test(process.argv[1] ?? '')
  ? 'npx grantex-conformance'
  : 'npm run conformance --';

const HELP = `grantex-conformance: property-based and model-based conformance checks of a Grantex server

Usage: ${COMMAND} [options]
       ${COMMAND} report FILE.json [--format FORMAT] [--out FILE]   render a saved JSON report again
       ${COMMAND} diff BEFORE.json AFTER.json                        regressions and fixes between runs

Target
  --base-url URL         server to check; without it the in-memory reference server is started in-process
  --wait-for-server S    first wait up to S seconds for GET /health to answer 2xx (a server still starting)
  --api-key KEY          developer API key (env GRANTEX_API_KEY); give it twice for the isolation checks'
                         second developer. Without a key, developers are created with POST /v1/signup.
  --issuer URL           the server's token issuer, when it is not reachable from here (behind a proxy):
                         every iss must equal URL and the base URL's key set must verify the tokens.
                         Without it, the key set is fetched from iss + /.well-known/jwks.json (SPEC §6.4)
  --event-api-key KEY    key of a developer set aside for checks that set off events (webhook deliveries,
                         revocations) or change configuration (env GRANTEX_EVENT_API_KEY). Without it, with a
                         --api-key, such a developer is created with POST /v1/signup, else those checks skip
  --allow-side-effects   let those checks run as the --api-key developer (its real webhooks receive the events;
                         the report lists each such request). Requests that can revoke or change what existed
                         before the run (POST /v1/anomalies/detect: automatic revocation) are never sent under it
  --scim-token TOKEN     SCIM bearer token (default: one is created for the run and deleted after)
  --approval MODE        auto | sandbox | consent: how authorization requests get approved (default auto:
                         a code in the authorize answer means sandbox, else the consent endpoint approves)
  --no-signup            never create developers with POST /v1/signup

Selection and inputs
  --only LIST            areas or check ids to run (comma-separated, repeatable)
  --skip LIST            areas or check ids to leave out
  --runs N               property runs per check (default 20; fewer when budget or rate limits require)
  --seed S               run seed (default random; printed in the report)
  --replay PATH          replay a counterexample path (with --seed and --only <check id>); copy it from the report
  --shrink-budget N      requests the shrinking of one failure may make (default 200)
  --shrink-time SECONDS  time the shrinking of one failure may take (default 60)
  --list                 list the checks and exit
  --list --coverage      list SPEC.md's normative sentences with the checks that judge them

Traffic
  --timeout SECONDS      per-request timeout (default 10)
  --max-rps N            at most N requests per second (default unbounded)
  --budget N             at most N requests in total (default 20000)
  --max-retry-after S    longest 429 Retry-After to wait out (default 90)
  --max-response-bytes N largest answer read, counted after content decoding (default 10485760); a larger
                         one is cut off and fails the check
  --receiver-host HOST   host the server must call for webhooks (default 127.0.0.1)
  --webhook-wait SECONDS how long to wait for webhook deliveries (default 45)
  --keep-on-failure      keep what failing checks created (their transcripts stay re-runnable)

Output
  --report LIST          formats, comma-separated: text, json, junit, html, har (the traffic, secrets
                         redacted), markdown (a CI job summary). Default text
  --out FILE             write a report to FILE, the format from its extension (.txt .json .xml .html .har .md);
                         repeatable. With one --report and one --out, the file gets that format
  --out-dir DIR          write each --report format without an --out file to DIR/grantex-conformance.<ext>
                         (every format when no --report is given). A text summary goes to stdout
                         unless a report does
  --expect FILE          baseline of known deviations (JSON or YAML: expected: [{check, level, operation, status,
                         message, until, reason}]); exit 0 when every failure is expected, 1 on a new finding,
                         2 when an entry is unknown or stale (matches nothing any more)
  --write-baseline FILE  write this run's failures and warnings as a baseline (.yaml/.yml: YAML, else JSON)
  --verbose              list every check and log every request on stderr
  --quiet                no progress lines on stderr (without a terminal, one line per finished area,
                         one per rate-limit wait over 10 s, and one at least every 30 s)
  --help                 this text
  --version              the version

Areas: ${AREAS.join(', ')}
Exit codes: 0 every MUST passed · 1 a MUST failed · 2 could not run (unreachable server, refused key, bad options)
Each failure's replay line repeats this run's flags (secrets as "$VARIABLES"): paste it to re-run that check.
`;

/** Thrown for unusable command lines (exit 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface Parsed {
  options: RunOptions;
  help: boolean;
  list: boolean;
  /** `--version`. */
  version?: boolean;
  /** `--quiet`: no progress lines. */
  quiet?: boolean;
  /** The reports to write (`--report`, `--out`, `--out-dir`). */
  outputs?: Output[];
  /** `--wait-for-server S`: seconds to wait for GET /health first. */
  waitForServerS?: number;
  /** `--list --coverage`: the coverage table of SPEC.md's normative sentences. */
  coverage?: boolean;
}

function integer(value: string | undefined, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min)
    throw new UsageError(`--${name} must be an integer ≥ ${min} (got ${JSON.stringify(value)})`);
  return parsed;
}

function list(values: string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter(Boolean);
}

/** The option names parseArgs knows, for the nearest-name hint. */
const OPTION_NAMES = [...HELP.matchAll(/^\s+(--[a-z-]+)/gm)].map((match) => match[1]!);

/** parseArgs' "Unknown option '--x'" message, with the nearest option name. */
function unknownOptionHint(message: string): string {
  const unknown = /Unknown option '(--?[^']+)'/.exec(message)?.[1];
  if (unknown === undefined) return message.split('\n')[0]!;
  return `unknown option ${unknown}${didYouMean(unknown, OPTION_NAMES)}`;
}

/** Every area, check id and id prefix `--only`/`--skip` accept. */
function selectable(checks: readonly Check[]): string[] {
  const names = new Set<string>(AREAS);
  for (const check of checks) {
    names.add(check.id);
    const parts = check.id.split('.');
    for (let i = 1; i < parts.length; i++) names.add(parts.slice(0, i).join('.'));
  }
  return [...names];
}

/** Checks `--only`/`--skip` names: an unknown one is a usage error naming the nearest. @throws {UsageError} */
function selection(names: string[], option: string, checks: readonly Check[]): string[] {
  const known = selectable(checks);
  for (const name of names) {
    if (!known.includes(name))
      throw new UsageError(`${option}: unknown area or check ${JSON.stringify(name)}${didYouMean(name, known)}`);
  }
  return names;
}

/** Every entry of a baseline names a check of the suite. @throws {UsageError} naming the nearest id */
function knownBaselineIds(entries: readonly { check: string }[], source: string): void {
  const ids = [
    ...ALL_CHECKS.map((check) => check.id),
    ...ContractValidator.fromFile().operations.map((op) => `contract.op.${op.operationId}`),
  ];
  for (const entry of entries) {
    if (!ids.includes(entry.check))
      throw new UsageError(
        `--expect ${source}: unknown check ${JSON.stringify(entry.check)}${didYouMean(entry.check, ids)}`,
      );
  }
}

/** Parses argv (without node and script) into run options. @throws {UsageError} */
export function parseCommandLine(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = {},
  /** The checks `--only`/`--skip` may name (tests that run checks of their own pass them). */
  checks: readonly Check[] = ALL_CHECKS,
): Parsed {
  // biome-ignore lint/suspicious/noImplicitAnyLet: the type is parseArgs' own, inferred from the options below
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        'base-url': { type: 'string' },
        'api-key': { type: 'string', multiple: true },
        'scim-token': { type: 'string' },
        issuer: { type: 'string' },
        'event-api-key': { type: 'string' },
        'allow-side-effects': { type: 'boolean' },
        'keep-on-failure': { type: 'boolean' },
        approval: { type: 'string' },
        'no-signup': { type: 'boolean' },
        only: { type: 'string', multiple: true },
        skip: { type: 'string', multiple: true },
        runs: { type: 'string' },
        seed: { type: 'string' },
        replay: { type: 'string' },
        'shrink-budget': { type: 'string' },
        'shrink-time': { type: 'string' },
        list: { type: 'boolean' },
        coverage: { type: 'boolean' },
        timeout: { type: 'string' },
        'max-rps': { type: 'string' },
        budget: { type: 'string' },
        'max-retry-after': { type: 'string' },
        'max-response-bytes': { type: 'string' },
        'receiver-host': { type: 'string' },
        'webhook-wait': { type: 'string' },
        report: { type: 'string', multiple: true },
        out: { type: 'string', multiple: true },
        'out-dir': { type: 'string' },
        quiet: { type: 'boolean' },
        version: { type: 'boolean' },
        'wait-for-server': { type: 'string' },
        expect: { type: 'string' },
        'write-baseline': { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(unknownOptionHint(error instanceof Error ? error.message : String(error)));
  }
  const v = parsed.values;
  const options = defaultOptions();
  const baseUrl = v['base-url'];
  if (baseUrl !== undefined) {
    if (!/^https?:\/\/[^/]/.test(baseUrl))
      throw new UsageError(`--base-url must be an http(s) URL (got ${JSON.stringify(baseUrl)})`);
    options.baseUrl = baseUrl.replace(/\/+$/, '');
  }
  options.apiKeys = v['api-key'] ?? (env['GRANTEX_API_KEY'] ? [env['GRANTEX_API_KEY']] : []);
  options.apiKeySource = v['api-key'] ? '--api-key' : 'GRANTEX_API_KEY';
  const eventKey = v['event-api-key'] ?? env['GRANTEX_EVENT_API_KEY'];
  if (eventKey) options.eventApiKey = eventKey;
  options.allowSideEffects = v['allow-side-effects'] === true;
  options.keepOnFailure = v['keep-on-failure'] === true;
  if (options.apiKeys.length > 2) throw new UsageError('--api-key may be given at most twice');
  if (v['scim-token'] !== undefined) options.scimToken = v['scim-token'];
  if (v.issuer !== undefined) {
    if (!/^https?:\/\/[^/\s]/.test(v.issuer))
      throw new UsageError(`--issuer must be an http(s) URL (got ${JSON.stringify(v.issuer)})`);
    options.issuer = v.issuer;
  }
  if (v.approval !== undefined) {
    if (!['auto', 'sandbox', 'consent'].includes(v.approval))
      throw new UsageError('--approval must be auto, sandbox or consent');
    options.approval = v.approval as ApprovalMode;
  }
  options.signup = v['no-signup'] !== true;
  options.only = selection(list(v.only), '--only', checks);
  options.skip = selection(list(v.skip), '--skip', checks);
  options.runs = integer(v.runs, 'runs', 1) ?? options.runs;
  options.seed = integer(v.seed, 'seed', 0) ?? options.seed;
  if (v.replay !== undefined) {
    if (v.seed === undefined) throw new UsageError('--replay needs the --seed of the failing run');
    if (!parseReplay(v.replay))
      throw new UsageError(`--replay must be a counterexample path like 3:0:1 (got ${JSON.stringify(v.replay)})`);
    options.replay = v.replay;
  }
  options.shrinkRequests = integer(v['shrink-budget'], 'shrink-budget', 0) ?? options.shrinkRequests;
  options.shrinkTimeMs = (integer(v['shrink-time'], 'shrink-time', 0) ?? options.shrinkTimeMs / 1000) * 1000;
  options.timeoutMs = (integer(v.timeout, 'timeout', 1) ?? options.timeoutMs / 1000) * 1000;
  options.maxRps = integer(v['max-rps'], 'max-rps', 0) ?? options.maxRps;
  options.budget = integer(v.budget, 'budget', 1) ?? options.budget;
  options.maxRetryAfterS = integer(v['max-retry-after'], 'max-retry-after', 0) ?? options.maxRetryAfterS;
  options.maxResponseBytes = integer(v['max-response-bytes'], 'max-response-bytes', 1024) ?? options.maxResponseBytes;
  if (v['receiver-host'] !== undefined) options.receiverHost = v['receiver-host'];
  options.webhookWaitMs = (integer(v['webhook-wait'], 'webhook-wait', 0) ?? options.webhookWaitMs / 1000) * 1000;
  let outputs: Output[];
  try {
    const formats = parseFormats(v.report ?? []);
    outputs = planOutputs(formats, v.out ?? [], v['out-dir']);
    options.report = (formats[0] ?? 'text') as ReportFormat;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (v.out?.[0] !== undefined) options.out = v.out[0];
  if (v.expect !== undefined) {
    let text: string;
    try {
      text = readFileSync(v.expect, 'utf8');
    } catch (error) {
      throw new UsageError(`--expect ${v.expect}: ${error instanceof Error ? error.message : String(error)}`);
    }
    try {
      options.baseline = parseBaseline(text, v.expect);
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    knownBaselineIds(options.baseline.entries, v.expect);
  }
  if (v['write-baseline'] !== undefined) options.writeBaseline = v['write-baseline'];
  options.verbose = v.verbose === true;
  if (v.coverage === true && v.list !== true) throw new UsageError('--coverage goes with --list');
  const waitForServerS = integer(v['wait-for-server'], 'wait-for-server', 1);
  return {
    options,
    help: v.help === true,
    list: v.list === true,
    coverage: v.coverage === true,
    version: v.version === true,
    quiet: v.quiet === true,
    outputs,
    ...(waitForServerS !== undefined ? { waitForServerS } : {}),
  };
}

/** Renders the report in the chosen format (HAR needs the run's exchanges: see outputs.ts). */
export function render(report: RunReport, format: ReportFormat, verbose = false): string {
  return renderOutput(report, format, { verbose, version: VERSION });
}

function listChecks(): string {
  return `${ALL_CHECKS.map((check) => `${check.id.padEnd(34)} ${check.level.padEnd(6)} ${check.extension ? `[${check.extension}] ` : ''}${check.clause}`).join('\n')}\ncontract.op.<operationId>          MUST   one per operation of the spec, judged on every recorded response\n`;
}

/** Runs the CLI; resolves to the exit code. */
export async function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  /** How the user started the suite, for replay lines (main.ts passes the real one; see invocation.ts). */
  command = 'npm run conformance --',
): Promise<number> {
  const io = {
    stdout: (text: string) => void process.stdout.write(text),
    stderr: (text: string) => void process.stderr.write(text),
  };
  if (argv[0] === 'report') return reportCommand(argv.slice(1), io);
  if (argv[0] === 'diff') return diffCommand(argv.slice(1), io);
  let parsed: Parsed;
  try {
    parsed = parseCommandLine(argv, env);
  } catch (error) {
    process.stderr.write(
      `grantex-conformance: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]} (see --help)\n`,
    );
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (parsed.version) {
    process.stdout.write(`grantex-conformance ${VERSION}\n`);
    return 0;
  }
  if (parsed.list) {
    process.stdout.write(parsed.coverage ? renderCoverageTable(ALL_CHECKS) : listChecks());
    return 0;
  }
  const { options } = parsed;
  for (const warning of options.baseline?.warnings ?? []) process.stderr.write(`warning: ${visible(warning)}\n`);
  const outputs = parsed.outputs ?? [{ format: options.report }];
  options.progress = process.stderr.isTTY === true && !options.verbose && parsed.quiet !== true;
  // Without a terminal (CI logs): a line per finished area, per long wait, and at least every 30 s.
  const log =
    !options.progress && !options.verbose && parsed.quiet !== true
      ? new ProgressLog((line) => void process.stderr.write(line))
      : undefined;
  if (parsed.waitForServerS !== undefined && options.baseUrl !== undefined) {
    const waited = await waitForServer(options.baseUrl, parsed.waitForServerS * 1000, (line) =>
      parsed.quiet ? undefined : process.stderr.write(`grantex-conformance: ${line}\n`),
    );
    if (!waited.ok) {
      process.stderr.write(`grantex-conformance: ${waited.message}\n`);
      return 2;
    }
  }
  // The HAR report holds every exchange of the run: kept only when asked for.
  const exchanges: TimedExchange[] | undefined = outputs.some((output) => output.format === 'har') ? [] : undefined;
  log?.start(options.baseUrl ?? 'the in-process reference server');
  const report = await runConformance(options, {
    ...(log ? { onProgress: log.onProgress, onRateLimitWait: log.onWait } : {}),
    startReference: async () => {
      const { startReferenceServer } = await import('../reference/server.js');
      return startReferenceServer();
    },
    ...(options.progress
      ? {
          onProgress: ({ index, total, id, result }) => {
            const text = result
              ? `${result.status === 'fail' ? '✗' : result.status === 'warn' ? '!' : '·'} ${id}`
              : `… ${id}`;
            process.stderr.write(`\r\u001b[2K[${index + 1}/${total}] ${text}`);
            if (index + 1 === total && result) process.stderr.write('\r\u001b[2K');
          },
        }
      : {}),
    ...(options.verbose || exchanges
      ? {
          onExchange: (exchange, redact) => {
            exchanges?.push({ ...exchange, startedAt: new Date(Date.now() - exchange.durationMs).toISOString() });
            if (!options.verbose) return;
            const line = `→ ${exchange.method} ${exchange.target} ${exchange.status || exchange.error} ${exchange.durationMs} ms${exchange.violations.length ? `  ✗ ${exchange.violations.join('; ')}` : ''}`;
            process.stderr.write(`${visible(redact(line))}\n`);
          },
        }
      : {}),
  });
  if (options.writeBaseline && report.exitCode !== 2) {
    writeFileSync(
      options.writeBaseline,
      writeBaseline(
        report.results,
        options.writeBaseline,
        `recorded ${report.startedAt.slice(0, 10)} (run ${report.runId})`,
      ),
    );
    process.stderr.write(`baseline written to ${options.writeBaseline}\n`);
  }
  log?.stop();
  report.replayCommand = replayCommand(argv, command);
  const secrets = [
    ...options.apiKeys.map((secret, index) => ({
      label: index === 0 ? 'GRANTEX_API_KEY' : 'GRANTEX_API_KEY_2',
      secret,
    })),
    ...(options.eventApiKey ? [{ label: 'GRANTEX_EVENT_API_KEY', secret: options.eventApiKey }] : []),
    ...(options.scimToken ? [{ label: 'GRANTEX_SCIM_TOKEN', secret: options.scimToken }] : []),
    ...(report.createdKeys ?? []),
  ];
  const written = writeOutputs(
    report,
    outputs,
    { verbose: options.verbose, version: VERSION, secrets, ...(exchanges ? { exchanges } : {}) },
    (text) => void process.stdout.write(text),
  );
  for (const file of written) process.stderr.write(`report written to ${file}\n`);
  return report.exitCode;
}
