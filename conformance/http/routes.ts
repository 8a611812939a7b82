/**
 * @module routes
 * Route names for counting and matching: ids in a path collapse to `{}`.
 */

/** `/v1/agents/ag_01ABC` → `/v1/agents/{}`: ids collapse so routes can be counted. */
export function routeOf(target: string): string {
  const path = target.split('?')[0] ?? target;
  return path
    .split('/')
    .map((segment) =>
      /^[a-z]+_[0-9A-Za-z_-]{6,}$/.test(segment) || /^[0-9A-HJKMNP-TV-Z]{26}$/.test(segment) ? '{}' : segment,
    )
    .join('/');
}
