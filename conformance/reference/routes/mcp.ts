/**
 * @module routes/mcp
 * The MCP server registry: public listing and lookup across developers,
 * registration and certification applications by the owning developer.
 */
import type { components } from '../../../generated/schema.js';
import type { Handlers } from '../context.js';
import { newId } from '../domain/ids.js';
import { type McpServerRecord, MAX_RECORDS, registryOf } from '../domain/operations/state.js';
import { iso } from '../domain/rules.js';
import { HttpError, notFound } from '../http/http-error.js';

/** Certification conformance tests a server must pass (the public server's count). */
const CONFORMANCE_TOTAL = 13;

function present(s: McpServerRecord): components['schemas']['McpServer'] {
  return {
    serverId: s.serverId,
    name: s.name,
    description: s.description,
    category: s.category,
    scopes: [...s.scopes],
    certified: false,
    serverUrl: s.serverUrl,
    authEndpoint: s.authEndpoint,
    npmPackage: s.npmPackage,
    weeklyActiveAgents: 0,
    stars: 0,
    status: 'active',
    createdAt: s.createdAt,
  };
}

export const mcpHandlers = {
  mcpList: ({ env, query }) => {
    const q = query.q?.toLowerCase();
    // Nothing is certified here, so `certified=true` lists none.
    const matching = [...registryOf(env.store).servers]
      .reverse()
      .filter(() => query.certified !== true)
      .filter((s) => query.category === undefined || s.category === query.category)
      .filter(
        (s) => q === undefined || s.name.toLowerCase().includes(q) || (s.description ?? '').toLowerCase().includes(q),
      );
    const start = query.cursor === undefined ? 0 : matching.findIndex((s) => s.serverId === query.cursor) + 1;
    const limit = query.limit ?? 20;
    const page = matching.slice(start, start + limit);
    const more = start + limit < matching.length;
    return {
      status: 200,
      body: {
        data: page.map(present),
        meta: { total: matching.length, ...(more ? { cursor: page.at(-1)!.serverId } : {}) },
      },
    };
  },

  mcpRegister: ({ env, tenant, body }) => {
    const registry = registryOf(env.store);
    if (registry.servers.length >= MAX_RECORDS) throw new HttpError(409, 'LIMIT_REACHED', 'The registry is full');
    const nowMs = env.now();
    const server: McpServerRecord = {
      serverId: newId('mcp_srv', nowMs),
      developerId: tenant.developer.id,
      publisherName: tenant.developer.name,
      name: body.name,
      description: body.description ?? null,
      serverUrl: body.serverUrl ?? null,
      authEndpoint: body.authEndpoint ?? null,
      npmPackage: body.npmPackage ?? null,
      category: body.category ?? 'other',
      scopes: [...(body.scopes ?? [])],
      createdAt: iso(nowMs),
    };
    registry.servers.push(server);
    return { status: 201, body: present(server) };
  },

  mcpGet: ({ env, params }) => {
    const registry = registryOf(env.store);
    const server = registry.servers.find((s) => s.serverId === params.serverId);
    if (server === undefined) throw notFound('MCP server not found');
    const pending = [...registry.certifications.values()].some((c) => c.serverId === server.serverId);
    return {
      status: 200,
      body: {
        ...present(server),
        certificationPending: pending,
        updatedAt: server.createdAt,
        publisher: { id: server.developerId, name: server.publisherName },
      },
    };
  },

  mcpApplyCertification: ({ env, tenant, body }) => {
    const registry = registryOf(env.store);
    const server = registry.servers.find((s) => s.serverId === body.serverId && s.developerId === tenant.developer.id);
    if (server === undefined) throw notFound('MCP server not found or not owned by developer');
    const pending = [...registry.certifications.values()].find((c) => c.serverId === server.serverId);
    if (pending !== undefined) {
      const refused = new HttpError(
        409,
        'CERTIFICATION_PENDING',
        'A certification application is already pending for this server',
      );
      refused.body = {
        message: refused.message,
        code: refused.code,
        requestId: crypto.randomUUID(),
        certificationId: pending.certificationId,
        requestedLevel: pending.requestedLevel,
        status: 'pending_conformance_test',
        createdAt: pending.createdAt,
      };
      throw refused;
    }
    const nowMs = env.now();
    const application = {
      certificationId: newId('cert', nowMs),
      serverId: server.serverId,
      developerId: tenant.developer.id,
      requestedLevel: body.requestedLevel,
      createdAt: iso(nowMs),
    };
    registry.certifications.set(application.certificationId, application);
    const { certificationId, serverId, requestedLevel, createdAt } = application;
    return {
      status: 202,
      body: {
        certificationId,
        serverId,
        requestedLevel,
        status: 'pending_conformance_test',
        conformancePassed: 0,
        conformanceTotal: CONFORMANCE_TOTAL,
        createdAt,
      },
    };
  },

  mcpCertification: ({ env, tenant, params }) => {
    const c = registryOf(env.store).certifications.get(params.certificationId);
    if (c === undefined || c.developerId !== tenant.developer.id) throw notFound('Certification not found');
    return {
      status: 200,
      body: {
        certificationId: c.certificationId,
        serverId: c.serverId,
        requestedLevel: c.requestedLevel,
        status: 'pending_conformance_test',
        conformanceResults: {},
        conformancePassed: 0,
        conformanceTotal: CONFORMANCE_TOTAL,
        createdAt: c.createdAt,
      },
    };
  },
} satisfies Partial<Handlers>;
