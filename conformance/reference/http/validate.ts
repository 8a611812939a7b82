/**
 * @module validate
 * The bundled spec (generated/openapi.json) compiled with Ajv (JSON Schema
 * 2020-12): the operation table the server routes from and request
 * validation. Responses are checked with the conformance suite's validator
 * (../contract.ts).
 */
import { readBundledSpec } from '../../http/bundled-spec.js';
import { Ajv2020, type ValidateFunction, type ErrorObject } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats ships CommonJS; under NodeNext its default export is the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/** How an operation authenticates its caller. */
export type Security = 'none' | 'apiKey' | 'scimToken' | 'grantToken';

/** One operation of the spec. */
export interface Operation {
  operationId: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI path template, e.g. `/v1/agents/{agentId}`. */
  path: string;
  /** The same path in Hono syntax, e.g. `/v1/agents/:agentId`. */
  routePath: string;
  security: Security;
  tags: string[];
}

type Json = Record<string, unknown>;

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const JSON_TYPES = ['application/json', 'application/scim+json'];
const SPEC_ID = 'openapi';

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The compiled spec. Build one with {@link loadContract}. */
export class Contract {
  readonly operations: readonly Operation[];
  readonly #doc: Json;
  readonly #byId = new Map<string, Json>();
  readonly #strict: Ajv2020;
  readonly #coercing: Ajv2020;
  readonly #cache = new Map<string, ValidateFunction>();

  constructor(doc: Json) {
    this.#doc = doc;
    // The spec is linted by Redocly; re-validating the whole document here only slows startup.
    this.#strict = addFormats(new Ajv2020({ strict: false, allErrors: true, validateSchema: false }));
    this.#coercing = addFormats(
      new Ajv2020({ strict: false, allErrors: true, coerceTypes: 'array', validateSchema: false }),
    );
    this.#strict.addSchema(doc, SPEC_ID);
    this.#coercing.addSchema(doc, SPEC_ID);
    this.operations = this.#collect();
  }

  #collect(): Operation[] {
    const out: Operation[] = [];
    const rootSecurity = this.#doc['security'];
    for (const [path, rawItem] of Object.entries(this.#resolve(this.#doc['paths']) as Json)) {
      const item = this.#resolve(rawItem) as Json;
      for (const method of METHODS) {
        const op = item[method];
        if (!isObject(op) || typeof op['operationId'] !== 'string') continue;
        const pathParams = Array.isArray(item['parameters']) ? item['parameters'] : [];
        const own = Array.isArray(op['parameters']) ? op['parameters'] : [];
        this.#byId.set(op['operationId'], { ...op, parameters: [...pathParams, ...own] });
        out.push({
          operationId: op['operationId'],
          method,
          path,
          routePath: path.replace(/\{([^}]+)\}/g, ':$1'),
          security: securityOf(op['security'] ?? rootSecurity),
          tags: Array.isArray(op['tags']) ? (op['tags'] as string[]) : [],
        });
      }
    }
    // Literal segments before templated ones, so `/v1/audit/entries` wins over `/v1/audit/{entryId}`.
    return out.sort((a, b) => specificity(b.path) - specificity(a.path));
  }

  /** Follows `$ref`s between OpenAPI objects (not inside schemas). */
  #resolve(value: unknown): unknown {
    let current = value;
    for (let hops = 0; isObject(current) && typeof current['$ref'] === 'string' && hops < 10; hops++) {
      const ref = current['$ref'];
      if (!ref.startsWith('#/')) throw new Error(`Unsupported $ref ${ref}`);
      current = ref
        .slice(2)
        .split('/')
        .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), this.#doc);
    }
    return current;
  }

  #compile(key: string, schema: unknown, coercing = false): ValidateFunction {
    const cacheKey = `${coercing ? 'c' : 's'}:${key}`;
    let fn = this.#cache.get(cacheKey);
    if (fn === undefined) {
      const rebased = JSON.parse(JSON.stringify(schema ?? {}).replaceAll('"$ref":"#/', `"$ref":"${SPEC_ID}#/`));
      fn = (coercing ? this.#coercing : this.#strict).compile(rebased);
      this.#cache.set(cacheKey, fn);
    }
    return fn;
  }

  /** The operation object (with path-level parameters merged in). */
  operation(operationId: string): Json {
    const op = this.#byId.get(operationId);
    if (op === undefined) throw new Error(`No operation ${operationId} in the spec`);
    return op;
  }

  /** The operation that serves `method` on a concrete `pathname`, if any. */
  match(method: string, pathname: string): { operation: Operation; params: Record<string, string> } | undefined {
    const m = method.toLowerCase();
    for (const operation of this.operations) {
      if (operation.method !== m) continue;
      const names: string[] = [];
      const pattern = operation.path
        .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
        .replace(/\\?\{([^}]+)\\?\}/g, (_s, name: string) => {
          names.push(name);
          return '([^/]+)';
        });
      const found = new RegExp(`^${pattern}$`).exec(pathname);
      if (found === null) continue;
      const params: Record<string, string> = {};
      names.forEach((name, i) => {
        params[name] = safeDecode(found[i + 1] ?? '');
      });
      return { operation, params };
    }
    return undefined;
  }

  #parameters(operationId: string, location: 'path' | 'query'): Json[] {
    const params = (this.operation(operationId)['parameters'] as unknown[]).map((p) => this.#resolve(p) as Json);
    return params.filter((p) => p['in'] === location);
  }

  /**
   * Checks path and query parameters; returns a message naming the first
   * problem, or undefined. Query values are strings and are coerced.
   */
  validateParameters(
    operationId: string,
    path: Record<string, string>,
    query: URLSearchParams,
  ): { message?: string; query: Record<string, unknown> } {
    const parsedQuery: Record<string, unknown> = {};
    for (const [location, values] of [
      ['path', path],
      ['query', query],
    ] as const) {
      const params = this.#parameters(operationId, location);
      if (params.length === 0) continue;
      const data: Record<string, unknown> = {};
      const schema: Json = { type: 'object', properties: {}, required: [] };
      for (const p of params) {
        const name = p['name'] as string;
        (schema['properties'] as Json)[name] = p['schema'] ?? {};
        if (p['required'] === true) (schema['required'] as string[]).push(name);
        const pSchema = this.#resolve(p['schema']) as Json | undefined;
        if (values instanceof URLSearchParams) {
          if (!values.has(name)) continue;
          data[name] = pSchema?.['type'] === 'array' ? values.getAll(name) : values.get(name);
        } else if (name in values) {
          data[name] = values[name];
        }
      }
      const fn = this.#compile(`${operationId}:${location}`, schema, true);
      if (!fn(data))
        return { message: describe(fn.errors, location === 'path' ? 'path' : 'query'), query: parsedQuery };
      if (location === 'query') Object.assign(parsedQuery, data);
    }
    return { query: parsedQuery };
  }

  /** Whether the operation documents this response status. */
  documents(operationId: string, status: number): boolean {
    const responses = this.operation(operationId)['responses'] as Json;
    return [String(status), `${String(status)[0]}XX`, 'default'].some((k) => k in responses);
  }

  /** The JSON request body schema of the operation, if it takes one. */
  requestBody(operationId: string): { required: boolean; schema: unknown } | undefined {
    const body = this.#resolve(this.operation(operationId)['requestBody']) as Json | undefined;
    if (body === undefined) return undefined;
    const content = body['content'] as Json;
    const type = JSON_TYPES.find((t) => t in content);
    if (type === undefined) return undefined;
    return { required: body['required'] === true, schema: (content[type] as Json)['schema'] };
  }

  /** Checks a parsed JSON request body; returns a message or undefined. */
  validateBody(operationId: string, body: unknown): string | undefined {
    const spec = this.requestBody(operationId);
    if (spec === undefined) return undefined;
    const fn = this.#compile(`${operationId}:body`, spec.schema);
    return fn(body) ? undefined : describe(fn.errors, 'body');
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function securityOf(security: unknown): Security {
  if (!Array.isArray(security) || security.length === 0) return 'none';
  const names = security.flatMap((req) => (isObject(req) ? Object.keys(req) : []));
  if (names.length === 0) return 'none';
  // Principal-session routes check their own bearer token (see `Ctx.bearer`).
  if (names.includes('principalSession')) return 'none';
  if (names.includes('grantToken') && !names.includes('apiKey')) return 'grantToken';
  return names.includes('scimToken') && !names.includes('apiKey') ? 'scimToken' : 'apiKey';
}

function specificity(path: string): number {
  // Literal segments first; among equals, longer paths first.
  return path.split('/').reduce((score, seg) => score * 2 + (seg.startsWith('{') ? 0 : 1), 1);
}

/** One readable line for the first few Ajv errors, e.g. `body/name must be string`. */
function describe(errors: ErrorObject[] | null | undefined, root: string): string {
  if (!errors || errors.length === 0) return `${root} is invalid`;
  return errors
    .slice(0, 3)
    .map((e) => {
      const where = `${root}${e.instancePath}`;
      if (e.keyword === 'required') return `${where}/${String(e.params['missingProperty'])} is required`;
      if (e.keyword === 'additionalProperties')
        return `${where}/${String(e.params['additionalProperty'])} is not allowed`;
      return `${where} ${e.message ?? 'is invalid'}`;
    })
    .join('; ');
}

let cached: Contract | undefined;

/** The contract compiled from generated/openapi.json (once per process). */
export function loadContract(): Contract {
  cached ??= new Contract(readBundledSpec() as Json);
  return cached;
}
