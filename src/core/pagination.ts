/**
 * @module pagination
 * List results. Awaited, a list call gives its first page: the body as the
 * server sent it, plus `hasNextPage()` and `getNextPage()`. Iterated with
 * `for await`, it yields every item, fetching further pages as they are
 * reached. Every walk is bounded: a page that repeats or does not advance, a
 * malformed page, and going past `maxPages` each end it with a typed error.
 */
import { GrantexInvalidArgumentError } from './argument-error.js';
import { GrantexApiError, GrantexError } from './errors.js';
import { ApiPromise, type ApiResult } from './response.js';
import type { RequestOptions } from '../types.js';

/** Pages one walk fetches at most, the first included, unless `maxPages` says otherwise. */
export const DEFAULT_MAX_PAGES = 1000;

/** Options of a list call whose operation pages. */
export interface ListOptions extends RequestOptions {
  /**
   * Most pages one walk (`for await`, or a chain of `getNextPage()`) fetches,
   * the first included; the page after it fails with `GrantexPaginationError`
   * code `ERR_PAGE_LIMIT`. A positive integer. Default `1000`.
   */
  maxPages?: number | undefined;
}

/** How to read one list response: its items, where it starts, and how to fetch the page after it. */
export interface Pager<Body, Item> {
  items(body: Body): readonly Item[];
  /** The field holding where the page starts (page number, start index); each next page must start further on. */
  position?: keyof Body & string;
  /** Further paging fields (sizes, totals), which must be non-negative integers like `position`. */
  counters?: readonly (keyof Body & string)[];
  /** The request for the page after `body`, or `undefined` when `body` is the last page. */
  next?(body: Body): (() => Promise<ApiResult<Body>>) | undefined;
  /** See {@link ListOptions.maxPages}; checked by {@link maxPagesOf}. */
  maxPages?: number;
}

/** What every page adds to the body the server sent. */
export interface PageControls<Item> extends AsyncIterable<Item> {
  /**
   * True when the API has a page after this one (this page is not empty and the totals promise more).
   *
   * @throws {GrantexApiError} code `INVALID_RESPONSE` when this page's items or paging fields are malformed.
   */
  hasNextPage(): boolean;
  /**
   * Fetches the page after this one.
   *
   * @throws {GrantexPaginationError} `ERR_NO_NEXT_PAGE` when {@link hasNextPage} is false, `ERR_PAGE_LIMIT` past `maxPages`.
   * @throws {GrantexApiError} code `INVALID_RESPONSE` when the next page is malformed, repeats this one or does not start after it.
   */
  getNextPage(): ApiPromise<this>;
}

/**
 * One page of a list: the response body's fields, as the server sent them,
 * with {@link PageControls}. Iterating a page yields its items and those of
 * every page after it.
 */
export type Page<Body, Item> = Body & PageControls<Item>;

/** Why a walk over pages stopped early. */
export type GrantexPaginationErrorCode = 'ERR_NO_NEXT_PAGE' | 'ERR_PAGE_LIMIT';

/**
 * A walk over pages was asked to go where it may not: past the last page
 * (`ERR_NO_NEXT_PAGE`) or past `maxPages` (`ERR_PAGE_LIMIT`). Pages the server
 * got wrong are `GrantexApiError`s with code `INVALID_RESPONSE` instead.
 */
export class GrantexPaginationError extends GrantexError {
  override name = 'GrantexPaginationError';
  readonly code: GrantexPaginationErrorCode;

  constructor(code: GrantexPaginationErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * The `maxPages` of `options`, or the default.
 *
 * @throws {GrantexInvalidArgumentError} when it is not a positive integer, before anything is sent.
 */
export function maxPagesOf(options: ListOptions | undefined): number {
  const value = options?.maxPages;
  if (value === undefined) return DEFAULT_MAX_PAGES;
  if (!Number.isSafeInteger(value) || value < 1)
    throw new GrantexInvalidArgumentError('maxPages must be a positive integer');
  return value;
}

/**
 * A list call: awaiting it gives the first {@link Page}; iterating it yields
 * every item, across pages where the API pages.
 *
 * @example
 * ```ts
 * const { agents } = await client.agents.list();
 * for await (const delivery of client.webhooks.listDeliveries(webhookId)) console.log(delivery.status);
 * const page = await client.webhooks.listDeliveries(webhookId, { pageSize: 50 });
 * if (page.hasNextPage()) console.log((await page.getNextPage()).deliveries.length);
 * ```
 */
export class ListPromise<Body, Item> extends ApiPromise<Page<Body, Item>> implements AsyncIterable<Item> {
  constructor(first: Promise<ApiResult<Body>>, pager: Pager<Body, Item>) {
    // A ListPage carries the body's fields, which the type system cannot see.
    super(first.then((result) => pageResult(result, pager, 1, undefined) as unknown as ApiResult<Page<Body, Item>>));
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Item> {
    yield* await this;
  }
}

/** The body fields are copied onto the page; the walk's state stays in private fields. */
class ListPage<Body, Item> implements PageControls<Item> {
  readonly #result: ApiResult<Body>;
  readonly #pager: Pager<Body, Item>;
  /** This page's place in the walk, from 1. */
  readonly #number: number;
  #items: readonly Item[] | undefined;
  #fingerprint: string | undefined;

  constructor(result: ApiResult<Body>, pager: Pager<Body, Item>, number: number) {
    // defineProperty, not assignment: a `__proto__` field in the JSON stays a plain field.
    for (const [key, value] of Object.entries(result.data as object)) {
      Object.defineProperty(this, key, { value, enumerable: true, writable: true, configurable: true });
    }
    this.#result = result;
    this.#pager = pager;
    this.#number = number;
  }

  hasNextPage(): boolean {
    return this.#nextRequest() !== undefined;
  }

  getNextPage(): ApiPromise<this> {
    return new ApiPromise(this.#fetchNext()) as ApiPromise<this>;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Item> {
    let page: ListPage<Body, Item> = this;
    for (;;) {
      yield* page.check();
      if (page.#nextRequest() === undefined) return;
      page = (await page.#fetchNext()).data;
    }
  }

  /**
   * The page's items, once its items and paging fields are checked.
   *
   * @throws {GrantexApiError} `INVALID_RESPONSE` when the page is malformed.
   */
  check(): readonly Item[] {
    if (this.#items !== undefined) return this.#items;
    const body = this.#result.data;
    const items: unknown = this.#pager.items(body);
    if (!Array.isArray(items)) throw invalidPage(this.#result, 'the list body has no array of items');
    for (const field of [this.#pager.position, ...(this.#pager.counters ?? [])]) {
      if (field === undefined) continue;
      const value = body[field];
      if (!Number.isSafeInteger(value) || (value as number) < 0) {
        throw invalidPage(this.#result, `the paging field "${field}" is not a non-negative integer`);
      }
    }
    this.#items = items as readonly Item[];
    return this.#items;
  }

  async #fetchNext(): Promise<ApiResult<ListPage<Body, Item>>> {
    const request = this.#nextRequest();
    if (request === undefined) {
      throw new GrantexPaginationError(
        'ERR_NO_NEXT_PAGE',
        'this is the last page: check hasNextPage() before getNextPage()',
      );
    }
    const limit = this.#pager.maxPages ?? DEFAULT_MAX_PAGES;
    if (this.#number >= limit) {
      throw new GrantexPaginationError(
        'ERR_PAGE_LIMIT',
        `stopped after ${limit} pages (maxPages); pass a larger maxPages to walk further`,
      );
    }
    return pageResult(await request(), this.#pager, this.#number + 1, this);
  }

  /** An empty page is the last even if the totals promise more, so a confused server cannot loop us. */
  #nextRequest(): (() => Promise<ApiResult<Body>>) | undefined {
    return this.check().length === 0 ? undefined : this.#pager.next?.(this.#result.data);
  }

  /** Where this page starts, or `undefined` for lists that do not page. */
  get #position(): number | undefined {
    const field = this.#pager.position;
    return field === undefined ? undefined : (this.#result.data[field] as number);
  }

  /** The page's items as JSON, to tell a repeated page from a new one. */
  get #content(): string {
    this.#fingerprint ??= JSON.stringify(this.check());
    return this.#fingerprint;
  }

  /** Why `next` cannot follow `previous`, or `undefined` when it can. Both pages are checked. */
  static refusal<Body, Item>(previous: ListPage<Body, Item>, next: ListPage<Body, Item>): string | undefined {
    const [before, after] = [previous.#position, next.#position];
    if (before !== undefined && after !== undefined && after <= before) {
      return `page ${next.#number} starts at ${after}, not after page ${previous.#number} (${before}): the list does not advance`;
    }
    if (next.check().length > 0 && next.#content === previous.#content) {
      return `page ${next.#number} repeats the items of page ${previous.#number}`;
    }
    return undefined;
  }
}

const CONTROLS: readonly string[] = ['hasNextPage', 'getNextPage'];

/**
 * Wraps one list response as page number `number` of a walk. A page that
 * follows another is checked at once (it must be usable and advance); the
 * first is checked when it is first walked, so awaiting a list gives the body
 * as sent.
 */
function pageResult<Body, Item>(
  result: ApiResult<Body>,
  pager: Pager<Body, Item>,
  number: number,
  previous: ListPage<Body, Item> | undefined,
): ApiResult<ListPage<Body, Item>> {
  const { data: body, response } = result;
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalidPage(result, 'the list body is not a JSON object');
  if (CONTROLS.some((name) => Object.hasOwn(body, name)))
    throw invalidPage(result, 'the list body has a field named like a page method');
  const page = new ListPage(result, pager, number);
  if (previous !== undefined) {
    page.check();
    const refusal = ListPage.refusal(previous, page);
    if (refusal !== undefined) throw invalidPage(result, refusal);
  }
  return {
    data: page,
    response,
    get rateLimit() {
      return result.rateLimit;
    },
    get requestId() {
      return result.requestId;
    },
  };
}

function invalidPage(result: ApiResult<unknown>, reason: string): GrantexApiError {
  const { response } = result;
  return new GrantexApiError({
    statusCode: response.status,
    code: 'INVALID_RESPONSE',
    message: `The server answered ${response.status} with a list page the client cannot use: ${reason}`,
    requestId: response.headers.get('x-request-id') ?? undefined,
    body: result.data,
    headers: response.headers,
    rateLimit: result.rateLimit,
  });
}
