/**
 * @module allowed
 * The normalisations the spec lets a server apply to what it was sent (each
 * one stated in the bundled spec); checks compare stored values modulo
 * exactly these, so a correct server passes whichever it chose.
 */

/**
 * Whether `stored` is `given` as a server may store a name: unchanged, or
 * trimmed of surrounding whitespace as `String.prototype.trim` does (spec:
 * Agent `name`, signup `name`). Nothing else may change.
 */
export function isStoredName(stored: unknown, given: string): boolean {
  return stored === given || stored === given.trim();
}

/** The forms a server may store `given` in, for failure messages. */
export function storedNameForms(given: string): string {
  return given.trim() === given ? JSON.stringify(given) : `${JSON.stringify(given)} or ${JSON.stringify(given.trim())}`;
}
