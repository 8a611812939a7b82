/**
 * @module fuzz/schema
 * fast-check arbitraries built from the JSON Schema 2020-12 subset our spec
 * uses ($ref, allOf, oneOf/anyOf, enum, const, type lists, string length,
 * pattern and format, numeric bounds, arrays, objects with required,
 * additionalProperties, minProperties and dependentRequired). Every value is
 * built from fast-check combinators, so shrinking works on it.
 */
import fc from 'fast-check';

export type Json = Record<string, unknown>;

/** Chooses a value for a named property instead of the schema (pool ids, run-tagged names). */
export type Override = (name: string, schema: Json) => fc.Arbitrary<unknown> | undefined;

/** Longest string the generator makes where the schema sets no bound (keeps requests small). */
const DEFAULT_MAX_LENGTH = 24;
/** Longest array the generator makes beyond `minItems`. */
const EXTRA_ITEMS = 3;
const MAX_DEPTH = 6;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Follows `$ref`s (local JSON pointers) in `root`. */
export function deref(root: Json, schema: unknown): Json {
  let current = schema;
  for (let hops = 0; isObject(current) && typeof current['$ref'] === 'string' && hops < 20; hops++) {
    const ref = current['$ref'];
    const { $ref: _ref, ...rest } = current;
    const target = ref
      .replace(/^#\//, '')
      .split('/')
      .map((part) => decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), root);
    if (!isObject(target)) throw new Error(`unresolvable $ref ${ref}`);
    // Sibling keywords of a $ref apply too (2020-12): merge them over the target.
    current = Object.keys(rest).length > 0 ? merge(target, rest) : target;
  }
  return isObject(current) ? current : {};
}

/** The schema with `$ref` and `allOf` folded into one object (what a value must satisfy). */
export function flatten(root: Json, schema: unknown): Json {
  let current = deref(root, schema);
  for (let depth = 0; Array.isArray(current['allOf']) && depth < 10; depth++) {
    const { allOf, ...rest } = current;
    current = (allOf as unknown[]).reduce<Json>((acc, part) => merge(acc, flatten(root, part)), rest);
    current = deref(root, current);
  }
  return current;
}

/** Conjunction of two schemas, for the keywords our spec uses. */
function merge(a: Json, b: Json): Json {
  const out: Json = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const prior = out[key];
    if (prior === undefined) out[key] = value;
    else if (/^(minimum|minLength|minItems|minProperties|exclusiveMinimum)$/.test(key))
      out[key] = Math.max(Number(prior), Number(value));
    else if (/^(maximum|maxLength|maxItems|maxProperties|exclusiveMaximum)$/.test(key))
      out[key] = Math.min(Number(prior), Number(value));
    else if (key === 'required') out[key] = [...new Set([...(prior as string[]), ...(value as string[])])];
    else if (key === 'properties') out[key] = { ...(prior as Json), ...(value as Json) };
    else if (key === 'allOf') out[key] = [...(prior as unknown[]), ...(value as unknown[])];
    else out[key] = value;
  }
  return out;
}

/** The JSON types a schema admits (`undefined`: any). */
export function typesOf(schema: Json): string[] | undefined {
  const type = schema['type'];
  if (typeof type === 'string') return [type];
  if (Array.isArray(type)) return type as string[];
  if (schema['enum'] !== undefined || schema['const'] !== undefined) return undefined;
  if (isObject(schema['properties'])) return ['object'];
  if (schema['items'] !== undefined) return ['array'];
  return undefined;
}

/** Builds valid values for a schema. */
export class SchemaArbitraries {
  readonly #root: Json;
  readonly #override: Override;

  constructor(root: Json, override: Override = () => undefined) {
    this.#root = root;
    this.#override = override;
  }

  /** Values valid against `schema`. */
  of(schema: unknown, depth = 0): fc.Arbitrary<unknown> {
    const flat = flatten(this.#root, schema);
    if (flat['const'] !== undefined) return fc.constant(flat['const']);
    if (Array.isArray(flat['enum'])) return fc.constantFrom(...(flat['enum'] as unknown[]));
    const alternatives = (flat['oneOf'] ?? flat['anyOf']) as unknown[] | undefined;
    if (Array.isArray(alternatives)) {
      const { oneOf: _o, anyOf: _a, ...rest } = flat;
      return fc.oneof(
        ...alternatives.map((alternative) => this.of(merge(rest, flatten(this.#root, alternative)), depth + 1)),
      );
    }
    const types = typesOf(flat);
    if (types === undefined) return depth >= MAX_DEPTH ? fc.constant(null) : smallJson;
    const arbitraries = types.map((type) => this.#ofType(type, flat, depth));
    return arbitraries.length === 1 ? arbitraries[0]! : fc.oneof(...arbitraries);
  }

  /** An object of named members (request bodies, query strings). */
  object(properties: Record<string, unknown>, required: readonly string[], depth = 0): fc.Arbitrary<Json> {
    const members: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [name, schema] of Object.entries(properties)) {
      members[name] = this.#override(name, flatten(this.#root, schema)) ?? this.of(schema, depth + 1);
    }
    return fc.record(members, { requiredKeys: required.filter((name) => name in members) }) as fc.Arbitrary<Json>;
  }

  #ofType(type: string, schema: Json, depth: number): fc.Arbitrary<unknown> {
    switch (type) {
      case 'null':
        return fc.constant(null);
      case 'boolean':
        return fc.boolean();
      case 'integer':
        return integer(schema);
      case 'number':
        return fc.oneof(integer(schema), fc.double({ noNaN: true, noDefaultInfinity: true, ...bounds(schema) }));
      case 'string':
        return string(schema);
      case 'array':
        return this.#array(schema, depth);
      case 'object':
        return this.#objectOf(schema, depth);
      default:
        return fc.constant(null);
    }
  }

  #array(schema: Json, depth: number): fc.Arbitrary<unknown[]> {
    const minLength = Number(schema['minItems'] ?? 0);
    const maxLength = Math.min(Number(schema['maxItems'] ?? Infinity), minLength + EXTRA_ITEMS);
    if (depth >= MAX_DEPTH) return fc.constant([]);
    const items = schema['items'] === undefined ? smallJson : this.of(schema['items'], depth + 1);
    return schema['uniqueItems'] === true
      ? fc.uniqueArray(items, { minLength, maxLength, selector: (value) => JSON.stringify(value) })
      : fc.array(items, { minLength, maxLength });
  }

  #objectOf(schema: Json, depth: number): fc.Arbitrary<Json> {
    const properties = (schema['properties'] ?? {}) as Json;
    const required = (schema['required'] ?? []) as string[];
    let arbitrary: fc.Arbitrary<Json>;
    if (Object.keys(properties).length === 0 && schema['additionalProperties'] !== false) {
      // A free-form object (metadata): a few members, of the schema `additionalProperties` gives, else any JSON.
      const extra = schema['additionalProperties'];
      const values = typeof extra === 'object' && extra !== null ? this.of(extra, depth + 1) : smallJson;
      arbitrary =
        depth >= MAX_DEPTH
          ? fc.constant({})
          : fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), values, { maxKeys: 3 });
    } else {
      arbitrary = this.object(properties, required, depth);
    }
    const minProperties = Number(schema['minProperties'] ?? 0);
    const dependent = (schema['dependentRequired'] ?? {}) as Record<string, string[]>;
    if (minProperties > 0 || Object.keys(dependent).length > 0) {
      arbitrary = arbitrary.filter(
        (value) =>
          Object.keys(value).length >= minProperties &&
          Object.entries(dependent).every(
            ([name, needs]) => !(name in value) || needs.every((other) => other in value),
          ),
      );
    }
    return arbitrary;
  }
}

const smallJson: fc.Arbitrary<unknown> = fc
  .jsonValue({ maxDepth: 2 })
  .map((value) => (value === undefined ? null : value));

function bounds(schema: Json): { min?: number; max?: number } {
  const min =
    schema['minimum'] ?? (typeof schema['exclusiveMinimum'] === 'number' ? schema['exclusiveMinimum'] + 1 : undefined);
  const max =
    schema['maximum'] ?? (typeof schema['exclusiveMaximum'] === 'number' ? schema['exclusiveMaximum'] - 1 : undefined);
  return { ...(min !== undefined ? { min: Number(min) } : {}), ...(max !== undefined ? { max: Number(max) } : {}) };
}

function integer(schema: Json): fc.Arbitrary<number> {
  const { min, max } = bounds(schema);
  // int32 where the spec says so; otherwise a range every server stores without loss.
  const low = min ?? (schema['format'] === 'int32' ? -(2 ** 31) : -1_000_000);
  const high = max ?? (schema['format'] === 'int32' ? 2 ** 31 - 1 : 1_000_000);
  return fc.integer({ min: low, max: high });
}

/** A label of lower-case letters and digits (host names, e-mail local parts). */
const label = fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/);

/**
 * URIs point at the discard port of the loopback address: nothing the server
 * may call because of a fuzzed request ever leaves the machine it runs on.
 */
const uri = fc.array(label, { maxLength: 3 }).map((segments) => `https://127.0.0.1:9/${segments.join('/')}`);

const FORMATS: Record<string, fc.Arbitrary<string>> = {
  'date-time': fc
    .date({ min: new Date('2001-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true })
    .map((date) => date.toISOString()),
  date: fc
    .date({ min: new Date('2001-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
    .map((date) => date.toISOString().slice(0, 10)),
  email: fc.tuple(label, label).map(([local, domain]) => `${local}@${domain}.test`),
  uri,
  url: uri,
  uuid: fc.uuid(),
};

function string(schema: Json): fc.Arbitrary<string> {
  const minLength = Number(schema['minLength'] ?? 0);
  const maxLength = Math.max(
    minLength,
    Math.min(Number(schema['maxLength'] ?? Infinity), minLength + DEFAULT_MAX_LENGTH),
  );
  const format = typeof schema['format'] === 'string' ? FORMATS[schema['format']] : undefined;
  const pattern = typeof schema['pattern'] === 'string' ? new RegExp(schema['pattern'], 'u') : undefined;
  let base: fc.Arbitrary<string>;
  if (format) base = format;
  else if (pattern) base = fc.stringMatching(pattern);
  else base = fc.string({ minLength, maxLength });
  if (format || pattern) {
    // Length bounds still apply to formatted and patterned strings.
    const limit = Number(schema['maxLength'] ?? Infinity);
    base = base.filter((text) => text.length >= minLength && text.length <= limit && (!pattern || pattern.test(text)));
  }
  return base;
}
