/**
 * @module resources/dpdp
 * Extension. Consent records, notices, grievances, exports and erasure under
 * India's DPDP Act 2023. Requests and answers hold personal data.
 */
import type { ApiPromise } from '../core/response.js';
import type { QueryParams, RequestBody, RequestOptions, ResponseBody } from '../types.js';
import { Resource } from './resource.js';

/** `client.dpdp`: data-principal rights. */
export class Dpdp extends Resource {
  /** Records a data principal's consent, tied to a grant. `POST /v1/dpdp/consent-records` */
  createRecord(
    body: RequestBody<'dpdpCreateRecord'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'dpdpCreateRecord'>> {
    return this.send(this.api.POST('/v1/dpdp/consent-records', { ...this.init(options), body }));
  }

  /** Consent records (not paged). `GET /v1/dpdp/consent-records` */
  listRecords(
    query?: QueryParams<'dpdpListRecords'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'dpdpListRecords'>> {
    return this.send(
      this.api.GET('/v1/dpdp/consent-records', { ...this.init(options), params: { query: query ?? {} } }),
    );
  }

  /** One consent record. `GET /v1/dpdp/consent-records/{recordId}` */
  getRecord(recordId: string, options?: RequestOptions): ApiPromise<ResponseBody<'dpdpGetRecord'>> {
    return this.send(
      this.api.GET('/v1/dpdp/consent-records/{recordId}', { ...this.init(options), params: { path: { recordId } } }),
    );
  }

  /** Withdraws consent (irreversible; with `revokeGrant`, revokes the grant too). `POST /v1/dpdp/consent-records/{recordId}/withdraw` */
  withdraw(
    recordId: string,
    body: RequestBody<'dpdpWithdraw'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'dpdpWithdraw'>> {
    return this.send(
      this.api.POST('/v1/dpdp/consent-records/{recordId}/withdraw', {
        ...this.init(options),
        params: { path: { recordId } },
        body,
      }),
    );
  }

  /** Every record of one data principal. `GET /v1/dpdp/data-principals/{principalId}/records` */
  principalRecords(principalId: string, options?: RequestOptions): ApiPromise<ResponseBody<'dpdpPrincipalRecords'>> {
    return this.send(
      this.api.GET('/v1/dpdp/data-principals/{principalId}/records', {
        ...this.init(options),
        params: { path: { principalId } },
      }),
    );
  }

  /** Publishes a versioned consent notice. `POST /v1/dpdp/consent-notices` */
  createNotice(
    body: RequestBody<'dpdpCreateNotice'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'dpdpCreateNotice'>> {
    return this.send(this.api.POST('/v1/dpdp/consent-notices', { ...this.init(options), body }));
  }

  /** Files a grievance. `POST /v1/dpdp/grievances` */
  fileGrievance(
    body: RequestBody<'dpdpFileGrievance'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'dpdpFileGrievance'>> {
    return this.send(this.api.POST('/v1/dpdp/grievances', { ...this.init(options), body }));
  }

  /** One grievance. `GET /v1/dpdp/grievances/{grievanceId}` */
  getGrievance(grievanceId: string, options?: RequestOptions): ApiPromise<ResponseBody<'dpdpGetGrievance'>> {
    return this.send(
      this.api.GET('/v1/dpdp/grievances/{grievanceId}', { ...this.init(options), params: { path: { grievanceId } } }),
    );
  }

  /** Builds a compliance export. `POST /v1/dpdp/exports` */
  createExport(
    body: RequestBody<'dpdpCreateExport'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'dpdpCreateExport'>> {
    return this.send(this.api.POST('/v1/dpdp/exports', { ...this.init(options), body }));
  }

  /** A stored export. `GET /v1/dpdp/exports/{exportId}` */
  getExport(exportId: string, options?: RequestOptions): ApiPromise<ResponseBody<'dpdpGetExport'>> {
    return this.send(
      this.api.GET('/v1/dpdp/exports/{exportId}', { ...this.init(options), params: { path: { exportId } } }),
    );
  }

  /** Erases a data principal's records and revokes their grants (irreversible). `POST /v1/dpdp/data-principals/{principalId}/erasure` */
  erase(principalId: string, options?: RequestOptions): ApiPromise<ResponseBody<'dpdpErase'>> {
    return this.send(
      this.api.POST('/v1/dpdp/data-principals/{principalId}/erasure', {
        ...this.init(options),
        params: { path: { principalId } },
      }),
    );
  }
}
