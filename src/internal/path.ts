/**
 * @module path
 * Fills the `{name}` placeholders of a spec path with URL-encoded values, like
 * openapi-fetch's default path serializer, but splits each template once
 * instead of running a regular expression on every call, and refuses values
 * that would change which path is called. Only the `simple` style is handled:
 * it is the only one the spec uses.
 */
import { GrantexInvalidArgumentError } from '../core/argument-error.js';

/** A path serializer for one client; it remembers the templates it has seen. */
export function createPathSerializer(): (template: string, params: Record<string, unknown>) => string {
  const compiled = new Map<string, readonly string[]>();
  return (template, params) => {
    let parts = compiled.get(template);
    if (parts === undefined) {
      // Odd indexes hold placeholder names: 'a/{id}/b' → ['a/', 'id', '/b'].
      parts = template.split(/\{([^{}]+)\}/);
      compiled.set(template, parts);
    }
    let path = parts[0]!;
    for (let i = 1; i < parts.length; i += 2) {
      path += encodePathValue(parts[i]!, params[parts[i]!]);
      path += parts[i + 1]!;
    }
    return path;
  };
}

/**
 * One path segment for `value`. `encodeURIComponent` escapes `/`, `?`, `#` and
 * `%`, but leaves `.` alone, and an empty segment collapses: `''`, `.` and `..`
 * would let URL normalisation reach another operation (`DELETE /v1/agents/..`
 * is `DELETE /v1/`), so they are refused.
 *
 * @throws {GrantexInvalidArgumentError} before anything is sent.
 */
export function encodePathValue(name: string, value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint') text = String(value);
  else {
    const kind = value === null ? 'null' : typeof value;
    throw new GrantexInvalidArgumentError(`path parameter "${name}" must be a string, got ${kind}`);
  }
  if (text === '' || text === '.' || text === '..') {
    throw new GrantexInvalidArgumentError(
      `path parameter "${name}" must not be ${JSON.stringify(text)}: it would change which path is called`,
    );
  }
  try {
    return encodeURIComponent(text);
  } catch (cause) {
    // A lone UTF-16 surrogate has no UTF-8 form.
    throw new GrantexInvalidArgumentError(`path parameter "${name}" is not well-formed Unicode`, { cause });
  }
}
