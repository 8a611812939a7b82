/**
 * @module routes/vault
 * Upstream credentials stored per principal and service, released only to an
 * agent whose active grant token covers the service. Secrets never leave
 * except through the exchange.
 */
import type { components } from '../../../generated/schema.js';
import type { Handlers } from '../context.js';
import { eventsOf } from '../domain/operations/event-stream.js';
import { newId } from '../domain/ids.js';
import { roomFor, stateOf, type VaultRecord } from '../domain/operations/state.js';
import { iso } from '../domain/rules.js';
import { forbidden, HttpError, notFound } from '../http/http-error.js';

function present(r: VaultRecord): components['schemas']['VaultCredential'] {
  return {
    id: r.id,
    principalId: r.principalId,
    service: r.service,
    credentialType: r.credentialType,
    tokenExpiresAt: r.tokenExpiresAt,
    metadata: structuredClone(r.metadata),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/** Scopes that let a grant take the credential of `service` (as on the public server). */
function covers(scopes: readonly string[], service: string): boolean {
  const s = service.toLowerCase();
  const accepted = new Set(['*', `${s}:*`, `${s}:read`, `${s}:credentials:read`, `vault:${s}:*`, `vault:${s}:read`]);
  accepted.add('vault:credentials:exchange');
  return scopes.some((scope) => accepted.has(scope.toLowerCase()));
}

export const vaultHandlers = {
  vaultStore: ({ env, tenant, body }) => {
    const nowMs = env.now();
    const vault = stateOf(tenant).vault;
    const existing = [...vault.values()].find((r) => r.principalId === body.principalId && r.service === body.service);
    if (existing === undefined && !roomFor(vault.size))
      throw new HttpError(409, 'LIMIT_REACHED', 'Too many credentials');
    const record: VaultRecord = {
      id: existing?.id ?? newId('vault', nowMs),
      principalId: body.principalId,
      service: body.service,
      credentialType: body.credentialType ?? 'oauth2',
      accessToken: body.accessToken,
      refreshToken: body.refreshToken ?? null,
      tokenExpiresAt: body.tokenExpiresAt ?? null,
      metadata: structuredClone(body.metadata ?? {}),
      createdAt: existing?.createdAt ?? iso(nowMs),
      updatedAt: iso(nowMs),
    };
    vault.set(record.id, record);
    eventsOf(tenant).publish(
      'vault.credential.stored',
      { credentialId: record.id, principalId: record.principalId, service: record.service },
      nowMs,
    );
    const { id, principalId, service, credentialType, createdAt } = record;
    return { status: 201, body: { id, principalId, service, credentialType, createdAt } };
  },

  vaultList: ({ tenant, query }) => {
    const list = [...stateOf(tenant).vault.values()]
      .filter((r) => query.principalId === undefined || r.principalId === query.principalId)
      .filter((r) => query.service === undefined || r.service === query.service)
      .reverse()
      .map(present);
    return { status: 200, body: { credentials: list } };
  },

  vaultGet: ({ tenant, params }) => {
    const record = stateOf(tenant).vault.get(params.credentialId);
    if (record === undefined) throw notFound('Credential not found');
    return { status: 200, body: present(record) };
  },

  vaultDelete: ({ env, tenant, params }) => {
    const vault = stateOf(tenant).vault;
    const record = vault.get(params.credentialId);
    if (record === undefined) throw notFound('Credential not found');
    vault.delete(record.id);
    eventsOf(tenant).publish(
      'vault.credential.deleted',
      { credentialId: record.id, principalId: record.principalId, service: record.service },
      env.now(),
    );
    return { status: 204 };
  },

  vaultExchange: ({ env, tenant, body, grant }) => {
    if (grant === undefined) throw new HttpError(401, 'UNAUTHORIZED', 'Missing grant token');
    if (!covers(grant.scp, body.service))
      throw forbidden(`Grant token is not scoped for ${body.service} credential exchange`);
    const record = [...stateOf(tenant).vault.values()].find(
      (r) => r.principalId === grant.sub && r.service === body.service,
    );
    if (record === undefined) throw notFound('No credential found for this principal and service');
    eventsOf(tenant).publish(
      'vault.credential.exchanged',
      { credentialId: record.id, grantId: grant.grnt, principalId: grant.sub, service: body.service },
      env.now(),
    );
    return {
      status: 200,
      body: {
        accessToken: record.accessToken,
        service: record.service,
        credentialType: record.credentialType,
        tokenExpiresAt: record.tokenExpiresAt,
        metadata: structuredClone(record.metadata),
      },
    };
  },
} satisfies Partial<Handlers>;
