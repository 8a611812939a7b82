/**
 * @module bounded-map
 * A map for records any caller can make the server keep (pending SSO logins,
 * billing sessions): each record lives at most `ttlMs`, and the map holds at
 * most `maxEntries` records and `maxBytes` of their estimated size, dropping
 * the oldest first (string keys count towards the bytes). Inserting sweeps what expired, so memory stays bounded
 * whatever the load, and an expired record is never answered.
 */

export interface Bounds {
  ttlMs: number;
  maxEntries: number;
  maxBytes: number;
}

interface Slot<V> {
  value: V;
  expiresAt: number;
  bytes: number;
}

/** A Map with a TTL and caps in entries and bytes (insertion order is age order). */
export class BoundedMap<K, V> {
  readonly bounds: Bounds;
  readonly #slots = new Map<K, Slot<V>>();
  readonly #now: () => number;
  readonly #sizeOf: (value: V) => number;
  #bytes = 0;

  constructor(bounds: Bounds, now: () => number, sizeOf: (value: V) => number = (value) => estimateBytes(value)) {
    this.bounds = bounds;
    this.#now = now;
    this.#sizeOf = sizeOf;
  }

  get size(): number {
    return this.#slots.size;
  }

  /** Estimated bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The live record under `key`; an expired one is dropped and undefined returned. */
  get(key: K, nowMs = this.#now()): V | undefined {
    const slot = this.#slots.get(key);
    if (slot === undefined) return undefined;
    if (slot.expiresAt <= nowMs) {
      this.delete(key);
      return undefined;
    }
    return slot.value;
  }

  /** Stores `value` for `ttlMs`, then drops expired and, past a cap, the oldest records. */
  set(key: K, value: V, nowMs = this.#now()): void {
    this.delete(key);
    // A string key (an issuer URL, say) can be as large as its value: it counts too.
    const bytes = this.#sizeOf(value) + (typeof key === 'string' ? 2 * key.length : 0);
    this.#slots.set(key, { value, expiresAt: nowMs + this.bounds.ttlMs, bytes });
    this.#bytes += bytes;
    for (const [oldest, slot] of this.#slots) {
      const over = this.#slots.size > this.bounds.maxEntries || this.#bytes > this.bounds.maxBytes;
      if (!over && slot.expiresAt > nowMs) break;
      this.delete(oldest);
    }
  }

  delete(key: K): boolean {
    const slot = this.#slots.get(key);
    if (slot === undefined) return false;
    this.#slots.delete(key);
    this.#bytes -= slot.bytes;
    return true;
  }
}

/** A record's size as its JSON text plus a fixed overhead per record (UTF-16 strings: two bytes a character). */
export function estimateBytes(value: unknown): number {
  return 2 * (JSON.stringify(value) ?? '').length + 256;
}
