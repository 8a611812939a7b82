/**
 * @module webhook-dispatch
 * Signed webhook deliveries: one delivery record per subscribed endpoint and
 * event, POSTed at once and retried after the configured delays until a 2xx
 * answer or the last attempt. Each attempt is signed afresh (both headers).
 */
import type { components } from '../../../generated/schema.js';
import type { Faults } from '../faults.js';
import { eventsOf } from './operations/event-stream.js';
import { newId } from './ids.js';
import { HISTORY_CAPS } from './limits.js';
import type { DeliveryRecord, Tenant, WebhookEvent, WebhookRecord } from './store.js';
import { signWebhookPayload } from '../../../src/integrity/webhook-signature.js';

type Schemas = components['schemas'];

/** Event data by event type, as the spec defines it. */
export interface EventData {
  'grant.created': Schemas['GrantCreatedEventData'];
  'grant.revoked': Schemas['GrantRevokedEventData'];
  'token.issued': Schemas['TokenIssuedEventData'];
}

/** Delivery settings. */
export interface DispatchOptions {
  /** Pause before each retry, in milliseconds; attempts = delays + 1. Default [30000, 60000, 120000, 240000]. */
  retryDelaysMs?: readonly number[];
  /** How long to wait for an answer, in milliseconds. Default 10000. */
  timeoutMs?: number;
}

/** Deliveries waiting for an attempt or running, across developers; past it new ones fail at once. */
export const MAX_PENDING_DELIVERIES = 10_000;

/**
 * The list is history: the oldest settled records go first. Pending ones stay
 * listed, so deleting their endpoint still finds and cancels them (at most
 * {@link MAX_PENDING_DELIVERIES} are pending).
 */
function forgetSettled(tenant: Tenant): void {
  let excess = tenant.deliveries.length - HISTORY_CAPS.deliveries;
  for (let i = 0; i < tenant.deliveries.length && excess > 0; ) {
    if (tenant.deliveries[i]!.status === 'pending') i++;
    else {
      tenant.deliveries.splice(i, 1);
      excess--;
    }
  }
}

/** Sends events to the endpoints that subscribed to them. */
export class WebhookDispatcher {
  readonly #delays: readonly number[];
  readonly #timeoutMs: number;
  readonly #now: () => number;
  readonly #faults: Faults;
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #aborter = new AbortController();
  /** Deliveries of deleted endpoints: never attempted or retried again. */
  readonly #cancelled = new WeakSet<DeliveryRecord>();
  /** The running attempt of each delivery, to abort it when its endpoint is deleted. */
  readonly #running = new Map<DeliveryRecord, AbortController>();
  #closed = false;

  constructor(options: DispatchOptions, now: () => number, faults: Faults) {
    this.#delays = options.retryDelaysMs ?? [30_000, 60_000, 120_000, 240_000];
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#now = now;
    this.#faults = faults;
  }

  /** Records and starts the deliveries of one event to every endpoint of `tenant` that subscribed to it. */
  emit<T extends WebhookEvent>(tenant: Tenant, type: T, data: EventData[T]): void {
    const nowMs = this.#now();
    const event = { id: newId('evt', nowMs), type, createdAt: new Date(nowMs).toISOString(), data };
    const payload = JSON.stringify(event);
    eventsOf(tenant).record({ ...event, data: { ...data } });
    for (const webhook of tenant.webhooks.values()) {
      if (!webhook.events.includes(type)) continue;
      const delivery: DeliveryRecord = {
        id: newId('whd', nowMs),
        webhookId: webhook.id,
        eventId: event.id,
        eventType: type,
        payload,
        status: 'pending',
        attempts: 0,
        maxAttempts: this.#delays.length + 1,
        url: webhook.url,
        lastError: null,
        createdAt: event.createdAt,
        deliveredAt: null,
      };
      tenant.deliveries.push(delivery);
      if (tenant.deliveries.length > HISTORY_CAPS.deliveries) forgetSettled(tenant);
      if (this.#timers.size + this.#running.size >= MAX_PENDING_DELIVERIES) {
        delivery.status = 'failed';
        delivery.lastError = `not attempted: ${MAX_PENDING_DELIVERIES} deliveries are already pending on this server`;
        continue;
      }
      this.#schedule(webhook, delivery, 0);
    }
  }

  /**
   * Cancels every pending delivery of an endpoint (it was deleted): queued
   * retries are dropped, a running attempt is aborted and never retried, so
   * nothing more is sent signed with the deleted secret.
   */
  forget(webhookId: string, tenant: Tenant): void {
    for (const d of tenant.deliveries) {
      if (d.webhookId !== webhookId) continue;
      this.#cancelled.add(d);
      const timer = this.#timers.get(d.id);
      if (timer !== undefined) clearTimeout(timer);
      this.#timers.delete(d.id);
      this.#running.get(d)?.abort();
    }
  }

  /** Resolves once no delivery attempt is running (queued retries are not waited for). */
  async settled(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /** Stops every queued retry and aborts running attempts. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#aborter.abort();
    await Promise.allSettled([...this.#inFlight]);
  }

  #schedule(webhook: WebhookRecord, delivery: DeliveryRecord, delayMs: number): void {
    if (this.#closed || this.#cancelled.has(delivery)) return;
    const timer = setTimeout(() => {
      this.#timers.delete(delivery.id);
      const attempt = this.#attempt(webhook, delivery).finally(() => this.#inFlight.delete(attempt));
      this.#inFlight.add(attempt);
    }, delayMs);
    timer.unref?.();
    this.#timers.set(delivery.id, timer);
  }

  async #attempt(webhook: WebhookRecord, delivery: DeliveryRecord): Promise<void> {
    if (this.#cancelled.has(delivery)) return;
    delivery.attempts += 1;
    const cancel = new AbortController();
    this.#running.set(delivery, cancel);
    try {
      // Each attempt is signed afresh, so its timestamp is current.
      const secret = this.#faults.has('webhook-signature-wrong') ? `${webhook.secret}0` : webhook.secret;
      const signatures = await signWebhookPayload(delivery.payload, secret, { timestamp: new Date(this.#now()) });
      const response = await fetch(delivery.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.any([this.#aborter.signal, cancel.signal, AbortSignal.timeout(this.#timeoutMs)]),
        headers: { ...signatures, 'content-type': 'application/json', 'user-agent': 'Grantex-Webhooks/0.1' },
        body: delivery.payload,
      });
      await response.body?.cancel();
      if (response.status >= 200 && response.status < 300) {
        delivery.status = 'delivered';
        delivery.deliveredAt = new Date(this.#now()).toISOString();
        delivery.lastError = null;
        return;
      }
      delivery.lastError = `HTTP ${response.status}`;
    } catch (error) {
      delivery.lastError = error instanceof Error ? error.message : String(error);
    } finally {
      this.#running.delete(delivery);
    }
    if (this.#closed || this.#cancelled.has(delivery)) return;
    const delay = this.#delays[delivery.attempts - 1];
    if (delay === undefined) delivery.status = 'failed';
    else this.#schedule(webhook, delivery, delay);
  }
}
