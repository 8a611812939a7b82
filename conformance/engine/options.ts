/**
 * @module options
 * Every knob of a conformance run, with its default, in one place. The CLI
 * parses into this shape; the self-test and the vitest tests build it directly.
 */
/** Areas a check belongs to; `--only`/`--skip` accept these names or check ids. */
export const AREAS = [
  'contract',
  'auth',
  'consent',
  'tokens',
  'scopes',
  'delegation',
  'lifecycle',
  'audit',
  'policies',
  'webhooks',
  'scim',
  'sso',
  'anomalies',
  'compliance',
  'billing',
  'fuzz',
  'did',
  'passports',
  'registry',
  'events',
  'budgets',
  // The relying-party kit's area (`grantex-conformance rp`); the main run has no check in it.
  'rp',
] as const;
export type Area = (typeof AREAS)[number];

/** How authorization requests get approved. */
export type ApprovalMode = 'auto' | 'sandbox' | 'consent';

export type ReportFormat = 'text' | 'json' | 'junit' | 'html' | 'har' | 'markdown';

/** Options of one conformance run. */
export interface RunOptions {
  /** Server under test. Unset: the in-memory reference server is started in-process. */
  baseUrl?: string;
  /**
   * Developer API keys. The first is the developer under test; a second one is
   * used for the isolation checks. Default: none, and a developer is created
   * with `POST /v1/signup` (unless `signup` is false).
   */
  apiKeys: string[];
  /**
   * The deployment's token issuer, when the suite cannot reach it (e.g. a
   * server behind a proxy): every `iss` must equal it, and the base URL's key
   * set verifies the tokens. Unset: the key set is fetched from `iss` itself
   * (SPEC §6.4), wherever that is.
   */
  issuer?: string;
  /** Where `apiKeys` came from, for messages: `--api-key` or `GRANTEX_API_KEY`. Default `--api-key`. */
  apiKeySource: string;
  /**
   * Key of a developer set aside for the checks that make the server emit
   * events (webhooks) or change its configuration. Default: such a developer
   * is created with `POST /v1/signup` when a key is given.
   */
  eventApiKey?: string;
  /** Send event-emitting requests as the given developer too (opt-in). Default false. */
  allowSideEffects: boolean;
  /** Leave the resources of failing checks in place for inspection. Default false. */
  keepOnFailure: boolean;
  /** SCIM bearer token. Default: a SCIM token is created for the run and revoked at the end. */
  scimToken?: string;
  /** Areas or check ids to run (empty: all). */
  only: string[];
  /** Areas or check ids to leave out. */
  skip: string[];
  /** Property runs per property check (adapted down to the request budget and rate limits). Default 20. */
  runs: number;
  /** Seed of the run; each check derives its own seed from it and its id. Default: random. */
  seed: number;
  /** Counterexample path to replay (needs `seed` and a single selected check). */
  replay?: string;
  /** Requests the shrinking of one property failure may make. Default 200. */
  shrinkRequests: number;
  /** Time the shrinking of one property failure may take, milliseconds. Default 60000. */
  shrinkTimeMs: number;
  /** Per-request timeout, milliseconds. Default 10000. */
  timeoutMs: number;
  /** Upper bound on requests per second (0: unbounded). Default 0. */
  maxRps: number;
  /** Upper bound on the requests the whole run may make. Default 20000. */
  budget: number;
  /** Longest single wait on a 429 `Retry-After`, seconds; longer waits end the check as skipped. Default 90. */
  maxRetryAfterS: number;
  /** Largest response body the suite reads, bytes after content decoding; a larger one fails the check. Default 10 MiB. */
  maxResponseBytes: number;
  /** Approval of authorization requests. Default `auto` (a `code` in the authorize answer means sandbox). */
  approval: ApprovalMode;
  /** Whether the suite may create developers with `POST /v1/signup`. Default true. */
  signup: boolean;
  /** Host name the server must use to reach the suite's webhook receiver. Default `127.0.0.1`. */
  receiverHost: string;
  /** How long to wait for webhook deliveries, milliseconds (a server may queue them; the reference polls every 30 s). Default 45000. */
  webhookWaitMs: number;
  /** Known deviations (`--expect FILE`, parsed by baseline.ts): failures it lists do not fail the run. */
  baseline?: {
    source: string;
    entries: Array<{
      check: string;
      level: 'MUST' | 'SHOULD';
      reason: string;
      operation?: string;
      status?: number;
      message?: string;
      until?: string;
    }>;
    warnings?: string[];
  };
  /** Report format. Default `text`. */
  report: ReportFormat;
  /** Write a baseline of this run's failures and warnings here (`--write-baseline`). */
  writeBaseline?: string;
  /** Write the report here instead of stdout. */
  out?: string;
  /** Print every request as it happens (stderr). Default false. */
  verbose: boolean;
  /** Show progress on stderr (default: when stderr is a TTY). */
  progress: boolean;
}

/** The defaults of {@link RunOptions}. */
export function defaultOptions(): RunOptions {
  return {
    apiKeys: [],
    apiKeySource: '--api-key',
    allowSideEffects: false,
    keepOnFailure: false,
    only: [],
    skip: [],
    runs: 20,
    seed: randomSeed(),
    shrinkRequests: 200,
    shrinkTimeMs: 60_000,
    timeoutMs: 10_000,
    maxRps: 0,
    budget: 20_000,
    maxRetryAfterS: 90,
    maxResponseBytes: 10 * 1024 * 1024,
    approval: 'auto',
    signup: true,
    receiverHost: '127.0.0.1',
    webhookWaitMs: 45_000,
    report: 'text',
    verbose: false,
    progress: false,
  };
}

export function randomSeed(): number {
  return Math.floor(Math.random() * 0x7fffffff);
}
