/**
 * @module verify/compact
 * Splits a grant token (JWS compact serialization) and checks its protected
 * header, before any key or signature is touched.
 */
import { base64urlToText, isCanonicalBase64url } from '../../internal/bytes.js';
import { GrantexTokenError } from './errors.js';

/** A token whose structure and header passed; its signature is still unchecked. */
export interface ParsedToken {
  /** The `kid` header: which JWKS key must have signed it. */
  readonly kid: string;
  /** `<header>.<payload>`, the bytes the signature covers. */
  readonly signingInput: string;
  readonly payloadSegment: string;
  readonly signatureSegment: string;
}

/**
 * Parses a compact JWS that claims to be an RS256 grant token.
 * Header parameters other than `alg`, `kid` and `crit` are ignored: in
 * particular `jku`, `x5u`, `jwk` and `x5c` are never read, so a token cannot
 * point the verifier at a key of its choosing.
 *
 * @throws {GrantexTokenError} `malformed`, `unsupported_alg` or `unknown_key` (no `kid`).
 */
export function parseToken(token: unknown, maxLength: number): ParsedToken {
  if (typeof token !== 'string') throw malformed('token must be a string');
  if (token.length > maxLength) throw malformed(`token is longer than ${maxLength} characters`);
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  if (second < 0 || token.indexOf('.', second + 1) >= 0) throw malformed('token must have exactly three parts');
  const headerSegment = token.slice(0, first);
  const payloadSegment = token.slice(first + 1, second);
  const signatureSegment = token.slice(second + 1);
  // The header goes first so that `alg: none` (with its empty signature) is named as such.
  const kid = kidOf(headerSegment);
  if (!isSegment(payloadSegment) || !isSegment(signatureSegment)) {
    throw malformed('payload and signature must be non-empty canonical base64url');
  }
  return { kid, signingInput: token.slice(0, second), payloadSegment, signatureSegment };
}

/**
 * Decodes one base64url part into a JSON object (never an array or primitive).
 *
 * @throws {GrantexTokenError} `malformed`.
 */
export function decodeJsonObject(segment: string, part: 'header' | 'payload'): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(base64urlToText(segment));
  } catch (cause) {
    throw malformed(`token ${part} is not UTF-8 JSON`, cause);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw malformed(`token ${part} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** Tokens of one issuer share a header, so the kid of a few recently accepted headers is kept. */
const acceptedHeaders = new Map<string, string>();
const ACCEPTED_HEADERS_LIMIT = 16;

function kidOf(headerSegment: string): string {
  const known = acceptedHeaders.get(headerSegment);
  if (known !== undefined) return known;
  const kid = checkHeader(decodeJsonObject(headerSegment, 'header'));
  if (acceptedHeaders.size >= ACCEPTED_HEADERS_LIMIT) acceptedHeaders.delete(acceptedHeaders.keys().next().value!);
  acceptedHeaders.set(headerSegment, kid);
  return kid;
}

function isSegment(segment: string): boolean {
  return segment.length > 0 && isCanonicalBase64url(segment);
}

function checkHeader(header: Record<string, unknown>): string {
  const { alg, kid } = header;
  if (typeof alg !== 'string' || alg.length === 0) throw malformed('token header has no "alg"');
  if (alg !== 'RS256') {
    throw new GrantexTokenError(
      'unsupported_alg',
      `algorithm ${JSON.stringify(alg)} is not accepted; grant tokens use RS256`,
    );
  }
  // No extension is understood, so any critical one makes the token invalid (RFC 7515 §4.1.11).
  if (header.crit !== undefined)
    throw malformed('token header lists critical extensions this verifier does not support');
  if (kid === undefined) throw new GrantexTokenError('unknown_key', 'token header has no "kid"');
  if (typeof kid !== 'string' || kid.length === 0) throw malformed('token "kid" must be a non-empty string');
  return kid;
}

function malformed(message: string, cause?: unknown): GrantexTokenError {
  return new GrantexTokenError('malformed', message, cause === undefined ? undefined : { cause });
}
