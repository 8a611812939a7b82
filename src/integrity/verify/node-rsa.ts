/**
 * @module verify/node-rsa
 * Node fast path for RS256: the synchronous `crypto.verify` of `node:crypto`,
 * which costs about 2.5 times less CPU per token than jose's asynchronous Web
 * Crypto verify on Node (see `npm run bench`). The module is reached through
 * `process.getBuiltinModule`, never through an `import`, so bundlers for
 * browsers and edge runtimes see no `node:` specifier and those runtimes
 * simply keep the jose backend.
 */
import type { ParsedToken } from './compact.js';
import type { RsaVerificationKey } from './jwks.js';
import type { SignatureBackend } from './backend.js';
import { isUsableRsaExponent } from './rsa-exponent.js';

/** The slice of `node:crypto` this module needs. */
interface NodeCrypto {
  createPublicKey(input: { key: { kty: 'RSA'; n: string; e: string }; format: 'jwk' }): object;
  verify(algorithm: string, data: Uint8Array, key: object, signature: Uint8Array): boolean;
}

/** The slice of `node:buffer`'s `Buffer` this module needs. */
interface NodeBuffer {
  from(text: string, encoding: 'latin1' | 'base64url'): Uint8Array;
}

interface ProcessWithBuiltins {
  getBuiltinModule?(id: string): unknown;
}

/**
 * The Node backend, or `undefined` where `process.getBuiltinModule` (Node
 * ≥ 20.16, Deno, Bun) or the needed functions are missing. Any key or call
 * that `node:crypto` cannot handle is passed to `fallback`, so the result
 * never depends on which backend ran.
 */
export function loadNodeBackend(fallback: SignatureBackend): SignatureBackend | undefined {
  const builtins = loadBuiltins();
  if (builtins === undefined) return undefined;
  const { crypto, Buffer } = builtins;
  const keyObjects = new WeakMap<RsaVerificationKey, object | null>();

  function keyObjectFor(key: RsaVerificationKey): object | null {
    let keyObject = keyObjects.get(key);
    if (keyObject === undefined) {
      try {
        // An exponent node:crypto would accept but the fallback refuses goes to the fallback, for its error.
        keyObject = isUsableRsaExponent(key.e)
          ? crypto.createPublicKey({ key: { kty: 'RSA', n: key.n, e: key.e }, format: 'jwk' })
          : null;
      } catch {
        keyObject = null;
      }
      keyObjects.set(key, keyObject);
    }
    return keyObject;
  }

  return {
    name: 'node',
    verify(token: string, parsed: ParsedToken, key: RsaVerificationKey) {
      // The fallback refuses the key with the same error, whichever backend runs.
      const keyObject = keyObjectFor(key);
      if (keyObject === null) return fallback.verify(token, parsed, key);
      try {
        // The signing input is base64url and '.', so latin1 bytes are its ASCII bytes;
        // the signature part was checked canonical, so Buffer decodes it exactly.
        const data = Buffer.from(parsed.signingInput, 'latin1');
        const signature = Buffer.from(parsed.signatureSegment, 'base64url');
        return crypto.verify('sha256', data, keyObject, signature);
      } catch {
        return fallback.verify(token, parsed, key);
      }
    },
  };
}

function loadBuiltins(): { crypto: NodeCrypto; Buffer: NodeBuffer } | undefined {
  const runtime = (globalThis as { process?: ProcessWithBuiltins }).process;
  if (typeof runtime?.getBuiltinModule !== 'function') return undefined;
  try {
    const crypto = runtime.getBuiltinModule('node:crypto') as Partial<NodeCrypto> | undefined;
    const buffer = runtime.getBuiltinModule('node:buffer') as { Buffer?: Partial<NodeBuffer> } | undefined;
    if (typeof crypto?.verify !== 'function' || typeof crypto.createPublicKey !== 'function') return undefined;
    if (typeof buffer?.Buffer?.from !== 'function') return undefined;
    return { crypto: crypto as NodeCrypto, Buffer: buffer.Buffer as NodeBuffer };
  } catch {
    return undefined;
  }
}
