/**
 * @module types
 * Request and response types of each operation, derived from the generated
 * spec types by operationId. Nothing here restates a schema.
 */
import type { operations } from '../generated/schema.js';

/** An operationId of the spec, e.g. `agentsGet`. */
export type OperationId = keyof operations;

type SuccessStatus = 200 | 201 | 202 | 203 | 204 | 206 | '2XX';
type ContentOf<Part> = Part extends { content: { 'application/json': infer Json } }
  ? Json
  : Part extends { content: infer Content }
    ? Content[keyof Content]
    : undefined;

/** The request body of an operation (`never` when it takes none). */
export type RequestBody<K extends OperationId> = operations[K] extends { requestBody?: infer Body }
  ? ContentOf<NonNullable<Body>>
  : never;

/** The body of an operation's success response (`undefined` for 204). */
export type ResponseBody<K extends OperationId> = ContentOf<
  operations[K]['responses'][Extract<keyof operations[K]['responses'], SuccessStatus>]
>;

/** The query parameters of an operation. */
export type QueryParams<K extends OperationId> = NonNullable<operations[K]['parameters']['query']>;

/** Options that every client method accepts as its last argument. */
export interface RequestOptions {
  /** Aborts the call; the method then rejects with `GrantexAbortError`. */
  signal?: AbortSignal | undefined;
  /**
   * Milliseconds per attempt, response body included, overriding the client's
   * `timeout` (e.g. `5000` for 5 s). A value that is not a positive finite
   * number throws `GrantexConfigError` before anything is sent.
   */
  timeout?: number | undefined;
  /** Overrides the client's `maxRetries` for this call: a whole number, zero or more. */
  maxRetries?: number | undefined;
  /** Extra headers for this call. */
  headers?: Record<string, string> | undefined;
}
