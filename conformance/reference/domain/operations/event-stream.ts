/**
 * @module domain/event-stream
 * Each developer's live events: a bounded replay buffer (so a client that
 * reconnects with `Last-Event-ID` misses nothing still buffered) and the open
 * streams, at most {@link MAX_STREAMS} per developer, each with a bounded queue.
 */
import { newId } from '../ids.js';
import type { Tenant } from '../store.js';

/** One event as the stream carries it (the `data:` JSON). */
export interface StreamEvent {
  id: string;
  type: string;
  createdAt: string;
  data: Record<string, unknown>;
}

/** Events kept for replay per developer; older ones are dropped first. */
export const REPLAY_BUFFER = 1_000;
/** Open streams per developer (the public server's limit). */
export const MAX_STREAMS = 5;

type Listener = (event: StreamEvent) => void;

/** One developer's buffer and listeners. */
export class EventHub {
  readonly #buffer: StreamEvent[] = [];
  readonly #listeners = new Set<Listener>();

  /** Records an event and hands it to every open stream. */
  publish(type: string, data: Record<string, unknown>, nowMs: number): StreamEvent {
    const event: StreamEvent = { id: newId('evt', nowMs), type, createdAt: new Date(nowMs).toISOString(), data };
    this.record(event);
    return event;
  }

  /** Records an event made elsewhere (a webhook event keeps its id) and hands it to every open stream. */
  record(event: StreamEvent): void {
    this.#buffer.push(event);
    if (this.#buffer.length > REPLAY_BUFFER) this.#buffer.shift();
    for (const listener of this.#listeners) listener(event);
  }

  /**
   * The buffered events after `lastEventId`: all of them when the id is not
   * (or no longer) buffered, so a reconnecting client may see an event twice
   * but never loses one that is still buffered.
   */
  since(lastEventId: string | undefined): StreamEvent[] {
    if (lastEventId === undefined) return [];
    const at = this.#buffer.findIndex((e) => e.id === lastEventId);
    return this.#buffer.slice(at + 1);
  }

  /** Streams open now. */
  get openStreams(): number {
    return this.#listeners.size;
  }

  /** Adds a stream's listener, or returns undefined when the developer already has {@link MAX_STREAMS}. */
  subscribe(listener: Listener): (() => void) | undefined {
    if (this.#listeners.size >= MAX_STREAMS) return undefined;
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

const hubs = new WeakMap<Tenant, EventHub>();

/** The developer's hub, made on first use. */
export function eventsOf(tenant: Tenant): EventHub {
  let hub = hubs.get(tenant);
  if (hub === undefined) {
    hub = new EventHub();
    hubs.set(tenant, hub);
  }
  return hub;
}
