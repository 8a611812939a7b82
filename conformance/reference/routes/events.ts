/**
 * @module routes/events
 * Live events as server-sent events (WHATWG HTML §9.2): every event has an
 * `id:` (its `evt_` id), the stream opens with `retry:`, replays what a client
 * that reconnects with `Last-Event-ID` missed, and sends keep-alive comments.
 * Each stream's queue is bounded: a client that stops reading is disconnected
 * (it reconnects and the replay catches it up) instead of growing memory.
 */
import type { Handlers } from '../context.js';
import { eventsOf, MAX_STREAMS, type StreamEvent } from '../domain/operations/event-stream.js';
import { HttpError, notFound } from '../http/http-error.js';

/** Milliseconds a client should wait before reconnecting (the `retry:` field). */
export const RETRY_MS = 1_000;
/** Bytes queued for one stream before the server gives up on it. */
export const MAX_QUEUED_BYTES = 1 << 20;
const DEFAULT_KEEP_ALIVE_MS = 15_000;

const encoder = new TextEncoder();

/** One event in the stream's framing (`data:` never holds a line break: JSON.stringify escapes them). */
function frame(event: StreamEvent, faults: { has(name: string): boolean }): string {
  const data = faults.has('sse-malformed-event') ? JSON.stringify(event).slice(0, -1) : JSON.stringify(event);
  return `id: ${event.id}\ndata: ${data}\n\n`;
}

export const eventHandlers = {
  eventsStream: ({ env, tenant, query, header }) => {
    const hub = eventsOf(tenant);
    if (hub.openStreams >= MAX_STREAMS)
      throw new HttpError(429, 'TOO_MANY_CONNECTIONS', `Max ${MAX_STREAMS} concurrent SSE connections per developer`);
    const types = query.types === undefined ? undefined : new Set(query.types.split(','));
    const wanted = (e: StreamEvent) => types === undefined || types.has(e.type);
    const keepAliveMs = env.settings.eventKeepAliveMs ?? DEFAULT_KEEP_ALIVE_MS;
    let cleanup = () => {};
    const stream = new ReadableStream<Uint8Array>(
      {
        start(controller) {
          const send = (text: string) => {
            if ((controller.desiredSize ?? 0) < -MAX_QUEUED_BYTES) {
              cleanup();
              controller.error(new Error('event stream client too slow'));
              return;
            }
            controller.enqueue(encoder.encode(text));
          };
          const unsubscribe = hub.subscribe((event) => {
            if (wanted(event)) send(frame(event, env.faults));
          });
          if (unsubscribe === undefined) {
            controller.error(new Error('unreachable: checked before the stream was made'));
            return;
          }
          const timer = setInterval(() => send(': keepalive\n\n'), keepAliveMs);
          timer.unref?.();
          cleanup = () => {
            clearInterval(timer);
            unsubscribe();
          };
          send(`retry: ${RETRY_MS}\n\n`);
          for (const event of hub.since(header?.('last-event-id'))) if (wanted(event)) send(frame(event, env.faults));
        },
        cancel() {
          cleanup();
        },
      },
      { highWaterMark: MAX_QUEUED_BYTES, size: (chunk) => chunk.byteLength },
    );
    return { status: 200, body: stream as never, headers: { 'cache-control': 'no-cache' } };
  },

  // The reference server offers events over SSE only: no WebSocket upgrade, as the spec allows (404).
  eventsWebSocket: () => {
    throw notFound('Route GET:/v1/events/ws not found');
  },
} satisfies Partial<Handlers>;
