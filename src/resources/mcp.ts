/**
 * @module resources/mcp
 * Extension. The public registry of MCP servers and their certification.
 */
import type { components } from '../../generated/schema.js';
import { type ListOptions, type ListPromise, maxPagesOf } from '../core/pagination.js';
import type { ApiPromise } from '../core/response.js';
import type { QueryParams, RequestBody, RequestOptions, ResponseBody } from '../types.js';
import { Resource } from './resource.js';

type ServerPage = ResponseBody<'mcpList'>;
type McpServer = components['schemas']['McpServer'];

/** `client.mcp`: the MCP server registry. */
export class Mcp extends Resource {
  /**
   * One page of listed servers; iterate it for every page (following
   * `meta.cursor`), up to `options.maxPages`. `GET /v1/mcp/servers`
   */
  list(query?: QueryParams<'mcpList'>, options?: ListOptions): ListPromise<ServerPage, McpServer> {
    const maxPages = maxPagesOf(options);
    const fetchPage = (pageQuery: QueryParams<'mcpList'>) =>
      this.api.GET('/v1/mcp/servers', { ...this.init(options), params: { query: pageQuery } });
    return this.sendList(fetchPage(query ?? {}), {
      items: (page) => page.data,
      maxPages,
      next: (page) => {
        const cursor = page.meta.cursor;
        if (cursor === undefined || page.data.length === 0) return undefined;
        return () => this.settle<ServerPage>(fetchPage({ ...query, cursor }));
      },
    });
  }

  /** Lists a server under the developer. `POST /v1/mcp/servers` */
  register(body: RequestBody<'mcpRegister'>, options?: RequestOptions): ApiPromise<ResponseBody<'mcpRegister'>> {
    return this.send(this.api.POST('/v1/mcp/servers', { ...this.init(options), body }));
  }

  /** One server with its publisher. `GET /v1/mcp/servers/{serverId}` */
  get(serverId: string, options?: RequestOptions): ApiPromise<ResponseBody<'mcpGet'>> {
    return this.send(
      this.api.GET('/v1/mcp/servers/{serverId}', { ...this.init(options), params: { path: { serverId } } }),
    );
  }

  /** Applies for a certification level. `POST /v1/mcp/certification/apply` */
  applyCertification(
    body: RequestBody<'mcpApplyCertification'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'mcpApplyCertification'>> {
    return this.send(this.api.POST('/v1/mcp/certification/apply', { ...this.init(options), body }));
  }

  /** An application's status. `GET /v1/mcp/certification/{certificationId}` */
  certification(certificationId: string, options?: RequestOptions): ApiPromise<ResponseBody<'mcpCertification'>> {
    return this.send(
      this.api.GET('/v1/mcp/certification/{certificationId}', {
        ...this.init(options),
        params: { path: { certificationId } },
      }),
    );
  }
}
