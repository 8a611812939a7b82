/**
 * @module check
 * What a conformance check is (id, area, SPEC clause, level, extension) and
 * the typed failures a check raises. Checks read like the protocol: each one
 * names the clause it enforces.
 */
import type { Area } from './options.js';
import type { CheckContext } from './context.js';

/** MUST failures fail the run; SHOULD failures are warnings. */
export type Level = 'MUST' | 'SHOULD';

/** Optional parts of the protocol; a server that answers 404 on them does not offer them. */
export const EXTENSIONS = ['signup', 'policies', 'webhooks', 'anomalies', 'compliance', 'billing', 'scim', 'sso'] as const;
export type Extension = (typeof EXTENSIONS)[number];

/** Requests one property run costs, used to fit runs into the budget and rate limits. */
export interface RunCost {
  /** All requests of one run. */
  requests: number;
  /** Of which `POST /v1/authorize` (the most tightly rate-limited route). */
  authorize?: number;
  /** Of which `POST /v1/token` and `/v1/token/refresh`. */
  token?: number;
}

/** One check of the suite. */
export interface Check {
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
  run(ctx: CheckContext): Promise<void>;
}

/** Verdict of one check. */
export type Status = 'pass' | 'fail' | 'warn' | 'not-implemented' | 'skip';

/**
 * A check's expectation did not hold. `expected` and `observed` are short
 * human-readable statements; the runner adds the transcript.
 */
export class CheckFailure extends Error {
  override name = 'CheckFailure';
  readonly expected: string;
  readonly observed: string;

  constructor(message: string, expected: string, observed: string) {
    super(message);
    this.expected = expected;
    this.observed = observed;
  }
}

/** The check cannot run here (missing prerequisite, budget spent, unreachable receiver). Not a failure. */
export class CheckSkipped extends Error {
  override name = 'CheckSkipped';
}

/** The server does not offer what the check needs (404 on an extension's paths). Not a failure. */
export class NotImplemented extends Error {
  override name = 'NotImplemented';
}

/** Throws a {@link CheckFailure} unless `condition` holds. */
export function expectThat(condition: boolean, message: string, expected: string, observed: string): asserts condition {
  if (!condition) throw new CheckFailure(message, expected, observed);
}

/** Short JSON rendering of a value for failure messages. */
export function show(value: unknown, max = 300): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
