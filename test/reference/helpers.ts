// Test helpers for the reference server: start/stop servers, and an HTTP client
// that checks every response against the bundled spec (status, documented
// headers, body) for the operation that served it.
import { afterEach, expect } from 'vitest';
import {
  startReferenceServer,
  type ReferenceServer,
  type ReferenceServerOptions,
} from '../../conformance/reference/server.js';
import { ContractValidator, recordedResponse } from '../../conformance/http/contract.js';

const running = new Set<ReferenceServer>();

afterEach(async () => {
  const servers = [...running];
  running.clear();
  for (const server of servers) {
    await server.close();
    // The server checked its own responses too; none may break the spec.
    expect(server.violations, `responses of ${server.url} that break the spec`).toEqual([]);
  }
});

/** Starts a server that validates its own responses; it is closed (and its violations checked) after the test. */
export async function start(options: ReferenceServerOptions = {}): Promise<Api> {
  const server = await startReferenceServer({ validateResponses: true, ...options });
  running.add(server);
  return new Api(server);
}

/** A parsed response. */
export interface Res<B = any> {
  status: number;
  headers: Headers;
  body: B;
  text: string;
}

interface CallOptions {
  key?: string | undefined;
  body?: unknown;
  headers?: Record<string, string>;
  /** Skip the contract check (for routes outside the spec, e.g. the test IdP). */
  unchecked?: boolean;
}

/** A client of one reference server that validates every answer against the spec. */
export class Api {
  readonly server: ReferenceServer;
  readonly url: string;

  constructor(server: ReferenceServer) {
    this.server = server;
    this.url = server.url;
  }

  async call<B = any>(method: string, path: string, options: CallOptions = {}): Promise<Res<B>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.key !== undefined) headers['authorization'] = `Bearer ${options.key}`;
    if (options.body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(this.url + path, {
      method,
      headers,
      redirect: 'manual',
      ...(options.body !== undefined
        ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }
        : {}),
    });
    const text = await response.text();
    let body: unknown;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const res: Res<B> = { status: response.status, headers: response.headers, body: body as B, text };
    if (options.unchecked !== true) expectConforms(method, path, res);
    return res;
  }

  get = <B = any>(path: string, key?: string, options: CallOptions = {}) =>
    this.call<B>('GET', path, { ...options, key });
  post = <B = any>(path: string, body: unknown, key?: string, options: CallOptions = {}) =>
    this.call<B>('POST', path, { ...options, key, body });
  patch = <B = any>(path: string, body: unknown, key?: string) => this.call<B>('PATCH', path, { key, body });
  put = <B = any>(path: string, body: unknown, key?: string) => this.call<B>('PUT', path, { key, body });
  delete = <B = any>(path: string, key?: string) => this.call<B>('DELETE', path, { key });

  /** A new developer; returns its API key and id. */
  async developer(mode: 'sandbox' | 'live' = 'sandbox', name = `dev-${mode}`): Promise<{ key: string; id: string }> {
    const res = await this.post('/v1/signup', { name, mode });
    expect(res.status).toBe(201);
    return { key: res.body.apiKey, id: res.body.developerId };
  }

  async agent(
    key: string,
    scopes: string[] = ['calendar:read', 'email:send', 'files:read'],
    name = 'agent',
  ): Promise<string> {
    const res = await this.post('/v1/agents', { name, scopes }, key);
    expect(res.status).toBe(201);
    return res.body.agentId;
  }

  /** Authorizes (sandbox key) and exchanges the code; returns the token response. */
  async grant(
    key: string,
    agentId: string,
    scopes: string[] = ['calendar:read', 'email:send'],
    extra: Record<string, unknown> = {},
  ): Promise<{ grantToken: string; refreshToken: string; grantId: string; scopes: string[]; expiresAt: string }> {
    const authz = await this.post('/v1/authorize', { agentId, principalId: 'user_alice', scopes, ...extra }, key);
    expect(authz.status).toBe(201);
    const token = await this.post('/v1/token', { code: authz.body.code, agentId }, key);
    expect(token.status).toBe(201);
    return token.body;
  }

  async verify(key: string, token: string): Promise<boolean> {
    const res = await this.post('/v1/tokens/verify', { token }, key);
    expect(res.status).toBe(200);
    return res.body.valid as boolean;
  }
}

/** Fails the test when `res` breaks the contract of the operation that serves `method path`. */
export function expectConforms(method: string, path: string, res: Res): void {
  const contract = ContractValidator.bundled();
  const pathname = new URL(path, 'http://x').pathname;
  const matched = contract.match(method, pathname);
  if (matched === undefined) {
    expect(res.status, `${method} ${pathname} is not in the spec, so it must be 404`).toBe(404);
    return;
  }
  const recorded = recordedResponse(res.status, res.headers, res.text);
  const problems = contract.validateResponse(matched.operationId, recorded, { requireHeaders: true });
  expect(problems, `${method} ${path} → ${res.status} ${res.text.slice(0, 300)}`).toEqual([]);
}

/** The decoded payload of a JWT (no verification). */
export function claimsOf(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
}

/** The decoded header of a JWT. */
export function headerOf(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8'));
}
