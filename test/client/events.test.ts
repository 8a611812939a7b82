// client.events.stream(): the bounded SSE parser, reconnection with
// Last-Event-ID after a connection killed mid-stream (no event lost or
// duplicated), typed errors for malformed events and broken bounds, and
// closing on break and on abort.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startReferenceServer, type ReferenceServer } from '../../conformance/reference/server.js';
import { SseLimitError, SseParser, type SseItem } from '../../src/internal/sse.js';
import { Grantex, GrantexApiError, GrantexStreamError, type StreamEvent } from '../../src/index.js';

const encode = (text: string) => new TextEncoder().encode(text);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('SSE parser', () => {
  const parse = (chunks: string[], maxLine = 1024, maxEvent = 4096): SseItem[] => {
    const parser = new SseParser(maxLine, maxEvent);
    return chunks.flatMap((chunk) => parser.push(encode(chunk)));
  };

  it('reads LF, CRLF and CR line endings, split anywhere, and drops a leading BOM', () => {
    const text = '\uFEFFid: 1\r\ndata: a\r\n\r\nid: 2\rdata: b\r\rdata: c\n\n';
    const whole = parse([text]);
    const split = parse(text.split(''));
    for (const items of [whole, split]) {
      expect(items.filter((i) => i.kind === 'event')).toEqual([
        { kind: 'event', lastEventId: '1', event: 'message', data: 'a' },
        { kind: 'event', lastEventId: '2', event: 'message', data: 'b' },
        { kind: 'event', lastEventId: '2', event: 'message', data: 'c' },
      ]);
    }
  });

  it('joins data lines, reads retry, event and comments, ignores ids with NUL and unknown fields', () => {
    const items = parse([
      ': keepalive\n\nretry: 250\nretry: soon\nevent: ping\nid: x\u0000y\nfoo: bar\ndata\ndata:  two\n\n',
    ]);
    expect(items).toEqual([
      { kind: 'comment' },
      { kind: 'retry', ms: 250 },
      { kind: 'event', lastEventId: undefined, event: 'ping', data: '\n two' },
    ]);
  });

  it('refuses a line or an event past its bound, wherever the chunks split', () => {
    expect(() => parse([`data: ${'x'.repeat(2000)}`])).toThrow(SseLimitError);
    expect(() => parse(['data: xxxxxxxx\n'.repeat(600)])).toThrow(/event's data exceeds 4096 bytes/);
    const parser = new SseParser(16, 1024);
    expect(() => {
      for (let i = 0; i < 20; i++) parser.push(encode('y'));
    }).toThrow(/a line exceeds 16 bytes/);
  });
});

/** A TCP proxy in front of `target` whose open connections can be cut. */
async function proxy(target: string): Promise<{ url: string; cut(): void }> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const server = createTcpServer((client) => {
    const upstream = connect(Number(port), hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut: () => {
      for (const s of sockets) s.destroy();
    },
  };
}

async function reference(options: Parameters<typeof startReferenceServer>[0] = {}): Promise<ReferenceServer> {
  const server = await startReferenceServer({ validateResponses: true, ...options });
  cleanups.push(() => server.close());
  return server;
}

/** A sandbox developer with a vault credential to store repeatedly: each store is one event. */
async function producer(server: ReferenceServer, baseUrl = server.url) {
  const apiKey = await server.addDeveloper('events', 'sandbox');
  const client = new Grantex({ apiKey, baseUrl, logLevel: 'off' });
  const direct = new Grantex({ apiKey, baseUrl: server.url, logLevel: 'off' });
  cleanups.push(
    () => client.close(),
    () => direct.close(),
  );
  const emit = (i: number) =>
    direct.vault.store({ principalId: `user_${i}`, service: 'github', accessToken: `tok-${i}` });
  return { client, direct, emit };
}

describe('client.events.stream()', () => {
  it('survives a connection killed mid-stream: every event once, in order', async () => {
    const server = await reference();
    const cuttable = await proxy(server.url);
    const { client, emit } = await producer(server, cuttable.url);
    const TOTAL = 60;
    const received: StreamEvent[] = [];
    const duplicates: string[] = [];
    const reading = (async () => {
      for await (const event of client.events.stream({ onDrop: (d) => duplicates.push(d.data) })) {
        received.push(event);
        if (received.length === TOTAL) break;
      }
    })();
    // Once the stream is open (the first event arrives), produce the rest, cutting the connection twice.
    await new Promise((r) => setTimeout(r, 200));
    await emit(0);
    await expect.poll(() => received.length, { timeout: 5_000 }).toBe(1);
    for (let i = 1; i < TOTAL; i++) {
      await emit(i);
      if (i === 20 || i === 40) cuttable.cut();
    }
    await reading;
    const principals = received.map((e) => e.data['principalId']);
    expect(principals).toEqual(Array.from({ length: TOTAL }, (_, i) => `user_${i}`));
    expect(new Set(received.map((e) => e.id)).size).toBe(TOTAL);
    // Whatever the server replayed twice was dropped and reported, not yielded.
    expect(duplicates.length).toBeGreaterThanOrEqual(0);
  });

  it('sends Last-Event-ID on reconnection, follows retry:, and drops the replayed duplicate', async () => {
    const seen: (string | undefined)[] = [];
    const event = (n: number) =>
      `id: e${n}\ndata: ${JSON.stringify({ id: `evt_${n}`, type: 't', createdAt: '2026-12-05T10:30:00Z', data: { n } })}\n\n`;
    const server = createHttpServer((request: IncomingMessage, response: ServerResponse) => {
      seen.push(request.headers['last-event-id'] as string | undefined);
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      if (seen.length === 1) {
        response.write(`retry: 20\n\n${event(1)}${event(2)}${event(3)}`);
        setTimeout(() => response.socket?.destroy(), 20);
      } else response.end(`${event(3)}${event(4)}${event(5)}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const client = new Grantex({
      apiKey: 'gx_test_k',
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    });
    const dropped: string[] = [];
    const got: number[] = [];
    for await (const e of client.events.stream({ onDrop: (d) => dropped.push(d.reason) })) {
      got.push(e.data['n'] as number);
      if (got.length === 5) break;
    }
    expect(got).toEqual([1, 2, 3, 4, 5]);
    expect(seen.slice(0, 2)).toEqual([undefined, 'e3']);
    expect(dropped).toEqual(['duplicate']);
  });

  it('ends a malformed event with a typed error, or drops and reports it when asked', async () => {
    const server = await reference({ faults: ['sse-malformed-event'], validateResponses: false });
    const { client, emit } = await producer(server);
    const first = (async () => {
      for await (const _ of client.events.stream()) return 'yielded';
    })().catch((error: unknown) => error);
    await new Promise((r) => setTimeout(r, 100));
    await emit(1);
    expect(await first).toMatchObject({ name: 'GrantexStreamError', code: 'STREAM_MALFORMED_EVENT' });

    const drops: string[] = [];
    const abort = new AbortController();
    const second = (async () => {
      for await (const _ of client.events.stream({
        onMalformed: 'drop',
        onDrop: (d) => drops.push(d.reason),
        signal: abort.signal,
      })) {
        return 'yielded';
      }
      return 'ended';
    })();
    await new Promise((r) => setTimeout(r, 100));
    await emit(2);
    await expect.poll(() => drops.length, { timeout: 5_000 }).toBe(1);
    abort.abort();
    expect(await second).toBe('ended');
    expect(drops).toEqual(['malformed']);
  });

  it('closes the connection on break and on abort (the server sees the streams go)', async () => {
    const server = await reference();
    const { client, emit } = await producer(server);
    // Five streams are the server's limit per developer: each one ended must free its slot.
    for (let i = 0; i < 6; i++) {
      const reading = (async () => {
        for await (const _ of client.events.stream({ maxReconnects: 1 })) break;
      })();
      await new Promise((r) => setTimeout(r, 50));
      await emit(i);
      await reading;
    }
    for (let i = 0; i < 6; i++) {
      const abort = new AbortController();
      const reading = (async () => {
        for await (const _ of client.events.stream({ signal: abort.signal, maxReconnects: 1 }))
          throw new Error('no event was sent');
      })();
      await new Promise((r) => setTimeout(r, 50));
      abort.abort();
      await reading;
    }
    // A sixth concurrent stream would be refused with 429: all earlier ones are closed, so five open fine now.
    const abort = new AbortController();
    const open = Array.from({ length: 5 }, () =>
      (async () => {
        for await (const _ of client.events.stream({ signal: abort.signal, maxReconnects: 1 })) return;
      })(),
    );
    await new Promise((r) => setTimeout(r, 100));
    await emit(99);
    await Promise.all(open);
    abort.abort();
  });

  it('refuses a line longer than maxLineBytes, a non-SSE answer and a 401 with typed errors', async () => {
    const server = createHttpServer((request, response) => {
      if (request.headers.authorization === 'Bearer gx_test_bad') {
        response.writeHead(401, { 'content-type': 'application/json' });
        return void response.end('{"message":"Invalid API key gx_test_bad","code":"UNAUTHORIZED","requestId":"r"}');
      }
      if (request.url?.includes('types=json')) {
        response.writeHead(200, { 'content-type': 'application/json' });
        return void response.end('{}');
      }
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(`data: ${'z'.repeat(5000)}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const drain = async (client: Grantex, options: Parameters<Grantex['events']['stream']>[0]) => {
      for await (const _ of client.events.stream(options)) return;
    };
    const good = new Grantex({ apiKey: 'gx_test_ok', baseUrl });
    await expect(drain(good, { maxLineBytes: 1024 })).rejects.toMatchObject({ code: 'STREAM_LINE_TOO_LONG' });
    await expect(drain(good, { types: ['json'] })).rejects.toMatchObject({ code: 'STREAM_NOT_EVENT_STREAM' });
    const bad = new Grantex({ apiKey: 'gx_test_bad', baseUrl });
    const error = await drain(bad, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrantexApiError);
    expect((error as GrantexApiError).message).not.toContain('gx_test_bad');
    expect(error).not.toBeInstanceOf(GrantexStreamError);
  });
});
