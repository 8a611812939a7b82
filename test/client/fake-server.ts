// A scriptable HTTP server on 127.0.0.1 for transport and error tests.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** What the server does with a request: answer, drop the connection, or never answer. */
export type Reply =
  | { status: number; headers?: Record<string, string>; body?: string | object }
  | { destroy: true }
  | { hang: true }
  /** Sends the status line, headers and `partial` body, then stalls. */
  | { stall: true; status: number; partial: string }
  /** Writes the response itself (streams, compressed bodies). */
  | { custom: (res: ServerResponse) => void };

export interface FakeServer {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

export async function startFakeServer(reply: (request: SeenRequest, index: number) => Reply): Promise<FakeServer> {
  const requests: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      requests.push(seen);
      const action = reply(seen, requests.length - 1);
      if ('destroy' in action) return void req.socket.destroy();
      if ('hang' in action) return;
      if ('custom' in action) return action.custom(res);
      if ('stall' in action) {
        res.writeHead(action.status, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write(action.partial);
        return;
      }
      const body = typeof action.body === 'object' ? JSON.stringify(action.body) : (action.body ?? '');
      const type = typeof action.body === 'object' ? { 'content-type': 'application/json' } : {};
      res.writeHead(action.status, { ...type, ...action.headers });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const agent = {
  agentId: 'ag_01M8H3D6A60QZ1Z8Z6GZBQ32QD',
  did: 'did:grantex:ag_01M8H3D6A60QZ1Z8Z6GZBQ32QD',
  developerId: 'dev_01M8H3D69ED20CXX9BVR3Z61AR',
  name: 'Travel assistant',
  description: 'Books trips',
  scopes: ['calendar:read'],
  status: 'active',
  createdAt: '2026-11-28T12:52:10.000Z',
  updatedAt: '2026-11-28T12:52:10.000Z',
};

/** A webhook delivery with every field the spec requires. */
export function delivery(id: string) {
  return {
    id,
    webhookId: 'wh_1',
    eventId: 'evt_1',
    eventType: 'grant.created',
    status: 'failed',
    attempts: 1,
    maxAttempts: 5,
    url: 'https://hooks.example/grantex',
    lastError: null,
    createdAt: '2026-11-28T12:52:10.000Z',
    deliveredAt: null,
  };
}

/** A SCIM user with every field the spec requires. */
export function scimUser(id: string, userName: string) {
  const meta = { resourceType: 'User', created: '2026-11-28T12:52:10.000Z', lastModified: '2026-11-28T12:52:10.000Z' };
  return { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id, userName, active: true, emails: [], meta };
}

/** A signup answer with every field the spec requires. */
export const signupResponse = {
  developerId: 'dev_1',
  apiKey: 'gx_test_new',
  name: 'Acme',
  email: null,
  mode: 'sandbox',
  createdAt: '2026-11-28T12:52:10.000Z',
};
