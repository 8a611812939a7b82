/**
 * @module routes/sso-connections
 * Enterprise SSO connections (OIDC, SAML, LDAP), enforcement and sessions.
 * Secrets (client secret, bind password) are kept and never returned. The
 * reference server reaches no outside identity provider: an OIDC connection
 * tests successfully only against its own test IdP, a SAML one when its
 * certificate parses, an LDAP one never; the SAML and LDAP callbacks refuse.
 */
import { X509Certificate } from 'node:crypto';
import type { components } from '../../../generated/schema.js';
import type { Handlers } from '../context.js';
import { eventsOf } from '../domain/operations/event-stream.js';
import { newId } from '../domain/ids.js';
import { type ConnectionRecord, roomFor, stateOf } from '../domain/operations/state.js';
import { iso } from '../domain/rules.js';
import { badRequest, HttpError, notFound } from '../http/http-error.js';
import { TEST_IDP_PATH } from './test-idp.js';

type Schemas = components['schemas'];

const REQUIRED: Record<ConnectionRecord['protocol'], readonly string[]> = {
  oidc: ['issuerUrl', 'clientId', 'clientSecret'],
  saml: ['idpEntityId', 'idpSsoUrl', 'idpCertificate', 'spEntityId', 'spAcsUrl'],
  ldap: ['ldapUrl', 'ldapBindDn', 'ldapBindPassword', 'ldapSearchBase'],
};
/** Protocol fields returned, per protocol: never the secrets or the SAML certificate. */
const SHOWN: Record<ConnectionRecord['protocol'], readonly string[]> = {
  oidc: ['issuerUrl', 'clientId'],
  saml: ['idpEntityId', 'idpSsoUrl', 'spEntityId', 'spAcsUrl'],
  ldap: [
    'ldapUrl',
    'ldapBindDn',
    'ldapSearchBase',
    'ldapSearchFilter',
    'ldapGroupSearchBase',
    'ldapGroupSearchFilter',
    'ldapTlsEnabled',
  ],
};
const PROTOCOL_FIELDS = [...new Set(Object.values(REQUIRED).flat().concat(Object.values(SHOWN).flat()))];
const LDAP_DEFAULTS = {
  ldapSearchFilter: '(uid={{username}})',
  ldapGroupSearchBase: null,
  ldapGroupSearchFilter: '(member={{dn}})',
  ldapTlsEnabled: false,
};

function present(c: ConnectionRecord): Schemas['SsoConnection'] {
  const shown: Record<string, unknown> = {};
  for (const field of SHOWN[c.protocol]) if (field in c.fields) shown[field] = c.fields[field];
  return {
    id: c.id,
    developerId: '',
    name: c.name,
    protocol: c.protocol,
    status: c.status,
    ...shown,
    domains: [...c.domains],
    jitProvisioning: c.jitProvisioning,
    enforce: c.enforce,
    groupAttribute: c.groupAttribute,
    groupMappings: structuredClone(c.groupMappings),
    defaultScopes: [...c.defaultScopes],
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

type ConnectionBody = Schemas['CreateSsoConnectionRequest'] | Schemas['UpdateSsoConnectionRequest'];

function applyCommon(c: ConnectionRecord, body: ConnectionBody): void {
  for (const field of PROTOCOL_FIELDS) {
    const value = (body as Record<string, unknown>)[field];
    if (value !== undefined) c.fields[field] = value;
  }
  if (body.domains !== undefined) c.domains = [...body.domains];
  if (body.jitProvisioning !== undefined) c.jitProvisioning = body.jitProvisioning;
  if (body.enforce !== undefined) c.enforce = body.enforce;
  if (body.groupAttribute !== undefined) c.groupAttribute = body.groupAttribute;
  if (body.groupMappings !== undefined) c.groupMappings = structuredClone(body.groupMappings);
  if (body.defaultScopes !== undefined) c.defaultScopes = [...body.defaultScopes];
}

function find(connections: Map<string, ConnectionRecord>, id: string): ConnectionRecord {
  const connection = connections.get(id);
  if (connection === undefined) throw notFound('SSO connection not found');
  return connection;
}

function testOf(
  env: { settings: { baseUrl: string } },
  c: ConnectionRecord,
): { ok: boolean; body: Schemas['SsoConnectionTest'] } {
  if (c.protocol === 'saml') {
    const raw = String(c.fields['idpCertificate']);
    const pem = raw.includes('BEGIN CERTIFICATE')
      ? raw
      : `-----BEGIN CERTIFICATE-----\n${raw}\n-----END CERTIFICATE-----`;
    try {
      new X509Certificate(pem);
      const { idpEntityId, idpSsoUrl } = c.fields as { idpEntityId: string; idpSsoUrl: string };
      return { ok: true, body: { success: true, protocol: 'saml', idpEntityId, idpSsoUrl } };
    } catch {
      return { ok: false, body: { success: false, protocol: 'saml', error: 'Invalid IdP certificate' } };
    }
  }
  const issuer = `${env.settings.baseUrl}${TEST_IDP_PATH}`;
  if (c.protocol === 'oidc' && c.fields['issuerUrl'] === issuer) {
    return {
      ok: true,
      body: {
        success: true,
        protocol: 'oidc',
        issuer,
        authorizationEndpoint: `${issuer}/authorize`,
        tokenEndpoint: `${issuer}/token`,
        jwksUri: `${issuer}/jwks`,
      },
    };
  }
  return {
    ok: false,
    body: { success: false, protocol: c.protocol, error: 'The reference server reaches no outside identity provider' },
  };
}

export const ssoConnectionHandlers = {
  ssoCreateConnection: ({ env, tenant, body }) => {
    const missing = REQUIRED[body.protocol].filter((f) => (body as Record<string, unknown>)[f] === undefined);
    if (missing.length > 0)
      throw badRequest(`${body.protocol.toUpperCase()} connections require ${REQUIRED[body.protocol].join(', ')}`);
    const connections = stateOf(tenant).connections;
    if (!roomFor(connections.size)) throw new HttpError(409, 'LIMIT_REACHED', 'Too many SSO connections');
    const nowMs = env.now();
    const connection: ConnectionRecord = {
      id: newId('sso', nowMs),
      name: body.name,
      protocol: body.protocol,
      status: 'active',
      fields: body.protocol === 'ldap' ? { ...LDAP_DEFAULTS } : {},
      domains: [],
      jitProvisioning: false,
      enforce: false,
      groupAttribute: null,
      groupMappings: {},
      defaultScopes: [],
      createdAt: iso(nowMs),
      updatedAt: iso(nowMs),
    };
    applyCommon(connection, body);
    connections.set(connection.id, connection);
    eventsOf(tenant).publish(
      'sso.connection.created',
      { connectionId: connection.id, protocol: connection.protocol },
      nowMs,
    );
    return { status: 201, body: { ...present(connection), developerId: tenant.developer.id } };
  },

  ssoListConnections: ({ tenant }) => {
    const list = [...stateOf(tenant).connections.values()].reverse();
    return {
      status: 200,
      body: { connections: list.map((c) => ({ ...present(c), developerId: tenant.developer.id })) },
    };
  },

  ssoUpdateConnection: ({ env, tenant, params, body }) => {
    if (Object.keys(body).length === 0) throw badRequest('No fields to update');
    const connection = find(stateOf(tenant).connections, params.connectionId);
    if (body.name !== undefined) connection.name = body.name;
    if (body.status !== undefined) connection.status = body.status;
    applyCommon(connection, body);
    connection.updatedAt = iso(env.now());
    eventsOf(tenant).publish('sso.connection.updated', { connectionId: connection.id }, env.now());
    return { status: 200, body: { ...present(connection), developerId: tenant.developer.id } };
  },

  ssoDeleteConnection: ({ env, tenant, params }) => {
    const connections = stateOf(tenant).connections;
    find(connections, params.connectionId);
    connections.delete(params.connectionId);
    eventsOf(tenant).publish('sso.connection.deleted', { connectionId: params.connectionId }, env.now());
    return { status: 204 };
  },

  ssoTestConnection: ({ env, tenant, params }) => {
    const result = testOf(env, find(stateOf(tenant).connections, params.connectionId));
    if (result.ok) return { status: 200, body: result.body };
    const failed = new HttpError(422, 'SSO_TEST_FAILED', result.body.error ?? 'test failed');
    failed.body = result.body;
    throw failed;
  },

  ssoEnforce: ({ tenant, body }) => {
    for (const c of stateOf(tenant).connections.values()) if (c.status === 'active') c.enforce = body.enforce;
    return { status: 200, body: { enforce: body.enforce, developerId: tenant.developer.id } };
  },

  // Sessions come only from a completed callback, which needs an outside identity provider here.
  ssoListSessions: () => ({ status: 200, body: { sessions: [] } }),

  ssoRevokeSession: () => {
    throw notFound('SSO session not found');
  },

  ssoCallbackOidc: () => {
    throw new HttpError(400, 'BAD_REQUEST', 'Invalid state parameter');
  },

  ssoCallbackSaml: () => {
    throw new HttpError(400, 'BAD_REQUEST', 'Invalid RelayState');
  },

  ssoCallbackLdap: ({ env, body }) => {
    for (const tenant of [env.store.tenant(body.org)].filter((t) => t !== undefined)) {
      const c = stateOf(tenant).connections.get(body.connectionId);
      if (c?.protocol === 'ldap') throw new HttpError(401, 'SSO_AUTH_FAILED', 'LDAP server unreachable');
    }
    throw notFound('LDAP connection not found');
  },
} satisfies Partial<Handlers>;
