/**
 * @module report/jwt
 * The JWTs in a transcript, decoded for the reader: header and claims as
 * JSON, with `iat`, `nbf` and `exp` also as dates. Signatures are never
 * decoded or shown (transcripts already hide them).
 */

export interface DecodedToken {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  /** `iat`, `nbf`, `exp` as ISO dates, when they are numbers. */
  times: Record<string, string>;
}

/** Header and claims segments of a compact JWS (the signature is not matched). */
const TOKEN = /\b(eyJ[A-Za-z0-9_-]{2,})\.(eyJ[A-Za-z0-9_-]{2,})\./g;

/** Most tokens decoded per transcript. */
const MAX_TOKENS = 10;
/** Longest segment decoded (a token's claims are small). */
const MAX_SEGMENT = 8_192;

function segment(text: string): Record<string, unknown> | undefined {
  if (text.length > MAX_SEGMENT) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Distinct tokens in `text`, in order of appearance. */
export function decodeTokens(text: string): DecodedToken[] {
  const seen = new Set<string>();
  const tokens: DecodedToken[] = [];
  for (const match of text.matchAll(TOKEN)) {
    const key = `${match[1]}.${match[2]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const header = segment(match[1]!);
    const claims = segment(match[2]!);
    if (!header || !claims) continue;
    const times: Record<string, string> = {};
    for (const name of ['iat', 'nbf', 'exp']) {
      const value = claims[name];
      if (typeof value === 'number' && Number.isFinite(value) && Math.abs(value) < 1e11)
        times[name] = new Date(value * 1000).toISOString();
    }
    tokens.push({ header, claims, times });
    if (tokens.length >= MAX_TOKENS) break;
  }
  return tokens;
}
