/**
 * @module arbitraries
 * fast-check generators for protocol inputs: scopes from the SPEC §4 grammar
 * (registry scopes, `resource:action[:constraint]`, reverse-domain custom
 * scopes), names, principal ids, metadata objects, `expiresIn` durations and
 * scope subsets for delegation.
 */
import fc from 'fast-check';

/** SPEC §4.2 standard scope registry. */
export const STANDARD_SCOPES = [
  'calendar:read',
  'calendar:write',
  'email:read',
  'email:send',
  'email:delete',
  'files:read',
  'files:write',
  'payments:read',
  'payments:initiate',
  'profile:read',
  'contacts:read',
  'payments:mpp:inference',
  'payments:mpp:compute',
  'payments:mpp:data',
  'payments:mpp:storage',
  'payments:mpp:search',
  'payments:mpp:media',
  'payments:mpp:delivery',
  'payments:mpp:browser',
  'payments:mpp:general',
] as const;

const lower = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'.split(''));
const lowerDigit = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'.split(''));

/** A lowercase word: a letter then letters, digits or `_`. */
export const word = fc
  .tuple(
    lower,
    fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789_'.split('')), maxLength: 11 }),
  )
  .map(([first, rest]) => first + rest);

/** SPEC §4.1 `resource:action[:constraint]`. */
export const plainScope = fc
  .tuple(
    word,
    word,
    fc.option(
      fc.oneof(
        word,
        fc.integer({ min: 1, max: 100_000 }).map((n) => `max_${n}`),
      ),
      { nil: undefined },
    ),
  )
  .map(([resource, action, constraint]) =>
    constraint ? `${resource}:${action}:${constraint}` : `${resource}:${action}`,
  );

/** SPEC §4.3 reverse-domain custom scope: `com.example.crm:contacts:write[:constraint]`. */
export const customScope = fc
  .tuple(
    fc.constantFrom('com', 'io', 'org', 'dev', 'net'),
    fc.array(fc.string({ unit: lowerDigit, minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 3 }),
    word,
    word,
    fc.option(
      fc.integer({ min: 1, max: 1_000_000 }).map((n) => `max_${n}`),
      { nil: undefined },
    ),
  )
  .map(([tld, labels, resource, action, constraint]) => {
    const base = `${tld}.${labels.join('.')}.${resource}:${action}`;
    return constraint ? `${base}:${constraint}` : base;
  });

/** Any scope of the grammar. */
export const scope = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...STANDARD_SCOPES) },
  { weight: 2, arbitrary: plainScope },
  { weight: 2, arbitrary: customScope },
);

/** 1 to `max` distinct scopes. */
export function scopes(max = 5): fc.Arbitrary<string[]> {
  return fc.uniqueArray(scope, { minLength: 1, maxLength: max });
}

/** A non-empty subset (order kept) of `of`. */
export function scopeSubset(of: readonly string[]): fc.Arbitrary<string[]> {
  return fc.subarray([...of], { minLength: 1 });
}

/** A scope that is not in `of`. */
export function scopeOutside(of: readonly string[]): fc.Arbitrary<string> {
  return scope.filter((candidate) => !of.includes(candidate));
}

/** Human-readable names: printable, non-blank, up to 60 characters, any script. */
export const displayName = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 60 })
  .filter((text) => /\S/.test(text) && !/[\u0000-\u001f\u007f]/.test(text));

/** A principal id suffix (the run id is prepended by the session). */
export const principalTag = fc.string({ unit: lowerDigit, minLength: 1, maxLength: 12 });

/** Keys that JSON body parsers refuse as prototype-pollution attempts. */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * A JSON metadata object. Strings avoid NUL (which JSON stores such as
 * PostgreSQL jsonb cannot hold) and keys avoid prototype-pollution names.
 */
export const metadata: fc.Arbitrary<Record<string, unknown>> = fc
  .dictionary(
    fc.string({ minLength: 1, maxLength: 12 }).filter((key) => !UNSAFE_KEYS.has(key) && !key.includes('\u0000')),
    fc.jsonValue({ maxDepth: 2, stringUnit: 'grapheme' }).filter((value) => !JSON.stringify(value).includes('\\u0000')),
    { maxKeys: 5 },
  )
  .filter((value) => !hasUnsafeKey(value));

function hasUnsafeKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasUnsafeKey);
  if (value && typeof value === 'object') {
    return Object.entries(value).some(([key, inner]) => UNSAFE_KEYS.has(key) || hasUnsafeKey(inner));
  }
  return false;
}

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
type Unit = keyof typeof UNIT_SECONDS;

/** An `expiresIn` with its length in seconds. */
export interface Duration {
  text: string;
  seconds: number;
}

function duration(unit: Unit, min: number, max: number): fc.Arbitrary<Duration> {
  return fc.integer({ min, max }).map((n) => ({ text: `${n}${unit}`, seconds: n * UNIT_SECONDS[unit] }));
}

/** `expiresIn` values from 2 minutes to 24 hours, in every unit. */
export const expiresInWithinDay: fc.Arbitrary<Duration> = fc.oneof(
  duration('s', 120, 86_400),
  duration('m', 2, 1440),
  duration('h', 1, 24),
  duration('d', 1, 1),
);

/** `expiresIn` values over 24 hours (25 h to 30 d). */
export const expiresInOverDay: fc.Arbitrary<Duration> = fc.oneof(
  duration('h', 25, 720),
  duration('d', 2, 30),
  duration('m', 1441, 43_200),
);

/** Seconds of an `expiresIn` text (`90s`, `2h`). */
export function durationSeconds(text: string): number {
  const match = /^(\d+)([smhd])$/.exec(text);
  if (!match) throw new TypeError(`not a duration: ${text}`);
  return Number(match[1]) * UNIT_SECONDS[match[2] as Unit];
}

/** An audience identifier (a URL, as services name themselves). */
export const audience = fc
  .tuple(
    fc.array(fc.string({ unit: lowerDigit, minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 3 }),
    fc.constantFrom('com', 'test', 'example'),
  )
  .map(([labels, tld]) => `https://${labels.join('.')}.${tld}`);

/** An audit action, `resource.verb`. */
export const action = fc.tuple(word, word).map(([resource, verb]) => `${resource}.${verb}`);

/** An audit status. */
export const auditStatus = fc.constantFrom('success', 'failure', 'blocked');
