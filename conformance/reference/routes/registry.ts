/**
 * @module routes/registry
 * The trust registry (SPEC.md §15.4): organisations register their did:web;
 * their records are public. DNS verification needs public DNS, which this
 * server never queries: it answers DNS_VERIFICATION_FAILED.
 */
import type { Handlers, ServerEnv } from '../context.js';
import { newId, randomToken, ulid } from '../domain/ids.js';
import { orgs, type OrgRecord } from '../domain/identity/registry.js';
import { iso } from '../domain/rules.js';
import { badRequest, conflict, forbidden, HttpError, notFound, unauthorized } from '../http/http-error.js';
import { SHARED_CAPS } from '../domain/limits.js';

function summary(org: OrgRecord) {
  return {
    did: org.did,
    name: org.name,
    description: org.description,
    verificationLevel: org.trustLevel,
    badges: [...org.badges],
    stats: { totalAgents: 0, weeklyActiveGrants: 0, averageRating: 0 },
    website: org.website,
    logoUrl: null,
  };
}

function legacy(org: OrgRecord) {
  return {
    organizationDID: org.did,
    verifiedAt: org.verifiedAt === null ? null : iso(org.verifiedAt),
    verificationMethod: org.verifiedAt === null ? 'pending' : 'dns-txt',
    trustLevel: org.trustLevel,
    domains: [org.domain],
    name: org.name,
    description: org.description,
    badges: [...org.badges],
  };
}

/** The fault: trust records need an API key, though SPEC.md §15.4 makes them public. */
function publicRead(env: ServerEnv): void {
  if (env.faults.has('registry-requires-auth')) throw unauthorized('Missing or invalid Authorization header');
}

function find(env: ServerEnv, did: string): OrgRecord {
  const org = orgs(env.store).get(did);
  if (org === undefined) throw notFound('Organization not found');
  return org;
}

const dnsFailed = (domain: string) =>
  new HttpError(400, 'DNS_VERIFICATION_FAILED', `DNS TXT verification failed for ${domain}`);

export const registryHandlers = {
  registryListOrgs: ({ env }) => {
    publicRead(env);
    const data = [...orgs(env.store).values()].map(summary);
    return { status: 200, body: { data, meta: { total: data.length } } };
  },

  registryRegisterOrg: ({ env, tenant, body }) => {
    const domain = body.did.slice('did:web:'.length);
    if (domain === '' || /[/\s]/.test(domain)) throw badRequest('did must be did:web:<domain>');
    if (orgs(env.store).has(body.did)) throw conflict('Organization already registered');
    if (orgs(env.store).size >= SHARED_CAPS.registryOrgs)
      throw conflict(`This local reference server keeps at most ${SHARED_CAPS.registryOrgs} organizations`);
    const org: OrgRecord = {
      id: newId('treg', env.now()),
      developerId: tenant.developer.id,
      did: body.did,
      name: body.name,
      description: body.description ?? null,
      website: body.website ?? null,
      contact: { security: body.contact?.security ?? null, dpo: body.contact?.dpo ?? null },
      domain,
      verificationToken: `grantex-verify=${ulid(env.now())}${randomToken(4)}`,
      trustLevel: 'basic',
      verifiedAt: null,
      badges: [],
    };
    orgs(env.store).set(org.did, org);
    return {
      status: 201,
      body: {
        orgId: org.id,
        did: org.did,
        name: org.name,
        trustLevel: org.trustLevel,
        domain,
        dnsRecordName: `_grantex-verify.${domain}`,
        verificationToken: org.verificationToken,
      },
    };
  },

  registryGetOrg: ({ env, params }) => {
    publicRead(env);
    const org = find(env, params.did);
    return {
      status: 200,
      body: {
        ...summary(org),
        domain: org.domain,
        publicKeys: [],
        compliance: { soc2: false, iso27001: false, dpdp: false, gdpr: false },
        contact: { ...org.contact },
        reviewCount: 0,
        verifiedAt: org.verifiedAt === null ? null : iso(org.verifiedAt),
        verificationMethod: org.verifiedAt === null ? 'pending' : 'dns-txt',
        agents: [],
      },
    };
  },

  registryOrgJwks: ({ env, params }) => {
    publicRead(env);
    find(env, params.did);
    return { status: 200, body: { keys: [] } };
  },

  registryVerifyOrgDns: ({ env, tenant, params }) => {
    const org = [...orgs(env.store).values()].find((o) => o.id === params.orgId);
    if (org === undefined) throw notFound('Organization not found');
    if (org.developerId !== tenant.developer.id) throw forbidden('Not your organization');
    throw dnsFailed(org.domain);
  },

  registryLegacyList: ({ env }) => ({
    status: 200,
    body: { records: [...orgs(env.store).values()].map(legacy) },
  }),

  registryLegacyGet: ({ env, params }) => {
    publicRead(env);
    const org = orgs(env.store).get(params.orgDid);
    if (org === undefined) throw notFound('Organization not found in trust registry');
    return { status: 200, body: legacy(org) };
  },

  registryLegacyVerifyDns: ({ body }) => {
    throw dnsFailed(body.domain);
  },
} satisfies Partial<Handlers>;
