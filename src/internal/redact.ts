/**
 * @module redact
 * Masks the client's credentials in text that reaches an error message or a
 * log line, for servers (or proxies) that echo what they were sent.
 */

const MASK = '[redacted]';

/** Replaces every occurrence of the known secrets with `[redacted]`. */
export class Redactor {
  readonly #secrets: readonly string[];

  constructor(secrets: ReadonlyArray<string | undefined>) {
    // Longest first, so that a secret containing another is masked whole.
    this.#secrets = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s !== ''))].sort(
      (a, b) => b.length - a.length,
    );
  }

  /** This redactor plus `more` secrets (e.g. a per-call bearer token). */
  with(more: ReadonlyArray<string | undefined>): Redactor {
    return more.every((s) => s === undefined || this.#secrets.includes(s))
      ? this
      : new Redactor([...this.#secrets, ...more]);
  }

  text(text: string): string {
    let result = text;
    for (const secret of this.#secrets) if (result.includes(secret)) result = result.split(secret).join(MASK);
    return result;
  }

  /** `text` for `undefined`-able strings. */
  optional(text: string | undefined): string | undefined {
    return text === undefined ? undefined : this.text(text);
  }

  /** A parsed JSON value with every string (keys included) masked. */
  json(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (typeof value !== 'object' || value === null || this.#secrets.length === 0) return value;
    if (Array.isArray(value)) return value.map((item) => this.json(item));
    const masked: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) masked[this.text(key)] = this.json(item);
    return masked;
  }
}
