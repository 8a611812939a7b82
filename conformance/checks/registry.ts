/**
 * @module checks/registry
 * SPEC §15.4 trust registry: records are public (no credential needed) and
 * well-formed. The suite never registers an organisation (a trust record
 * cannot be deleted through the API); it reads what the server holds.
 */
import { expectThat, show, type Check } from '../engine/check.js';
import { expectStatus } from '../engine/session/expect.js';

const TRUST_LEVELS = ['basic', 'verified', 'soc2'];

export const registryChecks: Check[] = [
  {
    id: 'registry.public',
    area: 'registry',
    clause: 'SPEC §15.4 "Endpoint: GET /v1/trust-registry/:orgDID (public, no auth required)"',
    level: 'MUST',
    title: 'a trust record is read without a credential: a listed DID answers 200, an unknown DID 404 (not 401)',
    extension: 'registry',
    async run(ctx) {
      const http = ctx.session.http;
      // The sentence makes the record by DID public; the list may need a key, so it is read with one.
      const list = await http.request({ method: 'GET', path: '/v1/registry/orgs', auth: ctx.session.devA.key });
      expectStatus(list, 200, 'GET /v1/registry/orgs');
      const unknown = encodeURIComponent(`did:web:${ctx.session.runId.toLowerCase()}.invalid`);
      const missing = await http.request({ method: 'GET', path: `/v1/trust-registry/${unknown}`, auth: null });
      expectStatus(missing, 404, 'GET /v1/trust-registry/{unknown DID} without a credential');
      const first = ((list.body as { data?: { did?: string }[] }).data ?? [])[0];
      if (first?.did !== undefined) {
        const one = await http.request({
          method: 'GET',
          path: `/v1/trust-registry/${encodeURIComponent(first.did)}`,
          auth: null,
        });
        expectStatus(one, 200, 'GET /v1/trust-registry/{orgDID} without a credential');
      }
    },
  },
  {
    id: 'registry.well-formed',
    area: 'registry',
    clause: 'SPEC §15.4 trust records include organizationDID, verificationMethod, trustLevel, domains',
    level: 'SHOULD',
    title: 'every listed record names its DID, a known trust level and its domains',
    extension: 'registry',
    async run(ctx) {
      const http = ctx.session.http;
      const list = await http.request({ method: 'GET', path: '/v1/trust-registry', auth: ctx.session.devA.key });
      expectStatus(list, 200, 'GET /v1/trust-registry');
      const records = ((list.body as { records?: Record<string, unknown>[] }).records ?? []).slice(0, 20);
      for (const r of records) {
        expectThat(
          typeof r['organizationDID'] === 'string' &&
            r['organizationDID'].startsWith('did:') &&
            TRUST_LEVELS.includes(String(r['trustLevel'])) &&
            typeof r['verificationMethod'] === 'string' &&
            Array.isArray(r['domains']),
          'a trust record lacks a field of SPEC §15.4',
          'organizationDID (a DID), trustLevel basic|verified|soc2, verificationMethod, domains[]',
          show(r),
        );
      }
    },
  },
];
