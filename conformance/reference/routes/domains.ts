/**
 * @module routes/domains
 * Custom domains. Like the public server, adding one needs the Enterprise plan
 * (402 otherwise); DNS is never queried, so verification fails.
 */
import type { Handlers } from '../context.js';
import { newId } from '../domain/ids.js';
import { tables } from '../domain/identity/principal.js';
import { iso } from '../domain/rules.js';
import { badRequest, conflict, HttpError, notFound } from '../http/http-error.js';
import { SHARED_CAPS } from '../domain/limits.js';

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export const domainHandlers = {
  domainsList: ({ env, tenant }) => ({
    status: 200,
    body: {
      domains: [...tables(env.store).domains.values()]
        .filter((d) => d.developerId === tenant.developer.id)
        .sort((a, b) => b.createdAt - a.createdAt)
        .map((d) => ({
          id: d.id,
          domain: d.domain,
          verified: d.verified,
          verifiedAt: null,
          createdAt: iso(d.createdAt),
        })),
    },
  }),

  domainsAdd: ({ env, tenant, body }) => {
    const domain = body.domain.trim().toLowerCase().replace(/\.$/, '');
    if (!HOSTNAME.test(domain)) throw badRequest('domain must be a valid DNS hostname');
    if (tenant.subscription.plan !== 'enterprise')
      throw new HttpError(402, 'PLAN_LIMIT_EXCEEDED', 'Custom domains require Enterprise plan');
    if (tables(env.store).domains.size >= SHARED_CAPS.domains)
      throw new HttpError(
        402,
        'PLAN_LIMIT_EXCEEDED',
        `Limit reached: this local reference server keeps at most ${SHARED_CAPS.domains} custom domains`,
      );
    if ([...tables(env.store).domains.values()].some((d) => d.domain === domain))
      throw conflict('Domain already registered');
    const nowMs = env.now();
    const record = {
      id: newId('dom', nowMs),
      developerId: tenant.developer.id,
      domain,
      token: crypto.randomUUID(),
      verified: false,
      createdAt: nowMs,
    };
    tables(env.store).domains.set(record.id, record);
    return {
      status: 201,
      body: {
        id: record.id,
        domain,
        verified: false,
        verificationToken: record.token,
        instructions: `Add a DNS TXT record: _grantex.${domain} = ${record.token}`,
      },
    };
  },

  domainsVerify: ({ env, tenant, params }) => {
    const d = tables(env.store).domains.get(params.domainId);
    if (d === undefined || d.developerId !== tenant.developer.id) throw notFound('Domain not found');
    throw new HttpError(400, 'VERIFICATION_FAILED', 'DNS TXT record not found');
  },

  domainsDelete: ({ env, tenant, params }) => {
    const d = tables(env.store).domains.get(params.domainId);
    if (d === undefined || d.developerId !== tenant.developer.id) throw notFound('Domain not found');
    tables(env.store).domains.delete(d.id);
    return { status: 204 };
  },
} satisfies Partial<Handlers>;
