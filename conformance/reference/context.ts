/**
 * @module context
 * What a handler receives: the server's shared services, the caller's tenant,
 * and the request's parameters and body, all typed from generated/schema.d.ts.
 */
import type { operations } from '../../generated/schema.js';
import type { Faults } from './faults.js';
import type { GrantClaims, TokenSigner, SigningKeys } from './domain/keys.js';
import type { Variants } from './variants.js';
import type { Store, Tenant } from './domain/store.js';
import type { WebhookDispatcher } from './domain/webhook-dispatch.js';

/** Every operationId of the spec's paths (webhook operations, named `on…`, are sent, not served). */
export type OpId = Exclude<keyof operations, `on${string}`>;

type JsonOf<C> = C extends { 'application/json': infer B }
  ? B
  : C extends { 'application/scim+json': infer B }
    ? B
    : never;

/** The JSON request body of operation `K` (undefined when it takes none). */
export type BodyOf<K extends OpId> = [NonNullable<operations[K]['requestBody']>] extends [never]
  ? undefined
  : NonNullable<operations[K]['requestBody']> extends { content: infer C }
    ? JsonOf<C>
    : undefined;

type ParamsOf<K extends OpId, L extends 'path' | 'query'> = [NonNullable<operations[K]['parameters'][L]>] extends [
  never,
]
  ? Record<string, never>
  : NonNullable<operations[K]['parameters'][L]>;

/** Path parameters of operation `K`. */
export type PathOf<K extends OpId> = ParamsOf<K, 'path'>;
/** Query parameters of operation `K` (coerced to their schema types). */
export type QueryOf<K extends OpId> = ParamsOf<K, 'query'>;

type Responses<K extends OpId> = operations[K]['responses'];
type SuccessStatus = 200 | 201 | 202 | 204 | 302 | 303;

type ReplyFor<R, S> = R extends { content: infer C }
  ? { status: S; body: JsonOf<C>; headers?: Record<string, string> }
  : { status: S; body?: undefined; headers?: Record<string, string> };

/** A success answer of operation `K`: one of its documented 2xx/3xx statuses with that status's body. */
export type Reply<K extends OpId> = {
  [S in Extract<keyof Responses<K>, SuccessStatus>]: ReplyFor<Responses<K>[S], S>;
}[Extract<keyof Responses<K>, SuccessStatus>];

/** Server-wide settings, resolved from the start options. */
export interface Settings {
  /** The server's base URL (what clients call), no trailing slash. */
  baseUrl: string;
  maxDelegationDepth: number;
  /** Longest request body read, in bytes; longer ones get 413. */
  maxBodyBytes: number;
  /** Milliseconds between keep-alive comments on event streams. Default 15000. */
  eventKeepAliveMs?: number;
}

/** The services shared by every handler of one server. */
export interface ServerEnv {
  store: Store;
  faults: Faults;
  /** Permitted behaviours switched on (see `VARIANTS`). */
  variants: Variants;
  signer: TokenSigner;
  keys: SigningKeys;
  webhooks: WebhookDispatcher;
  settings: Settings;
  /** The server's clock, in milliseconds since the epoch. */
  now(): number;
}

/** The context of one call to operation `K`. */
export interface Ctx<K extends OpId> {
  env: ServerEnv;
  /** The calling developer's data; throws 401 on public operations. */
  readonly tenant: Tenant;
  params: PathOf<K>;
  query: QueryOf<K>;
  body: BodyOf<K>;
  requestId: string;
  /** The request's bearer token, for operations that check their own credential (principal sessions). */
  bearer?: string | undefined;
  /** A request header (lower-case name), for the few operations that read one. */
  header?: (name: string) => string | undefined;
  /** The verified claims of the grant token, on operations secured by one. */
  grant?: GrantClaims;
}

/** The handler of operation `K`: answers with a success reply or throws an HttpError. */
export type Handler<K extends OpId> = (ctx: Ctx<K>) => Reply<K> | Promise<Reply<K>>;

/** One handler per operation of the spec; the compiler checks that none is missing. */
export type Handlers = { [K in OpId]: Handler<K> };
