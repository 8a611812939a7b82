/**
 * @module middleware
 * The client's one middleware chain, in openapi-fetch's `Middleware` shape
 * (`onRequest`, `onResponse`, `onError`). It sees every call: those of the
 * resource methods (run here) and those of `client.api` (run by openapi-fetch
 * through one adapter middleware that delegates to this chain). It runs once
 * per call, around the transport's retries.
 */
import type { Middleware, MiddlewareCallbackParams, MergedOptions } from 'openapi-fetch';
import { readBodyText } from '../internal/body.js';
import { GrantexConfigError } from './errors.js';
import { rebuild, type Outgoing, type Received, type Transport, type TransportPolicy } from './transport.js';

export type { Middleware } from 'openapi-fetch';

type Params = MiddlewareCallbackParams['params'];

/** The middleware registered on one client, in order. */
export class MiddlewareChain {
  #list: Middleware[] = [];

  get empty(): boolean {
    return this.#list.length === 0;
  }

  /** The middleware in order (a copy). */
  get list(): Middleware[] {
    return [...this.#list];
  }

  use(...middleware: Middleware[]): void {
    for (const m of middleware) {
      if (typeof m !== 'object' || m === null)
        throw new GrantexConfigError('A middleware must be an object with onRequest, onResponse or onError');
      if (
        !['onRequest', 'onResponse', 'onError'].some(
          (hook) => typeof (m as Record<string, unknown>)[hook] === 'function',
        )
      ) {
        throw new GrantexConfigError('A middleware must have an onRequest, onResponse or onError function');
      }
    }
    this.#list = [...this.#list, ...middleware];
  }

  eject(...middleware: Middleware[]): void {
    this.#list = this.#list.filter((m) => !middleware.includes(m));
  }

  /** Sends a resource call through the chain and the transport. */
  async run(
    call: Outgoing,
    params: Params,
    transport: Transport,
    policy: TransportPolicy,
    options: MergedOptions,
  ): Promise<Received> {
    const list = this.#list;
    const init: RequestInit = { method: call.method, headers: call.headers };
    if (call.body !== null) init.body = call.body;
    if (call.signal !== undefined) init.signal = call.signal;
    let request = new Request(call.url, init);
    const base = { schemaPath: call.template, params, options, id: Math.random().toString(36).slice(2, 11) };
    let response: Response | undefined;
    for (const m of list) {
      const result = await m.onRequest?.({ ...base, request });
      if (result instanceof Response) {
        response = result;
        break;
      }
      if (result instanceof Request) request = result;
      else if (result !== undefined)
        throw new GrantexConfigError('onRequest must return a Request, a Response or nothing');
    }
    if (response === undefined) {
      try {
        const outgoing = await transport.fromRequest(request);
        // The template and the call's own view of whether it may be repeated are kept.
        outgoing.template = call.template;
        outgoing.repeatable = call.repeatable && outgoing.method === call.method;
        const received = await transport.send(outgoing, policy);
        response = rebuild(received.response, received.text);
      } catch (error) {
        response = await recover(list, { ...base, request }, error);
      }
    }
    for (let i = list.length - 1; i >= 0; i--) {
      const result: Response | undefined | void = await list[i]!.onResponse?.({ ...base, request, response });
      if (result instanceof Response) response = result;
      else if (result !== undefined) throw new GrantexConfigError('onResponse must return a Response or nothing');
    }
    return { response, text: await readBodyText(response, policy.maxResponseBytes) };
  }

  /** The one middleware given to openapi-fetch for `client.api`; it runs this chain and tells the transport the path template. */
  adapter(transport: Transport): Middleware {
    return {
      onRequest: async (params) => {
        let { request } = params;
        for (const m of this.#list) {
          const result = await m.onRequest?.({ ...params, request });
          if (result instanceof Response) return result;
          if (result instanceof Request) request = result;
          else if (result !== undefined)
            throw new GrantexConfigError('onRequest must return a Request, a Response or nothing');
        }
        transport.templates.set(request, params.schemaPath);
        return request === params.request ? undefined : request;
      },
      onResponse: async (params) => {
        let { response } = params;
        const list = this.#list;
        for (let i = list.length - 1; i >= 0; i--) {
          const result = await list[i]!.onResponse?.({ ...params, response });
          if (result instanceof Response) response = result;
          else if (result !== undefined) throw new GrantexConfigError('onResponse must return a Response or nothing');
        }
        return response === params.response ? undefined : response;
      },
      onError: async (params) => {
        try {
          return await recover(this.#list, params, params.error);
        } catch (error) {
          return error instanceof Error
            ? error
            : new GrantexConfigError('A middleware threw a value that is not an Error');
        }
      },
    };
  }
}

/** Runs the `onError` hooks last to first: a Response returned replaces the error; an Error returned replaces it. Rethrows otherwise. */
async function recover(
  list: readonly Middleware[],
  params: Omit<MiddlewareCallbackParams, 'request'> & { request: Request },
  error: unknown,
): Promise<Response> {
  let current = error;
  for (let i = list.length - 1; i >= 0; i--) {
    const result = await list[i]!.onError?.({ ...params, error: current });
    if (result instanceof Response) return result;
    if (result instanceof Error) current = result;
    else if (result !== undefined) throw new GrantexConfigError('onError must return a Response, an Error or nothing');
  }
  throw current;
}
