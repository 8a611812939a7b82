/**
 * @module pagination
 * List results that can be awaited for one page or iterated item by item with
 * `for await`, fetching further pages only as they are reached.
 */
import { ApiPromise, type ApiResult } from './response.js';

/** How to read one list response: its items, and how to fetch the page after it. */
export interface Pager<Page, Item> {
  items(page: Page): readonly Item[];
  /** The next page, or `undefined` when `page` is the last one. */
  next?(page: Page): Promise<ApiResult<Page>> | undefined;
}

/**
 * A list call: awaiting it gives the (first) page as the server sent it;
 * iterating it yields every item, across pages where the API pages.
 *
 * @example
 * ```ts
 * const { agents } = await client.agents.list();
 * for await (const delivery of client.webhooks.listDeliveries(webhookId)) console.log(delivery.status);
 * ```
 */
export class ListPromise<Page, Item> extends ApiPromise<Page> implements AsyncIterable<Item> {
  readonly #first: Promise<ApiResult<Page>>;
  readonly #pager: Pager<Page, Item>;

  constructor(first: Promise<ApiResult<Page>>, pager: Pager<Page, Item>) {
    super(first);
    this.#first = first;
    this.#pager = pager;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Item> {
    let pending: Promise<ApiResult<Page>> | undefined = this.#first;
    while (pending !== undefined) {
      const { data }: ApiResult<Page> = await pending;
      const items = this.#pager.items(data);
      yield* items;
      // An empty page ends the walk even if the totals promise more, so a confused server cannot loop us.
      pending = items.length === 0 ? undefined : this.#pager.next?.(data);
    }
  }
}
