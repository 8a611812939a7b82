// CORS: browser apps on other origins can call the local server; preflights are
// answered, and answers expose the headers a client reads.
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { corsMiddleware } from '../../conformance/reference/http/cors.js';
import { start } from './helpers.js';

const APP = 'http://localhost:5173';

function preflight(
  url: string,
  path: string,
  origin: string,
  method = 'POST',
  headers = 'authorization,content-type,idempotency-key',
) {
  return fetch(url + path, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
  });
}

const list = (value: string | null) => (value ?? '').split(',').map((s) => s.trim().toLowerCase());

describe('reference server: CORS', () => {
  it('answers preflights from any origin by default, allowing the headers clients send', async () => {
    const api = await start();
    for (const path of ['/v1/agents', '/v1/authorize', '/v1/agents/ag_1', '/health']) {
      const res = await preflight(api.url, path, APP);
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(list(res.headers.get('access-control-allow-methods'))).toEqual(
        expect.arrayContaining(['get', 'post', 'put', 'patch', 'delete']),
      );
      expect(list(res.headers.get('access-control-allow-headers'))).toEqual(
        expect.arrayContaining(['authorization', 'content-type', 'idempotency-key']),
      );
      expect(Number(res.headers.get('access-control-max-age'))).toBeGreaterThan(0);
    }
  });

  it('lets the browser read rate-limit headers, Retry-After and the request id, on successes and errors', async () => {
    const api = await start({ rateLimits: { default: 1 } });
    const { key } = await api.developer();
    const expose = ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'retry-after', 'x-request-id'];
    const ok = await api.get('/v1/agents', key, { headers: { origin: APP } });
    const refused = await api.get('/v1/agents', key, { headers: { origin: APP } });
    const unauthorized = await api.get('/v1/agents', 'gx_test_nope', { headers: { origin: APP } });
    const missing = await api.get('/v1/nothing-here', key, { headers: { origin: APP } });
    expect([ok.status, refused.status, unauthorized.status, missing.status]).toEqual([200, 429, 401, 404]);
    for (const res of [ok, refused, unauthorized, missing]) {
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(list(res.headers.get('access-control-expose-headers'))).toEqual(expect.arrayContaining(expose));
    }
  });

  it('with configured origins, allows only those', async () => {
    const api = await start({ corsOrigins: [APP, 'https://app.example.com'] });
    const allowed = await preflight(api.url, '/v1/agents', 'https://app.example.com');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(list(allowed.headers.get('vary'))).toContain('origin');
    const other = await preflight(api.url, '/v1/agents', 'https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const health = await api.get('/health', undefined, { headers: { origin: 'https://evil.example' } });
    expect(health.status).toBe(200);
    expect(health.headers.get('access-control-allow-origin')).toBeNull();
    const fromApp = await api.get('/health', undefined, { headers: { origin: APP } });
    expect(fromApp.headers.get('access-control-allow-origin')).toBe(APP);
  });

  it('adds its headers to an answer whose headers are immutable (a fetched one), keeping the answer', async () => {
    const app = new Hono();
    app.use('*', corsMiddleware([APP]));
    app.get('/relayed', () => fetch('data:text/plain,relayed'));
    const res = await app.request('/relayed', { headers: { origin: APP } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('relayed');
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
    expect(list(res.headers.get('vary'))).toContain('origin');
  });

  it('refuses a corsOrigins entry that is not an origin', async () => {
    await expect(start({ corsOrigins: ['localhost:5173'] })).rejects.toThrow(RangeError);
    await expect(start({ corsOrigins: ['http://a.test/path'] })).rejects.toThrow(RangeError);
    await expect(start({ corsOrigins: [] })).rejects.toThrow(RangeError);
  });
});
