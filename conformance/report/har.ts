/**
 * @module report/har
 * The run's requests and responses as a HAR 1.2 file (browsers' dev tools and
 * proxies open it). Secrets never appear: every key the run knows shows as
 * its `$VARIABLE`, other Authorization and cookie values are replaced, JWT
 * signatures and secret-bearing JSON members are hidden, and bodies are cut
 * at 64 KiB.
 */
import { redactIssuedSecrets } from '../http/http.js';
import type { Exchange } from '../engine/types.js';

/** An exchange with the time its request started (the recorder keeps durations only). */
export interface TimedExchange extends Exchange {
  startedAt: string;
}

/** Longest body kept per message. */
const MAX_BODY = 64 * 1024;

interface NameValue {
  name: string;
  value: string;
}

/** Headers whose values are credentials whatever they hold. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'set-cookie', 'proxy-authorization', 'x-api-key']);

export interface HarOptions {
  /** Secrets to show as `$label`: the user's keys and the run's throwaway keys. */
  secrets: ReadonlyArray<{ label: string; secret: string }>;
  version: string;
}

export function renderHar(exchanges: readonly TimedExchange[], options: HarOptions): string {
  const secrets = options.secrets.filter((entry) => entry.secret.length >= 8);
  const redact = (text: string): string => {
    let out = text;
    for (const { label, secret } of secrets) out = out.split(secret).join(`$${label}`);
    return redactIssuedSecrets(out);
  };
  const body = (text: string) =>
    text.length > MAX_BODY ? `${redact(text.slice(0, MAX_BODY))}…(${text.length} chars, cut)` : redact(text);
  const headers = (record: Record<string, string>, label?: string): NameValue[] =>
    Object.entries(record).map(([name, value]) => {
      const lower = name.toLowerCase();
      if (lower === 'authorization' && label) return { name, value: `Bearer $${label}` };
      if (CREDENTIAL_HEADERS.has(lower)) return { name, value: '<redacted>' };
      return { name, value: redact(value) };
    });
  const entries = exchanges.map((exchange) => {
    const url = new URL(exchange.url);
    const request = {
      method: exchange.method,
      url: redact(exchange.url),
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: headers(exchange.requestHeaders, exchange.credentialLabel),
      queryString: [...url.searchParams].map(([name, value]) => ({ name: redact(name), value: redact(value) })),
      headersSize: -1,
      bodySize: exchange.requestBody === undefined ? 0 : Buffer.byteLength(exchange.requestBody),
      ...(exchange.requestBody !== undefined
        ? {
            postData: {
              mimeType: exchange.requestHeaders['content-type'] ?? 'application/octet-stream',
              text: body(exchange.requestBody),
            },
          }
        : {}),
    };
    const response = {
      status: exchange.status,
      statusText: '',
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: headers(exchange.responseHeaders),
      content: {
        size: Buffer.byteLength(exchange.responseText),
        mimeType: exchange.responseHeaders['content-type'] ?? 'x-unknown',
        text: body(exchange.responseText),
      },
      redirectURL: '',
      headersSize: -1,
      bodySize: exchange.status === 0 ? -1 : Buffer.byteLength(exchange.responseText),
      ...(exchange.error ? { _error: redact(exchange.error) } : {}),
    };
    return {
      startedDateTime: exchange.startedAt,
      time: exchange.durationMs,
      request,
      response,
      cache: {},
      timings: { send: 0, wait: exchange.durationMs, receive: 0 },
      ...(exchange.operationId ? { _operationId: exchange.operationId } : {}),
      ...(exchange.violations.length ? { _violations: exchange.violations.map(redact) } : {}),
    };
  });
  const log = {
    log: {
      version: '1.2',
      creator: { name: 'grantex-conformance', version: options.version },
      entries,
    },
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
