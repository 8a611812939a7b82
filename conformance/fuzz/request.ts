/**
 * @module fuzz/request
 * From a generated input to the wire and back: the HTTP request it makes, and
 * what its answer leaves behind (secrets to hide, resources to delete at the
 * end of the run).
 */
import type { Credential, Exchange, RequestSpec } from '../http/http.js';
import type { Developer } from '../engine/session/types.js';
import type { Session } from '../engine/session/session.js';
import type { RawBody, RequestInput } from './mutations.js';
import type { FuzzOperation } from './operations.js';
import type { Pool } from './pool.js';
import type { Json } from './schema.js';

/** The HTTP request of an input (a raw body instead of its JSON one when given), with the operation's credential. */
export function requestOf(
  dev: Developer,
  pool: Pool,
  op: FuzzOperation,
  input: RequestInput,
  raw: RawBody | undefined,
): RequestSpec {
  const path = op.template.replace(/\{([^}]+)\}/g, (_all, name: string) => encodeURIComponent(input.path[name] ?? ''));
  const query: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.query))
    if (value !== undefined) query[name] = typeof value === 'string' ? value : String(value);
  const auth: Credential | null =
    op.security === 'apiKey' ? dev.key : op.security === 'scimToken' ? (pool.scim ?? null) : null;
  return {
    method: op.method.toUpperCase(),
    path,
    query,
    auth,
    ...(raw ? { raw } : input.body !== undefined ? { json: input.body } : {}),
  };
}

/** Hides returned secrets and schedules the deletion of anything the answer says was created. */
export function afterAnswer(session: Session, dev: Developer, pool: Pool, op: FuzzOperation, exchange: Exchange): void {
  const body = exchange.body as Json | undefined;
  if (!body || typeof body !== 'object') return;
  for (const name of ['apiKey', 'token', 'secret', 'grantToken', 'refreshToken', 'clientSecret']) {
    if (typeof body[name] === 'string') session.http.registerSecret(body[name] as string, name.toUpperCase());
  }
  if (exchange.status < 200 || exchange.status >= 300) return;
  // An entry the fuzzer wrote is one the later audit reads may name.
  if (op.operationId === 'auditLog' && typeof body['entryId'] === 'string') pool.entryId ??= body['entryId'];
  const scim = pool.scim;
  const id = String(body['id'] ?? body['agentId'] ?? '');
  const undo: Record<string, () => Promise<Exchange>> = {
    agentsCreate: () => session.request(dev, { method: 'DELETE', path: `/v1/agents/${body['agentId']}` }),
    policiesCreate: () => session.request(dev, { method: 'DELETE', path: `/v1/policies/${id}` }),
    webhooksCreate: () => session.request(dev, { method: 'DELETE', path: `/v1/webhooks/${id}` }),
    scimCreateToken: () => session.request(dev, { method: 'DELETE', path: `/v1/scim/tokens/${id}` }),
    scimCreateUser: () => session.http.request({ method: 'DELETE', path: `/scim/v2/Users/${id}`, auth: scim ?? null }),
  };
  const remove = undo[op.operationId];
  if (remove && id) session.track(`fuzz ${op.operationId} ${id}`, remove);
  if (op.operationId === 'signup')
    session.notes.push(
      `fuzzing: POST /v1/signup accepted a request (${exchange.status}); that developer cannot be deleted through the API`,
    );
}
