/**
 * @module log
 * The client's log: one record per attempt, at a level chosen by the
 * `logLevel` option or the `GRANTEX_LOG` environment variable, written to a
 * console-shaped `logger`. Records hold no secrets: only the method, the path
 * template (not the filled path, whose ids may be sensitive), the status, the
 * duration, the attempt number, the retry reason and the request id.
 */
import { environment } from './config.js';
import { GrantexConfigError } from './errors.js';

/** How much the client logs; each level includes the ones before it. */
export type LogLevel = 'off' | 'error' | 'warn' | 'info' | 'debug';

/** Where log records go: `console`, or anything with the same four methods. */
export interface Logger {
  error(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  info(message: string, ...rest: unknown[]): void;
  debug(message: string, ...rest: unknown[]): void;
}

/** What the client logs about one attempt. */
export interface AttemptRecord {
  method: string;
  /** The spec's path template, e.g. `/v1/agents/{agentId}`; the URL path when no template is known. */
  path: string;
  /** The HTTP status, or `undefined` when no response came (see `error`). */
  status: number | undefined;
  durationMs: number;
  /** 1 for the first attempt. */
  attempt: number;
  /** Why another attempt follows (`status 503`, `timeout`, `connection error`), or `undefined` when none does. */
  retryReason: string | undefined;
  /**
   * Why a retryable status (408, 429, 5xx) was given back without another
   * attempt: `Retry-After 10 s exceeds maxRetryAfter 2 s`, `no retries left
   * (maxRetries 2)`, or `POST /v1/agents is not safe to repeat`.
   */
  notRetriedReason?: string | undefined;
  /** The server's `x-request-id`, when it sent one. */
  requestId: string | undefined;
  /** The error code when there was no usable response (`ERR_TIMEOUT`, `ERR_NETWORK`, `REDIRECT`…). */
  error: string | undefined;
}

const RANK: Record<LogLevel, number> = { off: 0, error: 1, warn: 2, info: 3, debug: 4 };

/** The numeric rank of a level: a record is written when its rank is at most the client's. */
export function levelRank(level: Exclude<LogLevel, 'off'>): number {
  return RANK[level];
}

/** `option`, else a valid `GRANTEX_LOG`, else `'warn'`. */
export function resolveLogLevel(option: LogLevel | undefined): LogLevel {
  if (option !== undefined) {
    if (!Object.hasOwn(RANK, option))
      throw new GrantexConfigError("logLevel must be one of 'off', 'error', 'warn', 'info', 'debug'");
    return option;
  }
  const fromEnv = environment('GRANTEX_LOG')?.trim().toLowerCase();
  return fromEnv !== undefined && Object.hasOwn(RANK, fromEnv) ? (fromEnv as LogLevel) : 'warn';
}

/** Checks a `logger` option; default `console`. */
export function resolveLogger(option: Logger | undefined): Logger {
  if (option === undefined) return console;
  for (const method of ['error', 'warn', 'info', 'debug'] as const) {
    if (typeof option[method] !== 'function')
      throw new GrantexConfigError(`logger must have error, warn, info and debug methods`);
  }
  return option;
}

/** Writes attempt records at or below a level. */
export class AttemptLog {
  readonly #rank: number;
  readonly #logger: Logger;

  constructor(level: LogLevel, logger: Logger) {
    this.#rank = RANK[level];
    this.#logger = logger;
  }

  /** Whether a record at `level` would be written (checked before building one). */
  enabled(level: Exclude<LogLevel, 'off'>): boolean {
    return RANK[level] <= this.#rank;
  }

  write(level: Exclude<LogLevel, 'off'>, record: AttemptRecord): void {
    if (RANK[level] > this.#rank) return;
    const outcome = record.status !== undefined ? String(record.status) : (record.error ?? 'no response');
    const retry =
      record.retryReason !== undefined
        ? `, retrying after ${record.retryReason}`
        : record.notRetriedReason !== undefined
          ? `, not retried: ${record.notRetriedReason}`
          : '';
    const message = `grantex: ${record.method} ${record.path} ${outcome} in ${Math.round(record.durationMs)} ms (attempt ${record.attempt}${retry})`;
    try {
      this.#logger[level](message, record);
    } catch {
      // A failing logger must not fail the call.
    }
  }
}
