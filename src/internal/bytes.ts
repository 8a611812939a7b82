/**
 * @module internal/bytes
 * Runtime-neutral byte helpers shared by the integrity modules: UTF-8,
 * canonical base64url, lowercase hex and constant-time comparison.
 */

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text);
}

/** Decodes UTF-8, throwing a `TypeError` on ill-formed input instead of substituting U+FFFD. */
export function fromUtf8(bytes: Uint8Array): string {
  return strictDecoder.decode(bytes);
}

/** Unpadded base64url (RFC 4648 §5) of `bytes`. */
export function base64url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}

/**
 * True when `text` is canonical unpadded base64url: only the URL-safe
 * alphabet, no padding, a length that encodes whole bytes, and zero unused
 * bits in the last character. Lenient decoders map up to 16 spellings to the
 * same bytes; accepting only the canonical one keeps a token's text and its
 * bytes in one-to-one correspondence.
 */
export function isCanonicalBase64url(text: string): boolean {
  const tail = text.length % 4;
  if (tail === 1 || !BASE64URL.test(text)) return false;
  if (tail === 0) return true;
  const last = DECODE[text.charCodeAt(text.length - 1)]!;
  return (last & (tail === 2 ? 0x0f : 0x03)) === 0;
}

/** Decodes canonical unpadded base64url; throws a `TypeError` on anything else. */
export function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atobCanonical(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

const NON_ASCII = /[\x80-\xff]/;

/**
 * Decodes canonical unpadded base64url holding UTF-8 text; throws a
 * `TypeError` on non-canonical input or ill-formed UTF-8. ASCII text, the
 * usual case for JSON, skips the byte copy.
 */
export function base64urlToText(text: string): string {
  if (nodeBuffer !== undefined) {
    const bytes = nodeBuffer.from(text, 'base64url');
    // Re-encoding gives the canonical spelling of the decoded bytes: equal only when `text` was canonical.
    if (bytes.toString('base64url') !== text) throw new TypeError('not canonical base64url');
    return strictDecoder.decode(bytes);
  }
  const binary = atobCanonical(text);
  return NON_ASCII.test(binary) ? fromUtf8(fromBase64url(text)) : binary;
}

/** The part of Node's Buffer (also in Bun and Deno) that decodes base64url natively. */
interface NativeBase64url {
  from(text: string, encoding: 'base64url'): Uint8Array & { toString(encoding: 'base64url'): string };
}

/**
 * Node's Buffer, where it decodes base64url natively and exactly (several
 * times faster than atob on long tokens); undefined elsewhere, for example
 * in browsers or under a Buffer polyfill without base64url.
 */
const nodeBuffer: NativeBase64url | undefined = (() => {
  const candidate = (globalThis as { Buffer?: NativeBase64url }).Buffer;
  try {
    const probe = candidate?.from('-_8', 'base64url');
    return probe?.length === 2 && probe[0] === 0xfb && probe[1] === 0xff && probe.toString('base64url') === '-_8'
      ? candidate
      : undefined;
  } catch {
    return undefined;
  }
})();

function atobCanonical(text: string): string {
  if (!isCanonicalBase64url(text)) throw new TypeError('not canonical base64url');
  // atob is native in every runtime and, on input already checked canonical, exact.
  return atob(text.replace(/-/g, '+').replace(/_/g, '/'));
}

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += (byte < 16 ? '0' : '') + byte.toString(16);
  return out;
}

/**
 * Compares two byte strings in time that depends only on their lengths, so a
 * forger learns nothing from how long a rejection took.
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
