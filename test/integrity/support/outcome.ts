/** What a verification came to: `'ok'`, or the `code` of the GrantexTokenError it threw (anything else fails the test). */
import { expect } from 'vitest';
import { GrantexError } from '../../../src/core/errors.js';
import { GrantexTokenError } from '../../../src/integrity/verify/errors.js';

export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    expect(error).toBeInstanceOf(GrantexTokenError);
    expect(error).toBeInstanceOf(GrantexError);
    return (error as GrantexTokenError).code;
  }
}
