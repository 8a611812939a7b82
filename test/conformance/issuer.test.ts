// Reading a token issuer's key set (SPEC §6.4 rule 1) is held tight: http(s)
// only, no credentials, no redirects followed, a byte limit, a timeout; every
// refusal says why. And the tokens.issuer check: --issuer pins iss.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fetchIssuerKeySet,
  IssuerKeySetUnavailable,
  keySetUrl,
  MAX_KEY_SET_BYTES,
} from '../../conformance/http/issuer.js';
import { defaultOptions } from '../../conformance/engine/options.js';
import { startReferenceServer } from '../../conformance/reference/server.js';
import { runConformance } from '../../conformance/runner.js';

let server: Server;
let base: string;
const seen: Array<{ url: string; authorization: string | undefined }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
    const path = req.url ?? '';
    if (path === '/ok/.well-known/jwks.json')
      return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[{"kty":"RSA"}]}');
    if (path === '/moved/.well-known/jwks.json')
      return void res.writeHead(302, { location: 'http://169.254.169.254/latest' }).end();
    if (path === '/html/.well-known/jwks.json')
      return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>');
    if (path === '/nokeys/.well-known/jwks.json') return void res.writeHead(200).end('{"kids":[]}');
    if (path === '/huge/.well-known/jwks.json') {
      // Chunked, no Content-Length: the limit must hold while reading.
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = 'x'.repeat(64 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < 64 && res.write(chunk)) sent++;
        if (sent < 64) res.once('drain', pump);
        else res.end();
      };
      return void pump();
    }
    if (path === '/slow/.well-known/jwks.json')
      return void setTimeout(() => res.writeHead(200).end('{"keys":[]}'), 2_000);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function refusal(iss: string, timeoutMs = 5_000): Promise<string> {
  try {
    await fetchIssuerKeySet(iss, timeoutMs);
  } catch (error) {
    expect(error).toBeInstanceOf(IssuerKeySetUnavailable);
    return (error as Error).message;
  }
  throw new Error(`${iss} was read`);
}

describe('issuer key set', () => {
  it('builds iss + /.well-known/jwks.json for http(s) issuers only, without credentials', () => {
    expect(keySetUrl('https://grantex.dev')?.href).toBe('https://grantex.dev/.well-known/jwks.json');
    expect(keySetUrl('https://grantex.dev/')?.href).toBe('https://grantex.dev/.well-known/jwks.json');
    expect(keySetUrl('https://example.test/tenant-1')?.href).toBe(
      'https://example.test/tenant-1/.well-known/jwks.json',
    );
    for (const bad of ['file:///etc/passwd', 'ftp://example.test', 'https://user:pw@example.test', 'not a url', ''])
      expect(keySetUrl(bad)).toBeUndefined();
  });

  it('reads a key set, sending no credentials', async () => {
    const { url, jwks } = await fetchIssuerKeySet(`${base}/ok`, 5_000);
    expect(url).toBe(`${base}/ok/.well-known/jwks.json`);
    expect(jwks.keys).toHaveLength(1);
    expect(seen.at(-1)).toEqual({ url: '/ok/.well-known/jwks.json', authorization: undefined });
  });

  it('refuses redirects, non-JSON, answers without keys, oversized and slow answers, and non-http issuers, saying why', async () => {
    expect(await refusal(`${base}/moved`)).toMatch(
      /status 302 \(redirect to http:\/\/169\.254\.169\.254\/latest, not followed\)/,
    );
    expect(seen.some((entry) => entry.url.includes('latest'))).toBe(false);
    expect(await refusal(`${base}/html`)).toMatch(/not JSON/);
    expect(await refusal(`${base}/nokeys`)).toMatch(/no "keys" array/);
    expect(await refusal(`${base}/huge`)).toMatch(new RegExp(`larger than ${MAX_KEY_SET_BYTES} bytes`));
    expect(await refusal(`${base}/slow`, 300)).toMatch(/no answer|broke off/);
    expect(await refusal(`${base}/missing`)).toMatch(/status 404/);
    expect(await refusal('file:///etc/passwd')).toMatch(/not an http\(s\) URL/);
  });
});

describe('tokens.issuer with --issuer', () => {
  const run = async (serverIssuer: string | undefined, suiteIssuer: string | undefined) => {
    const report = await runConformance(
      { ...defaultOptions(), only: ['tokens.issuer'], seed: 1, ...(suiteIssuer ? { issuer: suiteIssuer } : {}) },
      { startReference: () => startReferenceServer(serverIssuer ? { issuer: serverIssuer } : {}) },
    );
    return report.results.find((result) => result.id === 'tokens.issuer')!;
  };

  it('passes a proxied deployment whose issuer is given, using the base URL’s key set', async () => {
    const result = await run('https://grantex.proxy.invalid', 'https://grantex.proxy.invalid');
    expect(result.status).toBe('pass');
    expect(result.notes.join(' ')).toMatch(
      /iss https:\/\/grantex\.proxy\.invalid; key set read from http:\/\/127\.0\.0\.1:\d+\/\.well-known\/jwks\.json/,
    );
  });

  it('fails with a hint when the issuer cannot be reached and none is given', async () => {
    const result = await run('https://grantex.proxy.invalid', undefined);
    expect(result.status).toBe('fail');
    expect(result.message).toMatch(
      /cannot be fetched from https:\/\/grantex\.proxy\.invalid\/\.well-known\/jwks\.json/,
    );
    expect(result.observed).toMatch(/run with --issuer https:\/\/grantex\.proxy\.invalid/);
  });

  it('fails when iss is not the given issuer', async () => {
    const result = await run(undefined, 'https://elsewhere.invalid');
    expect(result.status).toBe('fail');
    expect(result.message).toMatch(/not the issuer given with --issuer/);
  });
});
