/**
 * @module runner
 * Runs the selected checks against one server and produces the report: opens
 * the session (reachability, keys, extensions), gives every property check its
 * share of the request budget and of the server's rate limits, turns thrown
 * failures into verdicts with transcripts, cleans up what the run created, and
 * finally judges every recorded response against the spec, per operation.
 */
import { applyBaseline, baselineIsStale } from './engine/baseline.js';
import { didYouMean } from './verdicts/nearest.js';
import type { Check } from './engine/check.js';
import { ALL_CHECKS } from './checks/index.js';
import { contractResults } from './checks/contract.js';
import { CheckContext, parseReplay, PropertyFailure } from './engine/context.js';
import { ContractValidator } from './http/contract.js';
import {
  Http,
  NetworkError,
  RATE_LIMITED_ROUTES,
  redactSecrets,
  ResponseTooLarge,
  SHARED_BUDGET,
  transcript,
  type Exchange,
  type RateLimitWait,
} from './http/http.js';
import { CannotRun, CheckFailure, CheckSkipped, NotImplemented, unexpectedResponse } from './engine/failures.js';
import { AREAS, type RunOptions } from './engine/options.js';
import { sanitizeReport } from './engine/safety/report.js';
import { Session } from './engine/session/session.js';
import type { CheckResult, Coverage, Tally } from './engine/types.js';

export type { CheckResult, Tally } from './engine/types.js';

import type { RunReport } from './engine/run-report.js';

export type { RunReport } from './engine/run-report.js';

/** A server the runner can start when no base URL is given. */
export interface StartedServer {
  url: string;
  close(): Promise<void>;
}

export interface RunHooks {
  /** Starts the in-process reference server (used when `options.baseUrl` is unset). */
  startReference?: () => Promise<StartedServer>;
  /**
   * Called before and after each check, then once per contract verdict; `total`
   * is the number of results the summary will count.
   */
  onProgress?: (event: { index: number; total: number; id: string; result?: CheckResult }) => void;
  /** Called for every exchange (verbose logging, the HAR report), with the run's redaction of secrets. */
  onExchange?: (exchange: Exchange, redact: (text: string) => string) => void;
  /** Called before each wait on a 429's Retry-After (progress lines). */
  onRateLimitWait?: (wait: RateLimitWait) => void;
  /** The checks to choose from. Default: all. */
  checks?: readonly Check[];
  /** A validator to reuse across runs (the self-test runs the suite many times). */
  contract?: ContractValidator;
}

/** Share of the request budget kept for checks that are not properties and for cleanup. */
const RESERVED_BUDGET_SHARE = 0.2;

/**
 * Runs the conformance suite. Never throws for server behaviour; see `exitCode`.
 * The report comes back with the user's keys and issued credentials redacted
 * and control characters made visible in every field (see engine/safety/report.ts).
 */
export async function runConformance(options: RunOptions, hooks: RunHooks = {}): Promise<RunReport> {
  const givenKeys = userKeys(options);
  let recorder: Http | undefined;
  const report = await run(options, hooks, givenKeys, (http) => {
    recorder = http;
  });
  return sanitizeReport(report, recorder?.redact ?? ((text) => redactSecrets(text, givenKeys)));
}

/** The keys the user gave, by the variable transcripts show them as. */
function userKeys(options: RunOptions): Map<string, string> {
  const keys = new Map<string, string>();
  const add = (secret: string | undefined, label: string) => {
    if (secret !== undefined && secret.length > 0) keys.set(secret, label);
  };
  add(options.apiKeys[0], 'GRANTEX_API_KEY');
  add(options.apiKeys[1], 'GRANTEX_API_KEY_2');
  add(options.eventApiKey, 'GRANTEX_EVENT_API_KEY');
  add(options.scimToken, 'GRANTEX_SCIM_TOKEN');
  return keys;
}

async function run(
  options: RunOptions,
  hooks: RunHooks,
  givenKeys: ReadonlyMap<string, string>,
  onRecorder: (http: Http) => void,
): Promise<RunReport> {
  const started = Date.now();
  const runId = `gxc-${started.toString(36).slice(-5)}${Math.random().toString(36).slice(2, 6)}`;
  let checks: Check[] = [];
  let server: StartedServer | undefined;
  let recorder: Http | undefined;
  const report: RunReport = {
    tool: 'grantex-conformance',
    runId,
    baseUrl: options.baseUrl ?? '',
    reference: options.baseUrl === undefined,
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
    seed: options.seed,
    runs: options.runs,
    extensions: {},
    results: [],
    summary: emptyTally(),
    byArea: {},
    requests: 0,
    rateLimitWaitMs: 0,
    learnedLimits: [],
    cleanup: { deleted: 0, failed: [] },
    notes: [],
    exitCode: 2,
  };
  try {
    checks = selectChecks(hooks.checks ?? ALL_CHECKS, options);
    if (options.replay !== undefined && checks.filter((check) => check.property).length !== 1) {
      throw new CannotRun('--replay needs --only to select exactly one property check');
    }
    if (options.baseUrl === undefined) {
      if (!hooks.startReference) throw new CannotRun('no --base-url given and no reference server available');
      server = await hooks.startReference();
      report.baseUrl = server.url;
    }
    const contract = hooks.contract ?? ContractValidator.fromFile();
    const http = (recorder = new Http({
      baseUrl: report.baseUrl,
      timeoutMs: options.timeoutMs,
      maxRps: options.maxRps,
      budget: options.budget,
      maxRetryAfterS: options.maxRetryAfterS,
      maxResponseBytes: options.maxResponseBytes,
      onExchange: (exchange) => {
        contract.validate(exchange);
        hooks.onExchange?.(exchange, http.redact);
      },
      ...(hooks.onRateLimitWait ? { onWait: hooks.onRateLimitWait } : {}),
    }));
    for (const [secret, label] of givenKeys) http.registerSecret(secret, label);
    onRecorder(http);
    const all = http.capture();
    const session = new Session(http, contract, options, runId);
    try {
      await session.open();
    } catch (error) {
      if (error instanceof CannotRun || error instanceof CheckSkipped) throw new CannotRun(error.message);
      if (error instanceof CheckFailure) throw new CannotRun(`${error.message}: ${error.observed}`);
      // A body the set-up could not read: the server does not answer like a Grantex server.
      throw new CannotRun(
        `not a Grantex server: unexpected answer during set-up (${error instanceof Error ? error.message : String(error)})`,
      );
    }
    report.extensions = Object.fromEntries(session.extensions);

    // The summary counts every check and, with the contract area, one verdict per operation.
    const verdicts = checks.some((check) => check.area === 'contract') ? contract.operations.length : 0;
    const total = checks.length + verdicts;
    try {
      for (const [index, check] of checks.entries()) {
        hooks.onProgress?.({ index, total, id: check.id });
        const propertyChecksLeft = checks.slice(index).filter((candidate) => candidate.property).length;
        session.currentCheck = check.id;
        const result = await runCheck(check, session, options, propertyChecksLeft);
        session.currentCheck = undefined;
        if (options.keepOnFailure && (result.status === 'fail' || result.status === 'warn'))
          session.keepResourcesOf(check.id);
        report.results.push(result);
        hooks.onProgress?.({ index, total, id: check.id, result });
      }
    } finally {
      // Whatever happened, delete what the run created and stop the receivers.
      report.cleanup = await session.cleanup();
      if (report.cleanup.kept?.length === 0) delete report.cleanup.kept;
      await session.close();
      report.createdKeys = session.createdKeys;
    }
    const exchanges = all.stop();
    if (verdicts > 0) {
      for (const [offset, result] of contractResults(contract, exchanges, session, options).entries()) {
        report.results.push(result);
        hooks.onProgress?.({ index: checks.length + offset, total, id: result.id, result });
      }
    }
    report.coverage = coverageOf(contract, exchanges);
    const logged = exchanges.filter(
      (exchange) => exchange.operationId === 'auditLog' && exchange.status === 201,
    ).length;
    if (logged > 0)
      session.notes.push(
        `${logged} audit entries written by the run remain: the trail is append-only (their principalId starts with the run id)`,
      );
    if (http.changes.length > 0)
      session.notes.push(
        `--allow-side-effects: ${http.changes.length} request(s) with side effects were sent under a key you gave: ${http.changes.join('; ')}`,
      );
    report.notes.push(...session.notes);
    report.requests = http.requestCount;
    report.rateLimitWaitMs = http.rateLimitWaitMs;
    report.learnedLimits = http.learnedLimits;
    tally(report);
    if (options.baseline) {
      report.baseline = applyBaseline(report.results, options.baseline);
      report.exitCode = baselineIsStale(report.baseline)
        ? 2
        : report.baseline.unexpectedFailures.some((failure) => failure.status === 'fail')
          ? 1
          : 0;
    } else {
      report.exitCode = report.results.some((result) => result.status === 'fail') ? 1 : 0;
    }
  } catch (error) {
    report.fatal = error instanceof Error ? error.message : String(error);
    if (!(error instanceof CannotRun))
      report.fatal = `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
    report.exitCode = 2;
    report.requests = recorder?.requestCount ?? 0;
    report.rateLimitWaitMs = recorder?.rateLimitWaitMs ?? 0;
    tally(report);
  } finally {
    await server?.close();
    report.durationMs = Date.now() - started;
  }
  return report;
}

/** Per-operation coverage from every recorded exchange. */
export function coverageOf(contract: ContractValidator, exchanges: readonly Exchange[]): Coverage {
  const seen = new Map<string, { requests: number; statuses: Set<number> }>();
  for (const exchange of exchanges) {
    if (!exchange.operationId) continue;
    const entry = seen.get(exchange.operationId) ?? { requests: 0, statuses: new Set<number>() };
    entry.requests++;
    if (exchange.status > 0) entry.statuses.add(exchange.status);
    seen.set(exchange.operationId, entry);
  }
  const operations = contract.operations.map((op) => ({
    operationId: op.operationId,
    method: op.method.toUpperCase(),
    template: op.template,
    requests: seen.get(op.operationId)?.requests ?? 0,
    statusesSeen: [...(seen.get(op.operationId)?.statuses ?? [])].sort((a, b) => a - b),
    statusesDocumented: op.statuses,
    ...(op.tags[0] !== undefined ? { tag: op.tags[0] } : {}),
  }));
  return { operations, exercised: operations.filter((op) => op.requests > 0).length, total: operations.length };
}

/** The checks `--only`/`--skip` select (by area or id), in registry order. */
export function selectChecks(checks: readonly Check[], options: Pick<RunOptions, 'only' | 'skip'>): Check[] {
  const matches = (check: Check, names: string[]) =>
    names.some((name) => name === check.area || name === check.id || check.id.startsWith(`${name}.`));
  for (const name of [...options.only, ...options.skip]) {
    const known =
      (AREAS as readonly string[]).includes(name) ||
      checks.some((check) => check.id === name || check.id.startsWith(`${name}.`));
    if (!known)
      throw new CannotRun(
        `unknown area or check ${JSON.stringify(name)}${didYouMean(name, [...AREAS, ...checks.map((check) => check.id)])} (see --list)`,
      );
  }
  return checks.filter(
    (check) => (options.only.length === 0 || matches(check, options.only)) && !matches(check, options.skip),
  );
}

async function runCheck(
  check: Check,
  session: Session,
  options: RunOptions,
  propertyChecksLeft: number,
): Promise<CheckResult> {
  const started = Date.now();
  const before = session.http.requestCount;
  const result: CheckResult = {
    id: check.id,
    area: check.area,
    clause: check.clause,
    level: check.level,
    title: check.title,
    ...(check.extension ? { extension: check.extension } : {}),
    status: 'pass',
    durationMs: 0,
    requests: 0,
    notes: [],
  };
  if (check.extension && !session.offers(check.extension)) {
    result.status = 'not-implemented';
    result.message = `the server does not offer the ${check.extension} extension (404 on its paths)`;
    return result;
  }
  const plan = check.property ? planRuns(check, session, options, propertyChecksLeft) : { runs: 1 };
  const replay = options.replay !== undefined ? parseReplay(options.replay) : undefined;
  const ctx = new CheckContext(check, session, plan.runs, deriveSeed(options.seed, check.id), replay, {
    requests: options.shrinkRequests,
    timeMs: options.shrinkTimeMs,
  });
  const capture = session.http.capture();
  try {
    await check.run(ctx);
  } catch (error) {
    describeError(result, error, capture.exchanges, check, options, session.http.redact);
  } finally {
    capture.stop();
  }
  if (check.property) {
    result.runs = {
      // A replay asks for the one failing run only.
      requested: options.replay !== undefined ? 1 : options.runs,
      granted: plan.runs,
      executed: ctx.executedRuns,
      ...(plan.because ? { adaptedBecause: plan.because } : {}),
    };
  }
  result.notes.push(...ctx.notes);
  if (ctx.findings.length > 0) result.findings = [...ctx.findings];
  result.requests = session.http.requestCount - before;
  result.durationMs = Date.now() - started;
  return result;
}

function describeError(
  result: CheckResult,
  error: unknown,
  exchanges: Exchange[],
  check: Check,
  options: RunOptions,
  redact: (text: string) => string,
): void {
  if (error instanceof NotImplemented) {
    result.status = 'not-implemented';
    result.message = error.message;
    return;
  }
  if (error instanceof CheckSkipped) {
    result.status = 'skip';
    result.message = error.message;
    return;
  }
  result.status = check.level === 'MUST' ? 'fail' : 'warn';
  if (error instanceof PropertyFailure) {
    result.message = error.message;
    result.expected = error.expected;
    result.observed = error.observed;
    result.seed = options.seed;
    result.path = error.path;
    result.counterexample = error.counterexample;
    result.replay = `--only ${check.id} --seed ${options.seed} --replay ${/[~+/]/.test(error.replay) ? `'${error.replay}'` : error.replay}`;
    result.transcript =
      error.transcript ?? transcript(error.exchanges.length > 0 ? error.exchanges : exchanges, redact);
    result.deterministic = error.viaExample;
    if (error.shrinks > 0) result.notes.push(`counterexample shrunk ${error.shrinks} time(s)`);
    if (error.shrinkStopped) result.notes.push(`shrinking stopped: ${error.shrinkStopped}`);
    return;
  }
  if (error instanceof CheckFailure) {
    result.message = error.message;
    result.expected = error.expected;
    result.observed = error.observed;
  } else if (error instanceof ResponseTooLarge) {
    result.message = 'the answer is larger than --max-response-bytes';
    result.expected = 'an answer the suite can read';
    result.observed = error.message;
  } else if (error instanceof NetworkError) {
    result.message = 'the server stopped answering';
    result.expected = 'a response';
    result.observed = error.message;
  } else {
    const failure = unexpectedResponse(error, exchanges.at(-1));
    result.message = failure.message;
    result.expected = failure.expected;
    result.observed = failure.observed;
  }
  result.transcript = transcript(exchanges, redact);
  result.deterministic = true;
  // A plain check runs the same requests on every run; its seed only names what it creates.
  result.replay = `--only ${check.id} --seed ${options.seed}`;
}

/**
 * Runs granted to a property check: what was asked for, cut to its share of
 * the remaining budget and, for routes whose limit the server revealed (a 429
 * with `x-ratelimit-limit`), to half a window so one check never drains it.
 */
function planRuns(
  check: Check,
  session: Session,
  options: RunOptions,
  propertyChecksLeft: number,
): { runs: number; because?: string } {
  const cost = check.property!;
  const requested = options.replay !== undefined ? 1 : options.runs;
  let runs = requested;
  let because: string | undefined;
  const reserve = options.budget * RESERVED_BUDGET_SHARE;
  const share = Math.max(0, session.http.budgetLeft - reserve) / Math.max(1, propertyChecksLeft);
  const byBudget = Math.floor(share / Math.max(1, cost.requests));
  if (byBudget < runs) {
    runs = byBudget;
    because = `request budget (${session.http.budgetLeft} left of --budget ${options.budget})`;
  }
  // Limits the server revealed: from a 429, or from the x-ratelimit-* headers of earlier answers.
  const limits = new Map<string, number>();
  for (const route of RATE_LIMITED_ROUTES) {
    const state = session.http.rateState(route);
    if (state) limits.set(route, state.limit);
  }
  for (const limit of session.http.learnedLimits)
    limits.set(limit.route, Math.min(limit.limit, limits.get(limit.route) ?? Infinity));
  for (const [route, limit] of limits) {
    const perRun =
      route === SHARED_BUDGET
        ? cost.requests
        : route === 'POST /v1/authorize'
          ? cost.authorize
          : /^POST \/v1\/token/.test(route)
            ? cost.token
            : undefined;
    if (!perRun) continue;
    const byRate = Math.floor(limit / 2 / perRun);
    if (byRate < runs) {
      runs = byRate;
      because = `rate limit of ${route}: ${limit} per window`;
    }
  }
  return { runs: Math.max(1, Math.min(requested, runs)), ...(because ? { because } : {}) };
}

/** A check's own seed: stable for a given run seed and check id, so `--only` does not change inputs. */
export function deriveSeed(seed: number, id: string): number {
  let hash = 0x811c9dc5 ^ seed;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) & 0x7fffffff;
}

function emptyTally(): Tally {
  return { pass: 0, fail: 0, warn: 0, 'not-implemented': 0, skip: 0 };
}

function tally(report: RunReport): void {
  report.summary = emptyTally();
  report.byArea = {};
  for (const result of report.results) {
    report.summary[result.status]++;
    const area = (report.byArea[result.area] ??= emptyTally());
    area[result.status]++;
  }
}
