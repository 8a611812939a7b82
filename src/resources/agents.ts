/**
 * @module resources/agents
 * Register and manage the AI agents that receive grants.
 */
import type { components } from '../../generated/schema.js';
import type { ApiPromise } from '../core/response.js';
import type { ListPromise } from '../core/pagination.js';
import type { RequestBody, RequestOptions, ResponseBody } from '../types.js';
import { Resource } from './resource.js';

type Agent = components['schemas']['Agent'];

/** `client.agents`: the developer's agents. */
export class Agents extends Resource {
  /** Registers an agent and gives it a DID. `POST /v1/agents` */
  create(body: RequestBody<'agentsCreate'>, options?: RequestOptions): ApiPromise<ResponseBody<'agentsCreate'>> {
    return this.send(this.api.POST('/v1/agents', { ...this.init(options), body }));
  }

  /**
   * The developer's agents, newest first; iterate it for the agents one by one.
   * The API does not page this list: one response holds all of them, so `hasNextPage()` is false.
   * `GET /v1/agents`
   */
  list(options?: RequestOptions): ListPromise<ResponseBody<'agentsList'>, Agent> {
    return this.sendList(this.api.GET('/v1/agents', { ...this.init(options) }), { items: (page) => page.agents });
  }

  /** One agent. `GET /v1/agents/{agentId}` */
  get(agentId: string, options?: RequestOptions): ApiPromise<ResponseBody<'agentsGet'>> {
    return this.send(this.api.GET('/v1/agents/{agentId}', { ...this.init(options), params: { path: { agentId } } }));
  }

  /** Changes the given fields. `PATCH /v1/agents/{agentId}` */
  update(
    agentId: string,
    body: RequestBody<'agentsUpdate'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'agentsUpdate'>> {
    return this.send(
      this.api.PATCH('/v1/agents/{agentId}', { ...this.init(options), params: { path: { agentId } }, body }),
    );
  }

  /** Deletes the agent with its grants, tokens and pending requests. `DELETE /v1/agents/{agentId}` */
  delete(agentId: string, options?: RequestOptions): ApiPromise<ResponseBody<'agentsDelete'>> {
    return this.send(this.api.DELETE('/v1/agents/{agentId}', { ...this.init(options), params: { path: { agentId } } }));
  }
}
