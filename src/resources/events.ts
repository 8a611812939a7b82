/**
 * @module resources/events
 * Extension. The developer's live events as an async iterator over the
 * server-sent events stream, with reconnection (backoff, `Last-Event-ID`,
 * the server's `retry:`), bounded lines and events, and no silent skips.
 */
import type { components } from '../../generated/schema.js';
import { GrantexApiError, GrantexError } from '../core/errors.js';
import { apiError } from '../core/response.js';
import { SseLimitError, SseParser } from '../internal/sse.js';
import { Resource } from './resource.js';

/** One live event (`StreamEvent` in the spec). */
export type StreamEvent = components['schemas']['StreamEvent'];

/** Why a stream ended with an error. */
export type GrantexStreamErrorCode =
  | 'STREAM_LINE_TOO_LONG'
  | 'STREAM_EVENT_TOO_LARGE'
  | 'STREAM_MALFORMED_EVENT'
  | 'STREAM_NOT_EVENT_STREAM'
  | 'STREAM_RECONNECT_LIMIT';

/** The event stream broke a bound, carried a malformed event, or could not be reopened. */
export class GrantexStreamError extends GrantexError {
  override name = 'GrantexStreamError';
  readonly code: GrantexStreamErrorCode;
  constructor(code: GrantexStreamErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** An event the iterator did not yield, and why (see {@link StreamOptions.onDrop}). */
export interface DroppedEvent {
  reason: 'malformed' | 'duplicate';
  /** The event's `data:` text, cut to 200 characters. */
  data: string;
}

/** Options of `client.events.stream()`. */
export interface StreamOptions {
  /** Event types to receive (`grant.created`, …); all when absent. */
  types?: readonly string[] | undefined;
  /** Ends the iteration (it returns, without an error) and closes the connection. */
  signal?: AbortSignal | undefined;
  /** Resume after this event id (sent as `Last-Event-ID` on the first connection). */
  lastEventId?: string | undefined;
  /** Longest line accepted, in bytes. Default 65536. */
  maxLineBytes?: number | undefined;
  /** Largest `data:` of one event, in bytes. Default 1048576. */
  maxEventBytes?: number | undefined;
  /** Reconnections in a row without receiving an event before giving up. Default 8. */
  maxReconnects?: number | undefined;
  /** Longest wait between reconnections, in milliseconds. Default 30000. */
  maxReconnectDelay?: number | undefined;
  /**
   * What to do with an event whose data is not a `StreamEvent`: `'throw'`
   * (default) ends the iteration with `GrantexStreamError`
   * `STREAM_MALFORMED_EVENT`; `'drop'` skips it and reports it to `onDrop`.
   */
  onMalformed?: 'throw' | 'drop' | undefined;
  /** Called with every event not yielded: malformed ones (with `onMalformed: 'drop'`) and replayed duplicates. */
  onDrop?: ((dropped: DroppedEvent) => void) | undefined;
}

const DEFAULT_RETRY_MS = 1_000;
/** Event ids remembered to drop replayed duplicates after a reconnection. */
const REMEMBERED_IDS = 1_024;

function isStreamEvent(value: unknown): value is StreamEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const e = value as Record<string, unknown>;
  return (
    typeof e['id'] === 'string' &&
    typeof e['type'] === 'string' &&
    typeof e['createdAt'] === 'string' &&
    typeof e['data'] === 'object' &&
    e['data'] !== null &&
    !Array.isArray(e['data'])
  );
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new GrantexError(`${name} must be a positive integer`);
  return value;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** `client.events`: live events. */
export class Events extends Resource {
  /**
   * The developer's events as they happen, as an async iterator. Reconnects
   * after a dropped connection (exponential backoff from the server's
   * `retry:`, sending `Last-Event-ID`), and drops replayed duplicates by
   * event id. `break` or the `signal` closes the connection.
   * `GET /v1/events/stream`
   *
   * @example
   * ```ts
   * for await (const event of client.events.stream({ types: ['grant.revoked'], signal })) {
   *   console.log(event.type, event.data);
   * }
   * ```
   * @throws {GrantexStreamError} a bound was passed, an event was malformed (unless dropped), or reconnecting failed too often.
   * @throws {GrantexApiError} the server refused the stream with 4xx (other than 429).
   */
  async *stream(options: StreamOptions = {}): AsyncGenerator<StreamEvent, void, undefined> {
    const maxLine = positive('maxLineBytes', options.maxLineBytes, 65_536);
    const maxEvent = positive('maxEventBytes', options.maxEventBytes, 1_048_576);
    const maxReconnects = positive('maxReconnects', options.maxReconnects, 8);
    const maxDelay = positive('maxReconnectDelay', options.maxReconnectDelay, 30_000);
    const { policy } = this.context.transport;
    const stop = new AbortController();
    const onStop = () => stop.abort();
    options.signal?.addEventListener('abort', onStop, { once: true });
    this.context.transport.closing.addEventListener('abort', onStop, { once: true });
    if (options.signal?.aborted || this.context.transport.closing.aborted) stop.abort();

    const url = new URL(`${policy.baseUrl}/v1/events/stream`);
    if (options.types !== undefined && options.types.length > 0) url.searchParams.set('types', options.types.join(','));
    let lastEventId = options.lastEventId;
    let retryMs = DEFAULT_RETRY_MS;
    let failures = 0;
    const seen = new Set<string>();
    const remember = (id: string) => {
      seen.add(id);
      if (seen.size > REMEMBERED_IDS) seen.delete(seen.values().next().value as string);
    };

    try {
      while (!stop.signal.aborted) {
        const attempt = new AbortController();
        const onAttemptStop = () => attempt.abort();
        stop.signal.addEventListener('abort', onAttemptStop, { once: true });
        try {
          const headers: Record<string, string> = {
            ...policy.headers,
            accept: 'text/event-stream',
            'user-agent': policy.userAgent,
          };
          if (policy.apiKey !== undefined) headers['authorization'] = `Bearer ${policy.apiKey}`;
          if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
          const response = await policy.fetch(url, { headers, signal: attempt.signal });
          if (!response.ok) {
            // Error bodies are short JSON: read a bounded prefix only.
            const text = (await response.text().catch(() => '')).slice(0, 65_536);
            const retryable = response.status === 429 || response.status >= 500;
            if (!retryable) throw apiError(response, parseJson(text), policy.redactor);
          } else if (!/^text\/event-stream\s*(;|$)/i.test(response.headers.get('content-type') ?? '')) {
            await response.body?.cancel();
            throw new GrantexStreamError('STREAM_NOT_EVENT_STREAM', 'The server did not answer with text/event-stream');
          } else if (response.body !== null) {
            const parser = new SseParser(maxLine, maxEvent, lastEventId);
            for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
              for (const item of parser.push(chunk)) {
                if (item.kind === 'retry') retryMs = Math.min(item.ms, maxDelay);
                if (item.kind !== 'event') continue;
                let parsed: unknown;
                try {
                  parsed = JSON.parse(item.data);
                } catch {
                  parsed = undefined;
                }
                if (!isStreamEvent(parsed)) {
                  if (options.onMalformed !== 'drop')
                    throw new GrantexStreamError('STREAM_MALFORMED_EVENT', 'An event is not a StreamEvent object');
                  options.onDrop?.({ reason: 'malformed', data: item.data.slice(0, 200) });
                  continue;
                }
                lastEventId = item.lastEventId ?? parsed.id;
                if (seen.has(parsed.id)) {
                  options.onDrop?.({ reason: 'duplicate', data: item.data.slice(0, 200) });
                  continue;
                }
                remember(parsed.id);
                // Only a new event shows the connection is useful: replays alone still count as failures.
                failures = 0;
                yield parsed;
              }
            }
          }
        } catch (error) {
          if (stop.signal.aborted) return;
          if (error instanceof SseLimitError) {
            const code = error.limit === 'line' ? 'STREAM_LINE_TOO_LONG' : 'STREAM_EVENT_TOO_LARGE';
            throw new GrantexStreamError(code, error.message);
          }
          if (error instanceof GrantexStreamError || error instanceof GrantexApiError) throw error;
          // A network failure or a cut connection: reconnect below.
        } finally {
          stop.signal.removeEventListener('abort', onAttemptStop);
          attempt.abort();
        }
        if (stop.signal.aborted) return;
        failures++;
        if (failures > maxReconnects)
          throw new GrantexStreamError('STREAM_RECONNECT_LIMIT', `No event after ${maxReconnects} reconnections`);
        const backoff = Math.min(maxDelay, retryMs * 2 ** (failures - 1));
        await pause(backoff / 2 + Math.random() * (backoff / 2), stop.signal);
      }
    } finally {
      options.signal?.removeEventListener('abort', onStop);
      this.context.transport.closing.removeEventListener('abort', onStop);
      stop.abort();
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
