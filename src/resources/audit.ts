/**
 * @module resources/audit
 * The append-only, hash-chained audit trail of what agents did.
 */
import type { components } from '../../generated/schema.js';
import type { ListPromise } from '../core/pagination.js';
import type { ApiPromise } from '../core/response.js';
import type { QueryParams, RequestBody, RequestOptions, ResponseBody } from '../types.js';
import { Resource } from './resource.js';

type AuditEntry = components['schemas']['AuditEntry'];

/** `client.audit`: the audit trail. */
export class Audit extends Resource {
  /** Appends an entry to the chain. `POST /v1/audit/log` */
  log(body: RequestBody<'auditLog'>, options?: RequestOptions): ApiPromise<ResponseBody<'auditLog'>> {
    return this.send(this.api.POST('/v1/audit/log', { ...this.init(options), body }));
  }

  /**
   * Entries, optionally filtered; iterate it for the entries one by one.
   * The API does not page this list: one response holds all of them, so `hasNextPage()` is false.
   * `GET /v1/audit/entries`
   */
  list(query?: QueryParams<'auditList'>, options?: RequestOptions): ListPromise<ResponseBody<'auditList'>, AuditEntry> {
    return this.sendList(this.api.GET('/v1/audit/entries', { ...this.init(options), params: { query: query ?? {} } }), {
      items: (page) => page.entries,
    });
  }

  /** One entry. `GET /v1/audit/{entryId}` */
  get(entryId: string, options?: RequestOptions): ApiPromise<ResponseBody<'auditGet'>> {
    return this.send(this.api.GET('/v1/audit/{entryId}', { ...this.init(options), params: { path: { entryId } } }));
  }
}
