/**
 * @module fuzz/mutations
 * Negative requests: each mutation turns a valid request into one that breaks
 * exactly one rule of the spec (a required member left out, a wrong JSON type,
 * a value out of range or of the wrong format, an extra member where
 * `additionalProperties` is false, a malformed or mistyped body, a bad query
 * value), or that carries a hostile string where a string is allowed.
 * Mutations are listed in a fixed order, so every run tries each of them.
 */
import { flatten, typesOf, type Json } from './schema.js';

/** A request before it is sent: path parameters, query members, and the JSON body (if any). */
export interface RequestInput {
  path: Record<string, string>;
  query: Record<string, unknown>;
  body?: unknown;
}

/** How the body goes on the wire, when not as JSON. */
export interface RawBody {
  body: string;
  contentType: string;
}

export type MutationKind =
  | 'missing-required'
  | 'wrong-type'
  | 'out-of-range'
  | 'wrong-format'
  | 'extra-property'
  | 'malformed-json'
  | 'wrong-content-type'
  | 'bad-query'
  | 'hostile-string';

export interface Mutation {
  kind: MutationKind;
  /** What it changes, e.g. `body.scopes: [] (minItems 1)`. */
  label: string;
  apply(input: RequestInput): { input: RequestInput; raw?: RawBody };
}

/** Hostile strings; each keeps a run-neutral `gxc-fuzz` tag so a stored value is recognisable. */
export const HOSTILE: Record<string, string> = {
  nul: 'gxc-fuzz\u0000nul',
  'lone-surrogate': 'gxc-fuzz\ud800x',
  control: 'gxc-fuzz\u0001\u001b[31m\u007f\r\n',
  '100KB': `gxc-fuzz${'a'.repeat(100_000)}`,
};

/** A value of another JSON type than every type the schema admits. */
function wrongTypeFor(types: string[]): unknown {
  const candidates: Array<[string, unknown]> = [
    ['string', 12345],
    ['integer', 'seven'],
    ['number', 'seven'],
    ['boolean', 'true'],
    ['array', { not: 'an array' }],
    ['object', ['not', 'an', 'object']],
    ['null', 'null'],
  ];
  const admitted = new Set(
    types.flatMap((type) =>
      type === 'integer' ? ['integer', 'number'] : type === 'number' ? ['number', 'integer'] : [type],
    ),
  );
  const pick = (value: unknown): string =>
    value === null
      ? 'null'
      : Array.isArray(value)
        ? 'array'
        : typeof value === 'number'
          ? Number.isInteger(value)
            ? 'integer'
            : 'number'
          : typeof value;
  for (const [type, value] of candidates) if (admitted.has(type) && !admitted.has(pick(value))) return value;
  return admitted.has('string') ? 12345 : 'not-a-value';
}

/** Values that break one constraint of `schema` (besides its type), with a label each. */
function outOfRange(schema: Json): Array<{ kind: MutationKind; value: unknown; why: string }> {
  const out: Array<{ kind: MutationKind; value: unknown; why: string }> = [];
  if (Array.isArray(schema['enum']))
    out.push({ kind: 'out-of-range', value: 'gxc-not-in-enum', why: `not one of ${JSON.stringify(schema['enum'])}` });
  if (schema['const'] !== undefined)
    out.push({ kind: 'out-of-range', value: 'gxc-not-the-const', why: `not ${JSON.stringify(schema['const'])}` });
  if (typeof schema['minimum'] === 'number')
    out.push({ kind: 'out-of-range', value: schema['minimum'] - 1, why: `below minimum ${schema['minimum']}` });
  if (typeof schema['maximum'] === 'number')
    out.push({ kind: 'out-of-range', value: schema['maximum'] + 1, why: `above maximum ${schema['maximum']}` });
  if (schema['format'] === 'int32') out.push({ kind: 'out-of-range', value: 2 ** 31, why: 'outside int32' });
  if (typeof schema['minLength'] === 'number' && schema['minLength'] > 0)
    out.push({ kind: 'out-of-range', value: '', why: `shorter than minLength ${schema['minLength']}` });
  if (typeof schema['maxLength'] === 'number')
    out.push({
      kind: 'out-of-range',
      value: 'x'.repeat(schema['maxLength'] + 1),
      why: `longer than maxLength ${schema['maxLength']}`,
    });
  if (typeof schema['minItems'] === 'number' && schema['minItems'] > 0)
    out.push({ kind: 'out-of-range', value: [], why: `fewer than minItems ${schema['minItems']}` });
  if (typeof schema['maxItems'] === 'number') {
    out.push({
      kind: 'out-of-range',
      value: Array.from({ length: schema['maxItems'] + 1 }, (_, i) => `gxc:s${i}`),
      why: `more than maxItems ${schema['maxItems']}`,
    });
  }
  const format = schema['format'];
  if (format === 'date-time') out.push({ kind: 'wrong-format', value: '2026-13-45 25:61', why: 'not a date-time' });
  if (format === 'date') out.push({ kind: 'wrong-format', value: '31/12/2026', why: 'not a date' });
  if (format === 'uri' || format === 'url') out.push({ kind: 'wrong-format', value: 'not a uri', why: 'not a URI' });
  if (format === 'email') out.push({ kind: 'wrong-format', value: 'not-an-email', why: 'not an e-mail address' });
  if (typeof schema['pattern'] === 'string' && format === undefined) {
    const pattern = new RegExp(schema['pattern'], 'u');
    const value = ['', ' ', '!!', '\t'].find((candidate) => !pattern.test(candidate));
    if (value !== undefined) out.push({ kind: 'wrong-format', value, why: `does not match ${schema['pattern']}` });
  }
  return out;
}

function withBody(input: RequestInput, change: (body: Json) => void): { input: RequestInput } {
  const body: Json =
    input.body !== null && typeof input.body === 'object' && !Array.isArray(input.body)
      ? { ...(input.body as Json) }
      : {};
  change(body);
  return { input: { ...input, body } };
}

function withQuery(input: RequestInput, name: string, value: unknown): { input: RequestInput } {
  return { input: { ...input, query: { ...input.query, [name]: value } } };
}

export interface MutationSource {
  root: Json;
  /** The flattened JSON request body schema, if the operation takes one. */
  body?: Json;
  query: Array<{ name: string; schema: unknown }>;
}

/** Every mutation of an operation, in a fixed order. */
export function mutationsOf(source: MutationSource): Mutation[] {
  const mutations: Mutation[] = [];
  const { root, body } = source;
  if (body) {
    mutations.push({
      kind: 'malformed-json',
      label: 'body: truncated JSON',
      apply: (input) => ({
        input,
        raw: { body: `${JSON.stringify(input.body ?? {}).slice(0, -1)},"`, contentType: 'application/json' },
      }),
    });
    mutations.push({
      kind: 'wrong-content-type',
      label: 'content-type: text/plain',
      apply: (input) => ({ input, raw: { body: JSON.stringify(input.body ?? {}), contentType: 'text/plain' } }),
    });
    const properties = (body['properties'] ?? {}) as Json;
    for (const name of (body['required'] ?? []) as string[]) {
      mutations.push({
        kind: 'missing-required',
        label: `body.${name} left out (required)`,
        apply: (input) => withBody(input, (b) => delete b[name]),
      });
    }
    if (body['additionalProperties'] === false) {
      mutations.push({
        kind: 'extra-property',
        label: 'body.gxcUnexpected added (additionalProperties: false)',
        apply: (input) => withBody(input, (b) => (b['gxcUnexpected'] = true)),
      });
    }
    for (const [name, raw] of Object.entries(properties)) {
      const schema = flatten(root, raw);
      const types = typesOf(schema);
      if (types) {
        const value = wrongTypeFor(types);
        mutations.push({
          kind: 'wrong-type',
          label: `body.${name}: ${JSON.stringify(value)} (type ${types.join('|')})`,
          apply: (input) => withBody(input, (b) => (b[name] = value)),
        });
      }
      for (const { kind, value, why } of outOfRange(schema)) {
        mutations.push({
          kind,
          label: `body.${name}: ${short(value)} (${why})`,
          apply: (input) => withBody(input, (b) => (b[name] = value)),
        });
      }
      // Where the schema still admits the string, the request is judged as a valid one; where not, as an invalid one.
      if (types?.includes('string') && schema['enum'] === undefined && schema['format'] === undefined) {
        for (const [which, value] of Object.entries(HOSTILE)) {
          mutations.push({
            kind: 'hostile-string',
            label: `body.${name}: ${which} string`,
            apply: (input) => withBody(input, (b) => (b[name] = value)),
          });
        }
      }
    }
  }
  for (const { name, schema: raw } of source.query) {
    const schema = flatten(root, raw);
    const types = typesOf(schema) ?? [];
    if (types.includes('integer') || types.includes('number'))
      mutations.push({
        kind: 'bad-query',
        label: `query ${name}=seven (type ${types.join('|')})`,
        apply: (input) => withQuery(input, name, 'seven'),
      });
    if (types.includes('boolean'))
      mutations.push({
        kind: 'bad-query',
        label: `query ${name}=maybe (boolean)`,
        apply: (input) => withQuery(input, name, 'maybe'),
      });
    for (const { value, why } of outOfRange(schema)) {
      if (typeof value !== 'string' && typeof value !== 'number') continue;
      if (String(value).length > 2048) continue; // a URL that long says nothing about the parameter
      mutations.push({
        kind: 'bad-query',
        label: `query ${name}=${short(value)} (${why})`,
        apply: (input) => withQuery(input, name, value),
      });
    }
    if (
      types.includes('string') &&
      schema['enum'] === undefined &&
      schema['format'] === undefined &&
      schema['pattern'] === undefined
    ) {
      // 100 KB would exceed any server's URL limit; the others fit in a query string.
      for (const which of ['nul', 'control'] as const) {
        mutations.push({
          kind: 'hostile-string',
          label: `query ${name}: ${which} string`,
          apply: (input) => withQuery(input, name, HOSTILE[which]),
        });
      }
    }
  }
  return mutations;
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}
