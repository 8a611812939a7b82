/**
 * @module enforce/manifest
 * Tool manifests: which permission level or scopes each tool of a connector
 * needs. Manifests are plain JSON, validated against {@link TOOL_MANIFEST_SCHEMA}.
 */
import { GrantexError } from '../core/errors.js';

/** Permission levels, lowest first: `admin > delete > write > read`. */
export const PERMISSIONS = ['read', 'write', 'delete', 'admin'] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** What one tool needs: a permission level on its connector, exact scopes, or both. */
export type ToolRequirement = Permission | { permission?: Permission; scopes?: string[] };

/** A connector's tools and what each needs. */
export interface ToolManifest {
  /** The connector (`salesforce`); permission scopes read `tool:<connector>:<level>`. */
  connector: string;
  version?: string;
  description?: string;
  tools: Record<string, ToolRequirement>;
}

/** Why a manifest was refused. */
export class GrantexManifestError extends GrantexError {
  override name = 'GrantexManifestError';
  /** JSON Pointer of the offending member. */
  readonly pointer: string;

  constructor(pointer: string, message: string) {
    super(`manifest ${pointer || '/'}: ${message}`);
    this.pointer = pointer;
  }
}

const NAME = '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$';
const SCOPE = '^[\\x21\\x23-\\x5b\\x5d-\\x7e]{1,256}$';

/** The JSON Schema (2020-12) a manifest file must satisfy; {@link parseManifest} enforces the same rules. */
export const TOOL_MANIFEST_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://grantex.dev/schemas/tool-manifest.json',
  title: 'Grantex tool manifest',
  type: 'object',
  required: ['connector', 'tools'],
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    connector: { type: 'string', pattern: NAME },
    version: { type: 'string', maxLength: 64 },
    description: { type: 'string', maxLength: 1024 },
    tools: {
      type: 'object',
      minProperties: 1,
      maxProperties: 10000,
      propertyNames: { pattern: NAME },
      additionalProperties: {
        oneOf: [
          { enum: [...PERMISSIONS] },
          {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: {
              permission: { enum: [...PERMISSIONS] },
              scopes: { type: 'array', minItems: 1, maxItems: 64, items: { type: 'string', pattern: SCOPE } },
            },
          },
        ],
      },
    },
  },
} as const;

const nameRe = new RegExp(NAME);
const scopeRe = new RegExp(SCOPE);

/**
 * Validates a parsed JSON value as a manifest and returns a copy.
 * @throws {GrantexManifestError} naming the first offending member.
 */
export function parseManifest(value: unknown): ToolManifest {
  if (!isObject(value)) throw new GrantexManifestError('', 'must be an object');
  for (const key of Object.keys(value))
    if (!['$schema', 'connector', 'version', 'description', 'tools'].includes(key))
      throw new GrantexManifestError(`/${key}`, 'is not a manifest member');
  const { connector, version, description, tools } = value;
  if (value.$schema !== undefined && typeof value.$schema !== 'string')
    throw new GrantexManifestError('/$schema', 'must be a string');
  if (typeof connector !== 'string' || !nameRe.test(connector))
    throw new GrantexManifestError('/connector', 'must be a name of letters, digits, ".", "_" or "-"');
  if (version !== undefined && (typeof version !== 'string' || version.length > 64))
    throw new GrantexManifestError('/version', 'must be a string of at most 64 characters');
  if (description !== undefined && (typeof description !== 'string' || description.length > 1024))
    throw new GrantexManifestError('/description', 'must be a string of at most 1024 characters');
  if (!isObject(tools)) throw new GrantexManifestError('/tools', 'must be an object');
  const names = Object.keys(tools);
  if (names.length === 0 || names.length > 10000)
    throw new GrantexManifestError('/tools', 'must list 1 to 10000 tools');
  const copy: Record<string, ToolRequirement> = {};
  for (const name of names) {
    const pointer = `/tools/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!nameRe.test(name)) throw new GrantexManifestError(pointer, 'is not a valid tool name');
    copy[name] = requirement(tools[name], pointer);
  }
  return {
    connector,
    ...(version !== undefined ? { version } : {}),
    ...(description !== undefined ? { description } : {}),
    tools: copy,
  };
}

function requirement(value: unknown, pointer: string): ToolRequirement {
  if (typeof value === 'string') {
    if (isPermission(value)) return value;
    throw new GrantexManifestError(pointer, `must be one of ${PERMISSIONS.join(', ')} or an object`);
  }
  if (!isObject(value)) throw new GrantexManifestError(pointer, 'must be a permission or an object');
  const keys = Object.keys(value);
  if (keys.length === 0) throw new GrantexManifestError(pointer, 'must name a permission or scopes');
  for (const key of keys)
    if (key !== 'permission' && key !== 'scopes') throw new GrantexManifestError(`${pointer}/${key}`, 'is not allowed');
  const out: { permission?: Permission; scopes?: string[] } = {};
  if (value.permission !== undefined) {
    if (!isPermission(value.permission))
      throw new GrantexManifestError(`${pointer}/permission`, `must be one of ${PERMISSIONS.join(', ')}`);
    out.permission = value.permission;
  }
  if (value.scopes !== undefined) {
    const scopes = value.scopes;
    if (!Array.isArray(scopes) || scopes.length === 0 || scopes.length > 64)
      throw new GrantexManifestError(`${pointer}/scopes`, 'must be an array of 1 to 64 scopes');
    for (const [i, scope] of scopes.entries())
      if (typeof scope !== 'string' || !scopeRe.test(scope))
        throw new GrantexManifestError(`${pointer}/scopes/${i}`, 'is not a scope token');
    out.scopes = [...(scopes as string[])];
  }
  return out;
}

/** True when `value` is a permission level. */
export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && (PERMISSIONS as readonly string[]).includes(value);
}

/** Whether a granted level covers a required one (`admin > delete > write > read`). */
export function permissionCovers(granted: Permission, required: Permission): boolean {
  return PERMISSIONS.indexOf(granted) >= PERMISSIONS.indexOf(required);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
