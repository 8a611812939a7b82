// The Node sender (src/core/node-http.ts): on Node, without a `fetch` option,
// calls go over node:http, and the transport's guarantees hold there as they
// do with fetch: a timed-out or aborted call frees its socket, successful
// calls reuse one keep-alive connection, a redirect's body is never read.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Grantex, GrantexAbortError, GrantexRedirectError, GrantexTimeoutError } from '../../src/index.js';
import { agent } from './fake-server.js';

interface Harness {
  url: string;
  /** Connections accepted, and how many of them are closed. */
  connections: Socket[];
  closed: () => number;
  server: Server;
}

let harness: Harness | undefined;
afterEach(async () => {
  vi.unstubAllGlobals();
  if (harness !== undefined) {
    for (const socket of harness.connections) socket.destroy();
    await new Promise((resolve) => harness!.server.close(resolve));
    harness = undefined;
  }
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<Harness> {
  const server = createServer(handler);
  const connections: Socket[] = [];
  let closed = 0;
  server.on('connection', (socket) => {
    connections.push(socket);
    socket.on('close', () => closed++);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  harness = { url: `http://127.0.0.1:${port}`, connections, closed: () => closed, server };
  return harness;
}

const body = JSON.stringify(agent);
const okHandler: Parameters<typeof createServer>[1] = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
};

async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(check()).toBe(true);
}

describe('the Node sender', () => {
  it('is used on Node without a fetch option: globalThis.fetch is never called', async () => {
    const { url } = await serve(okHandler);
    const fetchSpy = vi.fn(() => Promise.reject(new Error('global fetch was called')));
    vi.stubGlobal('fetch', fetchSpy);
    const client = new Grantex({ apiKey: 'gx_test_key', baseUrl: url, logLevel: 'off' });
    await expect(client.agents.get(agent.agentId)).resolves.toMatchObject({ agentId: agent.agentId });
    expect(fetchSpy).not.toHaveBeenCalled();
    // With the fetch option, that fetch is used instead.
    const viaFetch = new Grantex({ apiKey: 'gx_test_key', baseUrl: url, logLevel: 'off', fetch: fetchSpy });
    await expect(viaFetch.agents.get(agent.agentId)).rejects.toThrow();
    expect(fetchSpy).toHaveBeenCalled();
  });

  it('reuses one keep-alive connection for sequential calls', async () => {
    const { url, connections } = await serve(okHandler);
    const client = new Grantex({ apiKey: 'gx_test_key', baseUrl: url, logLevel: 'off' });
    for (let i = 0; i < 5; i++) await client.agents.get(agent.agentId);
    expect(connections).toHaveLength(1);
    await client.close();
  });

  it.each([
    ['node:http', {}],
    ['fetch', { fetch: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, init) }],
  ])('a timed-out call frees its socket (%s)', async (_name, extra) => {
    // The socket that carried the request is freed. (undici may also open a spare connection to its
    // pool, which it closes after its own keep-alive timeout: not a socket of the timed-out call.)
    const carriers: Socket[] = [];
    const h = await serve((req) => void carriers.push(req.socket)); // never answers
    const client = new Grantex({
      apiKey: 'gx_test_key',
      baseUrl: h.url,
      logLevel: 'off',
      timeout: 100,
      maxRetries: 0,
      ...extra,
    });
    await expect(client.agents.get(agent.agentId)).rejects.toBeInstanceOf(GrantexTimeoutError);
    await eventually(() => carriers.length === 1 && carriers[0]!.destroyed);
  });

  it('a stalled body times out too, and its socket is freed', async () => {
    const h = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"agentId":');
    });
    const client = new Grantex({ apiKey: 'gx_test_key', baseUrl: h.url, logLevel: 'off', timeout: 150, maxRetries: 0 });
    await expect(client.agents.get(agent.agentId)).rejects.toBeInstanceOf(GrantexTimeoutError);
    await eventually(() => h.closed() === 1);
  });

  it('an aborted call frees its socket at once', async () => {
    const h = await serve(() => {});
    const client = new Grantex({ apiKey: 'gx_test_key', baseUrl: h.url, logLevel: 'off' });
    const controller = new AbortController();
    const pending = client.agents.get(agent.agentId, { signal: controller.signal });
    await eventually(() => h.connections.length === 1);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(GrantexAbortError);
    await eventually(() => h.closed() === 1);
  });

  it('close() ends calls in flight and their sockets', async () => {
    const h = await serve(() => {});
    const client = new Grantex({ apiKey: 'gx_test_key', baseUrl: h.url, logLevel: 'off' });
    const pending = client.agents.get(agent.agentId);
    await eventually(() => h.connections.length === 1);
    await client.close();
    await expect(pending).rejects.toBeInstanceOf(GrantexAbortError);
    await eventually(() => h.closed() === 1);
  });

  it("does not read a redirect's body: it is refused and the connection dropped", async () => {
    let written = 0;
    const h = await serve((_req, res) => {
      res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = (): void => {
        while (written < 64 * 1024 * 1024 && res.write(chunk)) written += chunk.length;
        if (written < 64 * 1024 * 1024) res.once('drain', pump);
      };
      res.on('error', () => {});
      pump();
    });
    const client = new Grantex({ apiKey: 'gx_test_key', baseUrl: h.url, logLevel: 'off' });
    await expect(client.agents.get(agent.agentId)).rejects.toBeInstanceOf(GrantexRedirectError);
    await eventually(() => h.closed() === 1);
    expect(written).toBeLessThan(64 * 1024 * 1024);
  });
});
