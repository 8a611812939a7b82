/**
 * @module preflight
 * Before any check: does the server speak Grantex at all? The health answer
 * has its shape, the key set publishes an RSA key, an unknown route answers
 * 404 with the error shape. Otherwise the run stops with exit 2, "not a
 * Grantex server: …", instead of 57 failures on an HTML page.
 */
import type { ContractValidator } from './contract.js';
import { CannotRun, show } from '../engine/failures.js';
import { NetworkError, type Http } from './http.js';
import type { Exchange } from '../engine/types.js';

/** The server is not a Grantex server (or not reachable); the run cannot be made. Exit code 2. */
export class NotGrantex extends CannotRun {
  override name = 'NotGrantex';
}

function observed(exchange: Exchange): string {
  const type = exchange.responseHeaders['content-type'] ?? 'no content type';
  return `${exchange.status} ${type} ${show(exchange.body ?? exchange.responseText, 120)}`;
}

/** Runs the preflight. @throws {NotGrantex} listing every problem found */
export async function preflight(http: Http, contract: ContractValidator, runId: string): Promise<void> {
  const problems: string[] = [];
  const get = async (path: string): Promise<Exchange> => {
    try {
      return await http.request({ method: 'GET', path });
    } catch (error) {
      if (error instanceof NetworkError)
        throw new NotGrantex(`server unreachable at ${http.baseUrl}: ${error.message}`);
      throw error;
    }
  };
  const health = await get('/health');
  // 503 is a documented answer of an unhealthy server; its body still has the shape.
  const healthErrors = contract.validateSchema('HealthStatus', health.body);
  if (![200, 503].includes(health.status) || health.body === undefined || healthErrors.length > 0) {
    problems.push(
      `GET /health answered ${observed(health)}, not 200 with {"status": …}${healthErrors.length ? ` (${healthErrors.slice(0, 2).join('; ')})` : ''}`,
    );
  }
  const jwks = await get('/.well-known/jwks.json');
  const keys = (jwks.body as { keys?: unknown } | undefined)?.keys;
  const rsa =
    Array.isArray(keys) &&
    keys.some(
      (key) =>
        typeof key === 'object' &&
        key !== null &&
        (key as Record<string, unknown>)['kty'] === 'RSA' &&
        typeof (key as Record<string, unknown>)['n'] === 'string',
    );
  if (jwks.status !== 200 || !rsa)
    problems.push(`GET /.well-known/jwks.json answered ${observed(jwks)}, not 200 with a key set holding an RSA key`);
  const unknown = await get(`/v1/${runId}-no-such-route`);
  const errorShape = contract.validateSchema('Error', unknown.body);
  // Without credentials a server may refuse an unknown /v1 route before routing it (the public server answers 401).
  if ((unknown.status !== 404 && unknown.status !== 401) || errorShape.length > 0) {
    problems.push(
      `an unknown route (GET /v1/${runId}-no-such-route) answered ${observed(unknown)}, not 404 (or 401) with {message, code, requestId}`,
    );
  }
  if (problems.length > 0) throw new NotGrantex(`not a Grantex server: ${problems.join('; ')}`);
}
