/**
 * @module failures
 * The typed outcomes a check raises besides passing: a failed expectation, a
 * skip, a missing extension. Depends on nothing, so every layer may raise them.
 */

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
