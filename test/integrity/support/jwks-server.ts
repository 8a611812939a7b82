/** A JWKS server for tests: 127.0.0.1, a free port, a scriptable reply, and a request log. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface JwksReply {
  status?: number;
  body?: string;
  /** Milliseconds to wait before answering. */
  delay?: number;
}

export interface JwksServer {
  /** `http://127.0.0.1:<port>/.well-known/jwks.json` */
  url: string;
  origin: string;
  /** Paths requested so far, in order. */
  requests: string[];
  /** The reply to give from now on. */
  reply: JwksReply;
  close(): Promise<void>;
}

export async function startJwksServer(reply: JwksReply): Promise<JwksServer> {
  const state = { requests: [] as string[], reply };
  const server: Server = createServer((request, response) => {
    state.requests.push(request.url ?? '');
    const { status = 200, body = '', delay = 0 } = state.reply;
    const timer = setTimeout(() => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(body);
    }, delay);
    response.on('close', () => clearTimeout(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/.well-known/jwks.json`,
    origin,
    get requests() {
      return state.requests;
    },
    get reply() {
      return state.reply;
    },
    set reply(next: JwksReply) {
      state.reply = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
