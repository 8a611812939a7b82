/**
 * @module node-http
 * The transport's sender on Node: `node:http`/`node:https` with a keep-alive
 * agent per client, instead of `fetch`, because undici's fetch costs about a
 * fifth more CPU per call than the rest of the client (a `Request`, signal
 * bookkeeping and a finalizer per call). The guarantees are the transport's:
 *
 * - **Time**: one timer per attempt covers the response body too; when it
 *   fires, the request and its socket are destroyed (never returned to the
 *   pool), so a timed-out or abandoned call frees its connection.
 * - **No redirects**: `node:http` never follows one; a 3xx is answered
 *   without its body being read, and the transport refuses it.
 * - **Bounded bodies**: counted after decoding (gzip, deflate, br), the
 *   request destroyed once past `maxResponseBytes`.
 *
 * Loaded with `process.getBuiltinModule` (Node 20.16+), so the package entry
 * imports no Node built-in and still loads in browsers and edge runtimes,
 * which keep `fetch`.
 */
import type * as Http from 'node:http';
import type * as Https from 'node:https';
import type * as Zlib from 'node:zlib';
import { tooLargeError } from '../internal/body.js';
import { GrantexAbortError, GrantexTimeoutError } from './errors.js';

interface Builtins {
  http: typeof Http;
  https: typeof Https;
  zlib: typeof Zlib;
}

interface NodeProcess {
  versions?: { node?: string };
  getBuiltinModule?: (name: string) => unknown;
}

/** Node's modules, when this is Node itself (not Deno, Bun or workerd, which emulate parts of it); else `undefined`. */
export function nodeBuiltins(): Builtins | undefined {
  const scope = globalThis as {
    process?: NodeProcess;
    Bun?: unknown;
    Deno?: unknown;
    navigator?: { userAgent?: string };
  };
  const proc = scope.process;
  if (typeof proc?.versions?.node !== 'string' || typeof proc.getBuiltinModule !== 'function') return undefined;
  if (scope.Bun !== undefined || scope.Deno !== undefined) return undefined;
  // Node 21+ has a navigator whose userAgent is `Node.js/…`; workerd's says `Cloudflare-Workers`.
  const agent = scope.navigator?.userAgent;
  if (agent !== undefined && !agent.startsWith('Node.js')) return undefined;
  try {
    return {
      http: proc.getBuiltinModule('node:http') as typeof Http,
      https: proc.getBuiltinModule('node:https') as typeof Https,
      zlib: proc.getBuiltinModule('node:zlib') as typeof Zlib,
    };
  } catch {
    return undefined;
  }
}

/** What one attempt sends. */
export interface NodeAttempt {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | ArrayBuffer | null;
  signal: AbortSignal | undefined;
  /** Milliseconds for the whole attempt, body included. */
  timeout: number;
  maxResponseBytes: number;
  /** Whether the body is not to be read (HEAD, 204, 304…): decided by status in `hasBody`. */
  hasBody: (status: number) => boolean;
}

/** Statuses whose body is not read here: the transport refuses redirects without it. */
function isRedirectStatus(status: number): boolean {
  return status >= 300 && status < 400;
}

/**
 * The part of `Response` the client reads, over Node's parsed response.
 * `headers` is built only when asked for (most calls never ask); the body is
 * already read (`bodyUsed`), and `rebuild()` in the transport makes a real
 * `Response` when a caller wants one.
 */
class NodeResponse {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly url: string;
  readonly redirected = false;
  readonly type = 'basic';
  readonly bodyUsed = true;
  readonly body = null;
  readonly #raw: string[];
  #headers: Headers | undefined;

  constructor(status: number, statusText: string, raw: string[], url: string) {
    this.status = status;
    this.statusText = statusText;
    this.ok = status >= 200 && status < 300;
    this.#raw = raw;
    this.url = url;
  }

  get headers(): Headers {
    if (this.#headers === undefined) {
      const headers = new Headers();
      const raw = this.#raw;
      for (let i = 0; i + 1 < raw.length; i += 2) {
        try {
          headers.append(raw[i]!, raw[i + 1]!);
        } catch {
          // A header value fetch would refuse (control characters): left out, as it cannot be represented.
        }
      }
      this.#headers = headers;
    }
    return this.#headers;
  }
}

/** Sends requests to one origin over a keep-alive agent. */
export class NodeSender {
  readonly #builtins: Builtins;
  readonly #agent: Http.Agent;
  readonly #request: typeof Http.request;
  readonly #origin: string;
  readonly #host: string;
  readonly #port: number;
  /** Attempts in flight, so that `close()` can end them. */
  readonly #pending = new Set<(reason: Error) => void>();

  constructor(builtins: Builtins, baseUrl: string) {
    const base = new URL(baseUrl);
    const secure = base.protocol === 'https:';
    this.#builtins = builtins;
    this.#origin = base.origin;
    this.#host = base.hostname.replace(/^\[|\]$/g, '');
    this.#port = base.port === '' ? (secure ? 443 : 80) : Number(base.port);
    const lib = secure ? builtins.https : builtins.http;
    this.#agent = new lib.Agent({ keepAlive: true, scheduling: 'lifo' });
    this.#request = lib.request;
  }

  /** Ends every attempt in flight with `reason` and closes the pooled sockets. */
  close(reason: Error): void {
    for (const fail of this.#pending) fail(reason);
    this.#pending.clear();
    this.#agent.destroy();
  }

  /** One attempt: the response with its body read as text, or an error (typed for timeout, abort and size). */
  send(attempt: NodeAttempt): Promise<{ response: Response; text: string }> {
    return new Promise((resolve, reject) => {
      const { signal } = attempt;
      if (signal?.aborted) return reject(new GrantexAbortError('The request was aborted', { cause: signal.reason }));
      let request: Http.ClientRequest | undefined;
      let done = false;
      const finish = (): boolean => {
        if (done) return false;
        done = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#pending.delete(fail);
        return true;
      };
      // Destroying the request destroys its socket: an attempt that fails never hands its connection back.
      const fail = (error: Error): void => {
        if (!finish()) return;
        request?.destroy();
        reject(error);
      };
      const onAbort = (): void => fail(new GrantexAbortError('The request was aborted', { cause: signal?.reason }));
      const timer = setTimeout(
        () => fail(new GrantexTimeoutError(`No response within ${attempt.timeout} ms`)),
        Math.min(attempt.timeout, 2 ** 31 - 1),
      );
      signal?.addEventListener('abort', onAbort);
      this.#pending.add(fail);

      const { url } = attempt;
      const path =
        url.startsWith(this.#origin) && url[this.#origin.length] === '/' ? url.slice(this.#origin.length) : pathOf(url);
      try {
        request = this.#request(
          {
            agent: this.#agent,
            host: this.#host,
            port: this.#port,
            method: attempt.method,
            path,
            headers: attempt.headers,
          },
          (response) => {
            const status = response.statusCode ?? 0;
            const received = new NodeResponse(status, response.statusMessage ?? '', response.rawHeaders, url);
            if (isRedirectStatus(status) || !attempt.hasBody(status)) {
              // A redirect's body is never read (the transport refuses it): the socket goes, not the pool.
              if (isRedirectStatus(status)) request?.destroy();
              else response.resume();
              if (finish()) resolve({ response: received as unknown as Response, text: '' });
              return;
            }
            this.#readBody(response, received, attempt.maxResponseBytes, fail, (text) => {
              if (finish()) resolve({ response: received as unknown as Response, text });
            });
          },
        );
      } catch (error) {
        fail(error as Error);
        return;
      }
      request.on('error', fail);
      if (attempt.body === null) request.end();
      else request.end(typeof attempt.body === 'string' ? attempt.body : new Uint8Array(attempt.body));
    });
  }

  #readBody(
    response: Http.IncomingMessage,
    received: NodeResponse,
    limit: number,
    fail: (error: Error) => void,
    succeed: (text: string) => void,
  ): void {
    const encoding = response.headers['content-encoding']?.trim().toLowerCase();
    const identity = encoding === undefined || encoding === '' || encoding === 'identity';
    const length = response.headers['content-length'];
    if (identity && length !== undefined && Number(length) > limit) {
      fail(tooLargeError(received.status, received.headers, limit));
      return;
    }
    let stream: NodeJS.ReadableStream = response;
    if (!identity) {
      const decoder = this.#decoder(encoding);
      if (decoder !== undefined) {
        decoder.on('error', fail);
        stream = response.pipe(decoder);
      }
    }
    response.on('error', fail);
    // The server closed the connection before the body's end.
    response.on('aborted', () => fail(new Error('The connection closed before the response body ended')));
    const chunks: Buffer[] = [];
    let total = 0;
    stream.on('data', (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > limit) {
        chunks.length = 0;
        fail(tooLargeError(received.status, received.headers, limit));
        return;
      }
      chunks.push(chunk);
    });
    stream.on('end', () => {
      const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
      chunks.length = 0;
      const text = bytes.toString('utf8');
      // As `Response.text()` does: a leading byte order mark is not part of the text.
      succeed(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    });
  }

  /** A decoder for `Content-Encoding` (as fetch decodes); `undefined` for one it does not know (passed through). */
  #decoder(encoding: string): Zlib.Gunzip | Zlib.Inflate | Zlib.BrotliDecompress | undefined {
    const { zlib } = this.#builtins;
    // Lenient like browsers: a body cut short still gives what was decoded.
    const options = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
    if (encoding === 'gzip' || encoding === 'x-gzip') return zlib.createGunzip(options);
    if (encoding === 'deflate') return zlib.createInflate(options);
    if (encoding === 'br') return zlib.createBrotliDecompress();
    return undefined;
  }
}

function pathOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}
