/**
 * @module routes/scim
 * SCIM provisioning tokens (managed with an API key) and SCIM 2.0 Users
 * (called with a SCIM token; API keys are refused by app.ts).
 */
import type { components } from '../../../generated/schema.js';
import type { Handlers } from '../context.js';
import { iso } from '../domain/rules.js';
import { badRequest, HttpError, notFound } from '../http/http-error.js';
import { SCIM_CAPS } from '../domain/limits.js';
import { newId, randomHex } from '../domain/ids.js';
import type { ScimUserRecord, Tenant } from '../domain/store.js';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';

function scimError(status: number, detail: string): HttpError {
  const error = new HttpError(status, 'BAD_REQUEST', detail);
  error.scim = true;
  return error;
}

function userOf(tenant: Tenant, id: string): ScimUserRecord {
  const user = tenant.scimUsers.get(id);
  if (user === undefined) throw scimError(404, 'User not found');
  return user;
}

function ensureUnique(tenant: Tenant, userName: string, except?: string): void {
  for (const u of tenant.scimUsers.values()) {
    if (u.id !== except && u.userName === userName) throw scimError(409, `userName ${userName} is already taken`);
  }
}

function present(u: ScimUserRecord): components['schemas']['ScimUser'] {
  return {
    schemas: [USER_SCHEMA],
    id: u.id,
    ...(u.externalId !== null ? { externalId: u.externalId } : {}),
    userName: u.userName,
    ...(u.displayName !== null ? { displayName: u.displayName } : {}),
    active: u.active,
    emails: u.emails.map((e) => ({ ...e })),
    meta: { resourceType: 'User', created: u.created, lastModified: u.lastModified },
  };
}

type UserInput = components['schemas']['ScimUserRequest'];

function assign(u: ScimUserRecord, body: UserInput, nowMs: number): void {
  u.userName = body.userName;
  u.displayName = body.displayName ?? null;
  u.externalId = body.externalId ?? null;
  u.active = body.active ?? true;
  u.emails = (body.emails ?? []).map((e) => ({
    value: e.value,
    ...(e.primary !== undefined ? { primary: e.primary } : {}),
    ...(e.type !== undefined ? { type: e.type } : {}),
  }));
  u.lastModified = iso(nowMs);
}

export const scimHandlers = {
  scimCreateToken: ({ env, tenant, body }) => {
    if (tenant.scimTokens.size >= SCIM_CAPS.tokens)
      throw badRequest(
        `This local reference server keeps at most ${SCIM_CAPS.tokens} SCIM tokens per developer; revoke one`,
      );
    const record = {
      id: newId('scimtok', env.now()),
      label: body.label,
      token: randomHex(32),
      createdAt: iso(env.now()),
      lastUsedAt: null,
    };
    tenant.scimTokens.set(record.id, record);
    env.store.indexScimToken(record.token, tenant.developer.id);
    return {
      status: 201,
      body: { id: record.id, label: record.label, token: record.token, createdAt: record.createdAt },
    };
  },

  scimListTokens: ({ env, tenant }) => ({
    status: 200,
    body: {
      tokens: env.variants
        .order([...tenant.scimTokens.values()].reverse())
        .map((t) => ({ id: t.id, label: t.label, createdAt: t.createdAt, lastUsedAt: t.lastUsedAt })),
    },
  }),

  scimRevokeToken: ({ env, tenant, params }) => {
    const record = tenant.scimTokens.get(params.tokenId);
    if (record === undefined) throw notFound('SCIM token not found');
    tenant.scimTokens.delete(record.id);
    env.store.unindexScimToken(record.token);
    return { status: 204 };
  },

  scimServiceProviderConfig: () => ({
    status: 200,
    body: {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      patch: { supported: true },
      bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
      filter: { supported: false, maxResults: 200 },
      changePassword: { supported: false },
      sort: { supported: false },
      etag: { supported: false },
      authenticationSchemes: [
        {
          name: 'OAuth Bearer Token',
          description: 'A SCIM token from POST /v1/scim/tokens',
          type: 'oauthbearertoken',
          primary: true,
        },
      ],
      meta: { resourceType: 'ServiceProviderConfig' },
    },
  }),

  scimListUsers: ({ tenant, query }) => {
    const all = [...tenant.scimUsers.values()];
    const startIndex = Math.max(1, query.startIndex ?? 1);
    const count = Math.min(200, Math.max(1, query.count ?? 100));
    return {
      status: 200,
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
        totalResults: all.length,
        startIndex,
        itemsPerPage: count,
        Resources: all.slice(startIndex - 1, startIndex - 1 + count).map(present),
      },
    };
  },

  scimCreateUser: ({ env, tenant, body }) => {
    ensureUnique(tenant, body.userName);
    if (tenant.scimUsers.size >= SCIM_CAPS.users)
      throw scimError(400, `This local reference server keeps at most ${SCIM_CAPS.users} SCIM users per developer`);
    const nowMs = env.now();
    const user: ScimUserRecord = {
      id: newId('scimuser', nowMs),
      externalId: null,
      userName: '',
      displayName: null,
      active: true,
      emails: [],
      created: iso(nowMs),
      lastModified: iso(nowMs),
    };
    assign(user, body, nowMs);
    tenant.scimUsers.set(user.id, user);
    return { status: 201, body: present(user) };
  },

  scimGetUser: ({ tenant, params }) => ({ status: 200, body: present(userOf(tenant, params.userId)) }),

  scimUpdateUser: ({ env, tenant, params, body }) => {
    const user = userOf(tenant, params.userId);
    ensureUnique(tenant, body.userName, user.id);
    assign(user, body, env.now());
    return { status: 200, body: present(user) };
  },

  scimPatchUser: ({ env, tenant, params, body }) => {
    const user = userOf(tenant, params.userId);
    for (const op of body.Operations) {
      const kind = op.op.toLowerCase();
      if (kind !== 'add' && kind !== 'replace') continue;
      const changes: Record<string, unknown> =
        op.path !== undefined
          ? { [op.path]: op.value }
          : typeof op.value === 'object' && op.value !== null
            ? (op.value as Record<string, unknown>)
            : {};
      if (typeof changes['active'] === 'boolean') user.active = changes['active'];
      if (typeof changes['displayName'] === 'string') user.displayName = changes['displayName'];
      if (typeof changes['userName'] === 'string' && changes['userName'] !== '') {
        ensureUnique(tenant, changes['userName'], user.id);
        user.userName = changes['userName'];
      }
    }
    user.lastModified = iso(env.now());
    return { status: 200, body: present(user) };
  },

  scimDeleteUser: ({ tenant, params }) => {
    userOf(tenant, params.userId);
    tenant.scimUsers.delete(params.userId);
    return { status: 204 };
  },
} satisfies Partial<Handlers>;
