/**
 * @module resources/compliance
 * Extension. Summaries, exports and evidence packs computed from grants and
 * the audit trail.
 */
import type { ApiPromise } from '../core/response.js';
import type { QueryParams, RequestOptions, ResponseBody } from '../types.js';
import { Resource } from './resource.js';

/** `client.compliance`: reports over grants and the audit trail. */
export class Compliance extends Resource {
  /** Counts of agents, grants, audit entries and policies. `GET /v1/compliance/summary` */
  summary(
    query?: QueryParams<'complianceSummary'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'complianceSummary'>> {
    return this.send(this.api.GET('/v1/compliance/summary', { ...this.init(options), params: { query: query ?? {} } }));
  }

  /** Every grant in the window. `GET /v1/compliance/export/grants` */
  exportGrants(
    query?: QueryParams<'complianceExportGrants'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'complianceExportGrants'>> {
    return this.send(
      this.api.GET('/v1/compliance/export/grants', { ...this.init(options), params: { query: query ?? {} } }),
    );
  }

  /** Every audit entry in the window. `GET /v1/compliance/export/audit` */
  exportAudit(
    query?: QueryParams<'complianceExportAudit'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'complianceExportAudit'>> {
    return this.send(
      this.api.GET('/v1/compliance/export/audit', { ...this.init(options), params: { query: query ?? {} } }),
    );
  }

  /** A bundle of summary, grants, audit trail, policies and chain integrity. `GET /v1/compliance/evidence-pack` */
  evidencePack(
    query?: QueryParams<'complianceEvidencePack'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'complianceEvidencePack'>> {
    return this.send(
      this.api.GET('/v1/compliance/evidence-pack', { ...this.init(options), params: { query: query ?? {} } }),
    );
  }
}
