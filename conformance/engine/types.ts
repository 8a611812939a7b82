/**
 * @module types
 * Shared shapes of the suite's core (check descriptions, verdicts, recorded
 * exchanges) with no behaviour, so every layer can name them without importing
 * the layer that produces them: options → types → failures → contract → http →
 * session → context → check → checks → runner → reports → cli.
 */
import type { Finding } from './findings.js';
import type { Area } from './options.js';

/** MUST failures fail the run; SHOULD failures are warnings. */
export type Level = 'MUST' | 'SHOULD';

/** Optional parts of the protocol; a server that answers 404 on them does not offer them. */
export const EXTENSIONS = [
  'signup',
  'policies',
  'webhooks',
  'anomalies',
  'compliance',
  'billing',
  'scim',
  'sso',
  'did',
  'passports',
  'credentials',
  'registry',
  'bundles',
  'principal',
  'webauthn',
  'domains',
  'account',
  'budgets',
  'usage',
  'events',
  'vault',
  'dpdp',
  'mcp',
] as const;
export type Extension = (typeof EXTENSIONS)[number];

/** The spec's tag of each extension's operations. */
const TAG_EXTENSION: Record<string, Extension> = {
  Signup: 'signup',
  Policies: 'policies',
  Webhooks: 'webhooks',
  Anomalies: 'anomalies',
  Compliance: 'compliance',
  Billing: 'billing',
  SCIM: 'scim',
  SSO: 'sso',
  DID: 'did',
  Passports: 'passports',
  Credentials: 'credentials',
  'Trust registry': 'registry',
  'Consent bundles': 'bundles',
  'Principal sessions': 'principal',
  WebAuthn: 'webauthn',
  Domains: 'domains',
  Account: 'account',
  Budgets: 'budgets',
  Usage: 'usage',
  'Event stream': 'events',
  Vault: 'vault',
  DPDP: 'dpdp',
  'MCP registry': 'mcp',
};

/** The extension an operation belongs to, from its tag (core operations have none). */
export function extensionOfTags(tags: readonly string[]): Extension | undefined {
  for (const tag of tags) if (TAG_EXTENSION[tag]) return TAG_EXTENSION[tag];
  return undefined;
}

/** Requests one property run costs, used to fit runs into the budget and rate limits. */
export interface RunCost {
  /** All requests of one run. */
  requests: number;
  /** Of which `POST /v1/authorize` (the most tightly rate-limited route). */
  authorize?: number;
  /** Of which `POST /v1/token` and `/v1/token/refresh`. */
  token?: number;
}

/** What describes a check, apart from how it runs (see `Check` in check.ts). */
export interface CheckInfo {
  /** Stable id, `<area>.<name>`, used by `--only`, `--skip` and the reports. */
  id: string;
  area: Area;
  /** The clause it enforces, e.g. `SPEC §9 delegated scopes ⊆ parent scopes`. */
  clause: string;
  level: Level;
  /** One line saying what must hold. */
  title: string;
  /** The extension it needs; the check is "not implemented" when the server lacks it. */
  extension?: Extension;
  /** Set for property checks: the cost of one run. Property runs adapt to budget and rate limits. */
  property?: RunCost;
}

/** Verdict of one check. */
export type Status = 'pass' | 'fail' | 'warn' | 'not-implemented' | 'skip';

/** The verdict on one check. */
export interface CheckResult extends Pick<CheckInfo, 'id' | 'area' | 'clause' | 'level' | 'title' | 'extension'> {
  status: Status;
  durationMs: number;
  /** Requests this check made. */
  requests: number;
  /** Property checks: runs asked for, granted after adaptation, executed. */
  runs?: { requested: number; granted: number; executed: number; adaptedBecause?: string };
  message?: string;
  expected?: string;
  observed?: string;
  /** Property failures: the run seed and the counterexample path, to replay with `--seed --replay`. */
  seed?: number;
  path?: string;
  counterexample?: string;
  replay?: string;
  /** The minimal failing HTTP sequence as curl commands. */
  transcript?: string[];
  /** For failures: whether the same failure happens on every run (a plain check, or a property's fixed example). */
  deterministic?: boolean;
  /** Each distinct problem, when the check reports several (the fields above describe the first). */
  findings?: Finding[];
  notes: string[];
  /** Set when a `--expect` baseline lists this failure or warning: its reason. */
  expectedBecause?: string;
}

export type Tally = Record<Status, number>;

/** A bearer credential with the name it is shown under in transcripts (never the secret itself). */
export interface Credential {
  /** Environment variable name used in curl transcripts, e.g. `GRANTEX_API_KEY`. */
  label: string;
  secret: string;
}

/** What to send. `auth: null` sends no Authorization header; a string is sent verbatim (shown verbatim). */
export interface RequestSpec {
  method: string;
  /** Path below the base URL (`/v1/agents`), or an absolute URL. */
  path: string;
  query?: Record<string, string | number | undefined>;
  auth?: Credential | string | null;
  /** JSON body (serialized by the recorder). */
  json?: unknown;
  /** Raw body with its own content type. */
  raw?: { body: string; contentType: string };
  headers?: Record<string, string>;
}

/** One recorded request and its response. */
export interface Exchange {
  seq: number;
  method: string;
  url: string;
  /** Path and query, as sent. */
  target: string;
  requestHeaders: Record<string, string>;
  requestBody?: string;
  /** Transcript label of the credential used, if any. */
  credentialLabel?: string;
  /** 0 when no response arrived (see `error`). */
  status: number;
  responseHeaders: Record<string, string>;
  responseText: string;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  body: unknown;
  durationMs: number;
  error?: string;
  /** Contract violations found in this response (filled by the contract validator). */
  violations: string[];
  /** The operation this request maps to in the spec, when known. */
  operationId?: string;
  /**
   * Sent by the fuzz area, whose checks judge every answer at the level the
   * request's kind and clause give it (a valid request refused, or a crash on
   * input no clause makes invalid, is a SHOULD); the per-operation contract
   * verdicts leave it out, so they cannot raise those findings to MUST.
   */
  fromFuzz?: true;
}

/** A rate limit of one route, learned from its 429 answers. */
export interface LearnedLimit {
  route: string;
  /** `x-ratelimit-limit` of the 429: requests per window. */
  limit: number;
  /** Longest `Retry-After` seen, seconds (a lower bound of the window). */
  longestWaitS: number;
}

/** One operation's coverage: whether the run exercised it and which statuses it saw. */
export interface CoverageEntry {
  operationId: string;
  method: string;
  /** Path template, `/v1/agents/{agentId}`. */
  template: string;
  /** Requests recorded for it (all areas). */
  requests: number;
  /** Statuses answered, ascending. */
  statusesSeen: number[];
  /** Statuses the spec documents (`200`, `4XX`, `default`). */
  statusesDocumented: string[];
  /** Its first tag: where the API reference (`npm run docs`) lists it. */
  tag?: string;
}

/**
 * Per-operation coverage of the spec by the run. Generic on purpose: any area
 * (the fuzzing phase, hand-written checks) adds to it through its requests;
 * every reporter renders it.
 */
export interface Coverage {
  operations: CoverageEntry[];
  /** Operations with at least one request. */
  exercised: number;
  total: number;
}
