/**
 * @module receiver
 * The webhook receiver the suite hosts on 127.0.0.1 (port 0): it keeps every
 * POST with its raw body and headers and answers 200 `{"received":true}`, so
 * checks can wait for deliveries and verify their signatures over the exact
 * bytes received. Not 204: the public reference server crashes on a 204 from a
 * webhook receiver (it builds a Fetch Response with a body for a null-body
 * status), and the suite must not take a deployment down. The server under
 * test learns its URL, so it is bounded: a body over {@link MAX_DELIVERY_BYTES}
 * gets 413, and past {@link MAX_DELIVERIES} deliveries or
 * {@link MAX_KEPT_BYTES} bytes kept, further posts get 503 and are dropped.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBoundedBody } from './bounded-body.js';

/** Largest delivery body accepted (real ones are a few hundred bytes). */
export const MAX_DELIVERY_BYTES = 1024 * 1024;
/** Most deliveries kept in one run. */
export const MAX_DELIVERIES = 10_000;
/** Most body bytes kept in one run. */
export const MAX_KEPT_BYTES = 32 * 1024 * 1024;

/** One request the receiver got. */
export interface Delivery {
  path: string;
  method: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  receivedAt: number;
}

export class WebhookReceiver {
  readonly deliveries: Delivery[] = [];
  /** Posts refused: over the body limit (413) or past the store's bounds (503). */
  refused = 0;
  #kept = 0;
  #server: Server;
  #port = 0;
  #waiters = new Set<() => void>();

  private constructor(server: Server) {
    this.#server = server;
  }

  /** Starts listening on 127.0.0.1 with a free port. */
  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server);
    server.on('request', (request, response) => {
      void readBoundedBody(request, response, MAX_DELIVERY_BYTES).then((body) => {
        if (body === undefined) {
          receiver.refused++;
          return;
        }
        if (receiver.deliveries.length >= MAX_DELIVERIES || receiver.#kept + body.length > MAX_KEPT_BYTES) {
          receiver.refused++;
          response.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"receiver_full"}');
          return;
        }
        receiver.#kept += body.length;
        receiver.deliveries.push({
          path: request.url ?? '/',
          method: request.method ?? 'GET',
          headers: request.headers,
          rawBody: body.toString('utf8'),
          receivedAt: Date.now(),
        });
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
        for (const wake of receiver.#waiters) wake();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    receiver.#port = (server.address() as AddressInfo).port;
    return receiver;
  }

  get port(): number {
    return this.#port;
  }

  /** The deliveries to `path`. */
  to(path: string): Delivery[] {
    return this.deliveries.filter((delivery) => delivery.path === path);
  }

  /** Resolves once `done()` holds or `timeoutMs` passed; returns whether it held. */
  async waitFor(done: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(finish, Math.min(left, 250));
        function finish() {
          clearTimeout(timer);
          receiverWaiters.delete(finish);
          resolve();
        }
        const receiverWaiters = this.#waiters;
        receiverWaiters.add(finish);
      });
    }
    return true;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
