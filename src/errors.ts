/**
 * @module errors
 * The root of every error this package throws. Callers branch on the class or
 * on a stable `code`, never on message text.
 */

/** Base class of every error thrown by `grantex`. */
export class GrantexError extends Error {
  override name = 'GrantexError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
