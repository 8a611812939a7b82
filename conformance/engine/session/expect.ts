/**
 * @module engine/session/expect
 * Assertions on answers shared by the session and the checks: the status an
 * exchange must have, and a grant token that must at least decode.
 */
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { CheckFailure, show } from '../failures.js';
import type { Exchange } from '../types.js';

/** Throws a {@link CheckFailure} unless the exchange has one of the expected statuses. */
export function expectStatus(exchange: Exchange, expected: number | number[], what: string): void {
  const list = Array.isArray(expected) ? expected : [expected];
  if (!list.includes(exchange.status)) {
    throw new CheckFailure(
      `${what} → ${exchange.status} (${exchange.method} ${exchange.target.split('?')[0]})`,
      `status ${list.join(' or ')}`,
      `status ${exchange.status} ${show(exchange.body ?? exchange.responseText, 240)}`,
    );
  }
}

/** Decodes (without verifying) a compact JWS; a malformed token fails the check. */
export function decodeToken(token: string): { claims: Record<string, unknown>; header: Record<string, unknown> } {
  try {
    return {
      claims: decodeJwt(token) as Record<string, unknown>,
      header: decodeProtectedHeader(token) as Record<string, unknown>,
    };
  } catch (error) {
    throw new CheckFailure(
      'the grant token is not a decodable JWT',
      'a compact JWS with a JSON payload',
      `${show(token, 80)} (${String(error)})`,
    );
  }
}
