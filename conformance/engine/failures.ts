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

/** The run could not start: the server is unreachable, not a Grantex server, or the credentials are refused. Exit code 2. */
export class CannotRun extends Error {
  override name = 'CannotRun';
}

/**
 * A check threw something other than its own outcomes: in practice a body it
 * could not read (`TypeError` on a missing field). That is the server's answer
 * failing the check, reported with what came back, never with a stack.
 */
export function unexpectedResponse(
  error: unknown,
  last?: { method: string; target: string; status: number; body: unknown; responseText: string },
): CheckFailure {
  const reason = error instanceof Error ? error.message : String(error);
  return new CheckFailure(
    'unexpected response',
    last
      ? `an answer to ${last.method} ${last.target.split('?')[0]} that the check can read`
      : 'an answer the check can read',
    `${last ? `${last.status} ${show(last.body ?? last.responseText, 200)} ` : ''}(${reason})`,
  );
}
