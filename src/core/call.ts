/**
 * @module call
 * The lean caller the resource methods go through. It has openapi-fetch's
 * method signatures, typed by the same generated `paths`, but does only what
 * a resource call needs: fill the path, serialize the query and the JSON body,
 * hand the call to the transport (through the middleware chain when there is
 * one) and return the body text with the operation's response shapes for
 * `settle` to parse and check. (`client.api` stays openapi-fetch.)
 */
import { createQuerySerializer, type Client, type MergedOptions } from 'openapi-fetch';
import type { paths } from '../../generated/schema.js';
import { checkHeaders } from './config.js';
import type { MiddlewareChain } from './middleware.js';
import { createPathSerializer } from '../internal/path.js';
import type { RawResult } from './response.js';
import { operationShapes, type OperationShapes } from '../internal/response-shape.js';
import { isSafeToRepeat, type CallPolicy, type Outgoing, type Transport } from './transport.js';

/** What a resource passes besides params and body (see `Resource.init`). */
export interface LeanInit {
  params?: { path?: Record<string, unknown>; query?: Record<string, unknown> };
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Per-call overrides of the transport policy. */
  policy?: CallPolicy;
}

/** What is known about one operation, worked out on its first call. */
interface Operation {
  shapes: OperationShapes;
  /** Safe to repeat (see `isSafeToRepeat`). */
  repeatable: boolean;
}

/** A caller for the resources of one client; typed as openapi-fetch's `Client<paths>` so the resources' calls are checked against the spec. */
export function createCaller(transport: Transport, chain: MiddlewareChain): Client<paths> {
  const { baseUrl } = transport.policy;
  const serializePath = createPathSerializer();
  const serializeQuery = createQuerySerializer();
  const operations = new Map<string, Operation>();
  let mergedOptions: MergedOptions | undefined;

  const operation = (method: string, template: string): Operation => {
    const key = `${method} ${template}`;
    let known = operations.get(key);
    if (known === undefined) {
      known = {
        shapes: operationShapes(method, template),
        repeatable: isSafeToRepeat(method, template),
      };
      operations.set(key, known);
    }
    return known;
  };

  const call = async (method: string, template: string, init: LeanInit = {}): Promise<RawResult> => {
    const known = operation(method, template);
    const { params } = init;
    let url = baseUrl + (params?.path === undefined ? template : serializePath(template, params.path));
    if (params?.query !== undefined) {
      const query = serializeQuery(params.query);
      if (query !== '') url += `?${query}`;
    }
    const headers: Record<string, string> = {};
    let body: string | null = null;
    if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers['content-type'] = 'application/json';
    }
    if (init.headers !== undefined) {
      checkHeaders(init.headers, 'headers');
      for (const name in init.headers) headers[name.toLowerCase()] = init.headers[name]!;
    }
    const policy = init.policy === undefined ? transport.policy : transport.policyWith(init.policy);
    const outgoing: Outgoing = {
      method,
      url,
      template,
      headers,
      body,
      signal: init.signal,
      repeatable: known.repeatable,
    };
    const received = chain.empty
      ? await transport.send(outgoing, policy)
      : await chain.run(
          outgoing,
          params ?? {},
          transport,
          policy,
          (mergedOptions ??= merged(transport, serializeQuery, serializePath)),
        );
    const { response, text } = received;
    // A per-call bearer (a SCIM token, or the grant token of a vault exchange) is masked like the API key.
    const authorization = headers['authorization'];
    const redactor =
      authorization === undefined ? policy.redactor : policy.redactor.with([authorization.replace(/^Bearer\s+/i, '')]);
    if (response.ok) return { data: text, response, shapes: known.shapes, redactor, method, template };
    return { error: parseError(text), response, shapes: known.shapes, redactor, method, template };
  };

  const method = (name: string) => (template: string, init?: LeanInit) => call(name, template, init);
  const caller = {
    GET: method('GET'),
    PUT: method('PUT'),
    POST: method('POST'),
    DELETE: method('DELETE'),
    PATCH: method('PATCH'),
    HEAD: method('HEAD'),
    OPTIONS: method('OPTIONS'),
    TRACE: method('TRACE'),
    request: (name: string, template: string, init?: LeanInit) => call(name.toUpperCase(), template, init),
    use: (...middleware: Parameters<MiddlewareChain['use']>) => chain.use(...middleware),
    eject: (...middleware: Parameters<MiddlewareChain['eject']>) => chain.eject(...middleware),
  };
  return caller as unknown as Client<paths>;
}

/** An error body: JSON when it parses, the text otherwise (as openapi-fetch does). */
function parseError(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function merged(
  transport: Transport,
  querySerializer: (query: Record<string, unknown>) => string,
  pathSerializer: (template: string, params: Record<string, unknown>) => string,
): MergedOptions {
  return Object.freeze({
    baseUrl: transport.policy.baseUrl,
    parseAs: 'json',
    querySerializer,
    bodySerializer: (body: unknown) => JSON.stringify(body),
    pathSerializer,
    fetch: transport.fetch as typeof globalThis.fetch,
  });
}
