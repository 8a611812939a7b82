/**
 * @module argument-error
 * The error for a method argument that cannot be sent as given, raised before
 * any request leaves the client.
 */
import { GrantexError } from './errors.js';

/**
 * A method was called with an argument it cannot send: a path id that is
 * empty, `.` or `..` (URL normalisation would turn the call into another
 * operation), or an option out of range. Nothing was sent.
 */
export class GrantexInvalidArgumentError extends GrantexError {
  override name = 'GrantexInvalidArgumentError';
  readonly code = 'ERR_INVALID_ARGUMENT';
}
