/**
 * @module verify/rsa-exponent
 * The RSA public exponents a verifier accepts: odd and at least 3. With
 * `e = 1` "verification" is the identity (the signature equals the padded
 * digest), so anyone could forge a token such a key verifies; an even `e` is
 * no RSA key at all. Checked where keys are selected and again in each backend.
 */
import { fromBase64url, isCanonicalBase64url } from '../../internal/bytes.js';

/** Whether the base64url exponent `e` is canonical, odd and ≥ 3. */
export function isUsableRsaExponent(e: string): boolean {
  if (e.length === 0 || !isCanonicalBase64url(e)) return false;
  const bytes = fromBase64url(e);
  let first = 0;
  while (first < bytes.length && bytes[first] === 0) first++;
  if (first === bytes.length) return false;
  const last = bytes[bytes.length - 1]!;
  if ((last & 1) === 0) return false;
  return bytes.length - first > 1 || bytes[first]! >= 3;
}
