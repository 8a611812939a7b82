/**
 * @module revocation/online
 * The online revocation check of SPEC §7.3 (`POST /v1/tokens/verify`), bounded
 * in time and bytes, talking only to the base URL the caller configured.
 */
import { GrantexTokenError } from '../verify/errors.js';
import { readCapped } from '../verify/jwks.js';

/** Answers whether the authorization server still honours `token`. Rejects when it cannot tell. */
export type OnlineCheck = (token: string) => Promise<boolean>;

/** Options of {@link onlineCheck}. */
export interface OnlineCheckOptions {
  /** The authorization server's base URL (`https://api.grantex.dev`). */
  baseUrl: string | URL;
  /** An API key of the developer whose agents hold the tokens (the server answers `valid: false` to others). */
  apiKey: string;
  /** Abort after this many ms, body included. Default `3_000`. */
  timeout?: number;
  /** The `fetch` to use. Default `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
}

const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * An {@link OnlineCheck} calling `POST {baseUrl}/v1/tokens/verify`. `true`
 * only for a 200 whose JSON says `"valid": true`; `false` for `"valid": false`;
 * anything else (another status, a redirect, a timeout, a body that is not
 * that JSON) rejects with `revocation_unavailable`, never with the token.
 */
export function onlineCheck(options: OnlineCheckOptions): OnlineCheck {
  let url: URL;
  try {
    url = new URL('v1/tokens/verify', `${String(options.baseUrl).replace(/\/+$/, '')}/`);
  } catch (cause) {
    throw new GrantexTokenError('invalid_options', 'online "baseUrl" must be an absolute URL', { cause });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new GrantexTokenError('invalid_options', 'online "baseUrl" must be an http(s) URL');
  if (typeof options.apiKey !== 'string' || options.apiKey.length === 0)
    throw new GrantexTokenError('invalid_options', 'online "apiKey" must be a non-empty string');
  const timeout = options.timeout ?? 3_000;
  if (!(timeout > 0) || !Number.isFinite(timeout))
    throw new GrantexTokenError('invalid_options', 'online "timeout" must be a positive number of ms');
  const apiKey = options.apiKey;
  return async (token) => {
    const fetchImpl = options.fetch ?? globalThis.fetch;
    let answer: unknown;
    try {
      const response = await fetchImpl(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ token }),
        redirect: 'manual',
        signal: AbortSignal.timeout(timeout),
      });
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new Error(`HTTP ${response.status}`);
      }
      answer = JSON.parse(await readCapped(response, MAX_ANSWER_BYTES));
    } catch (cause) {
      throw unavailable(cause);
    }
    const valid = (answer as { valid?: unknown } | null)?.valid;
    if (typeof valid !== 'boolean') throw unavailable(new Error('no boolean "valid" in the answer'));
    return valid;
  };
}

function unavailable(cause: unknown): GrantexTokenError {
  return new GrantexTokenError('revocation_unavailable', 'the online revocation check did not answer', { cause });
}
