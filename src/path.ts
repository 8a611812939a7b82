/**
 * @module path
 * Fills the `{name}` placeholders of a spec path with URL-encoded values, like
 * openapi-fetch's default path serializer, but splits each template once
 * instead of running a regular expression on every call. Only the `simple`
 * style is handled: it is the only one the spec uses.
 */

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
      const name = parts[i]!;
      const value = params[name];
      path += value === undefined || value === null ? `{${name}}` : encodeURIComponent(String(value));
      path += parts[i + 1]!;
    }
    return path;
  };
}
