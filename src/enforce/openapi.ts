/**
 * @module enforce/openapi
 * Generates a tool manifest from an OpenAPI document: each operation is a
 * tool, its method gives the level (GET → read, POST/PUT/PATCH → write,
 * DELETE → delete), with overrides per operation.
 */
import {
  GrantexManifestError,
  isPermission,
  parseManifest,
  type ToolManifest,
  type ToolRequirement,
} from './manifest.js';

/** Options of {@link manifestFromOpenApi}. */
export interface ManifestFromOpenApiOptions {
  /** The connector name. Default: the document's `info.title`, reduced to a name. */
  connector?: string;
  /** Per-tool requirement, by operationId (or generated tool name): replaces the method's level. */
  overrides?: Record<string, ToolRequirement>;
  version?: string;
}

const LEVEL: Record<string, 'read' | 'write' | 'delete'> = {
  get: 'read',
  head: 'read',
  options: 'read',
  post: 'write',
  put: 'write',
  patch: 'write',
  delete: 'delete',
};

/**
 * The manifest of an OpenAPI 3.x document (parsed JSON or YAML). Operations
 * may set `x-grantex-permission` (a level) or `x-grantex-scopes` (scopes) to
 * say what they need; `overrides` win over both. Tools are named by
 * `operationId`, else `<method>_<path>` with non-name characters as `_`.
 *
 * @throws {GrantexManifestError} when the document has no paths, two operations
 *   share a tool name, an override names no operation, or the result is invalid.
 */
export function manifestFromOpenApi(document: unknown, options: ManifestFromOpenApiOptions = {}): ToolManifest {
  const doc = document as { info?: { title?: unknown; version?: unknown }; paths?: unknown } | null;
  if (typeof doc !== 'object' || doc === null || typeof doc.paths !== 'object' || doc.paths === null)
    throw new GrantexManifestError('/paths', 'the document has no paths object');
  const tools: Record<string, ToolRequirement> = {};
  for (const [path, item] of Object.entries(doc.paths as Record<string, unknown>)) {
    if (typeof item !== 'object' || item === null) continue;
    for (const [method, operation] of Object.entries(item as Record<string, unknown>)) {
      const level = LEVEL[method];
      if (level === undefined || typeof operation !== 'object' || operation === null) continue;
      const op = operation as Record<string, unknown>;
      const name =
        typeof op.operationId === 'string'
          ? op.operationId
          : `${method}_${path.replace(/[^A-Za-z0-9.-]+/g, '_').replace(/^_+|_+$/g, '')}`;
      if (Object.hasOwn(tools, name))
        throw new GrantexManifestError(`/tools/${name}`, 'two operations share this tool name');
      tools[name] = fromExtensions(op, level);
    }
  }
  for (const [name, requirement] of Object.entries(options.overrides ?? {})) {
    if (!Object.hasOwn(tools, name))
      throw new GrantexManifestError(`/tools/${name}`, 'an override names no operation of the document');
    tools[name] = requirement;
  }
  const title = typeof doc.info?.title === 'string' ? doc.info.title : 'api';
  const connector =
    options.connector ??
    (title
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '') ||
      'api');
  const version = options.version ?? (typeof doc.info?.version === 'string' ? doc.info.version : undefined);
  return parseManifest({
    connector,
    ...(version !== undefined ? { version: version.slice(0, 64) } : {}),
    description: `Generated from the OpenAPI document "${title.slice(0, 200)}"`,
    tools,
  });
}

function fromExtensions(op: Record<string, unknown>, level: 'read' | 'write' | 'delete'): ToolRequirement {
  const permission = op['x-grantex-permission'];
  const scopes = op['x-grantex-scopes'];
  const chosen = isPermission(permission) ? permission : level;
  if (Array.isArray(scopes) && scopes.length > 0) return { permission: chosen, scopes: scopes.map(String) };
  return chosen;
}
