/**
 * @module rp/runner
 * Runs the relying-party kit: a valid token must be served, then each bad
 * token of the corpus must be refused; the verdicts form a {@link RunReport},
 * so every report format of the main suite renders them.
 */
import { randomUUID } from 'node:crypto';
import type { RunReport } from '../engine/run-report.js';
import type { CheckResult, Status, Tally } from '../engine/types.js';
import { RP_CASES, type RpCase, type RpProfile, goodHeader, goodPayload } from './corpus.js';
import { startTestIssuer, type TestIssuer } from './issuer.js';

/** Options of {@link runRp}. */
export interface RpOptions {
  /** The protected endpoint. */
  target: string;
  /** Default `GET`. */
  method?: string;
  /** Scopes the endpoint needs. */
  scopes?: readonly string[];
  /** The API's identifier (its expected `aud`). */
  audience?: string;
  /** Default 10 (SPEC §9's hard cap). */
  maxDelegationDepth?: number;
  /** The API checks revocation online against the kit's issuer. */
  online?: boolean;
  /** Per-request timeout in ms. Default 10 000. */
  timeoutMs?: number;
  /** A running issuer the API already trusts; otherwise one is started on `issuerPort` (default: a free port). */
  issuer?: TestIssuer;
  issuerPort?: number;
  /** Case ids to run (default all). */
  only?: readonly string[];
}

interface Answer {
  status: number;
  wwwAuthenticate: string | undefined;
}

const SAFE = (text: string, max = 160) => JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);

/** Runs the kit. Never rejects: a run that cannot be made is a report with `exitCode: 2`. */
export async function runRp(options: RpOptions): Promise<RunReport> {
  const started = Date.now();
  const report: RunReport = {
    tool: 'grantex-conformance',
    runId: randomUUID().slice(0, 8),
    baseUrl: options.target,
    reference: false,
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
    seed: 0,
    runs: 1,
    extensions: {},
    results: [],
    summary: { pass: 0, fail: 0, warn: 0, 'not-implemented': 0, skip: 0 },
    byArea: {},
    requests: 0,
    rateLimitWaitMs: 0,
    learnedLimits: [],
    cleanup: { deleted: 0, failed: [] },
    notes: [],
    exitCode: 0,
  };
  let issuer = options.issuer;
  const owned = issuer === undefined;
  try {
    issuer ??= await startTestIssuer(options.issuerPort === undefined ? {} : { port: options.issuerPort });
    report.notes.push(`test issuer: ${issuer.issuer} (JWKS ${issuer.jwksUri})`);
    const profile: RpProfile = {
      scopes: options.scopes ?? [],
      audience: options.audience,
      maxDelegationDepth: options.maxDelegationDepth ?? 10,
      online: options.online === true,
      now: Math.floor(Date.now() / 1000),
    };
    const send = async (token: string | undefined): Promise<Answer> => {
      report.requests++;
      const response = await fetch(options.target, {
        method: options.method ?? 'GET',
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      await response.body?.cancel().catch(() => undefined);
      return { status: response.status, wwwAuthenticate: response.headers.get('www-authenticate') ?? undefined };
    };
    let control: Answer;
    try {
      control = await send(issuer.signGood(goodHeader(issuer), goodPayload(issuer, profile)));
    } catch (error) {
      return fatal(report, `the target did not answer (${error instanceof Error ? error.message : String(error)})`);
    }
    if (control.status < 200 || control.status > 299) {
      return fatal(
        report,
        `the target refused the valid token (status ${control.status}); configure it to trust the test issuer ` +
          `(jwksUri ${issuer.jwksUri}, issuer ${issuer.issuer}${profile.audience ? `, audience ${profile.audience}` : ''}) and give the scopes it needs with --scope`,
      );
    }
    report.notes.push(`valid token: served (status ${control.status})`);
    const formatIssues: string[] = [];
    const noToken = await judgeUnauthenticated(send, formatIssues);
    report.results.push(noToken);
    for (const rpCase of RP_CASES) {
      if (options.only && options.only.length > 0 && !options.only.includes(rpCase.id)) continue;
      report.results.push(await judge(rpCase, issuer, profile, send, formatIssues));
    }
    report.results.push(formatResult(formatIssues));
  } catch (error) {
    return fatal(report, `the run stopped: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    if (owned) await issuer?.close();
    report.durationMs = Date.now() - started;
  }
  return finish(report);
}

function base(rpCase: Pick<RpCase, 'id' | 'title' | 'clause' | 'level'>): CheckResult {
  return { ...rpCase, area: 'rp', status: 'pass', durationMs: 0, requests: 0, notes: [] };
}

async function judgeUnauthenticated(
  send: (token: string | undefined) => Promise<Answer>,
  formatIssues: string[],
): Promise<CheckResult> {
  const result = base({
    id: 'rp.no-token',
    title: 'a request without a token is refused with 401',
    clause: 'SPEC §6.4: services receiving a grant token MUST verify it; RFC 6750 §3.1 (401 when no credentials)',
    level: 'MUST',
  });
  const started = Date.now();
  const answer = await send(undefined);
  result.requests = 1;
  result.durationMs = Date.now() - started;
  if (answer.status >= 200 && answer.status <= 299) {
    Object.assign(result, {
      status: 'fail',
      message: 'the endpoint served a request that carried no token',
      expected: '401 with WWW-Authenticate: Bearer',
      observed: `status ${answer.status}`,
    });
  } else if (answer.status !== 401 || !/^Bearer\b/i.test(answer.wwwAuthenticate ?? '')) {
    formatIssues.push(
      `rp.no-token: status ${answer.status}, WWW-Authenticate ${SAFE(answer.wwwAuthenticate ?? '(none)')}`,
    );
  }
  return result;
}

async function judge(
  rpCase: RpCase,
  issuer: TestIssuer,
  profile: RpProfile,
  send: (token: string | undefined) => Promise<Answer>,
  formatIssues: string[],
): Promise<CheckResult> {
  const result = base(rpCase);
  const why = rpCase.unusable?.(profile);
  if (why !== undefined) return { ...result, status: 'skip', message: why };
  const started = Date.now();
  const answer = await send(rpCase.token(issuer, profile));
  result.requests = 1;
  result.durationMs = Date.now() - started;
  const wantStatus = rpCase.error === 'insufficient_scope' ? 403 : 401;
  const expected = `${wantStatus} with WWW-Authenticate: Bearer error="${rpCase.error}"`;
  if (answer.status >= 200 && answer.status <= 299) {
    return {
      ...result,
      status: rpCase.level === 'MUST' ? 'fail' : 'warn',
      message: 'the endpoint served the bad token',
      expected,
      observed: `status ${answer.status}`,
    };
  }
  const header = answer.wwwAuthenticate ?? '';
  const named = new RegExp(`^Bearer\\b.*\\berror="${rpCase.error}"`, 'i').test(header);
  if (answer.status !== wantStatus || !named) {
    const observed = `status ${answer.status}, WWW-Authenticate ${SAFE(header || '(none)')}`;
    result.notes.push(`refused, but not as RFC 6750 says: ${observed}`);
    formatIssues.push(`${rpCase.id}: ${observed}`);
  }
  return result;
}

function formatResult(issues: string[]): CheckResult {
  const result = base({
    id: 'rp.error-format',
    title: 'refusals are RFC 6750 answers: 401 invalid_token, 403 insufficient_scope with the scope',
    clause: 'RFC 6750 §3 and §3.1: the resource server SHOULD answer with the error code in WWW-Authenticate',
    level: 'SHOULD',
  });
  if (issues.length === 0) return result;
  return {
    ...result,
    status: 'warn',
    message: `${issues.length} refusal(s) not in RFC 6750 form`,
    expected: '401 + Bearer error="invalid_token", or 403 + Bearer error="insufficient_scope"',
    observed: issues.join('; '),
  };
}

function fatal(report: RunReport, message: string): RunReport {
  report.fatal = message;
  report.exitCode = 2;
  return report;
}

function finish(report: RunReport): RunReport {
  const tally: Tally = { pass: 0, fail: 0, warn: 0, 'not-implemented': 0, skip: 0 };
  for (const result of report.results) tally[result.status as Status]++;
  report.summary = tally;
  report.byArea = { rp: { ...tally } };
  report.exitCode = tally.fail > 0 ? 1 : 0;
  return report;
}
