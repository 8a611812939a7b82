/**
 * @module resources/did
 * Extension. The server's DID document (SPEC.md §3).
 */
import type { ApiPromise } from '../core/response.js';
import type { RequestOptions, ResponseBody } from '../types.js';
import { Resource } from './resource.js';

/** `client.did`: the issuer's DID document. To resolve any DID offline, see `resolveDid`. */
export class Did extends Resource {
  /** The server's DID document, public. `GET /.well-known/did.json` */
  get(options?: RequestOptions): ApiPromise<ResponseBody<'didGet'>> {
    return this.send(this.api.GET('/.well-known/did.json', { ...this.init(options) }));
  }
}
