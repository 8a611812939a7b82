// A hostile server for the suite's tests: a proxy on 127.0.0.1 in front of a
// reference server that rewrites answers the way a malicious deployment
// could: it echoes the caller's API key into error bodies, puts terminal
// control sequences into messages, and can replace chosen answers outright.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startReferenceServer, type ReferenceServer } from '../../conformance/reference/server.js';

export interface HostileProxy {
  url: string;
  /** The reference server behind it. */
  upstream: ReferenceServer;
  /** Requests seen, `METHOD path`. */
  seen: string[];
  /** A bearer credential to swap on the way upstream (so tests can give keys of any shape). */
  translate?: { from: string; to: string };
  close(): Promise<void>;
}

export interface Hostility {
  /** Rewrites an upstream answer; `key` is the last bearer credential any request carried. */
  rewrite?: (answer: {
    method: string;
    path: string;
    status: number;
    body: string;
    key: string;
  }) => { status: number; body: string; headers?: Record<string, string> } | undefined;
  /** Answers a request itself, without asking upstream (return true when it did). */
  intercept?: (request: IncomingMessage, response: ServerResponse) => boolean;
}

export async function startHostileProxy(hostility: Hostility): Promise<HostileProxy> {
  const upstream = await startReferenceServer({ webhookRetryDelaysMs: [10] });
  const seen: string[] = [];
  let key = '';
  const proxy: HostileProxy = {
    url: '',
    upstream,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await upstream.close();
    },
  };
  const server: Server = createServer((request, response) => {
    const method = request.method ?? 'GET';
    const path = request.url ?? '/';
    seen.push(`${method} ${path.split('?')[0]}`);
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (bearer !== undefined) key = bearer;
    if (hostility.intercept?.(request, response)) return;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const headers = Object.fromEntries(
        Object.entries(request.headers).filter(([name]) => !['host', 'connection', 'content-length'].includes(name)),
      ) as Record<string, string>;
      if (proxy.translate && headers['authorization'] === `Bearer ${proxy.translate.from}`)
        headers['authorization'] = `Bearer ${proxy.translate.to}`;
      void fetch(upstream.url + path, {
        method,
        headers,
        redirect: 'manual',
        ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
      })
        .then(async (answer) => {
          const body = await answer.text();
          const changed = hostility.rewrite?.({ method, path, status: answer.status, body, key });
          const out: Record<string, string> = {};
          answer.headers.forEach((value, name) => {
            if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(name))
              out[name] = value;
          });
          response.writeHead(changed?.status ?? answer.status, { ...out, ...changed?.headers });
          response.end(changed?.body ?? body);
        })
        .catch(() => response.writeHead(502).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
