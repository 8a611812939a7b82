/**
 * @module exact-json
 * JSON values kept exactly as the client sent them. Objects are
 * null-prototype, so every key, `__proto__` and `constructor` included, is an
 * own data property: assigning `__proto__` onto a `{}` would set its prototype
 * instead and drop the key.
 */

/** A JSON object whose keys are all own properties (no prototype). */
export type ExactObject = { [key: string]: unknown };

function exactObject(): ExactObject {
  return Object.create(null) as ExactObject;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `JSON.parse`, with every object null-prototype. */
export function parseExactJson(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) =>
    isPlainObject(value) ? copyMembers(value, Object.keys(value), (v) => v) : value,
  );
}

/** A deep copy of a JSON value, every object null-prototype, keys in their order. */
export function exactClone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(exactClone);
  if (!isPlainObject(value)) return value;
  return copyMembers(value, Object.keys(value), exactClone);
}

/**
 * A deep copy with object keys sorted by UTF-16 code unit at every depth and
 * `undefined` members dropped: the form the audit hash covers (src/integrity/audit-chain.ts).
 */
export function canonicalClone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalClone);
  if (!isPlainObject(value)) return value;
  return copyMembers(value, Object.keys(value).sort(), canonicalClone);
}

function copyMembers(
  from: Record<string, unknown>,
  keys: readonly string[],
  copy: (v: unknown) => unknown,
): ExactObject {
  const out = exactObject();
  for (const key of keys) {
    // An own `__proto__` is read as the member it is, never as the prototype.
    const member = Object.getOwnPropertyDescriptor(from, key)?.value as unknown;
    if (member !== undefined) out[key] = copy(member);
  }
  return out;
}
