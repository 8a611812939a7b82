// Request bodies are bounded while read: a long Content-Length is refused before
// reading (and before the key is checked), a chunked body is cut off at the limit.
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { expectConforms, start, type Res } from './helpers.js';

const LIMIT = 4096;

/**
 * POSTs with node:http: `declared` goes in Content-Length (omitted: chunked),
 * `parts` are written one by one until the answer arrives. Returns the answer
 * and how many bytes were written before it came.
 */
function post(
  url: string,
  path: string,
  parts: Buffer[],
  options: { declared?: number; key?: string } = {},
): Promise<Res & { written: number }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.declared !== undefined) headers['content-length'] = String(options.declared);
    if (options.key !== undefined) headers['authorization'] = `Bearer ${options.key}`;
    const req = request(new URL(path, url), { method: 'POST', headers });
    let answered = false;
    let written = 0;
    req.on('response', (res) => {
      answered = true;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        const fetchHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers))
          if (typeof value === 'string') fetchHeaders.set(name, value);
        resolve({
          status: res.statusCode ?? 0,
          headers: fetchHeaders,
          body: text ? JSON.parse(text) : undefined,
          text,
          written,
        });
      });
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    const next = (i: number): void => {
      if (answered) return;
      if (i === parts.length) {
        // A declared length longer than what was sent: wait for the answer without ending.
        if (options.declared === undefined) req.end();
        return;
      }
      written += parts[i]!.length;
      req.write(parts[i], () => setTimeout(() => next(i + 1), 5));
    };
    next(0);
  });
}

const filler = (n: number) => Buffer.alloc(n, ' ');

describe('reference server: request body limits', () => {
  it('refuses a Content-Length over the limit with 413 before reading, before checking the key', async () => {
    const api = await start({ maxBodyBytes: LIMIT, rateLimits: { public: 1 } });
    // Nothing but the first bytes is sent: the answer must not wait for the rest.
    for (const key of [undefined, 'gx_test_unknown']) {
      const res = await post(api.url, '/v1/agents', [filler(100)], {
        declared: 50 * 1024 * 1024,
        ...(key ? { key } : {}),
      });
      expect(res).toMatchObject({
        status: 413,
        body: { code: 'BAD_REQUEST', message: expect.stringContaining(String(LIMIT)), requestId: expect.any(String) },
      });
      expectConforms('POST', '/v1/agents', res);
    }
    const signup = await post(api.url, '/v1/signup', [filler(10)], { declared: LIMIT + 1 });
    expect(signup.status).toBe(413);
    expectConforms('POST', '/v1/signup', signup);
    // The refusals cost no bucket: the single public request is still there.
    expect((await api.get('/health')).status).toBe(200);
  });

  it('cuts a chunked body off at the limit with 413, without reading the rest', async () => {
    const api = await start({ maxBodyBytes: LIMIT });
    const { key } = await api.developer();
    const parts = Array.from({ length: 400 }, () => filler(1024));
    for (const [path, withKey] of [
      ['/v1/signup', false],
      ['/v1/agents', true],
    ] as const) {
      const res = await post(api.url, path, parts, withKey ? { key } : {});
      expect(res).toMatchObject({ status: 413, body: { code: 'BAD_REQUEST', requestId: expect.any(String) } });
      expectConforms('POST', path, res);
      // Answered soon after the limit, long before the 400 KiB were sent.
      expect(res.written).toBeLessThan(100 * 1024);
    }
    expect((await api.get('/v1/agents', key)).status).toBe(200);
  });

  it('accepts a body of exactly the limit, chunked or declared', async () => {
    const api = await start({ maxBodyBytes: LIMIT });
    const json = JSON.stringify({ name: 'a', mode: 'sandbox' });
    const body = Buffer.from(json + ' '.repeat(LIMIT - json.length));
    expect((await post(api.url, '/v1/signup', [body], { declared: LIMIT })).status).toBe(201);
    expect((await post(api.url, '/v1/signup', [body.subarray(0, 2000), body.subarray(2000)])).status).toBe(201);
    const over = Buffer.concat([body, filler(1)]);
    expect((await post(api.url, '/v1/signup', [over])).status).toBe(413);
  });

  it('bounds the test IdP token endpoint too', async () => {
    const api = await start({ maxBodyBytes: LIMIT });
    const res = await post(api.url, '/_test-idp/token', [filler(LIMIT + 10)]);
    expect(res).toMatchObject({ status: 413, body: { code: 'BAD_REQUEST', requestId: expect.any(String) } });
  });

  it('rejects a limit that is not a positive integer', async () => {
    await expect(start({ maxBodyBytes: 0 })).rejects.toThrow(RangeError);
    await expect(start({ maxBodyBytes: 1.5 })).rejects.toThrow(RangeError);
  });
});
