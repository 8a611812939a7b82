import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { base64url, fromBase64url, isCanonicalBase64url, timingSafeEqual, toHex } from '../../src/internal/bytes.js';

describe('internal byte helpers', () => {
  it('base64url round-trips and matches Buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = base64url(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64url'));
        expect(isCanonicalBase64url(text)).toBe(true);
        expect(fromBase64url(text)).toEqual(bytes);
        expect(toHex(bytes)).toBe(Buffer.from(bytes).toString('hex'));
      }),
    );
  });

  it('accepts only the canonical spelling of any byte string', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40, unit: fc.constantFrom(...'AQgw_-=+/ .aZ09é') }), (text) => {
        const canonical = isCanonicalBase64url(text);
        const lenient = (() => {
          try {
            return Buffer.from(text, 'base64url').toString('base64url');
          } catch {
            return undefined;
          }
        })();
        expect(canonical).toBe(/^[A-Za-z0-9_-]*$/.test(text) && lenient === text);
        if (!canonical) expect(() => fromBase64url(text)).toThrow(TypeError);
      }),
      { numRuns: 2000 },
    );
  });

  it('compares bytes exactly', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), (a, b) => {
        expect(timingSafeEqual(a, b)).toBe(Buffer.from(a).equals(Buffer.from(b)));
        expect(timingSafeEqual(a, a.slice())).toBe(true);
      }),
    );
  });
});

describe('base64urlToText', () => {
  it('decodes UTF-8 exactly like Buffer, and refuses ill-formed UTF-8', async () => {
    const { base64urlToText } = await import('../../src/internal/bytes.js');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('latin1')),
        ),
        (input) => {
          const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input);
          expect(base64urlToText(bytes.toString('base64url'))).toBe(bytes.toString('utf8'));
        },
      ),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const buffer = Buffer.from(bytes);
        const wellFormed = Buffer.from(buffer.toString('utf8'), 'utf8').equals(buffer);
        const decode = () => base64urlToText(buffer.toString('base64url'));
        if (wellFormed) expect(decode()).toBe(buffer.toString('utf8'));
        else expect(decode).toThrow(TypeError);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('base64urlToText, native Buffer path and portable path', () => {
  /** The module as a runtime without Node's Buffer (a browser) loads it. */
  async function portable() {
    vi.resetModules();
    const saved = globalThis.Buffer;
    Object.defineProperty(globalThis, 'Buffer', { value: undefined, configurable: true, writable: true });
    try {
      return await import('../../src/internal/bytes.js');
    } finally {
      Object.defineProperty(globalThis, 'Buffer', { value: saved, configurable: true, writable: true });
      vi.resetModules();
    }
  }

  it('both refuse every non-canonical spelling and agree on every canonical one', async () => {
    const native = await import('../../src/internal/bytes.js');
    const other = await portable();
    const outcome = (decode: (text: string) => string, text: string) => {
      try {
        return decode(text);
      } catch (error) {
        return error instanceof TypeError ? 'TypeError' : error;
      }
    };
    fc.assert(
      fc.property(fc.string({ maxLength: 40, unit: fc.constantFrom(...'AQgw_-=+/ .aZ09é7') }), (text) => {
        const expected = native.isCanonicalBase64url(text) ? outcome(other.base64urlToText, text) : 'TypeError';
        expect(outcome(native.base64urlToText, text)).toBe(expected);
        expect(outcome(other.base64urlToText, text)).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });
});
