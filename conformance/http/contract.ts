/**
 * @module contract
 * Validates recorded responses against the bundled spec (generated/openapi.json)
 * with a JSON Schema 2020-12 validator: the status must be documented for the
 * operation, documented headers must validate, and the body must match the
 * schema of its media type. Also validates webhook payloads.
 */
import { readFileSync } from 'node:fs';
import { readBundledSpec } from './bundled-spec.js';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Exchange } from '../engine/types.js';

// ajv-formats ships CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

const ROOT_ID = 'https://grantex.local/openapi.json';
/** Errors reported per value. */
const MAX_ERRORS = 6;
/** Bodies under this many characters are searched for all their errors; larger ones report the first. */
const ALL_ERRORS_MAX_CHARS = 32 * 1024;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

type Json = Record<string, unknown>;

/** An operation of the spec, matched from a method and a concrete path. */
export interface Operation {
  operationId: string;
  method: string;
  /** The path template, `/v1/agents/{agentId}`. */
  template: string;
  tags: string[];
  /** Statuses documented for it (`200`, `4XX`, `default`). */
  statuses: string[];
  /** Security scheme names it accepts; empty for a public operation. */
  security: string[];
}

interface CompiledOperation extends Operation {
  regex: RegExp;
  params: number;
  pointer: string;
  responses: Json;
}

/** A response as the validator reads it: header names in lower case, the raw text and its JSON (undefined if none). */
export type RecordedResponse = Pick<Exchange, 'status' | 'responseHeaders' | 'responseText' | 'body'>;

let bundledValidator: ContractValidator | undefined;

/** What the validator reads of a fetch response: status, lower-cased headers, text, and the JSON body if it parses. */
export function recordedResponse(status: number, headers: Headers, text: string): RecordedResponse {
  const responseHeaders: Record<string, string> = {};
  headers.forEach((value, name) => {
    responseHeaders[name] = value;
  });
  return { status, responseHeaders, responseText: text, body: parseJson(text) };
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Validates exchanges against the bundled OpenAPI document. */
export class ContractValidator {
  readonly spec: Json;
  /** Stops at the first error: linear in the body, whatever it holds. */
  #ajv: Ajv2020;
  /** Collects every error; ajv concatenates error arrays, quadratic in their number, so it only sees small bodies. */
  #ajvAll: Ajv2020;
  #operations: CompiledOperation[];
  #cache = new Map<string, ValidateFunction>();
  #cacheAll = new Map<string, ValidateFunction>();

  constructor(spec: Json) {
    this.spec = spec;
    this.#ajv = new Ajv2020({ strict: false, allErrors: false, validateSchema: false, validateFormats: true });
    this.#ajvAll = new Ajv2020({ strict: false, allErrors: true, validateSchema: false, validateFormats: true });
    for (const ajv of [this.#ajv, this.#ajvAll]) {
      addFormats(ajv);
      ajv.addSchema({ ...spec, $id: ROOT_ID });
    }
    this.#operations = compileOperations(spec);
  }

  /** The validator of `generated/openapi.json`, compiled once per process. */
  static bundled(): ContractValidator {
    bundledValidator ??= ContractValidator.fromFile();
    return bundledValidator;
  }

  /** Loads `generated/openapi.json`, or another bundled spec at `path`. */
  static fromFile(path?: string | URL): ContractValidator {
    const spec = path === undefined ? readBundledSpec() : JSON.parse(readFileSync(path, 'utf8'));
    return new ContractValidator(spec as Json);
  }

  /** Every operation of the spec. */
  get operations(): Operation[] {
    return this.#operations.map(({ operationId, method, template, tags, statuses, security }) => ({
      operationId,
      method,
      template,
      tags,
      statuses,
      security,
    }));
  }

  /** The operation a request targets, or undefined when the spec has no such path and method. */
  match(method: string, target: string): Operation | undefined {
    const lower = method.toLowerCase();
    const op = this.#operations.find((candidate) => candidate.method === lower && candidate.regex.test(pathOf(target)));
    return (
      op && {
        operationId: op.operationId,
        method: op.method,
        template: op.template,
        tags: op.tags,
        statuses: op.statuses,
        security: op.security,
      }
    );
  }

  /**
   * Validates one exchange; returns the violations (empty when it conforms)
   * and sets `exchange.operationId` and `exchange.violations`.
   */
  validate(exchange: Exchange): string[] {
    if (exchange.status === 0) return [];
    const op = this.#operations.find(
      (candidate) =>
        candidate.method === exchange.method.toLowerCase() && candidate.regex.test(pathOf(exchange.target)),
    );
    if (!op) return [];
    exchange.operationId = op.operationId;
    exchange.violations = this.#violations(op, exchange, false);
    return exchange.violations;
  }

  /**
   * The violations of one response of `operationId`. With `requireHeaders`,
   * every documented header must be present (the reference server's tests
   * hold it to that; other servers may leave optional headers out).
   */
  validateResponse(
    operationId: string,
    response: RecordedResponse,
    options: { requireHeaders?: boolean } = {},
  ): string[] {
    const op = this.#operations.find((candidate) => candidate.operationId === operationId);
    if (!op) return [`operation ${operationId} is not in the spec`];
    return this.#violations(op, response, options.requireHeaders === true);
  }

  #violations(op: CompiledOperation, response: RecordedResponse, requireHeaders: boolean): string[] {
    const violations: string[] = [];
    const key = pickStatus(op.responses, response.status);
    if (key === undefined) {
      violations.push(
        `status ${response.status} is not documented for ${op.operationId} (documented: ${op.statuses.join(', ')})`,
      );
      if (response.status >= 400) violations.push(...this.#errorShape(response));
      return violations;
    }
    let pointer = `${op.pointer}/responses/${escapePointer(key)}`;
    let documented = op.responses[key] as Json;
    for (let depth = 0; depth < 10 && typeof documented['$ref'] === 'string'; depth++) {
      pointer = documented['$ref'];
      documented = resolvePointer(this.spec, pointer) as Json;
    }
    violations.push(...this.#headers(response, documented, requireHeaders));
    violations.push(...this.#body(response, documented, pointer));
    return violations;
  }

  /** Validates a webhook delivery body against `webhooks[event]`; returns the violations. */
  validateWebhook(eventType: string, body: unknown): string[] {
    const webhooks = (this.spec['webhooks'] ?? {}) as Json;
    const item = webhooks[eventType] as Json | undefined;
    if (!item) return [`event type ${JSON.stringify(eventType)} is not documented under webhooks`];
    const post = (this.#deref(item) as Json)['post'] as Json | undefined;
    const media = ((post?.['requestBody'] as Json | undefined)?.['content'] as Json | undefined)?.['application/json'];
    if (!media) return [];
    const pointer = `#/webhooks/${escapePointer(eventType)}/post/requestBody/content/application~1json/schema`;
    return this.#schemaErrors(pointer, body);
  }

  /** Validates `value` against `components.schemas[name]`. */
  validateSchema(name: string, value: unknown): string[] {
    return this.#schemaErrors(`#/components/schemas/${escapePointer(name)}`, value);
  }

  #errorShape(response: RecordedResponse): string[] {
    const errors = this.validateSchema('Error', response.body);
    return errors.length > 0 ? [`error body does not have the error shape: ${errors.join('; ')}`] : [];
  }

  #headers(response: RecordedResponse, documented: Json, requireAll: boolean): string[] {
    const violations: string[] = [];
    const headers = (documented['headers'] ?? {}) as Json;
    for (const [name, rawHeader] of Object.entries(headers)) {
      const header = this.#deref(rawHeader) as Json;
      const value = response.responseHeaders[name.toLowerCase()];
      if (value === undefined) {
        if (requireAll || header['required'] === true)
          violations.push(`${header['required'] === true ? 'required ' : ''}header ${name} is missing`);
        continue;
      }
      const schema = header['schema'] as Json | undefined;
      if (!schema) continue;
      const errors = this.#validateInline(schema, coerceHeader(value, schema));
      if (errors.length > 0) violations.push(`header ${name}: ${JSON.stringify(value)} ${errors.join('; ')}`);
    }
    return violations;
  }

  #body(response: RecordedResponse, documented: Json, pointer: string): string[] {
    const content = documented['content'] as Json | undefined;
    const hasBody = response.responseText.trim() !== '';
    if (!content || Object.keys(content).length === 0) {
      return hasBody && response.status === 204 ? ['a 204 response must not have a body'] : [];
    }
    const contentType = (response.responseHeaders['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const mediaKey = Object.keys(content).find((media) => mediaMatches(media, contentType));
    if (!mediaKey) {
      return [
        `content-type ${JSON.stringify(contentType)} is not documented (documented: ${Object.keys(content).join(', ')})`,
      ];
    }
    const media = content[mediaKey] as Json;
    if (!media['schema']) return [];
    if (!/json/.test(mediaKey)) return [];
    if (!hasBody) return ['the body is empty but the spec documents a JSON body'];
    if (response.body === undefined) return ['the body is not valid JSON'];
    return this.#schemaErrors(
      `${pointer}/content/${escapePointer(mediaKey)}/schema`,
      response.body,
      response.responseText.length,
    ).map((error) => `body ${error}`);
  }

  /**
   * The first errors of `value` (at most {@link MAX_ERRORS}). A first pass stops
   * at the first error; only a value under {@link ALL_ERRORS_MAX_CHARS} is
   * validated again for all its errors, so validation stays linear in the body.
   */
  #schemaErrors(pointer: string, value: unknown, knownSize?: number): string[] {
    const first = this.#compiled(this.#ajv, this.#cache, pointer);
    if (first(value)) return [];
    const size = knownSize ?? (JSON.stringify(value) ?? '').length;
    const all = size < ALL_ERRORS_MAX_CHARS ? this.#compiled(this.#ajvAll, this.#cacheAll, pointer) : undefined;
    const errors = all && !all(value) ? (all.errors ?? []) : (first.errors ?? []);
    const more = all ? [] : [`(first error only: a body of ${size} characters is not searched for all its errors)`];
    return errors
      .slice(0, MAX_ERRORS)
      .map(
        (error) =>
          `${error.instancePath || '/'} ${error.message ?? 'is invalid'}${error.params && 'allowedValues' in error.params ? ` ${JSON.stringify(error.params['allowedValues'])}` : ''}`,
      )
      .concat(more);
  }

  #compiled(ajv: Ajv2020, cache: Map<string, ValidateFunction>, pointer: string): ValidateFunction {
    let validate = cache.get(pointer);
    if (!validate) {
      validate = ajv.compile({ $ref: `${ROOT_ID}${pointer}` });
      cache.set(pointer, validate);
    }
    return validate;
  }

  #validateInline(schema: Json, value: unknown): string[] {
    const key = JSON.stringify(schema);
    let validate = this.#cache.get(key);
    if (!validate) {
      validate = this.#ajv.compile({ $id: `${ROOT_ID}/inline/${this.#cache.size}`, ...schema });
      this.#cache.set(key, validate);
    }
    return validate(value) ? [] : (validate.errors ?? []).map((error) => error.message ?? 'is invalid');
  }

  /** Resolves OpenAPI (non-schema) `$ref`s: responses, headers, path items. */
  #deref(value: unknown): unknown {
    let current = value;
    for (let depth = 0; depth < 10 && current && typeof current === 'object' && '$ref' in current; depth++) {
      current = resolvePointer(this.spec, String((current as Json)['$ref']));
    }
    return current;
  }
}

function compileOperations(spec: Json): CompiledOperation[] {
  const operations: CompiledOperation[] = [];
  const paths = (spec['paths'] ?? {}) as Json;
  const globalSecurity = (spec['security'] ?? []) as Json[];
  for (const [template, rawItem] of Object.entries(paths)) {
    let item = rawItem as Json;
    if (typeof item['$ref'] === 'string') item = resolvePointer(spec, item['$ref']) as Json;
    for (const method of METHODS) {
      const op = item[method] as Json | undefined;
      if (!op || typeof op !== 'object') continue;
      const responses = (op['responses'] ?? {}) as Json;
      const params = (template.match(/\{[^}]+\}/g) ?? []).length;
      const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+');
      const security = ((op['security'] ?? globalSecurity) as Json[]).flatMap((requirement) =>
        Object.keys(requirement),
      );
      operations.push({
        operationId: String(op['operationId'] ?? `${method} ${template}`),
        security,
        method,
        template,
        tags: (op['tags'] as string[] | undefined) ?? [],
        statuses: Object.keys(responses),
        regex: new RegExp(`^${source}$`),
        params,
        pointer: `#/paths/${escapePointer(template)}/${method}`,
        responses,
      });
    }
  }
  // Literal segments win over parameters: /v1/audit/entries before /v1/audit/{entryId}.
  return operations.sort((a, b) => a.params - b.params);
}

function pickStatus(responses: Json, status: number): string | undefined {
  const exact = String(status);
  if (exact in responses) return exact;
  const range = `${String(status)[0]}XX`;
  if (range in responses) return range;
  if (range.toLowerCase() in responses) return range.toLowerCase();
  return 'default' in responses ? 'default' : undefined;
}

function mediaMatches(documented: string, actual: string): boolean {
  const doc = documented.toLowerCase();
  if (doc === actual || doc === '*/*') return true;
  if (doc.endsWith('/*')) return actual.startsWith(doc.slice(0, -1));
  return false;
}

function coerceHeader(value: string, schema: Json): unknown {
  const type = schema['type'];
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

function pathOf(target: string): string {
  return (target.split('?')[0] ?? target).replace(/\/+$/, '') || '/';
}

export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function resolvePointer(root: Json, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let current: unknown = root;
  for (const raw of ref.slice(1).split('/').slice(1)) {
    const segment = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!current || typeof current !== 'object') return undefined;
    current = (current as Json)[segment];
  }
  return current;
}
